#include "workflow/access_code.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>

#include "base/sha256.h"

namespace dosar::workflow {
namespace {

Error random_failed() {
  return make_error(ErrorCode::io, "access code", "the random number generator (RAND_bytes) failed");
}

std::string salted_hash(const std::string& salt, const std::string& code) {
  return sha256_hex(salt + ":" + code);
}

}  // namespace

Result<std::string> new_access_code() {
  constexpr unsigned alphabet_size = sizeof kAccessCodeAlphabet - 1;
  // Bytes at or above the largest multiple of the alphabet size are thrown
  // away, so that every letter is equally likely.
  constexpr unsigned limit = 256 - 256 % alphabet_size;
  std::string code;
  while (code.size() < kAccessCodeLength) {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return random_failed();
    for (unsigned char b : bytes)
      if (b < limit && code.size() < kAccessCodeLength) code += kAccessCodeAlphabet[b % alphabet_size];
  }
  return code;
}

std::string normalize_access_code(const std::string& typed) {
  std::string out;
  for (unsigned char ch : typed) {
    if (ch == ' ' || ch == '-' || ch == '\t') continue;
    out += static_cast<char>(std::toupper(ch));
  }
  return out;
}

Result<AccessSecret> protect_access_code(const std::string& code) {
  std::array<unsigned char, 16> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return random_failed();
  static const char hex[] = "0123456789abcdef";
  std::string salt_hex;
  for (unsigned char b : salt) {
    salt_hex += hex[b >> 4];
    salt_hex += hex[b & 15];
  }
  return AccessSecret{salt_hex, salted_hash(salt_hex, code)};
}

bool access_code_matches(const std::string& code, const AccessSecret& secret) {
  std::string actual = salted_hash(secret.salt, normalize_access_code(code));
  if (actual.size() != secret.hash.size()) return false;
  return CRYPTO_memcmp(actual.data(), secret.hash.data(), actual.size()) == 0;
}

}  // namespace dosar::workflow
