#include "ingest/file_type.h"

#include <magic.h>

#include <algorithm>
#include <cctype>

namespace dosar {

struct TypeDetector::Cookie {
  magic_t mime = nullptr;
  magic_t description = nullptr;
  ~Cookie() {
    if (mime) magic_close(mime);
    if (description) magic_close(description);
  }
};

TypeDetector::TypeDetector(std::unique_ptr<Cookie> cookie) : cookie_(std::move(cookie)) {}
TypeDetector::~TypeDetector() = default;

Result<std::unique_ptr<TypeDetector>> TypeDetector::create() {
  auto cookie = std::make_unique<Cookie>();
  // Compressed files are not looked into: a .gz is a .gz, not what it holds.
  cookie->mime = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
  cookie->description = magic_open(MAGIC_ERROR);
  if (!cookie->mime || !cookie->description)
    return make_error(ErrorCode::io, "libmagic", "cannot initialise");
  if (magic_load(cookie->mime, nullptr) != 0 || magic_load(cookie->description, nullptr) != 0)
    return make_error(ErrorCode::io, "libmagic",
                      std::string("cannot load the magic database: ") +
                          (magic_error(cookie->mime) ? magic_error(cookie->mime) : "unknown error"));
  return std::unique_ptr<TypeDetector>(new TypeDetector(std::move(cookie)));
}

DetectedType TypeDetector::detect(std::string_view head) {
  DetectedType type;
  const char* mime = magic_buffer(cookie_->mime, head.data(), head.size());
  type.mime_type = mime ? mime : "application/octet-stream";
  return type;
}

std::string TypeDetector::describe(std::string_view head) {
  const char* description = magic_buffer(cookie_->description, head.data(), head.size());
  return description ? description : "";
}

std::string mime_type_claimed_by_name(std::string_view file_name) {
  auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "";
  std::string ext(file_name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == "pdf") return "application/pdf";
  if (ext == "jpg" || ext == "jpeg" || ext == "jpe") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "tif" || ext == "tiff") return "image/tiff";
  if (ext == "txt") return "text/plain";
  if (ext == "html" || ext == "htm") return "text/html";
  return "";
}

}  // namespace dosar
