#include "api/server.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <thread>

#include "api/form_routes.h"
#include "api/http_support.h"
#include "forms/mail.h"
#include "ingest/derivation_runner.h"

namespace dosar::api {

namespace fs = std::filesystem;

struct WebServer::Impl {
  App app;
  std::unique_ptr<httplib::Server> server;
  int port = 0;
  // The mutual-TLS listener of the exchange between institutions, if any.
  std::unique_ptr<httplib::Server> exchange;
  int exchange_port = 0;
  std::thread exchange_thread;
  // Text and OCR of uploads (and of `ingest --defer`), in the background.
  std::unique_ptr<BackgroundDerivations> derivations;
  // Mails status changes to citizens every mail_interval_seconds (with SMTP).
  std::thread mailer;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;

  void mail_loop() {
    const PublicFormsOptions& o = app.options.forms;
    forms::SmtpSettings smtp{o.smtp_url, o.smtp_from, o.smtp_user, o.smtp_password, o.smtp_require_tls};
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, std::chrono::seconds(o.mail_interval_seconds), [this] { return stopping; })) {
      lock.unlock();
      auto archive = app.archive();
      if (archive.ok()) {
        auto sent = forms::mail_status_changes(**archive, smtp);
        if (!sent.ok()) std::fprintf(stderr, "dosar: %s\n", sent.error().to_string().c_str());
      }
      lock.lock();
    }
  }
  void stop_mailer() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (mailer.joinable()) mailer.join();
  }
  void stop_exchange() {
    if (exchange) exchange->stop();
    if (exchange_thread.joinable()) exchange_thread.join();
  }
  ~Impl() {
    stop_mailer();
    stop_exchange();
  }
};

namespace {

// The exchange listener (issue 12): HTTPS whose handshake requires a client
// certificate chaining to `client_ca`, so an institution without one never
// reaches a handler. Errors: invalid_argument (options, certificates), io.
Result<std::unique_ptr<httplib::Server>> exchange_listener(const ServerOptions& o, const App& app,
                                                           int& port) {
  if (!o.tls_cert || !o.tls_key)
    return make_error(ErrorCode::invalid_argument, "--exchange-listen", "needs --tls-cert and --tls-key");
  if (!o.exchange_client_ca)
    return make_error(ErrorCode::invalid_argument, "--exchange-listen",
                      "needs --exchange-ca (the CA of the institutions' client certificates)");
  if (!o.exchange_key)
    return make_error(ErrorCode::invalid_argument, "--exchange-listen",
                      "needs --exchange-key (the institution's seal for acknowledgements)");
  const std::string cert = o.tls_cert->string(), key = o.tls_key->string(),
                    ca = o.exchange_client_ca->string();
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(&ctx, cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1 || SSL_CTX_load_verify_locations(&ctx, ca.c_str(), nullptr) != 1)
      return false;
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return true;
  });
  if (!server->is_valid())
    return make_error(ErrorCode::invalid_argument, ca,
                      "the TLS certificate, key or the exchange CA file do not load");
  int threads = std::max(1, o.threads / 2);
  server->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  server->set_payload_max_length(static_cast<std::size_t>(o.max_upload_bytes) * 2);
  server->set_read_timeout(300);
  server->set_write_timeout(300);
  add_exchange_routes(*server, app);
  port = o.exchange_port;
  const std::string host = o.exchange_host.value_or("127.0.0.1");
  if (port == 0) {
    port = server->bind_to_any_port(host);
    if (port < 0) return make_error(ErrorCode::io, host, "cannot listen on any port");
  } else if (!server->bind_to_port(host, port)) {
    return make_error(ErrorCode::io, host + ":" + std::to_string(port),
                      "cannot listen there (in use, or not an address of this machine)");
  }
  return std::unique_ptr<httplib::Server>(std::move(server));
}

}  // namespace

Result<std::unique_ptr<WebServer>> WebServer::create(ServerOptions options) {
  if (options.tls_cert.has_value() != options.tls_key.has_value())
    return make_error(ErrorCode::invalid_argument, "--tls-cert/--tls-key", "give both or neither");
  if (options.threads < 1) options.threads = 1;
  if (options.ldap) DOSAR_TRY(check_ldap_options(*options.ldap));
  auto impl = std::make_unique<Impl>();
  impl->app.options = options;
  impl->app.secure_cookies = options.tls_cert.has_value();
  auto archive = impl->app.archive();  // fail now, not on the first request
  if (!archive.ok()) return archive.error();
  remove_abandoned_staging_files((*archive)->spool_dir());  // uploads of a server that died
  auto forms = load_public_forms(options, **archive);       // a broken definition stops the start
  if (!forms.ok()) return forms.error();
  impl->app.forms = std::move(forms).value();

  if (options.tls_cert) {
    for (const fs::path& file : {*options.tls_cert, *options.tls_key})
      if (::access(file.c_str(), R_OK) != 0)
        return make_error(ErrorCode::io, file.string(), "cannot read the TLS certificate or key");
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert->c_str(), options.tls_key->c_str());
    if (!tls->is_valid())
      return make_error(ErrorCode::invalid_argument, options.tls_cert->string(),
                        "the certificate and key do not load or do not match");
    impl->server = std::move(tls);
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *impl->server;
  int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  server.set_payload_max_length(static_cast<std::size_t>(
      std::max(options.max_upload_bytes, options.forms.max_request_bytes) + kUploadDrainBytes));
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // server share the port and silently take half of the requests.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_keep_alive_max_count(1000);  // browsers and load balancers reuse connections
  server.set_read_timeout(60);
  server.set_write_timeout(60);
  server.set_default_headers({{"X-Frame-Options", "DENY"}, {"Referrer-Policy", "same-origin"}});
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    send_error(res, Error{ErrorCode::io, "server", what});
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (req.path.rfind("/api/", 0) == 0) {
      Error e{ErrorCode::invalid_argument, req.path,
              "request refused (HTTP " + std::to_string(res.status) + ")"};
      if (res.status == 404) e = Error{ErrorCode::not_found, req.path, "no such API endpoint"};
      if (res.status == 413)
        e = Error{ErrorCode::limit_exceeded, "upload", "larger than the server's upload limit"};
      int status = res.status;
      send_error(res, e);
      res.status = status;
    }
  });
  add_session_routes(server, impl->app);
  add_document_routes(server, impl->app);
  add_registry_routes(server, impl->app);
  add_flow_routes(server, impl->app);
  add_form_routes(server, impl->app);
  add_person_routes(server, impl->app);
  add_admin_routes(server, impl->app);
  add_report_routes(server, impl->app);
  add_web_pages(server);

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) return make_error(ErrorCode::io, options.host, "cannot listen on any port");
  } else if (!server.bind_to_port(options.host, port)) {
    return make_error(ErrorCode::io, options.host + ":" + std::to_string(port),
                      "cannot listen there (in use, or not an address of this machine)");
  }
  impl->port = port;
  if (options.exchange_host) {
    auto exchange = exchange_listener(options, impl->app, impl->exchange_port);
    if (!exchange.ok()) return exchange.error();
    impl->exchange = std::move(exchange).value();
  }
  if (options.derivation_jobs > 0 && !options.derive_in_workers) {
    DerivationRunOptions run;
    run.jobs = options.derivation_jobs;
    run.ocr = options.ocr;
    run.ocr_languages = options.ocr_languages;
    run.actor = "dosar-serve";
    auto started = BackgroundDerivations::start(
        options.archive_dir, options.index_locator, run, std::chrono::seconds(1), nullptr,
        [](const Error& e) {
          std::fprintf(stderr, "dosar: text extraction in the background: %s\n", e.to_string().c_str());
        });
    if (!started.ok()) return started.error();
    impl->derivations = std::move(started).value();
  }
  if (!options.forms.smtp_url.empty()) {
    if (options.forms.smtp_from.find('@') == std::string::npos)
      return make_error(ErrorCode::invalid_argument, "--smtp-from", "give the address mails are sent from");
    Impl* raw = impl.get();
    impl->mailer = std::thread([raw] { raw->mail_loop(); });
  }
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebServer::~WebServer() = default;

int WebServer::port() const {
  return impl_->port;
}

int WebServer::exchange_port() const {
  return impl_->exchange_port;
}

std::string WebServer::url() const {
  return std::string(impl_->app.secure_cookies ? "https://" : "http://") + impl_->app.options.host + ":" +
         std::to_string(impl_->port);
}

Status WebServer::run() {
  if (impl_->exchange) {
    httplib::Server* exchange = impl_->exchange.get();
    impl_->exchange_thread = std::thread([exchange] { exchange->listen_after_bind(); });
  }
  if (!impl_->server->listen_after_bind())
    return make_error(ErrorCode::io, url(), "the server stopped with an error");
  return {};
}

void WebServer::stop() {
  impl_->server->stop();
  impl_->stop_mailer();
  impl_->stop_exchange();
}

}  // namespace dosar::api
