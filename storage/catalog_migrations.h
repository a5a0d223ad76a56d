// Numbered schema migrations of the catalogue (internal to storage/). A
// migration is never edited once released; changes are new migrations.
#pragma once

#include <string>
#include <vector>

#include "storage/sql_db.h"

namespace dosar {

struct Migration {
  int number;
  const char* sql;  // both engines; PostgreSQL's translated by migration_sql
  // What only one engine can do (SQLite's writable_schema, PostgreSQL's
  // ALTER TABLE … CONSTRAINT), run before `sql` on that engine only.
  const char* sqlite_first = "";
  const char* postgresql_first = "";
  // What only Dosar's code can compute for rows already there (text folded
  // by base/text_folding.h), run after `sql` in the same transaction on
  // both engines; nullptr: nothing.
  Status (*fill)(sql::Database& db) = nullptr;
};

const std::vector<Migration>& catalog_migrations();

// The text to run on `dialect`. For PostgreSQL: INTEGER becomes BIGINT (SQLite's are 64-bit), REAL DOUBLE
// PRECISION, BLOB BYTEA, and an `id` or `seq` INTEGER PRIMARY KEY (SQLite's rowid) an identity column that
// also accepts given values.
std::string migration_sql(const Migration& migration, sql::Dialect dialect);

}  // namespace dosar
