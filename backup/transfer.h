// Moving one object between the archive (or a file) and the bucket, and
// running many such moves in parallel (internal to backup/).
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include "backup/backup.h"
#include "backup/bucket.h"
#include "base/sha256.h"
#include "storage/blob_store.h"

namespace dosar::backup {

// Encrypts blob `id` (rehashed as it is read: a damaged blob is corrupt, not
// backed up) and uploads it under `key`. Small blobs go through memory, large
// ones through an encrypted temporary file in `staging_dir`, so memory stays
// bounded. Returns the bytes uploaded.
Result<std::uint64_t> upload_blob(cloud::S3Client& s3, const Key& encryption_key, const BlobStore& blobs,
                                  const std::string& id, std::uint64_t size, const std::string& key,
                                  const std::filesystem::path& staging_dir);

// Encrypts the file and uploads it under `key`; returns the bytes uploaded.
Result<std::uint64_t> upload_file(cloud::S3Client& s3, const Key& encryption_key,
                                  const std::filesystem::path& file, const std::string& key,
                                  const std::filesystem::path& staging_dir);

struct Downloaded {
  std::string sha256;  // of the plaintext
  std::uint64_t size = 0;
};
// Downloads `key` into `encrypted_temp`, decrypts it into `plaintext_out`
// (none: discarded) while hashing, and removes `encrypted_temp`. Errors:
// not_found, corrupt (naming `subject`), io.
Result<Downloaded> download_object(cloud::S3Client& s3, const Key& encryption_key, const std::string& key,
                                   const std::filesystem::path& encrypted_temp,
                                   const std::filesystem::path* plaintext_out, const std::string& subject);

// Calls `work(i)` for i in [0, count) on `jobs` threads; stops handing out
// work at the first error, which it returns.
Status for_each_parallel(std::size_t count, int jobs, const std::function<Status(std::size_t)>& work);

// Progress shared by worker threads.
class ProgressTracker {
 public:
  ProgressTracker(const ProgressCallback& callback, std::uint64_t bytes_total, std::size_t objects_total)
      : callback_(callback) {
    progress_.bytes_total = bytes_total;
    progress_.objects_total = objects_total;
  }
  void done(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    progress_.bytes_done += bytes;
    ++progress_.objects_done;
    if (callback_) callback_(progress_);
  }

 private:
  const ProgressCallback& callback_;
  std::mutex mutex_;
  TransferProgress progress_;
};

}  // namespace dosar::backup
