// The revocation data a PAdES B-LT signature embeds (internal to signing/):
// collected at signing time, so that a validator years later needs no network.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "signing/cms_signer.h"

namespace dosar::signing {

struct RevocationData {
  std::vector<std::string> ocsp_responses;  // OCSPResponse, DER
  std::vector<std::string> crls;            // DER
};

// For the signer's certificate: the answer of the OCSP responder its
// Authority Information Access names, else the CRL of its first http(s)
// distribution point, else one of `given_crls` issued by its CA; for each CA
// certificate of the chain (the self-signed root excepted): one of
// `given_crls` issued by its issuer, else its distribution point's CRL. Every
// CRL fetched must be signed by the issuer when the chain holds it.
// `given_crls` are always included.
// Errors: conflict (a certificate is revoked: nobody should sign with it),
// invalid_argument (nothing covers a certificate of the chain: it names no
// responder and no distribution point, and no given CRL is its issuer's), io
// (the responder and the distribution point both unreachable), corrupt
// (a fetched CRL that is not a CRL or not the issuer's).
Result<RevocationData> collect_revocation_data(const SigningKey::Parts& key,
                                               const std::vector<std::string>& given_crls);

// The CRL of `cert`'s first http(s) distribution point, fetched now (30 s,
// at most 64 MiB), from `cert`'s CA and signed by `issuer` when given;
// std::nullopt when `cert` names no distribution point. Errors: io (not
// reachable), corrupt (not a CRL, another CA's, or a bad signature),
// conflict (it lists `cert`: revoked).
Result<std::optional<std::string>> fetch_distribution_point_crl(X509* cert, X509* issuer);

}  // namespace dosar::signing
