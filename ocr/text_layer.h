// The searchable page's invisible text, written by Dosar itself from
// Tesseract's words (internal to ocr/). Each word is drawn upright where it
// lies on the original image, so that a reader meets whole, straight words
// even on a skewed scan (issue 3, item 4): a layer turned as a whole by the
// skew made pdftotext cut words where their letters' baselines stepped.
#pragma once

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <string>
#include <vector>

#include "ocr/page_image_pixels.h"

namespace dosar {

// The operators (BT ... ET, one text object per line) that draw `words`
// invisibly (render mode 3) in `font` on the page `g` describes: each word
// at its place on the original pixels (back through the deskew and the
// quarter turns), upright as the page is shown (/Rotate), stretched (Tz) to
// the width of its box, followed by a space unless it ends its line, so
// that pdftotext separates the words and keeps the lines.
std::string text_layer_content(const std::vector<LayerWord>& words, const PageGeometry& g,
                               const std::string& font);

// Adds to `pdf` the Type0 font the text is drawn in and returns it: every
// UTF-16 code drawn as one invisible glyph half an em wide, its Unicode
// being the code itself (Identity ToUnicode), the glyphless TrueType
// program `ttf` (the bytes of Tesseract's pdf.ttf) embedded as PDF/A
// requires.
QPDFObjectHandle add_glyphless_font(QPDF& pdf, const std::string& ttf);

// A number for a content stream: fixed-point, no exponent, no trailing zeros.
std::string pdf_number(double v);

}  // namespace dosar
