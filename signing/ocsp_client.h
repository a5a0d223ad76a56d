// Online revocation checks by OCSP (RFC 6960), internal to signing/.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>

namespace dosar::signing {

struct OcspAnswer {
  enum class Status { good, revoked, unavailable } status = Status::unavailable;
  std::string detail;  // why unavailable, or the revocation time
};

// Asks the first OCSP responder named in `cert`'s Authority Information
// Access about `cert` (issued by `issuer`); the answer must carry our nonce,
// be signed by a responder `store` trusts for it (the CA or its delegated
// OCSP signer among `untrusted`), and be current. std::nullopt when the
// certificate names no OCSP responder.
std::optional<OcspAnswer> ask_ocsp(X509* cert, X509* issuer, STACK_OF(X509) * untrusted, X509_STORE* store);

}  // namespace dosar::signing
