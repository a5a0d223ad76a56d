// Base64 (RFC 4648, with padding, no line breaks): binary carried where only
// text fits — a JSON field, a TEXT column both catalogue engines accept.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dosar {

std::string base64(std::string_view bytes);
// The bytes, or none when `text` is not base64 (wrong length or alphabet).
std::optional<std::string> unbase64(std::string_view text);

}  // namespace dosar
