// The searchable PDF's invisible text lies on the words of the page image:
// checked with Poppler's own pdftotext (-bbox), independently of Dosar.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <set>

#include "ocr/recognizer.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

struct Box {
  std::string text;
  double x1, y1, x2, y2;  // PDF points, origin top-left (as pdftotext -bbox reports)
};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

std::vector<Box> pdftotext_words(const std::filesystem::path& pdf) {
  std::string xml = run("pdftotext -bbox '" + pdf.string() + "' -");
  static const std::regex word(
      R"re(<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>)re");
  std::vector<Box> boxes;
  for (std::sregex_iterator it(xml.begin(), xml.end(), word), end; it != end; ++it)
    boxes.push_back(
        {(*it)[5], std::stod((*it)[1]), std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4])});
  return boxes;
}

double overlap(const Box& a, const Box& b) {
  double w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1), h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  double area = (a.x2 - a.x1) * (a.y2 - a.y1);
  return area > 0 ? w * h / area : 0;
}

TEST(SearchablePdf, TextLayerGivesTheWordsWhereTheImageShowsThem) {
  testing::TempDir dir;
  auto recognizer = Recognizer::create("ron+eng");
  ASSERT_TRUE(recognizer.ok()) << recognizer.error().to_string();
  auto pdf = SearchablePdf::begin(dir / "out.pdf", "Proces-verbal", **recognizer);
  ASSERT_TRUE(pdf.ok()) << pdf.error().to_string();
  OcrLimits limits;
  std::string scans = std::string(DOSAR_TEST_DATA) + "/scans/";
  auto image = load_image_page(scans + "s07.jpg", "image/jpeg", 0, "s07.jpg", limits);  // upside down
  ASSERT_TRUE(image.ok());
  auto page = (*recognizer)->recognize(*image, "s07.jpg", limits, pdf->get());
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_TRUE((*pdf)->end().ok());
  EXPECT_EQ((*pdf)->pages(), 1);

  // pdftotext gives the recognized words (its reading order may differ from
  // Tesseract's where a line has gaps, so words are compared as a bag).
  std::vector<Box> words = pdftotext_words(dir / "out.pdf");
  ASSERT_GT(words.size(), 100u);
  std::multiset<std::string> recognized;
  for (const OcrWord& o : page->words) recognized.insert(o.text);
  std::size_t known = 0;
  for (const Box& w : words)
    if (auto it = recognized.find(w.text); it != recognized.end()) {
      recognized.erase(it);
      ++known;
    }
  EXPECT_GT(static_cast<double>(known) / static_cast<double>(words.size()), 0.97);

  // Every word of three letters or more lies on the box where Tesseract saw it.
  double scale = 72.0 / page->dpi;
  std::size_t placed = 0, checked = 0;
  for (const Box& w : words) {
    if (w.text.size() < 3) continue;
    ++checked;
    for (const OcrWord& o : page->words) {
      Box seen{o.text, o.left * scale, o.top * scale, o.right * scale, o.bottom * scale};
      if (o.text == w.text && overlap(w, seen) > 0.5) {
        ++placed;
        break;
      }
    }
  }
  EXPECT_GT(static_cast<double>(placed) / static_cast<double>(checked), 0.97)
      << placed << " of " << checked << " words on their image position";
}

}  // namespace
}  // namespace dosar
