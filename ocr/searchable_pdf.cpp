// The searchable PDF of a scanned version, assembled from one-page PDFs and
// made PDF/A-2b (ISO 19005-2, level B: the look of the pages is preserved).
// What is checked mechanically is listed in README.md ("Searchable PDFs").
#include <lcms2.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <qpdf/ClosedFileInputSource.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <utility>

#include "ocr/recognizer.h"

namespace dosar {
namespace {

// sRGB IEC 61966-2.1 as an ICC profile, made once by littleCMS.
const std::string& srgb_profile() {
  static std::once_flag once;
  static std::string profile;
  std::call_once(once, [] {
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    if (!srgb) return;
    cmsUInt32Number size = 0;
    if (cmsSaveProfileToMem(srgb, nullptr, &size) && size > 0) {
      profile.resize(size);
      if (!cmsSaveProfileToMem(srgb, profile.data(), &size)) profile.clear();
    }
    cmsCloseProfile(srgb);
  });
  return profile;
}

// Text for an XML element (index/'s html_escape is out of ocr/'s reach).
// XML 1.0 forbids most control characters; a title never needs them.
std::string xml_escaped(const std::string& text) {
  static const std::pair<char, const char*> kEntities[] = {
      {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}};
  std::string out;
  for (char c : text) {
    auto entity =
        std::find_if(std::begin(kEntities), std::end(kEntities), [c](const auto& e) { return e.first == c; });
    bool control = static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
    if (entity != std::end(kEntities))
      out += entity->second;
    else
      out += control ? ' ' : c;
  }
  return out;
}

// "2026-11-23T09:28:38.123Z" -> {"20261123092838", "2026-11-23T09:28:38"}; the
// current time when it does not have that form.
struct PdfDates {
  std::string info;  // D:YYYYMMDDHHmmSS+00'00'
  std::string xmp;   // YYYY-MM-DDTHH:mm:SS+00:00
};
PdfDates pdf_dates(const std::string& utc_iso) {
  std::string s = utc_iso.size() >= 19 ? utc_iso.substr(0, 19) : "";
  bool valid = s.size() == 19 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':';
  if (!valid) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    s = buf;
  }
  std::string digits;
  for (char c : s)
    if (c >= '0' && c <= '9') digits += c;
  return {"D:" + digits + "+00'00'", s + "+00:00"};
}

// The XMP packet of a PDF/A-2b file; every property equals its Info entry.
std::string xmp_packet(const PdfDescription& d, const PdfDates& dates) {
  std::string title = xml_escaped(d.title), author = xml_escaped(d.author),
              producer = xml_escaped(d.producer);
  std::string x =
      "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
      "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "<rdf:Description rdf:about=\"\"\n"
      "  xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
      "  xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
      "  xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
      "  xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
      "<pdfaid:part>2</pdfaid:part>\n"
      "<pdfaid:conformance>B</pdfaid:conformance>\n"
      "<dc:format>application/pdf</dc:format>\n"
      "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" +
      title + "</rdf:li></rdf:Alt></dc:title>\n";
  if (!d.author.empty()) x += "<dc:creator><rdf:Seq><rdf:li>" + author + "</rdf:li></rdf:Seq></dc:creator>\n";
  x += "<xmp:CreateDate>" + dates.xmp + "</xmp:CreateDate>\n<xmp:ModifyDate>" + dates.xmp +
       "</xmp:ModifyDate>\n<xmp:MetadataDate>" + dates.xmp + "</xmp:MetadataDate>\n<xmp:CreatorTool>" +
       producer + "</xmp:CreatorTool>\n<pdf:Producer>" + producer +
       "</pdf:Producer>\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n";
  // Padding lets an editor update the packet in place, as XMP recommends.
  x += std::string(2000, ' ') + "\n<?xpacket end=\"w\"?>";
  return x;
}

void describe(QPDF& pdf, const PdfDescription& d) {
  PdfDates dates = pdf_dates(d.created_at);
  QPDFObjectHandle info = pdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
  info.replaceKey("/Title", QPDFObjectHandle::newUnicodeString(d.title));
  if (!d.author.empty()) info.replaceKey("/Author", QPDFObjectHandle::newUnicodeString(d.author));
  info.replaceKey("/Creator", QPDFObjectHandle::newUnicodeString(d.producer));
  info.replaceKey("/Producer", QPDFObjectHandle::newUnicodeString(d.producer));
  info.replaceKey("/CreationDate", QPDFObjectHandle::newString(dates.info));
  info.replaceKey("/ModDate", QPDFObjectHandle::newString(dates.info));
  pdf.getTrailer().replaceKey("/Info", info);

  QPDFObjectHandle root = pdf.getRoot();
  QPDFObjectHandle metadata = QPDFObjectHandle::newStream(&pdf, xmp_packet(d, dates));
  metadata.getDict().replaceKey("/Type", QPDFObjectHandle::newName("/Metadata"));
  metadata.getDict().replaceKey("/Subtype", QPDFObjectHandle::newName("/XML"));
  root.replaceKey("/Metadata", metadata);

  // The page images are DeviceGray (or DeviceRGB); PDF/A allows device
  // colour only under an output intent, here sRGB.
  QPDFObjectHandle profile = QPDFObjectHandle::newStream(&pdf, srgb_profile());
  profile.getDict().replaceKey("/N", QPDFObjectHandle::newInteger(3));
  QPDFObjectHandle intent = QPDFObjectHandle::newDictionary();
  intent.replaceKey("/Type", QPDFObjectHandle::newName("/OutputIntent"));
  intent.replaceKey("/S", QPDFObjectHandle::newName("/GTS_PDFA1"));
  intent.replaceKey("/OutputConditionIdentifier", QPDFObjectHandle::newString("sRGB IEC61966-2.1"));
  intent.replaceKey("/Info", QPDFObjectHandle::newString("sRGB IEC61966-2.1"));
  intent.replaceKey("/DestOutputProfile", profile);
  QPDFObjectHandle intents = QPDFObjectHandle::newArray();
  intents.appendItem(pdf.makeIndirectObject(intent));
  root.replaceKey("/OutputIntents", intents);
  root.replaceKey("/Lang", QPDFObjectHandle::newString("ro-RO"));
}

}  // namespace

Status assemble_searchable_pdf(const std::vector<std::filesystem::path>& pages,
                               const std::filesystem::path& out, const PdfDescription& description) {
  if (srgb_profile().empty())
    return make_error(ErrorCode::io, out.string(), "littleCMS made no sRGB profile");
  std::error_code ec;
  if (std::filesystem::exists(out, ec)) return make_error(ErrorCode::io, out.string(), "already exists");
  std::string current;  // the page file being read, for the message of a failure
  try {
    QPDF assembled;
    assembled.emptyPDF();
    QPDFPageDocumentHelper document(assembled);
    // Page streams are copied from their files when the result is written,
    // so every source stays open (as a QPDF) until then; its file is
    // reopened only while read.
    std::vector<std::unique_ptr<QPDF>> sources;
    for (const std::filesystem::path& page_file : pages) {
      current = page_file.string();
      auto input = std::make_shared<ClosedFileInputSource>(page_file.c_str());
      auto source = std::make_unique<QPDF>();
      source->setSuppressWarnings(true);
      source->processInputSource(input);
      input->stayOpen(true);
      for (QPDFPageObjectHelper& page : QPDFPageDocumentHelper(*source).getAllPages())
        document.addPage(page, false);
      input->stayOpen(false);
      sources.push_back(std::move(source));
    }
    current.clear();
    describe(assembled, description);
    QPDFWriter writer(assembled, out.c_str());
    // The images and fonts are written as Tesseract encoded them; the XMP
    // stays uncompressed so that any tool can read it.
    writer.setStreamDataMode(qpdf_s_preserve);
    writer.setObjectStreamMode(qpdf_o_disable);
    writer.setMinimumPDFVersion("1.7");
    writer.setDeterministicID(true);
    writer.setSuppressOriginalObjectIDs(true);
    writer.write();
  } catch (const QPDFExc& e) {
    std::filesystem::remove(out, ec);
    return make_error(current.empty() ? ErrorCode::io : ErrorCode::corrupt,
                      current.empty() ? out.string() : current,
                      std::string("searchable PDF not assembled: ") + e.what());
  } catch (const std::exception& e) {
    std::filesystem::remove(out, ec);
    return make_error(ErrorCode::io, current.empty() ? out.string() : current,
                      std::string("searchable PDF not assembled: ") + e.what());
  }
  return {};
}

}  // namespace dosar
