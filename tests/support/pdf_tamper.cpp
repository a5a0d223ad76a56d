#include "tests/support/pdf_tamper.h"

#include <cassert>
#include <cstdio>
#include <stdexcept>

namespace dosar::testing::tamper {
namespace {

long long number_at(const std::string& text, std::size_t& at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r')) ++at;
  std::size_t end = at;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == at) throw std::runtime_error("pdf_tamper: expected a number");
  long long value = std::stoll(text.substr(at, end - at));
  at = end;
  return value;
}

std::size_t nth(const std::string& text, const std::string& what, std::size_t index) {
  std::size_t at = text.find(what);
  for (std::size_t i = 0; i < index && at != std::string::npos; ++i) at = text.find(what, at + 1);
  if (at == std::string::npos) throw std::runtime_error("pdf_tamper: no " + what);
  return at;
}

}  // namespace

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

SignatureParts split_signature(const std::string& pdf, std::size_t index) {
  SignatureParts parts;
  parts.byte_range_at = nth(pdf, "/ByteRange", index) + 10;
  while (pdf[parts.byte_range_at] == ' ') ++parts.byte_range_at;
  std::size_t at = parts.byte_range_at + 1;
  for (int i = 0; i < 4; ++i) parts.byte_range.push_back(number_at(pdf, at));
  at = pdf.find(']', at) + 1;
  while (pdf[at] == ' ') ++at;
  parts.byte_range_length = at - parts.byte_range_at;
  const auto& r = parts.byte_range;
  parts.signed_bytes = pdf.substr(0, static_cast<std::size_t>(r[1])) +
                       pdf.substr(static_cast<std::size_t>(r[2]), static_cast<std::size_t>(r[3]));
  std::string der;
  for (auto i = static_cast<std::size_t>(r[1]) + 1; i + 1 < static_cast<std::size_t>(r[2]); i += 2)
    der += static_cast<char>(std::stoi(pdf.substr(i, 2), nullptr, 16));
  // Length of the outer DER SEQUENCE.
  if (der.size() < 4) throw std::runtime_error("pdf_tamper: /Contents holds no DER");
  std::size_t length = static_cast<unsigned char>(der[1]);
  std::size_t header = 2;
  if (length & 0x80) {
    const std::size_t n = length & 0x7F;
    length = 0;
    for (std::size_t i = 0; i < n; ++i) length = (length << 8) | static_cast<unsigned char>(der[2 + i]);
    header += n;
  }
  parts.cms = der.substr(0, header + length);
  return parts;
}

std::string with_byte_range(const std::string& pdf, std::size_t index, const std::vector<long long>& range) {
  const SignatureParts parts = split_signature(pdf, index);
  std::string text = "[";
  for (std::size_t i = 0; i < range.size(); ++i) {
    if (i) text += ' ';
    text += std::to_string(range[i]);
  }
  text += "]";
  if (text.size() > parts.byte_range_length) throw std::runtime_error("pdf_tamper: ByteRange does not fit");
  text.resize(parts.byte_range_length, ' ');
  std::string out = pdf;
  out.replace(parts.byte_range_at, text.size(), text);
  return out;
}

std::string last_object(const std::string& pdf, int number) {
  std::string head(1, '\n');
  head += std::to_string(number);
  head += " 0 obj";
  const std::size_t at = pdf.rfind(head);
  if (at == std::string::npos) throw std::runtime_error("pdf_tamper: no object " + std::to_string(number));
  const std::size_t begin = at + head.size();
  return pdf.substr(begin, pdf.find("endobj", begin) - begin);
}

int last_page_object(const std::string& pdf) {
  std::size_t at = pdf.rfind("/Type /Page ");
  if (at == std::string::npos) throw std::runtime_error("pdf_tamper: no page");
  const std::size_t obj = pdf.rfind(" 0 obj", at);
  std::size_t start = pdf.rfind('\n', obj) + 1;
  return std::stoi(pdf.substr(start, obj - start));
}

int next_object_number(const std::string& pdf) {
  std::size_t at = pdf.rfind("/Size ") + 6;
  return static_cast<int>(number_at(pdf, at));
}

std::string append_update(const std::string& pdf, const std::map<int, std::string>& objects) {
  std::size_t at = pdf.rfind("startxref") + 9;
  const long long prev = number_at(pdf, at);
  at = pdf.rfind("/Root ") + 6;
  const long long root = number_at(pdf, at);
  int size = next_object_number(pdf);
  std::string out = pdf;
  std::map<int, std::size_t> offsets;
  for (const auto& [number, body] : objects) {
    offsets[number] = out.size();
    out += std::to_string(number) + " 0 obj\n" + body + "\nendobj\n";
    size = std::max(size, number + 1);
  }
  const std::size_t xref = out.size();
  out += "xref\n";
  for (const auto& [number, offset] : offsets) {
    char line[64];
    std::snprintf(line, sizeof line, "%d 1\n%010zu 00000 n\r\n", number, offset);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(size) + " /Root " + std::to_string(root) + " 0 R /Prev " +
         std::to_string(prev) + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace dosar::testing::tamper
