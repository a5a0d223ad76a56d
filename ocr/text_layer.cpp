#include "ocr/text_layer.h"

#include <cmath>
#include <cstdio>

#include "base/utf8.h"

namespace dosar {
namespace {

// The glyph every code is drawn with is half an em wide (pdf.ttf's only
// glyph; the font's /DW says the same, as PDF/A requires them to agree).
constexpr double kGlyphWidth = 0.5;

// x' = a x + c y + e, y' = b x + d y + f (PDF's order).
struct Affine {
  double a = 1, b = 0, c = 0, d = 1, e = 0, f = 0;
};

// outer(inner(p)).
Affine then(const Affine& inner, const Affine& outer) {
  return {outer.a * inner.a + outer.c * inner.b,           outer.b * inner.a + outer.d * inner.b,
          outer.a * inner.c + outer.c * inner.d,           outer.b * inner.c + outer.d * inner.d,
          outer.a * inner.e + outer.c * inner.f + outer.e, outer.b * inner.e + outer.d * inner.f + outer.f};
}

// From the working copy's pixels to the upright page's (the original turned
// by its quarter turns, still skewed), both y down: the inverse of the
// deskew (Leptonica rotates about the centre, w/2 and h/2 in integers,
// clockwise positive with y down).
Affine undo_deskew(const PageGeometry& g) {
  const double cs = std::cos(g.deskew_radians), sn = std::sin(g.deskew_radians);
  const double cx = g.work_width / 2, cy = g.work_height / 2;
  return {cs, -sn, sn, cs, cx - cs * cx - sn * cy, cy + sn * cx - cs * cy};
}

// From the upright page's pixels (y down) to the page's points (the
// original image, y up): through the inverse of the quarter turns, then
// scaled. /Rotate turns the result back upright when shown.
Affine upright_to_page(const PageGeometry& g) {
  const double page_scale = 72.0 / g.page_dpi;
  const double w = g.width, h = g.height;
  Affine m;
  switch (((g.quarter_turns % 4) + 4) % 4) {
    case 1:  // turned clockwise: (x, y) became (h - y, x)
      m = {0, -1, 1, 0, 0, h};
      break;
    case 2:
      m = {-1, 0, 0, -1, w, h};
      break;
    case 3:
      m = {0, 1, -1, 0, w, 0};
      break;
    default:
      break;
  }
  return then(m, {page_scale, 0, 0, -page_scale, 0, h * page_scale});
}

// The word's codes as hex UTF-16BE (the font's codes are UTF-16 units), a
// space after it unless it ends its line; `units` counts the word's own.
std::string utf16_hex(const std::string& text, bool space_after, std::size_t& units) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string hex;
  for (char32_t cp : utf8_code_points(text))
    for (char byte : utf16be(cp)) {
      hex += kHex[(static_cast<unsigned char>(byte) >> 4) & 0xF];
      hex += kHex[static_cast<unsigned char>(byte) & 0xF];
    }
  units = hex.size() / 4;
  if (space_after) hex += "0020";
  return hex;
}

}  // namespace

std::string pdf_number(double v) {
  if (std::abs(v) < 1e-9) return "0";
  char buffer[64];
  int n = std::snprintf(buffer, sizeof buffer, "%.6f", v);
  std::string s(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string text_layer_content(const std::vector<LayerWord>& words, const PageGeometry& g,
                               const std::string& font) {
  const Affine deskewed_back = undo_deskew(g), to_page = upright_to_page(g);
  std::string out;
  bool in_line = false;
  int size = 0;
  for (const LayerWord& w : words) {
    std::size_t units = 0;
    std::string hex = utf16_hex(w.word.text, !w.ends_line, units);
    const int width = w.word.right - w.word.left;
    if (units > 0 && width > 0 && w.font_size > 0) {
      if (!in_line) {
        out += "BT 3 Tr\n";
        in_line = true;
        size = 0;
      }
      if (w.font_size != size) {
        size = w.font_size;
        out += font + " " + std::to_string(size) + " Tf\n";
      }
      // The word's origin (left end of its baseline) on the upright page;
      // text space there is its pixels with y up, so the word lies flat.
      const double x = w.word.left, y = w.baseline;
      const double ux = deskewed_back.a * x + deskewed_back.c * y + deskewed_back.e;
      const double uy = deskewed_back.b * x + deskewed_back.d * y + deskewed_back.f;
      const Affine m = then({1, 0, 0, -1, ux, uy}, to_page);
      const double stretch = 100.0 * width / (size * kGlyphWidth * static_cast<double>(units));
      out += pdf_number(stretch) + " Tz " + pdf_number(m.a) + " " + pdf_number(m.b) + " " + pdf_number(m.c) +
             " " + pdf_number(m.d) + " " + pdf_number(m.e) + " " + pdf_number(m.f) + " Tm <" + hex + "> Tj\n";
    }
    if (w.ends_line && in_line) {
      out += "ET\n";
      in_line = false;
    }
  }
  if (in_line) out += "ET\n";
  return out;
}

QPDFObjectHandle add_glyphless_font(QPDF& pdf, const std::string& ttf) {
  auto name = [](const char* n) { return QPDFObjectHandle::newName(n); };
  QPDFObjectHandle file = QPDFObjectHandle::newStream(&pdf, ttf);
  file.getDict().replaceKey("/Length1", QPDFObjectHandle::newInteger(static_cast<long long>(ttf.size())));

  QPDFObjectHandle descriptor = QPDFObjectHandle::newDictionary();
  descriptor.replaceKey("/Type", name("/FontDescriptor"));
  descriptor.replaceKey("/FontName", name("/GlyphLessFont"));
  descriptor.replaceKey("/Flags", QPDFObjectHandle::newInteger(5));  // fixed pitch, symbolic
  descriptor.replaceKey("/FontBBox", QPDFObjectHandle::newFromRectangle({0, 0, 1000 * kGlyphWidth, 1000}));
  descriptor.replaceKey("/ItalicAngle", QPDFObjectHandle::newInteger(0));
  descriptor.replaceKey("/Ascent", QPDFObjectHandle::newInteger(1000));
  descriptor.replaceKey("/Descent", QPDFObjectHandle::newInteger(-1));  // must be negative
  descriptor.replaceKey("/CapHeight", QPDFObjectHandle::newInteger(1000));
  descriptor.replaceKey("/StemV", QPDFObjectHandle::newInteger(80));
  descriptor.replaceKey("/FontFile2", file);

  // Every CID (a UTF-16 unit) shows glyph 1, the font's empty glyph.
  std::string cid_to_gid(2 * 65536, '\0');
  for (std::size_t i = 1; i < cid_to_gid.size(); i += 2) cid_to_gid[i] = '\1';
  QPDFObjectHandle cid_system = QPDFObjectHandle::newDictionary();
  cid_system.replaceKey("/Registry", QPDFObjectHandle::newString("Adobe"));
  cid_system.replaceKey("/Ordering", QPDFObjectHandle::newString("Identity"));
  cid_system.replaceKey("/Supplement", QPDFObjectHandle::newInteger(0));
  QPDFObjectHandle cid_font = QPDFObjectHandle::newDictionary();
  cid_font.replaceKey("/Type", name("/Font"));
  cid_font.replaceKey("/Subtype", name("/CIDFontType2"));
  cid_font.replaceKey("/BaseFont", name("/GlyphLessFont"));
  cid_font.replaceKey("/CIDSystemInfo", cid_system);
  cid_font.replaceKey("/FontDescriptor", pdf.makeIndirectObject(descriptor));
  cid_font.replaceKey("/CIDToGIDMap", QPDFObjectHandle::newStream(&pdf, cid_to_gid));
  cid_font.replaceKey("/DW", QPDFObjectHandle::newInteger(static_cast<int>(1000 * kGlyphWidth)));

  const std::string to_unicode =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
      "1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
      "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  QPDFObjectHandle type0 = QPDFObjectHandle::newDictionary();
  type0.replaceKey("/Type", name("/Font"));
  type0.replaceKey("/Subtype", name("/Type0"));
  type0.replaceKey("/BaseFont", name("/GlyphLessFont"));
  type0.replaceKey("/Encoding", name("/Identity-H"));
  type0.replaceKey("/DescendantFonts", QPDFObjectHandle::newArray({pdf.makeIndirectObject(cid_font)}));
  type0.replaceKey("/ToUnicode", QPDFObjectHandle::newStream(&pdf, to_unicode));
  return pdf.makeIndirectObject(type0);
}

}  // namespace dosar
