#include "ingest/derivation.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

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
  RecognizerSlot& slot;
  PageJournal* journal;
  const std::function<void(int, int)>& progress;
  DerivedFiles out;

  // Where page PDFs go: the journal's folder, else a staging folder removed
  // when the searchable PDF is made (or abandoned with the process).
  fs::path pages_dir() const {
    return journal ? journal->pages_dir : fs::path(stage_prefix.string() + "-pages");
  }

  void take(std::size_t i, const DerivationPage& page, std::vector<std::string>& pages) {
    pages[i] = page.text;
    PageInfo& info = out.pages[i];
    info.text_source = "ocr";
    info.ocr_confidence = page.ocr_confidence;
    info.rotated_degrees = page.rotated_degrees;
    info.deskew_degrees = page.deskew_degrees;
  }

  // Reads page `i` and, when `page_pdf` is set, writes its one-page PDF
  // there, durable before the journal hears of the page. A page that
  // cannot be read is a warning (nullopt): the original is still worth
  // keeping. Errors: an image whose only page cannot be decoded.
  Result<std::optional<DerivationPage>> read_page(std::size_t i, std::size_t count, bool is_pdf,
                                                  Recognizer& recognizer, const fs::path& page_pdf) {
    int index = static_cast<int>(i);
    auto image = is_pdf ? render_pdf_page(file, index, name, options.ocr_limits)
                        : load_image_page(file, mime_type, index, name, options.ocr_limits);
    if (!image.ok()) {
      if (!is_pdf && count == 1) return image.error();
      out.warnings.push_back("page " + std::to_string(i + 1) + " not OCRed: " + image.error().message);
      return std::optional<DerivationPage>();
    }
    if (!page_pdf.empty()) ::unlink(page_pdf.c_str());  // left by an attempt that died before recording it
    auto page = recognizer.recognize(*image, name, options.ocr_limits, page_pdf);
    if (!page.ok()) {
      out.warnings.push_back("page " + std::to_string(i + 1) + " not OCRed: " + page.error().message);
      return std::optional<DerivationPage>();
    }
    ++out.pages_recognized;
    DerivationPage read;
    read.index = index;
    read.text = std::move(page->text);
    read.ocr_confidence = page->mean_confidence;
    read.rotated_degrees = page->rotated_degrees;
    read.deskew_degrees = page->deskew_degrees;
    if (!page_pdf.empty()) {
      read.page_pdf = page_pdf.filename().string();
      if (journal) {
        Status synced = real_file_system().sync_file(page_pdf);
        if (synced.ok()) synced = real_file_system().sync_dir(page_pdf.parent_path());
        if (!synced.ok()) {
          out.archive_error = synced.error();
          return std::optional<DerivationPage>();
        }
      }
    }
    return std::optional<DerivationPage>(std::move(read));
  }

  // OCRs every page whose text is blank (all pages of an image; the scanned
  // pages of a PDF); a page the journal holds is taken from it instead.
  // Errors: an image whose pages cannot be decoded at all.
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
    std::vector<fs::path> page_pdfs;
    int read = 0;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      if (!is_blank(pages[i])) continue;
      if (progress) progress(read, to_read);
      ++read;
      if (journal) {
        auto recorded = journal->done.find(static_cast<int>(i));
        if (recorded != journal->done.end()) {
          take(i, recorded->second, pages);
          ++out.pages_resumed;
          if (!recorded->second.page_pdf.empty()) page_pdfs.push_back(dir / recorded->second.page_pdf);
          continue;
        }
      }
      Recognizer* recognizer = slot.get(options.ocr_languages);
      if (!recognizer) {
        out.warnings.push_back("not OCRed: " + slot.error()->to_string());
        return {};
      }
      fs::path page_pdf = all_scanned ? dir / (std::to_string(i + 1) + ".pdf") : fs::path();
      auto page = read_page(i, pages.size(), is_pdf, *recognizer, page_pdf);
      if (!page.ok()) return page.error();
      if (out.archive_error) return {};
      if (!*page) continue;
      take(i, **page, pages);
      if (!page_pdf.empty()) page_pdfs.push_back(page_pdf);
      if (progress) progress(read, to_read);  // this page included
      if (journal && journal->recorded) journal->recorded(**page);
    }
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

void DerivedFiles::discard() {
  for (fs::path* staged : {&text_staged, &searchable_pdf}) {
    if (!staged->empty()) ::unlink(staged->c_str());
    staged->clear();
  }
}

Result<DerivedFiles> derive_files(const fs::path& file, const std::string& mime_type, const std::string& name,
                                  const PdfDescription& description, const fs::path& stage_prefix,
                                  const DeriveOptions& options, RecognizerSlot& recognizer,
                                  PageJournal* journal, const std::function<void(int, int)>& progress) {
  Deriver deriver{file,    mime_type,  name,    description, stage_prefix,
                  options, recognizer, journal, progress,    {}};
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
