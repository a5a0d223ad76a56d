// OCR accuracy on the shared scanned corpus (tests/data/scans, ground truth
// in *.gt.txt), and the recognizer's handling of orientation and limits.
#include "ocr/recognizer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/cer.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

const std::string kScans = std::string(DOSAR_TEST_DATA) + "/scans/";

struct CorpusPage {
  std::string file;  // in tests/data/scans
  int page;          // 0-based
  std::string ground_truth;
};

std::vector<CorpusPage> corpus() {
  std::vector<CorpusPage> pages;
  for (const char* name : {"s01.jpg", "s02.jpg", "s03.jpg", "s04.tif", "s05.tif", "s06.tif", "s07.jpg"})
    pages.push_back({name, 0, std::string(name).substr(0, 3) + ".gt.txt"});
  for (int p = 0; p < 3; ++p) pages.push_back({"s08.pdf", p, "s08.p" + std::to_string(p + 1) + ".gt.txt"});
  for (int p = 0; p < 2; ++p) pages.push_back({"s09.pdf", p, "s09.p" + std::to_string(p + 1) + ".gt.txt"});
  return pages;
}

std::string key(const CorpusPage& p) {
  return p.file.ends_with(".pdf") ? p.file + "#" + std::to_string(p.page + 1) : p.file;
}

// file -> CER (fraction), from a two-column TSV.
std::map<std::string, double> read_cer_table(const std::string& path) {
  std::map<std::string, double> table;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    table[line.substr(0, tab)] = std::stod(line.substr(tab + 1));
  }
  return table;
}

Result<PageImage> load(const CorpusPage& p, const OcrLimits& limits) {
  std::string path = kScans + p.file;
  if (p.file.ends_with(".pdf")) return render_pdf_page(path, p.page, p.file, limits);
  return load_image_page(path, p.file.ends_with(".tif") ? "image/tiff" : "image/jpeg", p.page, p.file,
                         limits);
}

// Issue 3's targets are: every page under 3%, the whole set under 1.5%, never
// worse than plain `tesseract -l ron+eng` on the same page
// (plain_tesseract_cer.tsv). This test asserts the whole-set target and that
// no page gets worse than Dosar's recorded figure (dosar_cer.tsv), so a
// regression fails here; it prints each page beside plain Tesseract. Per-page
// targets not yet met when recorded (see issue 3's note): s08#1 at 3.25%, and
// s02 and s08#2 slightly worse than plain Tesseract.
TEST(RecognizerAccuracy, CorpusMeetsWholeSetTargetAndNeverRegresses) {
  auto recognizer = Recognizer::create("ron+eng");
  ASSERT_TRUE(recognizer.ok()) << recognizer.error().to_string();
  auto plain = read_cer_table(kScans + "plain_tesseract_cer.tsv");
  auto recorded = read_cer_table(kScans + "dosar_cer.tsv");
  ASSERT_EQ(recorded.size(), corpus().size());
  OcrLimits limits;
  double errors = 0, length = 0, plain_errors = 0;
  for (const CorpusPage& p : corpus()) {
    auto image = load(p, limits);
    ASSERT_TRUE(image.ok()) << image.error().to_string();
    auto page = (*recognizer)->recognize(*image, p.file, limits);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    std::string truth = testing::read_file(kScans + p.ground_truth);
    double cer = testing::character_error_rate(page->text, truth);
    double chars = static_cast<double>(testing::normalize_for_cer(truth).size());
    errors += cer * chars;
    plain_errors += plain[key(p)] * chars;
    length += chars;
    std::printf("%s\t%.6f\t# plain tesseract %.2f%%, rotated %d, deskew %+.2f, confidence %.0f\n",
                key(p).c_str(), cer, plain[key(p)] * 100, page->rotated_degrees, page->deskew_degrees,
                page->mean_confidence);
    EXPECT_LE(cer, recorded[key(p)] + 0.002) << key(p) << ": worse than recorded in dosar_cer.tsv";
  }
  std::printf("whole set CER %.2f%% (plain tesseract %.2f%%)\n", errors / length * 100,
              plain_errors / length * 100);
  EXPECT_LT(errors / length, 0.015) << "the whole set under 1.5%";
  EXPECT_LT(errors, plain_errors) << "better than plain Tesseract over the set";
}

TEST(Recognizer, TurnsUpsideDownPageUpright) {
  auto recognizer = Recognizer::create("ron+eng");
  ASSERT_TRUE(recognizer.ok());
  OcrLimits limits;
  auto image = load_image_page(kScans + "s07.jpg", "image/jpeg", 0, "s07.jpg", limits);
  ASSERT_TRUE(image.ok());
  auto page = (*recognizer)->recognize(*image, "s07.jpg", limits);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rotated_degrees, 180);
  EXPECT_FALSE(page->words.empty());
  for (const OcrWord& w : page->words) {
    EXPECT_LE(w.left, w.right);
    EXPECT_LE(w.top, w.bottom);
  }
}

TEST(Recognizer, RefusesPageAbovePixelLimitBeforeDecoding) {
  OcrLimits limits;
  limits.max_pixels = 2480u * 3508u - 1;  // s04.tif is an A4 page at 300 dpi: 2480 x 3508
  auto image = load_image_page(kScans + "s04.tif", "image/tiff", 0, "s04.tif", limits);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(image.error().subject, "s04.tif page 1");
  limits.max_pixels = 2480u * 3508u;
  EXPECT_TRUE(load_image_page(kScans + "s04.tif", "image/tiff", 0, "s04.tif", limits).ok());
}

TEST(Recognizer, ReportsCorruptImage) {
  testing::TempDir dir;
  std::string tiff = testing::read_file(kScans + "s04.tif");
  testing::write_file(dir / "cut.tif", tiff.substr(0, 200));
  OcrLimits limits;
  auto image = load_image_page(dir / "cut.tif", "image/tiff", 0, "cut.tif", limits);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::corrupt);
}

}  // namespace
}  // namespace dosar
