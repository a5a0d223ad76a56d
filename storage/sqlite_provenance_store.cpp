#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "storage/archive_store.h"
#include "storage/provenance_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Transaction;

class SqliteProvenanceStore final : public ProvenanceStore {
 public:
  SqliteProvenanceStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Status record_import(const ImportedProvenance& p, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string subject = "document " + std::to_string(p.document_id);
    auto exists = db_.prepare("SELECT 1 FROM documents WHERE id = ?");
    if (!exists.ok()) return exists.error();
    exists->bind(1, p.document_id);
    auto found = exists->step();
    if (!found.ok()) return found.error();
    if (!*found) return make_error(ErrorCode::not_found, subject, "no such document");
    auto already = imported(p.document_id);
    if (!already.ok()) return already.error();
    if (*already) return make_error(ErrorCode::conflict, subject, "already has imported provenance");
    const std::string at = format_utc(clock_.now());
    auto insert = db_.prepare(
        "INSERT INTO imported_provenance(document_id, imported_at, source, original_id, provenance) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.error();
    DOSAR_TRY(insert->bind(1, p.document_id)
                  .bind(2, at)
                  .bind(3, p.source)
                  .bind(4, p.original_id)
                  .bind(5, p.provenance)
                  .run());
    nlohmann::json detail = {{"source", p.source},
                             {"original_id", p.original_id},
                             {"provenance_sha256", sha256_hex(p.provenance)}};
    DOSAR_TRY(sql::append_audit(db_, at, actor, "records.import", p.document_id, detail.dump()));
    return tx->commit();
  }

  Result<std::optional<ImportedProvenance>> imported(DocumentId document) const override {
    auto s = db_.prepare(
        "SELECT document_id, imported_at, source, original_id, provenance FROM imported_provenance "
        "WHERE document_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, document);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<ImportedProvenance>{};
    return std::optional<ImportedProvenance>{
        ImportedProvenance{s->integer(0), s->text(1), s->text(2), s->integer(3), s->text(4)}};
  }

 private:
  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<ProvenanceStore>> open_provenance_store(const ArchiveStore& archive,
                                                               const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<ProvenanceStore>(
      std::make_unique<SqliteProvenanceStore>(std::move(db).value(), clock));
}

}  // namespace dosar
