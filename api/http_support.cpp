#include "api/http_support.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "api/json_shapes.h"
#include "base/sha256.h"
#include "ingest/archive_index.h"

namespace dosar::api {

Result<ArchiveStore*> App::archive() const {
  // One archive (catalogue connection, blob store) per request thread: SQLite
  // connections must not be shared between threads, and opening one per
  // request would cost more than the request.
  thread_local std::map<std::string, std::unique_ptr<ArchiveStore>> opened;
  auto& slot = opened[options.archive_dir.string()];
  if (!slot) {
    auto archive = ArchiveStore::open(options.archive_dir, clock());
    if (!archive.ok()) return archive.error();
    slot = std::move(archive).value();
    slot->set_index_locator(options.index_locator);
  }
  return slot.get();
}

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return 400;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::permission:
      return 403;
    case ErrorCode::unsupported:
      return 415;
    case ErrorCode::limit_exceeded:
      return 413;
    case ErrorCode::corrupt:
    case ErrorCode::io:
      return 500;
  }
  return 500;
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, const Error& error) {
  send_json(res, http_status_for(error.code), {{"error", to_json(error)}});
}

std::optional<std::string> cookie_value(const httplib::Request& req, const std::string& name) {
  std::string header = req.get_header_value("Cookie");
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(at, end - at);
    std::size_t first = pair.find_first_not_of(' ');
    if (first != std::string::npos) pair.erase(0, first);
    if (pair.size() > name.size() && pair.compare(0, name.size(), name) == 0 && pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    at = end + 1;
  }
  return std::nullopt;
}

void set_page_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                 "frame-ancestors 'none'; form-action 'self'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control", "no-cache");
}

Result<nlohmann::json> object_body(const httplib::Request& req, const std::string& subject) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_error(ErrorCode::invalid_argument, subject, "expected a JSON object");
  return body;
}

Result<std::optional<std::string>> text_field(const nlohmann::json& body, const char* name,
                                              std::size_t max_bytes) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string() || it->get<std::string>().size() > max_bytes)
    return make_error(ErrorCode::invalid_argument, name,
                      "must be text of at most " + std::to_string(max_bytes) + " bytes");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> spooled_file(ArchiveStore& archive,
                                 const std::function<Status(const std::filesystem::path&)>& write) {
  std::filesystem::path file = new_staging_path(archive.spool_dir());
  Status written = write(file);
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
  if (!written.ok()) return written.error();
  return bytes;
}

Result<std::string> receipt_pdf(ArchiveStore& archive, const workflow::Receipt& receipt) {
  return spooled_file(
      archive, [&](const std::filesystem::path& file) { return workflow::write_receipt_pdf(receipt, file); });
}

bool same_origin(const httplib::Request& req) {
  if (!req.has_header("Origin")) return true;  // not a cross-site browser request
  std::string origin = req.get_header_value("Origin");
  std::string host = req.get_header_value("Host");
  return origin == "http://" + host || origin == "https://" + host;
}

namespace {

bool from_trusted_proxy(const App& app, const std::string& address) {
  const auto& proxies = app.options.trusted_proxies;
  return std::find(proxies.begin(), proxies.end(), address) != proxies.end();
}

}  // namespace

bool browser_uses_https(const App& app, const httplib::Request& req) {
  if (app.secure_cookies) return true;
  return from_trusted_proxy(app, req.remote_addr) && req.get_header_value("X-Forwarded-Proto") == "https";
}

std::string client_address(const App& app, const httplib::Request& req) {
  auto trusted = [&](const std::string& address) { return from_trusted_proxy(app, address); };
  if (!trusted(req.remote_addr) || !req.has_header("X-Forwarded-For")) return req.remote_addr;
  const std::string forwarded = req.get_header_value("X-Forwarded-For");
  std::string client = req.remote_addr;
  std::size_t end = forwarded.size();
  while (end > 0) {
    std::size_t comma = forwarded.rfind(',', end - 1);
    std::size_t begin = comma == std::string::npos ? 0 : comma + 1;
    std::string hop = forwarded.substr(begin, end - begin);
    hop.erase(0, hop.find_first_not_of(" \t"));
    hop.erase(hop.find_last_not_of(" \t") + 1);
    unsigned char parsed[sizeof(in6_addr)];
    if (::inet_pton(AF_INET, hop.c_str(), parsed) != 1 && ::inet_pton(AF_INET6, hop.c_str(), parsed) != 1)
      return client;
    client = hop;
    if (!trusted(hop)) return client;
    if (comma == std::string::npos) break;
    end = comma;
  }
  return client;
}

namespace {

bool changes_state(const httplib::Request& req) {
  return req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
}

// Resolves the caller or answers the request with the reason.
std::optional<std::pair<ArchiveStore*, Caller>> authenticate(const App& app, const httplib::Request& req,
                                                             httplib::Response& res) {
  auto archive = app.archive();
  if (!archive.ok()) {
    send_error(res, archive.error());
    return std::nullopt;
  }
  auto token = cookie_value(req, kSessionCookie);
  if (!token) {
    send_error(res, Error{ErrorCode::permission, "session", "sign in first"});
    res.status = 401;
    return std::nullopt;
  }
  auto session = (*archive)->accounts().session(sha256_hex(*token));
  if (!session.ok()) {
    send_error(res, session.error());
    res.status = session.error().code == ErrorCode::not_found ? 401 : 500;
    return std::nullopt;
  }
  if (changes_state(req)) {
    std::string csrf = req.get_header_value(kCsrfHeader);
    bool token_ok = csrf.size() == session->csrf_token.size() &&
                    CRYPTO_memcmp(csrf.data(), session->csrf_token.data(), csrf.size()) == 0;
    if (!token_ok || !same_origin(req)) {
      send_error(res,
                 Error{ErrorCode::permission, "request", "missing or wrong CSRF token, or another origin"});
      return std::nullopt;
    }
  }
  auto user = (*archive)->catalog().user(session->user_name);
  if (!user.ok()) {
    send_error(res, user.error());
    res.status = 401;
    return std::nullopt;
  }
  Caller caller{*user, *session, visibility_of(*user)};
  return std::pair{*archive, std::move(caller)};
}

}  // namespace

Result<std::vector<RoleGrant>> roles_of(ArchiveStore& archive, const std::string& user) {
  auto flows = open_flow_store(archive);
  if (!flows.ok()) return flows.error();
  return (*flows)->roles(user);
}

bool require_role(ArchiveStore& archive, const Caller& caller, std::initializer_list<const char*> roles,
                  httplib::Response& res) {
  auto held = roles_of(archive, caller.user.name);
  if (!held.ok()) {
    send_error(res, held.error());
    return false;
  }
  for (const char* role : roles)
    for (const RoleGrant& g : *held)
      if (g.role == role) return true;
  std::string names;
  for (const char* role : roles) names += (names.empty() ? "" : " or ") + std::string(role);
  send_error(res, Error{ErrorCode::permission, "user " + caller.user.name, "needs the role " + names});
  return false;
}

httplib::Server::Handler signed_in(const App& app, CallerHandler handler) {
  return [&app, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto who = authenticate(app, req, res);
    if (who) handler(app, *who->first, who->second, req, res);
  };
}

httplib::Server::HandlerWithContentReader signed_in_reader(const App& app, CallerReaderHandler handler) {
  return [&app, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                              const httplib::ContentReader& reader) {
    auto who = authenticate(app, req, res);
    if (who) handler(app, *who->first, who->second, req, res, reader);
  };
}

}  // namespace dosar::api
