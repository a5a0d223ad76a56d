#include "storage/sqlite_db.h"

namespace dosar::sqlite {
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

}  // namespace

Result<Database> Database::open(const std::string& path, bool create) {
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
  return Database(db, path);
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Database::give_back(std::string sql, sqlite3_stmt* stmt) const {
  constexpr std::size_t kMaxCached = 256;
  sqlite3_reset(stmt);  // also ends the statement's read of the database
  sqlite3_clear_bindings(stmt);
  if (cache_.size() >= kMaxCached || cache_.count(sql) != 0) {
    sqlite3_finalize(stmt);  // another copy of it is cached already (nested use)
    return;
  }
  cache_.emplace(std::move(sql), stmt);
}

Error Database::error(const std::string& what) const {
  int rc = sqlite3_extended_errcode(db_);
  return make_error(code_for(rc), path_, what + ": " + sqlite3_errmsg(db_));
}

Status Database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string text = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return make_error(code_for(rc), path_, text);
}

Result<Statement> Database::prepare(const std::string& sql) const {
  if (auto cached = cache_.find(sql); cached != cache_.end()) {
    sqlite3_stmt* stmt = cached->second;
    cache_.erase(cached);
    return Statement(stmt, this, sql);
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                         nullptr) != SQLITE_OK)
    return error("cannot prepare statement");
  return Statement(stmt, this, sql);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error("statement failed");
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
  }
}

std::string Statement::text(int column) const {
  const unsigned char* value = sqlite3_column_text(stmt_, column);
  if (value == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(value),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}
std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}
bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<Transaction> Transaction::begin(Database& db) {
  DOSAR_TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (open_) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  DOSAR_TRY(db_->exec("COMMIT"));
  open_ = false;
  return {};
}

}  // namespace dosar::sqlite
