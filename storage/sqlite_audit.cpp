#include "storage/sqlite_audit.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/cnp.h"
#include "storage/audit_chain.h"

namespace dosar::sql {
namespace {

// A digest or a random id (SHA-256 of a blob, a Merkle root, a package id):
// never free text, and read back as it was written (records/evidence.cpp),
// so a run of 13 digits inside it is not a CNP to mask.
bool is_hex_token(const std::string& text) {
  return text.size() >= 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Masks valid CNPs in the string values of `j`; true when one changed.
bool mask_cnps_in(nlohmann::json& j) {
  bool changed = false;
  if (j.is_string()) {
    const std::string& text = j.get_ref<const std::string&>();
    if (is_hex_token(text)) return false;
    std::string masked = mask_cnps(text);
    if (masked == text) return false;
    j = std::move(masked);
    return true;
  }
  if (j.is_structured())
    for (auto& value : j) changed = mask_cnps_in(value) || changed;
  return changed;
}

}  // namespace

std::string mask_audit_detail(const std::string& detail) {
  nlohmann::json j = nlohmann::json::parse(detail, nullptr, false);
  if (j.is_discarded()) return mask_cnps(detail);
  // Re-dumped only when something was masked: other rows keep their bytes.
  return mask_cnps_in(j) ? j.dump() : detail;
}

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
  r.detail = mask_audit_detail(detail);
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
