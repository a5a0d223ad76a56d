#include "records/signature_validation.h"

#include "base/clock.h"

namespace dosar::records {

Result<std::vector<SignatureAtSigning>> validate_at_signing_time(std::string_view pdf,
                                                                 const signing::TrustStore& trust,
                                                                 const std::string& fallback) {
  const auto fallback_time = parse_utc(fallback).value_or(std::chrono::system_clock::now());
  auto first = signing::verify_pdf(pdf, trust, fallback_time);
  if (!first.ok()) return first.error();
  std::vector<SignatureAtSigning> out;
  for (std::size_t i = 0; i < first->signatures.size(); ++i) {
    const signing::SignatureReport& s = first->signatures[i];
    const std::string& when = s.timestamp_time.empty() ? s.signing_time : s.timestamp_time;
    auto at = parse_utc(when);
    if (!at) {
      out.push_back({s, fallback});
      continue;
    }
    // The whole document again, as of this signature's time; its report is the i-th.
    auto again = signing::verify_pdf(pdf, trust, *at);
    if (again.ok() && i < again->signatures.size() && again->signatures[i].field == s.field)
      out.push_back({again->signatures[i], when});
    else
      out.push_back({s, fallback});
  }
  return out;
}

}  // namespace dosar::records
