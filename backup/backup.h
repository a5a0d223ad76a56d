// Encrypted, incremental backup of an archive to S3-compatible storage, its
// restore and its verification. This is backup/'s public header; the bucket
// layout and object format are in docs/formats/backup.md.
//
// Guarantees: objects are encrypted and authenticated before they leave the
// machine and named by a keyed hash (nothing readable in a name); a manifest
// is written only after every object it names, so a generation that exists
// is complete; an interrupted backup, run again, uploads only what is
// missing. Two backups must not run against the same prefix at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cloud/s3_client.h"
#include "storage/archive_store.h"

namespace dosar::backup {

// Where the backup lives and how to open it.
struct Remote {
  std::string url;       // s3://BUCKET/PREFIX
  std::string endpoint;  // empty: https://s3.REGION.amazonaws.com
  std::string region = "us-east-1";
  cloud::S3Credentials credentials;
  std::optional<std::filesystem::path> key_file;  // exactly one of key_file and passphrase
  std::optional<std::string> passphrase;
  int jobs = 4;  // objects transferred in parallel
};

struct TransferProgress {
  std::uint64_t bytes_done = 0, bytes_total = 0;
  std::size_t objects_done = 0, objects_total = 0;
};
// Called from worker threads, serialized; keep it cheap.
using ProgressCallback = std::function<void(const TransferProgress&)>;

struct BackupReport {
  std::uint64_t generation = 0;
  std::string created_at;
  std::size_t blobs_total = 0;
  std::size_t blobs_uploaded = 0;
  std::size_t blobs_already_there = 0;
  std::uint64_t bytes_uploaded = 0;  // encrypted bytes sent
  bool catalog_uploaded = false;
  std::vector<std::uint64_t> generations_pruned;
  std::size_t objects_deleted = 0;
};

// Backs up every blob and a snapshot of the catalogue; with `keep`, then
// deletes generations beyond the newest `keep` and the objects no kept
// generation names. Errors: invalid_argument (options), permission (wrong
// key, refused credentials), corrupt (a blob or remote object damaged), io.
Result<BackupReport> run_backup(ArchiveStore& archive, const Remote& remote, std::optional<int> keep,
                                const ProgressCallback& progress);

struct RestoreReport {
  std::uint64_t generation = 0;
  std::string created_at;
  std::size_t blobs_restored = 0;
  std::uint64_t bytes_restored = 0;  // plaintext
};

// Restores generation `at` (default: the newest) into `directory`, which must
// be absent or empty: catalogue, then every blob (rehashed), then the search
// index rebuilt. Errors: conflict (not empty), not_found (no backup or no
// such generation), permission (wrong key), corrupt, io.
Result<RestoreReport> run_restore(const Remote& remote, const std::filesystem::path& directory,
                                  std::optional<std::uint64_t> at, const ProgressCallback& progress);

struct VerifyFinding {
  std::string subject;  // object name, with the blob id where known
  std::string message;
};

struct VerifyReport {
  std::uint64_t generation = 0;
  std::string created_at;
  std::size_t objects_checked = 0;
  std::size_t objects_read = 0;
  std::vector<VerifyFinding> problems;
};

// Checks generation `at` (default: newest): the manifest's HMAC, that every
// object it names exists with its size and, with `read_data`, that each one
// decrypts and hashes to what the manifest says. Problems with objects are
// findings; errors only when the check could not run (wrong key, no backup,
// network).
Result<VerifyReport> run_verify(const Remote& remote, std::optional<std::uint64_t> at, bool read_data,
                                const ProgressCallback& progress);

// `dosar backup keygen`: see write_new_key_file in backup/backup_keys.h.
Status generate_key_file(const std::filesystem::path& file);

}  // namespace dosar::backup
