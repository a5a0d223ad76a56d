#include "signing/pdf_structure.h"

#include <cctype>
#include <functional>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>

namespace dosar::signing {
namespace {

constexpr int kMaxFieldDepth = 32;  // /Kids nesting accepted when enumerating fields

// qpdf reads the bytes in place: `pdf` must outlive `doc`. No repair: a
// document whose cross-references are wrong is refused, never reconstructed
// (a reconstructed body is not what was signed).
void open(QPDF& doc, std::string_view pdf, const char* description) {
  doc.setSuppressWarnings(true);
  doc.setAttemptRecovery(false);
  doc.processMemoryFile(description, pdf.data(), pdf.size());
}

std::string name_of(QPDFObjectHandle h) {
  if (!h.isName()) return "";
  std::string n = h.getName();
  return n.empty() ? n : n.substr(1);
}

Error unreadable(const std::string& what, const char* reason) {
  return make_error(ErrorCode::invalid_argument, "", what + " is not a readable PDF: " + reason);
}

// The signature dictionary must be part of the revision it signs, with the
// same /ByteRange and /Contents: otherwise the ranges were chosen after the
// fact (signature wrapping).
std::string signed_revision_holds(std::string_view revision, const FoundSignature& signature) {
  try {
    QPDF doc;
    open(doc, revision, "signed revision");
    QPDFObjectHandle dict = doc.getObjectByID(signature.object, signature.generation);
    if (!dict.isDictionary()) return "the signed revision does not contain the signature dictionary";
    QPDFObjectHandle range = dict.getKey("/ByteRange");
    std::vector<long long> values;
    if (range.isArray())
      for (auto item : range.getArrayAsVector())
        if (item.isInteger()) values.push_back(item.getIntValue());
    if (values != signature.byte_range || !dict.getKey("/Contents").isString() ||
        dict.getKey("/Contents").getStringValue() != signature.contents)
      return "the signature dictionary was replaced after the revision it signs";
    return "";
  } catch (const std::exception& e) {
    return std::string("the signed revision is not a readable PDF: ") + e.what();
  }
}

}  // namespace

DssData read_dss(std::string_view pdf) {
  DssData dss;
  try {
    QPDF doc;
    open(doc, pdf, "document");
    QPDFObjectHandle store = doc.getRoot().getKey("/DSS");
    if (!store.isDictionary()) return dss;
    auto streams = [&](const char* key, std::vector<std::string>& out) {
      if (!store.getKey(key).isArray()) return;
      for (auto item : store.getKey(key).getArrayAsVector()) {
        if (!item.isStream()) continue;
        auto data = item.getStreamData(qpdf_dl_generalized);
        out.emplace_back(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
      }
    };
    streams("/Certs", dss.certificates);
    streams("/CRLs", dss.crls);
    streams("/OCSPs", dss.ocsp_responses);
    if (store.getKey("/VRI").isDictionary())
      for (const auto& key : store.getKey("/VRI").getKeys()) {
        std::string upper = key.substr(1);
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        dss.vri_keys.push_back(upper);
      }
  } catch (const std::exception&) {
    // A DSS that cannot be read adds nothing; the signature is judged without it.
  }
  return dss;
}

std::vector<std::size_t> revision_ends(std::string_view pdf) {
  std::vector<std::size_t> ends;
  for (std::size_t at = pdf.find("%%EOF"); at != std::string_view::npos; at = pdf.find("%%EOF", at + 5)) {
    std::size_t end = at + 5;
    if (end < pdf.size() && pdf[end] == '\r') ++end;
    if (end < pdf.size() && pdf[end] == '\n') ++end;
    ends.push_back(end);
  }
  return ends;
}

int docmdp_permissions(QPDFObjectHandle signature) {
  QPDFObjectHandle references = signature.getKey("/Reference");
  if (!references.isArray()) return 2;
  for (auto reference : references.getArrayAsVector()) {
    if (!reference.isDictionary() || name_of(reference.getKey("/TransformMethod")) != "DocMDP") continue;
    QPDFObjectHandle p = reference.getKey("/TransformParams").isDictionary()
                             ? reference.getKey("/TransformParams").getKey("/P")
                             : QPDFObjectHandle::newNull();
    if (p.isNull()) return 2;
    if (!p.isInteger() || p.getIntValue() < 1 || p.getIntValue() > 3) return 1;
    return static_cast<int>(p.getIntValue());
  }
  return 2;
}

Result<std::vector<FoundSignature>> find_signatures(std::string_view pdf) {
  try {
    QPDF doc;
    open(doc, pdf, "document");
    if (doc.isEncrypted())
      return make_error(ErrorCode::unsupported, "", "is encrypted; Dosar validates only unencrypted PDFs");
    std::vector<FoundSignature> found;
    QPDFObjectHandle certification = doc.getRoot().getKey("/Perms").isDictionary()
                                         ? doc.getRoot().getKey("/Perms").getKey("/DocMDP")
                                         : QPDFObjectHandle::newNull();
    QPDFObjectHandle acroform = doc.getRoot().getKey("/AcroForm");
    if (!acroform.isDictionary() || !acroform.getKey("/Fields").isArray()) return found;
    std::function<void(QPDFObjectHandle, std::string, std::string, int)> walk =
        [&](QPDFObjectHandle field, std::string inherited_type, std::string parent_name, int depth) {
          if (!field.isDictionary() || depth > kMaxFieldDepth) return;
          std::string type = field.getKey("/FT").isName() ? name_of(field.getKey("/FT")) : inherited_type;
          std::string name = field.getKey("/T").isString() ? field.getKey("/T").getUTF8Value() : "";
          std::string full = parent_name.empty() ? name
                             : name.empty()      ? parent_name
                                                 : parent_name + "." + name;
          if (field.getKey("/Kids").isArray())
            for (auto kid : field.getKey("/Kids").getArrayAsVector()) walk(kid, type, full, depth + 1);
          QPDFObjectHandle value = field.getKey("/V");
          if (type != "Sig" || !value.isDictionary() || !value.isIndirect()) return;
          FoundSignature s;
          s.field = full;
          s.object = value.getObjGen().getObj();
          s.generation = value.getObjGen().getGen();
          s.type = value.getKey("/Type").isName() ? name_of(value.getKey("/Type")) : "Sig";
          s.sub_filter = name_of(value.getKey("/SubFilter"));
          if (value.getKey("/Contents").isString()) s.contents = value.getKey("/Contents").getStringValue();
          if (value.getKey("/M").isString()) s.claimed_time = value.getKey("/M").getStringValue();
          QPDFObjectHandle range = value.getKey("/ByteRange");
          if (range.isArray() && range.getArrayNItems() == 4) {
            for (auto item : range.getArrayAsVector())
              if (item.isInteger()) s.byte_range.push_back(item.getIntValue());
            if (s.byte_range.size() != 4) s.byte_range.clear();
          }
          if (certification.isIndirect() && certification.getObjGen() == value.getObjGen())
            s.docmdp = docmdp_permissions(value);
          found.push_back(std::move(s));
        };
    for (auto field : acroform.getKey("/Fields").getArrayAsVector()) walk(field, "", "", 0);
    return found;
  } catch (const QPDFExc& e) {
    return unreadable("the document", e.getMessageDetail().c_str());
  } catch (const std::exception& e) {
    return unreadable("the document", e.what());
  }
}

std::string check_byte_range(std::string_view pdf, const FoundSignature& signature,
                             const std::vector<std::size_t>& ends, int& revision) {
  const auto& r = signature.byte_range;
  if (r.size() != 4) return "the signature has no /ByteRange of four integers";
  if (signature.contents.empty()) return "the signature has an empty or absent /Contents";
  const long long size = static_cast<long long>(pdf.size());
  if (r[0] != 0) return "the /ByteRange does not start at the beginning of the file";
  if (r[1] <= 0 || r[2] <= r[1] || r[3] < 0 || r[2] > size || r[3] > size - r[2])
    return "the /ByteRange overlaps itself or points outside the file";
  // The unsigned gap must be exactly one hex string, the signature itself.
  const auto gap_begin = static_cast<std::size_t>(r[1]);
  const auto gap_end = static_cast<std::size_t>(r[2]);
  if (pdf[gap_begin] != '<' || pdf[gap_end - 1] != '>')
    return "the bytes left out of the /ByteRange are not the /Contents hex string";
  std::string decoded;
  decoded.reserve((gap_end - gap_begin) / 2);
  for (std::size_t i = gap_begin + 1; i + 1 < gap_end; i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(pdf[i]);
    const int lo = nibble(pdf[i + 1]);
    if (hi < 0 || lo < 0 || (gap_end - gap_begin) % 2 != 0)
      return "the bytes left out of the /ByteRange hold more than the /Contents hex string";
    decoded += static_cast<char>(hi * 16 + lo);
  }
  if (decoded != signature.contents)
    return "the bytes left out of the /ByteRange are not this signature's /Contents";
  const auto end = static_cast<std::size_t>(r[2] + r[3]);
  for (std::size_t i = 0; i < ends.size(); ++i) {
    const std::size_t eof_end = pdf.rfind("%%EOF", ends[i]) + 5;
    if (end >= eof_end && end <= ends[i]) {
      revision = static_cast<int>(i) + 1;
      return signed_revision_holds(pdf.substr(0, ends[i]), signature);
    }
  }
  return "the /ByteRange does not end at the end of a revision (%%EOF)";
}

}  // namespace dosar::signing
