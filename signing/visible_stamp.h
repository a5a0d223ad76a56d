// The visible stamp of a signature (internal to signing/): a framed box of
// text lines drawn in DejaVu Sans, embedded as a subset (Type0 font,
// Identity-H, CIDFontType2 with /FontFile2 and a /ToUnicode CMap), so that
// Romanian letters — ș ț with the comma below, distinct from ş ţ — are drawn
// and extracted exactly in every reader.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace dosar::signing {

constexpr double kStampWidth = 240;
constexpr double kStampHeight = 60;
constexpr const char* kStampFontFile = "DejaVuSans.ttf";  // fonts-dejavu-core

// The bodies ("<< ... >>", or a stream dictionary with "stream ...
// endstream") of the objects of a kStampWidth x kStampHeight box with `lines`
// (UTF-8), to be numbered `first_number`, `first_number` + 1, ... in order;
// they refer to each other by those numbers. The last one is the appearance
// stream (the widget's /AP /N). Characters the font lacks are drawn as '?'.
// Reads the font file on each call. Errors: not_found (font file missing),
// corrupt (font file unreadable).
Result<std::vector<std::string>> stamp_objects(const std::vector<std::string>& lines, int first_number);

}  // namespace dosar::signing
