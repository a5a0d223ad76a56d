// Ingest: files and folders -> type detection -> text extraction -> blobs and
// catalogue. ingest/'s public header. Each input is either fully stored (its
// blobs durable, then its catalogue row committed with its audit row) or
// absent; re-running an interrupted ingest completes it without duplicates.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ocr/recognizer.h"
#include "storage/archive_store.h"

namespace dosar {

// Limits on untrusted input, with their defaults. Each has a test at limit + 1.
struct IngestLimits {
  std::uint64_t max_file_bytes = 2ull << 30;  // 2 GiB
  int max_pdf_pages = 10000;
  std::int64_t max_pdf_object_number = 4'000'000;  // see PdfLimits::max_object_number
  std::size_t max_text_bytes = 256u << 20;         // extracted text per version
  int max_folder_depth = 64;
};

// What may enter the archive, by detected mime type.
inline const std::vector<std::string> kDefaultAcceptedTypes = {"application/pdf", "image/jpeg", "image/png",
                                                               "image/tiff"};

struct IngestOptions {
  std::optional<std::string> title;  // default: the file name without extension
  std::string document_type;
  std::string department;
  std::string confidentiality = "internal";
  std::string actor;  // who is ingesting; recorded in versions and audit
  IngestLimits limits;
  std::vector<std::string> accepted_types = kDefaultAcceptedTypes;
  int jobs = 1;     // files prepared in parallel, one OCR engine each
  bool ocr = true;  // read scanned pages with Tesseract
  std::string ocr_languages = "ron+eng";
  OcrLimits ocr_limits;
  // Store originals now (checked: type, size, that a PDF opens and its page
  // count) and queue text extraction and OCR for the derivation workers
  // (run_derivations), committing files in batches with one sync each.
  bool defer_derivation = false;
};

enum class IngestStatus { stored, duplicate, rejected };
const char* ingest_status_name(IngestStatus status);

struct IngestItem {
  std::string path;  // as given or found while walking a folder
  IngestStatus status = IngestStatus::rejected;
  DocumentId document_id = 0;  // stored or duplicate
  std::string mime_type;
  std::uint64_t size = 0;
  std::optional<int> page_count;
  std::vector<std::string> warnings;
  std::optional<Error> error;  // rejected: why
};

class Ingester {
 public:
  // Errors: io when libmagic cannot start.
  static Result<std::unique_ptr<Ingester>> create(ArchiveStore& archive, IngestOptions options);
  ~Ingester();

  // Ingests files and folders (recursively, following symbolic links but not
  // loops), reporting each file to `report` in input order as soon as it is
  // done. `found` (may be null) hears first how many files the inputs hold
  // (for a progress display). Returns io only when the archive itself fails;
  // a bad input file is a rejected item and the batch goes on.
  Status ingest(const std::vector<std::filesystem::path>& inputs,
                const std::function<void(const IngestItem&)>& report,
                const std::function<void(std::size_t)>& found = nullptr);

  // Carries queued catalogue changes into the search index (also done at the
  // end of ingest and add_version). Errors: those of sync_search_index, with
  // a message saying the documents themselves are stored.
  Status update_search_index();

  // A new version of document `id` from `file`. Errors: not_found, conflict
  // (same bytes as the current version), and the rejection reasons of ingest.
  Result<Version> add_version(DocumentId id, const std::filesystem::path& file, const std::string& comment);

 private:
  struct Impl;
  explicit Ingester(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dosar
