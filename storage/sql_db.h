// One SQL connection API over the catalogue's two engines (internal to
// storage/): every store writes its SQL once, with `?` or `?NNN` placeholders,
// and runs it on SQLite (sqlite_driver.cpp) or PostgreSQL
// (postgresql_driver.cpp). The dialect points are handled here, in one place:
// placeholders become `$N` on PostgreSQL; a write transaction serialises
// writers on both (SQLite's BEGIN IMMEDIATE, PostgreSQL's transaction-scoped
// advisory lock), which the stores rely on for gapless numbers and one audit
// chain, unless it asks for row locks only (Writers::row_locks, for queues
// that many workers take from at once); schema types are translated by the
// migrations (catalog_migrations.h).
// Portable SQL the stores use instead of engine forms: `INSERT … ON CONFLICT
// DO NOTHING` (not INSERT OR IGNORE), `INSERT … RETURNING id` (not
// last_insert_rowid).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/result.h"

namespace dosar::sql {

enum class Dialect { sqlite, postgresql };

// Which other writers a write transaction keeps out.
enum class Writers {
  excluded,   // all of them, until it ends: the default of every store
  row_locks,  // PostgreSQL: only those after the rows it locks (see RowLock); it
              // must write no audit row nor registry number. SQLite: as excluded
              // (it has no row locks).
};

// How a SELECT in a write transaction locks the rows it returns until the
// transaction ends (PostgreSQL `FOR UPDATE [SKIP LOCKED]`). On SQLite it adds
// nothing: its write transaction holds the whole database already.
enum class RowLock {
  wait,         // waits for a transaction holding one of them, then reads it as committed
  skip_locked,  // leaves out the rows another transaction holds, without waiting
};

// What a driver implements for one prepared statement; columns and bind
// indexes as in SQLite (columns from 0, bind indexes from 1).
class StatementDriver {
 public:
  virtual ~StatementDriver() = default;
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_integer(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  virtual void bind_null(int index) = 0;
  virtual Result<bool> step() = 0;
  virtual std::string text(int column) const = 0;  // "" for NULL
  virtual std::int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual bool is_null(int column) const = 0;
};

// What a driver implements for one connection.
class ConnectionDriver {
 public:
  virtual ~ConnectionDriver() = default;
  virtual Dialect dialect() const = 0;
  // The file, or the server and database (never a password), for errors.
  virtual const std::string& name() const = 0;
  virtual Status exec(const std::string& sql) = 0;  // one or more statements, no parameters
  virtual Result<std::unique_ptr<StatementDriver>> prepare(const std::string& sql) = 0;
  virtual Status begin_write(Writers writers) = 0;                   // a write transaction (see Writers)
  virtual std::string_view row_lock_clause(RowLock lock) const = 0;  // appended to a SELECT
  virtual int changes() const = 0;  // rows changed by the last INSERT, UPDATE or DELETE
};

class Statement;

class Database {
 public:
  // SQLite: the catalogue file, created when `create`. Errors: not_found,
  // corrupt, permission, io.
  static Result<Database> open_sqlite(const std::string& path, bool create);
  // PostgreSQL: a libpq connection URI ("postgresql://user@host:port/db?…").
  // Errors: not_found (no such database), permission, io (server unreachable).
  static Result<Database> open_postgresql(const std::string& uri);

  Dialect dialect() const { return driver_->dialect(); }
  Status exec(const std::string& sql) { return driver_->exec(sql); }
  Result<Statement> prepare(const std::string& sql) const;
  // A SELECT whose rows stay locked until the write transaction ends (RowLock).
  Result<Statement> prepare(const std::string& sql, RowLock lock) const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const { return driver_->changes(); }
  // The catalogue file or PostgreSQL server and database, for messages.
  const std::string& path() const { return driver_->name(); }

 private:
  friend class Transaction;
  explicit Database(std::unique_ptr<ConnectionDriver> driver) : driver_(std::move(driver)) {}
  std::unique_ptr<ConnectionDriver> driver_;
};

class Statement {
 public:
  Statement& bind(int index, std::string_view text) {
    driver_->bind_text(index, text);
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    driver_->bind_integer(index, value);
    return *this;
  }
  Statement& bind(int index, double value) {
    driver_->bind_real(index, value);
    return *this;
  }
  Statement& bind_null(int index) {
    driver_->bind_null(index);
    return *this;
  }
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // true: a row is available; false: done. Errors: io, corrupt, conflict.
  Result<bool> step() { return driver_->step(); }
  Status run();  // step to completion, expecting no rows
  // For `INSERT … RETURNING id`: steps to completion and returns the id.
  // Errors: those of step; io when no row came back.
  Result<std::int64_t> run_returning_id();
  // Steps through every row, calling `on_row` (which reads the columns) for
  // each; stops at the first error, the statement's or `on_row`'s.
  template <class OnRow>
  Status for_each_row(OnRow on_row) {
    for (;;) {
      auto row = step();
      if (!row.ok()) return row.error();
      if (!*row) return {};
      if constexpr (std::is_void_v<decltype(on_row())>) {
        on_row();
      } else {
        DOSAR_TRY(on_row());
      }
    }
  }

  std::string text(int column) const { return driver_->text(column); }
  std::int64_t integer(int column) const { return driver_->integer(column); }
  double real(int column) const { return driver_->real(column); }
  bool is_null(int column) const { return driver_->is_null(column); }

 private:
  friend class Database;
  explicit Statement(std::unique_ptr<StatementDriver> driver) : driver_(std::move(driver)) {}
  std::unique_ptr<StatementDriver> driver_;
};

// A write transaction: BEGIN IMMEDIATE on SQLite; on PostgreSQL BEGIN plus a
// transaction-scoped advisory lock that every writer of the catalogue takes,
// so that writers run one at a time across processes and machines, as on
// SQLite; with Writers::row_locks, on PostgreSQL, BEGIN alone. Rolls back
// unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db, Writers writers = Writers::excluded);
  Transaction(Transaction&& other) noexcept : db_(other.db_), open_(other.open_) { other.open_ = false; }
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database& db) : db_(&db), open_(true) {}
  Database* db_;
  bool open_;
};

// `?` and `?NNN` placeholders as `$N` (PostgreSQL), numbered as SQLite does:
// a bare `?` takes one more than the largest number so far. Text in quotes
// and comments is left alone.
std::string numbered_placeholders(std::string_view sql);

}  // namespace dosar::sql
