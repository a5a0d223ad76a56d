// import_bag: a bag made by export_bag into an empty archive. Everything is
// checked before anything is stored (docs/formats/bag.md).
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/sha256.h"
#include "records/bag_files.h"
#include "records/preservation.h"
#include "storage/provenance_store.h"

namespace dosar::records {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Error bad(const fs::path& file, std::string reason) {
  return make_error(ErrorCode::corrupt, file.string(), std::move(reason));
}

// One file of a version as document.json describes it, checked against the manifest.
struct ImportFile {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
  std::string mime_type;
  std::string kind;  // derived only
};

struct ImportVersion {
  ImportFile original;
  std::string name;
  std::optional<int> page_count;
  std::optional<double> ocr_confidence;
  std::string comment;
  std::vector<std::string> warnings;
  std::vector<PageInfo> pages;
  std::vector<ImportFile> derived;
};

struct ImportDocument {
  DocumentId original_id = 0;
  std::string metadata_path;
  std::string title, type, department, confidentiality;
  std::vector<ImportVersion> versions;
  json provenance;
};

Result<ImportFile> file_of(const json& j, const std::map<std::string, std::string>& manifest,
                           const fs::path& where) {
  ImportFile f;
  f.path = j.at("path").get<std::string>();
  f.sha256 = j.at("sha256").get<std::string>();
  f.size = j.at("size").get<std::uint64_t>();
  f.mime_type = j.at("mime_type").get<std::string>();
  auto listed = manifest.find(f.path);
  if (listed == manifest.end()) return bad(where, "names " + f.path + ", which the manifest does not list");
  if (listed->second != f.sha256)
    return bad(where, "gives " + f.path + " another checksum than the manifest");
  return f;
}

Result<ImportDocument> read_document(const fs::path& bag, const std::string& path,
                                     const std::map<std::string, std::string>& manifest,
                                     const BagLimits& limits) {
  const fs::path file = bag / path;
  auto text = read_small_file(file, limits.max_tag_file_bytes);
  if (!text.ok()) return text.error();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad(file, "is not JSON");
  if (j.value("format", "") != kDocumentFormat)
    return bad(file, std::string("is not of format ") + kDocumentFormat);
  try {
    ImportDocument d;
    d.metadata_path = path;
    const json& doc = j.at("document");
    d.original_id = doc.at("id").get<DocumentId>();
    d.title = doc.at("title").get<std::string>();
    d.type = doc.at("type").get<std::string>();
    d.department = doc.at("department").get<std::string>();
    d.confidentiality = doc.at("confidentiality").get<std::string>();
    for (const json& v : j.at("versions")) {
      ImportVersion version;
      auto original = file_of(v.at("original"), manifest, file);
      if (!original.ok()) return original.error();
      version.original = std::move(original).value();
      version.name = v.at("original").at("name").get<std::string>();
      if (!v.at("page_count").is_null()) version.page_count = v.at("page_count").get<int>();
      if (!v.at("ocr_confidence").is_null()) version.ocr_confidence = v.at("ocr_confidence").get<double>();
      version.comment = v.at("comment").get<std::string>();
      version.warnings = v.at("warnings").get<std::vector<std::string>>();
      for (const json& page : v.at("pages")) {
        PageInfo info;
        info.page = page.at("page").get<int>();
        info.text_source = page.at("text_source").get<std::string>();
        if (!page.at("ocr_confidence").is_null())
          info.ocr_confidence = page.at("ocr_confidence").get<double>();
        info.rotated_degrees = page.at("rotated_degrees").get<int>();
        info.deskew_degrees = page.at("deskew_degrees").get<double>();
        version.pages.push_back(info);
      }
      for (const json& dj : v.at("derived")) {
        auto derived = file_of(dj, manifest, file);
        if (!derived.ok()) return derived.error();
        derived->kind = dj.at("kind").get<std::string>();
        version.derived.push_back(std::move(derived).value());
      }
      d.versions.push_back(std::move(version));
    }
    // What the catalogue would refuse is refused here, before anything is stored.
    if (d.versions.empty()) return bad(file, "has no version");
    if (d.title.empty()) return bad(file, "has an empty title");
    bool known = false;
    for (const char* level : kConfidentialityLevels) known = known || d.confidentiality == level;
    if (!known) return bad(file, "has an unknown confidentiality '" + d.confidentiality + "'");
    for (const ImportVersion& v : d.versions) {
      if (v.original.mime_type.empty()) return bad(file, "has a version without a MIME type");
      for (const ImportFile& derived : v.derived)
        if (derived.kind.empty() || derived.mime_type.empty())
          return bad(file, "has a derived file without a kind or MIME type");
    }
    d.provenance = {{"document", doc},
                    {"audit", j.at("audit")},
                    {"fixity", j.at("fixity")},
                    {"signatures", j.at("signatures")}};
    if (j.contains("imported_provenance")) d.provenance["imported_provenance"] = j["imported_provenance"];
    return d;
  } catch (const json::exception& e) {
    return bad(file, std::string("malformed: ") + e.what());
  }
}

// The manifests and the payload on disk agree, every checksum included.
Result<std::map<std::string, std::string>> check_bag(const fs::path& bag, const BagLimits& limits) {
  auto bagit = read_small_file(bag / "bagit.txt", 4096);
  if (!bagit.ok()) return bagit.error();
  if (bagit->find("BagIt-Version: ") == std::string::npos)
    return bad(bag / "bagit.txt", "has no BagIt-Version");

  auto tag_text = read_small_file(bag / "tagmanifest-sha256.txt", limits.max_tag_file_bytes);
  if (!tag_text.ok()) return tag_text.error();
  auto tags = parse_bag_manifest(*tag_text, (bag / "tagmanifest-sha256.txt").string(), limits);
  if (!tags.ok()) return tags.error();
  bool manifest_tagged = false;
  for (const ManifestEntry& e : *tags) {
    if (e.path.find('/') != std::string::npos || e.path.rfind("tagmanifest-", 0) == 0)
      return bad(bag / "tagmanifest-sha256.txt", "lists " + e.path + ", which is not a tag file");
    auto bytes = read_small_file(bag / e.path, limits.max_tag_file_bytes);
    if (!bytes.ok()) return bytes.error();
    if (sha256_hex(*bytes) != e.sha256)
      return bad(bag / e.path, "checksum differs from tagmanifest-sha256.txt");
    manifest_tagged |= e.path == "manifest-sha256.txt";
  }
  if (!manifest_tagged) return bad(bag / "tagmanifest-sha256.txt", "does not list manifest-sha256.txt");

  auto manifest_text = read_small_file(bag / "manifest-sha256.txt", limits.max_tag_file_bytes);
  if (!manifest_text.ok()) return manifest_text.error();
  auto entries = parse_bag_manifest(*manifest_text, (bag / "manifest-sha256.txt").string(), limits);
  if (!entries.ok()) return entries.error();
  std::map<std::string, std::string> manifest;
  for (const ManifestEntry& e : *entries) {
    if (e.path.rfind("data/", 0) != 0)
      return bad(bag / "manifest-sha256.txt", "lists " + e.path + ", which is outside data/");
    if (!manifest.emplace(e.path, e.sha256).second)
      return bad(bag / "manifest-sha256.txt", "lists " + e.path + " twice");
  }

  // Every file under data/ is listed; nothing is a symlink or special file.
  std::error_code ec;
  struct stat data_info {};
  if (::lstat((bag / "data").c_str(), &data_info) != 0 || !S_ISDIR(data_info.st_mode))
    return bad(bag / "data", "is missing or not a directory");
  std::set<std::string> seen;
  for (fs::recursive_directory_iterator it(bag / "data", fs::directory_options::none, ec), end; it != end;
       it.increment(ec)) {
    if (ec) return make_error(ErrorCode::io, (bag / "data").string(), ec.message());
    const fs::path& path = it->path();
    const std::string relative = fs::relative(path, bag, ec).generic_string();
    auto status = it->symlink_status(ec);
    if (fs::is_symlink(status)) return bad(path, "is a symbolic link; refused");
    if (fs::is_directory(status)) continue;
    if (!fs::is_regular_file(status)) return bad(path, "is not a regular file");
    if (!manifest.count(relative)) return bad(path, "is in the payload but not in manifest-sha256.txt");
    seen.insert(relative);
  }
  for (const auto& [path, sha] : manifest) {
    if (!seen.count(path))
      return bad(bag / path, "is listed in manifest-sha256.txt but missing from the bag");
    auto actual = hash_file(bag / path);
    if (!actual.ok()) return actual.error();
    if (*actual != sha)
      return bad(bag / path, "checksum differs from manifest-sha256.txt (bytes hash to " + *actual + ")");
  }
  return manifest;
}

}  // namespace

Result<BagOutcome> import_bag(ArchiveStore& archive, const fs::path& bag, const std::string& actor,
                              const BagLimits& limits) {
  auto existing = archive.catalog().documents();
  if (!existing.ok()) return existing.error();
  if (!existing->empty())
    return make_error(ErrorCode::conflict, archive.root().string(),
                      "holds documents already; a bag is imported only into an empty archive");
  auto manifest = check_bag(bag, limits);
  if (!manifest.ok()) return manifest.error();

  // METS documents: well-formed, safe, consistent with the manifest.
  std::map<DocumentId, ImportDocument> documents;
  for (const auto& [path, sha] : *manifest) {
    if (fs::path(path).filename() == "mets.xml") {
      auto xml = read_small_file(bag / path, limits.max_tag_file_bytes);
      if (!xml.ok()) return xml.error();
      auto mets = read_mets(*xml, (bag / path).string(), limits);
      if (!mets.ok()) return mets.error();
      const std::string folder = fs::path(path).parent_path().generic_string() + "/";
      for (const MetsFile& f : mets->files) {
        auto listed = manifest->find(folder + f.href);
        if (!is_safe_relative_path(f.href) || listed == manifest->end())
          return bad(bag / path,
                     "file " + f.id + " points at " + f.href + ", which the manifest does not list");
        if (listed->second != f.sha256)
          return bad(bag / path, "file " + f.id + " has another checksum than the manifest gives");
      }
    } else if (fs::path(path).filename() == "document.json") {
      auto document = read_document(bag, path, *manifest, limits);
      if (!document.ok()) return document.error();
      documents.emplace(document->original_id,
                        std::move(document).value());  // a document in two dossiers: once
    }
  }
  if (documents.empty()) return bad(bag, "holds no document");
  std::map<std::string, DocumentId> first_versions;
  for (const auto& [original_id, d] : documents)
    if (!first_versions.emplace(d.versions.front().original.sha256, original_id).second)
      return bad(bag / d.metadata_path,
                 "its first version is also the first version of document " +
                     std::to_string(first_versions[d.versions.front().original.sha256]));

  auto provenance = open_provenance_store(archive);
  if (!provenance.ok()) return provenance.error();
  BagOutcome outcome;
  auto put = [&](const ImportFile& f) -> Status {
    fs::path staged = new_staging_path(archive.spool_dir());
    auto sha = copy_hashing(bag / f.path, staged);
    if (!sha.ok()) return sha.error();
    if (*sha != f.sha256) {
      std::error_code ignored;
      fs::remove(staged, ignored);
      return bad(bag / f.path, "changed while it was imported");
    }
    auto stored = archive.blobs().put_staged_file(staged, *sha);
    if (!stored.ok()) return stored.error();
    ++outcome.files;
    outcome.bytes += f.size;
    return {};
  };
  auto new_version = [&](const ImportVersion& v) -> Result<NewVersion> {
    DOSAR_TRY(put(v.original));
    NewVersion n;
    n.original_blob_id = v.original.sha256;
    n.original_name = v.name;
    n.mime_type = v.original.mime_type;
    n.size = v.original.size;
    n.page_count = v.page_count;
    n.ocr_confidence = v.ocr_confidence;
    n.comment = v.comment;
    n.warnings = v.warnings;
    n.pages = v.pages;
    for (const ImportFile& d : v.derived) {
      DOSAR_TRY(put(d));
      n.derived.push_back({d.kind, d.sha256, d.size, d.mime_type});
    }
    return n;
  };
  for (auto& [original_id, d] : documents) {
    auto first = new_version(d.versions.front());
    if (!first.ok()) return first.error();
    NewDocument nd;
    nd.title = d.title;
    nd.document_type = d.type;
    nd.department = d.department;
    nd.confidentiality = d.confidentiality;
    nd.first_version = std::move(first).value();
    auto created = archive.catalog().create_document_unless_duplicate(nd, actor);
    if (!created.ok()) return created.error();
    if (!created->created)
      return bad(bag / d.metadata_path, "its first version is already the first version of another document");
    const DocumentId id = created->document.id;
    for (std::size_t v = 1; v < d.versions.size(); ++v) {
      auto next = new_version(d.versions[v]);
      if (!next.ok()) return next.error();
      auto added = archive.catalog().add_version(id, *next, actor);
      if (!added.ok()) return added.error();
    }
    DOSAR_TRY((*provenance)
                  ->record_import({id, "", bag.lexically_normal().string(), original_id, d.provenance.dump()},
                                  actor));
    ++outcome.documents;
  }
  return outcome;
}

}  // namespace dosar::records
