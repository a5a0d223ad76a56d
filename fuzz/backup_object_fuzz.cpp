// Fuzz target: decryption of backup objects (backup/object_crypto.h), which
// come back from storage Dosar does not trust. Without the key nothing may
// decrypt; any input ends in an Error, never a crash or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backup/object_crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dosar::backup::Key key = [] {
    dosar::backup::Key master{};
    for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<std::uint8_t>(i);
    return dosar::backup::derive_keys(master).encryption;  // the golden object's key
  }();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto plain = dosar::backup::decrypt_bytes(key, bytes, "fuzz");
  if (plain.ok() && plain->size() >= size) __builtin_trap();  // plaintext is always shorter
  return 0;
}
