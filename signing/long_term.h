// Long-term validation data and document timestamps (internal to signing/):
// shared by sign_pdf (B-LT, B-LTA) and extend_lta (B-LTA renewal).
#pragma once

#include <openssl/evp.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "signing/pades.h"
#include "signing/pdf_update.h"

namespace dosar::signing {

// The digest of what the /ByteRange of `prepared` covers: everything but /Contents.
std::string range_digest(const EVP_MD* md, const PreparedPdf& prepared);

// Adds to `dss` the certificates of the TSA that signed `token` (an RFC 3161
// token, DER) and the revocation data of its chain, by the signer's rule
// (collect_revocation_data, with `given_crls`), so that the timestamp too
// can be validated without the network. Errors: conflict (a certificate of
// the TSA's chain is revoked: its time proves nothing), invalid_argument
// (nothing covers a certificate of the TSA's chain), io, corrupt; each
// names the TSA.
Status add_timestamp_validation_data(const std::string& token, const std::vector<std::string>& given_crls,
                                     DssContent& dss);

// Appends a document timestamp (PAdES B-LTA) from `options.tsa_url` with
// `options.digest`, over everything before it. Errors: those of
// prepare_signature_update, io/corrupt (TSA), limit_exceeded.
Result<std::string> add_document_timestamp(const std::string& pdf, const SignOptions& options);

}  // namespace dosar::signing
