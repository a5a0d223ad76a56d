// Writes small, valid, born-digital PDFs with Romanian text for tests and
// benchmarks. Text uses the standard Helvetica font with a /Differences
// encoding for ă ș ț (comma below) and ş ţ (cedilla), so that Poppler
// (ț is named uni021B: the Adobe Glyph List maps "tcommaaccent" to ţ U+0163)
// extracts the exact UTF-8 back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dosar::testing {

struct SamplePdfOptions {
  // Bytes of incompressible filler in an unused stream, standing in for the
  // images and fonts a real document carries (benchmarks use it for size).
  std::size_t filler_bytes = 0;
  std::uint64_t filler_seed = 1;
};

// One page per element; lines separated by '\n'. Characters outside
// ASCII + â î ă ș ț ş ţ (and capitals) are written as '?'.
std::string make_text_pdf(const std::vector<std::string>& pages, const SamplePdfOptions& options = {});

// A line of Romanian-looking text seeded by `seed` (for generators).
std::string romanian_sentence(std::uint64_t seed);

}  // namespace dosar::testing
