#include "signing/cms_signer.h"

#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace dosar::signing {

namespace {

// The first subject attribute `nid` as UTF-8, if any.
std::optional<std::string> subject_entry(X509* cert, int nid) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, nid, -1);
  if (index < 0) return std::nullopt;
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return std::nullopt;
  std::string value(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return value;
}

}  // namespace

std::string certificate_organization(X509* cert) {
  if (auto o = subject_entry(cert, NID_organizationName)) return *o;
  return subject_entry(cert, NID_organizationIdentifier).value_or("");
}

std::string certificate_name(X509* cert) {
  if (auto cn = subject_entry(cert, NID_commonName)) return *cn;
  X509_NAME* subject = X509_get_subject_name(cert);
  char* line = X509_NAME_oneline(subject, nullptr, 0);
  std::string name = line ? line : "";
  OPENSSL_free(line);
  return name;
}

std::string digest_bytes(const EVP_MD* md, std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &length, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), length);
}

const EVP_MD* evp_md(DigestAlgorithm digest) {
  switch (digest) {
    case DigestAlgorithm::sha256:
      return EVP_sha256();
    case DigestAlgorithm::sha384:
      return EVP_sha384();
    case DigestAlgorithm::sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

Result<DigestAlgorithm> parse_digest_algorithm(std::string_view name) {
  if (name == "sha256") return DigestAlgorithm::sha256;
  if (name == "sha384") return DigestAlgorithm::sha384;
  if (name == "sha512") return DigestAlgorithm::sha512;
  return make_error(ErrorCode::invalid_argument, std::string(name),
                    "is not a digest (sha256, sha384 or sha512)");
}

Result<PadesLevel> parse_pades_level(std::string_view name) {
  if (name == "B-B") return PadesLevel::b_b;
  if (name == "B-T") return PadesLevel::b_t;
  if (name == "B-LT") return PadesLevel::b_lt;
  if (name == "B-LTA") return PadesLevel::b_lta;
  return make_error(ErrorCode::invalid_argument, std::string(name),
                    "is not a supported level (B-B, B-T, B-LT, B-LTA)");
}

SigningKey::SigningKey(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

std::string SigningKey::signer_name() const {
  return certificate_name(parts_->certificate.get());
}

std::string SigningKey::organization() const {
  return certificate_organization(parts_->certificate.get());
}

Result<SigningKey> SigningKey::from_pkcs12(const std::filesystem::path& file, const std::string& password) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::not_found, file.string(), "cannot be opened");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  PKCS12* p12 = d2i_PKCS12(nullptr, &data, static_cast<long>(bytes.size()));
  if (!p12) {
    ERR_clear_error();
    return make_error(ErrorCode::unsupported, file.string(), "is not a PKCS#12 file");
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  const int parsed = PKCS12_parse(p12, password.c_str(), &key, &cert, &chain);
  PKCS12_free(p12);
  auto parts = std::make_unique<Parts>();
  parts->key.reset(key);
  parts->certificate.reset(cert);
  parts->chain.reset(chain ? chain : sk_X509_new_null());
  if (!parsed) {
    ERR_clear_error();
    return make_error(ErrorCode::permission, file.string(), "cannot be opened with this password");
  }
  if (!key || !cert)
    return make_error(ErrorCode::unsupported, file.string(), "holds no private key with its certificate");
  const int type = EVP_PKEY_get_base_id(key);
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
    return make_error(ErrorCode::unsupported, file.string(), "holds a key that is neither RSA nor EC");
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::unsupported, file.string(),
                      "holds a certificate that does not match its key");
  }
  return SigningKey(std::move(parts));
}

namespace {

using AlgorPtr = std::unique_ptr<X509_ALGOR, OpenSslDeleter<X509_ALGOR_free>>;

std::string der_of(X509_ALGOR* algor) {
  unsigned char* out = nullptr;
  int length = i2d_X509_ALGOR(algor, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(std::max(length, 0)));
  OPENSSL_free(out);
  return der;
}

// RSASSA-PSS parameters as RFC 4055 writes them: hash, MGF1 with the same
// hash, salt as long as the hash. OpenSSL sets these only when it signs
// itself, which we cannot let it do (it would add signing-time).
bool set_pss_algorithm(X509_ALGOR* signature_algorithm, const EVP_MD* md) {
  RSA_PSS_PARAMS* params = RSA_PSS_PARAMS_new();
  if (!params) return false;
  params->hashAlgorithm = X509_ALGOR_new();
  X509_ALGOR_set_md(params->hashAlgorithm, md);
  AlgorPtr hash(X509_ALGOR_new());
  X509_ALGOR_set_md(hash.get(), md);
  const std::string hash_der = der_of(hash.get());
  ASN1_STRING* mgf_param = ASN1_STRING_new();
  ASN1_STRING_set(mgf_param, hash_der.data(), static_cast<int>(hash_der.size()));
  params->maskGenAlgorithm = X509_ALGOR_new();
  X509_ALGOR_set0(params->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE, mgf_param);
  params->saltLength = ASN1_INTEGER_new();
  ASN1_INTEGER_set(params->saltLength, EVP_MD_get_size(md));
  unsigned char* der = nullptr;
  int length = i2d_RSA_PSS_PARAMS(params, &der);
  RSA_PSS_PARAMS_free(params);
  if (length <= 0) return false;
  ASN1_STRING* encoded = ASN1_STRING_new();
  ASN1_STRING_set(encoded, der, length);
  OPENSSL_free(der);
  return X509_ALGOR_set0(signature_algorithm, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, encoded) == 1;
}

// The DER of the signed attributes as a SET OF (tag 0x31), sorted as DER
// requires: that is what the signature covers (RFC 5652 §5.4).
std::string signed_attributes_der(CMS_SignerInfo* si) {
  std::vector<std::string> encoded;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    unsigned char* out = nullptr;
    int length = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &out);
    encoded.emplace_back(reinterpret_cast<char*>(out), static_cast<std::size_t>(std::max(length, 0)));
    OPENSSL_free(out);
  }
  std::sort(encoded.begin(), encoded.end());
  std::string body;
  for (const auto& e : encoded) body += e;
  std::string der(1, '\x31');
  const std::size_t n = body.size();
  if (n < 0x80) {
    der += static_cast<char>(n);
  } else {
    std::string length_bytes;
    for (std::size_t v = n; v > 0; v >>= 8)
      length_bytes.insert(length_bytes.begin(), static_cast<char>(v & 0xff));
    der += static_cast<char>(0x80 | length_bytes.size());
    der += length_bytes;
  }
  return der + body;
}

Error cms_error(const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "CMS", what + ": " + openssl_errors());
}

}  // namespace

Result<std::string> make_cades_detached(const SigningKey& key, DigestAlgorithm digest, RsaPadding padding,
                                        std::string_view content_digest,
                                        std::optional<std::time_t> signing_time) {
  const SigningKey::Parts& parts = key.parts();
  const EVP_MD* md = evp_md(digest);
  const unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY;
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) return cms_error("cannot start a SignedData");
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), parts.certificate.get(), parts.key.get(), md,
                                       CMS_PARTIAL | CMS_NOSMIMECAP | CMS_CADES | CMS_BINARY);
  if (!si) return cms_error("cannot add the signer");
  for (int i = 0; i < sk_X509_num(parts.chain.get()); ++i)
    if (!CMS_add1_cert(cms.get(), sk_X509_value(parts.chain.get(), i)))
      return cms_error("cannot add a certificate");
  if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) < 0 &&
      !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1))
    return cms_error("cannot add contentType");
  if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, content_digest.data(),
                                   static_cast<int>(content_digest.size())))
    return cms_error("cannot add messageDigest");
  if (signing_time) {
    ASN1_TIME* when = X509_time_adj_ex(nullptr, 0, 0, &*signing_time);
    const int added = when && CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, when->type, when, -1);
    ASN1_TIME_free(when);
    if (!added) return cms_error("cannot add signingTime");
  }

  const bool pss = padding == RsaPadding::pss && EVP_PKEY_get_base_id(parts.key.get()) == EVP_PKEY_RSA;
  X509_ALGOR* signature_algorithm = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &signature_algorithm);
  if (pss) {
    if (!set_pss_algorithm(signature_algorithm, md)) return cms_error("cannot describe RSASSA-PSS");
  } else if (EVP_PKEY_get_base_id(parts.key.get()) == EVP_PKEY_RSA) {
    X509_ALGOR_set0(signature_algorithm, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, nullptr);
  } else {
    const int nid = digest == DigestAlgorithm::sha256   ? NID_ecdsa_with_SHA256
                    : digest == DigestAlgorithm::sha384 ? NID_ecdsa_with_SHA384
                                                        : NID_ecdsa_with_SHA512;
    X509_ALGOR_set0(signature_algorithm, OBJ_nid2obj(nid), V_ASN1_UNDEF, nullptr);
  }

  const std::string to_sign = signed_attributes_der(si);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, parts.key.get()) != 1)
    return cms_error("cannot sign");
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))
    return cms_error("cannot set RSASSA-PSS");
  std::size_t length = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(to_sign.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, input, to_sign.size()) != 1)
    return cms_error("cannot sign");
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, input,
                     to_sign.size()) != 1)
    return cms_error("cannot sign");
  signature.resize(length);
  ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
  if (!ASN1_OCTET_STRING_set(value, reinterpret_cast<const unsigned char*>(signature.data()),
                             static_cast<int>(signature.size())))
    return cms_error("cannot store the signature");

  unsigned char* der = nullptr;
  int der_length = i2d_CMS_ContentInfo(cms.get(), &der);
  if (der_length <= 0) return cms_error("cannot encode the CMS");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_length));
  OPENSSL_free(der);
  return out;
}

}  // namespace dosar::signing
