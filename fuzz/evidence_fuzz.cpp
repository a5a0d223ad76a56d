// Fuzz target: the readers of an evidence report (records/preservation.h),
// which anyone may hand to `dosar records verify-evidence`: the PDF whose
// attachment holds the report (qpdf, a capped decode) and the report's own
// JSON check. Any input must end in a value or an Error, never a crash, a
// hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "records/preservation.h"
#include "signing/pades.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dosar::signing::TrustStorePtr trust = dosar::signing::empty_trust_store();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto attached = dosar::records::evidence_from_pdf(bytes, "fuzz.pdf");
  std::string_view report = attached.ok() ? std::string_view(*attached) : bytes;
  auto check = dosar::records::verify_evidence(report, std::nullopt, *trust);
  if (check.ok() && check->seal) __builtin_trap();  // no seal was given
  return 0;
}
