// Fuzz target: the readers of a package another institution sends
// (exchange/exchange.h): package.json and the transfer body of the HTTPS
// exchange. Any input must end in a value or an Error, never a crash or a
// hang; a decoded path never escapes the package. (The manifest parser is
// records' BagIt one, fuzzed by the bag target.)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exchange/exchange.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto package = dosar::exchange::parse_package_json(text);
  if (package.ok()) {
    if (package->id.size() != 36 || (package->kind != "request" && package->kind != "acknowledgement"))
      __builtin_trap();
    for (const auto& d : package->documents)
      if (d.path.rfind("documents/", 0) != 0 || d.path.find("/../") != std::string::npos) __builtin_trap();
  }
  dosar::exchange::PackageLimits limits;
  limits.max_total_bytes = 1 << 20;
  auto files = dosar::exchange::decode_transfer(text, limits);
  if (files.ok())
    for (const auto& f : *files)
      if (f.path.empty() || f.path.front() == '/' || f.path.rfind("../", 0) == 0 ||
          f.path.find("/../") != std::string::npos || f.path == "..")
        __builtin_trap();
  return 0;
}
