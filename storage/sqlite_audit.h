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
// head cannot move between reading it and appending. Errors: io, conflict.
Status append_audit(Database& db, const std::string& at, const std::string& actor, const std::string& action,
                    std::optional<DocumentId> document, const std::string& detail);

}  // namespace dosar::sql
