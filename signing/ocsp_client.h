// Revocation checks by OCSP (RFC 6960), internal to signing/: asking a
// responder online, and judging an answer kept in a document's DSS.
#pragma once

#include <openssl/x509.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace dosar::signing {

struct OcspAnswer {
  enum class Status { good, revoked, unavailable } status = Status::unavailable;
  std::string detail;          // why unavailable, or the revocation time
  std::string response_der;    // the whole OCSPResponse, when one was received
  std::time_t revoked_at = 0;  // when revoked: the revocation time the responder gives
};

// Asks the first OCSP responder named in `cert`'s Authority Information
// Access about `cert` (issued by `issuer`); the answer must carry our nonce,
// be signed by a responder `store` trusts for it (the CA or its delegated
// OCSP signer among `untrusted`), and be current. With `store` null the
// responder's signature is checked but not its chain: the signer's use, who
// embeds the answer for validators that hold the trust anchors. std::nullopt
// when the certificate names no OCSP responder.
std::optional<OcspAnswer> ask_ocsp(X509* cert, X509* issuer, STACK_OF(X509) * untrusted, X509_STORE* store);

// Judges a stored OCSPResponse about `cert` (issued by `issuer`) at the
// validation time `at`: signed by a responder `store` trusts for it, and not
// out of date at `at` (its nextUpdate, when it has one, after `at`, as for a
// CRL); no nonce and no freshness now required (it was current when the
// signer collected it). std::nullopt when the answer is not about `cert`;
// unavailable when it cannot be read or trusted, or is out of date at `at`.
std::optional<OcspAnswer> judge_stored_ocsp(std::string_view response_der, X509* cert, X509* issuer,
                                            STACK_OF(X509) * untrusted, X509_STORE* store, std::time_t at);

}  // namespace dosar::signing
