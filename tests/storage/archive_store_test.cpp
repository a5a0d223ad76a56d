#include "storage/archive_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "base/sha256.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class ArchiveCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = ArchiveStore::create(dir_ / "archive");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    archive_ = std::move(created).value();
    for (std::string content : {"first document", "second document"}) {
      auto blob = archive_->blobs().put(content);
      ASSERT_TRUE(blob.ok());
      NewDocument d;
      d.title = content;
      d.first_version.original_blob_id = blob->id;
      d.first_version.original_name = content + ".pdf";
      d.first_version.mime_type = "application/pdf";
      d.first_version.size = blob->size;
      ASSERT_TRUE(archive_->catalog().create_document_unless_duplicate(d, "ana").ok());
    }
  }

  fs::path blob_path(const std::string& content) const {
    std::string id = sha256_hex(content);
    return dir_ / "archive/blobs/sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
  }

  CheckReport check(CheckDepth depth) const {
    auto report = check_archive(*archive_, depth, nullptr);
    EXPECT_TRUE(report.ok());
    return *report;
  }

  static bool mentions(const CheckReport& report, const std::string& fragment) {
    for (const auto& f : report.findings)
      if (f.severity == CheckFinding::Severity::error &&
          (f.subject + ": " + f.message).find(fragment) != std::string::npos)
        return true;
    return false;
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
};

TEST_F(ArchiveCheck, PassesOnIntactArchive) {
  CheckReport report = check(CheckDepth::full);
  EXPECT_FALSE(report.has_errors());
  EXPECT_EQ(report.blobs_checked, 2u);
  EXPECT_EQ(report.references_checked, 2u);
  EXPECT_EQ(report.audit_rows_checked, 2u);
}

TEST_F(ArchiveCheck, FullCheckFindsBlobWhoseBytesChangedButKeptSize) {
  ::chmod(blob_path("first document").c_str(), 0644);
  testing::write_file(blob_path("first document"), "first documenT");
  EXPECT_FALSE(check(CheckDepth::quick).has_errors()) << "same size: only rehashing can tell";
  CheckReport report = check(CheckDepth::full);
  EXPECT_TRUE(report.has_errors());
  EXPECT_TRUE(mentions(report, sha256_hex("first document")));
}

TEST_F(ArchiveCheck, QuickCheckFindsMissingAndTruncatedBlobs) {
  fs::remove(blob_path("first document"));
  ::chmod(blob_path("second document").c_str(), 0644);
  testing::write_file(blob_path("second document"), "second");
  CheckReport report = check(CheckDepth::quick);
  EXPECT_TRUE(mentions(report, "document 1 version 1 original"));
  EXPECT_TRUE(mentions(report, "missing"));
  EXPECT_TRUE(mentions(report, "has 6 bytes"));
}

TEST_F(ArchiveCheck, FindsTamperedAuditTrail) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "archive/catalog.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE audit SET detail = '{}' WHERE seq = 2", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_TRUE(mentions(check(CheckDepth::quick), "audit row 2"));
}

TEST_F(ArchiveCheck, ReportsUnreferencedBlobAsNoteNotError) {
  ASSERT_TRUE(archive_->blobs().put("left by an interrupted ingest").ok());
  CheckReport report = check(CheckDepth::full);
  EXPECT_FALSE(report.has_errors());
  bool noted = false;
  for (const auto& f : report.findings)
    noted = noted || f.message.find("not referenced") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(ArchiveStore, RefusesToCreateOverExistingArchiveOrNonEmptyFolder) {
  TempDir dir;
  ASSERT_TRUE(ArchiveStore::create(dir / "a").ok());
  EXPECT_EQ(ArchiveStore::create(dir / "a").error().code, ErrorCode::conflict);
  testing::write_file(dir / "b/notes.txt", "x");
  EXPECT_EQ(ArchiveStore::create(dir / "b").error().code, ErrorCode::conflict);
}

TEST(ArchiveStore, OpeningAFolderWithoutArchiveSaysSo) {
  TempDir dir;
  auto opened = ArchiveStore::open(dir.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::not_found);
  EXPECT_NE(opened.error().message.find("dosar init"), std::string::npos);
}

// Issue 13: `dosar init --blobs file:DIR` keeps the blobs in another folder,
// recorded in config.json, where every later open finds them.
TEST(ArchiveBlobs, FolderOfOnesChoiceIsRecordedAndUsedOnOpen) {
  TempDir dir;
  auto setting = parse_blobs_setting("file:" + (dir / "elsewhere").string(), "");
  ASSERT_TRUE(setting.ok());
  {
    auto created = ArchiveStore::create(dir / "archive", system_clock(), *setting);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    ASSERT_TRUE((*created)->blobs().put("în altă parte").ok());
  }
  std::string id = sha256_hex("în altă parte");
  EXPECT_TRUE(fs::exists(dir / "elsewhere/sha256" / id.substr(0, 2) / id.substr(2, 2) / id));
  EXPECT_FALSE(fs::exists(dir / "archive/blobs"));
  auto opened = ArchiveStore::open(dir / "archive");
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE((*opened)->blobs_setting() == *setting);
  EXPECT_TRUE((*opened)->blobs().verify(id).ok());
}

TEST(ArchiveBlobs, RefusesAFolderThatHoldsFilesAlready) {
  TempDir dir;
  testing::write_file(dir / "elsewhere/sha256/ab/cd/x", "of another archive");
  auto created = ArchiveStore::create(dir / "archive", system_clock(),
                                      *parse_blobs_setting("file:" + (dir / "elsewhere").string(), ""));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::conflict);
  EXPECT_FALSE(fs::exists(dir / "archive")) << "nothing made";
}

}  // namespace
}  // namespace dosar
