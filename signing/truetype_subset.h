// A subset of a TrueType font for embedding in a PDF (internal to signing/):
// only the glyphs asked for and those their composites are built from,
// renumbered from 0, with the tables ISO 32000-1 9.9 asks of an embedded
// CIDFontType2 (glyf, head, hhea, hmtx, loca, maxp, and cvt, fpgm, prep
// when the font has them). No cmap: the PDF maps codes to glyphs itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar::signing {

struct FontSubset {
  std::string font;                      // the subset's sfnt bytes
  std::vector<std::uint16_t> old_glyph;  // [new id] = id in the full font; [0] is .notdef
  std::vector<std::uint16_t> advance;    // [new id] = advance width in font units
  int units_per_em = 1000;
  int x_min = 0, y_min = 0, x_max = 0, y_max = 0;  // head's bounding box, font units
  int ascent = 0, descent = 0;                     // hhea, font units
};

// The subset of `font` (a whole TrueType file) with .notdef and `glyphs`, in
// that order, then the components of composite glyphs.
// Errors: corrupt (a required table missing, or an offset outside the file),
// invalid_argument (a glyph id the font does not have).
Result<FontSubset> subset_truetype(std::string_view font, const std::vector<std::uint16_t>& glyphs);

}  // namespace dosar::signing
