#include "ingest/page_preview.h"

#include <fstream>

#include "ocr/recognizer.h"

namespace dosar {

Result<std::string> page_preview_png(const ArchiveStore& archive, const Version& version, int page,
                                     int max_width) {
  std::string where = "document " + std::to_string(version.document_id) + " version " +
                      std::to_string(version.number) + " page " + std::to_string(page);
  if (page < 1 || (version.page_count && page > *version.page_count))
    return make_error(ErrorCode::not_found, where, "no such page");
  bool pdf = version.mime_type == "application/pdf";
  if (!pdf && version.mime_type.rfind("image/", 0) != 0)
    return make_error(ErrorCode::unsupported, where, "a " + version.mime_type + " file has no pages to show");
  // Poppler and Leptonica read files: the blob is copied to the spool first
  // (the blob store may not be a local file system).
  std::filesystem::path copy = new_staging_path(archive.spool_dir());
  struct Remove {
    std::filesystem::path path;
    ~Remove() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove{copy};
  {
    std::ofstream out(copy, std::ios::binary);
    DOSAR_TRY(archive.blobs().read_to(
        version.original_blob_id, Verify::hash, [&](std::string_view chunk) -> Status {
          out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          if (!out) return make_error(ErrorCode::io, copy.string(), "cannot write the preview's copy");
          return {};
        }));
  }
  OcrLimits limits;
  limits.render_dpi = 100;  // enough for a preview up to ~800 pixels wide
  auto image = pdf ? render_pdf_page(copy, page - 1, version.original_name, limits)
                   : load_image_page(copy, version.mime_type, page - 1, version.original_name, limits);
  if (!image.ok()) return image.error();
  return image->to_png(max_width);
}

}  // namespace dosar
