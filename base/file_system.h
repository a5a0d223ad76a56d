// The file-system operations whose failure decides durability, behind an
// interface so that tests can wrap the real implementation and fail the Nth
// write, sync or rename (fault injection, not a mock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "base/result.h"

namespace dosar {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates `path` (which must not exist) holding `bytes`; not yet synced.
  virtual Status write_new_file(const std::filesystem::path& path, std::string_view bytes) = 0;
  // Flushes the file's data and metadata to stable storage (fsync).
  virtual Status sync_file(const std::filesystem::path& path) = 0;
  // Flushes a directory's entries, making renames and creations in it durable.
  virtual Status sync_dir(const std::filesystem::path& path) = 0;
  // Renames `from` to `to` unless `to` exists; returns conflict when it does.
  virtual Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // Creates the directory and its missing parents, syncing each parent that gained an entry.
  virtual Status make_dirs(const std::filesystem::path& path) = 0;
  // The same without syncing: the caller makes them durable with a later
  // sync_file_system (one barrier for a batch of new folders).
  virtual Status make_dirs_unsynced(const std::filesystem::path& path) = 0;
  // Flushes everything written to the file system holding `path` (syncfs):
  // one barrier for many files, instead of one fsync each.
  virtual Status sync_file_system(const std::filesystem::path& path) = 0;
};

FileSystem& real_file_system();

// errno as a sentence, e.g. "No such file or directory".
std::string errno_text(int error_number);

// The bytes of a file, or of the regular files under a directory; what
// cannot be read counts for nothing (a size to report, not to trust).
std::uint64_t bytes_on_disk(const std::filesystem::path& path);

}  // namespace dosar
