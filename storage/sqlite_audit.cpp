#include "storage/sqlite_audit.h"

#include "storage/audit_chain.h"

namespace dosar::sql {

Result<Database> open_catalog_connection(const CatalogLocation& where) {
  if (where.engine == CatalogLocation::Engine::postgresql) return Database::open_postgresql(where.target);
  auto db = Database::open_sqlite(where.target, false);
  if (!db.ok()) return db.error();
  DOSAR_TRY(db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  return db;
}

Status append_audit(Database& db, const std::string& at, const std::string& actor, const std::string& action,
                    std::optional<DocumentId> document, const std::string& detail) {
  auto head = db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  if (!head.ok()) return head.error();
  auto row = head->step();
  if (!row.ok()) return row.error();
  AuditRecord r;
  r.seq = *row ? head->integer(0) + 1 : 1;
  r.prev_hash = *row ? head->text(1) : kAuditGenesisHash;
  r.at = at;
  r.actor = actor;
  r.action = action;
  r.document_id = document;
  r.detail = detail;
  r.hash = audit_row_hash(r);
  auto s = db.prepare(
      "INSERT INTO audit(seq, at, actor, action, document_id, detail, prev_hash, "
      "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.error();
  return s->bind(1, r.seq)
      .bind(2, r.at)
      .bind(3, r.actor)
      .bind(4, r.action)
      .bind(5, r.document_id)
      .bind(6, r.detail)
      .bind(7, r.prev_hash)
      .bind(8, r.hash)
      .run();
}

}  // namespace dosar::sql
