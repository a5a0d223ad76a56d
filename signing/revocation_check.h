// Revocation status of a validated chain at a validation time (internal to
// signing/), from the evidence the validator has: CRLs of the trust folder
// and of the document, OCSP answers in the document, and, when allowed,
// the responder and the distribution point asked now.
#pragma once

#include <openssl/x509.h>

#include <ctime>
#include <optional>
#include <string>

#include "signing/cms_verifier.h"

namespace dosar::signing {

// Whose chain is judged, for the messages: "signer's" or "TSA's".
struct ChainOwner {
  std::string whose = "signer's";
};

// Judges every certificate of `chain` (leaf first, as X509_verify_cert
// built it; the anchor is not judged) at `at`. A CRL counts only when
// crl_unusable accepts it for the certificate's issuer in `chain`; a
// certificate listed with a revocation date after `at` was still good at
// `at`. A revocation shown by a CRL at hand settles it. Then, for the leaf
// always and for a CA that no CRL at hand covers: the embedded OCSP answers
// about it, then (trust.online) the responder and the distribution point it
// names (that CRL judged as those at hand). The leaf's status must be known
// (ETSI EN 319 102-1): with no evidence about it and nothing to ask, it is
// TRY_LATER, saying what to do (issue 5). A CA with no evidence and nothing
// to ask is not checked (the trust folder decides what is known).
// Costs, online: an OCSP request and a CRL download per certificate judged
// so. Returns the failing verdict: REVOKED_NO_POE / REVOKED_CA_NO_POE
// naming the date, or TRY_LATER naming why the evidence there is does not
// count or that there is none (a revocation shown anywhere in the chain
// outweighs it); std::nullopt when the leaf is shown good and nothing shows
// a revocation at `at`.
std::optional<CmsVerdict> check_revocation(STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
                                           const TrustStore& trust, std::time_t at,
                                           const EmbeddedValidationData& embedded, const ChainOwner& owner);

}  // namespace dosar::signing
