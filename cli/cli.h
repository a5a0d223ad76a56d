// The `dosar` command line, callable in-process: main() only forwards to
// run(), and tests call run() with their own streams.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace dosar::cli {

enum class ExitCode : int {
  ok = 0,      // everything asked was done
  failed = 1,  // the request could not be fully done; a message says what and why
  usage = 2,   // the command line itself is wrong
};

// `args` excludes the program name. Normal output goes to `out`, messages
// and progress to `err`.
ExitCode run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace dosar::cli
