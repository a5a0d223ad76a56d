// The one network edge of signing/ (internal): an HTTP POST for TSA and OCSP
// requests and a GET for CRLs, with libcurl, 30 s timeout, http(s) only.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.h"

namespace dosar::signing {

// What a TSA or OCSP responder may answer; more is refused.
inline constexpr std::size_t kMaxAnswerBytes = 1 << 20;

// The body of a 200 answer. Errors: io (unreachable, timeout, other status),
// limit_exceeded (an answer over kMaxAnswerBytes).
Result<std::string> http_post(const std::string& url, const std::string& content_type,
                              const std::string& body);

// The body of a 200 answer to a GET (a CRL from a distribution point).
// Errors: as http_post, with `max_bytes` as the limit.
Result<std::string> http_get(const std::string& url, std::size_t max_bytes);

}  // namespace dosar::signing
