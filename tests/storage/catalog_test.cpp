// Contract suite for Catalog: every backend is one more instantiation.
#include "storage/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "storage/audit_chain.h"
#include "storage/sqlite_audit.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::PostgresServer;
using testing::TempDir;

class FixedClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point{} + std::chrono::seconds(1795000000);
  }
};

struct CatalogBackend {
  std::string name;
  // A new, empty place for a catalogue in `dir`: a file, or a database.
  std::function<std::string(const fs::path& dir)> make_place;
  std::function<Result<std::unique_ptr<Catalog>>(const std::string& place, const Clock& clock)> open;
  // Runs raw SQL on the backend's storage, to simulate tampering.
  std::function<void(const std::string& place, const std::string& sql)> tamper;
};

void PrintTo(const CatalogBackend& backend, std::ostream* os) {
  *os << backend.name;
}

CatalogBackend sqlite_backend() {
  return {"sqlite", [](const fs::path& dir) { return (dir / "catalog.sqlite").string(); },
          [](const std::string& file, const Clock& clock) {
            return open_sqlite_catalog(file, OpenMode::create, clock);
          },
          [](const std::string& file, const std::string& sql) {
            sqlite3* db = nullptr;
            ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
            char* message = nullptr;
            EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
                << (message ? message : "");
            sqlite3_free(message);
            sqlite3_close(db);
          }};
}

// A real PostgreSQL server (tests/support/postgres_server.h), a database per test.
CatalogBackend postgresql_backend() {
  return {"postgresql", [](const fs::path&) { return PostgresServer::shared().create_database(); },
          [](const std::string& uri, const Clock& clock) {
            return open_postgresql_catalog(uri, OpenMode::create, clock);
          },
          [](const std::string& uri, const std::string& sql) { PostgresServer::run_sql(uri, sql); }};
}

NewVersion version_of(const std::string& content, const std::string& name = "cerere ședință.pdf") {
  NewVersion v;
  v.original_blob_id = sha256_hex(content);
  v.original_name = name;
  v.mime_type = "application/pdf";
  v.size = content.size();
  v.page_count = 2;
  return v;
}

NewDocument document_of(const std::string& content) {
  NewDocument d;
  d.title = "Cerere de anchetă socială";
  d.document_type = "cerere";
  d.department = "DGASPC";
  d.first_version = version_of(content);
  return d;
}

class CatalogContract : public ::testing::TestWithParam<CatalogBackend> {
 protected:
  void SetUp() override {
    place_ = GetParam().make_place(dir_.path());
    auto opened = GetParam().open(place_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    catalog_ = std::move(opened).value();
  }
  DocumentId create(const std::string& content) {
    auto outcome = catalog_->create_document_unless_duplicate(document_of(content), "ana");
    EXPECT_TRUE(outcome.ok()) << outcome.error().to_string();
    return outcome->document.id;
  }
  TempDir dir_;
  std::string place_;
  FixedClock clock_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_P(CatalogContract, CreatesDocumentWithFirstVersion) {
  DocumentId id = create("one");
  auto doc = catalog_->document(id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->title, "Cerere de anchetă socială");
  EXPECT_EQ(doc->current_version, 1);
  EXPECT_EQ(doc->confidentiality, "internal");
  EXPECT_EQ(doc->created_at, "2026-11-18T11:06:40.000000Z");
  auto v = catalog_->version(id, 1);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->original_name, "cerere ședință.pdf");
  EXPECT_EQ(v->author, "ana");
  EXPECT_EQ(v->page_count, 2);
}

TEST_P(CatalogContract, ReportsSameOriginalAsDuplicateWithoutChange) {
  DocumentId id = create("same bytes");
  auto again = catalog_->create_document_unless_duplicate(document_of("same bytes"), "ion");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->document.id, id);
  EXPECT_EQ(catalog_->documents()->size(), 1u);
  EXPECT_EQ(catalog_->audit_trail(std::nullopt)->size(), 1u);
}

TEST_P(CatalogContract, AddsVersionsKeepingOldOnes) {
  DocumentId id = create("v1");
  NewVersion v2 = version_of("v2");
  v2.comment = "corectură";
  v2.derived.push_back({"text", sha256_hex("text"), 4, "text/plain; charset=utf-8"});
  v2.warnings.push_back("the name suggests image/png");
  PageInfo scanned;
  scanned.page = 1;
  scanned.text_source = "ocr";
  scanned.ocr_confidence = 91.5;
  scanned.rotated_degrees = 180;
  scanned.deskew_degrees = -0.75;
  v2.pages.push_back(scanned);
  ASSERT_TRUE(catalog_->add_version(id, v2, "ion").ok());
  auto versions = catalog_->versions(id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].original_blob_id, sha256_hex("v1"));
  EXPECT_EQ((*versions)[1].comment, "corectură");
  ASSERT_EQ((*versions)[1].derived.size(), 1u);
  EXPECT_EQ((*versions)[1].derived[0].kind, "text");
  EXPECT_EQ((*versions)[1].warnings, std::vector<std::string>{"the name suggests image/png"});
  EXPECT_EQ(catalog_->document(id)->current_version, 2);
  ASSERT_EQ((*versions)[1].pages.size(), 1u);
  EXPECT_EQ((*versions)[1].pages[0].text_source, "ocr");
  EXPECT_EQ((*versions)[1].pages[0].ocr_confidence, 91.5);
  EXPECT_EQ((*versions)[1].pages[0].rotated_degrees, 180);
  EXPECT_EQ((*versions)[1].pages[0].deskew_degrees, -0.75);
}

TEST_P(CatalogContract, ReportsUnknownDocumentAndVersionAsNotFound) {
  EXPECT_EQ(catalog_->document(42).error().code, ErrorCode::not_found);
  DocumentId id = create("x");
  EXPECT_EQ(catalog_->version(id, 7).error().code, ErrorCode::not_found);
  EXPECT_EQ(catalog_->add_version(99, version_of("y"), "ana").error().code, ErrorCode::not_found);
}

TEST_P(CatalogContract, RejectsInvalidDocuments) {
  NewDocument d = document_of("z");
  d.title = "";
  EXPECT_EQ(catalog_->create_document_unless_duplicate(d, "ana").error().code, ErrorCode::invalid_argument);
  d = document_of("z");
  d.confidentiality = "secret";
  EXPECT_EQ(catalog_->create_document_unless_duplicate(d, "ana").error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(catalog_->documents()->empty());
}

TEST_P(CatalogContract, WritesOneChainedAuditRowPerChange) {
  DocumentId id = create("a");
  ASSERT_TRUE(catalog_->add_version(id, version_of("b"), "ion").ok());
  auto trail = catalog_->audit_trail(id);
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(trail->size(), 2u);
  EXPECT_EQ((*trail)[0].action, "document.create");
  EXPECT_EQ((*trail)[0].prev_hash, kAuditGenesisHash);
  EXPECT_EQ((*trail)[1].action, "version.add");
  EXPECT_EQ((*trail)[1].actor, "ion");
  EXPECT_EQ((*trail)[1].prev_hash, (*trail)[0].hash);
  EXPECT_TRUE(catalog_->verify_audit_chain()->empty());
}

// Issue 12: the audit trail is a log, and logs show CNPs masked; the
// catalogue keeps the title as written.
TEST_P(CatalogContract, AuditRowOfATitleHoldsItsCnpMaskedAndTheChainStillVerifies) {
  NewDocument d = document_of("cnp");
  d.title = "Cerere 1800101400016 de anchetă";
  auto created = catalog_->create_document_unless_duplicate(d, "ana");
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_EQ(catalog_->document(created->document.id)->title, "Cerere 1800101400016 de anchetă");
  auto trail = catalog_->audit_trail(created->document.id);
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(trail->size(), 1u);
  EXPECT_EQ((*trail)[0].detail.find("1800101400016"), std::string::npos) << (*trail)[0].detail;
  EXPECT_NE((*trail)[0].detail.find("Cerere 1********0016 de anchetă"), std::string::npos)
      << (*trail)[0].detail;
  EXPECT_NE((*trail)[0].detail.find(sha256_hex("cnp")), std::string::npos);
  EXPECT_TRUE(catalog_->verify_audit_chain()->empty());
}

TEST_P(CatalogContract, DetectsAlteredAuditRow) {
  create("a");
  create("b");
  GetParam().tamper(place_, "UPDATE audit SET actor = 'mallory' WHERE seq = 1");
  auto problems = catalog_->verify_audit_chain();
  ASSERT_TRUE(problems.ok());
  ASSERT_FALSE(problems->empty());
  EXPECT_EQ((*problems)[0].seq, 1);
  EXPECT_NE((*problems)[0].message.find("altered"), std::string::npos);
}

TEST_P(CatalogContract, DetectsRemovedAuditRow) {
  create("a");
  create("b");
  create("c");
  GetParam().tamper(place_, "DELETE FROM audit WHERE seq = 2");
  auto problems = catalog_->verify_audit_chain();
  ASSERT_TRUE(problems.ok());
  ASSERT_FALSE(problems->empty());
  EXPECT_EQ((*problems)[0].seq, 3);
}

TEST_P(CatalogContract, ListsEveryBlobReference) {
  DocumentId id = create("a");
  NewVersion v2 = version_of("b");
  v2.derived.push_back({"text", sha256_hex("t"), 1, "text/plain"});
  ASSERT_TRUE(catalog_->add_version(id, v2, "ion").ok());
  std::vector<std::string> where;
  ASSERT_TRUE(catalog_
                  ->for_each_blob_reference([&](const BlobReference& r) -> Status {
                    where.push_back(r.where);
                    return {};
                  })
                  .ok());
  EXPECT_EQ(where.size(), 3u);
}

TEST_P(CatalogContract, PagesDocumentsNewestFirstByIdCursor) {
  for (int i = 1; i <= 5; ++i) create("document " + std::to_string(i));
  auto first = catalog_->documents_before(std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, 5);
  EXPECT_EQ((*first)[1].id, 4);
  auto rest = catalog_->documents_before(4, 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ(rest->back().id, 1);
  EXPECT_TRUE(catalog_->documents_before(1, 10)->empty());
}

TEST_P(CatalogContract, UpdatesAUsersRightsWithAnAuditRowOfBeforeAndAfter) {
  ASSERT_TRUE(catalog_->add_user({"ana", "Ana", false, {"Urbanism"}, false}, "admin").ok());
  ASSERT_TRUE(catalog_->update_user({"ana", "Ana Pop", false, {"DGASPC", "Juridic"}, true}, "admin").ok());
  auto ana = catalog_->user("ana");
  ASSERT_TRUE(ana.ok());
  EXPECT_EQ(ana->display_name, "Ana Pop");
  EXPECT_EQ(ana->departments, (std::vector<std::string>{"DGASPC", "Juridic"}));
  EXPECT_TRUE(ana->restricted_access);
  auto trail = catalog_->audit_trail(std::nullopt);
  ASSERT_TRUE(trail.ok());
  EXPECT_EQ(trail->back().action, "user.update");
  EXPECT_EQ(trail->back().actor, "admin");
  EXPECT_NE(trail->back().detail.find("Urbanism"), std::string::npos) << "the rights before";
  EXPECT_EQ(catalog_->update_user({"nimeni", "", false, {}, false}, "admin").error().code,
            ErrorCode::not_found);
}

TEST_P(CatalogContract, KnowsDepartmentsAddedAndThoseOfUsersAndDocuments) {
  create("one");  // DGASPC
  ASSERT_TRUE(catalog_->add_user({"ion", "", false, {"Urbanism"}, false}, "admin").ok());
  ASSERT_TRUE(catalog_->add_department("Juridic", "admin").ok());
  EXPECT_EQ(*catalog_->departments(), (std::vector<std::string>{"DGASPC", "Juridic", "Urbanism"}));
  EXPECT_EQ(catalog_->add_department("Urbanism", "admin").error().code, ErrorCode::conflict);
  EXPECT_EQ(catalog_->add_department("", "admin").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(catalog_->add_department(std::string(201, 'x'), "admin").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(catalog_->departments()->size(), 3u) << "nothing refused was stored";
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogContract, ::testing::Values(sqlite_backend(), postgresql_backend()),
                         [](const auto& param_info) { return param_info.param.name; });

// SQLite specifics.

// A digest is read back as written (records/evidence.cpp): 13 digits inside
// one that happen to form a valid CNP stay; free text around it is masked.
TEST(AuditDetail, MasksCnpsInFreeTextButNotInsideADigest) {
  const std::string digest = "ab1800101400016" + std::string(49, 'c');
  const std::string detail =
      nlohmann::json{{"original", digest}, {"reason", "CNP 1800101400016"}, {"version", 1}}.dump();
  auto masked = nlohmann::json::parse(sql::mask_audit_detail(detail));
  EXPECT_EQ(masked["original"], digest);
  EXPECT_EQ(masked["reason"], "CNP 1********0016");
  EXPECT_EQ(masked["version"], 1);
  const std::string plain = R"({"title":"fără CNP","version":1})";
  EXPECT_EQ(sql::mask_audit_detail(plain), plain);
}

TEST(SqliteCatalog, RefusesFileThatIsNotADatabase) {
  TempDir dir;
  testing::write_file(dir / "catalog.sqlite", std::string(4096, 'x'));
  auto opened = open_sqlite_catalog(dir / "catalog.sqlite", OpenMode::existing);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::corrupt);
}

TEST(SqliteCatalog, RefusesSchemaFromNewerDosar) {
  TempDir dir;
  ASSERT_TRUE(open_sqlite_catalog(dir / "catalog.sqlite", OpenMode::create).ok());
  sqlite_backend().tamper((dir / "catalog.sqlite").string(),
                          "INSERT INTO schema_migrations VALUES (999, 'future')");
  auto opened = open_sqlite_catalog(dir / "catalog.sqlite", OpenMode::existing);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::unsupported);
  EXPECT_NE(opened.error().message.find("newer"), std::string::npos);
}

TEST(SqliteCatalog, ReopensWithoutReapplyingMigrations) {
  TempDir dir;
  {
    auto c = open_sqlite_catalog(dir / "catalog.sqlite", OpenMode::create);
    ASSERT_TRUE(c->get()->create_document_unless_duplicate(document_of("keep"), "ana").ok());
  }
  auto reopened = open_sqlite_catalog(dir / "catalog.sqlite", OpenMode::existing);
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  EXPECT_EQ(reopened->get()->documents()->size(), 1u);
}

TEST(SqliteCatalog, UsesWalAndFullSync) {
  TempDir dir;
  auto c = open_sqlite_catalog(dir / "catalog.sqlite", OpenMode::create);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(fs::exists(dir / "catalog.sqlite-wal"));
}

// PostgreSQL specifics.

TEST(PostgresCatalog, RefusesSchemaFromNewerDosar) {
  const std::string uri = PostgresServer::shared().create_database();
  ASSERT_TRUE(open_postgresql_catalog(uri, OpenMode::create).ok());
  PostgresServer::run_sql(uri, "INSERT INTO schema_migrations VALUES (999, 'future')");
  auto opened = open_postgresql_catalog(uri, OpenMode::existing);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::unsupported);
  EXPECT_NE(opened.error().message.find("newer"), std::string::npos);
}

TEST(PostgresCatalog, ReopensWithoutReapplyingMigrations) {
  const std::string uri = PostgresServer::shared().create_database();
  {
    auto c = open_postgresql_catalog(uri, OpenMode::create);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    ASSERT_TRUE(c->get()->create_document_unless_duplicate(document_of("keep"), "ana").ok());
  }
  auto reopened = open_postgresql_catalog(uri, OpenMode::existing);
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  EXPECT_EQ(reopened->get()->documents()->size(), 1u);
}

TEST(PostgresCatalog, CreateRefusesADatabaseWithACatalogueAndOpenOneWithout) {
  const std::string uri = PostgresServer::shared().create_database();
  auto empty = open_postgresql_catalog(uri, OpenMode::existing);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::not_found);
  ASSERT_TRUE(open_postgresql_catalog(uri, OpenMode::create).ok());
  auto again = open_postgresql_catalog(uri, OpenMode::create);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

TEST(PostgresCatalog, MissingDatabaseIsNotFoundAndUnreachableServerAnIoErrorNamingIt) {
  auto missing =
      open_postgresql_catalog(PostgresServer::shared().uri("no_such_database"), OpenMode::existing);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  TempDir nowhere;
  auto unreachable = open_postgresql_catalog(
      "postgresql:///dosar?host=" + nowhere.path().string() + "&port=5432&user=postgres", OpenMode::existing);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, ErrorCode::io);
  EXPECT_NE(unreachable.error().subject.find("postgresql server " + nowhere.path().string()),
            std::string::npos)
      << unreachable.error().subject;
}

// Issue 13, faults: the server restarted under a running catalogue.
TEST(PostgresCatalog, ServerRestartIsAClearIoErrorThenTheNextCallReconnectsWithNothingHalfDone) {
  auto& server = PostgresServer::shared();
  const std::string uri = server.create_database();
  auto catalog = open_postgresql_catalog(uri, OpenMode::create);
  ASSERT_TRUE(catalog.ok()) << catalog.error().to_string();
  ASSERT_TRUE((*catalog)->create_document_unless_duplicate(document_of("before"), "ana").ok());
  server.restart();
  auto cut = (*catalog)->create_document_unless_duplicate(document_of("during"), "ana");
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::io);
  EXPECT_NE(cut.error().subject.find("postgresql server"), std::string::npos) << cut.error().to_string();
  EXPECT_NE(cut.error().message.find("lost the connection"), std::string::npos) << cut.error().to_string();
  auto after = (*catalog)->create_document_unless_duplicate(document_of("after"), "ana");
  ASSERT_TRUE(after.ok()) << after.error().to_string();
  auto documents = (*catalog)->documents();
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 2u) << "the cut call stored nothing";
  EXPECT_TRUE((*catalog)->verify_audit_chain()->empty());
}

}  // namespace
}  // namespace dosar
