// Content-addressed, immutable blob storage. A blob is named by the SHA-256 of
// its bytes (64 lowercase hex digits); once stored it never changes. Writing
// the same bytes twice stores them once. Two backends: files under a folder
// (open_file_blob_store below) and objects in an S3 bucket
// (storage/s3_blob_store.h); their schemes are in docs/formats/blob-store.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_system.h"
#include "base/result.h"

namespace dosar {

struct BlobInfo {
  std::string id;  // SHA-256, lowercase hex
  std::uint64_t size = 0;
  bool already_present = false;  // the store held these bytes before this put
};

enum class Verify { none, hash };

// A local file holding a blob's bytes (BlobStore::local_file). Never write
// to it. The file stays in place while this object, or a copy of it, lives
// and the store that handed it out is open: a backend that keeps fetched
// copies in a bounded cache does not evict one that is held.
class LocalBlobFile {
 public:
  LocalBlobFile() = default;
  explicit LocalBlobFile(std::filesystem::path path, std::shared_ptr<const void> hold = nullptr)
      : path_(std::move(path)), hold_(std::move(hold)) {}
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::shared_ptr<const void> hold_;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `bytes` durably. Errors: io.
  // Durable means: on the file system, synced; on S3, the PUT was answered
  // 200 (S3 stores an object durably before it answers).
  virtual Result<BlobInfo> put(std::string_view bytes) = 0;

  // Moves a staged file whose SHA-256 the caller computed into the store; the
  // staged file is consumed (renamed or deleted) on success.
  // REQUIRES: `sha256_hex` is the digest of the staged file's bytes.
  // Errors: io.
  virtual Result<BlobInfo> put_staged_file(const std::filesystem::path& staged,
                                           const std::string& sha256_hex) = 0;

  // A staged file and the SHA-256 its writer computed, for put_staged_files.
  struct Staged {
    std::filesystem::path file;
    std::string sha256_hex;
  };

  // put_staged_file for many files at once, with one durability barrier for
  // the whole batch instead of one per file: after it returns, every blob is
  // durable; if it fails, some may be stored (complete and correctly named:
  // contents are made durable before any name appears) and the rest of the
  // staged files are left for the caller to remove. Results in input order.
  // REQUIRES: each `sha256_hex` is the digest of its file's bytes.
  // Errors: invalid_argument, io.
  virtual Result<std::vector<BlobInfo>> put_staged_files(const std::vector<Staged>& files) = 0;

  // A local file holding the blob's bytes, for libraries that read files by
  // name (Poppler, Leptonica): the blob's own file, or (S3) a copy fetched
  // into a bounded cache under the spool and verified against the id before
  // it is handed out. Errors: not_found, corrupt, io.
  virtual Result<LocalBlobFile> local_file(const std::string& id) const = 0;

  // Errors: invalid_argument (not a blob id), io.
  virtual Result<bool> contains(const std::string& id) const = 0;
  virtual Result<std::uint64_t> size(const std::string& id) const = 0;

  // The whole blob. With Verify::hash the bytes are rehashed and a mismatch is
  // returned as corrupt rather than served. Errors: not_found, corrupt, io.
  virtual Result<std::string> read(const std::string& id, Verify verify) const = 0;

  // Streams the blob to `sink` in chunks. With Verify::hash a mismatch is
  // reported as corrupt after the last chunk: callers write to a temporary
  // destination and publish it only on success. Errors: not_found, corrupt, io,
  // or whatever `sink` returns.
  virtual Status read_to(const std::string& id, Verify verify,
                         const std::function<Status(std::string_view)>& sink) const = 0;

  // Rehashes the blob. Errors: not_found, corrupt (naming both digests), io.
  virtual Status verify(const std::string& id) const = 0;

  // Unlinks a blob and syncs its folder; an absent blob is not an error.
  // Only lawful disposal calls this (records/, once the catalogue has
  // recorded the blob as disposed of): nothing else in Dosar deletes content.
  // Errors: invalid_argument (not a blob id), io.
  virtual Status remove_disposed(const std::string& id) = 0;

  // Calls `visit` with every blob id in the store, in no particular order;
  // stops at the first error. Entries that are not well-formed blob names are
  // passed to `stray` (may be null).
  virtual Status for_each(const std::function<Status(const std::string& id)>& visit,
                          const std::function<void(const std::string& path)>& stray) const = 0;
};

// Blobs as files under `root` (ARCHIVE/blobs), staging through `staging_dir`
// (ARCHIVE/spool), which must be on the same file system.
std::unique_ptr<BlobStore> open_file_blob_store(const std::filesystem::path& root,
                                                const std::filesystem::path& staging_dir,
                                                FileSystem& file_system = real_file_system());

// Unique name for a staged file in `staging_dir`, tagged with this process id
// so that a later run can tell abandoned staging files from live ones.
std::filesystem::path new_staging_path(const std::filesystem::path& staging_dir);
// Removes staged files (and folders made at a staging path) left by
// processes that no longer run; returns how many.
std::size_t remove_abandoned_staging_files(const std::filesystem::path& staging_dir);

}  // namespace dosar
