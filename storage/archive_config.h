// ARCHIVE/config.json: settings of one archive that are not records (today
// the backup's S3 credentials; the backends of a scaled-out installation
// later). Optional: an archive without it uses the defaults. Format in
// docs/formats/archive-config.md.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

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

// Sets the top-level string `key` of ARCHIVE/config.json, keeping every
// other key; the file is created with mode 600 when absent, written beside
// and renamed over, and synced. Errors: those of read_archive_config, io.
Status set_archive_config_value(const std::filesystem::path& archive_root, const std::string& key,
                                const std::string& value);

}  // namespace dosar
