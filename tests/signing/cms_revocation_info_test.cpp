// Issue 5: revocation evidence carried inside the CMS by Acrobat and other
// pre-PAdES-LT signers (SignedData.crls, the signed attribute
// adbe-revocationInfoArchival) counts as the DSS's does: only when
// authentic and current, and never hiding a revocation found elsewhere.
// The signatures are built here with OpenSSL's CMS API, as Acrobat makes them
// (adbe.pkcs7.detached); OCSP answers come from `openssl ocsp` run offline.
#include "signing/cms_revocation_info.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>

#include "signing/cms_signer.h"
#include "signing/pades.h"
#include "signing/pdf_update.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crl.h"
#include "tests/test_paths.h"

namespace dosar::signing {
namespace {

namespace fs = std::filesystem;
using dosar::testing::read_file;
using dosar::testing::shell;
using dosar::testing::TempDir;
using dosar::testing::write_file;

// What the test puts inside the CMS, DER.
struct CmsEvidence {
  std::vector<std::string> signed_data_crls;  // SignedData.crls
  std::vector<std::string> archival_crls;     // adbe-revocationInfoArchival crl [0]
  std::vector<std::string> archival_ocsp;     // adbe-revocationInfoArchival ocsp [1]
};

// A DER element with a one-byte `tag` around `content`.
std::string der(unsigned char tag, const std::string& content) {
  std::string length;
  if (content.size() < 0x80) {
    length = std::string(1, static_cast<char>(content.size()));
  } else {
    for (std::size_t n = content.size(); n > 0; n >>= 8)
      length.insert(length.begin(), static_cast<char>(n & 0xff));
    length.insert(length.begin(), static_cast<char>(0x80 | length.size()));
  }
  return std::string(1, static_cast<char>(tag)) + length + content;
}

std::string sequence_of(const std::vector<std::string>& elements) {
  std::string content;
  for (const auto& e : elements) content += e;
  return der(0x30, content);
}

// The value of adbe-revocationInfoArchival.
std::string archival_attribute(const CmsEvidence& evidence) {
  std::string fields;
  if (!evidence.archival_crls.empty()) fields += der(0xa0, sequence_of(evidence.archival_crls));
  if (!evidence.archival_ocsp.empty()) fields += der(0xa1, sequence_of(evidence.archival_ocsp));
  return der(0x30, fields);
}

std::string pdf_now() {
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "D:%Y%m%d%H%M%S+00'00'", &utc);
  return text;
}

// `pdf` signed as Acrobat signs (adbe.pkcs7.detached, signed attributes
// made by OpenSSL) with `evidence` inside the CMS.
std::string sign_like_acrobat(const std::string& pdf, const SigningKey& key, const CmsEvidence& evidence) {
  SignatureUpdate update;
  update.cades = false;
  update.signing_time_pdf = pdf_now();
  auto prepared = prepare_signature_update(pdf, update);
  EXPECT_TRUE(prepared.ok());
  const std::string& bytes = prepared->bytes;
  const std::string signed_bytes =
      bytes.substr(0, prepared->contents_begin) + bytes.substr(prepared->contents_end);
  const auto& parts = key.parts();
  const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  CmsPtr cms(CMS_sign(parts.certificate.get(), parts.key.get(), parts.chain.get(), nullptr, flags));
  EXPECT_TRUE(cms);
  for (const auto& crl_der : evidence.signed_data_crls) {
    const auto* p = reinterpret_cast<const unsigned char*>(crl_der.data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(crl_der.size()));
    EXPECT_TRUE(crl && CMS_add1_crl(cms.get(), crl) == 1);
    X509_CRL_free(crl);
  }
  if (!evidence.archival_crls.empty() || !evidence.archival_ocsp.empty()) {
    const std::string value = archival_attribute(evidence);
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
    ASN1_OBJECT* oid = OBJ_txt2obj("1.2.840.113583.1.1.8", 1);
    EXPECT_EQ(
        CMS_signed_add1_attr_by_OBJ(si, oid, V_ASN1_SEQUENCE, value.data(), static_cast<int>(value.size())),
        1);
    ASN1_OBJECT_free(oid);
  }
  BioPtr content(BIO_new_mem_buf(signed_bytes.data(), static_cast<int>(signed_bytes.size())));
  EXPECT_EQ(CMS_final(cms.get(), content.get(), nullptr, CMS_DETACHED | CMS_BINARY), 1);
  EXPECT_TRUE(fill_signature_contents(*prepared, der_encoding<i2d_CMS_ContentInfo>(cms.get())).ok());
  return std::move(prepared->bytes);
}

class CmsRevocationInfoTest : public ::testing::Test {
 protected:
  // One PKI whose certificates name no responder and no distribution point:
  // the only evidence is what the trust folder and the signature carry.
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const fs::path d = pki();
    ASSERT_EQ(shell("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + d.string()), 0);
    auto crls = read_crls(d / "trust-crl");
    ASSERT_TRUE(crls.ok());
    crls_ = new std::vector<std::string>(*crls);
    const auto now = std::chrono::system_clock::now();
    stale_ = new std::string(dosar::testing::make_crl({d / "int.pem",
                                                       d / "int.key",
                                                       now - std::chrono::hours(24 * 40),
                                                       now - std::chrono::hours(24 * 10),
                                                       {}}));
    // The intermediate's name, the root's key: forged, and it lists nobody.
    forged_ = new std::string(dosar::testing::make_crl(
        {d / "int.pem", d / "root.key", now - std::chrono::hours(1), now + std::chrono::hours(24), {}}));
    // A trust folder whose CRL of the intermediate is out of date: offline,
    // the signers cannot be checked unless the signature brings evidence.
    fs::create_directories(d / "stale-trust");
    fs::copy_file(d / "root.pem", d / "stale-trust" / "root.pem");
    write_file(d / "stale.der", *stale_);
    ASSERT_EQ(shell("openssl crl -inform DER -in " + (d / "stale.der").string() + " -out " +
                    (d / "stale-trust" / "int.crl").string()),
              0);
    // The same for the root's CRL: the intermediate CA cannot be checked.
    fs::create_directories(d / "stale-root-trust");
    fs::copy_file(d / "root.pem", d / "stale-root-trust" / "root.pem");
    write_file(d / "stale-root.der", dosar::testing::make_crl({d / "root.pem",
                                                               d / "root.key",
                                                               now - std::chrono::hours(24 * 40),
                                                               now - std::chrono::hours(24 * 10),
                                                               {}}));
    ASSERT_EQ(shell("openssl crl -inform DER -in " + (d / "stale-root.der").string() + " -out " +
                    (d / "stale-root-trust" / "root.crl").string()),
              0);
    // The root's index as its responder would see it once it revoked the
    // intermediate yesterday (`openssl ca -revoke` writes the same line).
    fs::create_directories(d / "revoked-int.db");
    std::string index = read_file(d / "root.db" / "index.txt");
    const std::size_t line = index.find("\t\t1001\t");
    ASSERT_NE(line, std::string::npos) << index;
    const std::time_t yesterday = std::time(nullptr) - 24 * 3600;
    std::tm utc{};
    gmtime_r(&yesterday, &utc);
    char date[16];
    std::strftime(date, sizeof date, "%y%m%d%H%M%SZ", &utc);
    index.replace(line, 2, "\t" + std::string(date) + ",keyCompromise\t");
    index[index.rfind('\n', line) == std::string::npos ? 0 : index.rfind('\n', line) + 1] = 'R';
    write_file(d / "revoked-int.db" / "index.txt", index);
  }
  static void TearDownTestSuite() {
    delete crls_;
    delete stale_;
    delete forged_;
    delete dir_;
  }
  static fs::path pki() { return dir_->path() / "pki"; }
  static SigningKey key(const std::string& signer) {
    auto k = SigningKey::from_pkcs12(pki() / (signer + ".p12"), "test");
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return std::move(k).value();
  }
  // The answer about `cert` signed by `responder` (PKI file names), made by
  // OpenSSL's responder offline from the CA `issuer`'s `index`, DER.
  static std::string ocsp_answer(const std::string& cert, const std::string& responder,
                                 const std::string& issuer = "int",
                                 const fs::path& index = "int.db/index.txt",
                                 const std::string& options = "") {
    const fs::path d = pki();
    const fs::path request = d / (cert + ".req");
    const fs::path answer = d / (cert + "-" + responder + "-" + index.parent_path().string() + ".resp");
    EXPECT_EQ(shell("openssl ocsp -issuer " + (d / (issuer + ".pem")).string() + " -cert " +
                    (d / (cert + ".pem")).string() + " -no_nonce -reqout " + request.string()),
              0);
    EXPECT_EQ(shell("openssl ocsp -index " + (d / index).string() + " -CA " +
                    (d / (issuer + ".pem")).string() + " -rsigner " + (d / (responder + ".pem")).string() +
                    " -rkey " + (d / (responder + ".key")).string() + " -reqin " + request.string() +
                    " -respout " + answer.string() + " " + options),
              0);
    return read_file(answer);
  }
  static SignatureReport verify(const std::string& pdf, const std::string& trust_folder,
                                std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
    auto trust = load_trust_store(pki() / trust_folder);
    EXPECT_TRUE(trust.ok());
    auto report = verify_pdf(pdf, **trust, at);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report->signatures.size(), 1u);
    return report->signatures.at(0);
  }
  static std::string pdf() { return dosar::testing::make_text_pdf({"Dispoziție semnată în Acrobat"}); }

  static TempDir* dir_;
  static std::vector<std::string>* crls_;  // the root's and the intermediate's current CRLs
  static std::string* stale_;              // the intermediate's, nextUpdate 10 days ago
  static std::string* forged_;
};
TempDir* CmsRevocationInfoTest::dir_ = nullptr;
std::vector<std::string>* CmsRevocationInfoTest::crls_ = nullptr;
std::string* CmsRevocationInfoTest::stale_ = nullptr;
std::string* CmsRevocationInfoTest::forged_ = nullptr;

TEST_F(CmsRevocationInfoTest, CrlInSignedDataCrlsIsEvidenceOffline) {
  const SigningKey signer = key("ec");
  // Without evidence in the signature, the stale CRL of the trust folder leaves it open.
  auto bare = verify(sign_like_acrobat(pdf(), signer, {}), "stale-trust");
  EXPECT_EQ(bare.subindication, "TRY_LATER") << bare.message;

  auto report = verify(sign_like_acrobat(pdf(), signer, {*crls_, {}, {}}), "stale-trust");
  EXPECT_EQ(report.indication, Indication::total_passed) << report.subindication << ": " << report.message;
}

TEST_F(CmsRevocationInfoTest, OcspAnswerInAdobeRevocationInfoArchivalIsEvidenceOffline) {
  auto report =
      verify(sign_like_acrobat(pdf(), key("ec"), {{}, {}, {ocsp_answer("ec", "ocsp")}}), "stale-trust");
  EXPECT_EQ(report.indication, Indication::total_passed) << report.subindication << ": " << report.message;
}

TEST_F(CmsRevocationInfoTest, RevokingEvidenceOnlyInsideTheCmsRevokesTheSigner) {
  const SigningKey revoked = key("revoked");
  // The trust folder holds no CRL: what the signature carries is all there is.
  for (const auto& [name, evidence] : {std::pair{"SignedData.crls", CmsEvidence{*crls_, {}, {}}},
                                       std::pair{"archival CRL", CmsEvidence{{}, *crls_, {}}}}) {
    SCOPED_TRACE(name);
    auto report = verify(sign_like_acrobat(pdf(), revoked, evidence), "trust");
    EXPECT_EQ(report.indication, Indication::indeterminate);
    EXPECT_EQ(report.subindication, "REVOKED_NO_POE") << report.message;
    EXPECT_NE(report.message.find("revoked on"), std::string::npos) << report.message;
  }
  auto report =
      verify(sign_like_acrobat(pdf(), revoked, {{}, {}, {ocsp_answer("revoked", "ocsp")}}), "trust");
  EXPECT_EQ(report.subindication, "REVOKED_NO_POE") << report.message;
  EXPECT_NE(report.message.find("OCSP"), std::string::npos) << report.message;
}

TEST_F(CmsRevocationInfoTest, ForgedOrStaleEvidenceInsideTheCmsCountsForNothing) {
  const SigningKey revoked = key("revoked");
  // A forged CRL that lists nobody hides neither the trust folder's
  // revocation nor the genuine CRL beside it in the signature.
  auto report = verify(sign_like_acrobat(pdf(), revoked, {{*forged_}, {}, {}}), "trust-crl");
  EXPECT_EQ(report.subindication, "REVOKED_NO_POE") << report.message;
  report = verify(sign_like_acrobat(pdf(), revoked, {*crls_, {*forged_}, {}}), "trust");
  EXPECT_EQ(report.subindication, "REVOKED_NO_POE") << report.message;

  // Alone, forged or stale evidence leaves the signer unchecked, and says why.
  const SigningKey signer = key("ec");
  report = verify(sign_like_acrobat(pdf(), signer, {{}, {*forged_}, {}}), "stale-trust");
  EXPECT_EQ(report.subindication, "TRY_LATER") << report.message;
  EXPECT_NE(report.message.find("not signed with its key"), std::string::npos) << report.message;
  report = verify(sign_like_acrobat(pdf(), signer, {{*stale_}, {}, {}}), "trust");
  EXPECT_EQ(report.subindication, "TRY_LATER") << report.message;
  EXPECT_NE(report.message.find("expired"), std::string::npos) << report.message;
  // An OCSP "good" signed by a certificate that is no responder of the CA.
  report = verify(sign_like_acrobat(pdf(), signer, {{}, {}, {ocsp_answer("ec", "rsa")}}), "stale-trust");
  EXPECT_EQ(report.subindication, "TRY_LATER") << report.message;
  // A "good" valid for five minutes, judged an hour later, as a stale CRL is.
  const std::string brief = ocsp_answer("ec", "ocsp", "int", "int.db/index.txt", "-nmin 5");
  const std::string signed_pdf = sign_like_acrobat(pdf(), signer, {{}, {}, {brief}});
  const auto now = std::chrono::system_clock::now();
  report = verify(signed_pdf, "stale-trust", now);
  EXPECT_EQ(report.indication, Indication::total_passed) << report.message;
  report = verify(signed_pdf, "stale-trust", now + std::chrono::hours(1));
  EXPECT_EQ(report.subindication, "TRY_LATER") << report.message;
}

// Issue 5: OCSP answers about the intermediate CA (signed by the root), as
// Acrobat embeds them for the whole chain, settle the CA's revocation too.
TEST_F(CmsRevocationInfoTest, OcspAnswerAboutTheIntermediateInsideTheCmsIsJudged) {
  const SigningKey signer = key("ec");
  // The trust folder's root CRL is out of date: offline the CA cannot be checked.
  auto bare = verify(sign_like_acrobat(pdf(), signer, {}), "stale-root-trust");
  EXPECT_EQ(bare.subindication, "TRY_LATER") << bare.message;
  // With the answer about the signer too, as its status must be known (issue 5).
  auto good = verify(
      sign_like_acrobat(
          pdf(), signer,
          {{}, {}, {ocsp_answer("ec", "ocsp"), ocsp_answer("int", "root", "root", "root.db/index.txt")}}),
      "stale-root-trust");
  EXPECT_EQ(good.indication, Indication::total_passed) << good.subindication << ": " << good.message;

  auto revoked =
      verify(sign_like_acrobat(pdf(), signer,
                               {{}, {}, {ocsp_answer("int", "root", "root", "revoked-int.db/index.txt")}}),
             "trust");
  EXPECT_EQ(revoked.subindication, "REVOKED_CA_NO_POE") << revoked.message;
  EXPECT_NE(revoked.message.find("Dosar Test Intermediate CA"), std::string::npos) << revoked.message;
}

}  // namespace
}  // namespace dosar::signing
