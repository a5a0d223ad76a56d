// Documents and search: /api/v1/documents…, /api/v1/search. Every route
// answers 404 for a document the caller may not see, exactly as for one that
// does not exist, so ids reveal nothing.
#include <fstream>

#include "api/http_support.h"
#include "api/json_shapes.h"
#include "base/cnp.h"
#include "ingest/archive_index.h"
#include "ingest/ingester.h"
#include "ingest/page_preview.h"
#include "persons/persons.h"

namespace dosar::api {
namespace {

namespace fs = std::filesystem;

Error no_such_document(const std::string& id) {
  return Error{ErrorCode::not_found, "document " + id, "no such document"};
}

// The document named by the path's first number, if the caller may see it;
// otherwise answers 404. Reads of restricted personal data are audited,
// unless `purpose` is null: what is answered then holds nothing of the
// document's content (the progress of its text extraction, polled each second).
std::optional<Document> visible_document(ArchiveStore& archive, const Caller& caller,
                                         const httplib::Request& req, httplib::Response& res,
                                         const char* purpose) {
  std::string id_text = req.matches[1];
  DocumentId id = 0;
  try {
    id = std::stoll(id_text);
  } catch (...) {
    send_error(res, no_such_document(id_text));
    return std::nullopt;
  }
  auto document = archive.catalog().document(id);
  if (!document.ok()) {
    send_error(res,
               document.error().code == ErrorCode::not_found ? no_such_document(id_text) : document.error());
    return std::nullopt;
  }
  if (!caller.visibility.allows(document->department, document->confidentiality)) {
    send_error(res, no_such_document(id_text));
    return std::nullopt;
  }
  if (purpose && document->confidentiality == "restricted-personal-data") {
    Status audited = archive.accounts().record_event(caller.user.name, "document.read", id,
                                                     nlohmann::json{{"what", purpose}}.dump());
    if (!audited.ok()) {  // no read without its record
      send_error(res, audited.error());
      return std::nullopt;
    }
  }
  if (purpose) {
    // A document in a beneficiary's file is their data: the read goes into
    // each linked person's access records (persons/persons.h).
    auto persons = persons::Persons::open(archive);
    Status recorded = persons.ok()
                          ? (*persons)->record_document_read(
                                id, caller.user.name,
                                req.has_param("purpose") ? req.get_param_value("purpose") : "", purpose)
                          : Status(persons.error());
    if (!recorded.ok()) {
      send_error(res, recorded.error());
      return std::nullopt;
    }
  }
  return std::move(document).value();
}

std::optional<Version> visible_version(ArchiveStore& archive, const Caller& caller,
                                       const httplib::Request& req, httplib::Response& res,
                                       const char* purpose) {
  auto document = visible_document(archive, caller, req, res, purpose);
  if (!document) return std::nullopt;
  int number = 0;
  try {
    number = std::stoi(std::string(req.matches[2]));
  } catch (...) {
  }
  auto version = archive.catalog().version(document->id, number);
  if (!version.ok()) {
    send_error(res, version.error());
    return std::nullopt;
  }
  return std::move(version).value();
}

std::size_t number_param(const httplib::Request& req, const char* name, std::size_t fallback,
                         std::size_t max) {
  if (!req.has_param(name)) return fallback;
  std::string text = req.get_param_value(name);
  char* end = nullptr;
  unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') return fallback;
  return static_cast<std::size_t>(std::min<unsigned long long>(n, max));
}

// Sends a blob with its length, after checking its hash: a corrupt blob is
// an error, never served as if it were the document.
void send_blob(ArchiveStore& archive, const std::string& blob, std::uint64_t size, const std::string& mime,
               const std::string& file_name, httplib::Response& res) {
  Status intact = archive.blobs().verify(blob);
  if (!intact.ok()) return send_error(res, intact.error());
  std::string quoted;
  for (char ch : file_name)
    quoted += (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ? '_' : ch;
  res.set_header("Content-Disposition", "attachment; filename=\"" + quoted + "\"");
  res.set_header("X-Content-Type-Options", "nosniff");
  ArchiveStore* store = &archive;
  res.set_content_provider(
      static_cast<std::size_t>(size), mime, [store, blob](std::size_t, std::size_t, httplib::DataSink& sink) {
        Status sent = store->blobs().read_to(blob, Verify::none, [&](std::string_view chunk) {
          return sink.write(chunk.data(), chunk.size())
                     ? Status{}
                     : Status(make_error(ErrorCode::io, "download", "client went away"));
        });
        return sent.ok();
      });
}

// A file name from a browser, made safe to use as the last component of a
// path: no directories, no control characters, no leading dots.
std::string safe_file_name(std::string name) {
  std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  std::string out;
  for (char ch : name)
    if (static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f) out += ch;
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(0, 1);
  if (out.size() > 200) out.resize(200);
  return out.empty() ? "document" : out;
}

void upload(const App& app, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
            httplib::Response& res, const httplib::ContentReader& reader) {
  IngestOptions options;
  options.actor = caller.user.name;
  options.ocr = app.options.ocr;
  options.ocr_languages = app.options.ocr_languages;
  // Read in the background (here or by workers), progress shown.
  options.defer_derivation = app.options.derivation_jobs > 0 || app.options.derive_in_workers;
  if (req.has_param("title") && !req.get_param_value("title").empty())
    options.title = req.get_param_value("title");
  options.document_type = req.get_param_value("type");
  options.confidentiality =
      req.has_param("confidentiality") ? req.get_param_value("confidentiality") : "internal";
  options.department = req.has_param("department")
                           ? req.get_param_value("department")
                           : (caller.user.departments.empty() ? "" : caller.user.departments[0]);
  // Nobody files into a department they cannot see.
  if (!caller.visibility.allows(options.department, options.confidentiality))
    return send_error(res, Error{ErrorCode::permission, "department " + options.department,
                                 "you may not file documents there"});
  std::string name = safe_file_name(req.get_param_value("filename"));
  auto too_large = [&] {
    // Read and drop what the client still sends (up to a bound), so that it
    // gets this answer rather than a connection reset in mid-upload.
    std::uint64_t dropped = 0;
    reader([&](const char*, std::size_t length) { return (dropped += length) <= kUploadDrainBytes; });
    send_error(res, Error{ErrorCode::limit_exceeded, name,
                          "is larger than the upload limit of " +
                              std::to_string(app.options.max_upload_bytes >> 20) + " MiB"});
  };
  if (req.has_header("Content-Length") && std::strtoull(req.get_header_value("Content-Length").c_str(),
                                                        nullptr, 10) > app.options.max_upload_bytes)
    return too_large();
  // A staging path, so that the folder of a server that died is removed
  // like any abandoned staged file (remove_abandoned_staging_files).
  fs::path dir = new_staging_path(archive.spool_dir());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return send_error(res, Error{ErrorCode::io, dir.string(), "cannot create: " + ec.message()});
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{dir};
  fs::path file = dir / name;
  std::ofstream out(file, std::ios::binary);
  std::uint64_t received = 0;
  bool too_big = false;
  bool read = reader([&](const char* data, std::size_t length) {
    received += length;
    if (received > app.options.max_upload_bytes) {  // no Content-Length: counted here
      too_big = true;
      return false;
    }
    out.write(data, static_cast<std::streamsize>(length));
    return static_cast<bool>(out);
  });
  out.close();
  if (too_big) return too_large();
  if (!read || !out) return send_error(res, Error{ErrorCode::io, name, "the upload did not arrive whole"});
  auto ingester = Ingester::create(archive, options);
  if (!ingester.ok()) return send_error(res, ingester.error());
  std::optional<IngestItem> result;
  Status done = (*ingester)->ingest({file}, [&](const IngestItem& item) { result = item; });
  if (!done.ok()) return send_error(res, done.error());
  if (!result) return send_error(res, Error{ErrorCode::io, name, "was not processed"});
  if (result->status == IngestStatus::rejected) {
    Error why = result->error.value_or(Error{ErrorCode::unsupported, name, "rejected"});
    why.subject = name;  // the browser's name, not the spool path
    return send_error(res, why);
  }
  nlohmann::json body = {
      {"status", ingest_status_name(result->status)},
      {"id", result->document_id},
      {"file_name", name},
      {"mime_type", result->mime_type},
      {"size", result->size},
      {"pages", result->page_count ? nlohmann::json(*result->page_count) : nlohmann::json()},
      {"warnings", result->warnings}};
  if (options.defer_derivation && result->status == IngestStatus::stored)
    body["progress"] = "/api/v1/documents/" + std::to_string(result->document_id) + "/progress";
  send_json(res, result->status == IngestStatus::stored ? 201 : 200, body);
}

}  // namespace

void add_document_routes(httplib::Server& server, const App& app) {
  server.Get("/api/v1/search", signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                                                 const httplib::Request& req, httplib::Response& res) {
               SearchRequest request;
               request.query = req.get_param_value("q");
               request.offset = number_param(req, "offset", 0, 100000);
               request.limit = number_param(req, "limit", 10, 100);
               request.all_versions = req.get_param_value("all_versions") == "true";
               std::string sort = req.get_param_value("sort");
               if (sort == "newest") request.sort = SortOrder::newest_first;
               if (sort == "oldest") request.sort = SortOrder::oldest_first;
               auto result = search_archive(archive, request, caller.user.name);
               if (!result.ok()) return send_error(res, result.error());
               // A hit's snippet shows the document's text: for a document in a
               // beneficiary's file, a read of that person's data. Its CNPs are
               // masked unless the caller is assigned to their person and gave
               // a purpose; so are those of its title.
               auto persons = persons::Persons::open(archive);
               if (!persons.ok()) return send_error(res, persons.error());
               const std::string purpose = req.get_param_value("purpose");
               for (SearchHit& hit : result->hits) {
                 Status recorded = (*persons)->record_document_read(hit.document_id, caller.user.name,
                                                                    purpose, "search hit");
                 if (!recorded.ok()) return send_error(res, recorded.error());
                 auto title = (*persons)->mask_cnps_for(hit.title, caller.user.name, purpose);
                 if (!title.ok()) return send_error(res, title.error());
                 hit.title = std::move(title).value();
                 auto snippet = (*persons)->mask_cnps_for(hit.snippet, caller.user.name, purpose);
                 if (!snippet.ok()) return send_error(res, snippet.error());
                 hit.snippet = std::move(snippet).value();
               }
               send_json(res, 200, to_json(*result));
             }));

  // Newest first, a page at a time: `before` is the cursor the previous page
  // answered as `next`. Reads the catalogue in id ranges, skipping what the
  // caller may not see, and stops after kMaxScannedPerPage rows even when
  // the page is not full (a clerk of a small department in a large archive),
  // answering the cursor to go on from; `next` is null at the end.
  server.Get("/api/v1/documents", signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                                                    const httplib::Request& req, httplib::Response& res) {
               constexpr std::size_t kMaxScannedPerPage = 10'000;
               const std::size_t limit = std::max<std::size_t>(1, number_param(req, "limit", 50, 500));
               std::optional<DocumentId> cursor;
               if (req.has_param("before"))
                 cursor = static_cast<DocumentId>(number_param(req, "before", 0, INT64_MAX));
               nlohmann::json list = nlohmann::json::array();
               std::size_t scanned = 0;
               bool at_end = false;
               while (list.size() < limit && scanned < kMaxScannedPerPage) {
                 const std::size_t batch =
                     std::min<std::size_t>(limit * 2 + 16, kMaxScannedPerPage - scanned);
                 auto documents = archive.catalog().documents_before(cursor, batch);
                 if (!documents.ok()) return send_error(res, documents.error());
                 for (const Document& d : *documents) {
                   if (list.size() == limit) break;
                   ++scanned;
                   cursor = d.id;
                   if (!caller.visibility.allows(d.department, d.confidentiality)) continue;
                   // A list is read with no purpose: a CNP in a title is
                   // masked, as in a snippet read without one (issue 12).
                   Document shown = d;
                   shown.title = mask_cnps(d.title);
                   list.push_back(to_json(shown));
                 }
                 if (documents->size() < batch && list.size() < limit) {
                   at_end = true;
                   break;
                 }
               }
               if (!at_end && list.size() == limit) {
                 // Whether anything older remains at all.
                 auto older = archive.catalog().documents_before(cursor, 1);
                 if (!older.ok()) return send_error(res, older.error());
                 at_end = older->empty();
               }
               nlohmann::json next = at_end || !cursor ? nlohmann::json(nullptr) : nlohmann::json(*cursor);
               send_json(res, 200, {{"documents", list}, {"next", next}});
             }));

  server.Post("/api/v1/documents", signed_in_reader(app, upload));

  server.Get(R"(/api/v1/documents/(\d+))",
             signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto document = visible_document(archive, caller, req, res, "record");
               if (!document) return;
               auto versions = archive.catalog().versions(document->id);
               if (!versions.ok()) return send_error(res, versions.error());
               nlohmann::json body = to_json(*document);
               body["versions"] = nlohmann::json::array();
               for (const Version& v : *versions) body["versions"].push_back(to_json(v));
               send_json(res, 200, body);
             }));

  // How far text extraction and OCR of the current version have come.
  server.Get(R"(/api/v1/documents/(\d+)/progress)",
             signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto document = visible_document(archive, caller, req, res, nullptr);
               if (!document) return;
               auto derivation = archive.catalog().derivation(document->id, document->current_version);
               if (!derivation.ok()) return send_error(res, derivation.error());
               nlohmann::json body = {{"version", document->current_version}, {"state", "done"}};
               if (*derivation) {
                 body = to_json(**derivation);
                 body["version"] = document->current_version;
               }
               send_json(res, 200, body);
             }));

  server.Get(R"(/api/v1/documents/(\d+)/audit)",
             signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto document = visible_document(archive, caller, req, res, "audit trail");
               if (!document) return;
               auto trail = archive.catalog().audit_trail(document->id);
               if (!trail.ok()) return send_error(res, trail.error());
               nlohmann::json rows = nlohmann::json::array();
               for (const AuditRecord& r : *trail) rows.push_back(to_json(r));
               send_json(res, 200, {{"audit", rows}});
             }));

  server.Get(R"(/api/v1/documents/(\d+)/versions/(\d+)/original)",
             signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto version = visible_version(archive, caller, req, res, "original");
               if (!version) return;
               send_blob(archive, version->original_blob_id, version->size, version->mime_type,
                         version->original_name, res);
             }));

  server.Get(R"(/api/v1/documents/(\d+)/versions/(\d+)/pages/(\d+)/preview)",
             signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto version = visible_version(archive, caller, req, res, "page preview");
               if (!version) return;
               int page = 0;
               try {
                 page = std::stoi(std::string(req.matches[3]));
               } catch (...) {  // too many digits: no such page
               }
               int width = static_cast<int>(number_param(req, "width", 300, 1200));
               auto png = page_preview_png(archive, *version, page, std::max(width, 50));
               if (!png.ok()) return send_error(res, png.error());
               res.set_header("Cache-Control", "private, max-age=86400");  // versions never change
               res.set_content(std::move(png).value(), "image/png");
             }));

  // The signatures in a version, validated against the server's trust store.
  server.Get(R"(/api/v1/documents/(\d+)/versions/(\d+)/signatures)",
             signed_in(app, [](const App& a, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto version = visible_version(archive, caller, req, res, "signatures");
               if (!version) return;
               if (version->mime_type != "application/pdf")
                 return send_json(res, 200, {{"valid", false}, {"signatures", nlohmann::json::array()}});
               auto trust = a.options.trust_dir
                                ? signing::load_trust_store(*a.options.trust_dir)
                                : Result<signing::TrustStorePtr>(signing::empty_trust_store());
               if (!trust.ok()) return send_error(res, trust.error());
               auto pdf = archive.blobs().read(version->original_blob_id, Verify::hash);
               if (!pdf.ok()) return send_error(res, pdf.error());
               auto report = signing::verify_pdf(*pdf, **trust);
               if (!report.ok()) return send_error(res, report.error());
               send_json(res, 200, to_json(*report));
             }));

  // kind: text (extracted or OCR text) or pdf (the searchable PDF of a scan).
  server.Get(R"(/api/v1/documents/(\d+)/versions/(\d+)/(text|pdf))",
             signed_in(app, [](const App&, ArchiveStore& archive, const Caller& caller,
                               const httplib::Request& req, httplib::Response& res) {
               auto version = visible_version(archive, caller, req, res, "derived");
               if (!version) return;
               const std::string kind = req.matches[3] == "text" ? "text" : "searchable-pdf";
               for (const DerivedBlob& d : version->derived)
                 if (d.kind == kind) {
                   std::string name =
                       fs::path(version->original_name).stem().string() + (kind == "text" ? ".txt" : ".pdf");
                   return send_blob(archive, d.blob_id, d.size,
                                    kind == "text" ? "text/plain; charset=utf-8" : d.mime_type, name, res);
                 }
               send_error(res, Error{ErrorCode::not_found,
                                     "document " + std::to_string(version->document_id) + " version " +
                                         std::to_string(version->number),
                                     kind == "text" ? "has no text" : "has no searchable PDF"});
             }));
}

}  // namespace dosar::api
