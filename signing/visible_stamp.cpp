#include "signing/visible_stamp.h"

#include <string_view>

namespace dosar::signing {
namespace {

// Codes 128.. of the /Differences array below, then the WinAnsi ones.
struct Letter {
  std::string_view utf8;
  unsigned char code;
};
constexpr Letter kLetters[] = {
    {"ă", 128}, {"Ă", 129}, {"ș", 130}, {"Ș", 131},  {"ț", 132},  {"Ț", 133},  {"ş", 134},
    {"Ş", 135}, {"ţ", 136}, {"Ţ", 137}, {"â", 0xE2}, {"Â", 0xC2}, {"î", 0xEE}, {"Î", 0xCE},
};

// A PDF literal string of `line` in the stamp's encoding; other non-ASCII
// characters become '?'.
std::string encode(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      if (c == '(' || c == ')' || c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    bool matched = false;
    for (const Letter& l : kLetters) {
      if (line.substr(i, l.utf8.size()) == l.utf8) {
        out += static_cast<char>(l.code);
        i += l.utf8.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      out += '?';
      ++i;
      while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

}  // namespace

// ț and ţ are both drawn as tcommaaccent, the glyph the standard Helvetica
// metrics know (so it gets its width; uni021B or tcedilla would get none and
// the next letter would overlap). Romanian reads both as the same letter.
std::string stamp_font_dictionary() {
  return "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding "
         "/WinAnsiEncoding /Differences [128 /abreve /Abreve /scommaaccent /Scommaaccent /tcommaaccent "
         "/Tcommaaccent "
         "/scedilla /Scedilla /tcommaaccent /Tcommaaccent] >> >>";
}

std::string stamp_appearance(const std::vector<std::string>& lines, const std::string& font_ref) {
  std::string content = "q 0.1 0.2 0.5 RG 0.8 w 1 1 238 58 re S Q\nBT 0 0 0.3 rg /F1 9 Tf 11 TL 6 46 Td\n";
  for (const auto& line : lines) content += "(" + encode(line) + ") Tj T*\n";
  content += "ET";
  return "<< /Type /XObject /Subtype /Form /BBox [0 0 240 60] /Resources << /Font << /F1 " + font_ref +
         " >> >> /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream";
}

}  // namespace dosar::signing
