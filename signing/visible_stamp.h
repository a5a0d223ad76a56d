// The visible stamp of a signature (internal to signing/): a framed box of
// text lines drawn in Helvetica with Romanian letters through a /Differences
// encoding. The font is the standard one, not embedded: readers substitute a
// metric-compatible face.
#pragma once

#include <string>
#include <vector>

namespace dosar::signing {

constexpr double kStampWidth = 240;
constexpr double kStampHeight = 60;

// The font dictionary the appearance refers to as /F1.
std::string stamp_font_dictionary();

// The appearance stream (dictionary, "stream", content, "endstream") of a
// kStampWidth x kStampHeight box with `lines` (UTF-8), the font at `font_ref`.
std::string stamp_appearance(const std::vector<std::string>& lines, const std::string& font_ref);

}  // namespace dosar::signing
