#include "ingest/document_signing.h"

#include <unistd.h>

#include <fstream>

#include "ingest/ingester.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;

const char* level_name(signing::PadesLevel level) {
  switch (level) {
    case signing::PadesLevel::b_b:
      return "PAdES-B-B";
    case signing::PadesLevel::b_t:
      return "PAdES-B-T";
    case signing::PadesLevel::b_lt:
      return "PAdES-B-LT";
    case signing::PadesLevel::b_lta:
      return "PAdES-B-LTA";
  }
  return "PAdES";
}

// The current version of document `id`, which must be a PDF, and its bytes.
struct CurrentPdf {
  Version version;
  std::string subject;  // "document 7 v2"
  std::string bytes;
};

Result<CurrentPdf> current_pdf(ArchiveStore& archive, DocumentId id) {
  auto document = archive.catalog().document(id);
  if (!document.ok()) return document.error();
  auto version = archive.catalog().version(id, document->current_version);
  if (!version.ok()) return version.error();
  const std::string subject = "document " + std::to_string(id) + " v" + std::to_string(version->number);
  if (version->mime_type != "application/pdf")
    return make_error(ErrorCode::unsupported, subject, "is " + version->mime_type + ", not a PDF");
  auto pdf = archive.blobs().read(version->original_blob_id, Verify::hash);
  if (!pdf.ok()) return pdf.error();
  return CurrentPdf{*version, subject, std::move(pdf).value()};
}

// Stores `signed_pdf` (made from `current`) as a new version of `id`; an
// error of making it gets `current`'s subject.
Result<Version> store_signed(ArchiveStore& archive, DocumentId id, const CurrentPdf& current,
                             const Result<std::string>& signed_pdf, const std::string& comment,
                             const std::string& actor) {
  if (!signed_pdf.ok()) {
    Error e = signed_pdf.error();
    if (e.subject.empty()) e.subject = current.subject;
    return e;
  }
  // The signed file keeps the original's name, in a folder of its own under
  // the spool; add_version stores it like any other new version.
  const fs::path staging = archive.spool_dir() / ("sign-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(staging, ec);
  const fs::path file = staging / fs::path(current.version.original_name).filename();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(signed_pdf->data(), static_cast<std::streamsize>(signed_pdf->size()));
    if (!out.flush()) {
      fs::remove_all(staging, ec);
      return make_error(ErrorCode::io, file.string(), "cannot be written");
    }
  }
  IngestOptions ingest_options;
  ingest_options.actor = actor;
  ingest_options.ocr = false;
  auto ingester = Ingester::create(archive, ingest_options);
  if (!ingester.ok()) {
    fs::remove_all(staging, ec);
    return ingester.error();
  }
  auto added = (*ingester)->add_version(id, file, comment);
  fs::remove_all(staging, ec);
  return added;
}

}  // namespace

Result<Version> sign_current_version(ArchiveStore& archive, DocumentId id, const signing::SigningKey& key,
                                     const signing::SignOptions& options, const std::string& actor) {
  auto current = current_pdf(archive, id);
  if (!current.ok()) return current.error();
  return store_signed(archive, id, *current, signing::sign_pdf(current->bytes, key, options),
                      "signed by " + key.signer_name() + " (" + level_name(options.level) + ")", actor);
}

Result<Version> extend_current_version(ArchiveStore& archive, DocumentId id,
                                       const signing::SignOptions& options, const std::string& actor) {
  auto current = current_pdf(archive, id);
  if (!current.ok()) return current.error();
  return store_signed(archive, id, *current, signing::extend_lta(current->bytes, options),
                      "archive timestamp renewed (PAdES-B-LTA)", actor);
}

}  // namespace dosar
