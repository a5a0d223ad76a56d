#include "storage/sql_db.h"

namespace dosar::sql {

Result<Statement> Database::prepare(const std::string& sql) const {
  auto driver = driver_->prepare(sql);
  if (!driver.ok()) return driver.error();
  return Statement(std::move(driver).value());
}

Result<Statement> Database::prepare(const std::string& sql, RowLock lock) const {
  return prepare(sql + std::string(driver_->row_lock_clause(lock)));
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
  }
}

Result<std::int64_t> Statement::run_returning_id() {
  auto row = step();
  if (!row.ok()) return row.error();
  if (!*row) return make_error(ErrorCode::io, "catalogue", "an INSERT … RETURNING gave no row");
  std::int64_t id = integer(0);
  DOSAR_TRY(run());  // SQLite: a statement still stepping would keep the transaction from committing
  return id;
}

Result<Transaction> Transaction::begin(Database& db, Writers writers) {
  DOSAR_TRY(db.driver_->begin_write(writers));
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

std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int largest = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or quoted name, with doubled quotes inside
      std::size_t end = i + 1;
      while (end < sql.size() && sql[end] != c) ++end;
      out.append(sql.substr(i, end + 1 - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size();
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == '?') {
      std::size_t end = i + 1;
      int number = 0;
      while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9')
        number = number * 10 + (sql[end++] - '0');
      if (end == i + 1) number = largest + 1;
      largest = std::max(largest, number);
      out += '$';
      out += std::to_string(number);
      i = end - 1;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace dosar::sql
