// Evidence of integrity (issue 10, item 9): records/evidence.cpp.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "records/preservation.h"
#include "signing/pades.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::shell;
using testing::TempDir;
using testing::write_file;

class Evidence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir;
    std::string out;
    ASSERT_EQ(
        shell("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + pki_->path().string(), &out), 0)
        << out;
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static fs::path pki(const std::string& name) { return pki_->path() / name; }

  void SetUp() override {
    auto created = ArchiveStore::create(dir_ / "archive");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    archive_ = std::move(created).value();
    auto store = open_fixity_store(*archive_);
    ASSERT_TRUE(store.ok());
    fixity_ = std::move(store).value();
    // Document 1: an unsigned PDF, then a signed version of it; document 2 beside it.
    const std::string pdf = testing::make_text_pdf({"Dispoziție privind arhiva"});
    id_ = add_document(pdf, "dispozitie.pdf");
    auto key = signing::SigningKey::from_pkcs12(pki("rsa.p12"), "test");
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    auto signed_pdf = signing::sign_pdf(pdf, *key, {});
    ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
    auto blob = archive_->blobs().put(*signed_pdf);
    NewVersion v;
    v.original_blob_id = blob->id;
    v.original_name = "dispozitie-semnata.pdf";
    v.mime_type = "application/pdf";
    v.size = blob->size;
    ASSERT_TRUE(archive_->catalog().add_version(id_, v, "ana").ok());
    add_document(testing::make_text_pdf({"Alt document"}), "altul.pdf");
    ASSERT_TRUE(records::check_and_record(*archive_, *fixity_, CheckDepth::full, nullptr, "ana").ok());
    ASSERT_TRUE(records::check_and_record(*archive_, *fixity_, CheckDepth::full, nullptr, "ana").ok());
    auto trust = signing::load_trust_store(pki("trust-crl"));  // the CA's CRL, as deployed
    ASSERT_TRUE(trust.ok());
    trust_ = std::move(trust).value();
  }

  DocumentId add_document(const std::string& bytes, const std::string& name) {
    auto blob = archive_->blobs().put(bytes);
    NewDocument d;
    d.title = name;
    d.first_version.original_blob_id = blob->id;
    d.first_version.original_name = name;
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = blob->size;
    return archive_->catalog().create_document_unless_duplicate(d, "ana")->document.id;
  }

  std::string evidence() {
    auto report = records::build_evidence(*archive_, id_, *trust_);
    EXPECT_TRUE(report.ok()) << report.error().to_string();
    return report.ok() ? *report : "";
  }

  static TempDir* pki_;
  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
  std::unique_ptr<FixityStore> fixity_;
  signing::TrustStorePtr trust_;
  DocumentId id_ = 0;
};
TempDir* Evidence::pki_ = nullptr;

TEST_F(Evidence, ReportHoldsVersionsRowsFixityAndSignatures) {
  auto j = nlohmann::json::parse(evidence());
  EXPECT_EQ(j["format"], "dosar-evidence-v1");
  ASSERT_EQ(j["versions"].size(), 2u);
  EXPECT_EQ(j["versions"][1]["original"]["rehashed"], "ok");
  // document.create, version.add and the two fixity runs.
  EXPECT_EQ(j["audit"]["rows"].size(), 4u);
  EXPECT_EQ(j["fixity"].size(), 4u);  // two blobs, two runs
  ASSERT_EQ(j["signatures"].size(), 1u);
  EXPECT_EQ(j["signatures"][0]["version"], 2);
  EXPECT_EQ(j["signatures"][0]["signatures"][0]["indication"], "TOTAL-PASSED");
  // Validated as of its signing time.
  EXPECT_EQ(j["signatures"][0]["signatures"][0]["validated_as_of"],
            j["signatures"][0]["signatures"][0]["signing_time"]);
  EXPECT_FALSE(j["last_verified"].is_null());
}

TEST_F(Evidence, IntactReportVerifies) {
  auto check = records::verify_evidence(evidence(), std::nullopt, *trust_);
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  EXPECT_TRUE(check->problems.empty()) << check->problems.front();
  EXPECT_TRUE(check->ok());
}

TEST_F(Evidence, AlteredAuditRowIsDetectedWithoutTheSeal) {
  auto j = nlohmann::json::parse(evidence());
  j["audit"]["rows"][0]["actor"] = "mallory";
  auto check = records::verify_evidence(j.dump(2), std::nullopt, *trust_);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->ok());
}

TEST_F(Evidence, SwappedBlobHashIsDetectedWithoutTheSeal) {
  auto j = nlohmann::json::parse(evidence());
  j["versions"][0]["original"]["sha256"] = sha256_hex("other bytes");
  auto check = records::verify_evidence(j.dump(2), std::nullopt, *trust_);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->ok());
}

TEST_F(Evidence, ForgedFixityOutcomeIsDetectedWithoutTheSeal) {
  auto j = nlohmann::json::parse(evidence());
  j["fixity"][0]["outcome"] = "corrupt";
  auto check = records::verify_evidence(j.dump(2), std::nullopt, *trust_);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->ok());
}

TEST_F(Evidence, SealIsAcceptedByOpensslAndAOneByteChangeIsDetected) {
  const std::string report = evidence();
  auto key = signing::SigningKey::from_pkcs12(pki("rsa.p12"), "test");
  ASSERT_TRUE(key.ok());
  auto seal = records::seal_evidence(report, *key);
  ASSERT_TRUE(seal.ok()) << seal.error().to_string();
  write_file(dir_ / "evidence.json", report);
  write_file(dir_ / "evidence.json.p7s", *seal);
  std::string out;
  // The outside judge: OpenSSL, with the test PKI's chain.
  const std::string openssl_verify = "openssl cms -verify -binary -inform DER -in " +
                                     (dir_ / "evidence.json.p7s").string() + " -content " +
                                     (dir_ / "evidence.json").string() + " -CAfile " +
                                     pki("ca-chain.pem").string() + " -purpose any -out /dev/null";
  EXPECT_EQ(shell(openssl_verify, &out), 0) << out;
  auto check = records::verify_evidence(report, *seal, *trust_);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok());

  // One byte changed where no recomputation looks (the title): only the seal can tell.
  std::string changed = report;
  std::size_t at = changed.find("dispozitie.pdf");
  ASSERT_NE(at, std::string::npos);
  changed[at] = 'D';
  auto plain = records::verify_evidence(changed, std::nullopt, *trust_);
  ASSERT_TRUE(plain.ok());
  auto sealed = records::verify_evidence(changed, *seal, *trust_);
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(sealed->ok());
  write_file(dir_ / "evidence.json", changed);
  EXPECT_NE(shell(openssl_verify, &out), 0);
}

TEST_F(Evidence, PdfPrintsTheFactsCarriesTheReportAndTakesAPadesSeal) {
  const std::string report = evidence();
  auto pdf = records::evidence_pdf(report, dir_ / "printing.pdf");
  ASSERT_TRUE(pdf.ok()) << pdf.error().to_string();
  EXPECT_FALSE(fs::exists(dir_ / "printing.pdf"));
  write_file(dir_ / "evidence.pdf", *pdf);
  std::string text;
  ASSERT_EQ(shell("pdftotext " + (dir_ / "evidence.pdf").string() + " -", &text), 0) << text;
  auto j = nlohmann::json::parse(report);
  EXPECT_NE(text.find("Dovadă de integritate"), std::string::npos) << text;
  EXPECT_NE(text.find(j["versions"][1]["original"]["sha256"].get<std::string>()), std::string::npos) << text;
  // Poppler finds the attachment, byte for byte the report.
  std::string out;
  ASSERT_EQ(shell("pdfdetach -savefile evidence.json -o " + (dir_ / "attached.json").string() + " " +
                      (dir_ / "evidence.pdf").string(),
                  &out),
            0)
      << out;
  std::string attached;
  ASSERT_EQ(shell("cat " + (dir_ / "attached.json").string(), &attached), 0);
  EXPECT_EQ(attached, report);
  EXPECT_EQ(records::evidence_from_pdf(*pdf, "evidence.pdf").value(), report);

  auto key = signing::SigningKey::from_pkcs12(pki("rsa.p12"), "test");
  ASSERT_TRUE(key.ok());
  auto sealed = signing::sign_pdf(*pdf, *key, {});
  ASSERT_TRUE(sealed.ok()) << sealed.error().to_string();
  EXPECT_EQ(records::evidence_from_pdf(*sealed, "evidence.pdf").value(), report);
  auto seal = signing::verify_pdf(*sealed, *trust_);
  ASSERT_TRUE(seal.ok());
  EXPECT_TRUE(seal->valid);
}

TEST_F(Evidence, PdfWithoutAReportIsRefused) {
  auto plain = records::evidence_from_pdf(testing::make_text_pdf({"Nu este o dovadă"}), "altul.pdf");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, ErrorCode::corrupt);
  EXPECT_NE(plain.error().to_string().find("altul.pdf"), std::string::npos);
  auto broken = records::evidence_from_pdf("%PDF-1.7\nnot really", "rupt.pdf");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::corrupt);
  EXPECT_FALSE(records::evidence_pdf("{\"format\": \"other\"}", dir_ / "p.pdf").ok());
}

TEST_F(Evidence, NotAReportIsRefused) {
  auto check = records::verify_evidence("{\"format\": \"something else\"}", std::nullopt, *trust_);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().code, ErrorCode::corrupt);
  EXPECT_FALSE(records::verify_evidence("not json", std::nullopt, *trust_).ok());
}

TEST_F(Evidence, DamagedBlobGivesNoEvidence) {
  auto versions = archive_->catalog().versions(id_);
  const std::string id = versions->front().original_blob_id;
  const fs::path path = dir_ / "archive/blobs/sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  write_file(path, "tampered");
  auto report = records::build_evidence(*archive_, id_, *trust_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::corrupt);
}

}  // namespace
}  // namespace dosar
