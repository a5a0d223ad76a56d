// The Leptonica image inside a PageImage, and the one-page PDF made of it
// (internal to ocr/).
#pragma once

#include <leptonica/allheaders.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ocr/recognizer.h"

namespace dosar {

struct PageImage::Pixels {
  PIX* pix = nullptr;
  int dpi = 0;  // as recorded in the file (a PDF page: rendered at); 0 when missing
  // Where the pixels came from, so that the searchable PDF can show the
  // original untouched: the file, its type ("application/pdf" for a
  // rendered PDF page) and the page's index in it.
  std::filesystem::path file;
  std::string mime_type;
  int index = 0;
  ~Pixels();
};

// How OCR's working copy was made from the page's pixels: turned by
// `quarter_turns` clockwise, then rotated by `deskew_radians` (clockwise
// positive, y down, about its centre, keeping its size), as Leptonica does.
struct PageGeometry {
  int width = 0, height = 0;            // the page's pixels
  int work_width = 0, work_height = 0;  // the working copy's
  int quarter_turns = 0;
  double deskew_radians = 0;
  double page_dpi = 300;  // of the page's pixels: sets the page's size in points
};

// A recognized word with where its line puts it, in the working copy's
// pixels (y down); a page's words come in reading order.
struct LayerWord {
  OcrWord word;
  int baseline = 0;   // y of its line's baseline at the word's left edge
  int font_size = 0;  // its line's height above the baseline: letters fill it
  bool ends_line = false;
};

// Writes `out`, a one-page PDF showing the page as it was (a JPEG as
// encoded, DCT; a G4 TIFF page in one strip as encoded, CCITT; a PDF page
// as its own content; other images losslessly, Flate) under the invisible
// text of `words` (ocr/text_layer.h), drawn in the glyphless TrueType
// `font_program` (Tesseract's pdf.ttf), and /Rotate turning it upright.
// Not synced. Errors: io (`name` in the message), corrupt (the PDF page is
// missing).
Status write_page_pdf(const PageImage::Pixels& page, const PageGeometry& geometry,
                      const std::vector<LayerWord>& words, const std::filesystem::path& font_program,
                      const std::filesystem::path& out, const std::string& name);

}  // namespace dosar
