// Numbered schema migrations of the catalogue (internal to storage/). A
// migration is never edited once released; changes are new migrations.
#pragma once

#include <string>
#include <vector>

#include "storage/sql_db.h"

namespace dosar {

struct Migration {
  int number;
  const char* sql;  // SQLite; PostgreSQL runs it translated by migration_sql
  // PostgreSQL's own text, for the few migrations that use what only SQLite
  // has (PRAGMA, writable_schema); null for the others.
  const char* postgresql_sql = nullptr;
};

const std::vector<Migration>& catalog_migrations();

// The text to run on `dialect`. For PostgreSQL, unless the migration has its
// own: INTEGER becomes BIGINT (SQLite's are 64-bit), REAL DOUBLE PRECISION,
// BLOB BYTEA, and an `id` or `seq` INTEGER PRIMARY KEY (SQLite's rowid)
// an identity column that also accepts given values.
std::string migration_sql(const Migration& migration, sql::Dialect dialect);

}  // namespace dosar
