// Revocation evidence a signer embedded inside the CMS itself (internal to
// signing/): Adobe Acrobat and other pre-PAdES-LT signers carry it in the
// signed attribute adbe-revocationInfoArchival, some in SignedData.crls.
#pragma once

#include <openssl/cms.h>

#include "signing/cms_verifier.h"

namespace dosar::signing {

// `embedded` (the document's DSS data) with the CRLs of SignedData.crls and
// the CRLs and OCSP responses of `si`'s signed attribute
// adbe-revocationInfoArchival (OID 1.2.840.113583.1.1.8: SEQUENCE { crl [0]
// EXPLICIT SEQUENCE OF CRL OPTIONAL, ocsp [1] EXPLICIT SEQUENCE OF
// OCSPResponse OPTIONAL, otherRevInfo [2] ... OPTIONAL }) appended, DER.
// Nothing is judged here: each item counts only as check_revocation accepts
// DSS data (a CRL signed by its issuer and current at the validation time, an
// OCSP answer signed by a responder the trust store accepts). An attribute
// that cannot be read adds nothing; otherRevInfo and RFC 5940 "other"
// revocation choices of SignedData.crls are not read.
EmbeddedValidationData with_cms_revocation_info(CMS_ContentInfo* cms, CMS_SignerInfo* si,
                                                EmbeddedValidationData embedded);

}  // namespace dosar::signing
