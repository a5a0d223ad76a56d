#include "ingest/derivation.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/file_system.h"
#include "base/sha256.h"

namespace dosar {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunk = 1 << 20;

bool is_blank(const std::string& text) {
  for (unsigned char c : text)
    if (c > ' ') return false;
  return true;
}

// Page texts from Poppler's form-feed-separated text, padded to `count`.
std::vector<std::string> split_pages(const std::string& text, int count) {
  std::vector<std::string> pages(1);
  for (char c : text) {
    if (c == '\f')
      pages.emplace_back();
    else
      pages.back() += c;
  }
  pages.resize(static_cast<std::size_t>(std::max(count, 1)));
  return pages;
}

struct Deriver {
  const fs::path& file;
  const std::string& mime_type;
  const std::string& name;
  const PdfDescription& description;
  const fs::path& stage_prefix;
  const DeriveOptions& options;
  PageReaders& readers;
  std::uint64_t order;
  PageJournal* journal;
  const std::function<void(int, int)>& progress;
  DerivedFiles out;

  // Where page PDFs go: the journal's folder, else a staging folder removed
  // when the searchable PDF is made (or abandoned with the process).
  fs::path pages_dir() const {
    return journal ? journal->pages_dir : fs::path(stage_prefix.string() + "-pages");
  }
  static fs::path page_file(const fs::path& dir, std::size_t i) {
    return dir / (std::to_string(i + 1) + ".pdf");
  }

  void take(std::size_t i, const DerivationPage& page, std::vector<std::string>& pages) {
    pages[i] = page.text;
    PageInfo& info = out.pages[i];
    info.text_source = "ocr";
    info.ocr_confidence = page.ocr_confidence;
    info.rotated_degrees = page.rotated_degrees;
    info.deskew_degrees = page.deskew_degrees;
  }

  // What reading one page gave.
  struct PageOutcome {
    std::optional<DerivationPage> page;  // read
    std::string warning;                 // not read, and why
    std::optional<Error> file_error;     // an image whose only page cannot be decoded
    std::optional<Error> archive_error;  // its one-page PDF could not be made durable
    bool no_engine = false;              // Tesseract could not start
  };

  // Reads page `i` and, when `page_pdf` is set, writes its one-page PDF
  // there; with a journal, its bytes go with the page to the journal. A
  // page that cannot be read is a warning: the original is still worth keeping.
  // Runs on a reader thread, several pages at once: reads only shared state.
  PageOutcome read_page(std::size_t i, std::size_t count, bool is_pdf, Recognizer& recognizer,
                        const fs::path& page_pdf) const {
    PageOutcome outcome;
    int index = static_cast<int>(i);
    auto image = is_pdf ? render_pdf_page(file, index, name, options.ocr_limits)
                        : load_image_page(file, mime_type, index, name, options.ocr_limits);
    if (!image.ok()) {
      if (!is_pdf && count == 1)
        outcome.file_error = image.error();
      else
        outcome.warning = "page " + std::to_string(i + 1) + " not OCRed: " + image.error().message;
      return outcome;
    }
    if (!page_pdf.empty()) ::unlink(page_pdf.c_str());  // left by an attempt that died before recording it
    auto page = recognizer.recognize(*image, name, options.ocr_limits, page_pdf);
    if (!page.ok()) {
      outcome.warning = "page " + std::to_string(i + 1) + " not OCRed: " + page.error().message;
      return outcome;
    }
    DerivationPage read;
    read.index = index;
    read.text = std::move(page->text);
    read.ocr_confidence = page->mean_confidence;
    read.rotated_degrees = page->rotated_degrees;
    read.deskew_degrees = page->deskew_degrees;
    if (!page_pdf.empty() && journal) {
      // The catalogue keeps the bytes with the page's row, durable when it
      // commits, so the local file needs no fsync.
      std::ifstream in(page_pdf, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      if (!in || bytes.str().empty()) {
        outcome.archive_error =
            make_error(ErrorCode::io, page_pdf.string(), "cannot read the page's PDF back");
        return outcome;
      }
      read.page_pdf = std::move(bytes).str();
    }
    outcome.page = std::move(read);
    return outcome;
  }

  // Writes the PDFs of pages recorded by earlier attempts (here or on
  // another machine) into this worker's `dir`, and drops their bytes; a
  // recorded page without one goes to `reread`, out of the journal.
  // Errors: io (the spool).
  Status take_recorded_pdfs(const fs::path& dir, std::set<int>& reread) {
    for (auto it = journal->done.begin(); it != journal->done.end();) {
      DerivationPage& page = it->second;
      if (page.page_pdf.empty()) {
        reread.insert(it->first);
        it = journal->done.erase(it);
        continue;
      }
      fs::path copy = page_file(dir, static_cast<std::size_t>(it->first));
      ::unlink(copy.c_str());  // a copy left by an attempt of this machine
      DOSAR_TRY(real_file_system().write_new_file(copy, page.page_pdf));
      std::string().swap(page.page_pdf);
      ++it;
    }
    return {};
  }

  // OCRs every page whose text is blank (all pages of an image; the scanned
  // pages of a PDF) on the reader threads, all at once; a page the journal
  // holds is taken from it instead. Errors: an image whose pages cannot be
  // decoded at all.
  Status recognize_blank_pages(std::vector<std::string>& pages, bool is_pdf) {
    // Every page scanned: the version also gets a searchable PDF, assembled
    // from one-page PDFs.
    bool all_scanned =
        std::all_of(pages.begin(), pages.end(), [](const std::string& t) { return is_blank(t); });
    const int to_read = static_cast<int>(
        std::count_if(pages.begin(), pages.end(), [](const std::string& t) { return is_blank(t); }));
    const fs::path dir = pages_dir();
    if (all_scanned) {
      Status made = real_file_system().make_dirs(dir);
      if (!made.ok()) {
        out.warnings.push_back("no searchable PDF: " + made.error().message);
        all_scanned = false;
      }
    }
    std::set<int> reread;  // recorded, but their PDF is missing: read again, not recorded again
    if (journal && all_scanned) {
      Status written = take_recorded_pdfs(dir, reread);
      if (!written.ok()) {
        out.archive_error = written.error();
        return {};
      }
    }
    int resumed = 0;
    if (journal)
      for (std::size_t i = 0; i < pages.size(); ++i)
        if (is_blank(pages[i]) && journal->done.count(static_cast<int>(i))) ++resumed;
    if (progress) progress(resumed, to_read);

    // Reader threads fill `outcomes`; this thread waits for all of them.
    std::mutex mutex;
    std::condition_variable all_read;
    std::size_t pending = 0;
    int done = resumed;  // guarded by `mutex`
    std::vector<std::optional<PageOutcome>> outcomes(pages.size());
    for (std::size_t i = 0; i < pages.size(); ++i) {
      if (!is_blank(pages[i]) || (journal && journal->done.count(static_cast<int>(i)))) continue;
      fs::path page_pdf = all_scanned ? page_file(dir, i) : fs::path();
      {
        std::lock_guard lock(mutex);
        ++pending;
      }
      readers.submit(order, [&, i, page_pdf, is_pdf](RecognizerSlot& engine, bool stopped) {
        PageOutcome outcome;
        if (stopped) {
          outcome.warning = "page " + std::to_string(i + 1) + " not OCRed: the reading was stopped";
        } else if (Recognizer* recognizer = engine.get(options.ocr_languages)) {
          outcome = read_page(i, pages.size(), is_pdf, *recognizer, page_pdf);
        } else {
          outcome.warning = "not OCRed: " + engine.error()->to_string();
          outcome.no_engine = true;
        }
        if (outcome.page && journal && journal->recorded && !reread.count(static_cast<int>(i)))
          journal->recorded(*outcome.page);
        std::lock_guard lock(mutex);
        if (outcome.page && progress) progress(++done, to_read);
        outcomes[i] = std::move(outcome);
        --pending;
        // Under the lock: the waiter may return, and `all_read` go, as soon as it is released.
        all_read.notify_all();
      });
    }
    {
      std::unique_lock lock(mutex);
      all_read.wait(lock, [&] { return pending == 0; });
    }

    std::vector<fs::path> page_pdfs;
    bool no_engine = false;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      if (!is_blank(pages[i])) continue;
      if (journal) {
        auto recorded = journal->done.find(static_cast<int>(i));
        if (recorded != journal->done.end()) {
          take(i, recorded->second, pages);
          ++out.pages_resumed;
          if (all_scanned) page_pdfs.push_back(page_file(dir, i));
          continue;
        }
      }
      PageOutcome& outcome = *outcomes[i];
      if (outcome.file_error) return *outcome.file_error;
      if (outcome.archive_error && !out.archive_error) out.archive_error = outcome.archive_error;
      if (outcome.no_engine) {
        if (!no_engine) out.warnings.push_back(outcome.warning);
        no_engine = true;
        continue;
      }
      if (!outcome.warning.empty()) out.warnings.push_back(outcome.warning);
      if (!outcome.page) continue;
      ++out.pages_recognized;
      take(i, *outcome.page, pages);
      if (all_scanned) page_pdfs.push_back(page_file(dir, i));
    }
    if (out.archive_error || no_engine) return {};
    if (progress && to_read > 0) progress(to_read, to_read);
    double confidence_sum = 0;
    int recognized = 0;
    for (const PageInfo& info : out.pages)
      if (info.ocr_confidence) {
        confidence_sum += *info.ocr_confidence;
        ++recognized;
      }
    if (recognized > 0) out.ocr_confidence = confidence_sum / recognized;
    if (all_scanned) assemble(page_pdfs, pages.size());
    return {};
  }

  // The searchable PDF of a version whose every page was read; a warning
  // when a page is missing or the assembly fails.
  void assemble(const std::vector<fs::path>& page_pdfs, std::size_t page_count) {
    fs::path staged = stage_prefix.string() + "-searchable.pdf";
    Status made = page_pdfs.size() == page_count
                      ? assemble_searchable_pdf(page_pdfs, staged, description)
                      : Status(make_error(ErrorCode::io, name, "some pages could not be read"));
    auto digest = made.ok() ? hash_file(staged) : Result<std::string>(made.error());
    if (!digest.ok()) {
      out.warnings.push_back("no searchable PDF: " + digest.error().message);
      ::unlink(staged.c_str());
      return;
    }
    out.searchable_pdf = staged;
    out.searchable_pdf_id = *digest;
  }

  Result<DerivedFiles> run() {
    std::vector<std::string> pages;  // text per page; empty where OCR should read it
    bool is_pdf = mime_type == "application/pdf";
    if (is_pdf) {
      auto pdf = extract_pdf_text(file, name, options.pdf_limits);
      if (!pdf.ok()) return pdf.error();
      out.page_count = pdf->page_count;
      for (const std::string& w : pdf->warnings) out.warnings.push_back(w);
      pages = split_pages(pdf->text, pdf->page_count);
    } else {
      auto count = count_image_pages(file, mime_type, name, options.ocr_limits);
      if (!count.ok()) return count.error();
      out.page_count = *count;
      pages.assign(static_cast<std::size_t>(*count), "");
    }
    out.pages.resize(pages.size());
    for (std::size_t i = 0; i < pages.size(); ++i) {
      out.pages[i].page = static_cast<int>(i + 1);
      if (!is_blank(pages[i])) out.pages[i].text_source = "text-layer";
    }
    if (options.ocr) {
      Status read = recognize_blank_pages(pages, is_pdf);
      if (!journal) {
        std::error_code ec;
        fs::remove_all(pages_dir(), ec);
      }
      if (!read.ok()) {
        out.discard();
        return read.error();
      }
      if (out.archive_error) {
        out.discard();
        return std::move(out);
      }
    }
    std::string text;
    for (std::size_t i = 0; i < pages.size(); ++i) text += (i ? "\f" : "") + pages[i];
    if (!is_blank(text)) {
      // Staged and synced here, on the worker, so that the committing thread
      // (the bottleneck) finds the data already on disk.
      out.text_staged = stage_prefix.string() + "-text";
      out.text_id = sha256_hex(text);
      Status written = real_file_system().write_new_file(out.text_staged, text);
      if (written.ok()) written = real_file_system().sync_file(out.text_staged);
      if (!written.ok()) {
        out.discard();
        out.archive_error = written.error();
      }
    }
    return std::move(out);
  }
};

}  // namespace

Recognizer* RecognizerSlot::get(const std::string& languages) {
  if (!recognizer_ && !error_) {
    auto created = Recognizer::create(languages);
    if (created.ok())
      recognizer_ = std::move(created).value();
    else
      error_ = created.error();
  }
  return recognizer_.get();
}

struct PageReaders::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::map<std::pair<std::uint64_t, std::uint64_t>, Job> waiting;  // (order, submitted) -> job
  std::uint64_t submitted = 0;
  bool stopped = false;  // jobs waiting run as stopped
  bool closing = false;  // threads end once nothing waits
  std::vector<std::thread> threads;
  RecognizerSlot inline_engine;  // for 0 threads

  void run() {
    RecognizerSlot engine;  // this thread's own
    for (;;) {
      Job job;
      bool stopped_before = false;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return closing || !waiting.empty(); });
        if (waiting.empty()) return;
        job = std::move(waiting.begin()->second);
        waiting.erase(waiting.begin());
        stopped_before = stopped;
      }
      job(engine, stopped_before);
    }
  }
};

PageReaders::PageReaders(int threads) : state_(std::make_unique<State>()) {
  for (int t = 0; t < threads; ++t) state_->threads.emplace_back([state = state_.get()] { state->run(); });
}

PageReaders::~PageReaders() {
  {
    std::lock_guard lock(state_->mutex);
    state_->closing = true;
  }
  state_->wake.notify_all();
  for (std::thread& t : state_->threads) t.join();
}

void PageReaders::submit(std::uint64_t order, Job job) {
  if (state_->threads.empty()) {
    bool stopped;
    {
      std::lock_guard lock(state_->mutex);
      stopped = state_->stopped;
    }
    job(state_->inline_engine, stopped);
    return;
  }
  {
    std::lock_guard lock(state_->mutex);
    state_->waiting.emplace(std::make_pair(order, state_->submitted++), std::move(job));
  }
  state_->wake.notify_one();
}

void PageReaders::stop() {
  std::lock_guard lock(state_->mutex);
  state_->stopped = true;
}

void DerivedFiles::discard() {
  for (fs::path* staged : {&text_staged, &searchable_pdf}) {
    if (!staged->empty()) ::unlink(staged->c_str());
    staged->clear();
  }
}

Result<DerivedFiles> derive_files(const fs::path& file, const std::string& mime_type, const std::string& name,
                                  const PdfDescription& description, const fs::path& stage_prefix,
                                  const DeriveOptions& options, PageReaders& readers, std::uint64_t order,
                                  PageJournal* journal, const std::function<void(int, int)>& progress) {
  Deriver deriver{file,  mime_type, name,     description, stage_prefix, options, readers,
                  order, journal,   progress, {}};
  return deriver.run();
}

Result<std::string> hash_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io, path.string(), "cannot open: " + errno_text(errno));
  Sha256 hasher;
  std::string buffer(kChunk, '\0');
  for (;;) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      int saved = errno;
      ::close(fd);
      if (got < 0) return make_error(ErrorCode::io, path.string(), "read failed: " + errno_text(saved));
      return to_hex(hasher.finish());
    }
    hasher.update(buffer.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace dosar
