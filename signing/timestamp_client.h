// RFC 3161 signature timestamps (internal to signing/).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "signing/cms_signer.h"
#include "signing/pades.h"

namespace dosar::signing {

// Asks the TSA at `tsa_url` for a token over `imprint` (a `digest` digest)
// and returns the token (a CMS SignedData, DER). Errors: as below.
Result<std::string> request_timestamp_token(std::string_view imprint, const std::string& tsa_url,
                                            DigestAlgorithm digest);

// Asks the TSA at `tsa_url` (HTTP POST, application/timestamp-query) for a
// token over the CMS's signature value and adds it to the signer as the
// unsigned attribute id-aa-signatureTimeStampToken; returns the new DER.
// Errors: io (TSA unreachable or HTTP error), corrupt (an answer that is not
// a granted TimeStampResp for our request).
// `token` (may be null) receives the token added.
Result<std::string> add_signature_timestamp(std::string_view cms_der, const std::string& tsa_url,
                                            DigestAlgorithm digest, std::string* token = nullptr);

// The certificate that signed a timestamp token (DER, as
// request_timestamp_token returns it) and, as its chain, the other
// certificates the token carries; no key. Errors: corrupt (not a token, or
// its signer's certificate is not in it).
Result<SigningKey::Parts> timestamp_signer(std::string_view token_der);

}  // namespace dosar::signing
