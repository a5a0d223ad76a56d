// Citizen access codes: random, unrelated to the registration number, shown
// once (on the receipt) and stored only as a salted SHA-256.
#pragma once

#include <string>

#include "base/result.h"
#include "storage/registry_store.h"

namespace dosar::workflow {

// Unambiguous alphabet: no 0/O, 1/I/L. 31 letters, 10 characters: ~49 bits.
inline constexpr const char kAccessCodeAlphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
inline constexpr std::size_t kAccessCodeLength = 10;

// A fresh code from OpenSSL's RAND_bytes (rejection sampling, no modulo bias).
// Errors: io (the random generator failed).
Result<std::string> new_access_code();
// Upper-cases and drops spaces and dashes, as people retype codes.
std::string normalize_access_code(const std::string& typed);
// A fresh random salt and SHA-256(salt ":" code). Errors: io.
Result<AccessSecret> protect_access_code(const std::string& code);
// Compares in constant time (CRYPTO_memcmp) against the stored hash.
bool access_code_matches(const std::string& code, const AccessSecret& secret);

}  // namespace dosar::workflow
