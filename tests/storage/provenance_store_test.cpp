// The imported provenance's store (storage/sqlite_provenance_store.cpp) on
// both catalogue engines (issue 13): kept once per document, with its audit
// row in the same transaction.
#include "storage/provenance_store.h"

#include <gtest/gtest.h>

#include "storage/archive_store.h"
#include "tests/support/catalog_engines.h"

namespace dosar {
namespace {

using ProvenanceStoreTest = testing::ArchiveOnEachEngine;

TEST_P(ProvenanceStoreTest, KeepsTheProvenanceOfADocumentOnceWithItsAuditRow) {
  const DocumentId id = add_document("importat", "%PDF-1.4 importat");
  auto store = open_provenance_store(*archive_);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ((*store)->imported(id).value(), std::nullopt);

  const ImportedProvenance p{id, "", "bag-2026.tar", 4711, R"({"audit":[]})"};
  ASSERT_TRUE((*store)->record_import(p, "arhivar").ok());
  auto kept = (*store)->imported(id).value();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->source, "bag-2026.tar");
  EXPECT_EQ(kept->original_id, 4711);
  EXPECT_EQ(kept->provenance, R"({"audit":[]})");
  EXPECT_FALSE(kept->imported_at.empty());
  auto trail = archive_->catalog().audit_trail(id).value();
  EXPECT_EQ(trail.back().action, "records.import");
  const std::size_t rows = archive_->catalog().audit_trail(std::nullopt)->size();

  auto twice = (*store)->record_import(p, "arhivar");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  ImportedProvenance nowhere = p;
  nowhere.document_id = 999;
  EXPECT_EQ((*store)->record_import(nowhere, "arhivar").error().code, ErrorCode::not_found);
  EXPECT_EQ(archive_->catalog().audit_trail(std::nullopt)->size(), rows);
  EXPECT_TRUE(archive_->catalog().verify_audit_chain()->empty());
}

DOSAR_ON_BOTH_CATALOG_ENGINES(ProvenanceStoreTest);

}  // namespace
}  // namespace dosar
