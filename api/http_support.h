// What every route of the HTTP API shares (internal to api/): the per-thread
// archive, the signed-in caller, JSON answers and errors.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/server.h"
#include "base/result.h"
#include "index/search_index.h"
#include "storage/archive_store.h"
#include "storage/flow_store.h"
#include "workflow/receipt.h"

namespace dosar::api {

struct PublicForms;  // api/form_routes.h

// Shared by all request threads; each thread opens its own connections.
struct App {
  ServerOptions options;
  bool secure_cookies = false;
  std::shared_ptr<PublicForms> forms;
  // The archive as seen by the calling thread (opened on first use).
  Result<ArchiveStore*> archive() const;
  const Clock& clock() const { return options.clock ? *options.clock : system_clock(); }
};

// The signed-in caller of a request.
struct Caller {
  User user;
  Session session;
  Visibility visibility;
};

// Roles the web pages know by name: an administrator (users, departments,
// kinds, templates; holds "admin" in any department) and a head of a
// department ("sef", who also reads the legal reports).
inline constexpr const char* kAdminRole = "admin";
inline constexpr const char* kHeadRole = "sef";
// The roles a user holds (`flow role`, `user add --role`), read when an
// endpoint needs them rather than on every request. Errors: io.
Result<std::vector<RoleGrant>> roles_of(ArchiveStore& archive, const std::string& user);
// Answers 403 (code permission) unless the caller holds one of `roles` in
// some department (or 500 when they cannot be read); true when they do.
bool require_role(ArchiveStore& archive, const Caller& caller, std::initializer_list<const char*> roles,
                  httplib::Response& res);

inline constexpr const char* kSessionCookie = "dosar_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";
// How much of a refused upload is read (and dropped) beyond the limit so
// the client hears why; the server accepts bodies up to limit + this.
inline constexpr std::uint64_t kUploadDrainBytes = 64ull << 20;

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// {"error":{"code","subject","message"}} with the HTTP status for the code.
void send_error(httplib::Response& res, const Error& error);
int http_status_for(ErrorCode code);
std::optional<std::string> cookie_value(const httplib::Request& req, const std::string& name);

// Wraps a handler that needs a signed-in caller: answers 401 without a valid
// session, and 403 for a state-changing method without the session's CSRF
// token or from another origin.
using CallerHandler = std::function<void(const App&, ArchiveStore&, const Caller&, const httplib::Request&,
                                         httplib::Response&)>;
httplib::Server::Handler signed_in(const App& app, CallerHandler handler);
// Same, for handlers that read the request body themselves (uploads).
using CallerReaderHandler =
    std::function<void(const App&, ArchiveStore&, const Caller&, const httplib::Request&, httplib::Response&,
                       const httplib::ContentReader&)>;
httplib::Server::HandlerWithContentReader signed_in_reader(const App& app, CallerReaderHandler handler);

// The request body as a JSON object; an error naming `subject` otherwise.
Result<nlohmann::json> object_body(const httplib::Request& req, const std::string& subject);
// An optional text field of a JSON body: absent or null is nullopt; not a
// string or longer than `max_bytes` is invalid_argument naming the field.
Result<std::optional<std::string>> text_field(const nlohmann::json& body, const char* name,
                                              std::size_t max_bytes = 200);

// The headers every page of ours carries: a strict Content-Security-Policy
// (no inline script or style), nosniff, no caching of stale pages.
void set_page_headers(httplib::Response& res);

// The bytes `write` puts into a file of the spool (read back, then removed),
// for the PDF writers that take a path. Errors: those of `write`, io.
Result<std::string> spooled_file(ArchiveStore& archive,
                                 const std::function<Status(const std::filesystem::path&)>& write);
// The receipt as PDF bytes. Errors: io.
Result<std::string> receipt_pdf(ArchiveStore& archive, const workflow::Receipt& receipt);

// True when the request's Origin (if any) is this server itself.
bool same_origin(const httplib::Request& req);

// The address of the client for rate limits, lock-outs and audit: the peer,
// or, when the peer is one of the reverse proxies the server trusts
// (`--trusted-proxy`), the nearest address in X-Forwarded-For that is not
// one of them. A header from anyone else is ignored, so that a client cannot
// pick its own address; a malformed hop stops the walk at the proxy.
std::string client_address(const App& app, const httplib::Request& req);

// True when the browser reached us over HTTPS: the server itself speaks TLS,
// or a reverse proxy it trusts (`--trusted-proxy`) says so with
// X-Forwarded-Proto. Cookies are then marked Secure.
bool browser_uses_https(const App& app, const httplib::Request& req);

void add_session_routes(httplib::Server& server, const App& app);
void add_document_routes(httplib::Server& server, const App& app);
void add_registry_routes(httplib::Server& server, const App& app);
void add_flow_routes(httplib::Server& server, const App& app);
void add_form_routes(httplib::Server& server, const App& app);
void add_person_routes(httplib::Server& server, const App& app);
void add_admin_routes(httplib::Server& server, const App& app);
void add_report_routes(httplib::Server& server, const App& app);
void add_web_pages(httplib::Server& server);
// Only on the mutual-TLS exchange listener (ServerOptions::exchange).
void add_exchange_routes(httplib::Server& server, const App& app);

}  // namespace dosar::api
