// `dosar serve`: the HTTP API under /api/v1 and the web pages, over the same
// service layer as the command line (api/'s public header). The API is
// documented in docs/api.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/ldap_auth.h"
#include "base/clock.h"
#include "base/result.h"
#include "signing/pades.h"

namespace dosar::api {

// The public forms (/formulare) and what limits their abuse.
struct PublicFormsOptions {
  // Form definitions overriding or joining the shipped ones; default
  // ARCHIVE/forms/ when it exists.
  std::optional<std::filesystem::path> forms_dir;
  bool proof_of_work = true;  // off: `dosar serve --no-proof-of-work` (a kiosk at the desk, tests)
  int proof_of_work_bits = 16;
  int per_address_per_hour = 30;  // submissions and follow-ups from one address
  int per_minute = 120;           // from all addresses together
  // Without a solved proof of work (no JavaScript), far fewer are accepted.
  int unproven_per_address_per_hour = 3;
  int unproven_per_hour = 30;
  int max_files = 10;
  std::uint64_t max_file_bytes = 20ull << 20;
  std::uint64_t max_request_bytes = 60ull << 20;
  std::string institution;  // printed on receipts
  // E-mail to citizens: the receipt, then each status change (none without a URL).
  std::string smtp_url;  // smtp://host:587 (STARTTLS when offered) or smtps://host:465
  std::string smtp_from;
  std::string smtp_user;
  std::string smtp_password;
  bool smtp_require_tls = false;
  int mail_interval_seconds = 30;  // how often status changes are looked for
};

struct ServerOptions {
  std::filesystem::path archive_dir;
  // The search index's locator (`--index`); none: the archive's config.json.
  std::optional<std::string> index_locator;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see WebServer::port)
  std::uint64_t max_upload_bytes = 512ull << 20;
  int threads = 8;
  // Both or neither: HTTPS directly, and cookies marked Secure.
  std::optional<std::filesystem::path> tls_cert;
  std::optional<std::filesystem::path> tls_key;
  // Trusted root certificates (PEM files, and CRLs) for the signature
  // verdicts shown on document pages; none: no signature is trusted.
  std::optional<std::filesystem::path> trust_dir;
  // Ingest of uploads.
  bool ocr = true;
  std::string ocr_languages = "ron+eng";
  // Uploads are stored at once and their text extracted and OCRed by this
  // many background derivation threads, whose progress the pages show
  // (also what `ingest --defer` queued). 0: uploads are read while the
  // request waits, and nothing queued is worked on.
  int derivation_jobs = 1;
  // Scale-out (issue 13): uploads are stored and queued as above, but no
  // thread of this server derives; `dosar worker` processes do.
  bool derive_in_workers = false;
  // Reverse proxies (their addresses as the server sees them) whose
  // X-Forwarded-For names the client: per-address limits, lock-outs and
  // audit then count the citizen, not the proxy.
  std::vector<std::string> trusted_proxies;
  PublicFormsOptions forms;
  // Sign-in of accounts marked LDAP (`user add --ldap`) through the
  // institution's directory; without it such accounts cannot sign in
  // (503), and local accounts are unaffected.
  std::optional<LdapOptions> ldap;
  // The time the server works by (sessions, deadlines, the inbox's
  // overdue); tests set a fixed clock. Null: the system's. Must outlive
  // the server.
  const Clock* clock = nullptr;
  // Forwarding between institutions (issue 12): a second HTTPS listener
  // serving only POST /api/v1/exchange/packages, which requires a client
  // certificate issued by a CA of `exchange_client_ca` (mutual TLS) and
  // uses tls_cert/tls_key; the browser listener needs none. Packages are
  // checked against trust_dir and acknowledged with exchange_key.
  std::optional<std::string> exchange_host;
  int exchange_port = 0;                                    // 0: any free port (see WebServer::exchange_port)
  std::optional<std::filesystem::path> exchange_client_ca;  // PEM file of CA certificates
  std::shared_ptr<const signing::SigningKey> exchange_key;
};

class WebServer {
 public:
  // Opens the archive, loads the forms and binds the port. Errors: not_found
  // (no archive), invalid_argument (options; a form definition with errors,
  // naming the file and the field), io (port taken, certificate unreadable).
  static Result<std::unique_ptr<WebServer>> create(ServerOptions options);
  ~WebServer();

  int port() const;
  int exchange_port() const;  // 0 without the exchange listener
  std::string url() const;    // "http://127.0.0.1:8080"
  // Serves until stop() is called from another thread or a signal handler's
  // thread. Errors: io.
  Status run();
  void stop();

 private:
  struct Impl;
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dosar::api
