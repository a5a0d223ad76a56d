// Evidence of integrity as a printable PDF: the report's facts for a reader,
// the JSON report itself attached for a machine, and, when sealed, a PAdES
// signature over the whole file (docs/formats/evidence.md, "As a PDF").
#include <nlohmann/json.hpp>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFFileSpecObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include "base/clock.h"
#include "records/bag_files.h"
#include "records/preservation.h"
#include "workflow/receipt.h"

namespace dosar::records {
namespace {

using json = nlohmann::json;

constexpr const char* kAttachment = "evidence.json";
// A report of thousands of audit rows stays far below this; a hostile PDF
// whose attachment inflates beyond it is refused, not read into memory.
constexpr std::size_t kMaxReportBytes = 256u << 20;
constexpr std::size_t kMaxPrintedBytes = 256u << 20;

// Collects a stream's decoded bytes, up to a limit.
class CappedSink : public Pipeline {
 public:
  explicit CappedSink(std::size_t limit) : Pipeline("evidence", nullptr), limit_(limit) {}
  void write(unsigned char const* data, size_t len) override {
    if (bytes.size() + len > limit_) throw std::length_error("the attached report exceeds its size limit");
    bytes.append(reinterpret_cast<const char*>(data), len);
  }
  void finish() override {}
  std::string bytes;

 private:
  std::size_t limit_;
};

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "—" : text;
}

std::string when(const json& j, const char* key) {
  std::string utc = text_of(j, key);
  return utc.empty() ? "" : format_bucharest(utc);
}

// The report in Romanian, one fact a line; hashes on lines of their own so
// that they can be read out and compared.
std::vector<std::string> report_lines(const json& r) {
  std::vector<std::string> lines;
  const json& d = r.at("document");
  lines.push_back("Documentul " + text_of(d, "id") + ": " + text_of(d, "title"));
  lines.push_back("Tip: " + or_dash(text_of(d, "document_type")) +
                  "; compartiment: " + or_dash(text_of(d, "department")));
  if (!text_of(d, "registry_number").empty())
    lines.push_back("Număr de înregistrare: " + text_of(d, "registry_number"));
  lines.push_back("Admis în arhivă: " + when(d, "created_at") +
                  "; versiunea curentă: " + text_of(d, "current_version"));
  lines.push_back("Raport întocmit: " + when(r, "generated_at"));
  lines.push_back("# Versiuni și amprente SHA-256 (recalculate la întocmire)");
  for (const json& v : r.at("versions")) {
    const json& o = v.at("original");
    lines.push_back("Versiunea " + text_of(v, "number") + ", " + when(v, "created_at") + ", autor " +
                    text_of(v, "author") + ": " + text_of(o, "name") + " (" + text_of(o, "mime_type") + ", " +
                    text_of(o, "size") + " octeți), recalculat: " + text_of(o, "rehashed"));
    lines.push_back("  " + text_of(o, "sha256"));
    for (const json& x : v.value("derived", json::array())) {
      lines.push_back("  derivat " + text_of(x, "kind") + " (" + text_of(x, "size") +
                      " octeți), recalculat: " + text_of(x, "rehashed"));
      lines.push_back("  " + text_of(x, "sha256"));
    }
  }
  const json& rows = r.at("audit").at("rows");
  lines.push_back("# Jurnalul de audit (" +
                  (rows.size() == 1 ? std::string("un rând") : std::to_string(rows.size()) + " rânduri") +
                  ", înlănțuite prin SHA-256)");
  for (const json& row : rows)
    lines.push_back(text_of(row, "seq") + ". " + when(row, "at") + " " + text_of(row, "actor") + " " +
                    text_of(row, "action") + " " + text_of(row, "hash").substr(0, 16) + "…");
  const json& head = r.at("chain_head");
  lines.push_back("Capătul lanțului: rândul " + text_of(head, "seq") + ", " + text_of(head, "hash"));
  const json& fixity = r.at("fixity");
  lines.push_back("# Verificări de integritate (" + std::to_string(fixity.size()) + ")");
  for (const json& f : fixity)
    lines.push_back(when(f, "verified_at") + " rularea " + text_of(f, "run") + " (" + text_of(f, "kind") +
                    "): " + text_of(f, "outcome") + ", " + text_of(f, "blob").substr(0, 16) + "…");
  lines.push_back("Ultima verificare a tuturor fișierelor: " +
                  (text_of(r, "last_verified").empty() ? std::string("niciuna") : when(r, "last_verified")));
  const json& signatures = r.at("signatures");
  lines.push_back("# Semnături electronice");
  if (signatures.empty()) lines.push_back("Nicio versiune semnată.");
  for (const json& s : signatures) {
    if (s.contains("error")) {
      lines.push_back("Versiunea " + text_of(s, "version") + ": " + text_of(s, "error"));
      continue;
    }
    for (const json& one : s.value("signatures", json::array()))
      lines.push_back("Versiunea " + text_of(s, "version") + ": " + text_of(one, "signer") + ", " +
                      text_of(one, "level") + ", " + text_of(one, "indication") + " la " +
                      when(one, "validated_as_of") + ": " + text_of(one, "message"));
  }
  lines.push_back("# Cum se verifică");
  lines.push_back("Raportul complet (JSON, " + std::string(text_of(r, "format")) +
                  ") este atașat acestui PDF ca " + kAttachment + ".");
  lines.push_back(
      "`dosar records verify-evidence` îl verifică fără rețea: fiecare rând de audit și legătură,");
  lines.push_back(
      "fiecare dovadă de fixitate și, dacă există, sigiliul PAdES al instituției asupra PDF-ului.");
  return lines;
}

std::string written(QPDF& pdf) {
  QPDFWriter writer(pdf);
  writer.setOutputMemory();
  writer.write();
  auto buffer = writer.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
}

}  // namespace

Result<std::string> evidence_pdf(std::string_view report, const std::filesystem::path& scratch) {
  json r = json::parse(report, nullptr, false);
  if (r.is_discarded() || !r.is_object() || r.value("format", "") != "dosar-evidence-v1")
    return make_error(ErrorCode::invalid_argument, "evidence", "not a dosar-evidence-v1 report");
  std::vector<std::string> lines;
  try {
    lines = report_lines(r);
  } catch (const json::exception& e) {
    return make_error(ErrorCode::invalid_argument, "evidence", std::string("incomplete report: ") + e.what());
  }
  DOSAR_TRY(workflow::write_lines_pdf("Dovadă de integritate", lines, scratch));
  auto printed = read_small_file(scratch, kMaxPrintedBytes);
  std::error_code ec;
  std::filesystem::remove(scratch, ec);
  if (!printed.ok()) return printed.error();
  try {
    QPDF pdf;
    pdf.processMemoryFile("evidence", printed->data(), printed->size());
    QPDFEmbeddedFileDocumentHelper attachments(pdf);
    auto stream = QPDFEFStreamObjectHelper::createEFStream(pdf, std::string(report));
    stream.setSubtype("application/json");
    auto spec = QPDFFileSpecObjectHelper::createFileSpec(pdf, kAttachment, stream);
    spec.setDescription("Raportul de integritate (dosar-evidence-v1)");
    attachments.replaceEmbeddedFile(kAttachment, spec);
    return written(pdf);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::io, "evidence",
                      std::string("cannot attach the report to the PDF: ") + e.what());
  }
}

Result<std::string> evidence_from_pdf(std::string_view pdf, const std::string& name) {
  try {
    QPDF document;
    document.setSuppressWarnings(true);
    document.processMemoryFile(name.c_str(), pdf.data(), pdf.size());
    QPDFEmbeddedFileDocumentHelper attachments(document);
    auto spec = attachments.getEmbeddedFile(kAttachment);
    if (!spec)
      return make_error(
          ErrorCode::corrupt, name,
          std::string("has no attached ") + kAttachment + "; not an evidence PDF made by Dosar");
    QPDFObjectHandle stream = spec->getEmbeddedFileStream();
    if (!stream.isStream())
      return make_error(ErrorCode::corrupt, name, "the attached report is not a stream");
    CappedSink sink(kMaxReportBytes);
    if (!stream.pipeStreamData(&sink, nullptr, 0, qpdf_dl_generalized, true))
      return make_error(ErrorCode::corrupt, name, "the attached report cannot be decoded");
    return std::move(sink.bytes);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::corrupt, name, std::string("not a readable PDF: ") + e.what());
  }
}

}  // namespace dosar::records
