#include "signing/timestamp_client.h"

#include <openssl/rand.h>
#include <openssl/ts.h>

#include <memory>

#include "signing/cms_signer.h"
#include "signing/http_client.h"

namespace dosar::signing {
namespace {

using TsReqPtr = std::unique_ptr<TS_REQ, OpenSslDeleter<TS_REQ_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, OpenSslDeleter<TS_RESP_free>>;
using TsVerifyPtr = std::unique_ptr<TS_VERIFY_CTX, OpenSslDeleter<TS_VERIFY_CTX_free>>;

}  // namespace

Result<std::string> request_timestamp_token(std::string_view imprint, const std::string& tsa_url,
                                            DigestAlgorithm digest) {
  const EVP_MD* md = evp_md(digest);
  TsReqPtr request(TS_REQ_new());
  TS_MSG_IMPRINT* message = TS_MSG_IMPRINT_new();
  X509_ALGOR* algorithm = X509_ALGOR_new();
  X509_ALGOR_set_md(algorithm, md);
  TS_MSG_IMPRINT_set_algo(message, algorithm);
  X509_ALGOR_free(algorithm);
  TS_MSG_IMPRINT_set_msg(message, reinterpret_cast<unsigned char*>(const_cast<char*>(imprint.data())),
                         static_cast<int>(imprint.size()));
  TS_REQ_set_version(request.get(), 1);
  TS_REQ_set_msg_imprint(request.get(), message);
  TS_MSG_IMPRINT_free(message);
  unsigned char nonce_bytes[8];
  RAND_bytes(nonce_bytes, sizeof nonce_bytes);
  nonce_bytes[0] &= 0x7F;
  BIGNUM* nonce_bn = BN_bin2bn(nonce_bytes, sizeof nonce_bytes, nullptr);
  ASN1_INTEGER* nonce = BN_to_ASN1_INTEGER(nonce_bn, nullptr);
  BN_free(nonce_bn);
  TS_REQ_set_nonce(request.get(), nonce);
  TS_REQ_set_cert_req(request.get(), 1);
  unsigned char* request_der = nullptr;
  const int request_length = i2d_TS_REQ(request.get(), &request_der);
  const std::string body(reinterpret_cast<char*>(request_der),
                         static_cast<std::size_t>(std::max(request_length, 0)));
  OPENSSL_free(request_der);

  auto answer = http_post(tsa_url, "application/timestamp-query", body);
  if (!answer.ok()) {
    ASN1_INTEGER_free(nonce);
    return answer.error();
  }
  const auto* a = reinterpret_cast<const unsigned char*>(answer->data());
  TsRespPtr response(d2i_TS_RESP(nullptr, &a, static_cast<long>(answer->size())));
  if (!response) {
    ASN1_INTEGER_free(nonce);
    return make_error(ErrorCode::corrupt, tsa_url, "answered something that is not a TimeStampResp");
  }
  // The token must answer our request: same imprint, same nonce. Its
  // signature and the TSA's certificate are checked by the validator.
  TsVerifyPtr verify(TS_REQ_to_TS_VERIFY_CTX(request.get(), nullptr));
  TS_VERIFY_CTX_set_flags(verify.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
  ASN1_INTEGER_free(nonce);
  if (TS_RESP_verify_response(verify.get(), response.get()) != 1)
    return make_error(ErrorCode::corrupt, tsa_url,
                      "answered a timestamp that does not match the request: " + openssl_errors());
  PKCS7* token = TS_RESP_get_token(response.get());
  unsigned char* token_der = nullptr;
  const int token_length = i2d_PKCS7(token, &token_der);
  if (token_length <= 0) return make_error(ErrorCode::corrupt, tsa_url, "answered no timestamp token");
  std::string out(reinterpret_cast<char*>(token_der), static_cast<std::size_t>(token_length));
  OPENSSL_free(token_der);
  return out;
}

Result<std::string> add_signature_timestamp(std::string_view cms_der, const std::string& tsa_url,
                                            DigestAlgorithm digest, std::string* token_out) {
  const auto* p = reinterpret_cast<const unsigned char*>(cms_der.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())));
  if (!cms) return make_error(ErrorCode::invalid_argument, "CMS", "cannot be read back: " + openssl_errors());
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(si);
  const std::string imprint = digest_bytes(
      evp_md(digest), std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(signature)),
                                       static_cast<std::size_t>(ASN1_STRING_length(signature))));
  auto token = request_timestamp_token(imprint, tsa_url, digest);
  if (!token.ok()) return token.error();
  const int added = CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                                  token->data(), static_cast<int>(token->size()));
  if (!added)
    return make_error(ErrorCode::invalid_argument, "CMS", "cannot hold the timestamp: " + openssl_errors());
  if (token_out) *token_out = *token;
  unsigned char* der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms.get(), &der);
  if (length <= 0)
    return make_error(ErrorCode::invalid_argument, "CMS", "cannot be encoded: " + openssl_errors());
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

Result<SigningKey::Parts> timestamp_signer(std::string_view token_der) {
  const auto* p = reinterpret_cast<const unsigned char*>(token_der.data());
  std::unique_ptr<PKCS7, OpenSslDeleter<PKCS7_free>> token(
      d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  if (!token || !PKCS7_type_is_signed(token.get()))
    return make_error(ErrorCode::corrupt, "timestamp token", "cannot be read: " + openssl_errors());
  STACK_OF(X509)* carried = token->d.sign->cert;
  ShallowX509StackPtr signers(PKCS7_get0_signers(token.get(), nullptr, 0));
  if (!signers || sk_X509_num(signers.get()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::corrupt, "timestamp token", "does not carry the TSA's certificate");
  }
  SigningKey::Parts parts;
  X509* tsa = sk_X509_value(signers.get(), 0);
  X509_up_ref(tsa);
  parts.certificate.reset(tsa);
  parts.chain.reset(sk_X509_new_null());
  for (int i = 0; carried && i < sk_X509_num(carried); ++i) {
    X509* cert = sk_X509_value(carried, i);
    if (X509_cmp(cert, tsa) == 0) continue;
    X509_up_ref(cert);
    sk_X509_push(parts.chain.get(), cert);
  }
  return parts;
}

}  // namespace dosar::signing
