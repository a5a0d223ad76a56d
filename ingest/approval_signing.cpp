#include "ingest/approval_signing.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ingest/document_signing.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;

fs::path keys_dir(const ArchiveStore& archive) {
  return archive.root() / "keys";
}

bool safe_user_name(const std::string& user) {
  return !user.empty() && user.find_first_of("/\\. \t\n") == std::string::npos;
}

}  // namespace

Result<workflow::SignedVersion> PadesApprovalSigner::sign(const workflow::SigningRequest& request) {
  auto document = archive_.catalog().document(request.document);
  if (!document.ok()) return document.error();
  if (document->current_version != request.version)
    return make_error(
        ErrorCode::conflict, "document " + std::to_string(request.document),
        "version " + std::to_string(request.version) + " is not the current one; nothing was signed");
  signing::SignOptions options = options_;
  options.signing_time = std::chrono::system_clock::now();
  if (options.reason.empty())
    options.reason = request.reason +
                     (request.on_behalf_of.empty() ? "" : " (în numele lui " + request.on_behalf_of + ")");
  auto signed_version = sign_current_version(archive_, request.document, key_, options, request.signer);
  if (!signed_version.ok()) return signed_version.error();
  return workflow::SignedVersion{
      signed_version->number, true,
      "signed (PAdES) by " + key_.signer_name() + " as version " + std::to_string(signed_version->number)};
}

Status store_user_signing_key(ArchiveStore& archive, const std::string& user, const std::string& key,
                              const fs::path& chain_file, const std::string& actor) {
  auto known = archive.catalog().user(user);
  if (!known.ok()) return known.error();
  if (!safe_user_name(user))
    return make_error(ErrorCode::invalid_argument, "user " + user, "cannot name a key file");
  fs::path dir = keys_dir(archive);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::io, dir.string(), ec.message());
  ::chmod(dir.c_str(), 0700);
  for (const char* old : {".p12", ".pkcs11", ".chain.pem"}) fs::remove(dir / (user + old), ec);
  std::string kind = key.rfind("pkcs11:", 0) == 0 ? "pkcs11" : "pkcs12";
  if (kind == "pkcs11") {
    std::ofstream out(dir / (user + ".pkcs11"));
    out << key << '\n';
    if (!out) return make_error(ErrorCode::io, (dir / (user + ".pkcs11")).string(), "cannot be written");
  } else {
    fs::copy_file(key, dir / (user + ".p12"), fs::copy_options::overwrite_existing, ec);
    if (ec) return make_error(ErrorCode::not_found, key, "cannot be copied: " + ec.message());
    ::chmod((dir / (user + ".p12")).c_str(), 0600);
  }
  if (!chain_file.empty()) {
    fs::copy_file(chain_file, dir / (user + ".chain.pem"), fs::copy_options::overwrite_existing, ec);
    if (ec) return make_error(ErrorCode::not_found, chain_file.string(), "cannot be copied: " + ec.message());
  }
  return archive.accounts().record_event(actor, "user.signing_key", std::nullopt,
                                         nlohmann::json{{"name", user}, {"kind", kind}}.dump());
}

Result<signing::SigningKey> load_user_signing_key(const ArchiveStore& archive, const std::string& user,
                                                  const std::string& pin) {
  if (!safe_user_name(user))
    return make_error(ErrorCode::not_found, "user " + user, "has no signing key here");
  fs::path dir = keys_dir(archive);
  std::error_code ec;
  fs::path chain = fs::exists(dir / (user + ".chain.pem"), ec) ? dir / (user + ".chain.pem") : fs::path();
  if (fs::exists(dir / (user + ".p12"), ec))
    return signing::SigningKey::from_pkcs12(dir / (user + ".p12"), pin);
  std::ifstream uri_file(dir / (user + ".pkcs11"));
  std::string uri;
  if (uri_file && std::getline(uri_file, uri) && !uri.empty())
    return signing::SigningKey::from_pkcs11(uri, pin, chain);
  return make_error(
      ErrorCode::not_found, "user " + user,
      "has no signing key on the server; an administrator adds one with `dosar user signing-key`");
}

}  // namespace dosar
