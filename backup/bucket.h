// The backup as seen in its bucket (internal to backup/): the config object,
// named data objects and numbered manifests under one prefix
// (docs/formats/backup.md, "Layout").
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backup/backup.h"
#include "backup/backup_keys.h"
#include "backup/manifest.h"
#include "cloud/s3_client.h"

namespace dosar::backup {

enum class OpenBucket { existing, create_if_absent };

class BackupBucket {
 public:
  // Connects, reads (or, when allowed and absent, writes) the config object
  // and checks the key against it. Errors: invalid_argument (options, a key
  // source the backup was not made with), not_found (no backup there),
  // permission (wrong key), corrupt, io.
  static Result<std::unique_ptr<BackupBucket>> open(const Remote& remote, OpenBucket mode);

  cloud::S3Client& s3() { return *s3_; }
  const BackupKeys& keys() const { return keys_; }
  std::string url() const { return "s3://" + s3_->config().bucket + "/" + prefix_; }

  // Object name of content with this SHA-256 (hex).
  std::string object_name(const std::string& sha256_hex) const;
  std::string data_key(const std::string& object_name) const { return prefix_ + "data/" + object_name; }
  // Data objects present: name -> stored size.
  Result<std::map<std::string, std::uint64_t>> list_data();
  // Generations present, ascending.
  Result<std::vector<std::uint64_t>> list_generations();
  // The newest generation when `at` is empty. Errors: not_found.
  Result<std::uint64_t> pick_generation(std::optional<std::uint64_t> at);

  Result<Manifest> read_manifest(std::uint64_t generation);
  Status write_manifest(const Manifest& manifest);
  Status delete_manifest(std::uint64_t generation);

 private:
  BackupBucket(std::unique_ptr<cloud::S3Client> s3, std::string prefix)
      : s3_(std::move(s3)), prefix_(std::move(prefix)) {}
  std::string manifest_key(std::uint64_t generation) const;

  std::unique_ptr<cloud::S3Client> s3_;
  std::string prefix_;
  BackupKeys keys_{};
};

}  // namespace dosar::backup
