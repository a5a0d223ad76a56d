// A small S3 client over libcurl, signed with libcurl's built-in AWS
// Signature V4. It knows nothing of archives: keys are opaque strings. This
// is cloud/'s public header; the backup (backup/) and, later, an S3 blob-store
// backend use it.
//
// Every call is thread-safe; connections are pooled and kept alive. Requests
// failing with a network error, a 5xx or 429 are retried with exponential
// back-off (S3Config::retries). Every PUT carries the Content-MD5 of its
// body, which S3 (and MinIO, Ceph) check before storing it; s3rver, the
// server of the tests, does not. Errors name the object (bucket/key) and the
// HTTP status with the server's <Error> code and message:
//   not_found   the key (or bucket) does not exist
//   permission  403 (bad credentials, no right)
//   io          network failure or a server error that persisted through the retries
//   corrupt     the server's answer could not be understood
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar::cloud {

// "s3://BUCKET/PREFIX" split; the prefix has no leading slash and, when not
// empty, ends with '/'.
struct S3Location {
  std::string bucket;
  std::string prefix;
};
// Errors: invalid_argument naming `url`.
Result<S3Location> parse_s3_url(const std::string& url);

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};
// From AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Errors: invalid_argument
// naming the missing variable.
Result<S3Credentials> credentials_from_environment();

struct S3Config {
  // "https://s3.eu-central-1.amazonaws.com" or a custom server such as
  // "http://127.0.0.1:9000"; requests use path-style URLs (ENDPOINT/BUCKET/KEY).
  std::string endpoint;
  std::string region = "us-east-1";
  std::string bucket;
  S3Credentials credentials;  // never logged
  int retries = 5;            // attempts after the first
  std::chrono::milliseconds first_backoff{200};
  std::uint64_t multipart_threshold = 64ull << 20;  // put_file above this uses multipart upload
  std::uint64_t part_size = 16ull << 20;            // S3 requires >= 5 MiB except for the last part
  int list_page_size = 1000;                        // keys per ListObjectsV2 request (S3's maximum)
  std::chrono::seconds connect_timeout{15};
  // A transfer that moves no byte for this long fails (and is retried).
  std::chrono::seconds stall_timeout{60};
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  Status put_bytes(const std::string& key, std::string_view bytes);
  // Streams the file; multipart when larger than config().multipart_threshold.
  Status put_file(const std::string& key, const std::filesystem::path& file);
  // The whole object, refused (limit_exceeded) when larger than `max_bytes`.
  Result<std::string> get_bytes(const std::string& key, std::uint64_t max_bytes);
  // Streams the object into `file` (created or truncated).
  Status get_to_file(const std::string& key, const std::filesystem::path& file);
  // Streams the object to `sink` in chunks. A transfer broken after some
  // bytes reached the sink is resumed with a Range request from the next
  // byte, so the sink sees every byte once, in order. Errors: as above, or
  // whatever `sink` returns (which stops the transfer).
  Status get_to(const std::string& key, const std::function<Status(std::string_view)>& sink);
  // nullopt when the key does not exist.
  Result<std::optional<ObjectInfo>> head(const std::string& key);
  // Deleting a missing key succeeds (S3 semantics).
  Status remove(const std::string& key);
  // Every key starting with `prefix`, following continuation tokens.
  Result<std::vector<ObjectInfo>> list(const std::string& prefix);
  // The same, one page in memory at a time; stops at the first error of `visit`.
  Status for_each_object(const std::string& prefix, const std::function<Status(const ObjectInfo&)>& visit);

  // Multipart upload, for objects of up to 10,000 parts.
  Result<std::string> create_multipart_upload(const std::string& key);
  // Sends `size` bytes of `file` from `offset` as part `part_number` (1-based); returns its ETag.
  Result<std::string> upload_part(const std::string& key, const std::string& upload_id, int part_number,
                                  const std::filesystem::path& file, std::uint64_t offset,
                                  std::uint64_t size);
  Status complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                   const std::vector<std::string>& part_etags);
  Status abort_multipart_upload(const std::string& key, const std::string& upload_id);

 private:
  struct Request;
  struct Response;
  struct Pool;
  Result<Response> perform(const Request& request);
  std::string url_of(const std::string& key, const std::string& query) const;

  S3Config config_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace dosar::cloud
