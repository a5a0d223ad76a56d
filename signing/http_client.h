// The one network edge of signing/ (internal): an HTTP POST for TSA and OCSP
// requests, with libcurl, 30 s timeout.
#pragma once

#include <string>

#include "base/result.h"

namespace dosar::signing {

// The body of a 200 answer. Errors: io (unreachable, timeout, other status).
Result<std::string> http_post(const std::string& url, const std::string& content_type,
                              const std::string& body);

}  // namespace dosar::signing
