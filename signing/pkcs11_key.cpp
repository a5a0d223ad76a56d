// SigningKey::from_pkcs11: a key on a PKCS#11 token through OpenSSL's
// "pkcs11" engine (libengine-pkcs11-openssl, libp11). The private key never
// leaves the token: OpenSSL hands every signature to the engine.
// The ENGINE API is deprecated in OpenSSL 3 but is what libp11 offers on
// Debian 12 (no pkcs11 provider there).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <mutex>

#include "signing/cms_signer.h"

namespace dosar::signing {
namespace {

// The engine is loaded once and kept for the life of the process: libp11
// frees the key methods it creates only when the process ends, so unloading
// it after each use would leak them (and reloading costs a module scan).
Result<ENGINE*> pkcs11_engine(const std::string& module) {
  static std::mutex mutex;
  static ENGINE* engine = nullptr;
  static std::string engine_module;
  std::lock_guard<std::mutex> lock(mutex);
  if (engine) {
    if (!module.empty() && module != engine_module)
      return make_error(ErrorCode::unsupported, module,
                        "differs from the PKCS#11 module already in use by this process");
    return engine;
  }
  ENGINE_load_builtin_engines();
  ENGINE* e = ENGINE_by_id("pkcs11");
  if (!e) {
    ERR_clear_error();
    return make_error(ErrorCode::unsupported, "pkcs11",
                      "needs the OpenSSL pkcs11 engine (libengine-pkcs11-openssl)");
  }
  if (!module.empty() && ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module.c_str(), 0) != 1) {
    ERR_clear_error();
    ENGINE_free(e);
    return make_error(ErrorCode::invalid_argument, module, "is not a usable PKCS#11 module");
  }
  if (ENGINE_init(e) != 1) {
    ERR_clear_error();
    ENGINE_free(e);
    return make_error(ErrorCode::io, "pkcs11", "the PKCS#11 engine cannot start");
  }
  engine = e;
  engine_module = module;
  return engine;
}

// RFC 7512 "module-path" query attribute, which libp11 does not read itself.
std::string module_path(const std::string& uri) {
  const std::size_t at = uri.find("module-path=");
  if (at == std::string::npos) return "";
  const std::size_t end = uri.find_first_of("&;", at);
  return uri.substr(at + 12, end == std::string::npos ? std::string::npos : end - at - 12);
}

}  // namespace

Result<SigningKey> SigningKey::from_pkcs11(const std::string& uri, const std::string& pin,
                                           const std::filesystem::path& chain_file) {
  std::string module = module_path(uri);
  if (module.empty())
    if (const char* env = std::getenv("DOSAR_PKCS11_MODULE"); env && *env) module = env;
  auto engine = pkcs11_engine(module);
  if (!engine.ok()) return engine.error();
  if (ENGINE_ctrl_cmd_string(*engine, "PIN", pin.c_str(), 0) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::io, uri, "the PKCS#11 engine does not take a PIN");
  }
  const std::string key_uri = uri.substr(0, uri.find('?'));
  auto parts = std::make_unique<Parts>();
  parts->key.reset(ENGINE_load_private_key(*engine, key_uri.c_str(), nullptr, nullptr));
  if (!parts->key) {
    ERR_clear_error();
    return make_error(ErrorCode::permission, uri, "no private key there, or the PIN is wrong");
  }
  struct {
    const char* id;
    X509* cert;
  } request{key_uri.c_str(), nullptr};
  if (ENGINE_ctrl_cmd(*engine, "LOAD_CERT_CTRL", 0, &request, nullptr, 1) != 1 || !request.cert) {
    ERR_clear_error();
    return make_error(ErrorCode::not_found, uri, "has no certificate beside its key");
  }
  parts->certificate.reset(request.cert);
  parts->chain.reset(sk_X509_new_null());
  if (!chain_file.empty()) {
    FILE* f = std::fopen(chain_file.c_str(), "r");
    if (!f) return make_error(ErrorCode::not_found, chain_file.string(), "cannot be opened");
    while (X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr)) sk_X509_push(parts->chain.get(), c);
    std::fclose(f);
    ERR_clear_error();
  }
  const int type = EVP_PKEY_get_base_id(parts->key.get());
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
    return make_error(ErrorCode::unsupported, uri, "holds a key that is neither RSA nor EC");
  return SigningKey(std::move(parts));
}

}  // namespace dosar::signing
