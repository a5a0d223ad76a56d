// Fuzz target: the readers of a preservation package (records/preservation.h),
// which may come from anywhere: the BagIt manifest parser and the METS reader
// (libxml2). Any input must end in a value or an Error, never a crash, a hang
// or a read of a file named in a DTD; a parsed path never escapes the bag.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "records/preservation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto manifest = dosar::records::parse_bag_manifest(text, "fuzz");
  if (manifest.ok())
    for (const auto& entry : *manifest)
      if (entry.path.empty() || entry.path.front() == '/' || entry.path.find("..") == 0 ||
          entry.path.find("/../") != std::string::npos || entry.sha256.size() != 64)
        __builtin_trap();
  auto mets = dosar::records::read_mets(text, "fuzz");
  if (mets.ok())
    for (const auto& file : mets->files)
      if (file.href.empty() || file.sha256.empty()) __builtin_trap();
  return 0;
}
