// Where Dosar finds the fonts it draws with (receipts, signature stamps):
// DejaVu from Debian's fonts-dejavu-core (scripts/install-deps.sh), opened by
// path rather than looked up through fontconfig, so that the output is the
// same on every machine.
#pragma once

#include <string>
#include <string_view>

namespace dosar {

inline constexpr std::string_view kDejaVuFontDir = "/usr/share/fonts/truetype/dejavu/";

// The path of one DejaVu file, e.g. "DejaVuSans.ttf".
inline std::string dejavu_font_path(std::string_view file_name) {
  return std::string(kDejaVuFontDir).append(file_name);
}

}  // namespace dosar
