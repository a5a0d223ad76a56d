// File types detected from content with libmagic, never from names.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace dosar {

struct DetectedType {
  std::string mime_type;    // "application/pdf"
  std::string description;  // filled by TypeDetector::describe, when asked
};

// Wraps a libmagic cookie: not thread-safe, one per thread.
class TypeDetector {
 public:
  // Errors: io when libmagic or its database cannot be loaded.
  static Result<std::unique_ptr<TypeDetector>> create();
  ~TypeDetector();
  TypeDetector(const TypeDetector&) = delete;
  TypeDetector& operator=(const TypeDetector&) = delete;

  // Detects the mime type from the first bytes of a file (64 KiB are enough).
  DetectedType detect(std::string_view head);
  // libmagic's words for the content ("PDF document, version 1.7"), for
  // messages; a second pass over the bytes, so only asked for when needed.
  std::string describe(std::string_view head);

 private:
  struct Cookie;
  explicit TypeDetector(std::unique_ptr<Cookie> cookie);
  std::unique_ptr<Cookie> cookie_;
};

// The mime type a file name's extension claims ("" when the extension is not one we know).
std::string mime_type_claimed_by_name(std::string_view file_name);

}  // namespace dosar
