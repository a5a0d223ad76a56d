// SHA-256 digests (OpenSSL EVP), the names of blobs and the links of the
// audit chain.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace dosar {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Incremental hasher. Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  void update(const void* data, std::size_t size);
  // Ends the stream; the hasher must not be updated afterwards.
  Sha256Digest finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

Sha256Digest sha256(std::string_view bytes);
std::string to_hex(const Sha256Digest& digest);
// Lower-case hexadecimal of any bytes.
std::string to_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
// True when text is 64 lowercase hexadecimal characters.
bool is_sha256_hex(std::string_view text);

}  // namespace dosar
