// Sign-in and sign-out: POST/GET/DELETE /api/v1/session, POST /api/v1/session/everywhere.
#include <openssl/rand.h>

#include <cstdio>

#include "api/http_support.h"
#include "api/ldap_auth.h"
#include "api/passwords.h"
#include "base/clock.h"
#include "base/sha256.h"

namespace dosar::api {
namespace {

constexpr auto kSessionLifetime = std::chrono::hours(12);  // a working day

// Empty when OpenSSL has no random numbers to give.
std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) return {};
  return to_hex(raw);
}

// The roles tell the pages what to offer (the admin, the reports); the
// server checks them again on every request.
nlohmann::json describe(const User& user, const std::string& csrf_token,
                        const std::vector<RoleGrant>& roles) {
  nlohmann::json held = nlohmann::json::array();
  for (const RoleGrant& g : roles) held.push_back({{"role", g.role}, {"department", g.department}});
  return {{"user", user.name},
          {"roles", held},
          {"display_name", user.display_name},
          {"departments", user.departments},
          {"all_departments", user.all_departments},
          {"restricted_access", user.restricted_access},
          {"csrf_token", csrf_token}};
}

// A refused sign-in, with a code of its own beside the ErrorCode names.
void refuse_sign_in(httplib::Response& res, int status, const char* code, const std::string& message) {
  send_json(res, status, {{"error", {{"code", code}, {"subject", "session"}, {"message", message}}}});
}

void sign_in(const App& app, const httplib::Request& req, httplib::Response& res) {
  if (!same_origin(req)) {
    send_error(res, Error{ErrorCode::permission, "session", "sign-in from another origin is refused"});
    return;
  }
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("username") || !body.contains("password") ||
      !body["username"].is_string() || !body["password"].is_string()) {
    send_error(res, Error{ErrorCode::invalid_argument, "session",
                          "expected JSON {\"username\": \"...\", \"password\": \"...\"}"});
    return;
  }
  std::string name = body["username"];
  std::string password = body["password"];
  auto archive = app.archive();
  if (!archive.ok()) return send_error(res, archive.error());
  AccountStore& accounts = (*archive)->accounts();
  auto state = accounts.login_state(name);
  if (state.ok() && state->locked_until) {
    (void)accounts.record_login(name, false, client_address(app, req));
    return refuse_sign_in(
        res, 429, "locked",
        "too many failed sign-ins; try again after " + format_bucharest(*state->locked_until));
  }
  bool matches = false;
  if (state.ok() && !state->disabled && state->authentication == Authentication::ldap) {
    // Only the directory decides for an LDAP account; when it cannot be
    // asked nobody signs in, and the failure is not the user's (no count).
    auto verdict = app.options.ldap
                       ? ldap_authenticate(*app.options.ldap, name, password)
                       : Result<LdapVerdict>(Error{ErrorCode::io, "LDAP",
                                                   "this server has no LDAP settings (dosar serve "
                                                   "--ldap-url, or ldap in config.json)"});
    if (!verdict.ok()) {
      std::fprintf(stderr, "dosar: sign-in of %s: %s\n", name.c_str(), verdict.error().to_string().c_str());
      (void)accounts.record_event(
          name, "login.directory_unavailable", std::nullopt,
          nlohmann::json{
              {"name", name}, {"from", client_address(app, req)}, {"reason", verdict.error().to_string()}}
              .dump());
      return refuse_sign_in(res, 503, "directory_unavailable",
                            "the LDAP directory cannot check the password now; try again later");
    }
    matches = *verdict == LdapVerdict::accepted;
  } else if (state.ok() && !state->disabled && state->password_hash) {
    matches = password_matches(password, *state->password_hash);
  } else {
    // An unknown name costs as much as a wrong password, so timing does not
    // tell which names exist.
    (void)password_matches(password, "scrypt:15:8:1:00:00");
  }
  Status recorded = accounts.record_login(name, matches, client_address(app, req));
  if (!recorded.ok()) return send_error(res, recorded.error());
  if (!matches) return refuse_sign_in(res, 401, "bad_credentials", "wrong user name or password");
  auto user = (*archive)->catalog().user(name);
  if (!user.ok()) return send_error(res, user.error());
  std::string token = random_hex(32);
  std::string csrf = random_hex(16);
  if (token.empty() || csrf.empty())
    return send_error(res, Error{ErrorCode::io, "session", "no random numbers from OpenSSL"});
  auto now = app.clock().now();
  Session session{sha256_hex(token), name, csrf, format_utc(now), format_utc(now + kSessionLifetime)};
  Status created = accounts.create_session(session);
  if (!created.ok()) return send_error(res, created.error());
  std::string cookie = std::string(kSessionCookie) + "=" + token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(std::chrono::seconds(kSessionLifetime).count());
  if (browser_uses_https(app, req)) cookie += "; Secure";
  res.set_header("Set-Cookie", cookie);
  auto roles = roles_of(**archive, name);
  if (!roles.ok()) return send_error(res, roles.error());
  send_json(res, 200, describe(*user, csrf, *roles));
}

void clear_cookie(const App& app, const httplib::Request& req, httplib::Response& res) {
  std::string cookie = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (browser_uses_https(app, req)) cookie += "; Secure";
  res.set_header("Set-Cookie", cookie);
}

}  // namespace

void add_session_routes(httplib::Server& server, const App& app) {
  server.Post("/api/v1/session",
              [&app](const httplib::Request& req, httplib::Response& res) { sign_in(app, req, res); });
  server.Get("/api/v1/session", signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                                                  const httplib::Request&, httplib::Response& res) {
               auto roles = roles_of(archive, caller.user.name);
               if (!roles.ok()) return send_error(res, roles.error());
               send_json(res, 200, describe(caller.user, caller.session.csrf_token, *roles));
             }));
  server.Delete("/api/v1/session",
                signed_in(app, [](const App& a, ArchiveStore& archive, const Caller& caller,
                                  const httplib::Request& req, httplib::Response& res) {
                  Status ended = archive.accounts().end_session(caller.session.token_hash);
                  if (!ended.ok()) return send_error(res, ended.error());
                  clear_cookie(a, req, res);
                  send_json(res, 200, {{"signed_out", true}});
                }));
  server.Post("/api/v1/session/everywhere",
              signed_in(app, [](const App& a, ArchiveStore& archive, const Caller& caller,
                                const httplib::Request& req, httplib::Response& res) {
                Status ended = archive.accounts().end_all_sessions(caller.user.name, caller.user.name);
                if (!ended.ok()) return send_error(res, ended.error());
                clear_cookie(a, req, res);
                send_json(res, 200, {{"signed_out", true}});
              }));
}

}  // namespace dosar::api
