#include "ingest/pdf_text.h"

#include <fcntl.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <mutex>

#include "base/file_system.h"

namespace dosar {
namespace {

// Poppler reports through a process-wide callback; it runs on the thread that
// is parsing, so a thread-local buffer keeps each file's messages apart.
thread_local std::string poppler_messages;

void collect_poppler_message(const std::string& message, void*) {
  if (poppler_messages.size() + message.size() < 4096) {
    if (!poppler_messages.empty()) poppler_messages += "; ";
    poppler_messages += message;
  }
}

void install_poppler_handler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(collect_poppler_message, nullptr); });
}

bool is_blank(const std::string& text) {
  for (unsigned char c : text)
    if (c > ' ') return false;
  return true;
}

Result<PdfText> extract(std::unique_ptr<poppler::document> doc, const std::string& name,
                        const PdfLimits& limits, PdfRead read = PdfRead::text) {
  if (!doc) {
    std::string reason = poppler_messages.empty() ? "not a readable PDF" : poppler_messages;
    return make_error(ErrorCode::corrupt, name, "PDF cannot be opened (Poppler: " + reason + ")");
  }
  PdfText out;
  if (doc->is_locked()) return make_error(ErrorCode::unsupported, name, "PDF is encrypted with a password");
  out.encrypted = doc->is_encrypted();
  out.page_count = doc->pages();
  if (out.page_count <= 0)
    return make_error(
        ErrorCode::corrupt, name,
        "PDF has no pages" + (poppler_messages.empty() ? "" : " (Poppler: " + poppler_messages + ")"));
  if (out.page_count > limits.max_pages)
    return make_error(ErrorCode::limit_exceeded, name,
                      "PDF has " + std::to_string(out.page_count) + " pages, more than the limit of " +
                          std::to_string(limits.max_pages));
  if (read == PdfRead::structure) {
    if (!poppler_messages.empty())
      out.warnings.push_back("PDF is damaged; Poppler repaired it: " + poppler_messages);
    return out;
  }
  for (int i = 0; i < out.page_count; ++i) {
    if (i == 0 && !poppler_messages.empty())
      // Opened only after Poppler repaired it: kept with the version, not forgotten.
      out.warnings.push_back("PDF is damaged; Poppler repaired it: " + poppler_messages);
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (i > 0) out.text += '\f';
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();
    std::string text(utf8.begin(), utf8.end());
    // Poppler ends a page's text with a form feed of its own; form feeds
    // separate pages here and nowhere else.
    while (!text.empty() && (text.back() == '\f' || text.back() == '\n')) text.pop_back();
    for (char& c : text)
      if (c == '\f') c = '\n';
    if (!is_blank(text)) out.has_text = true;
    out.text += text;
    if (out.text.size() > limits.max_text_bytes)
      return make_error(
          ErrorCode::limit_exceeded, name,
          "PDF text is larger than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
  }
  return out;
}

// The smallest PDF Poppler opens: one empty page.
constexpr char kEmptyPdf[] =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

}  // namespace

struct PdfLibrary::Anchor {
  std::unique_ptr<poppler::document> document;
};

PdfLibrary::PdfLibrary() : anchor_(std::make_unique<Anchor>()) {
  install_poppler_handler();
  anchor_->document.reset(poppler::document::load_from_raw_data(kEmptyPdf, sizeof kEmptyPdf - 1));
  poppler_messages.clear();
}

PdfLibrary::~PdfLibrary() = default;

std::int64_t highest_object_number(std::string_view b) {
  std::int64_t highest = 0;
  auto is_space = [](char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  // "N G obj": walk back from each "obj" over spaces, digits, spaces, digits.
  for (std::size_t at = b.find("obj"); at != std::string_view::npos; at = b.find("obj", at + 3)) {
    std::size_t i = at;
    auto skip = [&](auto predicate) {
      std::size_t start = i;
      while (i > 0 && predicate(b[i - 1])) --i;
      return start - i;
    };
    if (skip(is_space) == 0 || skip(is_digit) == 0 || skip(is_space) == 0) continue;
    std::size_t end = i;
    std::size_t digits = skip(is_digit);
    if (digits == 0) continue;
    if (digits > 12) return INT64_MAX;
    highest = std::max<std::int64_t>(highest, std::stoll(std::string(b.substr(i, end - i))));
  }
  // Cross-reference /Size entries.
  for (std::size_t at = b.find("/Size"); at != std::string_view::npos; at = b.find("/Size", at + 5)) {
    std::size_t i = at + 5;
    while (i < b.size() && is_space(b[i])) ++i;
    std::size_t start = i;
    while (i < b.size() && is_digit(b[i]) && i - start <= 12) ++i;
    if (i == start) continue;
    if (i - start > 12) return INT64_MAX;
    highest = std::max<std::int64_t>(highest, std::stoll(std::string(b.substr(start, i - start))));
  }
  return highest;
}

namespace {

Status check_object_numbers(std::string_view bytes, const std::string& name, const PdfLimits& limits) {
  std::int64_t highest = highest_object_number(bytes);
  if (highest > limits.max_object_number)
    return make_error(ErrorCode::limit_exceeded, name,
                      "PDF names object " + std::to_string(highest) + ", beyond the limit of " +
                          std::to_string(limits.max_object_number) + " objects");
  return {};
}

}  // namespace

Result<PdfText> extract_pdf_text(const std::filesystem::path& file, const std::string& display_name,
                                 const PdfLimits& limits, PdfRead read) {
  install_poppler_handler();
  poppler_messages.clear();
  {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(ErrorCode::io, display_name, "cannot open: " + errno_text(errno));
    struct stat st {};
    ::fstat(fd, &st);
    std::size_t size = static_cast<std::size_t>(st.st_size);
    void* mapped = size > 0 ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    ::close(fd);
    if (mapped != MAP_FAILED) {
      Status checked = check_object_numbers(std::string_view(static_cast<const char*>(mapped), size),
                                            display_name, limits);
      ::munmap(mapped, size);
      DOSAR_TRY(checked);
    }
  }
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(file.string()));
  return extract(std::move(doc), display_name, limits, read);
}

Result<PdfText> extract_pdf_text_from_memory(std::string_view bytes, const std::string& display_name,
                                             const PdfLimits& limits) {
  install_poppler_handler();
  poppler_messages.clear();
  DOSAR_TRY(check_object_numbers(bytes, display_name, limits));
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX))
    return make_error(ErrorCode::limit_exceeded, display_name, "too large to parse in memory");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  return extract(std::move(doc), display_name, limits);
}

}  // namespace dosar
