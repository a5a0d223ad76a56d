#include "ocr/recognizer.h"

#include <leptonica/allheaders.h>
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/renderer.h>
#include <tesseract/resultiterator.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "ocr/page_image_pixels.h"

namespace dosar {
namespace {

struct PixDeleter {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

// A missing or implausible resolution is replaced by one estimated from the
// pixel size, assuming an A4 page: recognition depends on it.
int plausible_dpi(int recorded, int width, int height) {
  double inches = std::max(width, height) > 0 ? (width < height ? 8.27 : 11.69) : 0;
  int estimated = inches > 0 ? static_cast<int>(std::lround(width / inches)) : 300;
  estimated = std::clamp(estimated, 100, 1200);
  if (recorded < 70 || recorded > 2400) return estimated;
  // A scan that claims 72 dpi for 2480 pixels across is a 300 dpi A4 page.
  if (std::abs(recorded - estimated) > estimated / 2) return estimated;
  return recorded;
}

}  // namespace

struct Recognizer::Engines {
  tesseract::TessBaseAPI text;
  tesseract::TessBaseAPI osd;
  bool osd_ready = false;
  ~Engines() {
    text.End();
    osd.End();
  }
};

Recognizer::Recognizer(std::unique_ptr<Engines> engines) : engines_(std::move(engines)) {}
Recognizer::~Recognizer() = default;

Result<std::unique_ptr<Recognizer>> Recognizer::create(const std::string& languages) {
  // Dosar runs one engine per worker thread; Tesseract's own OpenMP threads
  // would only compete with the other workers.
  omp_set_num_threads(1);
  auto engines = std::make_unique<Engines>();
  if (engines->text.Init(nullptr, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
    return make_error(ErrorCode::not_found, "OCR languages " + languages,
                      "Tesseract cannot load their data (install tesseract-ocr-ron and tesseract-ocr-eng)");
  // Office documents are one column; automatic layout analysis dropped whole
  // lines of bilevel scans in the corpus (8% CER on s04 against under 1%).
  engines->text.SetPageSegMode(tesseract::PSM_SINGLE_COLUMN);
  engines->text.SetVariable("debug_file", "/dev/null");
  engines->osd_ready = engines->osd.Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) == 0;
  if (engines->osd_ready) {
    engines->osd.SetPageSegMode(tesseract::PSM_OSD_ONLY);
    engines->osd.SetVariable("debug_file", "/dev/null");
  }
  return std::unique_ptr<Recognizer>(new Recognizer(std::move(engines)));
}

namespace {

// Writes the page Tesseract has just recognized as a one-page searchable
// PDF: Tesseract's renderer writes the invisible text over `working` (the
// working copy) on a page of its own, which write_page_pdf lays over the
// original pixels of `page`.
Status write_searchable_page(tesseract::TessBaseAPI& api, PIX* working, const PageImage::Pixels& page,
                             const PageGeometry& geometry, const std::filesystem::path& file,
                             const std::string& name) {
  if (file.extension() != ".pdf")
    return make_error(ErrorCode::invalid_argument, file.string(), "must end in .pdf");
  // Tesseract's renderer writes "<base>.pdf".
  std::string base = (file.parent_path() / file.stem()).string() + "-text";
  std::filesystem::path text_layer = base + ".pdf";
  {
    tesseract::TessPDFRenderer renderer(base.c_str(), api.GetDatapath(), true /* text only */);
    api.SetInputImage(pixClone(working));  // the page size; Tesseract takes ownership of this reference
    api.SetInputName(nullptr);
    if (!renderer.happy() || !renderer.BeginDocument(name.c_str()) || !renderer.AddImage(&api) ||
        !renderer.EndDocument() || !renderer.happy()) {
      ::unlink(text_layer.c_str());
      return make_error(ErrorCode::io, file.string(),
                        "cannot write the text of the searchable page of " + name);
    }
  }
  Status written = write_page_pdf(page, geometry, text_layer, file, name);
  ::unlink(text_layer.c_str());
  return written;
}

// True when Leptonica is confident that the text of `page` (150-300 dpi)
// stands upright: many more ascenders than descenders, and much more so
// than when turned a quarter (its default thresholds). Any other answer
// leaves the decision to Tesseract's OSD.
bool surely_upright(PIX* page) {
  PixPtr binary(pixGetDepth(page) == 1 ? pixClone(page) : pixConvertTo1(page, 130));
  if (!binary) return false;
  l_float32 up = 0, left = 0;
  l_int32 orientation = L_TEXT_ORIENT_UNKNOWN;
  if (pixOrientDetect(binary.get(), &up, &left, 0, 0) != 0) return false;
  if (makeOrientDecision(up, left, 0.0f, 0.0f, &orientation, 0) != 0) return false;
  return orientation == L_TEXT_ORIENT_UP;
}

// Deskew as Leptonica's pixDeskewGeneral with its defaults (skew found on a
// binarized copy, sweep of +-7 degrees at 4x reduction, then a search at
// 2x), but saying whether it rotated: the text layer is mapped back by the
// angle actually applied. Returns it in degrees, 0 when not rotated.
float deskew(PixPtr& image) {
  PixPtr binary(pixGetDepth(image.get()) == 1 ? pixClone(image.get()) : pixConvertTo1(image.get(), 130));
  if (!binary) return 0;
  l_float32 angle = 0, confidence = 0;
  if (pixFindSkewSweepAndSearch(binary.get(), &angle, &confidence, 4, 2, 7.0f, 1.0f, 0.01f) != 0) return 0;
  if (std::abs(angle) < 0.1f || confidence < 3.0f) return 0;
  PixPtr straight(pixRotate(image.get(), static_cast<l_float32>(angle * M_PI / 180.0), L_ROTATE_AREA_MAP,
                            L_BRING_IN_WHITE, 0, 0));
  if (!straight) return 0;
  image = std::move(straight);
  return angle;
}

}  // namespace

Result<OcrPage> Recognizer::recognize(PageImage& page, const std::string& name, const OcrLimits& limits,
                                      const std::filesystem::path& page_pdf) {
  if (!page.pixels_ || !page.pixels_->pix) return make_error(ErrorCode::invalid_argument, name, "empty page");
  OcrPage out;
  PIX* source = page.pixels_->pix;
  // Prepared at the source's depth (bilevel stays bilevel, colour stays
  // colour); the searchable PDF shows the source itself.
  PixPtr gray(pixRemoveColormap(source, REMOVE_CMAP_BASED_ON_SRC));
  if (!gray) return make_error(ErrorCode::corrupt, name, "image cannot be prepared");
  int dpi = plausible_dpi(page.pixels_->dpi, pixGetWidth(gray.get()), pixGetHeight(gray.get()));

  // Orientation needs letters, not detail: at half resolution (150 dpi for
  // an office scan) OSD's layout analysis costs a quarter, and it cost a
  // third of a page's recognition at full resolution.
  PixPtr half(dpi >= 240 ? (pixGetDepth(gray.get()) == 1 ? pixReduceRankBinary2(gray.get(), 1, nullptr)
                                                         : pixScaleAreaMap2(gray.get()))
                         : nullptr);
  PIX* small = half ? half.get() : gray.get();
  // Orientation: OSD reports how far the page is turned clockwise; turning
  // it back by the rest of the circle makes it upright. OSD still cost
  // ~0.4 s of CPU a page (a sixth of a page's reading); Leptonica's test of
  // ascenders against descenders costs ~15 ms and is sure of most upright
  // pages, so OSD runs only for the pages it is not sure are upright.
  if (engines_->osd_ready && !surely_upright(small)) {
    engines_->osd.SetImage(small);
    engines_->osd.SetSourceResolution(half ? dpi / 2 : dpi);
    int degrees = 0;
    float orientation_confidence = 0, script_confidence = 0;
    const char* script = nullptr;
    if (engines_->osd.DetectOrientationScript(&degrees, &orientation_confidence, &script,
                                              &script_confidence) &&
        degrees % 360 != 0 && orientation_confidence > 2.0f) {
      int quads = ((360 - degrees) / 90) % 4;
      PixPtr turned(pixRotateOrth(gray.get(), quads));
      if (turned) {
        gray = std::move(turned);
        out.rotated_degrees = quads * 90;
      }
    }
    engines_->osd.Clear();
  }
  half.reset();

  // Deskew: Leptonica finds the skew on a binarized copy and rotates the gray image.
  out.deskew_degrees = deskew(gray);

  out.width = pixGetWidth(gray.get());
  out.height = pixGetHeight(gray.get());
  out.dpi = dpi;
  tesseract::TessBaseAPI& api = engines_->text;
  api.SetImage(gray.get());
  api.SetSourceResolution(dpi);
  tesseract::ETEXT_DESC monitor;
  monitor.set_deadline_msecs(limits.page_seconds * 1000);
  if (api.Recognize(&monitor) != 0) {
    api.Clear();
    return make_error(ErrorCode::limit_exceeded, name,
                      "recognition did not finish within " + std::to_string(limits.page_seconds) + " s");
  }
  if (!page_pdf.empty()) {
    PageGeometry geometry;
    geometry.width = pixGetWidth(source);
    geometry.height = pixGetHeight(source);
    geometry.work_width = out.width;
    geometry.work_height = out.height;
    geometry.quarter_turns = out.rotated_degrees / 90;
    geometry.deskew_radians = out.deskew_degrees * M_PI / 180.0;
    geometry.text_dpi = dpi;
    // A rendered PDF page keeps its size in points; an image is as large as its resolution says.
    geometry.page_dpi =
        page.pixels_->mime_type == "application/pdf" && page.pixels_->dpi > 0 ? page.pixels_->dpi : dpi;
    Status written = write_searchable_page(api, gray.get(), *page.pixels_, geometry, page_pdf, name);
    if (!written.ok()) {
      api.Clear();
      return written.error();
    }
  }
  std::unique_ptr<char[]> text(api.GetUTF8Text());
  out.text = text ? text.get() : "";
  out.mean_confidence = static_cast<float>(api.MeanTextConf());
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (it) {
    do {
      std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!word) continue;
      OcrWord w;
      w.text = word.get();
      it->BoundingBox(tesseract::RIL_WORD, &w.left, &w.top, &w.right, &w.bottom);
      w.confidence = it->Confidence(tesseract::RIL_WORD);
      out.words.push_back(std::move(w));
    } while (it->Next(tesseract::RIL_WORD));
  }
  api.Clear();
  return out;
}

}  // namespace dosar
