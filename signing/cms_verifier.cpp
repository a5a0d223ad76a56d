#include "signing/cms_verifier.h"

#include <openssl/ess.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "signing/cms_revocation_info.h"
#include "signing/cms_signer.h"
#include "signing/revocation_check.h"

namespace dosar::signing {

CmsVerdict verdict(Indication indication, std::string subindication, std::string message) {
  CmsVerdict v;
  v.indication = indication;
  v.subindication = std::move(subindication);
  v.message = std::move(message);
  return v;
}

std::string iso_utc(std::time_t t) {
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

namespace {

void sk_ASN1_TYPE_free_all(ASN1_SEQUENCE_ANY* s) {
  sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
}

using TsVerifyPtr = std::unique_ptr<TS_VERIFY_CTX, OpenSslDeleter<TS_VERIFY_CTX_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, OpenSslDeleter<PKCS7_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, OpenSslDeleter<TS_TST_INFO_free>>;

std::string_view bytes_of(const ASN1_STRING* s) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

// The signing-certificate(-v2) attribute must name the signer's certificate
// (RFC 5035): otherwise a certificate with the same key could be substituted.
std::optional<std::string> check_signing_certificate(CMS_SignerInfo* si, X509* signer, bool required) {
  auto* v2 = static_cast<ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(
      si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE));
  auto* v1 = static_cast<ASN1_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificate), -3, V_ASN1_SEQUENCE));
  if (!v1 && !v2) {
    if (required)
      return "the signature does not name its signing certificate (signing-certificate-v2 missing)";
    return std::nullopt;
  }
  const unsigned char* p = nullptr;
  ESS_SIGNING_CERT_V2* ss2 = nullptr;
  ESS_SIGNING_CERT* ss1 = nullptr;
  if (v2) {
    p = ASN1_STRING_get0_data(v2);
    ss2 = d2i_ESS_SIGNING_CERT_V2(nullptr, &p, ASN1_STRING_length(v2));
  }
  if (v1) {
    p = ASN1_STRING_get0_data(v1);
    ss1 = d2i_ESS_SIGNING_CERT(nullptr, &p, ASN1_STRING_length(v1));
  }
  X509StackPtr chain(sk_X509_new_null());
  X509_up_ref(signer);
  sk_X509_push(chain.get(), signer);
  const int ok = (v2 && !ss2) || (v1 && !ss1) ? 0 : OSSL_ESS_check_signing_certs(ss1, ss2, chain.get(), 1);
  ESS_SIGNING_CERT_V2_free(ss2);
  ESS_SIGNING_CERT_free(ss1);
  ERR_clear_error();
  if (ok != 1) return "the signing-certificate attribute does not match the signer's certificate";
  return std::nullopt;
}

using StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;

// A store with the certificates and CRLs of `trust` that checks chains at
// `at` instead of the clock: a timestamp is judged at the time a later one
// proves it existed (ETSI EN 319 102-1 past signature validation), not now.
StorePtr store_at(const TrustStore& trust, std::time_t at) {
  StorePtr store(X509_STORE_new());
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(trust.store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    X509_OBJECT* object = sk_X509_OBJECT_value(objects, i);
    if (X509* cert = X509_OBJECT_get0_X509(object)) X509_STORE_add_cert(store.get(), cert);
    if (X509_CRL* crl = X509_OBJECT_get0_X509_CRL(object)) X509_STORE_add_crl(store.get(), crl);
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), at);
  ERR_clear_error();
  return store;
}

std::optional<CmsVerdict> check_tsa_revocation(PKCS7* token, const TrustStore& trust, std::time_t at,
                                               std::time_t asserted, const EmbeddedValidationData& embedded);

struct TimestampCheck {
  bool present = false;
  bool valid = false;
  // Valid but for its TSA's revocation status (revoked by the time it
  // asserts, or not known: check_revocation's TRY_LATER): no proof of time.
  bool tsa_revoked = false;
  std::time_t time = 0;
  std::string problem;
};

// The signature timestamp (RFC 3161 token in id-aa-signatureTimeStampToken)
// must cover this signature value and chain to `trust` at `at` with the
// critical timeStamping EKU.
TimestampCheck check_timestamp(CMS_SignerInfo* si, const TrustStore& trust, std::time_t at,
                               const EmbeddedValidationData& embedded) {
  TimestampCheck check;
  auto* attribute = static_cast<ASN1_STRING*>(
      CMS_unsigned_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE));
  if (!attribute) return check;
  check.present = true;
  const unsigned char* p = ASN1_STRING_get0_data(attribute);
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, ASN1_STRING_length(attribute)));
  TstInfoPtr info(token ? PKCS7_to_TS_TST_INFO(token.get()) : nullptr);
  if (!info) {
    check.problem = "the signature timestamp is not an RFC 3161 token";
    return check;
  }
  const X509_ALGOR* algorithm = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info.get()));
  const EVP_MD* md = EVP_get_digestbyobj(algorithm->algorithm);
  if (!md) {
    check.problem = "the signature timestamp uses an unknown digest";
    return check;
  }
  const std::string imprint = digest_bytes(md, bytes_of(CMS_SignerInfo_get0_signature(si)));
  TsVerifyPtr ctx(TS_VERIFY_CTX_new());
  TS_VERIFY_CTX_set_store(ctx.get(), store_at(trust, at).release());
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(imprint.size()));
  std::copy(imprint.begin(), imprint.end(), copy);
  TS_VERIFY_CTX_set_imprint(ctx.get(), copy, static_cast<long>(imprint.size()));
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
  if (TS_RESP_verify_token(ctx.get(), token.get()) != 1) {
    check.problem = "the signature timestamp does not verify: " + openssl_errors();
    return check;
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info.get()), &tm) != 1) {
    check.problem = "the signature timestamp has no readable time";
    return check;
  }
  check.time = timegm(&tm);
  if (auto revoked = check_tsa_revocation(token.get(), trust, at, check.time, embedded)) {
    check.problem = revoked->message;
    check.tsa_revoked = true;
    return check;
  }
  check.valid = true;
  return check;
}

// The certificates of the CMS (or token) and of the document, as one
// untrusted stack; `owned` keeps the document's alive.
ShallowX509StackPtr untrusted_with(STACK_OF(X509) * untrusted, const EmbeddedValidationData& embedded,
                                   std::vector<X509Ptr>& owned) {
  ShallowX509StackPtr shallow(untrusted ? sk_X509_dup(untrusted) : sk_X509_new_null());
  for (const auto& der : embedded.certificates) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    if (X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()))) {
      owned.emplace_back(cert);
      sk_X509_push(shallow.get(), cert);
    }
  }
  ERR_clear_error();
  return shallow;
}

// The chain is built and checked at `at` by OpenSSL without its CRL check:
// check_revocation then judges revocation with the CRLs that count
// (crl_unusable) and their revocation dates, which OpenSSL ignores.
std::optional<CmsVerdict> check_chain(X509* signer, STACK_OF(X509) * untrusted, const TrustStore& trust,
                                      std::time_t at, bool proof_of_existence,
                                      const EmbeddedValidationData& embedded) {
  std::vector<X509Ptr> owned;
  ShallowX509StackPtr shallow = untrusted_with(untrusted, embedded, owned);
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.store, signer, shallow.get()) != 1)
    return verdict(Indication::indeterminate, "CERTIFICATE_CHAIN_GENERAL_FAILURE",
                   "The chain could not be built.");
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  if (X509_verify_cert(ctx.get()) == 1)
    return check_revocation(X509_STORE_CTX_get0_chain(ctx.get()), shallow.get(), trust, at, embedded, {});
  const int error = X509_STORE_CTX_get_error(ctx.get());
  const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  const std::string reason = X509_verify_cert_error_string(error);
  ERR_clear_error();
  const std::string whose = depth == 0 ? "The signer's certificate" : "A certificate of the signer's CA";
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      if (proof_of_existence)
        return verdict(Indication::total_failed, "EXPIRED",
                       whose + " had expired when the signature was timestamped.");
      return verdict(Indication::indeterminate, "OUT_OF_BOUNDS_NO_POE",
                     whose + " has expired and nothing proves the signature was made before.");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return verdict(Indication::indeterminate, "NOT_YET_VALID", whose + " is not yet valid.");
    case X509_V_ERR_CERT_REVOKED:
      return verdict(Indication::indeterminate, depth == 0 ? "REVOKED_NO_POE" : "REVOKED_CA_NO_POE",
                     whose + " has been revoked.");
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return verdict(
          Indication::indeterminate, "NO_CERTIFICATE_CHAIN_FOUND",
          "The signer's certificate does not lead to a trusted certificate authority (" + reason + ").");
    default:
      return verdict(Indication::indeterminate, "CERTIFICATE_CHAIN_GENERAL_FAILURE",
                     "The signer's certificate chain is not valid: " + reason + ".");
  }
}

// Whether the TSA that signed `token` (chain built at `at`) had its
// certificate, or a CA's of its chain, revoked by the time it asserts
// (ETSI EN 319 102-1: such a token proves no time). The failing verdict.
std::optional<CmsVerdict> check_tsa_revocation(PKCS7* token, const TrustStore& trust, std::time_t at,
                                               std::time_t asserted, const EmbeddedValidationData& embedded) {
  X509* tsa = nullptr;
  if (STACK_OF(X509)* signers = PKCS7_get0_signers(token, nullptr, 0)) {
    if (sk_X509_num(signers) > 0) tsa = sk_X509_value(signers, 0);
    sk_X509_free(signers);
  }
  ERR_clear_error();
  if (!tsa) return std::nullopt;  // TS_RESP_verify_token found it; nothing to add
  std::vector<X509Ptr> owned;
  ShallowX509StackPtr untrusted = untrusted_with(token->d.sign->cert, embedded, owned);
  StorePtr store = store_at(trust, at);
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), tsa, untrusted.get()) != 1 ||
      X509_verify_cert(ctx.get()) != 1) {
    ERR_clear_error();
    return verdict(Indication::indeterminate, "CERTIFICATE_CHAIN_GENERAL_FAILURE",
                   "The TSA's certificate chain could not be built.");
  }
  return check_revocation(X509_STORE_CTX_get0_chain(ctx.get()), untrusted.get(), trust, asserted, embedded,
                          {"TSA's"});
}

using SequencePtr = std::unique_ptr<ASN1_SEQUENCE_ANY, OpenSslDeleter<sk_ASN1_TYPE_free_all>>;

// The statement ids of the certificate's qcStatements extension (RFC 3739:
// SEQUENCE OF SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }).
std::vector<std::string> qc_statement_ids(X509* cert) {
  std::vector<std::string> ids;
  const int at = X509_get_ext_by_NID(cert, NID_qcStatements, -1);
  if (at < 0) return ids;
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert, at));
  const unsigned char* p = ASN1_STRING_get0_data(data);
  SequencePtr statements(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, ASN1_STRING_length(data)));
  for (int i = 0; statements && i < sk_ASN1_TYPE_num(statements.get()); ++i) {
    const ASN1_TYPE* statement = sk_ASN1_TYPE_value(statements.get(), i);
    if (statement->type != V_ASN1_SEQUENCE) continue;
    const unsigned char* q = ASN1_STRING_get0_data(statement->value.sequence);
    SequencePtr fields(d2i_ASN1_SEQUENCE_ANY(nullptr, &q, ASN1_STRING_length(statement->value.sequence)));
    if (!fields || sk_ASN1_TYPE_num(fields.get()) < 1 ||
        sk_ASN1_TYPE_value(fields.get(), 0)->type != V_ASN1_OBJECT)
      continue;
    char text[80];
    OBJ_obj2txt(text, sizeof text, sk_ASN1_TYPE_value(fields.get(), 0)->value.object, 1);
    ids.emplace_back(text);
  }
  ERR_clear_error();
  return ids;
}

}  // namespace

CmsVerdict verify_document_timestamp(std::string_view token_der,
                                     const std::array<std::string_view, 2>& signed_ranges,
                                     const TrustStore& trust, std::chrono::system_clock::time_point at,
                                     const EmbeddedValidationData& embedded) {
  const auto* p = reinterpret_cast<const unsigned char*>(token_der.data());
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  TstInfoPtr info(token ? PKCS7_to_TS_TST_INFO(token.get()) : nullptr);
  if (!info) {
    ERR_clear_error();
    return verdict(Indication::total_failed, "FORMAT_FAILURE",
                   "The document timestamp is not an RFC 3161 token.");
  }
  CmsVerdict v;
  if (STACK_OF(X509)* signers = PKCS7_get0_signers(token.get(), nullptr, 0)) {
    if (sk_X509_num(signers) > 0) v.signer = certificate_name(sk_X509_value(signers, 0));
    sk_X509_free(signers);
  }
  ERR_clear_error();
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const EVP_MD* md = EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(imprint)->algorithm);
  if (!md)
    return verdict(Indication::total_failed, "FORMAT_FAILURE",
                   "The document timestamp uses an unknown digest.");
  if (bytes_of(TS_MSG_IMPRINT_get_msg(imprint)) != digest_parts(md, {signed_ranges[0], signed_ranges[1]})) {
    CmsVerdict failed = verdict(Indication::total_failed, "HASH_FAILURE",
                                "The document was changed in the bytes the timestamp covers.");
    failed.signer = v.signer;
    return failed;
  }
  TsVerifyPtr verify(TS_VERIFY_CTX_new());
  TS_VERIFY_CTX_set_store(verify.get(), store_at(trust, std::chrono::system_clock::to_time_t(at)).release());
  TS_VERIFY_CTX_set_flags(verify.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE);
  if (TS_RESP_verify_token(verify.get(), token.get()) != 1) {
    CmsVerdict failed =
        verdict(Indication::indeterminate, "NO_CERTIFICATE_CHAIN_FOUND",
                "The document timestamp's authority is not trusted or its signature does not verify: " +
                    openssl_errors() + ".");
    failed.signer = v.signer;
    return failed;
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info.get()), &tm) != 1) {
    CmsVerdict failed =
        verdict(Indication::total_failed, "FORMAT_FAILURE", "The document timestamp has no readable time.");
    failed.signer = v.signer;
    return failed;
  }
  const std::time_t asserted = timegm(&tm);
  if (auto revoked = check_tsa_revocation(token.get(), trust, std::chrono::system_clock::to_time_t(at),
                                          asserted, embedded)) {
    revoked->message = "The document timestamp proves no time: " + revoked->message;
    revoked->signer = v.signer;
    return *revoked;
  }
  v.timestamp_time = iso_utc(asserted);
  v.message = "Valid document timestamp by " + v.signer + ".";
  return v;
}

CmsVerdict verify_cms(std::string_view der, const std::array<std::string_view, 2>& signed_ranges,
                      const TrustStore& trust, std::chrono::system_clock::time_point now,
                      bool require_signing_certificate, const EmbeddedValidationData& embedded) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    ERR_clear_error();
    return verdict(Indication::total_failed, "FORMAT_FAILURE",
                   "The signature value is not a CMS SignedData.");
  }
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(signers) != 1)
    return verdict(Indication::total_failed, "FORMAT_FAILURE", "The signature must have exactly one signer.");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
  X509StackPtr certs(CMS_get1_certs(cms.get()));
  if (!certs) certs.reset(sk_X509_new_null());
  X509* signer = nullptr;
  for (int i = 0; i < sk_X509_num(certs.get()) && !signer; ++i)
    if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs.get(), i)) == 0)
      signer = sk_X509_value(certs.get(), i);
  if (!signer)
    return verdict(Indication::indeterminate, "NO_SIGNING_CERTIFICATE_FOUND",
                   "The signer's certificate is not in the signature.");
  const std::string signer_name = certificate_name(signer);
  const std::string organization = certificate_organization(signer);
  const std::vector<std::string> qc = qc_statement_ids(signer);
  auto named = [&](CmsVerdict v) {
    v.signer = signer_name;
    v.organization = organization;
    v.qualified = std::find(qc.begin(), qc.end(), "0.4.0.1862.1.1") != qc.end();
    v.qscd = std::find(qc.begin(), qc.end(), "0.4.0.1862.1.4") != qc.end();
    return v;
  };

  X509_ALGOR* digest_algorithm = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_algorithm, nullptr);
  const EVP_MD* md = EVP_get_digestbyobj(digest_algorithm->algorithm);
  if (!md)
    return named(
        verdict(Indication::total_failed, "FORMAT_FAILURE", "The signature uses an unknown digest."));
  const std::string content_digest = digest_parts(md, {signed_ranges[0], signed_ranges[1]});

  if (CMS_signed_get_attr_count(si) > 0) {
    auto* message_digest = static_cast<ASN1_OCTET_STRING*>(
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
    if (!message_digest)
      return named(
          verdict(Indication::total_failed, "FORMAT_FAILURE", "The signature has no messageDigest."));
    if (bytes_of(message_digest) != content_digest)
      return named(verdict(Indication::total_failed, "HASH_FAILURE",
                           "The signed bytes of the document were changed: their digest does not match."));
    CMS_SignerInfo_set1_signer_cert(si, signer);
    if (CMS_SignerInfo_verify(si) != 1) {
      ERR_clear_error();
      return named(verdict(Indication::total_failed, "SIG_CRYPTO_FAILURE",
                           "The signature value does not verify with the signer's public key."));
    }
  } else {
    // adbe.pkcs7.detached without signed attributes: the signature is over the content itself.
    MdCtxPtr verify(EVP_MD_CTX_new());
    const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
    bool ok = EVP_DigestVerifyInit(verify.get(), nullptr, md, nullptr, X509_get0_pubkey(signer)) == 1;
    for (auto range : signed_ranges)
      ok = ok && EVP_DigestVerifyUpdate(verify.get(), range.data(), range.size()) == 1;
    ok = ok && EVP_DigestVerifyFinal(verify.get(), ASN1_STRING_get0_data(value),
                                     static_cast<std::size_t>(ASN1_STRING_length(value))) == 1;
    if (!ok) {
      ERR_clear_error();
      return named(verdict(Indication::total_failed, "SIG_CRYPTO_FAILURE",
                           "The signature value does not verify with the signer's public key."));
    }
  }
  if (auto problem = check_signing_certificate(si, signer, require_signing_certificate))
    return named(verdict(Indication::indeterminate, "NO_SIGNING_CERTIFICATE_FOUND",
                         "The signature is intact, but " + *problem + "."));

  // Revocation evidence the signer put inside the CMS (Acrobat) counts as the DSS's does.
  const EmbeddedValidationData evidence = with_cms_revocation_info(cms.get(), si, embedded);
  const TimestampCheck timestamp =
      check_timestamp(si, trust, std::chrono::system_clock::to_time_t(now), evidence);
  if (timestamp.present && !timestamp.valid && !timestamp.tsa_revoked)
    return named(verdict(Indication::indeterminate, "NO_POE",
                         "The signature is intact, but " + timestamp.problem + "."));
  // A timestamp whose TSA was revoked proves no time: the signature is
  // judged by what can be shown without it, and the report says why.
  const std::string timestamp_problem =
      timestamp.tsa_revoked ? "its timestamp proves no time: " + timestamp.problem : "";
  const std::time_t at = timestamp.valid ? timestamp.time : std::chrono::system_clock::to_time_t(now);
  if (auto failure = check_chain(signer, certs.get(), trust, at, timestamp.valid, evidence)) {
    if (!timestamp_problem.empty()) failure->message += " Also, " + timestamp_problem;
    return named(*failure);
  }

  const std::uint32_t usage = X509_get_key_usage(signer);
  if ((usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
    return named(
        verdict(Indication::indeterminate, "CHAIN_CONSTRAINTS_FAILURE",
                "The signer's certificate is not meant for signatures (key usage lacks digitalSignature "
                "and nonRepudiation)."));
  CmsVerdict ok = named(verdict(Indication::total_passed, "", ""));
  if (timestamp.valid) ok.timestamp_time = iso_utc(timestamp.time);
  ok.timestamp_problem = timestamp_problem;
  const int at_time = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (at_time >= 0) {
    ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, at_time), 0);
    std::tm tm{};
    if (value && (value->type == V_ASN1_UTCTIME || value->type == V_ASN1_GENERALIZEDTIME) &&
        ASN1_TIME_to_tm(value->value.utctime, &tm) == 1)
      ok.claimed_time = iso_utc(timegm(&tm));
  }
  return ok;
}

}  // namespace dosar::signing
