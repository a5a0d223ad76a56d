// Files of a BagIt bag (internal to records/): manifests, safe relative
// paths, copying with a hash on the way.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace dosar::records {

inline constexpr const char* kBagFormat = "dosar-bag-v1";
inline constexpr const char* kDocumentFormat = "dosar-bag-document-v1";

// RFC 8493 §2.1.3: a manifest path has CR, LF and % percent-encoded.
std::string encode_manifest_path(const std::string& path);

// A relative path that stays inside the bag: not empty, not absolute, no
// "." or ".." component, no empty component, no backslash or NUL.
bool is_safe_relative_path(std::string_view path);

// SHA-256 (hex) of a file's bytes, read with large sequential reads.
// Errors: not_found, io.
Result<std::string> hash_file(const std::filesystem::path& file);

// Copies `from` into the new file `to` (O_EXCL), returning the SHA-256 of
// the bytes copied. Errors: not_found, conflict (to exists), io.
Result<std::string> copy_hashing(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes `bytes` to the new file `path`. Errors: conflict, io.
Status write_new(const std::filesystem::path& path, std::string_view bytes);

// Reads a whole file of at most `limit` bytes; refuses a symlink or anything
// but a regular file. Errors: not_found, corrupt, limit_exceeded, io.
Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t limit);

}  // namespace dosar::records
