// The catalogue engines a store's tests run on: one test body, instantiated
// for SQLite and for PostgreSQL on the run's one real server
// (postgres_server.h), as the contract suites are.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "storage/archive_store.h"
#include "storage/catalog.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace dosar {

// Names the engine in gtest's output rather than its bytes.
inline void PrintTo(CatalogLocation::Engine engine, std::ostream* os) {
  *os << (engine == CatalogLocation::Engine::sqlite ? "sqlite" : "postgresql");
}

}  // namespace dosar

namespace dosar::testing {

// Where ArchiveStore::create puts the catalogue: nothing for SQLite
// (ARCHIVE/catalog.sqlite), a fresh database for PostgreSQL.
inline std::optional<CatalogLocation> fresh_catalog(CatalogLocation::Engine engine) {
  if (engine == CatalogLocation::Engine::sqlite) return std::nullopt;
  return CatalogLocation{CatalogLocation::Engine::postgresql, PostgresServer::shared().create_database()};
}

// Names the instantiations ".../sqlite" and ".../postgresql".
inline std::string engine_name(const ::testing::TestParamInfo<CatalogLocation::Engine>& info) {
  return info.param == CatalogLocation::Engine::sqlite ? "sqlite" : "postgresql";
}

// A fixture with an empty archive whose catalogue is on the parameter's engine.
class ArchiveOnEachEngine : public ::testing::TestWithParam<CatalogLocation::Engine> {
 protected:
  void SetUp() override {
    auto created = ArchiveStore::create(dir_ / "archive", system_clock(), fresh_catalog(GetParam()));
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    archive_ = std::move(created).value();
  }

  // A document of one version whose original is `bytes` (the catalogue does
  // not read them).
  DocumentId add_document(const std::string& title, const std::string& bytes) {
    auto blob = archive_->blobs().put(bytes).value();
    NewDocument d;
    d.title = title;
    d.first_version.original_blob_id = blob.id;
    d.first_version.original_name = title + ".pdf";
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = blob.size;
    return archive_->catalog().create_document_unless_duplicate(d, "test").value().document.id;
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
};

}  // namespace dosar::testing

// Instantiates the parameterized `suite` for both engines.
#define DOSAR_ON_BOTH_CATALOG_ENGINES(suite)                                                \
  INSTANTIATE_TEST_SUITE_P(Engines, suite,                                                  \
                           ::testing::Values(::dosar::CatalogLocation::Engine::sqlite,      \
                                             ::dosar::CatalogLocation::Engine::postgresql), \
                           ::dosar::testing::engine_name)
