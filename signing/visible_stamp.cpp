#include "signing/visible_stamp.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/Pl_String.hh>
#include <sstream>

#include "base/fonts.h"
#include "base/sha256.h"
#include "base/utf8.h"
#include "signing/openssl_util.h"
#include "signing/truetype_subset.h"

namespace dosar::signing {
namespace {

constexpr double kFontSize = 9;
constexpr double kLeading = 11;
constexpr double kMargin = 6;  // left and right, points

struct FreeTypeDone {
  void operator()(FT_Library l) const { FT_Done_FreeType(l); }
  void operator()(FT_Face f) const { FT_Done_Face(f); }
};

// One stamp line as glyph ids of the full font.
using GlyphLine = std::vector<std::uint16_t>;

struct Shaped {
  std::vector<GlyphLine> lines;
  std::map<std::uint16_t, char32_t> text;  // glyph -> the character it stands for
};

// Maps each character through the font's Unicode cmap; characters it lacks
// become '?'. One glyph per character: no kerning or ligatures, which a
// stamp of names and dates does not need.
Result<Shaped> shape(const std::string& font, const std::vector<std::string>& lines) {
  FT_Library raw_library = nullptr;
  if (FT_Init_FreeType(&raw_library) != 0) return make_error(ErrorCode::io, "FreeType", "cannot start");
  std::unique_ptr<FT_LibraryRec_, FreeTypeDone> library(raw_library);
  FT_Face raw_face = nullptr;
  if (FT_New_Memory_Face(raw_library, reinterpret_cast<const FT_Byte*>(font.data()),
                         static_cast<FT_Long>(font.size()), 0, &raw_face) != 0)
    return make_error(ErrorCode::corrupt, kStampFontFile, "is not a font FreeType reads");
  std::unique_ptr<FT_FaceRec_, FreeTypeDone> face(raw_face);
  if (FT_Select_Charmap(raw_face, FT_ENCODING_UNICODE) != 0)
    return make_error(ErrorCode::corrupt, kStampFontFile, "has no Unicode character map");
  const auto question = static_cast<std::uint16_t>(FT_Get_Char_Index(raw_face, '?'));
  Shaped shaped;
  for (const auto& line : lines) {
    GlyphLine& glyphs = shaped.lines.emplace_back();
    for (char32_t cp : utf8_code_points(line)) {
      auto glyph = static_cast<std::uint16_t>(FT_Get_Char_Index(raw_face, cp));
      if (glyph == 0) glyph = question, cp = U'?';
      glyphs.push_back(glyph);
      shaped.text.emplace(glyph, cp);
    }
  }
  return shaped;
}

std::string deflate(const std::string& data) {
  std::string out;
  Pl_String sink("stamp font", nullptr, out);
  Pl_Flate flate("stamp font", &sink, Pl_Flate::a_deflate);
  flate.write(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  flate.finish();
  return out;
}

std::string ref(int number) {
  return std::to_string(number) + " 0 R";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

// Six capital letters naming this subset (ISO 32000-1 9.6.4), from its bytes.
std::string subset_tag(const std::string& font) {
  const Sha256Digest digest = sha256(font);
  std::string tag;
  for (std::size_t i = 0; i < 6; ++i) tag += static_cast<char>('A' + digest[i] % 26);
  return tag;
}

std::string hex16(std::uint32_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "%04X", value & 0xFFFF);
  return text;
}

// The CMap that maps each glyph (CID) back to its character, for copying
// and searching (ISO 32000-1 9.10.3).
std::string to_unicode_cmap(const std::map<std::uint16_t, char32_t>& cid_text) {
  std::string map =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  // At most 100 entries per bfchar block.
  auto entry = cid_text.begin();
  while (entry != cid_text.end()) {
    const std::size_t block =
        std::min<std::size_t>(100, static_cast<std::size_t>(std::distance(entry, cid_text.end())));
    map += std::to_string(block) + " beginbfchar\n";
    for (std::size_t i = 0; i < block; ++i, ++entry)
      map += "<" + hex16(entry->first) + "> <" + upper_hex(utf16be(entry->second)) + ">\n";
    map += "endbfchar\n";
  }
  return map + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
}

std::string stream(const std::string& extra_keys, const std::string& data) {
  return "<< " + extra_keys + "/Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
         "\nendstream";
}

}  // namespace

Result<std::vector<std::string>> stamp_objects(const std::vector<std::string>& lines, int first_number) {
  const std::string path = dejavu_font_path(kStampFontFile);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream read;
  if (!in.is_open() || !(read << in.rdbuf()))
    return make_error(ErrorCode::not_found, path, "cannot read the stamp font; install fonts-dejavu-core");
  const std::string font = std::move(read).str();

  auto shaped = shape(font, lines);
  if (!shaped.ok()) return shaped.error();
  std::vector<std::uint16_t> used;
  for (const auto& line : shaped->lines) used.insert(used.end(), line.begin(), line.end());
  auto subset_or = subset_truetype(font, used);
  if (!subset_or.ok()) return subset_or.error();
  const FontSubset& subset = *subset_or;
  std::map<std::uint16_t, std::uint16_t> cid_of;  // full-font glyph -> CID (= subset glyph)
  for (std::size_t cid = 0; cid < subset.old_glyph.size(); ++cid)
    cid_of.emplace(subset.old_glyph[cid], static_cast<std::uint16_t>(cid));
  std::map<std::uint16_t, char32_t> cid_text;
  for (const auto& [glyph, cp] : shaped->text) cid_text.emplace(cid_of.at(glyph), cp);

  const double scale = 1000.0 / subset.units_per_em;  // font units -> glyph space
  std::string widths = "[0 [";
  for (std::uint16_t advance : subset.advance) widths += std::to_string(std::lround(advance * scale)) + " ";
  widths.back() = ']';
  widths += "]";

  // A line wider than the box is set smaller rather than cut at its edge.
  std::string content = "q 0.1 0.2 0.5 RG 0.8 w 1 1 238 58 re S Q\nBT 0 0 0.3 rg " + number(kLeading) +
                        " TL " + number(kMargin) + " 46 Td\n";
  for (const GlyphLine& line : shaped->lines) {
    double width = 0;
    std::string glyphs;
    for (std::uint16_t glyph : line) {
      const std::uint16_t cid = cid_of.at(glyph);
      width += subset.advance[cid] * scale / 1000.0;
      glyphs += hex16(cid);
    }
    const double size = width > 0 ? std::min(kFontSize, (kStampWidth - 2 * kMargin) / width) : kFontSize;
    content += "/F1 " + number(size) + " Tf <" + glyphs + "> Tj T*\n";
  }
  content += "ET";

  const std::string name = "/" + subset_tag(subset.font) + "+DejaVuSans";
  const int type0 = first_number, cid_font = first_number + 1, descriptor = first_number + 2,
            font_file = first_number + 3, to_unicode = first_number + 4;
  std::vector<std::string> objects;
  objects.push_back("<< /Type /Font /Subtype /Type0 /BaseFont " + name +
                    " /Encoding /Identity-H /DescendantFonts [" + ref(cid_font) + "] /ToUnicode " +
                    ref(to_unicode) + " >>");
  objects.push_back(
      "<< /Type /Font /Subtype /CIDFontType2 /BaseFont " + name +
      " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor " +
      ref(descriptor) + " /CIDToGIDMap /Identity /W " + widths + " >>");
  auto scaled = [&](int v) { return std::to_string(std::lround(v * scale)); };
  objects.push_back("<< /Type /FontDescriptor /FontName " + name + " /Flags 32 /FontBBox [" +
                    scaled(subset.x_min) + " " + scaled(subset.y_min) + " " + scaled(subset.x_max) + " " +
                    scaled(subset.y_max) + "] /ItalicAngle 0 /Ascent " + scaled(subset.ascent) +
                    " /Descent " + scaled(subset.descent) + " /CapHeight " + scaled(subset.ascent) +
                    " /StemV 80 /FontFile2 " + ref(font_file) + " >>");
  objects.push_back(stream("/Filter /FlateDecode /Length1 " + std::to_string(subset.font.size()) + " ",
                           deflate(subset.font)));
  objects.push_back(stream("", to_unicode_cmap(cid_text)));
  objects.push_back(stream(
      "/Type /XObject /Subtype /Form /BBox [0 0 240 60] /Resources << /Font << /F1 " + ref(type0) + " >> >> ",
      content));
  return objects;
}

}  // namespace dosar::signing
