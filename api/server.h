// `dosar serve`: the HTTP API under /api/v1 and the web pages, over the same
// service layer as the command line (api/'s public header). The API is
// documented in docs/api.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"

namespace dosar::api {

struct ServerOptions {
  std::filesystem::path archive_dir;
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
};

class WebServer {
 public:
  // Opens the archive and binds the port. Errors: not_found (no archive),
  // invalid_argument (options), io (port taken, certificate unreadable).
  static Result<std::unique_ptr<WebServer>> create(ServerOptions options);
  ~WebServer();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:8080"
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
