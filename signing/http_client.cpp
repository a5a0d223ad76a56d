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

}  // namespace

Result<std::string> http_post(const std::string& url, const std::string& content_type,
                              const std::string& body) {
  std::unique_ptr<CURL, OpenSslDeleter<curl_easy_cleanup>> curl(curl_easy_init());
  if (!curl) return make_error(ErrorCode::io, url, "cannot start an HTTP request");
  std::string answer;
  const std::string header = "Content-Type: " + content_type;
  curl_slist* headers = curl_slist_append(nullptr, header.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (code != CURLE_OK)
    return make_error(ErrorCode::io, url, std::string("unreachable: ") + curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return make_error(ErrorCode::io, url, "answered HTTP " + std::to_string(status));
  return answer;
}

}  // namespace dosar::signing
