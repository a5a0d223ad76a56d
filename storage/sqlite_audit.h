// Appending to the audit hash chain from any SQLite-backed store (internal to
// storage/): the catalogue and the registry store share one chain.
#pragma once

#include <optional>
#include <string>

#include "storage/catalog.h"
#include "storage/sqlite_db.h"

namespace dosar::sqlite {

// REQUIRES: inside a write transaction (BEGIN IMMEDIATE), so that the chain
// head cannot move between reading it and appending. Errors: io, conflict.
Status append_audit(Database& db, const std::string& at, const std::string& actor, const std::string& action,
                    std::optional<DocumentId> document, const std::string& detail);

}  // namespace dosar::sqlite
