// Fuzz target: signature validation (signing/pades.h verify_pdf) on arbitrary
// bytes: revision boundaries, signature fields, ByteRange checks, CMS
// parsing and the comparison of revisions. Every input must come back as a
// report or an Error, never as a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signing/pades.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dosar::signing::TrustStorePtr nobody = dosar::signing::empty_trust_store();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto report = dosar::signing::verify_pdf(bytes, *nobody);
  if (report.ok()) {
    // With nothing trusted no signature can pass.
    if (report->valid) __builtin_trap();
    for (const auto& s : report->signatures)
      if (s.indication == dosar::signing::Indication::total_passed) __builtin_trap();
  }
  return 0;
}
