// Signing a stored document: a new version, the old one untouched (issue 5).
#include "ingest/document_signing.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ingest/ingester.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using dosar::testing::TempDir;

class DocumentSigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(std::system(("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " +
                           (dir_ / "pki").string() + " >/dev/null 2>&1")
                              .c_str()),
              0);
    archive_ = std::move(ArchiveStore::create(dir_ / "archive")).value();
  }

  DocumentId store(const std::string& name, const std::string& bytes) {
    dosar::testing::write_file(dir_ / "in" / name, bytes);
    IngestOptions options;
    options.actor = "ana";
    options.ocr = false;
    auto ingester = Ingester::create(*archive_, options);
    EXPECT_TRUE(ingester.ok());
    DocumentId id = 0;
    Status status =
        (*ingester)->ingest({dir_ / "in" / name}, [&](const IngestItem& i) { id = i.document_id; });
    EXPECT_TRUE(status.ok());
    return id;
  }

  signing::SigningKey key() {
    return std::move(signing::SigningKey::from_pkcs12(dir_ / "pki" / "rsa.p12", "test")).value();
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
};

TEST_F(DocumentSigningTest, SignedPdfBecomesANewVersionAndTheOldOneStays) {
  const std::string original = dosar::testing::make_text_pdf({"Dispoziție de aprobare"});
  const DocumentId id = store("dispozitie.pdf", original);
  ASSERT_GT(id, 0);
  auto signed_version = sign_current_version(*archive_, id, key(), {}, "director");
  ASSERT_TRUE(signed_version.ok()) << signed_version.error().to_string();
  EXPECT_EQ(signed_version->number, 2);
  EXPECT_EQ(signed_version->author, "director");
  EXPECT_NE(signed_version->comment.find("signed by Ion Popescu (RSA) (PAdES-B-B)"), std::string::npos);

  auto first = archive_->catalog().version(id, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*archive_->blobs().read(first->original_blob_id, Verify::hash), original);
  auto signed_pdf = archive_->blobs().read(signed_version->original_blob_id, Verify::hash);
  ASSERT_TRUE(signed_pdf.ok());
  EXPECT_EQ(signed_pdf->compare(0, original.size(), original), 0);
  auto trust = signing::load_trust_store(dir_ / "pki" / "trust-crl");
  ASSERT_TRUE(trust.ok());
  auto report = signing::verify_pdf(*signed_pdf, **trust);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->valid);
  EXPECT_TRUE(fs::is_empty(archive_->spool_dir()));
}

TEST_F(DocumentSigningTest, DocumentThatIsNotAPdfIsRefusedAndNothingIsAdded) {
  const DocumentId id = store("scan.jpg", dosar::testing::read_file(DOSAR_TEST_DATA "/scans/s01.jpg"));
  ASSERT_GT(id, 0);
  auto signed_version = sign_current_version(*archive_, id, key(), {}, "director");
  ASSERT_FALSE(signed_version.ok());
  EXPECT_EQ(signed_version.error().code, ErrorCode::unsupported);
  EXPECT_EQ(archive_->catalog().document(id)->current_version, 1);
}

}  // namespace
}  // namespace dosar
