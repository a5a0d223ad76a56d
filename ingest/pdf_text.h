// Text layer of PDFs, through Poppler. PDFs are untrusted input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace dosar {

struct PdfText {
  int page_count = 0;
  std::string text;       // UTF-8, pages separated by a form feed ('\f')
  bool has_text = false;  // at least one page has non-blank text
  bool encrypted = false;
  std::vector<std::string> warnings;  // repairs Poppler had to make
};

struct PdfLimits {
  int max_pages = 10000;
  std::size_t max_text_bytes = 256u << 20;
  // Highest object number (or xref /Size) accepted. Poppler sizes its cross-
  // reference table by it before reading anything else: a 52-byte file naming
  // object 33554431 made it allocate 1.3 GB (fuzz/corpus/pdf_text/regress-*).
  std::int64_t max_object_number = 4'000'000;
};

// The highest object number or /Size the bytes claim (0 when none): a cheap
// scan made before Poppler sees the file.
std::int64_t highest_object_number(std::string_view bytes);

// Poppler builds its global state (font tables, the scan of its data
// folder) when the first document opens and tears it down when the last one
// closes; holding a PdfLibrary keeps it alive across many files (about a
// third of Poppler's cost per small PDF).
class PdfLibrary {
 public:
  PdfLibrary();
  ~PdfLibrary();
  PdfLibrary(const PdfLibrary&) = delete;
  PdfLibrary& operator=(const PdfLibrary&) = delete;

 private:
  struct Anchor;
  std::unique_ptr<Anchor> anchor_;
};

// What to read of a PDF: its text, or only its structure (it opens, its
// page count, whether it is locked, the repairs Poppler made) for storing a
// file now and extracting its text later.
enum class PdfRead { text, structure };

// Opens the PDF and extracts the text of every page. Errors: corrupt (Poppler
// cannot open it, with Poppler's reason), unsupported (password needed),
// limit_exceeded (pages or text beyond `limits`). The subject is `display_name`.
Result<PdfText> extract_pdf_text(const std::filesystem::path& file, const std::string& display_name,
                                 const PdfLimits& limits, PdfRead read = PdfRead::text);
// The same, from bytes in memory (fuzzing and tests).
Result<PdfText> extract_pdf_text_from_memory(std::string_view bytes, const std::string& display_name,
                                             const PdfLimits& limits);

}  // namespace dosar
