#include "signing/pdf_update.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <set>
#include <vector>

#include "base/utf8.h"
#include "signing/openssl_util.h"
#include "signing/pdf_structure.h"
#include "signing/visible_stamp.h"

namespace dosar::signing {
namespace {

constexpr std::string_view kByteRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

std::string ref(QPDFObjGen og) {
  return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

std::string hex(std::string_view bytes) {
  return upper_hex(bytes);
}

// A PDF text string for any UTF-8: UTF-16BE with a byte-order mark, in hex,
// so that diacritics survive and no escaping is needed.
std::string pdf_text_string(std::string_view utf8) {
  std::string utf16 = "\xFE\xFF";
  for (char32_t cp : utf8_code_points(utf8)) utf16 += utf16be(cp);
  std::string out(1, '<');
  out += hex(utf16);
  out += '>';
  return out;
}

// The dictionary of `object` written back with some keys replaced or added.
std::string dictionary_with(QPDFObjectHandle object, const std::map<std::string, std::string>& replaced) {
  std::string out = "<<";
  for (const auto& key : object.getKeys()) {
    if (replaced.count(key)) continue;
    out += ' ';
    out += QPDFObjectHandle::newName(key).unparse();
    out += ' ';
    out += object.getKey(key).unparse();
  }
  for (const auto& [key, value] : replaced) {
    out += ' ';
    out += key;
    out += ' ';
    out += value;
  }
  return out + " >>";
}

std::string array_with(const std::vector<QPDFObjectHandle>& items, const std::string& added) {
  std::string out = "[";
  for (auto item : items) out += item.unparse() + " ";
  return out + added + "]";
}

struct Tail {
  std::size_t startxref = 0;
  bool xref_stream = false;
};

// The offset after the last "startxref" and what it points at.
Result<Tail> read_tail(std::string_view pdf) {
  const std::size_t at = pdf.rfind("startxref");
  if (at == std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "", "has no startxref: not a complete PDF");
  std::size_t i = at + 9;
  while (i < pdf.size() && (pdf[i] == ' ' || pdf[i] == '\r' || pdf[i] == '\n')) ++i;
  std::size_t offset = 0;
  std::size_t digits = 0;
  for (; i < pdf.size() && pdf[i] >= '0' && pdf[i] <= '9' && digits < 12; ++i, ++digits)
    offset = offset * 10 + static_cast<std::size_t>(pdf[i] - '0');
  if (digits == 0 || offset >= pdf.size())
    return make_error(ErrorCode::invalid_argument, "", "has a startxref that points outside the file");
  return Tail{offset, pdf.substr(offset, 4) != "xref"};
}

struct Written {
  int number;
  int generation;
  std::size_t offset;
};

std::string xref_table(const std::vector<Written>& objects) {
  std::string out = "xref\n";
  for (std::size_t i = 0; i < objects.size();) {
    std::size_t j = i + 1;
    while (j < objects.size() && objects[j].number == objects[j - 1].number + 1) ++j;
    out += std::to_string(objects[i].number) + " " + std::to_string(j - i) + "\n";
    for (std::size_t k = i; k < j; ++k) {
      char line[32];
      std::snprintf(line, sizeof line, "%010zu %05d n\r\n", objects[k].offset, objects[k].generation);
      out += line;
    }
    i = j;
  }
  return out;
}

std::string xref_stream_data(const std::vector<Written>& objects, std::string& index) {
  std::string data;
  for (std::size_t i = 0; i < objects.size();) {
    std::size_t j = i + 1;
    while (j < objects.size() && objects[j].number == objects[j - 1].number + 1) ++j;
    index += std::to_string(objects[i].number) + " " + std::to_string(j - i) + " ";
    for (std::size_t k = i; k < j; ++k) {
      data += '\x01';
      for (int shift = 24; shift >= 0; shift -= 8)
        data += static_cast<char>((objects[k].offset >> shift) & 0xFF);
      data += static_cast<char>((objects[k].generation >> 8) & 0xFF);
      data += static_cast<char>(objects[k].generation & 0xFF);
    }
    i = j;
  }
  return data;
}

// Appends the cross-reference section for `written` (a table, or a stream
// when the previous section is one) and the trailer: same /Root and /Info,
// first /ID kept, second /ID new, /Prev to the previous section.
void finish_update(std::string& bytes, std::vector<Written>& written, int& next, const Tail& tail,
                   QPDFObjectHandle trailer, QPDFObjGen root) {
  unsigned char random[16];
  RAND_bytes(random, sizeof random);
  std::string new_id(1, '<');
  new_id += hex(std::string_view(reinterpret_cast<char*>(random), sizeof random));
  new_id += '>';
  QPDFObjectHandle id = trailer.getKey("/ID");
  const std::string first_id =
      id.isArray() && id.getArrayNItems() == 2 ? id.getArrayItem(0).unparse() : new_id;
  std::string trailer_keys = "/Root " + ref(root);
  if (trailer.getKey("/Info").isIndirect())
    trailer_keys += " /Info " + ref(trailer.getKey("/Info").getObjGen());
  trailer_keys += " /ID [" + first_id + " " + new_id + "] /Prev " + std::to_string(tail.startxref);

  std::size_t xref_at = 0;
  if (tail.xref_stream) {
    const int xref_number = next++;
    xref_at = bytes.size();
    written.push_back({xref_number, 0, xref_at});
    bytes += std::to_string(xref_number) + " 0 obj\n";
    std::sort(written.begin(), written.end(), [](auto& a, auto& b) { return a.number < b.number; });
    std::string index;
    const std::string data = xref_stream_data(written, index);
    index.pop_back();
    bytes += "<< /Type /XRef /Size " + std::to_string(next) + " /W [1 4 2] /Index [" + index + "] " +
             trailer_keys + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
             "\nendstream\nendobj\n";
  } else {
    std::sort(written.begin(), written.end(), [](auto& a, auto& b) { return a.number < b.number; });
    xref_at = bytes.size();
    bytes += xref_table(written);
    bytes += "trailer\n<< /Size " + std::to_string(next) + " " + trailer_keys + " >>\n";
  }
  bytes += "startxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
}

void open_for_update(QPDF& doc, std::string_view pdf) {
  doc.setSuppressWarnings(true);
  doc.setAttemptRecovery(false);
  doc.processMemoryFile("input", pdf.data(), pdf.size());
}

int first_free_number(QPDF& doc) {
  QPDFObjectHandle size = doc.getTrailer().getKey("/Size");
  int next = size.isInteger() ? size.getIntValueAsInt() : 0;
  // /Size should be one past the highest object number; a file that says
  // less must not make us reuse a number (the xref table is already parsed).
  for (const auto& [og, entry] : doc.getXRefTable()) next = std::max(next, og.getObj() + 1);
  return next;
}

// Whether a signature field of the form (or a kid of one, a few levels
// down) holds a signature value.
bool has_signature_value(QPDFObjectHandle root) {
  QPDFObjectHandle acroform = root.getKey("/AcroForm");
  if (!acroform.isDictionary() || !acroform.getKey("/Fields").isArray()) return false;
  std::function<bool(QPDFObjectHandle, bool, int)> signed_field = [&](QPDFObjectHandle field, bool sig,
                                                                      int depth) {
    if (!field.isDictionary() || depth > 8) return false;
    sig = field.getKey("/FT").isName() ? field.getKey("/FT").getName() == "/Sig" : sig;
    if (sig && field.getKey("/V").isDictionary()) return true;
    if (field.getKey("/Kids").isArray())
      for (auto kid : field.getKey("/Kids").getArrayAsVector())
        if (signed_field(kid, sig, depth + 1)) return true;
    return false;
  };
  for (auto field : acroform.getKey("/Fields").getArrayAsVector())
    if (signed_field(field, false, 0)) return true;
  return false;
}

Result<PreparedPdf> prepare(std::string_view pdf, const SignatureUpdate& update) {
  if (pdf.size() >= (std::size_t{1} << 32))
    return make_error(ErrorCode::unsupported, "", "is larger than 4 GiB");
  auto tail = read_tail(pdf);
  if (!tail.ok()) return tail.error();

  QPDF doc;
  open_for_update(doc, pdf);
  if (doc.isEncrypted())
    return make_error(ErrorCode::unsupported, "", "is encrypted; Dosar signs only unencrypted PDFs");
  QPDFObjectHandle trailer = doc.getTrailer();
  QPDFObjectHandle root = doc.getRoot();
  const auto& pages = doc.getAllPages();
  if (pages.empty()) return make_error(ErrorCode::unsupported, "", "has no pages");
  if (update.page < 1 || update.page > static_cast<int>(pages.size()))
    return make_error(ErrorCode::invalid_argument, "page " + std::to_string(update.page),
                      "does not exist; the document has " + std::to_string(pages.size()));
  QPDFObjectHandle page = pages[static_cast<std::size_t>(update.page - 1)];
  if (!root.isIndirect() || !page.isIndirect())
    return make_error(ErrorCode::invalid_argument, "",
                      "has a catalog or page that is not an indirect object");

  // Certification (DocMDP) is for a document's first signature, and one
  // that permits no changes takes no further approval signature (DSS and
  // document timestamps stay possible).
  QPDFObjectHandle perms = root.getKey("/Perms");
  QPDFObjectHandle certification =
      perms.isDictionary() ? perms.getKey("/DocMDP") : QPDFObjectHandle::newNull();
  if (certification.isDictionary() && !update.document_timestamp && docmdp_permissions(certification) == 1)
    return make_error(ErrorCode::conflict, "the document",
                      "is certified with no changes permitted (DocMDP 1); another signature would break "
                      "that certification");
  if (update.certify != 0 && (certification.isDictionary() || has_signature_value(root)))
    return make_error(
        ErrorCode::conflict, "--certify",
        "the document is signed already; only the first signature of a document can certify it");

  int next = first_free_number(doc);
  const int sig_number = next++;
  const int widget_number = next++;
  QPDFObjectHandle acroform = root.getKey("/AcroForm");
  const bool acroform_indirect = acroform.isIndirect() && acroform.isDictionary();
  const QPDFObjGen acroform_og = acroform_indirect ? acroform.getObjGen() : QPDFObjGen(next++, 0);
  const std::string sig_ref = std::to_string(sig_number) + " 0 R";
  const std::string widget_ref = std::to_string(widget_number) + " 0 R";

  // A field name unique among the existing top-level fields.
  std::vector<QPDFObjectHandle> fields;
  if (acroform.isDictionary() && acroform.getKey("/Fields").isArray())
    fields = acroform.getKey("/Fields").getArrayAsVector();
  std::set<std::string> names;
  for (auto f : fields)
    if (f.isDictionary() && f.getKey("/T").isString()) names.insert(f.getKey("/T").getUTF8Value());
  const std::string prefix = update.document_timestamp ? "Timestamp" : "Signature";
  int n = 1;
  while (names.count(prefix + std::to_string(n))) ++n;
  const std::string field_name = prefix + std::to_string(n);

  PreparedPdf out;
  out.bytes.reserve(pdf.size() + update.contents_reserve * 2 + 4096);
  out.bytes.append(pdf);
  if (out.bytes.back() != '\n' && out.bytes.back() != '\r') out.bytes += '\n';
  std::vector<Written> written;
  auto begin_object = [&](QPDFObjGen og) {
    written.push_back({og.getObj(), og.getGen(), out.bytes.size()});
    out.bytes += std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " obj\n";
  };

  // The signature dictionary: /ByteRange before /Contents, both patched later.
  begin_object(QPDFObjGen(sig_number, 0));
  if (update.document_timestamp) {
    out.bytes += "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161";
  } else {
    out.bytes += "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter ";
    out.bytes += update.cades ? "/ETSI.CAdES.detached" : "/adbe.pkcs7.detached";
    out.bytes += " /M (" + update.signing_time_pdf + ")";
    if (!update.reason.empty()) out.bytes += " /Reason " + pdf_text_string(update.reason);
    if (update.certify != 0)
      out.bytes +=
          " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams "
          "/P " +
          std::to_string(update.certify) + " /V /1.2 >> >>]";
  }
  out.bytes += " /ByteRange ";
  const std::size_t byte_range_at = out.bytes.size();
  out.bytes += kByteRangePlaceholder;
  out.bytes += " /Contents ";
  out.contents_begin = out.bytes.size();
  out.bytes += '<';
  out.bytes.append(update.contents_reserve * 2, '0');
  out.bytes += '>';
  out.contents_end = out.bytes.size();
  out.bytes += " >>\nendobj\n";

  // The field and its widget in one dictionary; invisible (/Rect all zero),
  // printed and locked (/F 132).
  std::string rect = "[0 0 0 0]";
  std::string appearance;
  if (!update.stamp_lines.empty()) {
    auto stamp = stamp_objects(update.stamp_lines, next);
    if (!stamp.ok()) return stamp.error();
    for (const auto& body : *stamp) {
      begin_object(QPDFObjGen(next++, 0));
      out.bytes += body + "\nendobj\n";
    }
    const int appearance_number = next - 1;
    char box[128];
    std::snprintf(box, sizeof box, "[%.2f %.2f %.2f %.2f]", update.x, update.y, update.x + kStampWidth,
                  update.y + kStampHeight);
    rect = box;
    appearance = " /AP << /N " + std::to_string(appearance_number) + " 0 R >>";
  }
  begin_object(QPDFObjGen(widget_number, 0));
  out.bytes += "<< /Type /Annot /Subtype /Widget /FT /Sig /F 132 /Rect " + rect + appearance + " /T (" +
               field_name + ") /V " + sig_ref + " /P " + ref(page.getObjGen()) + " >>\nendobj\n";

  std::vector<std::pair<QPDFObjGen, std::string>> rewritten;
  rewritten.push_back(
      {acroform_og, dictionary_with(acroform.isDictionary() ? acroform : QPDFObjectHandle::newDictionary(),
                                    {{"/Fields", array_with(fields, widget_ref)}, {"/SigFlags", "3"}})});
  std::map<std::string, std::string> root_changes;
  if (!acroform_indirect) root_changes["/AcroForm"] = ref(acroform_og);
  if (update.certify != 0) root_changes["/Perms"] = "<< /DocMDP " + sig_ref + " >>";
  if (!root_changes.empty()) rewritten.push_back({root.getObjGen(), dictionary_with(root, root_changes)});
  QPDFObjectHandle annots = page.getKey("/Annots");
  std::vector<QPDFObjectHandle> annot_items =
      annots.isArray() ? annots.getArrayAsVector() : std::vector<QPDFObjectHandle>{};
  if (annots.isIndirect() && annots.isArray())
    rewritten.push_back({annots.getObjGen(), array_with(annot_items, widget_ref)});
  else
    rewritten.push_back(
        {page.getObjGen(), dictionary_with(page, {{"/Annots", array_with(annot_items, widget_ref)}})});
  for (const auto& [og, text] : rewritten) {
    begin_object(og);
    out.bytes += text + "\nendobj\n";
  }

  finish_update(out.bytes, written, next, *tail, trailer, root.getObjGen());

  std::string ranges = "[0 " + std::to_string(out.contents_begin) + " " + std::to_string(out.contents_end) +
                       " " + std::to_string(out.bytes.size() - out.contents_end) + "]";
  ranges.resize(kByteRangePlaceholder.size(), ' ');
  out.bytes.replace(byte_range_at, ranges.size(), ranges);
  return out;
}

Result<std::string> dss_update(std::string_view pdf, const DssContent& dss) {
  auto tail = read_tail(pdf);
  if (!tail.ok()) return tail.error();
  QPDF doc;
  open_for_update(doc, pdf);
  QPDFObjectHandle root = doc.getRoot();
  QPDFObjectHandle old = root.getKey("/DSS");
  int next = first_free_number(doc);
  std::string out(pdf);
  if (out.back() != '\n' && out.back() != '\r') out += '\n';
  std::vector<Written> written;
  auto add = [&](const std::string& body) {
    const int number = next++;
    written.push_back({number, 0, out.size()});
    out += std::to_string(number) + " 0 obj\n" + body + "\nendobj\n";
    return std::to_string(number) + " 0 R";
  };
  auto streams = [&](const std::vector<std::string>& items) {
    std::string refs;
    for (const auto& der : items)
      refs += add("<< /Length " + std::to_string(der.size()) + " >>\nstream\n" + der + "\nendstream") + " ";
    return refs;
  };
  auto kept = [&](const char* key) {
    std::string items;
    if (old.isDictionary() && old.getKey(key).isArray())
      for (auto item : old.getKey(key).getArrayAsVector()) items += item.unparse() + " ";
    return items;
  };
  const std::string certs = streams(dss.certificates);
  const std::string crls = streams(dss.crls);
  const std::string ocsps = streams(dss.ocsp_responses);
  std::string vri = "<<";
  if (old.isDictionary() && old.getKey("/VRI").isDictionary())
    for (const auto& key : old.getKey("/VRI").getKeys())
      vri += " " + QPDFObjectHandle::newName(key).unparse() + " " + old.getKey("/VRI").getKey(key).unparse();
  vri += " /" + dss.vri_key + " << /Cert [" + certs + "] /CRL [" + crls + "] /OCSP [" + ocsps + "] >> >>";
  const std::string dss_ref =
      add("<< /Type /DSS /Certs [" + kept("/Certs") + certs + "] /CRLs [" + kept("/CRLs") + crls +
          "] /OCSPs [" + kept("/OCSPs") + ocsps + "] /VRI " + vri + " >>");
  written.push_back({root.getObjGen().getObj(), root.getObjGen().getGen(), out.size()});
  out += std::to_string(root.getObjGen().getObj()) + " " + std::to_string(root.getObjGen().getGen()) +
         " obj\n" + dictionary_with(root, {{"/DSS", dss_ref}}) + "\nendobj\n";
  finish_update(out, written, next, *tail, doc.getTrailer(), root.getObjGen());
  return out;
}

}  // namespace

Result<std::string> append_dss_update(std::string_view pdf, const DssContent& dss) {
  try {
    return dss_update(pdf, dss);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::invalid_argument, "", std::string("cannot take a DSS: ") + e.what());
  }
}

Result<PreparedPdf> prepare_signature_update(std::string_view pdf, const SignatureUpdate& update) {
  try {
    return prepare(pdf, update);
  } catch (const QPDFExc& e) {
    return make_error(ErrorCode::invalid_argument, "",
                      std::string("is not a readable PDF: ") + e.getMessageDetail());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::invalid_argument, "", std::string("is not a readable PDF: ") + e.what());
  }
}

Status fill_signature_contents(PreparedPdf& prepared, std::string_view cms_der) {
  const std::string encoded = hex(cms_der);
  const std::size_t room = prepared.contents_end - prepared.contents_begin - 2;
  if (encoded.size() > room)
    return make_error(ErrorCode::limit_exceeded, "CMS",
                      "needs " + std::to_string(cms_der.size()) + " bytes, more than the " +
                          std::to_string(room / 2) + " reserved in /Contents");
  prepared.bytes.replace(prepared.contents_begin + 1, encoded.size(), encoded);
  return {};
}

}  // namespace dosar::signing
