#include "cloud/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "base/file_system.h"
#include "cloud/s3_xml.h"

namespace dosar::cloud {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Percent-encodes everything but RFC 3986 unreserved characters (and '/' in keys),
// as Signature V4's canonical request expects.
std::string uri_encode(std::string_view text, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

// Base64 of the MD5 of `bytes`, or of `size` bytes of `file` from `offset`:
// the Content-MD5 header S3 checks the body against.
Result<std::string> content_md5(std::string_view bytes, const fs::path* file, std::uint64_t offset,
                                std::uint64_t size) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!md || EVP_DigestInit_ex(md.get(), EVP_md5(), nullptr) != 1)
    return make_error(ErrorCode::io, "MD5", "OpenSSL could not start a digest");
  if (file) {
    File in(std::fopen(file->c_str(), "rb"));
    if (!in || ::fseeko(in.get(), static_cast<off_t>(offset), SEEK_SET) != 0)
      return make_error(ErrorCode::io, file->string(), errno_text(errno));
    std::string buffer(1 << 20, '\0');
    for (std::uint64_t left = size; left > 0;) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      if (std::fread(buffer.data(), 1, want, in.get()) != want)
        return make_error(ErrorCode::io, file->string(), "shorter than expected while computing its MD5");
      EVP_DigestUpdate(md.get(), buffer.data(), want);
      left -= want;
    }
  } else {
    EVP_DigestUpdate(md.get(), bytes.data(), bytes.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(md.get(), digest, &length);
  unsigned char encoded[64];
  int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

}  // namespace

Result<S3Location> parse_s3_url(const std::string& url) {
  const std::string scheme = "s3://";
  if (url.rfind(scheme, 0) != 0)
    return make_error(ErrorCode::invalid_argument, url, "is not an s3://BUCKET/PREFIX address");
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  S3Location location{rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1)};
  // Bucket names: 3-63 lowercase letters, digits, dots and hyphens.
  bool bucket_ok = location.bucket.size() >= 3 && location.bucket.size() <= 63 &&
                   std::all_of(location.bucket.begin(), location.bucket.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
                   });
  if (!bucket_ok) return make_error(ErrorCode::invalid_argument, url, "has no valid bucket name");
  while (!location.prefix.empty() && location.prefix.front() == '/') location.prefix.erase(0, 1);
  if (!location.prefix.empty() && location.prefix.back() != '/') location.prefix += '/';
  return location;
}

Result<S3Credentials> credentials_from_environment() {
  S3Credentials credentials;
  for (auto [name, target] : {std::pair{"AWS_ACCESS_KEY_ID", &credentials.access_key_id},
                              std::pair{"AWS_SECRET_ACCESS_KEY", &credentials.secret_access_key}}) {
    const char* value = std::getenv(name);
    if (!value || !*value)
      return make_error(ErrorCode::invalid_argument, name,
                        "is not set; the S3 credentials come from the environment");
    *target = value;
  }
  return credentials;
}

struct S3Client::Pool {
  std::mutex mutex;
  std::vector<CURL*> idle;
  ~Pool() {
    for (CURL* handle : idle) curl_easy_cleanup(handle);
  }
  CURL* acquire() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        curl_easy_reset(handle);  // keeps the connection cache
        return handle;
      }
    }
    return curl_easy_init();
  }
  void release(CURL* handle) {
    std::lock_guard lock(mutex);
    idle.push_back(handle);
  }
};

struct S3Client::Request {
  Request(std::string method_, std::string key_, std::string query_ = {}, std::string_view body_ = {})
      : method(std::move(method_)), key(std::move(key_)), query(std::move(query_)), body(body_) {}
  std::string method;  // GET, PUT, HEAD, DELETE, POST
  std::string key;
  std::string query;  // already encoded, parameters in sorted order (canonical for Signature V4)
  // Body: bytes, or a range of a file.
  std::string_view body;
  const fs::path* body_file = nullptr;
  std::uint64_t body_offset = 0;
  std::uint64_t body_size = 0;
  // Response body: kept in memory up to `max_body`, or written to a file, or
  // handed to a sink.
  const fs::path* sink_file = nullptr;
  const std::function<Status(std::string_view)>* sink = nullptr;
  std::uint64_t max_body = kMaxErrorBody;
};

struct S3Client::Response {
  long status = 0;
  std::string body;
  std::string etag;
  std::uint64_t content_length = 0;
};

namespace {

struct Transfer {
  CURL* handle = nullptr;
  // upload
  std::string_view body;
  std::FILE* in = nullptr;
  std::uint64_t in_remaining = 0;
  // download
  std::FILE* out = nullptr;
  const std::function<Status(std::string_view)>* sink = nullptr;
  std::uint64_t* delivered = nullptr;  // bytes the sink has taken, over all attempts
  std::uint64_t range_from = 0;        // this attempt asked for bytes from here on
  bool first_write = true;
  std::uint64_t skip = 0;  // bytes to drop: the server ignored the Range request
  std::optional<Error> sink_error;
  std::string body_text;
  std::uint64_t max_body = 0;
  bool too_large = false;
  bool write_failed = false;
  std::string etag;
};

size_t read_callback(char* buffer, size_t size, size_t count, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  std::size_t want = size * count;
  if (t->in) {
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, t->in_remaining));
    std::size_t got = std::fread(buffer, 1, want, t->in);
    if (got != want) return CURL_READFUNC_ABORT;
    t->in_remaining -= got;
    return got;
  }
  want = std::min(want, t->body.size());
  std::copy_n(t->body.data(), want, buffer);
  t->body.remove_prefix(want);
  return want;
}

size_t write_callback(char* data, size_t size, size_t count, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
  if (t->sink && status >= 200 && status < 300) {
    if (t->first_write) {
      t->first_write = false;
      t->skip = status == 206 ? 0 : t->range_from;
    }
    std::string_view chunk(data, n);
    std::size_t drop = static_cast<std::size_t>(std::min<std::uint64_t>(t->skip, chunk.size()));
    chunk.remove_prefix(drop);
    t->skip -= drop;
    if (chunk.empty()) return n;
    Status taken = (*t->sink)(chunk);
    if (!taken.ok()) {
      t->sink_error = taken.error();
      return 0;
    }
    *t->delivered += chunk.size();
    return n;
  }
  if (t->out && status >= 200 && status < 300) {
    if (std::fwrite(data, 1, n, t->out) != n) {
      t->write_failed = true;
      return 0;
    }
    return n;
  }
  std::uint64_t limit = (status >= 200 && status < 300) ? t->max_body : kMaxErrorBody;
  if (t->body_text.size() + n > limit) {
    t->too_large = true;
    return 0;
  }
  t->body_text.append(data, n);
  return n;
}

size_t header_callback(char* data, size_t size, size_t count, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  constexpr std::string_view name = "etag:";
  if (line.size() > name.size()) {
    std::string lower(line.substr(0, name.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == name) {
      std::string_view value = line.substr(name.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
      t->etag = std::string(value);
    }
  }
  return size * count;
}

bool retryable_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

S3Client::S3Client(S3Config config) : config_(std::move(config)), pool_(std::make_unique<Pool>()) {
  global_init();
  while (!config_.endpoint.empty() && config_.endpoint.back() == '/') config_.endpoint.pop_back();
}

S3Client::~S3Client() = default;

std::string S3Client::url_of(const std::string& key, const std::string& query) const {
  std::string url = config_.endpoint + "/" + config_.bucket;
  if (!key.empty()) url += "/" + uri_encode(key, true);
  if (!query.empty()) url += "?" + query;
  return url;
}

Result<S3Client::Response> S3Client::perform(const Request& request) {
  const std::string subject = "s3://" + config_.bucket + "/" + request.key;
  const std::string url = url_of(request.key, request.query);
  const std::string sigv4 = "aws:amz:" + config_.region + ":s3";
  const std::string userpwd = config_.credentials.access_key_id + ":" + config_.credentials.secret_access_key;
  std::mt19937 jitter(std::random_device{}());
  Error last{ErrorCode::io, subject, "no attempt made"};
  std::string md5_header;
  if (request.method == "PUT") {
    auto md5 = content_md5(request.body, request.body_file, request.body_offset, request.body_size);
    if (!md5.ok()) return md5.error();
    md5_header = "Content-MD5: " + *md5;
  }
  std::uint64_t delivered = 0;

  for (int attempt = 0; attempt <= config_.retries; ++attempt) {
    if (attempt > 0) {
      auto base = config_.first_backoff * (1 << std::min(attempt - 1, 6));
      auto wait = base + std::chrono::milliseconds(jitter() % (base.count() / 2 + 1));
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(wait, std::chrono::seconds(20)));
    }
    Transfer t;
    t.max_body = request.max_body;
    File in, out;
    if (request.body_file) {
      in.reset(std::fopen(request.body_file->c_str(), "rb"));
      if (!in) return make_error(ErrorCode::io, request.body_file->string(), errno_text(errno));
      if (::fseeko(in.get(), static_cast<off_t>(request.body_offset), SEEK_SET) != 0)
        return make_error(ErrorCode::io, request.body_file->string(), errno_text(errno));
      t.in = in.get();
      t.in_remaining = request.body_size;
    } else {
      t.body = request.body;
    }
    if (request.sink_file) {
      out.reset(std::fopen(request.sink_file->c_str(), "wb"));
      if (!out) return make_error(ErrorCode::io, request.sink_file->string(), errno_text(errno));
      t.out = out.get();
    }
    t.sink = request.sink;
    t.delivered = &delivered;
    t.range_from = delivered;
    const std::string range = std::to_string(delivered) + "-";

    CURL* h = pool_->acquire();
    if (!h) return make_error(ErrorCode::io, subject, "libcurl could not start a request");
    t.handle = h;
    curl_slist* headers = nullptr;
    // Signature V4 needs the payload hash; the payload is authenticated by our
    // own encryption, so it is not hashed a second time here.
    headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    headers = curl_slist_append(headers, "Expect:");
    if (!md5_header.empty()) headers = curl_slist_append(headers, md5_header.c_str());
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERPWD, userpwd.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled transfer fails
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config_.stall_timeout.count()));
    if (t.range_from > 0) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_callback);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_callback);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 1024L * 1024);
    if (request.method == "PUT") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, read_callback);
      curl_easy_setopt(h, CURLOPT_READDATA, &t);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(request.body_file ? request.body_size : request.body.size()));
    } else if (request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (request.method == "DELETE") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
    CURLcode code = curl_easy_perform(h);
    Response response;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    curl_off_t length = -1;
    curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    response.content_length = length > 0 ? static_cast<std::uint64_t>(length) : 0;
    curl_slist_free_all(headers);
    pool_->release(h);

    if (t.too_large)
      return make_error(ErrorCode::limit_exceeded, subject,
                        "server answer larger than " + std::to_string(request.max_body) + " bytes");
    if (t.write_failed) return make_error(ErrorCode::io, request.sink_file->string(), errno_text(errno));
    if (t.sink_error) return *t.sink_error;
    if (code != CURLE_OK) {
      last =
          make_error(ErrorCode::io, subject,
                     std::string("network error: ") + curl_easy_strerror(code) + " (" + request.method + ")");
      if (retryable_curl_error(code)) continue;
      return last;
    }
    if (out && std::fflush(out.get()) != 0)
      return make_error(ErrorCode::io, request.sink_file->string(), errno_text(errno));
    response.body = std::move(t.body_text);
    response.etag = std::move(t.etag);
    if (response.status >= 200 && response.status < 300) return response;
    // Resuming after the last byte had already arrived: nothing is left to send.
    if (response.status == 416 && t.range_from > 0) return response;

    std::string summary = parse_error_summary(response.body);
    std::string message = "HTTP " + std::to_string(response.status) + " on " + request.method +
                          (summary.empty() ? "" : " (" + summary + ")");
    if (response.status == 404) return make_error(ErrorCode::not_found, subject, message);
    if (response.status == 401 || response.status == 403)
      return make_error(ErrorCode::permission, subject, message);
    last = make_error(ErrorCode::io, subject, message);
    if (response.status >= 500 || response.status == 429) continue;
    return last;
  }
  last.message += " (after " + std::to_string(config_.retries + 1) + " attempts)";
  return last;
}

Status S3Client::put_bytes(const std::string& key, std::string_view bytes) {
  Request r{"PUT", key, {}, bytes};
  auto response = perform(r);
  if (!response.ok()) return response.error();
  return {};
}

Status S3Client::put_file(const std::string& key, const fs::path& file) {
  std::error_code ec;
  std::uint64_t size = fs::file_size(file, ec);
  if (ec) return make_error(ErrorCode::io, file.string(), ec.message());
  if (size <= config_.multipart_threshold) {
    Request r{"PUT", key};
    r.body_file = &file;
    r.body_size = size;
    auto response = perform(r);
    if (!response.ok()) return response.error();
    return {};
  }
  auto upload_id = create_multipart_upload(key);
  if (!upload_id.ok()) return upload_id.error();
  std::vector<std::string> etags;
  for (std::uint64_t offset = 0; offset < size; offset += config_.part_size) {
    auto etag = upload_part(key, *upload_id, static_cast<int>(etags.size() + 1), file, offset,
                            std::min(config_.part_size, size - offset));
    if (!etag.ok()) {
      (void)abort_multipart_upload(key, *upload_id);  // best effort; the first error is the one to report
      return etag.error();
    }
    etags.push_back(std::move(etag).value());
  }
  Status done = complete_multipart_upload(key, *upload_id, etags);
  if (!done.ok()) (void)abort_multipart_upload(key, *upload_id);
  return done;
}

Result<std::string> S3Client::get_bytes(const std::string& key, std::uint64_t max_bytes) {
  Request r{"GET", key};
  r.max_body = max_bytes;
  auto response = perform(r);
  if (!response.ok()) return response.error();
  return std::move(response->body);
}

Status S3Client::get_to_file(const std::string& key, const fs::path& file) {
  Request r{"GET", key};
  r.sink_file = &file;
  auto response = perform(r);
  if (!response.ok()) return response.error();
  return {};
}

Status S3Client::get_to(const std::string& key, const std::function<Status(std::string_view)>& sink) {
  Request r{"GET", key};
  r.sink = &sink;
  auto response = perform(r);
  if (!response.ok()) return response.error();
  return {};
}

Result<std::optional<ObjectInfo>> S3Client::head(const std::string& key) {
  auto response = perform(Request{"HEAD", key});
  if (!response.ok()) {
    if (response.error().code == ErrorCode::not_found) return std::optional<ObjectInfo>();
    return response.error();
  }
  return std::optional<ObjectInfo>(ObjectInfo{key, response->content_length});
}

Status S3Client::remove(const std::string& key) {
  auto response = perform(Request{"DELETE", key});
  if (!response.ok() && response.error().code != ErrorCode::not_found) return response.error();
  return {};
}

Result<std::vector<ObjectInfo>> S3Client::list(const std::string& prefix) {
  std::vector<ObjectInfo> objects;
  DOSAR_TRY(for_each_object(prefix, [&](const ObjectInfo& o) -> Status {
    objects.push_back(o);
    return {};
  }));
  return objects;
}

Status S3Client::for_each_object(const std::string& prefix,
                                 const std::function<Status(const ObjectInfo&)>& visit) {
  std::string token;
  for (;;) {
    std::string query;
    if (!token.empty()) query += "continuation-token=" + uri_encode(token, false) + "&";
    query += "list-type=2&max-keys=" + std::to_string(config_.list_page_size) +
             "&prefix=" + uri_encode(prefix, false);
    Request r{"GET", "", query};
    r.max_body = S3XmlLimits{}.max_bytes;
    auto response = perform(r);
    if (!response.ok()) return response.error();
    auto page = parse_list_objects_v2(response->body, "s3://" + config_.bucket + "/" + prefix);
    if (!page.ok()) return page.error();
    for (auto& o : page->objects) DOSAR_TRY(visit(ObjectInfo{std::move(o.key), o.size}));
    if (!page->truncated) return {};
    if (page->next_continuation_token == token)
      return make_error(ErrorCode::corrupt, "s3://" + config_.bucket + "/" + prefix,
                        "listing repeats its continuation token");
    token = page->next_continuation_token;
  }
}

Result<std::string> S3Client::create_multipart_upload(const std::string& key) {
  auto response = perform(Request{"POST", key, "uploads="});
  if (!response.ok()) return response.error();
  return parse_upload_id(response->body, "s3://" + config_.bucket + "/" + key);
}

Result<std::string> S3Client::upload_part(const std::string& key, const std::string& upload_id,
                                          int part_number, const fs::path& file, std::uint64_t offset,
                                          std::uint64_t size) {
  Request r{"PUT", key,
            "partNumber=" + std::to_string(part_number) + "&uploadId=" + uri_encode(upload_id, false)};
  r.body_file = &file;
  r.body_offset = offset;
  r.body_size = size;
  auto response = perform(r);
  if (!response.ok()) return response.error();
  if (response->etag.empty())
    return make_error(ErrorCode::corrupt, "s3://" + config_.bucket + "/" + key,
                      "server sent no ETag for part " + std::to_string(part_number));
  return std::move(response->etag);
}

Status S3Client::complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                           const std::vector<std::string>& part_etags) {
  std::string body = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < part_etags.size(); ++i) {
    std::string etag;
    for (char c : part_etags[i]) etag += c == '"' ? std::string("&quot;") : std::string(1, c);
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etag + "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  Request r{"POST", key, "uploadId=" + uri_encode(upload_id, false), body};
  auto response = perform(r);
  if (!response.ok()) return response.error();
  // S3 may answer 200 with an <Error> body when completion fails late.
  if (std::string error = parse_error_summary(response->body); !error.empty())
    return make_error(ErrorCode::io, "s3://" + config_.bucket + "/" + key,
                      "completing the upload failed: " + error);
  return {};
}

Status S3Client::abort_multipart_upload(const std::string& key, const std::string& upload_id) {
  auto response = perform(Request{"DELETE", key, "uploadId=" + uri_encode(upload_id, false)});
  if (!response.ok() && response.error().code != ErrorCode::not_found) return response.error();
  return {};
}

}  // namespace dosar::cloud
