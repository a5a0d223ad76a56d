// Shared by the SQLite-backed stores of one archive (internal to storage/):
// connections to the catalogue, and appending to its one audit hash chain.
#pragma once

#include <optional>
#include <string>

#include "storage/catalog.h"
#include "storage/sqlite_db.h"

namespace dosar::sqlite {

// One more connection to an existing catalogue, with the catalogue's
// durability and foreign-key settings, for a store beside the Catalog
// (registry, flows). Errors: not_found, corrupt, io.
Result<Database> open_catalog_connection(const std::string& file);

// REQUIRES: inside a write transaction (BEGIN IMMEDIATE), so that the chain
// head cannot move between reading it and appending. Errors: io, conflict.
Status append_audit(Database& db, const std::string& at, const std::string& actor, const std::string& action,
                    std::optional<DocumentId> document, const std::string& detail);

}  // namespace dosar::sqlite
