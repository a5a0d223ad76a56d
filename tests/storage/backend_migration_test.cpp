// The pieces of `dosar migrate` (issue 13 item 3) below the command line, on
// a real PostgreSQL server and a real s3rver: the catalogue copy and its
// resumption and refusals, the blob copy with its read-back check, the
// switch of config.json. The whole command runs in tests/e2e/migrate_test.sh.
#include "storage/backend_migration.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/sha256.h"
#include "storage/archive_store.h"
#include "storage/s3_blob_store.h"
#include "storage/sql_db.h"
#include "tests/support/postgres_server.h"
#include "tests/support/s3rver.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::PostgresServer;
using testing::TempDir;

// An embedded archive with `count` documents and a user.
std::unique_ptr<ArchiveStore> embedded_archive(const fs::path& root, int count) {
  auto created = ArchiveStore::create(root);
  EXPECT_TRUE(created.ok()) << created.error().to_string();
  auto archive = std::move(created).value();
  for (int i = 1; i <= count; ++i) {
    std::string content = "dosar " + std::to_string(i) + " " + root.string();
    auto blob = archive->blobs().put(content);
    EXPECT_TRUE(blob.ok());
    NewDocument d;
    d.title = "Cerere " + std::to_string(i);
    d.first_version.original_blob_id = blob->id;
    d.first_version.original_name = "cerere.pdf";
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = blob->size;
    EXPECT_TRUE(archive->catalog().create_document_unless_duplicate(d, "ana").ok());
  }
  User user;
  user.name = "ana";
  user.departments = {"DGASPC"};
  EXPECT_TRUE(archive->catalog().add_user(user, "admin").ok());
  return archive;
}

std::int64_t count_on(const std::string& uri, const std::string& table) {
  auto db = sql::Database::open_postgresql(uri);
  auto s = db->prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(s->step().ok());
  return s->integer(0);
}

Result<CatalogCopyReport> copy(const fs::path& root, const std::string& uri) {
  return copy_catalog_to_postgresql(root / "catalog.sqlite", uri, "migrator", nullptr);
}

TEST(CatalogCopy, KeepsIdsAndNewRowsContinueAfterTheHighest) {
  TempDir dir;
  auto archive = embedded_archive(dir / "archive", 3);
  auto documents = archive->catalog().documents();
  const std::string uri = PostgresServer::shared().create_database();
  std::int64_t progress_calls = 0, last_done = 0, last_total = 0;
  auto copied = copy_catalog_to_postgresql(dir / "archive/catalog.sqlite", uri, "migrator",
                                           [&](std::int64_t done, std::int64_t total) {
                                             ++progress_calls;
                                             last_done = done;
                                             last_total = total;
                                           });
  ASSERT_TRUE(copied.ok()) << copied.error().to_string();
  EXPECT_EQ(copied->tables_resumed, 0u);
  EXPECT_EQ(copied->rows_copied, copied->rows_total);
  EXPECT_GT(progress_calls, 0);
  EXPECT_EQ(last_done, last_total);

  auto target = open_postgresql_catalog(uri, OpenMode::existing);
  ASSERT_TRUE(target.ok()) << target.error().to_string();
  auto moved = (*target)->documents();
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->size(), documents->size());
  for (std::size_t i = 0; i < moved->size(); ++i) {
    EXPECT_EQ((*moved)[i].id, (*documents)[i].id);
    EXPECT_EQ((*moved)[i].title, (*documents)[i].title);
    EXPECT_EQ((*moved)[i].created_at, (*documents)[i].created_at);
  }
  EXPECT_TRUE((*target)->user("ana").ok());
  auto problems = (*target)->verify_audit_chain();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
  auto trail = (*target)->audit_trail(std::nullopt);
  EXPECT_EQ(trail->back().action, "archive.migrate");
  EXPECT_EQ(trail->size(), archive->catalog().audit_trail(std::nullopt)->size() + 1);

  // The identity sequence continues after the highest id copied.
  NewDocument d;
  d.title = "după migrare";
  d.first_version.original_blob_id = sha256_hex("nou");
  d.first_version.original_name = "nou.pdf";
  d.first_version.mime_type = "application/pdf";
  d.first_version.size = 3;
  auto added = (*target)->create_document_unless_duplicate(d, "ana");
  ASSERT_TRUE(added.ok()) << added.error().to_string();
  EXPECT_EQ(added->document.id, documents->back().id + 1);
}

TEST(CatalogCopy, RerunRecopiesOnlyTheTablesLeftIncompleteAndDuplicatesNothing) {
  TempDir dir;
  auto archive = embedded_archive(dir / "archive", 2);
  const std::string uri = PostgresServer::shared().create_database();
  ASSERT_TRUE(copy(dir / "archive", uri).ok());
  // As if interrupted before `audit` (a table nothing refers to) and the closing step.
  PostgresServer::run_sql(uri, "DELETE FROM dosar_migration WHERE item IN ('table:audit', 'catalog')");
  const std::int64_t versions = count_on(uri, "versions");
  ASSERT_EQ(count_on(uri, "audit"), 4);  // 2 documents, the user, archive.migrate

  auto state = migration_target_state(dir / "archive/catalog.sqlite", uri);
  ASSERT_TRUE(state.ok()) << state.error().to_string();
  EXPECT_EQ(*state, MigrationTargetState::in_progress);
  auto again = copy(dir / "archive", uri);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->tables_resumed, again->tables - 1);
  EXPECT_EQ(again->rows_copied, 3);  // the source's audit rows
  EXPECT_EQ(count_on(uri, "audit"), 4);
  EXPECT_EQ(count_on(uri, "versions"), versions);
  auto target = open_postgresql_catalog(uri, OpenMode::existing);
  EXPECT_TRUE((*target)->verify_audit_chain()->empty());
}

TEST(CatalogCopy, RefusesADatabaseHoldingOtherTablesNamingIt) {
  TempDir dir;
  embedded_archive(dir / "archive", 1);
  const std::string uri = PostgresServer::shared().create_database();
  PostgresServer::run_sql(uri, "CREATE TABLE contabilitate (id int)");
  auto copied = copy(dir / "archive", uri);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::conflict);
  EXPECT_NE(copied.error().subject.find("postgresql server"), std::string::npos) << copied.error().subject;
  EXPECT_NE(copied.error().message.find("is not empty (1 tables: contabilitate)"), std::string::npos)
      << copied.error().message;
  EXPECT_EQ(count_on(uri, "contabilitate"), 0);
}

TEST(CatalogCopy, RefusesToResumeAnotherArchivesMigration) {
  TempDir dir;
  embedded_archive(dir / "a", 1);
  embedded_archive(dir / "b", 1);
  const std::string uri = PostgresServer::shared().create_database();
  ASSERT_TRUE(copy(dir / "a", uri).ok());
  auto copied = copy(dir / "b", uri);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::conflict);
  EXPECT_NE(copied.error().message.find("another archive"), std::string::npos) << copied.error().message;
}

TEST(CatalogCopy, RefusesAStaleResumeAfterTheArchiveChanged) {
  TempDir dir;
  auto archive = embedded_archive(dir / "archive", 1);
  const std::string uri = PostgresServer::shared().create_database();
  ASSERT_TRUE(copy(dir / "archive", uri).ok());
  User user;
  user.name = "ion";
  ASSERT_TRUE(archive->catalog().add_user(user, "admin").ok());
  auto copied = copy(dir / "archive", uri);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::conflict);
  EXPECT_NE(copied.error().message.find("has changed since"), std::string::npos) << copied.error().message;
}

TEST(CatalogCopy, AFinishedMigrationIsNotRunAgain) {
  TempDir dir;
  embedded_archive(dir / "archive", 1);
  const std::string uri = PostgresServer::shared().create_database();
  ASSERT_TRUE(copy(dir / "archive", uri).ok());
  ASSERT_TRUE(finish_catalog_migration(uri).ok());
  EXPECT_EQ(*migration_target_state(dir / "archive/catalog.sqlite", uri), MigrationTargetState::finished);
  auto copied = copy(dir / "archive", uri);
  ASSERT_FALSE(copied.ok());
  EXPECT_NE(copied.error().message.find("already holds this archive"), std::string::npos);
}

TEST(CatalogCopy, AnUnreachableServerIsNamed) {
  TempDir dir;
  embedded_archive(dir / "archive", 1);
  auto copied =
      copy(dir / "archive", "postgresql:///dosar?host=" + (dir / "no-server").string() + "&port=5432");
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::io);
  EXPECT_NE(copied.error().subject.find((dir / "no-server").string()), std::string::npos)
      << copied.error().subject;
}

class BlobCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "spool");
    fs::create_directories(dir_ / "blobs/sha256");
    from_ = open_file_blob_store(dir_ / "blobs", dir_ / "spool");
    setting_ = *parse_blobs_setting("s3://dosar-test/" + testing::S3rver::unique_prefix(),
                                    testing::S3rver::shared().endpoint());
    // The credentials as an archive may keep them (the environment's come first).
    testing::write_file(dir_ / "config.json",
                        R"({"blobs_s3": {"access_key_id": "S3RVER", "secret_access_key": "S3RVER"}})");
    ::chmod((dir_ / "config.json").c_str(), 0600);
    auto config = read_archive_config(dir_.path());
    ASSERT_TRUE(config.ok()) << config.error().to_string();
    auto to = open_blob_store(dir_.path(), setting_, *config);
    ASSERT_TRUE(to.ok()) << to.error().to_string();
    to_ = std::move(to).value();
    for (const char* content : {"prima", "a doua", "a treia"}) ids_.push_back(from_->put(content)->id);
  }

  Result<BlobCopyReport> run() {
    return copy_blobs(*from_, *to_, describe(setting_), dir_ / "spool", verified_, nullptr);
  }

  fs::path object_of(const std::string& id) const {
    auto location = cloud::parse_s3_url(setting_.s3_url);
    return testing::S3rver::shared().object_file("dosar-test", s3_blob_key(location->prefix, id));
  }

  TempDir dir_;
  std::unique_ptr<BlobStore> from_, to_;
  BlobsSetting setting_;
  std::vector<std::string> ids_;
  VerifiedBlobs* verified_ = nullptr;  // what the run records, when a test sets it
};

TEST_F(BlobCopy, CopiesEveryBlobAndARerunSendsNothingAgain) {
  auto first = run();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->blobs, 3);
  EXPECT_EQ(first->copied, 3);
  EXPECT_EQ(first->bytes_copied, 5u + 6u + 7u);
  for (const auto& id : ids_) EXPECT_TRUE(to_->verify(id).ok());
  EXPECT_TRUE(from_->verify(ids_[0]).ok()) << "the source keeps its blobs";
  EXPECT_TRUE(fs::is_empty(dir_ / "spool")) << "staged links are consumed";
  auto second = run();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->copied, 0);
  EXPECT_EQ(second->already_there, 3);
}

// Issue 13: a rerun after an interrupted migration read back every blob
// already copied; those rehashed by the earlier run are now trusted.
TEST_F(BlobCopy, ARerunDoesNotReadBackBlobsAnEarlierRunVerified) {
  embedded_archive(dir_ / "archive", 1);
  const std::string uri = PostgresServer::shared().create_database();
  ASSERT_TRUE(copy(dir_ / "archive", uri).ok());
  auto verified = open_verified_blobs(uri, describe(setting_));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  verified_ = verified->get();
  ASSERT_TRUE(to_->put("a doua").ok());  // uploaded by a run killed before it read it back
  auto first = run();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->copied, 2);
  EXPECT_EQ(first->already_there, 1);
  EXPECT_EQ(first->verified_before, 0) << "never rehashed there: read back";
  EXPECT_EQ(count_on(uri, "dosar_migration WHERE item LIKE 'blob:%'"), 3);

  // Rehashed and recorded: a copy damaged since (same size) is not read
  // again, which is what makes the rerun cheap; `dosar check` rehashes.
  testing::write_file(object_of(ids_[1]), "A DOUA");
  auto reopened = open_verified_blobs(uri, describe(setting_));  // the record outlives the process
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  verified_ = reopened->get();
  auto second = run();
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->copied, 0);
  EXPECT_EQ(second->verified_before, 3);

  // Another destination's record does not count, a cut-off copy is sent again.
  testing::write_file(object_of(ids_[2]), "a t");
  auto elsewhere = open_verified_blobs(uri, "s3://alt/");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE((*elsewhere)->size_verified(ids_[0]));
  auto third = run();
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_EQ(third->copied, 1);
  EXPECT_EQ(third->verified_before, 2);
}

TEST_F(BlobCopy, AVerifiedBlobsRecordNeedsAMigrationInProgress) {
  auto verified = open_verified_blobs(PostgresServer::shared().create_database(), describe(setting_));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::conflict);
  EXPECT_NE(verified.error().message.find("holds no migration record"), std::string::npos)
      << verified.error().message;
}

TEST_F(BlobCopy, NamesAStoredCopyWithOtherBytesOfTheSameSize) {
  ASSERT_TRUE(run().ok());
  testing::write_file(object_of(ids_[1]), "A DOUA");
  auto again = run();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::corrupt);
  EXPECT_NE(again.error().message.find("blob " + ids_[1] + " does not arrive intact"), std::string::npos)
      << again.error().message;
}

TEST_F(BlobCopy, SendsACutOffCopyAgain) {
  ASSERT_TRUE(run().ok());
  testing::write_file(object_of(ids_[2]), "a t");  // an upload cut off, kept by the server
  auto again = run();
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->copied, 1);
  EXPECT_TRUE(to_->verify(ids_[2]).ok());
}

TEST_F(BlobCopy, RefusesATargetHoldingAnotherArchivesBlobs) {
  ASSERT_TRUE(to_->put("de la altă arhivă").ok());
  auto copied = run();
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::conflict);
  EXPECT_NE(copied.error().message.find("holds 1 blobs this archive does not have"), std::string::npos);
}

TEST_F(BlobCopy, NamesASourceBlobWhoseBytesAreNotItsName) {
  const std::string id = ids_[0];
  fs::path file = dir_ / "blobs/sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  testing::write_file(file, "PRIMA");
  auto copied = run();
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::corrupt);
  EXPECT_NE(copied.error().message.find(id), std::string::npos) << copied.error().message;
  EXPECT_FALSE(*to_->contains(id));
}

TEST(SwitchArchiveBackends, NamesTheNewBackendsAndKeepsTheOldFile) {
  TempDir dir;
  testing::write_file(dir / "config.json",
                      R"({"backup": {"endpoint": "http://backup"}, "index": "xapian:/old"})");
  ::chmod((dir / "config.json").c_str(), 0600);
  auto catalog = CatalogLocation::parse("postgresql://dosar@db/arhiva");
  auto blobs = parse_blobs_setting("s3://arhiva/blobs", "http://s3.local:9000");
  ASSERT_TRUE(switch_archive_backends(dir.path(), *catalog, *blobs, "xapian-tcp://idx1:3333").ok());
  auto config = read_archive_config(dir.path());
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->get("catalog"), "postgresql://dosar@db/arhiva");
  EXPECT_EQ(config->get("blobs"), "s3://arhiva/blobs/");
  EXPECT_EQ(config->get("blobs_s3.endpoint"), "http://s3.local:9000");
  EXPECT_EQ(config->get("index"), "xapian-tcp://idx1:3333");
  EXPECT_EQ(config->get("backup.endpoint"), "http://backup") << "other keys stay";
  EXPECT_EQ(*blobs_setting(*config), *blobs);
  EXPECT_NE(testing::read_file(dir / "config.json.before-migrate").find("xapian:/old"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "config.json.before-migrate").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace dosar
