// Running outside tools (openssl, xmllint, sha256sum) from tests.
#pragma once

#include <string>

namespace dosar::testing {

// Runs `command` with /bin/sh; returns its exit status (-1 when it did not
// exit normally) and puts stdout and stderr together in `output`.
int shell(const std::string& command, std::string* output = nullptr);

}  // namespace dosar::testing
