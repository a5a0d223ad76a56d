// Sign-in data of the archive's users: password hashes, lock-out counters and
// web sessions. Kept apart from the catalogue interface (catalog.h) because
// only the front ends that authenticate people need it; it lives in the same
// database, so a second catalogue backend implements both.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

// How an account proves who it is at sign-in.
enum class Authentication { local, ldap };

struct LoginState {
  std::string user_name;
  Authentication authentication = Authentication::local;
  std::optional<std::string> password_hash;  // none: the user cannot sign in with a local password
  bool disabled = false;
  int recent_failures = 0;                  // failed sign-ins since the last success, within the window
  std::optional<std::string> locked_until;  // UTC ISO 8601, while locked out
};

// A signed-in browser. Only a hash of the cookie's token is stored, so a
// copy of the catalogue does not let anyone sign in.
struct Session {
  std::string token_hash;
  std::string user_name;
  std::string csrf_token;
  std::string created_at;  // UTC ISO 8601
  std::string expires_at;
};

// Lock-out rule: this many failures within `kLoginFailureWindow` lock the
// account for the rest of the window.
inline constexpr int kMaxLoginFailures = 5;
inline constexpr std::chrono::minutes kLoginFailureWindow{15};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Errors: not_found (no such user), conflict (an LDAP account: its
  // password lives in the directory), io. Writes an audit row (never the hash).
  virtual Status set_password_hash(const std::string& user, const std::string& hash,
                                   const std::string& actor) = 0;
  // Marks the account as checked by the LDAP directory (removing any local
  // password hash, so that none can be used instead) or back to local
  // (then it needs a password before it can sign in). Writes an audit row.
  // Errors: not_found, io.
  virtual Status set_authentication(const std::string& user, Authentication how,
                                    const std::string& actor) = 0;
  // Disabling also ends every session of the user. Errors: not_found, io.
  virtual Status set_disabled(const std::string& user, bool disabled, const std::string& actor) = 0;
  virtual Result<LoginState> login_state(const std::string& user) const = 0;  // not_found
  // Counts a failure (and locks after kMaxLoginFailures in the window) or
  // clears the count on success; writes an audit row either way. A name
  // that is not a user is audited too. Errors: io.
  virtual Status record_login(const std::string& user, bool succeeded, const std::string& from) = 0;

  virtual Status create_session(const Session& session) = 0;
  // Errors: not_found (unknown or expired).
  virtual Result<Session> session(const std::string& token_hash) const = 0;
  virtual Status end_session(const std::string& token_hash) = 0;
  // "Sign out everywhere". Errors: io.
  virtual Status end_all_sessions(const std::string& user, const std::string& actor) = 0;

  // An audit row for something a front end did on someone's behalf, e.g.
  // reading a restricted document. Errors: io.
  virtual Status record_event(const std::string& actor, const std::string& action,
                              std::optional<std::int64_t> document_id, const std::string& detail_json) = 0;
};

// On the catalogue's database (SQLite or PostgreSQL), through its own connection.
Result<std::unique_ptr<AccountStore>> open_accounts(const CatalogLocation& catalog,
                                                    const Clock& clock = system_clock());

}  // namespace dosar
