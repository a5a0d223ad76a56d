// Thin RAII over the SQLite C API for the catalogue (internal to storage/).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "base/result.h"

namespace dosar::sqlite {

class Statement;

class Database {
 public:
  static Result<Database> open(const std::string& path, bool create);
  Database(Database&& other) noexcept
      : db_(other.db_), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {
    other.db_ = nullptr;
    other.cache_.clear();
  }
  Database& operator=(Database&&) = delete;
  ~Database();

  Status exec(const std::string& sql);
  Result<Statement> prepare(const std::string& sql) const;
  Error error(const std::string& what) const;  // from sqlite3_errmsg, code from the result code
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }

 private:
  friend class Statement;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // Statements are kept prepared, one per SQL text, and reused: the catalogue
  // runs the same few statements for every document of a batch.
  void give_back(std::string sql, sqlite3_stmt* stmt) const;
  sqlite3* db_;
  std::string path_;
  mutable std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_), sql_(std::move(other.sql_)) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  ~Statement() {
    if (stmt_) db_->give_back(std::move(sql_), stmt_);
  }

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // true: a row is available; false: done. Errors: io, corrupt, conflict.
  Result<bool> step();
  Status run();  // step to completion, expecting no rows
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

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  bool is_null(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, const Database* db, std::string sql)
      : stmt_(stmt), db_(db), sql_(std::move(sql)) {}
  sqlite3_stmt* stmt_;
  const Database* db_;
  std::string sql_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_), open_(other.open_) { other.open_ = false; }
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database& db) : db_(&db), open_(true) {}
  Database* db_;
  bool open_;
};

}  // namespace dosar::sqlite
