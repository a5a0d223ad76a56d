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
  std::string name;
  X509_NAME* subject = X509_get_subject_name(cert);
  for (int nid : {NID_organizationName, NID_organizationIdentifier}) {
    int index = X509_NAME_get_index_by_NID(subject, nid, -1);
    if (index < 0) continue;
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (length >= 0) name.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    if (!name.empty()) break;
  }
  X509_free(cert);
  return name;
}

// Two directories in the spool, removed when the request ends.
struct Scratch {
  fs::path package;
  fs::path ack;
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(package, ec);
    fs::remove_all(ack, ec);
  }
};

Result<std::string> receive(const App& app, const std::string& institution, const std::string& body) {
  if (institution.empty())
    return make_error(ErrorCode::permission, "client certificate", "names no institution (subject O)");
  auto archive = app.archive();
  if (!archive.ok()) return archive.error();
  const std::string id = exchange::new_package_id();
  Scratch scratch{(*archive)->spool_dir() / ("exchange-" + id),
                  (*archive)->spool_dir() / ("exchange-ack-" + id)};
  DOSAR_TRY(exchange::unpack_transfer(body, scratch.package));
  auto trust = app.options.trust_dir ? signing::load_trust_store(*app.options.trust_dir)
                                     : Result<signing::TrustStorePtr>(signing::empty_trust_store());
  if (!trust.ok()) return trust.error();
  auto package = exchange::read_package(scratch.package, **trust);
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
  auto received =
      exchange::receive_package(**archive, *package, scratch.package, app.options.exchange_key.get(),
                                scratch.ack, options, "exchange:" + institution);
  if (!received.ok()) return received.error();
  return exchange::pack_for_transfer(scratch.ack);
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
