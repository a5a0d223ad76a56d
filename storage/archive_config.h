// ARCHIVE/config.json: settings of one archive that are not records (the
// backup's S3 credentials, where the blobs live). Optional: an archive
// without it uses the defaults. Format in docs/formats/archive-config.md.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace dosar {

class ArchiveConfig {
 public:
  // The string at a dotted path ("backup.access_key_id"), if set.
  std::optional<std::string> get(const std::string& dotted_path) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  friend Result<ArchiveConfig> read_archive_config(const std::filesystem::path& archive_root);

  // Sets the top-level string `key` of ARCHIVE/config.json, keeping every
  // other key; the file is created with mode 600 when absent, written beside
  // and renamed over, and synced. Errors: those of read_archive_config, io.
  Status set_archive_config_value(const std::filesystem::path& archive_root, const std::string& key,
                                  const std::string& value);
  std::filesystem::path file_;
  std::map<std::string, std::string> values_;  // flattened: "backup.access_key_id" -> "…"
};

// Reads ARCHIVE/config.json; an absent file is an empty configuration.
// Because it may hold secrets, a file that users other than its owner may
// read or write is refused, as ssh refuses such keys. Errors: corrupt (not a
// JSON object of objects and strings), permission (mode), io.
Result<ArchiveConfig> read_archive_config(const std::filesystem::path& archive_root);

// Writes ARCHIVE/config.json (mode 0600, synced) from dotted paths and string
// values, for `dosar init`. Errors: conflict (it exists), io.
Status write_new_archive_config(const std::filesystem::path& archive_root,
                                const std::vector<std::pair<std::string, std::string>>& values);

// Where an archive keeps its blobs (issue 13): `file:DIR` (default:
// ARCHIVE/blobs) or `s3://BUCKET/PREFIX` at an S3 endpoint. Set once by
// `dosar init --blobs … --s3-endpoint …`, kept in config.json as `blobs`
// and `blobs_s3.endpoint` (+ `blobs_s3.region`).
struct BlobsSetting {
  enum class Kind { file, s3 } kind = Kind::file;
  std::filesystem::path dir;  // file: absolute; empty for ARCHIVE/blobs
  std::string s3_url;         // s3: "s3://BUCKET/PREFIX"
  std::string s3_endpoint;    // s3: "https://host" or "http://127.0.0.1:9000"
  std::string s3_region = "us-east-1";
  bool operator==(const BlobsSetting&) const = default;
};

// From --blobs and --s3-endpoint (an empty endpoint: not given); a relative
// DIR is made absolute. Errors: invalid_argument naming the option.
Result<BlobsSetting> parse_blobs_setting(const std::string& location, const std::string& s3_endpoint);
// From the keys of config.json; the default without them. Errors: corrupt
// naming the file and the key.
Result<BlobsSetting> blobs_setting(const ArchiveConfig& config);
// The config.json keys that record `setting` (none for the default).
std::vector<std::pair<std::string, std::string>> blobs_config_values(const BlobsSetting& setting);
// "file:DIR", "s3://BUCKET/PREFIX at ENDPOINT", or "ARCHIVE/blobs".
std::string describe(const BlobsSetting& setting);

// Sets the top-level string `key` of ARCHIVE/config.json, keeping every
// other key; the file is created with mode 600 when absent, written beside
// and renamed over, and synced. Errors: those of read_archive_config, io.
Status set_archive_config_value(const std::filesystem::path& archive_root, const std::string& key,
                                const std::string& value);

}  // namespace dosar
