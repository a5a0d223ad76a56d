// Shared by the SQL-backed stores of one archive (internal to storage/):
// connections to the catalogue, and appending to its one audit hash chain.
#pragma once

#include <optional>
#include <string>

#include "storage/catalog.h"
#include "storage/sql_db.h"

namespace dosar::sql {

// The engines a store has been ported to and tested on.
enum class Engines { sqlite_only, sqlite_and_postgresql };

// One more connection to an existing catalogue, with the catalogue's
// durability and foreign-key settings, for `store` beside the Catalog
// (registry, flows). A store not yet ported to PostgreSQL refuses a
// PostgreSQL catalogue rather than run untested SQL on it. Errors:
// not_found, corrupt, unsupported (naming the store and the server), io.
Result<Database> open_catalog_connection(const CatalogLocation& where, const std::string& store,
                                         Engines engines);

// REQUIRES: inside a write transaction (sql::Transaction), so that the chain
// head cannot move between reading it and appending. Errors: io, conflict.
Status append_audit(Database& db, const std::string& at, const std::string& actor, const std::string& action,
                    std::optional<DocumentId> document, const std::string& detail);

}  // namespace dosar::sql
