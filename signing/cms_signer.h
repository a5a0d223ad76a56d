// CAdES detached CMS over a precomputed content digest (internal to signing/).
#pragma once

#include <openssl/evp.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "signing/openssl_util.h"
#include "signing/pades.h"

namespace dosar::signing {

struct SigningKey::Parts {
  PkeyPtr key;
  X509Ptr certificate;
  X509StackPtr chain;  // the other certificates of the PKCS#12, embedded in the CMS
};

const EVP_MD* evp_md(DigestAlgorithm digest);

// DER SignedData, detached, with the signed attributes contentType,
// messageDigest (= content_digest, made with `digest`) and
// signingCertificateV2, and signing-time only when `signing_time` is given
// (CAdES .p7s; PAdES carries the time in /M instead).
// Errors: invalid_argument (OpenSSL refused the key or algorithm).
Result<std::string> make_cades_detached(const SigningKey& key, DigestAlgorithm digest, RsaPadding padding,
                                        std::string_view content_digest,
                                        std::optional<std::time_t> signing_time = std::nullopt);

}  // namespace dosar::signing
