// Image -> text: page images prepared with Leptonica (orientation by
// Tesseract OSD, deskew, resolution) and read by Tesseract through its C++
// API. ocr/'s public header; it knows nothing of storage.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace dosar {

struct OcrWord {
  std::string text;
  int left = 0, top = 0, right = 0, bottom = 0;  // pixels of the prepared page image
  float confidence = 0;                          // 0..100
};

struct OcrPage {
  std::string text;  // UTF-8, lines separated by '\n'
  std::vector<OcrWord> words;
  float mean_confidence = 0;  // 0..100
  int rotated_degrees = 0;    // clockwise rotation applied to turn the page upright
  float deskew_degrees = 0;   // skew corrected
  int width = 0, height = 0, dpi = 0;
};

// Limits on untrusted images, with their defaults; each has a test at limit + 1.
struct OcrLimits {
  std::uint64_t max_pixels = 200'000'000;  // per page (an A0 scan at 300 dpi is ~170 Mpx)
  int max_pages = 5000;
  int render_dpi = 300;    // for PDF pages made of images
  int page_seconds = 180;  // recognition time limit per page
};

// One page, decoded and ready for recognition (wraps a Leptonica image).
class PageImage {
 public:
  PageImage();
  ~PageImage();
  PageImage(PageImage&&) noexcept;
  PageImage& operator=(PageImage&&) noexcept;
  int width() const;
  int height() const;
  // A PNG of the page no wider than `max_width` pixels (smaller pages are
  // not enlarged), for previews. Errors: io (encoding failed).
  Result<std::string> to_png(int max_width) const;
  struct Pixels;

 private:
  friend class Recognizer;
  friend Result<PageImage> load_image_page(const std::filesystem::path&, const std::string&, int,
                                           const std::string&, const OcrLimits&);
  friend Result<PageImage> render_pdf_page(const std::filesystem::path&, int, const std::string&,
                                           const OcrLimits&);
  std::unique_ptr<Pixels> pixels_;
};

// Pages in an image file (TIFF may hold many; JPEG and PNG one). Errors:
// corrupt, limit_exceeded, unsupported. `name` is the subject of errors.
Result<int> count_image_pages(const std::filesystem::path& file, const std::string& mime_type,
                              const std::string& name, const OcrLimits& limits);
// Decodes page `index` (0-based). Errors: corrupt, limit_exceeded.
Result<PageImage> load_image_page(const std::filesystem::path& file, const std::string& mime_type, int index,
                                  const std::string& name, const OcrLimits& limits);
// Renders page `index` of a PDF at limits.render_dpi with Poppler.
Result<PageImage> render_pdf_page(const std::filesystem::path& file, int index, const std::string& name,
                                  const OcrLimits& limits);

// What a searchable PDF says about itself, in its Info dictionary and in its
// XMP metadata alike (PDF/A requires them to agree).
struct PdfDescription {
  std::string title;
  std::string author;      // the department, else who ingested
  std::string created_at;  // UTC ISO 8601 (base/clock.h format_utc)
  std::string producer = "Dosar";
};

// Joins one-page searchable PDFs (written by Recognizer::recognize) into
// `out`, which must not exist, as PDF/A-2b: XMP metadata matching the Info
// dictionary, an sRGB output intent (profile made by littleCMS), the
// pages' embedded glyphless font, a document ID; no encryption, no
// transparency. Pages are copied one at a time from files opened only
// while read, so that thousands of pages need neither thousands of file
// descriptors nor their images in memory at once. The result is not
// synced. Errors: corrupt (a page file cannot be read), io.
Status assemble_searchable_pdf(const std::vector<std::filesystem::path>& pages,
                               const std::filesystem::path& out, const PdfDescription& description);

// A Tesseract engine and an orientation detector. Not thread-safe: create one
// per worker thread and reuse it (loading the models costs ~1 s).
class Recognizer {
 public:
  // Errors: not_found (language data missing), io.
  static Result<std::unique_ptr<Recognizer>> create(const std::string& languages = "ron+eng");
  ~Recognizer();

  // Turns the page upright, deskews it and reads it. With `page_pdf` (a
  // path ending in .pdf that does not exist), also writes there a one-page
  // searchable PDF: the page's own image, untouched, shown upright
  // (/Rotate), under an invisible text layer with each recognized word
  // upright on the word in the image and as wide, so that selecting and
  // copying in a viewer, or pdftotext, gives the words whole; not synced.
  // Errors: invalid_argument (`page_pdf` not ending in .pdf),
  // limit_exceeded (time limit), io.
  Result<OcrPage> recognize(PageImage& page, const std::string& name, const OcrLimits& limits,
                            const std::filesystem::path& page_pdf = {});

 private:
  struct Engines;
  explicit Recognizer(std::unique_ptr<Engines> engines);
  std::unique_ptr<Engines> engines_;
};

}  // namespace dosar
