// dosar-make-samples DIR COUNT [FILLER_BYTES] [PAGES]: writes COUNT distinct
// born-digital PDFs with Romanian text into DIR as doc-00001.pdf, ...
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/sample_pdf.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: dosar-make-samples DIR COUNT [FILLER_BYTES] [PAGES]\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  long count = std::strtol(argv[2], nullptr, 10);
  std::size_t filler = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 0;
  int pages = argc > 4 ? static_cast<int>(std::strtol(argv[4], nullptr, 10)) : 2;
  std::filesystem::create_directories(dir);
  for (long i = 1; i <= count; ++i) {
    std::vector<std::string> texts;
    for (int p = 0; p < pages; ++p) {
      std::string page = "Document " + std::to_string(i) + ", pagina " + std::to_string(p + 1) + "\n";
      for (int line = 0; line < 40; ++line)
        page +=
            dosar::testing::romanian_sentence(static_cast<std::uint64_t>(i * 1000 + p * 100 + line)) + "\n";
      texts.push_back(page);
    }
    dosar::testing::SamplePdfOptions options;
    options.filler_bytes = filler;
    options.filler_seed = static_cast<std::uint64_t>(i);
    char name[32];
    std::snprintf(name, sizeof name, "doc-%05ld.pdf", i);
    std::ofstream(dir / name, std::ios::binary) << dosar::testing::make_text_pdf(texts, options);
  }
  return 0;
}
