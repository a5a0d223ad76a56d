#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <cmath>
#include <cstdio>
#include <mutex>

#include "ocr/page_image_pixels.h"
#include "ocr/recognizer.h"

namespace dosar {

PageImage::PageImage() = default;
PageImage::~PageImage() = default;
PageImage::PageImage(PageImage&&) noexcept = default;
PageImage& PageImage::operator=(PageImage&&) noexcept = default;
Result<std::string> PageImage::to_png(int max_width) const {
  if (!pixels_ || !pixels_->pix) return make_error(ErrorCode::io, "page image", "is empty");
  PIX* source = pixels_->pix;
  int width = pixGetWidth(source);
  PIX* scaled =
      width > max_width && max_width > 0
          ? pixScaleSmooth(source, static_cast<l_float32>(max_width) / static_cast<l_float32>(width),
                           static_cast<l_float32>(max_width) / static_cast<l_float32>(width))
          : pixClone(source);
  if (!scaled) return make_error(ErrorCode::io, "page image", "cannot be scaled");
  l_uint8* data = nullptr;
  size_t size = 0;
  int failed = pixWriteMemPng(&data, &size, scaled, 0.0f);
  pixDestroy(&scaled);
  if (failed || !data) return make_error(ErrorCode::io, "page image", "cannot be encoded as PNG");
  std::string png(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return png;
}

int PageImage::width() const {
  return pixels_ ? pixGetWidth(pixels_->pix) : 0;
}
int PageImage::height() const {
  return pixels_ ? pixGetHeight(pixels_->pix) : 0;
}

PageImage::Pixels::~Pixels() {
  pixDestroy(&pix);
}

namespace {

void quiet_leptonica() {
  static std::once_flag once;
  // Leptonica prints to stderr; Dosar reports its own errors naming the file.
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

Status check_pixels(std::int64_t width, std::int64_t height, const std::string& name,
                    const OcrLimits& limits) {
  if (width <= 0 || height <= 0) return make_error(ErrorCode::corrupt, name, "image has no pixels");
  auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
  if (pixels > limits.max_pixels)
    return make_error(ErrorCode::limit_exceeded, name,
                      "page of " + std::to_string(width) + "x" + std::to_string(height) +
                          " pixels exceeds the limit of " + std::to_string(limits.max_pixels) + " pixels");
  return {};
}

}  // namespace

Result<int> count_image_pages(const std::filesystem::path& file, const std::string& mime_type,
                              const std::string& name, const OcrLimits& limits) {
  quiet_leptonica();
  if (mime_type != "image/tiff") return 1;
  FILE* fp = std::fopen(file.c_str(), "rb");
  if (!fp) return make_error(ErrorCode::io, name, "cannot open");
  l_int32 count = 0;
  l_int32 failed = tiffGetCount(fp, &count);
  std::fclose(fp);
  if (failed || count <= 0) return make_error(ErrorCode::corrupt, name, "TIFF cannot be read (no pages)");
  if (count > limits.max_pages)
    return make_error(ErrorCode::limit_exceeded, name,
                      "TIFF has " + std::to_string(count) + " pages, more than the limit of " +
                          std::to_string(limits.max_pages));
  return static_cast<int>(count);
}

Result<PageImage> load_image_page(const std::filesystem::path& file, const std::string& mime_type, int index,
                                  const std::string& name, const OcrLimits& limits) {
  quiet_leptonica();
  l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
  std::string where = name + (mime_type == "image/tiff" ? " page " + std::to_string(index + 1) : "");
  if (mime_type == "image/tiff") {
    if (readHeaderTiff(file.c_str(), index, &w, &h, &bps, &spp, &res, &cmap, &format) != 0)
      return make_error(ErrorCode::corrupt, where, "TIFF page header cannot be read");
  } else if (pixReadHeader(file.c_str(), &format, &w, &h, &bps, &spp, &cmap) != 0) {
    return make_error(ErrorCode::corrupt, where, "image header cannot be read");
  }
  // Checked before decoding: a small file can claim gigapixels.
  DOSAR_TRY(check_pixels(w, h, where, limits));
  PIX* pix = mime_type == "image/tiff" ? pixReadTiff(file.c_str(), index) : pixRead(file.c_str());
  if (!pix) return make_error(ErrorCode::corrupt, where, "image data cannot be decoded");
  PageImage page;
  page.pixels_ = std::make_unique<PageImage::Pixels>();
  page.pixels_->pix = pix;
  page.pixels_->dpi = pixGetXRes(pix);
  page.pixels_->file = file;
  page.pixels_->mime_type = mime_type;
  page.pixels_->index = index;
  return page;
}

Result<PageImage> render_pdf_page(const std::filesystem::path& file, int index, const std::string& name,
                                  const OcrLimits& limits) {
  quiet_leptonica();
  std::string where = name + " page " + std::to_string(index + 1);
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(file.string()));
  if (!doc || doc->is_locked())
    return make_error(ErrorCode::corrupt, name, "PDF cannot be opened for rendering");
  std::unique_ptr<poppler::page> page(doc->create_page(index));
  if (!page) return make_error(ErrorCode::corrupt, where, "page cannot be read");
  poppler::rectf box = page->page_rect();
  double dpi = limits.render_dpi;
  double pixels = (box.width() * dpi / 72.0) * (box.height() * dpi / 72.0);
  if (pixels > static_cast<double>(limits.max_pixels))  // a huge page is rendered smaller, not refused
    dpi *= std::sqrt(static_cast<double>(limits.max_pixels) / pixels);
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_image_format(poppler::image::format_gray8);
  poppler::image image = renderer.render_page(page.get(), dpi, dpi);
  if (!image.is_valid()) return make_error(ErrorCode::corrupt, where, "page cannot be rendered");
  int w = image.width(), h = image.height();
  DOSAR_TRY(check_pixels(w, h, where, limits));
  PIX* pix = pixCreate(w, h, 8);
  if (!pix) return make_error(ErrorCode::limit_exceeded, where, "not enough memory for the page image");
  l_uint32* data = pixGetData(pix);
  l_int32 wpl = pixGetWpl(pix);
  const char* src = image.const_data();
  for (int y = 0; y < h; ++y) {
    const unsigned char* row =
        reinterpret_cast<const unsigned char*>(src + static_cast<std::ptrdiff_t>(y) * image.bytes_per_row());
    l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    for (int x = 0; x < w; ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  int rounded = static_cast<int>(std::lround(dpi));
  pixSetResolution(pix, rounded, rounded);
  PageImage out;
  out.pixels_ = std::make_unique<PageImage::Pixels>();
  out.pixels_->pix = pix;
  out.pixels_->dpi = rounded;
  out.pixels_->file = file;
  out.pixels_->mime_type = "application/pdf";
  out.pixels_->index = index;
  return out;
}

}  // namespace dosar
