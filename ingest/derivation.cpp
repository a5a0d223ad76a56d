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
  const std::string& title;
  const fs::path& stage_prefix;
  const DeriveOptions& options;
  RecognizerSlot& slot;
  const std::function<void(int, int)>& progress;
  DerivedFiles out;

  // OCRs every page whose text is blank (all pages of an image; the scanned
  // pages of a PDF). A page that cannot be read is a warning: the original
  // is still worth keeping. Errors: an image whose pages cannot be decoded at all.
  Status recognize_blank_pages(std::vector<std::string>& pages, bool is_pdf) {
    double confidence_sum = 0;
    int recognized = 0;
    // Every page scanned: the version also gets a searchable PDF.
    bool all_scanned =
        std::all_of(pages.begin(), pages.end(), [](const std::string& t) { return is_blank(t); });
    const int to_read = static_cast<int>(
        std::count_if(pages.begin(), pages.end(), [](const std::string& t) { return is_blank(t); }));
    int read = 0;
    std::unique_ptr<SearchablePdf> pdf;
    if (all_scanned) {
      if (Recognizer* recognizer = slot.get(options.ocr_languages)) {
        fs::path staged = stage_prefix.string() + "-searchable.pdf";
        auto begun = SearchablePdf::begin(staged, title, *recognizer);
        if (begun.ok()) {
          pdf = std::move(begun).value();
          out.searchable_pdf = staged;
        } else {
          out.warnings.push_back("no searchable PDF: " + begun.error().message);
        }
      }
    }
    for (std::size_t i = 0; i < pages.size(); ++i) {
      if (!is_blank(pages[i])) continue;
      Recognizer* recognizer = slot.get(options.ocr_languages);
      if (!recognizer) {
        out.warnings.push_back("not OCRed: " + slot.error()->to_string());
        return {};
      }
      if (progress) progress(read, to_read);
      ++read;
      int index = static_cast<int>(i);
      auto image = is_pdf ? render_pdf_page(file, index, name, options.ocr_limits)
                          : load_image_page(file, mime_type, index, name, options.ocr_limits);
      if (!image.ok()) {
        if (!is_pdf && pages.size() == 1) return image.error();
        out.warnings.push_back("page " + std::to_string(i + 1) + " not OCRed: " + image.error().message);
        continue;
      }
      auto page = recognizer->recognize(*image, name, options.ocr_limits, pdf.get());
      if (!page.ok()) {
        out.warnings.push_back("page " + std::to_string(i + 1) + " not OCRed: " + page.error().message);
        continue;
      }
      pages[i] = std::move(page->text);
      PageInfo& info = out.pages[i];
      info.text_source = "ocr";
      info.ocr_confidence = page->mean_confidence;
      info.rotated_degrees = page->rotated_degrees;
      info.deskew_degrees = page->deskew_degrees;
      confidence_sum += page->mean_confidence;
      ++recognized;
    }
    if (progress && to_read > 0) progress(to_read, to_read);
    if (recognized > 0) out.ocr_confidence = confidence_sum / recognized;
    if (pdf) {
      Status ended = pdf->end();
      bool complete = ended.ok() && pdf->pages() == static_cast<int>(pages.size());
      pdf.reset();
      auto digest = complete ? hash_file(out.searchable_pdf)
                             : Result<std::string>(ended.ok() ? make_error(ErrorCode::io, name,
                                                                           "some pages could not be read")
                                                              : ended.error());
      if (digest.ok()) {
        out.searchable_pdf_id = *digest;
      } else {
        out.warnings.push_back("no searchable PDF: " + digest.error().message);
        ::unlink(out.searchable_pdf.c_str());
        out.searchable_pdf.clear();
      }
    }
    return {};
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
      if (!read.ok()) {
        out.discard();
        return read.error();
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
                                  const std::string& title, const fs::path& stage_prefix,
                                  const DeriveOptions& options, RecognizerSlot& recognizer,
                                  const std::function<void(int, int)>& progress) {
  Deriver deriver{file, mime_type, name, title, stage_prefix, options, recognizer, progress, {}};
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
