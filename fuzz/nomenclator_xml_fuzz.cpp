// Fuzz target: the nomenclator XML parser (records/records.h, libxml2 with
// no network, no entity expansion and no DTD). Any input must end in entries
// or an Error, never a crash, a hang, or a read of a file named in a DTD.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "records/records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto entries = dosar::records::parse_nomenclator_xml(xml, "fuzz.xml", 2025);
  if (entries.ok()) {
    for (const auto& e : *entries)
      if (e.code.empty() || e.department.empty() || e.title.empty()) __builtin_trap();
  } else if (entries.error().subject != "fuzz.xml") {
    __builtin_trap();
  }
  return 0;
}
