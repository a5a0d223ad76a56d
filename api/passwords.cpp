#include "api/passwords.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <vector>

#include "base/sha256.h"

namespace dosar::api {
namespace {

// 2^15 × 8 × 128 bytes = 32 MiB per hash, about 0.1 s on one core.
constexpr int kLog2N = 15;
constexpr std::uint64_t kR = 8;
constexpr std::uint64_t kP = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMaxPasswordBytes = 1024;

std::string_view as_text(const std::vector<unsigned char>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool unhex(const std::string& text, std::vector<unsigned char>& out) {
  if (text.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    if (std::sscanf(text.c_str() + i, "%2x", &value) != 1) return false;
    out.push_back(static_cast<unsigned char>(value));
  }
  return true;
}

bool derive(const std::string& password, const std::vector<unsigned char>& salt, int log2n, std::uint64_t r,
            std::uint64_t p, std::vector<unsigned char>& out) {
  if (log2n < 10 || log2n > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  std::uint64_t n = std::uint64_t{1} << log2n;
  std::uint64_t max_mem = 130 * r * n * 2 + (1u << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n, r, p, max_mem,
                        out.data(), out.size()) == 1;
}

}  // namespace

Result<std::string> hash_password(const std::string& password) {
  if (password.size() < kMinPasswordLength)
    return make_error(ErrorCode::invalid_argument, "password",
                      "must have at least " + std::to_string(kMinPasswordLength) + " characters");
  if (password.size() > kMaxPasswordBytes)
    return make_error(ErrorCode::invalid_argument, "password", "is longer than 1024 bytes");
  std::vector<unsigned char> salt(kSaltBytes), hash(kHashBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1 ||
      !derive(password, salt, kLog2N, kR, kP, hash))
    return make_error(ErrorCode::io, "password", "OpenSSL could not compute the scrypt hash");
  return "scrypt:" + std::to_string(kLog2N) + ":" + std::to_string(kR) + ":" + std::to_string(kP) + ":" +
         to_hex(as_text(salt)) + ":" + to_hex(as_text(hash));
}

bool password_matches(const std::string& password, const std::string& stored) {
  if (password.size() > kMaxPasswordBytes) return false;
  int log2n = 0;
  unsigned long long r = 0, p = 0;
  char salt_hex[129] = {}, hash_hex[129] = {};
  if (std::sscanf(stored.c_str(), "scrypt:%d:%llu:%llu:%128[0-9a-f]:%128[0-9a-f]", &log2n, &r, &p, salt_hex,
                  hash_hex) != 5)
    return false;
  std::vector<unsigned char> salt, expected;
  if (!unhex(salt_hex, salt) || !unhex(hash_hex, expected) || expected.empty()) return false;
  std::vector<unsigned char> actual(expected.size());
  if (!derive(password, salt, log2n, r, p, actual)) return false;
  return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace dosar::api
