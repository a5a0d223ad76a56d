// The PostgreSQL driver of sql::Database, on libpq. libpq rather than
// libpqxx: the stores drive their own transactions (sql::Transaction) around
// statements bound and stepped one at a time, as on SQLite; libpqxx 6 wants
// each statement run through a transaction object it owns and cannot give
// parameters a type (an integer bound to `? IS NULL` must arrive as int8).
// Results are fetched whole in text form and parsed per column.
#include <libpq-fe.h>

#include <cstdlib>
#include <vector>

#include "storage/sql_db.h"

namespace dosar::sql {
namespace {

// Every writer of one catalogue takes this transaction-scoped advisory lock
// (the key spells "dosar-wr"): writers run one at a time, as SQLite's BEGIN
// IMMEDIATE makes them, which keeps registry numbers gapless and the audit
// chain one chain. Readers are not blocked, nor are claims of queued work
// (Writers::row_locks), which lock only the rows they take.
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(7237120341745496690)";

constexpr Oid kInt8 = 20;
constexpr Oid kFloat8 = 701;

ErrorCode code_for(const char* sqlstate) {
  std::string_view state = sqlstate ? sqlstate : "";
  if (state.substr(0, 2) == "23" || state == "40001" || state == "40P01") return ErrorCode::conflict;
  if (state == "42501" || state.substr(0, 2) == "28") return ErrorCode::permission;
  if (state == "3D000") return ErrorCode::not_found;
  if (state == "XX001" || state == "XX002") return ErrorCode::corrupt;
  return ErrorCode::io;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresConnection final : public ConnectionDriver {
 public:
  PostgresConnection(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::postgresql; }
  const std::string& name() const override { return name_; }

  Status exec(const std::string& sql) override {
    DOSAR_TRY(reconnect_if_lost());
    ResultPtr result(PQexec(conn_, sql.c_str()));
    DOSAR_TRY(check(result.get(), "statement failed"));
    // COMMIT of a transaction a failed statement aborted answers ROLLBACK.
    if (sql == "COMMIT" && std::string_view(PQcmdStatus(result.get())) == "ROLLBACK")
      return make_error(ErrorCode::conflict, name_, "the transaction was rolled back after an earlier error");
    return {};
  }

  Result<std::unique_ptr<StatementDriver>> prepare(const std::string& sql) override;

  Status begin_write(Writers writers) override {
    return exec(writers == Writers::excluded ? kBeginWrite : "BEGIN");
  }
  std::string_view row_lock_clause(RowLock lock) const override {
    return lock == RowLock::wait ? " FOR UPDATE" : " FOR UPDATE SKIP LOCKED";
  }
  int changes() const override { return changes_; }

  // Runs one statement with its parameters. Errors: see code_for; io naming
  // the server when the connection is lost.
  Result<ResultPtr> run(const std::string& sql, const std::vector<std::optional<std::string>>& values,
                        const std::vector<Oid>& types) {
    DOSAR_TRY(reconnect_if_lost());
    std::vector<const char*> pointers;
    for (const auto& v : values) pointers.push_back(v ? v->c_str() : nullptr);
    ResultPtr result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), types.data(),
                                  pointers.data(), nullptr, nullptr, 0));
    DOSAR_TRY(check(result.get(), "statement failed"));
    // As sqlite3_changes: rows of the last INSERT, UPDATE or DELETE only.
    std::string_view command = PQcmdStatus(result.get());
    if (command.rfind("INSERT", 0) == 0 || command.rfind("UPDATE", 0) == 0 || command.rfind("DELETE", 0) == 0)
      changes_ = std::atoi(PQcmdTuples(result.get()));
    return result;
  }

 private:
  Status check(const PGresult* result, const std::string& what) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
    if (PQstatus(conn_) == CONNECTION_BAD)
      return make_error(ErrorCode::io, name_,
                        "lost the connection to the PostgreSQL server (" + trimmed(PQerrorMessage(conn_)) +
                            "); nothing of the transaction in progress was committed");
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
    return make_error(code_for(state), name_, what + ": " + trimmed(message));
  }

  // A connection lost between transactions (the server restarted) is made
  // again once; within a transaction it is an error, the transaction gone.
  Status reconnect_if_lost() {
    if (PQstatus(conn_) != CONNECTION_BAD) return {};
    PQreset(conn_);
    if (PQstatus(conn_) == CONNECTION_OK) return {};
    return make_error(ErrorCode::io, name_,
                      "cannot reach the PostgreSQL server: " + trimmed(PQerrorMessage(conn_)));
  }

  PGconn* conn_;
  std::string name_;
  int changes_ = 0;
};

class PostgresStatement final : public StatementDriver {
 public:
  PostgresStatement(PostgresConnection* db, std::string sql) : db_(db), sql_(std::move(sql)) {}

  void bind_text(int index, std::string_view text) override { set(index, std::string(text), 0); }
  void bind_integer(int index, std::int64_t value) override { set(index, std::to_string(value), kInt8); }
  void bind_real(int index, double value) override {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    set(index, buffer, kFloat8);
  }
  void bind_null(int index) override { set(index, std::nullopt, 0); }

  Result<bool> step() override {
    if (!result_) {
      auto result = db_->run(sql_, values_, types_);
      if (!result.ok()) return result.error();
      result_ = std::move(result).value();
      row_ = -1;
    }
    ++row_;
    return row_ < PQntuples(result_.get());
  }

  std::string text(int column) const override {
    if (is_null(column)) return {};
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }
  std::int64_t integer(int column) const override {
    const char* value = PQgetvalue(result_.get(), row_, column);
    if (value[0] == 't' && value[1] == '\0') return 1;  // boolean
    return std::strtoll(value, nullptr, 10);
  }
  double real(int column) const override {
    return std::strtod(PQgetvalue(result_.get(), row_, column), nullptr);
  }
  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }

 private:
  void set(int index, std::optional<std::string> value, Oid type) {
    auto at = static_cast<std::size_t>(index - 1);
    if (values_.size() <= at) {
      values_.resize(at + 1);
      types_.resize(at + 1, 0);
    }
    values_[at] = std::move(value);
    types_[at] = type;
  }

  PostgresConnection* db_;
  std::string sql_;
  std::vector<std::optional<std::string>> values_;
  std::vector<Oid> types_;
  ResultPtr result_;
  int row_ = -1;
};

Result<std::unique_ptr<StatementDriver>> PostgresConnection::prepare(const std::string& sql) {
  return std::unique_ptr<StatementDriver>(
      std::make_unique<PostgresStatement>(this, numbered_placeholders(sql)));
}

// "postgresql server HOST:PORT database DB": what messages name, without the
// password the URI may hold.
std::string server_name(PGconn* conn) {
  std::string host = PQhost(conn) ? PQhost(conn) : "";
  std::string port = PQport(conn) ? PQport(conn) : "";
  std::string db = PQdb(conn) ? PQdb(conn) : "";
  return "postgresql server " + host + ":" + port + " database " + db;
}

}  // namespace

Result<Database> Database::open_postgresql(const std::string& uri) {
  // Text comes back as UTF-8 whatever the server's default; notices (a
  // ROLLBACK with no transaction left after a lost connection) stay quiet.
  // Both survive a reconnection.
  const char* keywords[] = {"dbname", "client_encoding", "options", "connect_timeout", nullptr};
  const char* values[] = {uri.c_str(), "UTF8", "-c client_min_messages=error", "10", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return make_error(ErrorCode::io, "postgresql", "out of memory");
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(conn));
    std::string name = server_name(conn);
    PQfinish(conn);
    ErrorCode code = message.find("does not exist") != std::string::npos   ? ErrorCode::not_found
                     : message.find("authentication") != std::string::npos ? ErrorCode::permission
                                                                           : ErrorCode::io;
    return make_error(code, name, "cannot connect: " + message);
  }
  std::string name = server_name(conn);
  return Database(std::make_unique<PostgresConnection>(conn, std::move(name)));
}

}  // namespace dosar::sql
