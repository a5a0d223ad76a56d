#include "storage/backend_migration.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/clock.h"
#include "storage/config_file.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace fs = std::filesystem;
using sql::Database;
using sql::Statement;
using sql::Transaction;

namespace {

// The target's record of a migration: `archive` (whose), `source_head` (the
// source's last audit row when it began), `table:NAME` (rows, once the
// table is complete), `catalog` (all tables, sequences and the closing
// audit row done), `finished`. Not part of the catalogue's schema: it stays
// as the record of where the catalogue came from.
constexpr const char* kCreateMarker =
    "CREATE TABLE dosar_migration (item TEXT PRIMARY KEY, value TEXT NOT NULL)";
// A multi-row INSERT stays under PostgreSQL's 65,535 parameters.
constexpr std::size_t kMaxParameters = 30000;
constexpr std::size_t kMaxRowsPerInsert = 500;

// Table and column names come from the catalogue's own schema.
std::string sql_name(const std::string& name) {
  return "\"" + name + "\"";
}

Result<std::optional<std::string>> first_text(const Database& db, const std::string& query) {
  auto s = db.prepare(query);
  if (!s.ok()) return s.error();
  auto row = s->step();
  if (!row.ok()) return row.error();
  if (!*row || s->is_null(0)) return std::optional<std::string>();
  std::optional<std::string> value = s->text(0);
  DOSAR_TRY(s->run());  // SQLite: finish the statement so that it holds no read lock
  return value;
}

// Which archive the source is (its first audit row, made when its first
// document was stored) and how far it has got (its last audit row).
struct SourceIdentity {
  std::string archive;
  std::string head;
};

Result<SourceIdentity> identity_of(const Database& source, const fs::path& file) {
  auto first = first_text(source, "SELECT hash FROM audit ORDER BY seq LIMIT 1");
  if (!first.ok()) return first.error();
  auto head = first_text(source, "SELECT seq || ' ' || hash FROM audit ORDER BY seq DESC LIMIT 1");
  if (!head.ok()) return head.error();
  std::error_code ec;
  SourceIdentity id;
  id.archive = *first ? "audit " + **first : "empty archive " + fs::weakly_canonical(file, ec).string();
  id.head = head->value_or("0");
  return id;
}

Result<std::vector<std::string>> target_tables(const Database& target) {
  auto s = target.prepare(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND "
      "table_type = 'BASE TABLE' ORDER BY table_name");
  if (!s.ok()) return s.error();
  std::vector<std::string> names;
  DOSAR_TRY(s->for_each_row([&] { names.push_back(s->text(0)); }));
  return names;
}

Result<std::map<std::string, std::string>> marker_items(const Database& target) {
  auto s = target.prepare("SELECT item, value FROM dosar_migration");
  if (!s.ok()) return s.error();
  std::map<std::string, std::string> items;
  DOSAR_TRY(s->for_each_row([&] { items[s->text(0)] = s->text(1); }));
  return items;
}

Status set_marker(Database& target, const std::string& item, const std::string& value) {
  auto s = target.prepare(
      "INSERT INTO dosar_migration(item, value) VALUES (?, ?) "
      "ON CONFLICT (item) DO UPDATE SET value = excluded.value");
  if (!s.ok()) return s.error();
  return s->bind(1, item).bind(2, value).run();
}

Result<Database> open_source(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec))
    return make_error(ErrorCode::not_found, file.string(), "no SQLite catalogue to migrate");
  return Database::open_sqlite(file.string(), false);
}

std::string list_some(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 3; ++i) out += (i ? ", " : "") + names[i];
  return out + (names.size() > 3 ? ", …" : "");
}

// The state, from an open source and target.
Result<MigrationTargetState> state_of(const Database& source, const fs::path& source_file,
                                      const Database& target) {
  auto tables = target_tables(target);
  if (!tables.ok()) return tables.error();
  if (tables->empty()) return MigrationTargetState::empty;
  if (std::find(tables->begin(), tables->end(), "dosar_migration") == tables->end())
    return make_error(ErrorCode::conflict, target.path(),
                      "is not empty (" + std::to_string(tables->size()) + " tables: " + list_some(*tables) +
                          ") and holds no unfinished migration of this archive; give an empty database");
  auto items = marker_items(target);
  if (!items.ok()) return items.error();
  auto id = identity_of(source, source_file);
  if (!id.ok()) return id.error();
  if ((*items)["archive"] != id->archive)
    return make_error(ErrorCode::conflict, target.path(),
                      "holds the migration of another archive; give an empty database");
  if (items->count("finished")) return MigrationTargetState::finished;
  if ((*items)["source_head"] != id->head)
    return make_error(
        ErrorCode::conflict, target.path(),
        "holds an unfinished migration of this archive, which has changed since (audit head was " +
            (*items)["source_head"] + ", is now " + id->head +
            "): the copy is stale; empty that database (DROP SCHEMA public CASCADE; CREATE SCHEMA "
            "public) and run migrate again");
  return MigrationTargetState::in_progress;
}

struct Column {
  std::string name;
  enum class Kind { integer, real, text } kind = Kind::text;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;
  std::vector<std::string> parents;          // tables its foreign keys name, itself excluded
  std::vector<std::size_t> self_references;  // columns naming a row of the same table
};

Result<Column::Kind> kind_of(const std::string& table, const std::string& column, std::string declared) {
  for (char& ch : declared) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // SQLite's affinity rules (sqlite.org/datatype3.html, 3.1), in their order.
  if (declared.find("INT") != std::string::npos) return Column::Kind::integer;
  if (declared.find("CHAR") != std::string::npos || declared.find("CLOB") != std::string::npos ||
      declared.find("TEXT") != std::string::npos)
    return Column::Kind::text;
  if (declared.find("REAL") != std::string::npos || declared.find("FLOA") != std::string::npos ||
      declared.find("DOUB") != std::string::npos)
    return Column::Kind::real;
  return make_error(ErrorCode::unsupported, table + "." + column,
                    "has the type '" + declared + "', which the migration does not copy");
}

Result<Table> describe_table(const Database& source, const std::string& name) {
  Table table{name, {}, {}, {}, {}};
  auto info = source.prepare("PRAGMA table_info(" + sql_name(name) + ")");
  if (!info.ok()) return info.error();
  std::vector<std::pair<std::int64_t, std::string>> key;
  Status read = info->for_each_row([&]() -> Status {
    auto kind = kind_of(name, info->text(1), info->text(2));
    if (!kind.ok()) return kind.error();
    table.columns.push_back({info->text(1), *kind});
    if (info->integer(5) > 0) key.emplace_back(info->integer(5), info->text(1));
    return {};
  });
  DOSAR_TRY(read);
  std::sort(key.begin(), key.end());
  for (auto& [position, column] : key) table.primary_key.push_back(column);
  auto keys = source.prepare("PRAGMA foreign_key_list(" + sql_name(name) + ")");
  if (!keys.ok()) return keys.error();
  DOSAR_TRY(keys->for_each_row([&] {
    std::string parent = keys->text(2);
    if (parent != name) {
      table.parents.push_back(parent);
      return;
    }
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      if (table.columns[i].name == keys->text(3)) table.self_references.push_back(i);
  }));
  if (!table.self_references.empty() && table.primary_key.size() != 1)
    return make_error(
        ErrorCode::unsupported, name,
        "refers to its own rows without a one-column primary key; the migration cannot copy it");
  return table;
}

// Every table of the source, each after the tables its foreign keys name
// (ties by name), so that rows are inserted after the rows they refer to.
Result<std::vector<Table>> source_tables(const Database& source) {
  auto s = source.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "ORDER BY name");
  if (!s.ok()) return s.error();
  std::vector<std::string> names;
  DOSAR_TRY(s->for_each_row([&] { names.push_back(s->text(0)); }));
  std::map<std::string, Table> pending;
  for (const std::string& name : names) {
    auto table = describe_table(source, name);
    if (!table.ok()) return table.error();
    pending.emplace(name, std::move(table).value());
  }
  std::vector<Table> ordered;
  std::set<std::string> placed;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const auto& entry) {
      return std::all_of(entry.second.parents.begin(), entry.second.parents.end(),
                         [&](const std::string& p) { return placed.count(p) || !pending.count(p); });
    });
    if (ready == pending.end())
      return make_error(ErrorCode::unsupported, pending.begin()->first,
                        "is part of a cycle of foreign keys; the migration cannot order it");
    placed.insert(ready->first);
    ordered.push_back(std::move(ready->second));
    pending.erase(ready);
  }
  return ordered;
}

Result<std::int64_t> count_rows(const Database& db, const std::string& table) {
  auto count = first_text(db, "SELECT COUNT(*) FROM " + sql_name(table));
  if (!count.ok()) return count.error();
  return std::strtoll(count->value_or("0").c_str(), nullptr, 10);
}

Result<std::int64_t> schema_version(const Database& db) {
  auto version = first_text(db, "SELECT COALESCE(MAX(number), 0) FROM schema_migrations");
  if (!version.ok()) return version.error();
  return std::strtoll(version->value_or("0").c_str(), nullptr, 10);
}

// One value read from SQLite, to be bound on PostgreSQL. Integers travel as
// their decimal text, so that a value that is not one fails on the server
// instead of turning into 0; reals as doubles (17 digits, exact).
struct Value {
  bool null = true;
  Column::Kind kind = Column::Kind::text;
  std::string text;
  double real = 0;
};

void bind_value(Statement& s, int index, const Value& v) {
  if (v.null)
    s.bind_null(index);
  else if (v.kind == Column::Kind::real)
    s.bind(index, v.real);
  else
    s.bind(index, std::string_view(v.text));
}

std::string insert_sql(const Table& table, std::size_t rows) {
  std::string names, row = "(";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    names += (i ? ", " : "") + sql_name(table.columns[i].name);
    row += i ? ", ?" : "?";
  }
  row += ")";
  std::string sql = "INSERT INTO " + sql_name(table.name) + " (" + names + ") VALUES ";
  for (std::size_t r = 0; r < rows; ++r) sql += (r ? ", " : "") + row;
  return sql;
}

// Copies one table in the caller's transaction. Columns that refer to the
// table's own rows are inserted empty and set afterwards, so that a row may
// name one inserted after it.
Status copy_rows(const Database& source, Database& target, const Table& table, std::int64_t& done,
                 std::int64_t total, const MigrationProgress& progress) {
  const std::size_t width = table.columns.size();
  const std::size_t per_insert =
      std::max<std::size_t>(1, std::min(kMaxRowsPerInsert, kMaxParameters / width));
  std::string names;
  for (std::size_t i = 0; i < width; ++i) names += (i ? ", " : "") + sql_name(table.columns[i].name);
  auto select = source.prepare("SELECT " + names + " FROM " + sql_name(table.name));
  if (!select.ok()) return select.error();
  std::vector<std::vector<Value>> batch;
  std::vector<std::pair<Value, std::vector<Value>>> self_updates;  // key, then the self-referencing values
  std::size_t key_column = 0;
  if (!table.self_references.empty())
    for (std::size_t i = 0; i < width; ++i)
      if (table.columns[i].name == table.primary_key.front()) key_column = i;

  auto flush = [&]() -> Status {
    if (batch.empty()) return {};
    auto insert = target.prepare(insert_sql(table, batch.size()));
    if (!insert.ok()) return insert.error();
    int index = 1;
    for (const auto& row : batch)
      for (const Value& v : row) bind_value(*insert, index++, v);
    Status ran = insert->run();
    if (!ran.ok())
      return make_error(ran.error().code, table.name, "rows not copied: " + ran.error().to_string());
    done += static_cast<std::int64_t>(batch.size());
    batch.clear();
    if (progress) progress(done, total);
    return {};
  };

  Status read = select->for_each_row([&]() -> Status {
    std::vector<Value> row(width);
    for (std::size_t i = 0; i < width; ++i) {
      Value& v = row[i];
      v.kind = table.columns[i].kind;
      v.null = select->is_null(static_cast<int>(i));
      if (v.null) continue;
      if (v.kind == Column::Kind::real)
        v.real = select->real(static_cast<int>(i));
      else
        v.text = select->text(static_cast<int>(i));
    }
    if (!table.self_references.empty()) {
      std::vector<Value> refs;
      bool any = false;
      for (std::size_t c : table.self_references) {
        refs.push_back(row[c]);
        any = any || !row[c].null;
        row[c].null = true;
      }
      if (any) self_updates.emplace_back(row[key_column], std::move(refs));
    }
    batch.push_back(std::move(row));
    if (batch.size() >= per_insert) return flush();
    return {};
  });
  DOSAR_TRY(read);
  DOSAR_TRY(flush());
  for (const auto& [key, refs] : self_updates) {
    std::string sets;
    for (std::size_t i = 0; i < table.self_references.size(); ++i)
      sets += (i ? ", " : "") + sql_name(table.columns[table.self_references[i]].name) + " = ?";
    auto update = target.prepare("UPDATE " + sql_name(table.name) + " SET " + sets + " WHERE " +
                                 sql_name(table.primary_key.front()) + " = ?");
    if (!update.ok()) return update.error();
    int index = 1;
    for (const Value& v : refs) bind_value(*update, index++, v);
    bind_value(*update, index, key);
    DOSAR_TRY(update->run());
  }
  return {};
}

// Identity columns continue after the highest id copied.
Status reset_sequences(Database& target) {
  auto s = target.prepare(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND is_identity = 'YES' ORDER BY table_name");
  if (!s.ok()) return s.error();
  std::vector<std::pair<std::string, std::string>> columns;
  DOSAR_TRY(s->for_each_row([&] { columns.emplace_back(s->text(0), s->text(1)); }));
  for (const auto& [table, column] : columns) {
    auto set = target.prepare("SELECT setval(pg_get_serial_sequence(?1, ?2), GREATEST(COALESCE(MAX(" +
                              sql_name(column) + "), 0), 1), COALESCE(MAX(" + sql_name(column) +
                              "), 0) > 0) FROM " + sql_name(table));
    if (!set.ok()) return set.error();
    DOSAR_TRY(set->bind(1, sql_name(table)).bind(2, column).run());
  }
  return {};
}

}  // namespace

Result<MigrationTargetState> migration_target_state(const fs::path& source, const std::string& target_uri) {
  auto from = open_source(source);
  if (!from.ok()) return from.error();
  auto target = Database::open_postgresql(target_uri);
  if (!target.ok()) return target.error();
  return state_of(*from, source, *target);
}

Result<CatalogCopyReport> copy_catalog_to_postgresql(const fs::path& source_file,
                                                     const std::string& target_uri, const std::string& actor,
                                                     const MigrationProgress& progress) {
  auto source = open_source(source_file);
  if (!source.ok()) return source.error();
  auto target = Database::open_postgresql(target_uri);
  if (!target.ok()) return target.error();
  auto state = state_of(*source, source_file, *target);
  if (!state.ok()) return state.error();
  if (*state == MigrationTargetState::finished)
    return make_error(ErrorCode::conflict, target->path(), "already holds this archive, migrated");
  if (*state == MigrationTargetState::empty) {
    auto id = identity_of(*source, source_file);
    if (!id.ok()) return id.error();
    auto tx = Transaction::begin(*target);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(target->exec(kCreateMarker));
    DOSAR_TRY(set_marker(*target, "archive", id->archive));
    DOSAR_TRY(set_marker(*target, "source_head", id->head));
    DOSAR_TRY(tx->commit());
  }
  // The schema, through the catalogue's own migrations.
  auto tables_now = target_tables(*target);
  if (!tables_now.ok()) return tables_now.error();
  bool schema = std::find(tables_now->begin(), tables_now->end(), "schema_migrations") != tables_now->end();
  auto made = open_postgresql_catalog(target_uri, schema ? OpenMode::existing : OpenMode::create);
  if (!made.ok()) return made.error();
  made->reset();
  auto source_version = schema_version(*source);
  auto target_version = schema_version(*target);
  if (!source_version.ok()) return source_version.error();
  if (!target_version.ok()) return target_version.error();
  if (*source_version != *target_version)
    return make_error(ErrorCode::unsupported, source_file.string(),
                      "has catalogue schema " + std::to_string(*source_version) + ", the target " +
                          std::to_string(*target_version) + "; open the archive with this Dosar first");

  auto tables = source_tables(*source);
  if (!tables.ok()) return tables.error();
  auto present = target_tables(*target);
  if (!present.ok()) return present.error();
  for (const Table& t : *tables)
    if (std::find(present->begin(), present->end(), t.name) == present->end())
      return make_error(ErrorCode::corrupt, target->path(),
                        "has no table " + t.name + " after the migrations");

  // One snapshot of the source for the whole copy.
  DOSAR_TRY(source->exec("BEGIN"));
  struct EndRead {
    Database& db;
    ~EndRead() { (void)db.exec("ROLLBACK"); }
  } end_read{*source};
  auto recheck = state_of(*source, source_file, *target);  // the snapshot is the archive the marker names
  if (!recheck.ok()) return recheck.error();

  CatalogCopyReport report;
  report.tables = tables->size();
  std::vector<std::int64_t> counts;
  for (const Table& t : *tables) {
    auto n = count_rows(*source, t.name);
    if (!n.ok()) return n.error();
    counts.push_back(*n);
    report.rows_total += *n;
  }
  auto items = marker_items(*target);
  if (!items.ok()) return items.error();
  auto complete = [&](const Table& t) { return items->count("table:" + t.name) > 0; };
  {
    // Incomplete tables (a suffix of the order) are emptied children first:
    // rows the migrations seeded, or none.
    auto tx = Transaction::begin(*target);
    if (!tx.ok()) return tx.error();
    for (auto t = tables->rbegin(); t != tables->rend(); ++t)
      if (!complete(*t)) DOSAR_TRY(target->exec("DELETE FROM " + sql_name(t->name)));
    DOSAR_TRY(tx->commit());
  }
  std::int64_t done = 0;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    const Table& t = (*tables)[i];
    if (complete(t)) {
      ++report.tables_resumed;
      done += counts[i];
      if (progress) progress(done, report.rows_total);
      continue;
    }
    auto tx = Transaction::begin(*target);
    if (!tx.ok()) return tx.error();
    std::int64_t before = done;
    DOSAR_TRY(copy_rows(*source, *target, t, done, report.rows_total, progress));
    DOSAR_TRY(set_marker(*target, "table:" + t.name, std::to_string(done - before)));
    DOSAR_TRY(tx->commit());
    report.rows_copied += done - before;
  }
  if (!items->count("catalog")) {
    auto tx = Transaction::begin(*target);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(reset_sequences(*target));
    const std::string at = format_utc(system_clock().now());
    nlohmann::json detail = {
        {"from", source_file.string()}, {"tables", report.tables}, {"rows", report.rows_total}};
    DOSAR_TRY(sql::append_audit(*target, at, actor, "archive.migrate", std::nullopt, detail.dump()));
    DOSAR_TRY(set_marker(*target, "catalog", at));
    DOSAR_TRY(tx->commit());
    DOSAR_TRY(target->exec("ANALYZE"));  // the planner's statistics, as after a bulk load
  }
  return report;
}

Status finish_catalog_migration(const std::string& target_uri) {
  auto target = Database::open_postgresql(target_uri);
  if (!target.ok()) return target.error();
  auto tx = Transaction::begin(*target);
  if (!tx.ok()) return tx.error();
  DOSAR_TRY(set_marker(*target, "finished", format_utc(system_clock().now())));
  return tx->commit();
}

Status switch_archive_backends(const fs::path& root, const CatalogLocation& catalog,
                               const std::optional<BlobsSetting>& blobs,
                               const std::optional<std::string>& index) {
  const fs::path file = root / "config.json";
  const fs::path kept = root / "config.json.before-migrate";
  std::error_code ec;
  // The first switch keeps the embedded archive's file; a rerun keeps that one.
  if (fs::exists(file, ec) && !fs::exists(kept, ec)) {
    fs::copy_file(file, kept, ec);
    if (!ec) fs::permissions(kept, fs::perms::owner_read | fs::perms::owner_write, ec);
    if (ec) return make_error(ErrorCode::io, kept.string(), "cannot be written: " + ec.message());
    DOSAR_TRY(real_file_system().sync_file(kept));
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> changes = {
      {"catalog", catalog.to_string()}};
  if (blobs) {
    changes.emplace_back("blobs", std::nullopt);
    changes.emplace_back("blobs_s3.endpoint", std::nullopt);
    changes.emplace_back("blobs_s3.region", std::nullopt);
    for (auto& [key, value] : blobs_config_values(*blobs)) changes.emplace_back(key, value);
  }
  if (index) changes.emplace_back("index", *index);
  return update_archive_config(root, changes);
}

}  // namespace dosar
