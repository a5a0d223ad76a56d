// CRLs made by the tests with OpenSSL's API, for what `openssl ca -gencrl`
// cannot make: a CRL whose nextUpdate is already past, or one that names a
// CA it was not signed by (forged). Aborts the test (assert) on bad input.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dosar::testing {

struct CrlSpec {
  std::filesystem::path issuer_certificate;  // PEM: its subject becomes the CRL's issuer name
  std::filesystem::path signing_key;         // PEM private key; another CA's key makes a forged CRL
  std::chrono::system_clock::time_point this_update;
  std::chrono::system_clock::time_point next_update;
  std::vector<std::filesystem::path> revoked;  // PEM certificates listed, revoked at this_update
  // When set, the revocation date of the certificates listed instead of this_update.
  std::optional<std::chrono::system_clock::time_point> revocation_date = std::nullopt;
};

// The CRL, DER.
std::string make_crl(const CrlSpec& spec);

}  // namespace dosar::testing
