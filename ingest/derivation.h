// What a stored original yields besides itself: the text of each page (from
// the PDF's text layer, else read by OCR), the text blob, and for a document
// made only of scanned pages a searchable PDF. Shared by `ingest` (which
// derives before storing) and the derivation workers (which derive after
// `ingest --defer` stored the original). Internal to ingest/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ingest/pdf_text.h"
#include "ocr/recognizer.h"
#include "storage/catalog.h"

namespace dosar {

// A Tesseract engine created on first need and reused by one thread.
class RecognizerSlot {
 public:
  // The engine, or null when it cannot start (then `error()` says why).
  Recognizer* get(const std::string& languages);
  const std::optional<Error>& error() const { return error_; }

 private:
  std::unique_ptr<Recognizer> recognizer_;
  std::optional<Error> error_;
};

// Threads that read pages with Tesseract, one engine each (a
// RecognizerSlot per thread): the pages of every file of a run are shared
// among them, so that a long document is read by all of them instead of
// running alone at the end of the run. Jobs of a lower `order` (a run's
// files in the order they are committed) start first. With 0 threads a job
// runs on the thread that submits it, with the readers' own engine: then
// only one thread may submit.
class PageReaders {
 public:
  explicit PageReaders(int threads);
  // Waits for the jobs submitted; call stop() first not to start those waiting.
  ~PageReaders();
  PageReaders(const PageReaders&) = delete;
  PageReaders& operator=(const PageReaders&) = delete;

  // `job` runs once on a reader thread; `stopped` tells it that stop() came
  // before it started (it must then only say that its page was not read).
  using Job = std::function<void(RecognizerSlot& engine, bool stopped)>;
  void submit(std::uint64_t order, Job job);
  // Jobs not yet started, and those submitted later, run with stopped = true.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct DeriveOptions {
  bool ocr = true;
  std::string ocr_languages = "ron+eng";
  OcrLimits ocr_limits;
  PdfLimits pdf_limits;
};

// Where OCR keeps each page it reads, so that an interrupted derivation
// resumes at the next page: pages read by earlier attempts (on any
// machine), and a callback told of each new page, its one-page PDF's bytes
// in `page_pdf`, for the caller to record in the catalogue.
struct PageJournal {
  // This worker's copies of the one-page PDFs, "<page>.pdf", to assemble
  // from; created when needed. A scratch folder: the catalogue holds the bytes.
  std::filesystem::path pages_dir;
  // By index: read before, not read again. Their PDFs are written to
  // `pages_dir` and their bytes dropped from here. A page of a scanned
  // version recorded without a PDF is read again for it, and not told to
  // `recorded` again.
  std::map<int, DerivationPage> done;
  std::function<void(const DerivationPage&)> recorded;  // may be null
};

// Files staged in the spool (synced), not yet blobs.
struct DerivedFiles {
  int page_count = 0;
  std::vector<PageInfo> pages;
  std::optional<double> ocr_confidence;
  std::vector<std::string> warnings;
  std::filesystem::path text_staged;  // empty when no page has text
  std::string text_id;
  std::filesystem::path searchable_pdf;  // empty unless every page was scanned and read
  std::string searchable_pdf_id;
  std::optional<Error> archive_error;  // the spool, not the file, failed
  int pages_recognized = 0;            // pages OCR read in this call
  int pages_resumed = 0;               // pages taken from the journal

  void discard();  // removes what is staged
};

// Derives from `file` (of detected type `mime_type`), staging results next to
// `stage_prefix` (a spool path). `name` is the subject of messages;
// `description` goes into the searchable PDF. Pages are read by `readers`,
// in parallel, as job `order` (see PageReaders); the call returns when all
// are read. With `journal` (may be null), pages it holds are not read again
// and each page read is recorded in it; without, the one-page PDFs are made
// beside `stage_prefix` and removed. `progress` (may be null) hears (pages
// done, pages) while OCR runs. The journal's callback and `progress` are
// called from the reader threads, one page at a time.
// Errors: the file's own problems (corrupt, unsupported, limit_exceeded), as
// ingest rejects them.
Result<DerivedFiles> derive_files(const std::filesystem::path& file, const std::string& mime_type,
                                  const std::string& name, const PdfDescription& description,
                                  const std::filesystem::path& stage_prefix, const DeriveOptions& options,
                                  PageReaders& readers, std::uint64_t order, PageJournal* journal,
                                  const std::function<void(int, int)>& progress);

// SHA-256 of a file, in hex. Errors: io.
Result<std::string> hash_file(const std::filesystem::path& path);

}  // namespace dosar
