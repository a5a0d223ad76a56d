// Parsers of nomenclator files (untrusted input): CSV and the XML form.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "records/records.h"

namespace dosar::records {
namespace {

constexpr std::array<const char*, 5> kColumns = {"department", "code", "title", "retention", "remarks"};

Error at_line(ErrorCode code, const std::string& file, int line, const std::string& reason) {
  return make_error(code, file, "line " + std::to_string(line) + ": " + reason);
}

int line_of_offset(std::string_view bytes, std::size_t offset) {
  return 1 + static_cast<int>(
                 std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// Offset of the first byte that is not part of well-formed UTF-8 (overlong
// forms, surrogates and NUL refused), if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (i + n >= s.size()) return i;
    for (std::size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n + 1;
  }
  return std::nullopt;
}

Status require_utf8(std::string_view bytes, const std::string& file) {
  if (auto bad = first_invalid_utf8(bytes))
    return at_line(ErrorCode::corrupt, file, line_of_offset(bytes, *bad),
                   "is not UTF-8 text (byte " + std::to_string(*bad + 1) +
                       "); save the file as UTF-8 (a Windows-1250 export must be converted)");
  return {};
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Checks one entry and parses its retention; `retention` is the raw text.
Result<NomenclatorEntry> make_entry(std::map<std::string, std::string> fields, int line,
                                    const std::string& file, const NomenclatorLimits& limits) {
  for (auto& [name, value] : fields) {
    if (value.size() > limits.max_field_bytes)
      return at_line(ErrorCode::limit_exceeded, file, line,
                     name + " is longer than " + std::to_string(limits.max_field_bytes) + " bytes");
    value = trim(value);
  }
  for (const char* required : {"department", "code", "title", "retention"})
    if (fields[required].empty())
      return at_line(ErrorCode::invalid_argument, file, line, std::string(required) + " is empty");
  NomenclatorEntry e{fields["department"], fields["code"],    fields["title"],
                     std::nullopt,         fields["remarks"], line};
  std::string retention = fields["retention"];
  std::string lower = retention;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "permanent") return e;
  bool digits =
      !retention.empty() && retention.size() <= 4 &&
      std::all_of(retention.begin(), retention.end(), [](unsigned char c) { return std::isdigit(c); });
  int years = digits ? std::stoi(retention) : 0;
  if (!digits || years < 1 || years > limits.max_retention_years)
    return at_line(ErrorCode::invalid_argument, file, line,
                   "bad retention '" + retention + "': write 'permanent' or a number of years from 1 to " +
                       std::to_string(limits.max_retention_years));
  e.retention_years = years;
  return e;
}

// A code names one dossier per year, whatever the department.
Status refuse_duplicates(const std::vector<NomenclatorEntry>& entries, const std::string& file) {
  std::map<std::string, int> seen;
  for (const NomenclatorEntry& e : entries) {
    auto [it, inserted] = seen.emplace(e.code, e.line);
    if (!inserted)
      return at_line(ErrorCode::invalid_argument, file, e.line,
                     "duplicate code '" + e.code + "' (already on line " + std::to_string(it->second) + ")");
  }
  return {};
}

struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// RFC 4180 records with the line each starts on.
Result<std::vector<CsvRecord>> split_csv(std::string_view s, const std::string& file) {
  std::vector<CsvRecord> records;
  std::size_t i = 0;
  int line = 1;
  while (i < s.size()) {
    CsvRecord record{line, {}};
    std::string field;
    bool end_of_record = false;
    while (!end_of_record) {
      if (i < s.size() && s[i] == '"') {
        const int quote_line = line;
        ++i;
        for (;;) {
          if (i >= s.size())
            return at_line(ErrorCode::corrupt, file, quote_line, "a quoted field is never closed");
          if (s[i] == '"') {
            if (i + 1 < s.size() && s[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (s[i] == '\n') ++line;
          field += s[i++];
        }
        if (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
          return at_line(ErrorCode::corrupt, file, line, "unexpected text after a closing quote");
      } else {
        while (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
          if (s[i] == '"')
            return at_line(ErrorCode::corrupt, file, line,
                           "a quote inside an unquoted field (quote the field)");
          field += s[i++];
        }
      }
      record.fields.push_back(std::move(field));
      field.clear();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '\r') ++i;
      if (i < s.size() && s[i] == '\n') {
        ++i;
        ++line;
      }
      end_of_record = true;
    }
    bool blank = record.fields.size() == 1 && trim(record.fields[0]).empty();
    if (!blank) records.push_back(std::move(record));
  }
  return records;
}

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct CtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

bool named(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

std::optional<std::string> attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

}  // namespace

Result<std::vector<NomenclatorEntry>> parse_nomenclator_csv(std::string_view bytes, const std::string& file,
                                                            const NomenclatorLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    return make_error(ErrorCode::limit_exceeded, file,
                      "is larger than " + std::to_string(limits.max_bytes) + " bytes");
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  DOSAR_TRY(require_utf8(bytes, file));
  auto records = split_csv(bytes, file);
  if (!records.ok()) return records.error();
  if (records->empty()) return at_line(ErrorCode::invalid_argument, file, 1, "is empty (no header)");
  const CsvRecord& header = records->front();
  std::map<std::string, std::size_t> column;
  for (std::size_t k = 0; k < header.fields.size(); ++k) {
    std::string name = trim(header.fields[k]);
    if (std::find_if(kColumns.begin(), kColumns.end(), [&](const char* c) { return name == c; }) ==
        kColumns.end())
      return at_line(ErrorCode::invalid_argument, file, header.line,
                     "unknown column '" + name + "' (the header is department,code,title,retention,remarks)");
    if (!column.emplace(name, k).second)
      return at_line(ErrorCode::invalid_argument, file, header.line, "column '" + name + "' appears twice");
  }
  for (const char* name : kColumns)
    if (!column.count(name))
      return at_line(ErrorCode::invalid_argument, file, header.line,
                     std::string("missing column '") + name +
                         "' (the header is department,code,title,retention,remarks)");
  if (records->size() - 1 > limits.max_entries)
    return make_error(ErrorCode::limit_exceeded, file,
                      "has more than " + std::to_string(limits.max_entries) + " entries");
  std::vector<NomenclatorEntry> entries;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    if (record.fields.size() != header.fields.size())
      return at_line(ErrorCode::invalid_argument, file, record.line,
                     "has " + std::to_string(record.fields.size()) + " fields, the header has " +
                         std::to_string(header.fields.size()));
    std::map<std::string, std::string> fields;
    for (const auto& [name, k] : column) fields[name] = record.fields[k];
    auto entry = make_entry(std::move(fields), record.line, file, limits);
    if (!entry.ok()) return entry.error();
    entries.push_back(std::move(entry).value());
  }
  DOSAR_TRY(refuse_duplicates(entries, file));
  return entries;
}

Result<std::vector<NomenclatorEntry>> parse_nomenclator_xml(std::string_view bytes, const std::string& file,
                                                            int year, const NomenclatorLimits& limits) {
  if (bytes.size() > limits.max_bytes || bytes.size() > static_cast<std::size_t>(INT32_MAX))
    return make_error(ErrorCode::limit_exceeded, file,
                      "is larger than " + std::to_string(limits.max_bytes) + " bytes");
  DOSAR_TRY(require_utf8(bytes, file));
  // Checked on the bytes before parsing: a DTD is the only way to declare
  // entities (external ones read files, nested ones explode in memory).
  if (auto doctype = bytes.find("<!DOCTYPE"); doctype != std::string_view::npos)
    return at_line(ErrorCode::unsupported, file, line_of_offset(bytes, doctype),
                   "carries a DTD (<!DOCTYPE>); refused, a nomenclator may not declare entities");
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return make_error(ErrorCode::io, file, "cannot start the XML parser");
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no network.
  constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(
      ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), file.c_str(), nullptr, kOptions));
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt.get());
    std::string why = e && e->message ? e->message : "malformed XML";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return at_line(ErrorCode::corrupt, file, e ? e->line : 1, "is not well-formed XML: " + why);
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    return at_line(ErrorCode::unsupported, file, 1, "carries a DTD; refused");
  if (doc->encoding != nullptr) {
    std::string encoding(reinterpret_cast<const char*>(doc->encoding));
    std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    if (encoding != "UTF-8" && encoding != "UTF8")
      return at_line(ErrorCode::unsupported, file, 1,
                     "declares encoding " + encoding + "; a nomenclator is UTF-8");
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !named(root, "nomenclator"))
    return at_line(ErrorCode::invalid_argument, file, root ? static_cast<int>(xmlGetLineNo(root)) : 1,
                   "the root element must be <nomenclator>");
  const int root_line = static_cast<int>(xmlGetLineNo(root));
  if (auto format = attribute(root, "format"); format && *format != "1")
    return at_line(ErrorCode::unsupported, file, root_line,
                   "format version " + *format + " is not supported (1 is)");
  if (auto y = attribute(root, "year"); y && *y != std::to_string(year))
    return at_line(ErrorCode::invalid_argument, file, root_line,
                   "is the nomenclator of " + *y + ", not of " + std::to_string(year));
  std::vector<NomenclatorEntry> entries;
  for (const xmlNode* node = root->children; node; node = node->next) {
    const int line = static_cast<int>(xmlGetLineNo(node));
    if (node->type == XML_ENTITY_REF_NODE)
      return at_line(ErrorCode::unsupported, file, line, "uses an XML entity; refused");
    if (node->type == XML_TEXT_NODE || node->type == XML_COMMENT_NODE) continue;
    if (!named(node, "entry"))
      return at_line(ErrorCode::invalid_argument, file, line,
                     "unexpected " +
                         std::string(node->name ? reinterpret_cast<const char*>(node->name) : "node") +
                         " (only <entry> elements)");
    if (entries.size() >= limits.max_entries)
      return make_error(ErrorCode::limit_exceeded, file,
                        "has more than " + std::to_string(limits.max_entries) + " entries");
    std::map<std::string, std::string> fields;
    for (const char* name : kColumns) {
      auto value = attribute(node, name);
      if (!value && std::strcmp(name, "remarks") != 0)
        return at_line(ErrorCode::invalid_argument, file, line,
                       std::string("missing attribute '") + name + "'");
      fields[name] = value.value_or("");
    }
    auto entry = make_entry(std::move(fields), line, file, limits);
    if (!entry.ok()) return entry.error();
    entries.push_back(std::move(entry).value());
  }
  DOSAR_TRY(refuse_duplicates(entries, file));
  return entries;
}

std::string nomenclator_csv(const std::vector<NomenclatorEntry>& entries) {
  auto field = [](const std::string& v) {
    bool quote = v.find_first_of(",\"\r\n") != std::string::npos ||
                 (!v.empty() && (v.front() == ' ' || v.back() == ' '));
    if (!quote) return v;
    std::string out = "\"";
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  std::string out = "department,code,title,retention,remarks\n";
  for (const NomenclatorEntry& e : entries)
    out += field(e.department) + "," + field(e.code) + "," + field(e.title) + "," +
           retention_text(e.retention_years) + "," + field(e.remarks) + "\n";
  return out;
}

std::string retention_text(const std::optional<int>& years) {
  return years ? std::to_string(*years) : "permanent";
}

}  // namespace dosar::records
