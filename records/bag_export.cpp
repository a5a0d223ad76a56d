// export_bag: an archive's documents as a BagIt bag with METS (docs/formats/bag.md).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/file_system.h"
#include "base/sha256.h"
#include "records/bag_files.h"
#include "records/mets.h"
#include "records/preservation.h"
#include "records/report_json.h"
#include "storage/provenance_store.h"

namespace dosar::records {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* extension_of(const std::string& mime) {
  if (mime == "application/pdf") return ".pdf";
  if (mime == "image/jpeg") return ".jpg";
  if (mime == "image/png") return ".png";
  if (mime == "image/tiff") return ".tif";
  if (mime.rfind("text/plain", 0) == 0) return ".txt";
  return ".bin";
}

// A folder name from a dossier id: letters, digits, '.', '-', '_'; others become '_'.
std::string folder_name(const std::string& id) {
  std::string out;
  for (unsigned char ch : id)
    out += (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') ? char(ch) : '_';
  if (out.empty() || out == "." || out == "..") out = "dossier" + out;
  return out;
}

struct CopyJob {
  std::string blob_id;
  fs::path target;
  bool look_for_signature = false;  // a PDF: note whether it has a /ByteRange
  bool signed_pdf = false;
};

// Copies every job's blob out of the store, rehashing it on the way (Verify::hash).
Status copy_blobs(const BlobStore& blobs, std::vector<CopyJob>& jobs, unsigned threads) {
  std::atomic<std::size_t> next{0};
  std::vector<std::optional<Error>> failures(jobs.size());
  auto work = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      CopyJob& job = jobs[i];
      int fd = ::open(job.target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) {
        failures[i] =
            make_error(ErrorCode::io, job.target.string(), "cannot be created: " + errno_text(errno));
        continue;
      }
      std::string tail;  // the end of the previous chunk, for a marker split across chunks
      Status copied = blobs.read_to(job.blob_id, Verify::hash, [&](std::string_view chunk) -> Status {
        if (job.look_for_signature && !job.signed_pdf) {
          std::string window = tail + std::string(chunk.substr(0, std::min<std::size_t>(chunk.size(), 16)));
          if (window.find("/ByteRange") != std::string::npos ||
              chunk.find("/ByteRange") != std::string_view::npos)
            job.signed_pdf = true;
          tail = std::string(chunk.substr(chunk.size() > 16 ? chunk.size() - 16 : 0));
        }
        const char* data = chunk.data();
        std::size_t left = chunk.size();
        while (left > 0) {
          ssize_t wrote = ::write(fd, data, left);
          if (wrote < 0) {
            if (errno == EINTR) continue;
            return make_error(ErrorCode::io, job.target.string(), "cannot be written: " + errno_text(errno));
          }
          data += wrote;
          left -= static_cast<std::size_t>(wrote);
        }
        return {};
      });
      if (::close(fd) != 0 && copied.ok())
        copied = make_error(ErrorCode::io, job.target.string(), "cannot be written: " + errno_text(errno));
      if (!copied.ok()) failures[i] = copied.error();
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < std::max(1U, threads) && t < jobs.size(); ++t) workers.emplace_back(work);
  for (auto& w : workers) w.join();
  for (auto& f : failures)
    if (f) return *f;
  return {};
}

// The PREMIS event type of an audit action.
std::string premis_type(const std::string& action) {
  if (action == "document.create") return "ingestion";
  if (action == "version.add") return "accession";
  if (action == "fixity.check") return "fixity check";
  if (action == "records.import") return "ingestion";
  if (action.find("dispos") != std::string::npos) return "deaccession";
  if (action.find("sign") != std::string::npos) return "digital signature generation";
  return "metadata modification";
}

struct PlannedDocument {
  Document document;
  std::vector<Version> versions;
  std::string folder;                                          // relative to the bag: data/DOSSIER/ID
  std::vector<std::pair<std::size_t, std::size_t>> copy_jobs;  // (version index, job index) of originals
};

}  // namespace

Result<BagOutcome> export_bag(const ArchiveStore& archive, const std::vector<BagDossier>& dossiers,
                              const fs::path& dir, const signing::TrustStore& trust, unsigned threads) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    return make_error(ErrorCode::conflict, dir.string(), "exists and is not empty; choose a new directory");
  if (dossiers.empty()) return make_error(ErrorCode::invalid_argument, "export-bag", "no dossier to export");
  DOSAR_TRY(real_file_system().make_dirs(dir));
  auto fixity = open_fixity_store(archive);
  if (!fixity.ok()) return fixity.error();
  auto provenance_store = open_provenance_store(archive);
  if (!provenance_store.ok()) return provenance_store.error();
  auto all_rows = archive.catalog().audit_trail(std::nullopt);
  if (!all_rows.ok()) return all_rows.error();
  std::map<DocumentId, std::vector<const AuditRecord*>> rows_of;
  std::map<std::int64_t, const AuditRecord*> row_by_seq;
  for (const AuditRecord& r : *all_rows) {
    if (r.document_id) rows_of[*r.document_id].push_back(&r);
    row_by_seq[r.seq] = &r;
  }

  // Plan: folders, files and the copy jobs.
  std::vector<CopyJob> jobs;
  std::vector<std::vector<PlannedDocument>> planned(dossiers.size());
  std::map<std::string, std::string> manifest;  // path -> sha256
  std::set<std::string> folders;
  BagOutcome outcome;
  for (std::size_t k = 0; k < dossiers.size(); ++k) {
    std::string folder = folder_name(dossiers[k].id);
    if (!folders.insert(folder).second)
      return make_error(ErrorCode::invalid_argument, dossiers[k].id, "two dossiers share this folder name");
    for (DocumentId id : dossiers[k].documents) {
      PlannedDocument p;
      auto document = archive.catalog().document(id);
      if (!document.ok()) return document.error();
      auto versions = archive.catalog().versions(id);
      if (!versions.ok()) return versions.error();
      p.document = std::move(document).value();
      p.versions = std::move(versions).value();
      p.folder = "data/" + folder + "/" + std::to_string(id);
      for (std::size_t v = 0; v < p.versions.size(); ++v) {
        const Version& version = p.versions[v];
        const std::string base = p.folder + "/v" + std::to_string(version.number) + "/";
        jobs.push_back({version.original_blob_id, dir / (base + "original" + extension_of(version.mime_type)),
                        version.mime_type == "application/pdf"});
        p.copy_jobs.push_back({v, jobs.size() - 1});
        manifest[base + "original" + extension_of(version.mime_type)] = version.original_blob_id;
        outcome.bytes += version.size;
        for (const DerivedBlob& d : version.derived) {
          jobs.push_back({d.blob_id, dir / (base + d.kind + extension_of(d.mime_type)), false});
          manifest[base + d.kind + extension_of(d.mime_type)] = d.blob_id;
          outcome.bytes += d.size;
        }
      }
      planned[k].push_back(std::move(p));
      ++outcome.documents;
    }
  }
  for (const CopyJob& job : jobs) DOSAR_TRY(real_file_system().make_dirs(job.target.parent_path()));
  DOSAR_TRY(copy_blobs(archive.blobs(), jobs, threads));

  const std::string now = format_utc(std::chrono::system_clock::now());
  const std::string agent = "dosar";
  for (std::size_t k = 0; k < dossiers.size(); ++k) {
    std::vector<MetsDocumentPart> parts;
    const std::string dossier_prefix = "data/" + folder_name(dossiers[k].id) + "/";
    for (PlannedDocument& p : planned[k]) {
      MetsDocumentPart part;
      part.id = p.document.id;
      part.title = p.document.title;
      json versions_json = json::array();
      json signatures = json::array();
      std::set<std::string> blobs;
      for (std::size_t v = 0; v < p.versions.size(); ++v) {
        const Version& version = p.versions[v];
        const std::string base = p.folder + "/v" + std::to_string(version.number) + "/";
        const std::string vid = "f-" + std::to_string(p.document.id) + "-" + std::to_string(version.number);
        std::vector<std::string> file_ids;
        const std::string original_path = base + "original" + extension_of(version.mime_type);
        part.files.push_back({vid + "-original", "original", original_path.substr(dossier_prefix.size()),
                              version.original_blob_id, version.mime_type, version.size});
        file_ids.push_back(vid + "-original");
        blobs.insert(version.original_blob_id);
        json derived = json::array();
        for (const DerivedBlob& d : version.derived) {
          const std::string path = base + d.kind + extension_of(d.mime_type);
          part.files.push_back({vid + "-" + d.kind, "derived", path.substr(dossier_prefix.size()), d.blob_id,
                                d.mime_type, d.size});
          file_ids.push_back(vid + "-" + d.kind);
          blobs.insert(d.blob_id);
          derived.push_back({{"kind", d.kind},
                             {"path", path},
                             {"sha256", d.blob_id},
                             {"size", d.size},
                             {"mime_type", d.mime_type}});
          part.events.push_back(
              {"dosar-derivation",
               vid + "-" + d.kind,
               "creation",
               version.created_at,
               d.kind + " (" + d.mime_type + ") derived from the original " + version.original_blob_id,
               "ok",
               {version.original_blob_id, d.blob_id}});
        }
        part.versions.push_back(file_ids);
        json pages = json::array();
        for (const PageInfo& page : version.pages)
          pages.push_back({{"page", page.page},
                           {"text_source", page.text_source},
                           {"ocr_confidence", page.ocr_confidence ? json(*page.ocr_confidence) : json()},
                           {"rotated_degrees", page.rotated_degrees},
                           {"deskew_degrees", page.deskew_degrees}});
        versions_json.push_back(
            {{"number", version.number},
             {"original",
              {{"path", original_path},
               {"sha256", version.original_blob_id},
               {"size", version.size},
               {"name", version.original_name},
               {"mime_type", version.mime_type}}},
             {"page_count", version.page_count ? json(*version.page_count) : json()},
             {"ocr_confidence", version.ocr_confidence ? json(*version.ocr_confidence) : json()},
             {"author", version.author},
             {"created_at", version.created_at},
             {"comment", version.comment},
             {"warnings", version.warnings},
             {"pages", pages},
             {"derived", derived}});
      }
      // Signatures found in PDF versions, each validated as of its signing time.
      for (auto [v, job] : p.copy_jobs) {
        if (!jobs[job].signed_pdf) continue;
        const Version& version = p.versions[v];
        auto bytes = archive.blobs().read(version.original_blob_id, Verify::none);
        if (!bytes.ok()) return bytes.error();
        auto validation = validate_at_signing_time(*bytes, trust, version.created_at);
        if (!validation.ok()) continue;
        for (const SignatureAtSigning& one : *validation) {
          const signing::SignatureReport& s = one.report;
          const std::string& as_of = one.validated_as_of;
          json entry = signature_json(one);
          entry["version"] = version.number;
          signatures.push_back(std::move(entry));
          part.events.push_back({"dosar-signature",
                                 std::to_string(version.number) + "/" + s.field,
                                 "digital signature validation",
                                 as_of,
                                 "signature " + s.field + " by " + s.signer + " (" + s.level +
                                     "), validated as of its signing time " + as_of + ": " + s.message,
                                 std::string(signing::indication_name(s.indication)) +
                                     (s.subindication.empty() ? "" : "/" + s.subindication),
                                 {version.original_blob_id}});
        }
      }
      json audit = json::array();
      for (const AuditRecord* r : rows_of[p.document.id]) {
        audit.push_back(audit_row_json(*r));
        part.events.push_back({"dosar-audit-seq",
                               std::to_string(r->seq),
                               premis_type(r->action),
                               r->at,
                               r->action + " by " + r->actor + ": " + r->detail,
                               "ok",
                               {}});
      }
      json fixity_json = json::array();
      for (const std::string& blob : blobs) {
        auto history = (*fixity)->history(blob);
        if (!history.ok()) return history.error();
        for (const FixityEvent& e : *history) {
          auto run = (*fixity)->run(e.run_id);
          if (!run.ok()) return run.error();
          fixity_json.push_back({{"blob", blob},
                                 {"run", e.run_id},
                                 {"kind", run->kind},
                                 {"verified_at", e.verified_at},
                                 {"outcome", e.outcome},
                                 {"audit_seq", run->audit_seq}});
          part.events.push_back(
              {"dosar-fixity-run",
               std::to_string(e.run_id) + "/" + blob,
               "fixity check",
               e.verified_at,
               "SHA-256 recomputed (" + run->kind + ", audit row " + std::to_string(run->audit_seq) + ")",
               e.outcome,
               {blob}});
        }
      }
      auto imported = (*provenance_store)->imported(p.document.id);
      if (!imported.ok()) return imported.error();
      json metadata = {
          {"format", kDocumentFormat},
          {"document",
           {{"id", p.document.id},
            {"title", p.document.title},
            {"type", p.document.document_type},
            {"department", p.document.department},
            {"confidentiality", p.document.confidentiality},
            {"registry_number", p.document.registry_number ? json(*p.document.registry_number) : json()},
            {"retention_class", p.document.retention_class ? json(*p.document.retention_class) : json()},
            {"status", p.document.status},
            {"created_at", p.document.created_at},
            {"updated_at", p.document.updated_at},
            {"current_version", p.document.current_version}}},
          {"versions", versions_json},
          {"audit", audit},
          {"fixity", fixity_json},
          {"signatures", signatures}};
      if (*imported) {
        json earlier = json::parse((*imported)->provenance, nullptr, false);
        metadata["imported_provenance"] = {{"source", (*imported)->source},
                                           {"original_id", (*imported)->original_id},
                                           {"imported_at", (*imported)->imported_at},
                                           {"provenance", earlier.is_discarded() ? json() : earlier}};
      }
      const std::string text = metadata.dump(2) + "\n";
      const std::string metadata_path = p.folder + "/document.json";
      DOSAR_TRY(write_new(dir / metadata_path, text));
      manifest[metadata_path] = sha256_hex(text);
      part.metadata_href = metadata_path.substr(dossier_prefix.size());
      part.metadata_sha256 = manifest[metadata_path];
      parts.push_back(std::move(part));
    }
    const std::string mets = write_mets(dossiers[k], parts, now, agent);
    const std::string mets_path = dossier_prefix + "mets.xml";
    DOSAR_TRY(real_file_system().make_dirs(dir / dossier_prefix));
    DOSAR_TRY(write_new(dir / mets_path, mets));
    manifest[mets_path] = sha256_hex(mets);
  }

  std::string manifest_text;
  std::uint64_t payload_bytes = 0;
  for (const auto& [path, sha] : manifest) {
    manifest_text += sha + "  " + encode_manifest_path(path) + "\n";
    std::error_code size_ec;
    payload_bytes += fs::file_size(dir / path, size_ec);
  }
  outcome.files = manifest.size();
  const std::string bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
  const std::string info =
      "Bag-Software-Agent: dosar\nBagging-Date: " + now.substr(0, 10) +
      "\nPayload-Oxum: " + std::to_string(payload_bytes) + "." + std::to_string(manifest.size()) +
      "\nDosar-Bag-Format: " + kBagFormat +
      "\nExternal-Description: Dosar preservation package: " + std::to_string(dossiers.size()) +
      " dossier(s), " + std::to_string(outcome.documents) + " document(s)\n";
  DOSAR_TRY(write_new(dir / "bagit.txt", bagit));
  DOSAR_TRY(write_new(dir / "bag-info.txt", info));
  DOSAR_TRY(write_new(dir / "manifest-sha256.txt", manifest_text));
  const std::string tags = sha256_hex(bagit) + "  bagit.txt\n" + sha256_hex(info) + "  bag-info.txt\n" +
                           sha256_hex(manifest_text) + "  manifest-sha256.txt\n";
  DOSAR_TRY(write_new(dir / "tagmanifest-sha256.txt", tags));
  return outcome;
}

}  // namespace dosar::records
