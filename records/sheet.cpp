// The electronic sheet of a document (Law 135/2007): what Dosar knows, and
// the fields an archivist sets.
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <algorithm>

#include "records/records.h"
#include "storage/archive_config.h"
#include "storage/fixity_store.h"

namespace dosar::records {
namespace {

constexpr std::uint64_t kMaxFormatScan = 64u << 20;

// The value of an XMP property written as an attribute (pdfaid:part="2") or
// as an element (<pdfaid:part>2</pdfaid:part>).
std::string xmp_value(const std::string& bytes, const std::string& property) {
  for (std::size_t at = bytes.find(property); at != std::string::npos; at = bytes.find(property, at + 1)) {
    std::size_t i = at + property.size();
    while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '=' || bytes[i] == '>' || bytes[i] == '"' ||
                                bytes[i] == '\'' || bytes[i] == '\n'))
      ++i;
    std::string value;
    while (i < bytes.size() && std::isalnum(static_cast<unsigned char>(bytes[i])) && value.size() < 8)
      value += bytes[i++];
    if (!value.empty()) return value;
  }
  return "";
}

// "PDF 1.7", "PDF/A-2b (PDF 1.7)", "JPEG", ... from the bytes of a version.
std::string format_of(const BlobStore& blobs, const Version& v) {
  if (v.mime_type == "image/jpeg") return "JPEG";
  if (v.mime_type == "image/png") return "PNG";
  if (v.mime_type == "image/tiff") return "TIFF";
  if (v.mime_type != "application/pdf") return v.mime_type;
  std::string bytes;
  Status read = blobs.read_to(v.original_blob_id, Verify::none, [&](std::string_view chunk) -> Status {
    if (bytes.size() < kMaxFormatScan) bytes.append(chunk.substr(0, kMaxFormatScan - bytes.size()));
    return {};
  });
  if (!read.ok()) return "PDF";
  std::string format = "PDF";
  if (bytes.compare(0, 5, "%PDF-") == 0 && bytes.size() >= 8) format = "PDF " + bytes.substr(5, 3);
  // PDF/A declares itself in the XMP metadata (ISO 19005, pdfaid schema).
  std::string part = xmp_value(bytes, "pdfaid:part");
  if (!part.empty()) {
    std::string conformance = xmp_value(bytes, "pdfaid:conformance");
    std::transform(conformance.begin(), conformance.end(), conformance.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    format = "PDF/A-" + part + conformance + " (" + format + ")";
  }
  return format;
}

}  // namespace

const std::vector<std::string>& settable_sheet_fields() {
  static const std::vector<std::string> fields = {
      "owner", "issuer", "disposal-holder", "classification", "keywords", "paper-location", "issue-date"};
  return fields;
}

Result<Sheet> Records::sheet(DocumentId id) const {
  auto document = archive_.catalog().document(id);
  if (!document.ok()) return document.error();
  auto version = archive_.catalog().version(id, document->current_version);
  if (!version.ok()) return version.error();
  auto first = archive_.catalog().version(id, 1);
  if (!first.ok()) return first.error();
  auto fields = store_->sheet_fields(id);
  if (!fields.ok()) return fields.error();
  auto record = store_->document_record(id);
  if (!record.ok()) return record.error();
  auto config = read_archive_config(archive_.root());
  std::string institution = config.ok() ? config->get("institution.name").value_or("") : "";
  auto field = [&](const std::string& name, const std::string& fallback) {
    auto it = fields->find(name);
    return it == fields->end() ? fallback : it->second;
  };

  Sheet s;
  s.document_id = id;
  s.unique_id = "dosar:document:" + std::to_string(id) + ":sha256:" + first->original_blob_id;
  s.title = document->title;
  s.owner = field("owner", institution);
  s.issuer = field("issuer", document->department);
  s.disposal_holder = field("disposal-holder", s.owner);
  s.document_type = document->document_type;
  s.classification = field("classification", document->confidentiality);
  s.keywords = field("keywords", "");
  s.paper_location = field("paper-location", "");
  s.archiving_date = bucharest_date(document->created_at);
  s.issue_date = field("issue-date", s.archiving_date);
  auto note = disposal_note(id);
  if (!note.ok()) return note.error();
  s.disposed = note->value_or("");
  s.format = s.disposed.empty() ? format_of(archive_.blobs(), *version) : version->mime_type;
  if (record->permanent) s.retention = "permanent";
  if (!record->code.empty()) {
    s.file_code = record->code + "/" + std::to_string(record->year);
    auto dossier = store_->dossier(record->code, record->year);
    if (!dossier.ok()) return dossier.error();
    if (!record->permanent)
      s.retention =
          dossier->retention_years ? std::to_string(*dossier->retention_years) + " years" : "permanent";
  }
  if (s.disposed.empty()) {
    auto fixity = open_fixity_store(archive_, clock_);
    if (!fixity.ok()) return fixity.error();
    auto verified = (*fixity)->last_verified(id);
    if (!verified.ok()) return verified.error();
    s.last_verified = verified->value_or("");
  }
  auto history = archive_.catalog().audit_trail(id);
  if (!history.ok()) return history.error();
  s.history = std::move(history).value();
  return s;
}

std::vector<std::pair<std::string, std::string>> sheet_entries(const Sheet& s) {
  return {{"unique-id", s.unique_id},
          {"title", s.title},
          {"owner", s.owner},
          {"issuer", s.issuer},
          {"disposal-holder", s.disposal_holder},
          {"type", s.document_type},
          {"classification", s.classification},
          {"format", s.format},
          {"keywords", s.keywords},
          {"paper-location", s.paper_location},
          {"issue-date", s.issue_date},
          {"archiving-date", s.archiving_date},
          {"file-code", s.file_code},
          {"retention", s.retention},
          {"disposed", s.disposed},
          {"last-verified", s.last_verified}};
}

std::vector<std::string*> sheet_texts(Sheet& s) {
  std::vector<std::string*> texts{&s.title,          &s.owner,    &s.issuer,        &s.disposal_holder,
                                  &s.classification, &s.keywords, &s.paper_location};
  for (AuditRecord& a : s.history) texts.push_back(&a.detail);
  return texts;
}

std::string sheet_xml(const Sheet& s) {
  auto x = [](const std::string& text) { return reinterpret_cast<const xmlChar*>(text.c_str()); };
  xmlDoc* doc = xmlNewDoc(x("1.0"));
  xmlNode* root = xmlNewNode(nullptr, x("sheet"));
  xmlDocSetRootElement(doc, root);
  xmlNewProp(root, x("format"), x("1"));
  xmlNewProp(root, x("document"), x(std::to_string(s.document_id)));
  for (const auto& [name, value] : sheet_entries(s)) xmlNewTextChild(root, nullptr, x(name), x(value));
  xmlNode* history = xmlNewChild(root, nullptr, x("history"), nullptr);
  for (const AuditRecord& a : s.history) {
    xmlNode* event = xmlNewChild(history, nullptr, x("event"), nullptr);
    xmlNewProp(event, x("seq"), x(std::to_string(a.seq)));
    xmlNewProp(event, x("at"), x(a.at));
    xmlNewProp(event, x("actor"), x(a.actor));
    xmlNewProp(event, x("action"), x(a.action));
  }
  xmlChar* bytes = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc, &bytes, &size, "UTF-8", 1);
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
  xmlFree(bytes);
  xmlFreeDoc(doc);
  return out;
}

Status Records::set_sheet_field(DocumentId id, const std::string& field, const std::string& value,
                                const std::string& actor) {
  const auto& settable = settable_sheet_fields();
  if (std::find(settable.begin(), settable.end(), field) == settable.end()) {
    std::string names;
    for (const std::string& f : settable) names += (names.empty() ? "" : ", ") + f;
    return make_error(ErrorCode::invalid_argument, field, "is not a settable sheet field (" + names + ")");
  }
  if (field == "issue-date" && !is_iso_date(value))
    return make_error(ErrorCode::invalid_argument, value, "issue-date must be a date (YYYY-MM-DD)");
  return store_->set_sheet_field(id, field, value, actor);
}

}  // namespace dosar::records
