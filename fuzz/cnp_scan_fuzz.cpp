// Fuzz target: the scanner that finds CNPs in extracted and OCR text
// (base/cnp.h), and the check it runs on every 13-digit candidate. Any
// input must end in a list, never a crash or a hang; everything reported
// must validate, be distinct and appear in the input; once masked, none is left.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/cnp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)dosar::validate_cnp(text);
  (void)dosar::mask_cnp(text);
  const std::string masked = dosar::mask_cnps(text);
  auto found = dosar::find_cnps(text);
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!dosar::validate_cnp(found[i]).ok()) __builtin_trap();
    if (text.find(found[i]) == std::string::npos) __builtin_trap();
    if (std::count(found.begin(), found.end(), found[i]) != 1) __builtin_trap();
  }
  // Masking leaves no CNP a scanner could read back.
  if (!dosar::find_cnps(masked).empty()) __builtin_trap();
  return 0;
}
