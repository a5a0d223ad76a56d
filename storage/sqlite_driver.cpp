// The SQLite driver of sql::Database: the catalogue file in this process,
// statements kept prepared and reused.
#include <sqlite3.h>

#include <unordered_map>

#include "storage/sql_db.h"

namespace dosar::sql {
namespace {

ErrorCode code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::corrupt;
    case SQLITE_CONSTRAINT:
      return ErrorCode::conflict;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return ErrorCode::permission;
    case SQLITE_CANTOPEN:
      return ErrorCode::not_found;
    default:
      return ErrorCode::io;
  }
}

class SqliteConnection;

class SqliteStatement final : public StatementDriver {
 public:
  SqliteStatement(sqlite3_stmt* stmt, SqliteConnection* db, std::string sql)
      : stmt_(stmt), db_(db), sql_(std::move(sql)) {}
  ~SqliteStatement() override;

  void bind_text(int index, std::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_integer(int index, std::int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void bind_real(int index, double value) override { sqlite3_bind_double(stmt_, index, value); }
  void bind_null(int index) override { sqlite3_bind_null(stmt_, index); }
  Result<bool> step() override;
  std::string text(int column) const override {
    const unsigned char* value = sqlite3_column_text(stmt_, column);
    if (value == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(value),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
  SqliteConnection* db_;
  std::string sql_;
};

class SqliteConnection final : public ConnectionDriver {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::sqlite; }
  const std::string& name() const override { return path_; }

  Status exec(const std::string& sql) override {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return make_error(code_for(rc), path_, text);
  }

  Result<std::unique_ptr<StatementDriver>> prepare(const std::string& sql) override {
    if (auto cached = cache_.find(sql); cached != cache_.end()) {
      sqlite3_stmt* stmt = cached->second;
      cache_.erase(cached);
      return std::unique_ptr<StatementDriver>(std::make_unique<SqliteStatement>(stmt, this, sql));
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                           nullptr) != SQLITE_OK)
      return error("cannot prepare statement");
    return std::unique_ptr<StatementDriver>(std::make_unique<SqliteStatement>(stmt, this, sql));
  }

  // Row locks or not, one writer at a time: SQLite locks the whole file.
  Status begin_write(Writers) override { return exec("BEGIN IMMEDIATE"); }
  std::string_view row_lock_clause(RowLock) const override { return {}; }
  int changes() const override { return sqlite3_changes(db_); }

  Error error(const std::string& what) const {
    int rc = sqlite3_extended_errcode(db_);
    return make_error(code_for(rc), path_, what + ": " + sqlite3_errmsg(db_));
  }

  // Statements are kept prepared, one per SQL text, and reused: the catalogue
  // runs the same few statements for every document of a batch.
  void give_back(std::string sql, sqlite3_stmt* stmt) {
    constexpr std::size_t kMaxCached = 256;
    sqlite3_reset(stmt);  // also ends the statement's read of the database
    sqlite3_clear_bindings(stmt);
    if (cache_.size() >= kMaxCached || cache_.count(sql) != 0) {
      sqlite3_finalize(stmt);  // another copy of it is cached already (nested use)
      return;
    }
    cache_.emplace(std::move(sql), stmt);
  }

 private:
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

SqliteStatement::~SqliteStatement() {
  db_->give_back(std::move(sql_), stmt_);
}

Result<bool> SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error("statement failed");
}

}  // namespace

Result<Database> Database::open_sqlite(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(code_for(rc), path, "cannot open catalogue: " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  // Several dosar processes may share one archive; wait for the writer's lock.
  sqlite3_busy_timeout(db, 60000);
  return Database(std::make_unique<SqliteConnection>(db, path));
}

}  // namespace dosar::sql
