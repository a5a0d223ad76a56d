// Appending to the audit hash chain in the SQLite catalogue (internal to
// storage/): shared by every store that keeps its data in catalog.sqlite.
#pragma once

#include <optional>
#include <string>

#include "storage/catalog.h"
#include "storage/sqlite_db.h"

namespace dosar {

// REQUIRES: inside a write transaction on `db`, so that the chain head cannot move.
Status append_audit_row(sqlite::Database& db, const std::string& at, const std::string& actor,
                        const std::string& action, std::optional<DocumentId> id, const std::string& detail);

}  // namespace dosar
