#include "tests/support/sample_pdf.h"

#include <random>
#include <sstream>

namespace dosar::testing {
namespace {

// Codes 128.. of the font's /Differences array, in this order.
struct Special {
  const char* utf8;
  unsigned char code;
};
constexpr Special kSpecials[] = {
    {"ă", 128}, {"Ă", 129}, {"ș", 130}, {"Ș", 131},  {"ț", 132},  {"Ț", 133},  {"ş", 134},
    {"Ş", 135}, {"ţ", 136}, {"Ţ", 137}, {"â", 0xE2}, {"Â", 0xC2}, {"î", 0xEE}, {"Î", 0xCE},
};

std::string encode_line(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      if (c == '(' || c == ')' || c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    bool matched = false;
    for (const Special& s : kSpecials) {
      std::string_view utf8(s.utf8);
      if (line.compare(i, utf8.size(), utf8) == 0) {
        out += static_cast<char>(s.code);
        i += utf8.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      out += '?';
      ++i;
      while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

}  // namespace

std::string make_text_pdf(const std::vector<std::string>& pages, const SamplePdfOptions& options) {
  std::vector<std::string> objects;  // bodies, object number = index + 1
  const int page_count = static_cast<int>(pages.size());
  // 1 catalog, 2 pages, 3 font, 4 encoding, then (page, content) pairs, then filler.
  std::ostringstream kids;
  for (int p = 0; p < page_count; ++p) kids << (5 + 2 * p) << " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids.str() + "] /Count " + std::to_string(page_count) +
                    " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 4 0 R >>");
  objects.push_back(
      "<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [128 /abreve /Abreve "
      "/scommaaccent /Scommaaccent /uni021B /uni021A /scedilla /Scedilla /tcedilla "
      "/Tcedilla] >>");
  for (int p = 0; p < page_count; ++p) {
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R "
        ">> >> /Contents " +
        std::to_string(6 + 2 * p) + " 0 R >>");
    std::string content = "BT /F1 11 Tf 14 TL 56 790 Td\n";
    std::istringstream lines(pages[static_cast<std::size_t>(p)]);
    for (std::string line; std::getline(lines, line);) {
      content += '(';  // appended piecewise: GCC 12 warns falsely on "(" + string (bug 105329)
      content += encode_line(line);
      content += ") Tj T*\n";
    }
    content += "ET\n";
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                      "endstream");
  }
  if (options.filler_bytes > 0) {
    std::mt19937_64 random(options.filler_seed);
    std::string filler(options.filler_bytes, '\0');
    for (char& ch : filler) ch = static_cast<char>(random() & 0xff);
    objects.push_back("<< /Length " + std::to_string(filler.size()) + " >>\nstream\n" + filler +
                      "\nendstream");
  }

  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  char entry[32];
  for (std::size_t offset : offsets) {
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

std::string romanian_sentence(std::uint64_t seed) {
  static const char* kWords[] = {
      "anchetă",    "socială",      "copiilor",  "cererea",     "beneficiarului", "direcția",  "asistență",
      "primăria",   "sectorului",   "județul",   "Cluj-Napoca", "hotărâre",       "consiliul", "local",
      "dosarul",    "înregistrare", "termen",    "răspuns",     "serviciul",      "public",    "strategia",
      "dezvoltare", "locuință",     "familie",   "îngrijire",   "vârstnici",      "școala",    "ţară",
      "şcoli",      "aprobare",     "semnătură", "arhivă",      "document",       "număr",     "data",
      "pentru",     "și",           "în",        "cu",
  };
  std::mt19937_64 random(seed);
  std::string line;
  int words = 6 + static_cast<int>(random() % 8);
  for (int w = 0; w < words; ++w) {
    if (w) line += ' ';
    line += kWords[random() % (sizeof kWords / sizeof kWords[0])];
  }
  return line + ".";
}

}  // namespace dosar::testing
