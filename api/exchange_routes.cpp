// POST /api/v1/exchange/packages: another institution's Dosar forwards a
// request (issue 12). Served only on the exchange listener, where mutual TLS
// has already required a client certificate issued by --exchange-ca; the
// package must be sealed by the same institution the client certificate
// names, and the answer carries the sealed acknowledgement.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mutex>

#include "api/http_support.h"
#include "exchange/exchange.h"

namespace dosar::api {
namespace {

namespace fs = std::filesystem;

// The subject O (else organizationIdentifier) of the TLS client's certificate.
std::string peer_institution(const httplib::Request& req) {
  if (!req.ssl) return "";
  X509* cert = SSL_get1_peer_certificate(const_cast<SSL*>(req.ssl));
  if (!cert) return "";
  std::string name = signing::certificate_organization(cert);
  X509_free(cert);
  return name;
}

// The request's directory in the spool (the package, its acknowledgement),
// removed when the request ends; a server that dies leaves it to the
// start-up sweep (exchange::new_scratch_dir).
struct Scratch {
  fs::path dir;
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Result<std::string> receive(const App& app, const std::string& institution, const std::string& body) {
  if (institution.empty())
    return make_error(ErrorCode::permission, "client certificate", "names no institution (subject O)");
  auto archive = app.archive();
  if (!archive.ok()) return archive.error();
  auto dir = exchange::new_scratch_dir((*archive)->spool_dir());
  if (!dir.ok()) return dir.error();
  Scratch scratch{*dir};
  const fs::path package_dir = scratch.dir / "package", ack_dir = scratch.dir / "ack";
  DOSAR_TRY(exchange::unpack_transfer(body, package_dir));
  auto trust = app.options.trust_dir ? signing::load_trust_store(*app.options.trust_dir)
                                     : Result<signing::TrustStorePtr>(signing::empty_trust_store());
  if (!trust.ok()) return trust.error();
  auto package = exchange::read_package(package_dir, **trust);
  if (!package.ok()) return package.error();
  if (package->from != institution)
    return make_error(ErrorCode::permission, "package " + package->id,
                      "is sealed by '" + package->from + "' but sent by '" + institution + "'");
  if (package->kind != "request")
    return make_error(ErrorCode::invalid_argument, "package " + package->id,
                      "is an acknowledgement; acknowledgements come back in the answer to a request");
  exchange::ReceiveOptions options;
  options.ocr = app.options.ocr;
  options.ocr_languages = app.options.ocr_languages;
  // One seal at a time: the key (perhaps on a token) is shared by the threads.
  static std::mutex sealing;
  std::lock_guard lock(sealing);
  auto received = exchange::receive_package(**archive, *package, package_dir, app.options.exchange_key.get(),
                                            ack_dir, options, "exchange:" + institution);
  if (!received.ok()) return received.error();
  return exchange::pack_for_transfer(ack_dir);
}

}  // namespace

void add_exchange_routes(httplib::Server& server, const App& app) {
  server.Post("/api/v1/exchange/packages", [&app](const httplib::Request& req, httplib::Response& res) {
    auto answer = receive(app, peer_institution(req), req.body);
    if (!answer.ok()) {
      send_error(res, answer.error());
      // A package that does not check out is the sender's problem, not the server's.
      if (answer.error().code == ErrorCode::corrupt) res.status = 422;
      return;
    }
    res.set_content(*answer, "application/json");
  });
}

}  // namespace dosar::api
