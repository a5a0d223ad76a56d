// A package over HTTPS with mutual TLS: the package as one JSON body, the
// client that posts it and reads the acknowledgement back (issue 12).
#include <httplib.h>
#include <openssl/x509.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "base/base64.h"
#include "exchange/exchange.h"
#include "records/bag_files.h"
#include "storage/blob_store.h"

namespace dosar::exchange {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTransferFormat = "dosar-exchange-transfer-v1";

Error transfer_error(const std::string& why) {
  return make_error(ErrorCode::corrupt, "transfer body", why);
}

}  // namespace

Result<std::string> pack_for_transfer(const fs::path& dir) {
  json files = json::array();
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end; it != end;
       it.increment(ec)) {
    if (ec) return make_error(ErrorCode::io, dir.string(), "cannot be listed: " + ec.message());
    if (it->is_symlink())
      return make_error(ErrorCode::corrupt, it->path().string(), "is a symbolic link; refused");
    if (!it->is_regular_file()) continue;
    auto bytes = records::read_small_file(it->path(), std::size_t{2} << 30);
    if (!bytes.ok()) return bytes.error();
    files.push_back(
        {{"path", it->path().lexically_relative(dir).generic_string()}, {"content", base64(*bytes)}});
  }
  if (ec) return make_error(ErrorCode::io, dir.string(), "cannot be listed: " + ec.message());
  return json{{"format", kTransferFormat}, {"files", files}}.dump();
}

Result<std::vector<TransferFile>> decode_transfer(std::string_view body, const PackageLimits& limits) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return transfer_error("is not a JSON object");
  auto format = j.find("format");
  if (format == j.end() || !format->is_string() || format->get<std::string>() != kTransferFormat)
    return transfer_error(std::string("format is not ") + kTransferFormat);
  auto files = j.find("files");
  if (files == j.end() || !files->is_array()) return transfer_error("files is not a list");
  if (files->size() > limits.max_files)
    return make_error(ErrorCode::limit_exceeded, "transfer body",
                      "more than " + std::to_string(limits.max_files) + " files");
  // Everything is checked before anything is written.
  std::set<std::string> paths;
  std::vector<TransferFile> decoded;
  std::uint64_t total = 0;
  for (const json& f : *files) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("content") ||
        !f["content"].is_string())
      return transfer_error("a file needs a path and a content (base64)");
    const std::string path = f["path"].get<std::string>();
    if (!records::is_safe_relative_path(path))
      return make_error(ErrorCode::corrupt, path, "escapes the package or is not a relative path; refused");
    if (std::count(path.begin(), path.end(), '/') >= limits.max_depth)
      return make_error(ErrorCode::limit_exceeded, path, "is nested too deep");
    if (!paths.insert(path).second) return make_error(ErrorCode::corrupt, path, "is sent twice");
    auto bytes = unbase64(f["content"].get<std::string>());
    if (!bytes) return make_error(ErrorCode::corrupt, path, "content is not base64");
    total += bytes->size();
    if (total > limits.max_total_bytes)
      return make_error(ErrorCode::limit_exceeded, "transfer body",
                        "more than " + std::to_string(limits.max_total_bytes) + " bytes");
    decoded.push_back({path, std::move(*bytes)});
  }
  // A file and a directory of the same name cannot both be.
  for (const std::string& p : paths)
    for (std::size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1))
      if (paths.count(p.substr(0, slash)))
        return make_error(ErrorCode::corrupt, p, "lies below a file of the same package");
  return decoded;
}

Status unpack_transfer(std::string_view body, const fs::path& dir, const PackageLimits& limits) {
  auto decoded = decode_transfer(body, limits);
  if (!decoded.ok()) return decoded.error();
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || ec)
    return make_error(ErrorCode::io, dir.string(), "cannot be created: " + ec.message());
  for (const TransferFile& f : *decoded) {
    fs::path target = dir / f.path;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return make_error(ErrorCode::io, target.parent_path().string(), "cannot be created: " + ec.message());
    DOSAR_TRY(records::write_new(target, f.bytes));
  }
  return {};
}

Result<fs::path> new_scratch_dir(const fs::path& spool) {
  const fs::path dir = new_staging_path(spool);
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || ec)
    return make_error(ErrorCode::io, dir.string(), "cannot be created: " + ec.message());
  return dir;
}

Status send_package(const std::string& url, const ClientTls& tls, const fs::path& dir,
                    const fs::path& ack_out) {
  static const std::regex shape(R"(https://([^/:]+):(\d{1,5})/?)");
  std::smatch m;
  if (!std::regex_match(url, m, shape))
    return make_error(ErrorCode::invalid_argument, "--send", "'" + url + "' is not https://HOST:PORT");
  auto body = pack_for_transfer(dir);
  if (!body.ok()) return body.error();
  httplib::SSLClient client(m[1].str(), std::stoi(m[2].str()), tls.client_cert.string(),
                            tls.client_key.string());
  if (!client.is_valid())
    return make_error(ErrorCode::invalid_argument, tls.client_cert.string(),
                      "the client certificate and key do not load or do not match");
  client.set_ca_cert_path(tls.ca_file.string());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(10);
  client.set_read_timeout(300);
  client.set_write_timeout(300);
  auto res = client.Post("/api/v1/exchange/packages", *body, "application/json");
  if (!res) {
    std::string why = "no answer (" + httplib::to_string(res.error()) + ")";
    if (long verify = client.get_openssl_verify_result(); verify != 0)
      why += ": the server's certificate is not trusted (" +
             std::string(X509_verify_cert_error_string(verify)) + ")";
    else if (res.error() == httplib::Error::Read || res.error() == httplib::Error::SSLConnection)
      why +=
          ": the connection was closed; a server that requires client certificates closes it when it does "
          "not "
          "accept --client-cert";
    return make_error(ErrorCode::io, url, why);
  }
  if (res->status != 200) {
    json e = json::parse(res->body, nullptr, false);
    // The answer is untrusted too: only string fields are taken from it.
    auto text = [](const json& object, const char* name, const std::string& fallback) {
      auto it = object.find(name);
      return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
    };
    if (e.is_object() && e.contains("error") && e["error"].is_object()) {
      const json& err = e["error"];
      ErrorCode code = ErrorCode::io;
      for (ErrorCode c :
           {ErrorCode::invalid_argument, ErrorCode::not_found, ErrorCode::corrupt, ErrorCode::io,
            ErrorCode::unsupported, ErrorCode::conflict, ErrorCode::permission, ErrorCode::limit_exceeded})
        if (text(err, "code", "") == error_code_name(c)) code = c;
      return make_error(code, text(err, "subject", url),
                        text(err, "message", "refused") + " (answer of " + url + ")");
    }
    return make_error(ErrorCode::io, url, "answered HTTP " + std::to_string(res->status));
  }
  return unpack_transfer(res->body, ack_out);
}

}  // namespace dosar::exchange
