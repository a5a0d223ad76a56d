#include "signing/http_client.h"

#include <curl/curl.h>

#include <memory>

#include "signing/openssl_util.h"

namespace dosar::signing {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) noexcept {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

using CurlPtr = std::unique_ptr<CURL, OpenSslDeleter<curl_easy_cleanup>>;

// Runs a request set up on `curl`, with the common limits, and returns the
// body of a 200 answer of at most `max_bytes`.
Result<std::string> perform(CURL* curl, const std::string& url, std::size_t max_bytes) {
  std::string answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_FILESIZE_EXCEEDED || answer.size() > max_bytes)
    return make_error(ErrorCode::limit_exceeded, url,
                      "answered more than " + std::to_string(max_bytes) + " bytes");
  if (code != CURLE_OK)
    return make_error(ErrorCode::io, url, std::string("unreachable: ") + curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return make_error(ErrorCode::io, url, "answered HTTP " + std::to_string(status));
  return answer;
}

}  // namespace

Result<std::string> http_post(const std::string& url, const std::string& content_type,
                              const std::string& body) {
  CurlPtr curl(curl_easy_init());
  if (!curl) return make_error(ErrorCode::io, url, "cannot start an HTTP request");
  const std::string header = "Content-Type: " + content_type;
  curl_slist* headers = curl_slist_append(nullptr, header.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  auto answer = perform(curl.get(), url, kMaxAnswerBytes);
  curl_slist_free_all(headers);
  return answer;
}

Result<std::string> http_get(const std::string& url, std::size_t max_bytes) {
  CurlPtr curl(curl_easy_init());
  if (!curl) return make_error(ErrorCode::io, url, "cannot start an HTTP request");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
  return perform(curl.get(), url, max_bytes);
}

}  // namespace dosar::signing
