#include "ocr/recognizer.h"

#include <leptonica/allheaders.h>
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

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

// The recognized words in reading order, with their lines' baselines and
// heights for the text layer. A line's baseline is Tesseract's, taken at
// each word's left edge; its height above the baseline (the font size) is
// one for all its words, so that readers of the PDF keep the line whole.
std::vector<LayerWord> layer_words(tesseract::TessBaseAPI& api) {
  std::vector<LayerWord> words;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return words;
  int x1 = 0, y1 = 0, x2 = 0, y2 = 0, line_top = 0, size = 0;
  do {
    if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
      int left = 0, right = 0, bottom = 0;
      it->BoundingBox(tesseract::RIL_TEXTLINE, &left, &line_top, &right, &bottom);
      if (!it->Baseline(tesseract::RIL_TEXTLINE, &x1, &y1, &x2, &y2)) {
        x1 = left, x2 = right, y1 = y2 = bottom;
      }
      size = std::max(1, (y1 + y2) / 2 - line_top);
    }
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text) continue;
    LayerWord w;
    w.word.text = text.get();
    it->BoundingBox(tesseract::RIL_WORD, &w.word.left, &w.word.top, &w.word.right, &w.word.bottom);
    w.word.confidence = it->Confidence(tesseract::RIL_WORD);
    w.baseline = x2 != x1 ? y1 + (y2 - y1) * (w.word.left - x1) / (x2 - x1) : y1;
    w.font_size = size;
    w.ends_line = it->IsAtFinalElement(tesseract::RIL_TEXTLINE, tesseract::RIL_WORD);
    words.push_back(std::move(w));
  } while (it->Next(tesseract::RIL_WORD));
  return words;
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
  std::vector<LayerWord> words = layer_words(api);
  if (!page_pdf.empty()) {
    if (page_pdf.extension() != ".pdf") {
      api.Clear();
      return make_error(ErrorCode::invalid_argument, page_pdf.string(), "must end in .pdf");
    }
    PageGeometry geometry;
    geometry.width = pixGetWidth(source);
    geometry.height = pixGetHeight(source);
    geometry.work_width = out.width;
    geometry.work_height = out.height;
    geometry.quarter_turns = out.rotated_degrees / 90;
    geometry.deskew_radians = out.deskew_degrees * M_PI / 180.0;
    // A rendered PDF page keeps its size in points; an image is as large as its resolution says.
    geometry.page_dpi =
        page.pixels_->mime_type == "application/pdf" && page.pixels_->dpi > 0 ? page.pixels_->dpi : dpi;
    Status written = write_page_pdf(*page.pixels_, geometry, words,
                                    std::filesystem::path(api.GetDatapath()) / "pdf.ttf", page_pdf, name);
    if (!written.ok()) {
      api.Clear();
      return written.error();
    }
  }
  std::unique_ptr<char[]> text(api.GetUTF8Text());
  out.text = text ? text.get() : "";
  out.mean_confidence = static_cast<float>(api.MeanTextConf());
  out.words.reserve(words.size());
  for (LayerWord& w : words) out.words.push_back(std::move(w.word));
  api.Clear();
  return out;
}

}  // namespace dosar
