// Password hashing for local accounts: scrypt (memory-hard) through OpenSSL.
// The stored form names its parameters, so stronger ones can come later
// without invalidating existing hashes.
#pragma once

#include <string>

#include "base/result.h"

namespace dosar::api {

// "scrypt:LOG2N:R:P:SALT_HEX:HASH_HEX" with a fresh random salt.
// Errors: invalid_argument (empty or too long password), io (OpenSSL failed).
Result<std::string> hash_password(const std::string& password);

// Constant-time comparison against a stored form; false also for a stored
// form this build cannot read.
bool password_matches(const std::string& password, const std::string& stored);

// Passwords shorter than this are refused when set.
inline constexpr std::size_t kMinPasswordLength = 10;

}  // namespace dosar::api
