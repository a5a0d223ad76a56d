// Shared by the SQL-backed stores of one archive (internal to storage/):
// connections to the catalogue, and appending to its one audit hash chain.
#pragma once

#include <optional>
#include <string>

#include "storage/catalog.h"
#include "storage/sql_db.h"

namespace dosar::sql {

// One more connection to an existing catalogue, SQLite or PostgreSQL, with
// the catalogue's durability and foreign-key settings, for a store beside the
// Catalog (registry, flows, persons, …). Errors: not_found, corrupt,
// permission, io.
Result<Database> open_catalog_connection(const CatalogLocation& where);

// REQUIRES: inside a write transaction (sql::Transaction), so that the chain
// head cannot move between reading it and appending. The audit trail is a
// log: `detail` is stored as mask_audit_detail makes it, so that no valid
// CNP copied from a title, subject or reason is kept in clear (issue 12).
// Errors: io, conflict.
Status append_audit(Database& db, const std::string& at, const std::string& actor, const std::string& action,
                    std::optional<DocumentId> document, const std::string& detail);

// `detail` (JSON) with every valid CNP in its string values masked
// (mask_cnp); values that are digests or random ids (32 or more lowercase
// hex digits) are kept. Text that is not JSON is masked whole.
std::string mask_audit_detail(const std::string& detail);

}  // namespace dosar::sql
