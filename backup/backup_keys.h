// The keys of a backup (internal to backup/; docs/formats/backup.md). One
// 32-byte master key, from a key file or from a passphrase through scrypt,
// gives four independent sub-keys (HKDF-SHA256), so that the key naming
// objects reveals nothing about the key encrypting them.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace dosar::backup {

using Key = std::array<std::uint8_t, 32>;

struct BackupKeys {
  Key encryption;  // AES-256-GCM of every object
  Key naming;      // HMAC-SHA256 of a blob id -> object name
  Key manifest;    // HMAC-SHA256 of a manifest's body
  Key check;       // HMAC of a fixed text kept in the bucket, to tell a wrong key at once
};

BackupKeys derive_keys(const Key& master);

// Writes 32 random bytes to a new file readable only by its owner (0600);
// refuses an existing file (conflict). Errors: conflict, io.
Status write_new_key_file(const std::filesystem::path& file);
// Errors: not_found, invalid_argument (not exactly 32 bytes), permission
// (readable by others), io.
Result<Key> read_key_file(const std::filesystem::path& file);

struct ScryptParams {
  std::uint64_t n = 1u << 15;
  std::uint64_t r = 8;
  std::uint64_t p = 1;
};
// Errors: invalid_argument (empty passphrase, parameters out of range).
Result<Key> key_from_passphrase(std::string_view passphrase, std::string_view salt,
                                const ScryptParams& params);

std::string random_bytes(std::size_t count);
// HMAC-SHA256 of `message` under `key`, lowercase hex.
std::string hmac_hex(const Key& key, std::string_view message);
// Compares in time independent of where the strings differ.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace dosar::backup
