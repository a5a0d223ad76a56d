// SigningKey::from_pkcs11: a key on a PKCS#11 token through OpenSSL's
// "pkcs11" engine (libengine-pkcs11-openssl, libp11). The private key never
// leaves the token: OpenSSL hands every signature to the engine.
// The ENGINE API is deprecated in OpenSSL 3 but is what libp11 offers on
// Debian 12 (no pkcs11 provider there).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "signing/cms_signer.h"

namespace dosar::signing {
namespace {

struct EngineHandle {
  ENGINE* engine = nullptr;
  bool initialized = false;
  ~EngineHandle() {
    if (initialized) ENGINE_finish(engine);
    if (engine) ENGINE_free(engine);
  }
};

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
  ENGINE_load_builtin_engines();
  auto handle = std::make_shared<EngineHandle>();
  handle->engine = ENGINE_by_id("pkcs11");
  if (!handle->engine) {
    ERR_clear_error();
    return make_error(ErrorCode::unsupported, uri, "needs the OpenSSL pkcs11 engine (libengine-pkcs11-openssl)");
  }
  std::string module = module_path(uri);
  if (module.empty())
    if (const char* env = std::getenv("DOSAR_PKCS11_MODULE"); env && *env) module = env;
  if (!module.empty() && ENGINE_ctrl_cmd_string(handle->engine, "MODULE_PATH", module.c_str(), 0) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::invalid_argument, module, "is not a usable PKCS#11 module");
  }
  if (ENGINE_ctrl_cmd_string(handle->engine, "PIN", pin.c_str(), 0) != 1 || ENGINE_init(handle->engine) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::io, uri, "the PKCS#11 engine cannot start");
  }
  handle->initialized = true;
  const std::string key_uri = uri.substr(0, uri.find('?'));
  auto parts = std::make_unique<Parts>();
  parts->engine = handle;
  parts->key.reset(ENGINE_load_private_key(handle->engine, key_uri.c_str(), nullptr, nullptr));
  if (!parts->key) {
    ERR_clear_error();
    return make_error(ErrorCode::permission, uri, "no private key there, or the PIN is wrong");
  }
  struct {
    const char* id;
    X509* cert;
  } request{key_uri.c_str(), nullptr};
  if (ENGINE_ctrl_cmd(handle->engine, "LOAD_CERT_CTRL", 0, &request, nullptr, 1) != 1 || !request.cert) {
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
