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

}  // namespace

Result<Version> sign_current_version(ArchiveStore& archive, DocumentId id, const signing::SigningKey& key,
                                     const signing::SignOptions& options, const std::string& actor) {
  auto document = archive.catalog().document(id);
  if (!document.ok()) return document.error();
  auto version = archive.catalog().version(id, document->current_version);
  if (!version.ok()) return version.error();
  const std::string subject = "document " + std::to_string(id) + " v" + std::to_string(version->number);
  if (version->mime_type != "application/pdf")
    return make_error(ErrorCode::unsupported, subject, "is " + version->mime_type + ", not a PDF");
  auto pdf = archive.blobs().read(version->original_blob_id, Verify::hash);
  if (!pdf.ok()) return pdf.error();
  auto signed_pdf = signing::sign_pdf(*pdf, key, options);
  if (!signed_pdf.ok()) {
    Error e = signed_pdf.error();
    if (e.subject.empty()) e.subject = subject;
    return e;
  }

  // The signed file keeps the original's name, in a folder of its own under
  // the spool; add_version stores it like any other new version.
  const fs::path staging = archive.spool_dir() / ("sign-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(staging, ec);
  const fs::path file = staging / fs::path(version->original_name).filename();
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
  auto added = (*ingester)->add_version(
      id, file, "signed by " + key.signer_name() + " (" + level_name(options.level) + ")");
  fs::remove_all(staging, ec);
  return added;
}

}  // namespace dosar
