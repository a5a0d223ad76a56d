// Fuzz target: content type detection (ingest/file_type.h) on arbitrary bytes
// and the extension a name claims, with the input taken as a file name.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/file_type.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One libmagic cookie for the whole run: loading the database is slow.
  static std::unique_ptr<dosar::TypeDetector> detector = [] {
    auto created = dosar::TypeDetector::create();
    if (!created.ok()) __builtin_trap();  // no magic database: nothing to fuzz
    return std::move(created).value();
  }();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  dosar::DetectedType type = detector->detect(bytes);
  if (type.mime_type.empty()) __builtin_trap();  // "application/octet-stream" at worst
  dosar::mime_type_claimed_by_name(bytes);
  return 0;
}
