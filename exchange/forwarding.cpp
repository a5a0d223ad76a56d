// Forwarding a registry entry as a sealed package, receiving a package into
// the registry, and the acknowledgement (issue 12).
#include <algorithm>
#include <cstdio>
#include <system_error>

#include "base/clock.h"
#include "base/sha256.h"
#include "exchange/exchange.h"
#include "exchange/package.h"
#include "ingest/ingester.h"
#include "records/bag_files.h"

namespace dosar::exchange {
namespace {

namespace fs = std::filesystem;

// A file name that is safe on every file system: letters, digits, '.', '-', '_'.
std::string plain_file_name(const std::string& name) {
  std::string out;
  for (char ch : name) {
    const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                       ch == '.' || ch == '-' || ch == '_';
    out += plain ? ch : '_';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  if (out.size() > 100) out.erase(0, out.size() - 100);
  return out.empty() ? "document" : out;
}

// A directory beside `out` that becomes `out` once complete; removed unless kept.
class PartialDirectory {
 public:
  static Result<PartialDirectory> create(const fs::path& out) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(out, ec)))
      return make_error(ErrorCode::conflict, out.string(),
                        "already exists; the package goes to a new directory");
    fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    fs::path partial = parent / ("." + out.filename().string() + ".partial-" + new_package_id().substr(0, 8));
    if (!fs::create_directory(partial, ec) || ec)
      return make_error(ErrorCode::io, partial.string(), "cannot be created: " + ec.message());
    return PartialDirectory(partial, out);
  }
  PartialDirectory(PartialDirectory&& other) noexcept
      : path_(std::move(other.path_)), out_(std::move(other.out_)), done_(other.done_) {
    other.done_ = true;
  }
  PartialDirectory& operator=(PartialDirectory&&) = delete;
  ~PartialDirectory() {
    std::error_code ec;
    if (!done_) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  // Renames the directory to `out`. Errors: io (the partial one is kept, named).
  Status publish() {
    if (::rename(path_.c_str(), out_.c_str()) != 0)
      return make_error(ErrorCode::io, out_.string(),
                        "cannot be put in place; the complete package is " + path_.string());
    done_ = true;
    return {};
  }

 private:
  PartialDirectory(fs::path path, fs::path out) : path_(std::move(path)), out_(std::move(out)) {}
  fs::path path_;
  fs::path out_;
  bool done_ = false;
};

// Writes package.json beside the files already listed and seals the whole.
Status finish_package(const fs::path& dir, const Package& p,
                      std::vector<std::pair<std::string, std::string>> files,
                      const signing::SigningKey& key) {
  const std::string json = package_json(p);
  DOSAR_TRY(records::write_new(dir / kPackageFile, json));
  files.emplace_back(sha256_hex(json), kPackageFile);
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return seal_package(dir, files, key);
}

// Writes and seals the acknowledgement of `request`, registered here as `entry`.
Result<std::string> write_acknowledgement(const Package& request, const RegistryEntry& entry,
                                          const signing::SigningKey& key, const fs::path& out) {
  auto partial = PartialDirectory::create(out);
  if (!partial.ok()) return partial.error();
  Package ack;
  ack.kind = "acknowledgement";
  ack.id = new_package_id();
  ack.created_at = format_utc(std::chrono::system_clock::now());
  ack.from = key.organization();
  ack.to = request.from;
  ack.acknowledges = request.id;
  ack.registered_register = entry.register_name;
  ack.registered_number = entry.number;
  ack.registered_date = bucharest_date(entry.registered_at);
  DOSAR_TRY(finish_package(partial->path(), ack, {}, key));
  DOSAR_TRY(partial->publish());
  return ack.id;
}

// Ingests the documents of a checked request package.
Result<std::vector<DocumentId>> ingest_documents(ArchiveStore& archive, const Package& p, const fs::path& dir,
                                                 const ReceiveOptions& options, const std::string& actor) {
  std::vector<DocumentId> documents;
  for (const PackageDocument& d : p.documents) {
    IngestOptions o;
    o.title = d.title;
    o.document_type = p.entry.kind;
    if (!d.confidentiality.empty()) o.confidentiality = d.confidentiality;
    o.actor = actor;
    o.ocr = options.ocr;
    o.ocr_languages = options.ocr_languages;
    auto ingester = Ingester::create(archive, o);
    if (!ingester.ok()) return ingester.error();
    std::optional<IngestItem> result;
    DOSAR_TRY((*ingester)->ingest({dir / d.path}, [&](const IngestItem& item) { result = item; }));
    if (!result) return make_error(ErrorCode::io, d.path, "was not processed");
    if (result->status == IngestStatus::rejected) {
      Error why = result->error.value_or(Error{ErrorCode::unsupported, d.path, "rejected"});
      why.subject = d.path;
      return why;
    }
    if (std::find(documents.begin(), documents.end(), result->document_id) == documents.end())
      documents.push_back(result->document_id);
  }
  return documents;
}

}  // namespace

Result<Forwarded> forward_with_package(const ArchiveStore& archive, workflow::Registry& registry,
                                       const ForwardRequest& request, const signing::SigningKey& key,
                                       const fs::path& out, const std::string& actor) {
  if (key.organization().empty())
    return make_error(ErrorCode::invalid_argument, "--key",
                      "the certificate names no institution (subject O or organizationIdentifier)");
  auto entry = registry.find(request.entry);
  if (!entry.ok()) return entry.error();
  auto partial = PartialDirectory::create(out);
  if (!partial.ok()) return partial.error();

  Package p;
  p.kind = "request";
  p.id = new_package_id();
  p.created_at = format_utc(std::chrono::system_clock::now());
  p.from = key.organization();
  p.to = request.institution;
  p.entry = {entry->register_name,  entry->number,        bucharest_date(entry->registered_at),
             entry->kind,           entry->subject,       entry->sender_name,
             entry->sender_contact, entry->document_date, request.notice};
  std::vector<std::pair<std::string, std::string>> files;
  std::error_code ec;
  if (!entry->documents.empty() && !fs::create_directory(partial->path() / "documents", ec))
    return make_error(ErrorCode::io, (partial->path() / "documents").string(), "cannot be created");
  for (DocumentId id : entry->documents) {
    auto document = archive.catalog().document(id);
    if (!document.ok()) return document.error();
    auto versions = archive.catalog().versions(id);
    if (!versions.ok()) return versions.error();
    auto current = std::find_if(versions->begin(), versions->end(),
                                [&](const Version& v) { return v.number == document->current_version; });
    if (current == versions->end())
      return make_error(ErrorCode::corrupt, "document " + std::to_string(id), "has no current version");
    auto blob = archive.blobs().local_file(current->original_blob_id);
    if (!blob.ok()) return blob.error();
    const std::string path =
        "documents/" + std::to_string(id) + "-" + plain_file_name(current->original_name);
    auto sha256 = records::copy_hashing(blob->path(), partial->path() / path);
    if (!sha256.ok()) return sha256.error();
    // Blobs are named by their SHA-256: a copy that hashes otherwise is a damaged blob.
    if (*sha256 != current->original_blob_id)
      return make_error(ErrorCode::corrupt, "blob " + current->original_blob_id,
                        "does not match its SHA-256; run `dosar check`");
    files.emplace_back(*sha256, path);
    p.documents.push_back({path, document->title, document->confidentiality});
  }
  DOSAR_TRY(finish_package(partial->path(), p, files, key));

  Exchange sent;
  sent.package_id = p.id;
  auto forwarded =
      registry.forward(request.entry, request.institution, request.notice, request.late, actor, sent);
  if (!forwarded.ok()) return forwarded.error();
  DOSAR_TRY(partial->publish());
  return Forwarded{std::move(forwarded).value(), p.id};
}

Result<Received> receive_package(ArchiveStore& archive, const Package& package, const fs::path& dir,
                                 const signing::SigningKey* key, const std::optional<fs::path>& ack_out,
                                 const ReceiveOptions& options, const std::string& actor) {
  auto store = open_registry_store(archive);
  if (!store.ok()) return store.error();
  workflow::Registry registry(archive.catalog(), **store);
  Received received;
  received.kind = package.kind;
  received.package_id = package.id;
  received.from = package.from;

  if (package.kind == "acknowledgement") {
    auto entry =
        registry.record_acknowledgement(package.acknowledges, package.from, package.registered_number,
                                        package.registered_date, package.id, actor);
    if (!entry.ok()) return entry.error();
    received.entry = std::move(entry).value();
    return received;
  }

  if (!key || !ack_out)
    return make_error(
        ErrorCode::invalid_argument, "--key/-o",
        "a request is acknowledged: give the institution's key and where the acknowledgement goes");
  if (package.to != key->organization())
    return make_error(ErrorCode::permission, dir.string() + "/" + kPackageFile,
                      "is addressed to '" + package.to + "', not to this institution ('" +
                          key->organization() + "'); nothing was registered");
  // Refused before anything is stored, with the number it got the first time.
  auto known = (*store)->exchange("in", package.id);
  if (!known.ok()) return known.error();
  if (*known) {
    auto first = (*store)->entry((*known)->entry);
    if (!first.ok()) return first.error();
    return make_error(ErrorCode::conflict, "package " + package.id,
                      "was already received from " + (*known)->peer + " and registered as " +
                          first->register_name + " " + first->number + "; nothing changed");
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(*ack_out, ec)))
    return make_error(ErrorCode::conflict, ack_out->string(),
                      "already exists; the acknowledgement goes to a new directory");

  // What registration would refuse is refused before the documents are stored.
  auto kind = registry.kind(package.entry.kind);
  if (!kind.ok())
    return make_error(
        ErrorCode::not_found, dir.string() + "/" + kPackageFile,
        "the request is of kind '" + package.entry.kind +
            "', which this registry does not know (`registry kind-set` adds it); nothing was stored");
  auto registers = (*store)->registers();
  if (!registers.ok()) return registers.error();
  if (std::none_of(registers->begin(), registers->end(),
                   [&](const Register& r) { return r.name == options.register_name; }))
    return make_error(ErrorCode::not_found, "register " + options.register_name, "no such register");
  auto documents = ingest_documents(archive, package, dir, options, actor);
  if (!documents.ok()) return documents.error();
  workflow::Registration registration;
  registration.register_name = options.register_name;
  registration.kind = package.entry.kind;
  registration.sender_name = package.from;
  registration.sender_contact =
      "petent: " + package.entry.sender_name +
      (package.entry.sender_contact.empty() ? "" : ", " + package.entry.sender_contact);
  registration.subject = package.entry.subject;
  registration.document_date = package.entry.date;
  registration.documents = *documents;
  Exchange in;
  in.package_id = package.id;
  in.peer = package.from;
  in.peer_number = package.entry.number;
  in.peer_date = package.entry.date;
  auto registered = registry.register_received(registration, in, actor);
  if (!registered.ok()) return registered.error();
  received.entry = registered->entry;
  received.access_code = registered->access_code;

  auto ack = write_acknowledgement(package, received.entry, *key, *ack_out);
  if (!ack.ok()) {
    Error e = ack.error();
    e.message +=
        " (the request is registered as " + received.entry.number + "; no acknowledgement was written)";
    return e;
  }
  received.ack_package_id = *ack;
  DOSAR_TRY((*store)->note_acknowledgement_sent(package.id, *ack, actor));
  auto noted = (*store)->entry(received.entry.id);
  if (!noted.ok()) return noted.error();
  received.entry = std::move(noted).value();
  return received;
}

}  // namespace dosar::exchange
