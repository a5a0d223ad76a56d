#include "base/text_folding.h"

#include <string>
#include <string_view>

namespace dosar {
namespace {

// Base letters of U+00C0..U+017F ('\0': no single-letter base, kept as is).
constexpr char kLatin1AndExtendedA[] =
    "AAAAAAACEEEEIIII"    // C0-CF (Æ kept as A)
    "DNOOOOO\0OUUUUY\0s"  // D0-DF (× and Þ kept; ß -> s)
    "aaaaaaaceeeeiiii"    // E0-EF
    "dnooooo\0ouuuuy\0y"  // F0-FF
    "AaAaAaCcCcCcCcDd"    // 100-10F  (Ă ă at 102/103)
    "DdEeEeEeEeEeGgGg"    // 110-11F
    "GgGgHhHhIiIiIiIi"    // 120-12F
    "IiIiJjKkkLlLlLlL"    // 130-13F
    "lLlNnNnNnnNnOoOo"    // 140-14F
    "OoOoRrRrRrSsSsSs"    // 150-15F  (Ş ş at 15E/15F)
    "SsTtTtTtUuUuUuUu"    // 160-16F  (Ţ ţ at 162/163)
    "UuUuWwYyYZzZzZzs";   // 170-17F

// Decodes one UTF-8 sequence at `i`; returns the code point (or U+FFFD for
// malformed bytes) and advances `i`.
char32_t decode(std::string_view s, std::size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (length == 0 || i + static_cast<std::size_t>(length) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = length == 1 ? c : c & (0x7F >> length);
  for (int k = 1; k < length; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += static_cast<std::size_t>(length);
  return cp;
}

}  // namespace

std::string fold_diacritics(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t start = i;
    char32_t cp = decode(text, i);
    char base = '\0';
    if (cp >= 0xC0 && cp <= 0x17F)
      base = kLatin1AndExtendedA[cp - 0xC0];
    else if (cp == 0x218 || cp == 0x21A)
      base = cp == 0x218 ? 'S' : 'T';  // Ș Ț (comma below)
    else if (cp == 0x219 || cp == 0x21B)
      base = cp == 0x219 ? 's' : 't';  // ș ț
    if (base != '\0')
      out += base;
    else
      out.append(text.substr(start, i - start));
  }
  return out;
}

std::string fold_for_matching(std::string_view text) {
  std::string out = fold_diacritics(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace dosar
