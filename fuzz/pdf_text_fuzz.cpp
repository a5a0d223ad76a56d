// Fuzz target: PDF text extraction (ingest/pdf_text.h) on arbitrary bytes.
// Every input must come back as text or as an Error, never as a crash, a hang
// or a sanitizer report. Small limits keep each run short.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/pdf_text.h"

// Poppler's text output makes fontconfig load its configuration once per
// process and never frees it: process-lifetime state, not a leak per input.
// LeakSanitizer (libFuzzer's per-input leak check included) reads this hook.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const dosar::PdfLimits limits{/*max_pages=*/64, /*max_text_bytes=*/1u << 20};
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto text = dosar::extract_pdf_text_from_memory(bytes, "fuzz.pdf", limits);
  if (text.ok()) {
    // The contract the ingester relies on.
    if (text->page_count <= 0 || text->page_count > limits.max_pages) __builtin_trap();
    if (text->text.size() > limits.max_text_bytes) __builtin_trap();
  } else if (text.error().subject != "fuzz.pdf") {
    __builtin_trap();
  }
  return 0;
}
