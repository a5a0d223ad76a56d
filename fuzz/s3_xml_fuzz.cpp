// Fuzz target: the parsers of S3 server answers (cloud/s3_xml.h), which come
// from a server Dosar does not trust. Any input must end in a value or an
// Error, never a crash, a hang or a read of a file named in a DTD.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cloud/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto page = dosar::cloud::parse_list_objects_v2(xml, "fuzz");
  if (page.ok() && page->truncated && page->next_continuation_token.empty()) __builtin_trap();
  auto id = dosar::cloud::parse_upload_id(xml, "fuzz");
  if (id.ok() && id->empty()) __builtin_trap();
  (void)dosar::cloud::parse_error_summary(xml);
  return 0;
}
