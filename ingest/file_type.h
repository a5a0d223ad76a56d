// File types detected from content with libmagic, never from names.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace dosar {

struct DetectedType {
  std::string mime_type;    // "application/pdf"
  std::string description;  // "PDF document, version 1.7"
};

// Wraps a libmagic cookie: not thread-safe, one per thread.
class TypeDetector {
 public:
  // Errors: io when libmagic or its database cannot be loaded.
  static Result<std::unique_ptr<TypeDetector>> create();
  ~TypeDetector();
  TypeDetector(const TypeDetector&) = delete;
  TypeDetector& operator=(const TypeDetector&) = delete;

  // Detects from the first bytes of a file (a prefix of up to a few MiB is enough).
  DetectedType detect(std::string_view head);

 private:
  struct Cookie;
  explicit TypeDetector(std::unique_ptr<Cookie> cookie);
  std::unique_ptr<Cookie> cookie_;
};

// The mime type a file name's extension claims ("" when the extension is not one we know).
std::string mime_type_claimed_by_name(std::string_view file_name);

}  // namespace dosar
