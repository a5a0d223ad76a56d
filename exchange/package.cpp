// Exchange packages: writing, sealing, reading and checking
// (docs/formats/exchange.md).
#include "exchange/package.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "base/clock.h"
#include "base/sha256.h"
#include "records/bag_files.h"
#include "records/preservation.h"

namespace dosar::exchange {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Error bad(const std::string& subject, const std::string& why) {
  return make_error(ErrorCode::corrupt, subject, why);
}

std::string text_field(const json& j, const char* name, const std::string& where, bool required = true) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) throw std::runtime_error(where + "." + name + " is missing");
    return "";
  }
  if (!it->is_string()) throw std::runtime_error(where + "." + name + " is not a string");
  return it->get<std::string>();
}

}  // namespace

std::string new_package_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) std::abort();           // no randomness: nothing safe to do
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // RFC 9562 version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string hex = to_hex(std::string_view(reinterpret_cast<const char*>(b), sizeof b));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

bool is_package_id(const std::string& id) {
  static const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  return std::regex_match(id, shape);
}

std::string package_json(const Package& p) {
  json j{{"format", kPackageFormat},   {"kind", p.kind}, {"id", p.id},
         {"created_at", p.created_at}, {"from", p.from}, {"to", p.to}};
  if (p.kind == "request") {
    const SentEntry& e = p.entry;
    j["entry"] = {{"register", e.register_name},
                  {"number", e.number},
                  {"date", e.date},
                  {"kind", e.kind},
                  {"subject", e.subject},
                  {"sender_name", e.sender_name},
                  {"sender_contact", e.sender_contact},
                  {"document_date", e.document_date ? json(*e.document_date) : json()},
                  {"notice", e.notice}};
    json docs = json::array();
    for (const PackageDocument& d : p.documents)
      docs.push_back({{"path", d.path}, {"title", d.title}, {"confidentiality", d.confidentiality}});
    j["documents"] = docs;
  } else {
    j["acknowledges"] = p.acknowledges;
    j["registered"] = {
        {"register", p.registered_register}, {"number", p.registered_number}, {"date", p.registered_date}};
  }
  return j.dump(2) + "\n";
}

Result<Package> parse_package_json(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad(kPackageFile, "is not a JSON object");
  Package p;
  try {
    if (text_field(j, "format", "package") != kPackageFormat)
      return bad(kPackageFile, std::string("format is not ") + kPackageFormat);
    p.kind = text_field(j, "kind", "package");
    p.id = text_field(j, "id", "package");
    p.created_at = text_field(j, "created_at", "package");
    p.from = text_field(j, "from", "package");
    p.to = text_field(j, "to", "package");
    if (!is_package_id(p.id)) return bad(kPackageFile, "id '" + p.id + "' is not a lowercase UUID");
    if (p.from.empty() || p.to.empty()) return bad(kPackageFile, "from and to must name institutions");
    if (p.kind == "request") {
      auto e = j.find("entry");
      if (e == j.end() || !e->is_object()) return bad(kPackageFile, "entry is missing");
      p.entry.register_name = text_field(*e, "register", "entry");
      p.entry.number = text_field(*e, "number", "entry");
      p.entry.date = text_field(*e, "date", "entry");
      p.entry.kind = text_field(*e, "kind", "entry");
      p.entry.subject = text_field(*e, "subject", "entry");
      p.entry.sender_name = text_field(*e, "sender_name", "entry");
      p.entry.sender_contact = text_field(*e, "sender_contact", "entry", false);
      std::string document_date = text_field(*e, "document_date", "entry", false);
      if (!document_date.empty()) p.entry.document_date = document_date;
      p.entry.notice = text_field(*e, "notice", "entry", false);
      if (!is_iso_date(p.entry.date)) return bad(kPackageFile, "entry.date is not YYYY-MM-DD");
      auto docs = j.find("documents");
      if (docs == j.end() || !docs->is_array()) return bad(kPackageFile, "documents is not a list");
      std::set<std::string> seen;
      for (const json& d : *docs) {
        if (!d.is_object()) return bad(kPackageFile, "a document is not an object");
        PackageDocument doc{text_field(d, "path", "documents[]"), text_field(d, "title", "documents[]"),
                            text_field(d, "confidentiality", "documents[]", false)};
        if (doc.path.rfind("documents/", 0) != 0 || !records::is_safe_relative_path(doc.path))
          return bad(kPackageFile, "document path '" + doc.path + "' is not inside documents/");
        if (!seen.insert(doc.path).second)
          return bad(kPackageFile, "document '" + doc.path + "' is listed twice");
        p.documents.push_back(std::move(doc));
      }
    } else if (p.kind == "acknowledgement") {
      p.acknowledges = text_field(j, "acknowledges", "package");
      if (!is_package_id(p.acknowledges))
        return bad(kPackageFile, "acknowledges '" + p.acknowledges + "' is not a package id");
      auto r = j.find("registered");
      if (r == j.end() || !r->is_object()) return bad(kPackageFile, "registered is missing");
      p.registered_register = text_field(*r, "register", "registered");
      p.registered_number = text_field(*r, "number", "registered");
      p.registered_date = text_field(*r, "date", "registered");
      if (p.registered_number.empty() || !is_iso_date(p.registered_date))
        return bad(kPackageFile, "registered needs a number and a date YYYY-MM-DD");
    } else {
      return bad(kPackageFile, "kind '" + p.kind + "' is neither request nor acknowledgement");
    }
  } catch (const std::exception& e) {
    return bad(kPackageFile, e.what());
  }
  return p;
}

Status seal_package(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& files,
                    const signing::SigningKey& key) {
  std::string manifest;
  for (const auto& [sha256, path] : files)
    manifest += sha256 + "  " + records::encode_manifest_path(path) + "\n";
  DOSAR_TRY(records::write_new(dir / kManifestFile, manifest));
  auto seal = signing::sign_detached(manifest, key, signing::SignOptions{});
  if (!seal.ok()) return seal.error();
  return records::write_new(dir / kSealFile, *seal);
}

Result<Package> read_package(const fs::path& dir, const signing::TrustStore& trust,
                             const PackageLimits& limits) {
  const std::string name = dir.string();
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return make_error(ErrorCode::not_found, name, "no such package (a directory is expected)");
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
    return bad(name, "is not a directory (a package is a directory; symbolic links are refused)");

  // Every file, without following links: anything but files and directories is refused.
  std::map<std::string, std::uint64_t> on_disk;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end; it != end;
       it.increment(ec)) {
    if (ec) return make_error(ErrorCode::io, name, "cannot be listed: " + ec.message());
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    auto status = it->symlink_status(ec);
    if (fs::is_symlink(status)) return bad(name + "/" + rel, "is a symbolic link; refused");
    if (it.depth() >= limits.max_depth)
      return make_error(ErrorCode::limit_exceeded, name + "/" + rel, "is nested too deep");
    if (fs::is_directory(status)) continue;
    if (!fs::is_regular_file(status)) return bad(name + "/" + rel, "is not a regular file; refused");
    if (on_disk.size() >= limits.max_files)
      return make_error(ErrorCode::limit_exceeded, name,
                        "has more than " + std::to_string(limits.max_files) + " files");
    on_disk[rel] = it->file_size(ec);
  }
  if (ec) return make_error(ErrorCode::io, name, "cannot be listed: " + ec.message());

  // The seal first: nothing else of the package is believed before it.
  auto manifest = records::read_small_file(dir / kManifestFile, limits.max_small_file_bytes);
  if (!manifest.ok()) return manifest.error();
  auto seal = records::read_small_file(dir / kSealFile, limits.max_small_file_bytes);
  if (!seal.ok()) return seal.error();
  auto verdict = signing::verify_detached(*manifest, *seal, trust);
  if (!verdict.ok()) return verdict.error();
  const signing::SignatureReport& report = verdict->signatures.front();
  const std::string seal_name = name + "/" + kSealFile;
  if (report.indication == signing::Indication::total_failed)
    return bad(seal_name, "the seal does not verify over the manifest (" + report.subindication +
                              "): " + report.message);
  // A seal whose revocation status nothing shows is not distrusted but
  // unchecked (issue 5): the message says what to add to the trust folder.
  const bool unchecked = report.subindication == "TRY_LATER";
  if (!verdict->valid)
    return make_error(ErrorCode::permission, seal_name,
                      "sealed by '" + (report.organization.empty() ? report.signer : report.organization) +
                          (unchecked ? "', whose seal could not be checked ("
                                     : "', an institution the trust store does not vouch for (") +
                          report.subindication + "): " + report.message);
  if (report.organization.empty())
    return make_error(ErrorCode::permission, seal_name,
                      "the seal certificate names no institution (subject O or organizationIdentifier)");

  records::BagLimits bag_limits;
  bag_limits.max_files = limits.max_files;
  auto entries = records::parse_bag_manifest(*manifest, name + "/" + kManifestFile, bag_limits);
  if (!entries.ok()) {
    // The parser is BagIt's; here the bag is the package.
    Error e = entries.error();
    if (auto at = e.message.find("escapes the bag"); at != std::string::npos)
      e.message.replace(at, 15, "escapes the package");
    return e;
  }
  std::map<std::string, std::string> listed;
  for (const records::ManifestEntry& e : *entries)
    if (!listed.emplace(e.path, e.sha256).second)
      return bad(name + "/" + kManifestFile, "lists '" + e.path + "' twice");
  on_disk.erase(kManifestFile);
  on_disk.erase(kSealFile);
  for (const auto& [path, size] : on_disk)
    if (!listed.count(path)) return bad(name + "/" + path, "is not in the sealed manifest (a file added)");
  std::uint64_t total = 0;
  for (const auto& [path, sha256] : listed) {
    auto found = on_disk.find(path);
    if (found == on_disk.end())
      return bad(name + "/" + path, "is listed in the sealed manifest but missing from the package");
    total += found->second;
    if (total > limits.max_total_bytes)
      return make_error(ErrorCode::limit_exceeded, name,
                        "holds more than " + std::to_string(limits.max_total_bytes) + " bytes");
  }
  for (const auto& [path, sha256] : listed) {
    auto actual = records::hash_file(dir / path);
    if (!actual.ok()) return actual.error();
    if (*actual != sha256)
      return bad(name + "/" + path, "does not match its SHA-256 in the sealed manifest (changed)");
  }

  auto text = records::read_small_file(dir / kPackageFile, limits.max_small_file_bytes);
  if (!text.ok()) return text.error();
  auto package = parse_package_json(*text);
  if (!package.ok()) return Error{package.error().code, name + "/" + kPackageFile, package.error().message};
  if (package->from != report.organization)
    return bad(name + "/" + kPackageFile,
               "says it is from '" + package->from + "' but the seal is by '" + report.organization + "'");
  for (const PackageDocument& d : package->documents)
    if (!listed.count(d.path))
      return bad(name + "/" + kPackageFile, "names '" + d.path + "', not in the package");
  package->sealed_by = report.signer;
  return package;
}

}  // namespace dosar::exchange
