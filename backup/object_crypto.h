// The encrypted object format (internal to backup/; docs/formats/backup.md):
//
//   header  "DOSARBK" 0x01 | chunk size (u32 big-endian) | 4 zero bytes    16 bytes
//   chunk*  nonce (12 random bytes) | AES-256-GCM ciphertext | tag (16)
//
// Every chunk holds `chunk size` plaintext bytes except the last, which holds
// fewer (possibly none), so a reader knows the final chunk by its length. The
// associated data of chunk i is header || i (u64 big-endian) || final (1 byte):
// a chunk moved, dropped, duplicated or cut off fails authentication, and
// so does a stream cut at a chunk boundary (no final chunk).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "backup/backup_keys.h"
#include "base/result.h"

namespace dosar::backup {

inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::size_t kChunkOverhead = 12 + 16;
inline constexpr std::uint32_t kDefaultChunkSize = 1u << 20;
inline constexpr std::uint32_t kMaxChunkSize = 16u << 20;

// Size of the encrypted object of `plaintext_size` bytes.
std::uint64_t encrypted_size(std::uint64_t plaintext_size, std::uint32_t chunk_size = kDefaultChunkSize);

using Sink = std::function<Status(std::string_view)>;

// Encrypts a stream; feed it any pieces, then finish(). Not thread-safe.
class ObjectEncryptor {
 public:
  ObjectEncryptor(const Key& key, Sink sink, std::uint32_t chunk_size = kDefaultChunkSize);
  ~ObjectEncryptor();
  Status update(std::string_view plaintext);
  Status finish();

 private:
  Status seal(bool final);
  struct Cipher;
  std::unique_ptr<Cipher> cipher_;
  Sink sink_;
  std::uint32_t chunk_size_;
  std::string header_;
  std::string pending_;
  std::string sealed_;
  std::uint64_t index_ = 0;
  bool started_ = false;
};

// Decrypts a stream; plaintext reaches the sink only once its chunk is
// authenticated. Errors name `subject`: corrupt (bad header, failed
// authentication, truncation, trailing bytes), and the sink's own.
// A wrong key shows as an authentication failure of the first chunk.
class ObjectDecryptor {
 public:
  ObjectDecryptor(const Key& key, Sink sink, std::string subject);
  ~ObjectDecryptor();
  Status update(std::string_view ciphertext);
  Status finish();

 private:
  Status open(std::string_view record, bool final);
  struct Cipher;
  std::unique_ptr<Cipher> cipher_;
  Sink sink_;
  std::string subject_;
  std::string header_;
  std::uint32_t chunk_size_ = 0;
  std::string buffer_;
  std::string opened_;
  std::uint64_t index_ = 0;
};

std::string encrypt_bytes(const Key& key, std::string_view plaintext);
// Errors: corrupt naming `subject`.
Result<std::string> decrypt_bytes(const Key& key, std::string_view ciphertext, const std::string& subject);

}  // namespace dosar::backup
