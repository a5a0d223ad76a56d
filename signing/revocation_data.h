// The revocation data a PAdES B-LT signature embeds (internal to signing/):
// collected at signing time, so that a validator years later needs no network.
#pragma once

#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "signing/cms_signer.h"
#include "signing/openssl_util.h"

namespace dosar::signing {

using CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;

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

// Why `crl` is no evidence about the certificates `issuer` issued at the
// validation time `at`; std::nullopt when it is. A CRL counts only when it
// names `issuer` as its issuer, carries `issuer`'s key identifier (when it
// carries an authority key identifier at all), is signed with `issuer`'s
// key, is not out of date at `at` (its nextUpdate after `at`) and was not
// issued in the future (thisUpdate after the clock). A CRL issued after
// `at` still counts: it is newer evidence of what held at `at`. Indirect
// CRLs (another issuer's) are not accepted.
std::optional<std::string> crl_unusable(X509_CRL* crl, X509* issuer, std::time_t at);

// The revocation date `crl` gives for `cert`; std::nullopt when it does not list it.
std::optional<std::time_t> crl_revocation_time(X509_CRL* crl, X509* cert);

// The CRL of `cert`'s first http(s) distribution point, fetched now (30 s,
// at most 64 MiB), from `cert`'s CA, parsed, whether it lists `cert` or not;
// with `issuer` given it must be evidence by crl_unusable at the current
// time. Null when `cert` names no distribution point. Errors: io (not
// reachable), corrupt (not a CRL, another CA's, a bad signature, out of
// date).
Result<CrlPtr> download_distribution_point_crl(X509* cert, X509* issuer);

// download_distribution_point_crl for a signer: the errors, and conflict
// when the CRL lists `cert` (revoked, whatever the date: nobody signs with it).
Result<std::optional<std::string>> fetch_distribution_point_crl(X509* cert, X509* issuer);

}  // namespace dosar::signing
