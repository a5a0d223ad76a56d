// Fuzz target: the nomenclator CSV parser (records/records.h), fed files an
// archivist imports. Any input must end in entries or an Error naming the
// line, never a crash or a hang; what it accepts must export and read back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "records/records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view csv(reinterpret_cast<const char*>(data), size);
  auto entries = dosar::records::parse_nomenclator_csv(csv, "fuzz.csv");
  if (!entries.ok()) {
    if (entries.error().subject != "fuzz.csv") __builtin_trap();
    return 0;
  }
  auto back = dosar::records::parse_nomenclator_csv(dosar::records::nomenclator_csv(*entries), "export.csv");
  if (!back.ok() || back->size() != entries->size()) __builtin_trap();
  return 0;
}
