#include <nlohmann/json.hpp>

#include "storage/accounts.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Transaction;

class SqliteAccounts final : public AccountStore {
 public:
  SqliteAccounts(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Status set_password_hash(const std::string& user, const std::string& hash,
                           const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto state = login_state(user);
    if (!state.ok()) return state.error();
    if (state->authentication == Authentication::ldap)
      return make_error(ErrorCode::conflict, "user " + user,
                        "signs in through LDAP; the password is changed in the directory");
    auto s = db_.prepare(
        "INSERT INTO user_logins(user_name, password_hash) VALUES (?, ?) "
        "ON CONFLICT(user_name) DO UPDATE SET password_hash = excluded.password_hash, failures = 0, "
        "first_failure_at = NULL");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, user).bind(2, hash).run());
    DOSAR_TRY(sql::append_audit(db_, now(), actor, "user.password", std::nullopt,
                                nlohmann::json{{"name", user}}.dump()));
    return tx->commit();
  }

  Status set_authentication(const std::string& user, Authentication how, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_user(user));
    const char* name = how == Authentication::ldap ? "ldap" : "local";
    auto s = db_.prepare(
        "INSERT INTO user_logins(user_name, authentication) VALUES (?, ?) "
        "ON CONFLICT(user_name) DO UPDATE SET authentication = excluded.authentication, password_hash = "
        "NULL");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, user).bind(2, std::string(name)).run());
    DOSAR_TRY(sql::append_audit(db_, now(), actor, "user.authentication", std::nullopt,
                                nlohmann::json{{"name", user}, {"authentication", name}}.dump()));
    return tx->commit();
  }

  Status set_disabled(const std::string& user, bool disabled, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_user(user));
    auto s = db_.prepare(
        "INSERT INTO user_logins(user_name, disabled) VALUES (?, ?) "
        "ON CONFLICT(user_name) DO UPDATE SET disabled = excluded.disabled");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, user).bind(2, std::int64_t{disabled}).run());
    if (disabled) DOSAR_TRY(delete_sessions_of(user));
    DOSAR_TRY(sql::append_audit(db_, now(), actor, disabled ? "user.disable" : "user.enable", std::nullopt,
                                nlohmann::json{{"name", user}}.dump()));
    return tx->commit();
  }

  Result<LoginState> login_state(const std::string& user) const override {
    DOSAR_TRY(require_user(user));
    LoginState state;
    state.user_name = user;
    auto s = db_.prepare(
        "SELECT password_hash, disabled, failures, first_failure_at, authentication FROM user_logins "
        "WHERE user_name = ?");
    if (!s.ok()) return s.error();
    s->bind(1, user);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return state;
    if (!s->is_null(0)) state.password_hash = s->text(0);
    state.disabled = s->integer(1) != 0;
    if (s->text(4) == "ldap") state.authentication = Authentication::ldap;
    auto first_failure = s->is_null(3) ? std::nullopt : parse_utc(s->text(3));
    if (first_failure) {
      auto window_end = *first_failure + kLoginFailureWindow;
      if (clock_.now() < window_end) {
        state.recent_failures = static_cast<int>(s->integer(2));
        if (state.recent_failures >= kMaxLoginFailures) state.locked_until = format_utc(window_end);
      }
    }
    return state;
  }

  Status record_login(const std::string& user, bool succeeded, const std::string& from) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    std::string at = now();
    bool known = require_user(user).ok();
    if (known && succeeded) {
      auto s =
          db_.prepare("UPDATE user_logins SET failures = 0, first_failure_at = NULL WHERE user_name = ?");
      if (!s.ok()) return s.error();
      DOSAR_TRY(s->bind(1, user).run());
    } else if (known) {
      // A failure outside the current window starts a new one.
      auto state = login_state(user);
      if (!state.ok()) return state.error();
      bool in_window = state->recent_failures > 0;
      auto s = db_.prepare(
          in_window ? "UPDATE user_logins SET failures = failures + 1 WHERE user_name = ?"
                    : "INSERT INTO user_logins(user_name, failures, first_failure_at) VALUES (?, 1, ?) "
                      "ON CONFLICT(user_name) DO UPDATE SET failures = 1, first_failure_at = "
                      "excluded.first_failure_at");
      if (!s.ok()) return s.error();
      s->bind(1, user);
      if (!in_window) s->bind(2, at);
      DOSAR_TRY(s->run());
    }
    nlohmann::json detail = {{"name", user}, {"from", from}};
    if (!known) detail["unknown_user"] = true;
    DOSAR_TRY(sql::append_audit(db_, at, known ? user : "-", succeeded ? "login.success" : "login.failure",
                                std::nullopt, detail.dump()));
    return tx->commit();
  }

  Status create_session(const Session& session) override {
    auto s = db_.prepare(
        "INSERT INTO sessions(token_hash, user_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, "
        "?)");
    if (!s.ok()) return s.error();
    return s->bind(1, session.token_hash)
        .bind(2, session.user_name)
        .bind(3, session.csrf_token)
        .bind(4, session.created_at)
        .bind(5, session.expires_at)
        .run();
  }

  Result<Session> session(const std::string& token_hash) const override {
    auto s = db_.prepare(
        "SELECT s.token_hash, s.user_name, s.csrf_token, s.created_at, s.expires_at FROM sessions s "
        "LEFT JOIN user_logins l ON l.user_name = s.user_name "
        "WHERE s.token_hash = ? AND s.expires_at > ? AND COALESCE(l.disabled, 0) = 0");
    if (!s.ok()) return s.error();
    s->bind(1, token_hash).bind(2, now());
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "session", "unknown or expired; sign in again");
    return Session{s->text(0), s->text(1), s->text(2), s->text(3), s->text(4)};
  }

  Status end_session(const std::string& token_hash) override {
    auto s = db_.prepare("DELETE FROM sessions WHERE token_hash = ?");
    if (!s.ok()) return s.error();
    return s->bind(1, token_hash).run();
  }

  Status end_all_sessions(const std::string& user, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(delete_sessions_of(user));
    DOSAR_TRY(sql::append_audit(db_, now(), actor, "user.sign_out_everywhere", std::nullopt,
                                nlohmann::json{{"name", user}}.dump()));
    return tx->commit();
  }

  Status record_event(const std::string& actor, const std::string& action,
                      std::optional<std::int64_t> document_id, const std::string& detail_json) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(sql::append_audit(db_, now(), actor, action, document_id, detail_json));
    return tx->commit();
  }

 private:
  std::string now() const { return format_utc(clock_.now()); }

  Status require_user(const std::string& user) const {
    auto s = db_.prepare("SELECT 1 FROM users WHERE name = ?");
    if (!s.ok()) return s.error();
    s->bind(1, user);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "user " + user, "no such user");
    return {};
  }

  Status delete_sessions_of(const std::string& user) {
    auto s = db_.prepare("DELETE FROM sessions WHERE user_name = ?");
    if (!s.ok()) return s.error();
    return s->bind(1, user).run();
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<AccountStore>> open_accounts(const CatalogLocation& catalog, const Clock& clock) {
  auto db = sql::open_catalog_connection(catalog);
  if (!db.ok()) return db.error();
  return std::unique_ptr<AccountStore>(std::make_unique<SqliteAccounts>(std::move(db).value(), clock));
}

}  // namespace dosar
