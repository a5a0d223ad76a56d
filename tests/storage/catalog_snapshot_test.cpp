// ArchiveStore::snapshot_catalog and create_from_catalog (storage/catalog_snapshot.cpp):
// the catalogue's half of a backup and of a restore.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/sha256.h"
#include "storage/archive_store.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void add_document(ArchiveStore& archive, const std::string& content) {
  auto blob = archive.blobs().put(content);
  ASSERT_TRUE(blob.ok());
  NewDocument d;
  d.title = content;
  d.first_version.original_blob_id = blob->id;
  d.first_version.original_name = content + ".pdf";
  d.first_version.mime_type = "application/pdf";
  d.first_version.size = blob->size;
  ASSERT_TRUE(archive.catalog().create_document_unless_duplicate(d, "ana").ok());
}

TEST(CatalogSnapshot, CopiesCommittedStateWhileAnotherProcessHoldsAWriteTransaction) {
  TempDir dir;
  auto archive = ArchiveStore::create(dir / "a");
  ASSERT_TRUE(archive.ok());
  add_document(**archive, "întâi");
  add_document(**archive, "al doilea");

  // Another writer, mid-transaction: its row must not be in the snapshot,
  // and the snapshot must not wait for it.
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "a/catalog.sqlite").c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN IMMEDIATE; UPDATE documents SET title = 'neconfirmat' WHERE id = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  Status snapshot = (*archive)->snapshot_catalog(dir / "snap.sqlite");
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().to_string();
  sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(writer);

  auto restored = ArchiveStore::create_from_catalog(dir / "r", dir / "snap.sqlite");
  ASSERT_TRUE(restored.ok()) << restored.error().to_string();
  EXPECT_FALSE(fs::exists(dir / "snap.sqlite")) << "the snapshot is moved in";
  auto documents = (*restored)->catalog().documents();
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0].title, "întâi");
  auto chain = (*restored)->catalog().verify_audit_chain();
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->empty());
  // The blob store starts empty: blobs come separately.
  auto present = (*restored)->blobs().contains(sha256_hex("întâi"));
  ASSERT_TRUE(present.ok());
  EXPECT_FALSE(*present);
}

TEST(CatalogSnapshot, RefusesExistingDestinationAndExistingArchive) {
  TempDir dir;
  auto archive = ArchiveStore::create(dir / "a");
  ASSERT_TRUE(archive.ok());
  testing::write_file(dir / "taken", "x");
  Status snapshot = (*archive)->snapshot_catalog(dir / "taken");
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.error().code, ErrorCode::conflict);
  EXPECT_EQ(testing::read_file(dir / "taken"), "x");

  ASSERT_TRUE((*archive)->snapshot_catalog(dir / "snap").ok());
  auto over = ArchiveStore::create_from_catalog(dir / "a", dir / "snap");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::conflict);
  EXPECT_TRUE(fs::exists(dir / "snap"));
}

}  // namespace
}  // namespace dosar
