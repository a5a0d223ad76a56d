#include "api/server.h"

#include <unistd.h>

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
  ~Impl() { stop_mailer(); }
};

Result<std::unique_ptr<WebServer>> WebServer::create(ServerOptions options) {
  if (options.tls_cert.has_value() != options.tls_key.has_value())
    return make_error(ErrorCode::invalid_argument, "--tls-cert/--tls-key", "give both or neither");
  if (options.threads < 1) options.threads = 1;
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
  if (options.derivation_jobs > 0) {
    DerivationRunOptions run;
    run.jobs = options.derivation_jobs;
    run.ocr = options.ocr;
    run.ocr_languages = options.ocr_languages;
    run.actor = "dosar-serve";
    auto started = BackgroundDerivations::start(
        options.archive_dir, run, std::chrono::seconds(1), nullptr, [](const Error& e) {
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

std::string WebServer::url() const {
  return std::string(impl_->app.secure_cookies ? "https://" : "http://") + impl_->app.options.host + ":" +
         std::to_string(impl_->port);
}

Status WebServer::run() {
  if (!impl_->server->listen_after_bind())
    return make_error(ErrorCode::io, url(), "the server stopped with an error");
  return {};
}

void WebServer::stop() {
  impl_->server->stop();
  impl_->stop_mailer();
}

}  // namespace dosar::api
