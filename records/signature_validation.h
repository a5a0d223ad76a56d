// Validation of a PDF's signatures as of the time each was made (internal to records/).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "signing/pades.h"

namespace dosar::records {

struct SignatureAtSigning {
  signing::SignatureReport report;
  std::string validated_as_of;  // UTC ISO 8601
};

// Validates every signature of `pdf` as of its own signing time (its
// timestamp's, else the time the signer claims), or as of `fallback` (the
// version's admission, UTC ISO 8601) when it has none. Errors: as verify_pdf.
Result<std::vector<SignatureAtSigning>> validate_at_signing_time(std::string_view pdf,
                                                                 const signing::TrustStore& trust,
                                                                 const std::string& fallback);

}  // namespace dosar::records
