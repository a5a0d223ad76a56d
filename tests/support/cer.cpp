#include "tests/support/cer.h"

#include <algorithm>
#include <vector>

namespace dosar::testing {

std::u32string normalize_for_cer(const std::string& s) {
  std::u32string out;
  bool space = false;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
    i += static_cast<std::size_t>(len);
    if (cp == U'ş') cp = U'ș';
    if (cp == U'ţ') cp = U'ț';
    if (cp == U'Ş') cp = U'Ș';
    if (cp == U'Ţ') cp = U'Ț';
    if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == '\f' || cp == 0xA0) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += U' ';
    space = false;
    out += cp;
  }
  return out;
}

double character_error_rate(const std::string& recognized, const std::string& ground_truth) {
  std::u32string a = normalize_for_cer(recognized), b = normalize_for_cer(ground_truth);
  if (b.empty()) return a.empty() ? 0.0 : 1.0;
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      current[j] =
          std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(previous, current);
  }
  return static_cast<double>(previous[b.size()]) / static_cast<double>(b.size());
}

}  // namespace dosar::testing
