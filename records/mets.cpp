#include "records/mets.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>

namespace dosar::records {
namespace {

constexpr const char* kMetsNs = "http://www.loc.gov/METS/";
constexpr const char* kXlinkNs = "http://www.w3.org/1999/xlink";
constexpr const char* kPremisNs = "http://www.loc.gov/premis/v3";

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}
const xmlChar* x(const std::string& text) {
  return x(text.c_str());
}

class Writer {
 public:
  Writer() : doc_(xmlNewDoc(x("1.0"))) {
    root_ = xmlNewNode(nullptr, x("mets"));
    xmlDocSetRootElement(doc_.get(), root_);
    mets_ = xmlNewNs(root_, x(kMetsNs), x("mets"));
    xlink_ = xmlNewNs(root_, x(kXlinkNs), x("xlink"));
    premis_ = xmlNewNs(root_, x(kPremisNs), x("premis"));
    xmlSetNs(root_, mets_);
  }
  xmlNode* root() { return root_; }
  xmlNode* mets(xmlNode* parent, const char* name) { return xmlNewChild(parent, mets_, x(name), nullptr); }
  xmlNode* premis(xmlNode* parent, const char* name, const std::string* text = nullptr) {
    // xmlNewTextChild escapes the text.
    return text ? xmlNewTextChild(parent, premis_, x(name), x(*text))
                : xmlNewChild(parent, premis_, x(name), nullptr);
  }
  static void attr(xmlNode* node, const char* name, const std::string& value) {
    xmlNewProp(node, x(name), x(value));
  }
  void href(xmlNode* node, const std::string& value) { xmlNewNsProp(node, xlink_, x("href"), x(value)); }
  std::string dump() {
    xmlChar* bytes = nullptr;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc_.get(), &bytes, &size, "UTF-8", 1);
    std::string out(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
    xmlFree(bytes);
    return out;
  }

 private:
  Doc doc_;
  xmlNode* root_ = nullptr;
  xmlNs* mets_ = nullptr;
  xmlNs* xlink_ = nullptr;
  xmlNs* premis_ = nullptr;
};

void add_event(Writer& w, xmlNode* amd, const std::string& id, const PremisEvent& e) {
  xmlNode* digiprov = w.mets(amd, "digiprovMD");
  Writer::attr(digiprov, "ID", id);
  xmlNode* wrap = w.mets(digiprov, "mdWrap");
  Writer::attr(wrap, "MDTYPE", "PREMIS:EVENT");
  xmlNode* event = w.premis(w.mets(wrap, "xmlData"), "event");
  xmlNode* identifier = w.premis(event, "eventIdentifier");
  w.premis(identifier, "eventIdentifierType", &e.identifier_type);
  w.premis(identifier, "eventIdentifierValue", &e.identifier);
  w.premis(event, "eventType", &e.type);
  w.premis(event, "eventDateTime", &e.at);
  if (!e.detail.empty()) w.premis(w.premis(event, "eventDetailInformation"), "eventDetail", &e.detail);
  w.premis(w.premis(event, "eventOutcomeInformation"), "eventOutcome", &e.outcome);
  static const std::string kSha256 = "SHA-256";
  for (const std::string& object : e.objects) {
    xmlNode* link = w.premis(event, "linkingObjectIdentifier");
    w.premis(link, "linkingObjectIdentifierType", &kSha256);
    w.premis(link, "linkingObjectIdentifierValue", &object);
  }
}

// ---- reading ----

bool is(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0 && node->ns &&
         std::strcmp(reinterpret_cast<const char*>(node->ns->href), kMetsNs) == 0;
}

std::string attribute(const xmlNode* node, const char* name, const char* ns = nullptr) {
  xmlChar* value = ns ? xmlGetNsProp(node, x(name), x(ns)) : xmlGetProp(node, x(name));
  if (!value) return "";
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

template <class Visit>
void walk(const xmlNode* node, Visit& visit, int depth = 0) {
  for (const xmlNode* n = node; n; n = n->next) {
    visit(n, depth);
    if (n->children) walk(n->children, visit, depth + 1);
  }
}

}  // namespace

std::string write_mets(const BagDossier& dossier, const std::vector<MetsDocumentPart>& documents,
                       const std::string& created_at, const std::string& agent) {
  Writer w;
  Writer::attr(w.root(), "OBJID", dossier.id);
  Writer::attr(w.root(), "LABEL", dossier.title);
  Writer::attr(w.root(), "PROFILE", "dosar-bag-v1");
  xmlNode* header = w.mets(w.root(), "metsHdr");
  Writer::attr(header, "CREATEDATE", created_at);
  xmlNode* agent_node = w.mets(header, "agent");
  Writer::attr(agent_node, "ROLE", "CREATOR");
  Writer::attr(agent_node, "TYPE", "OTHER");
  Writer::attr(agent_node, "OTHERTYPE", "SOFTWARE");
  xmlNewTextChild(agent_node, agent_node->ns, x("name"), x(agent));

  for (const MetsDocumentPart& d : documents) {
    const std::string n = std::to_string(d.id);
    xmlNode* dmd = w.mets(w.root(), "dmdSec");
    Writer::attr(dmd, "ID", "dmd-" + n);
    xmlNode* ref = w.mets(dmd, "mdRef");
    Writer::attr(ref, "LOCTYPE", "URL");
    Writer::attr(ref, "MDTYPE", "OTHER");
    Writer::attr(ref, "OTHERMDTYPE", "dosar-document");
    Writer::attr(ref, "MIMETYPE", "application/json");
    Writer::attr(ref, "CHECKSUM", d.metadata_sha256);
    Writer::attr(ref, "CHECKSUMTYPE", "SHA-256");
    w.href(ref, d.metadata_href);
  }
  for (const MetsDocumentPart& d : documents) {
    const std::string n = std::to_string(d.id);
    xmlNode* amd = w.mets(w.root(), "amdSec");
    Writer::attr(amd, "ID", "amd-" + n);
    for (std::size_t i = 0; i < d.events.size(); ++i)
      add_event(w, amd, "event-" + n + "-" + std::to_string(i + 1), d.events[i]);
  }
  xmlNode* file_sec = w.mets(w.root(), "fileSec");
  for (const char* use : {"original", "derived"}) {
    xmlNode* group = nullptr;
    for (const MetsDocumentPart& d : documents)
      for (const MetsFileEntry& f : d.files) {
        if (f.use != use) continue;
        if (!group) {
          group = w.mets(file_sec, "fileGrp");
          Writer::attr(group, "USE", use);
        }
        xmlNode* file = w.mets(group, "file");
        Writer::attr(file, "ID", f.id);
        Writer::attr(file, "MIMETYPE", f.mime_type);
        Writer::attr(file, "SIZE", std::to_string(f.size));
        Writer::attr(file, "CHECKSUM", f.sha256);
        Writer::attr(file, "CHECKSUMTYPE", "SHA-256");
        Writer::attr(file, "ADMID", "amd-" + std::to_string(d.id));
        xmlNode* locat = w.mets(file, "FLocat");
        Writer::attr(locat, "LOCTYPE", "URL");
        w.href(locat, f.href);
      }
  }
  xmlNode* struct_map = w.mets(w.root(), "structMap");
  Writer::attr(struct_map, "TYPE", "logical");
  xmlNode* top = w.mets(struct_map, "div");
  Writer::attr(top, "TYPE", "dossier");
  Writer::attr(top, "LABEL", dossier.title);
  for (const MetsDocumentPart& d : documents) {
    const std::string n = std::to_string(d.id);
    xmlNode* div = w.mets(top, "div");
    Writer::attr(div, "TYPE", "document");
    Writer::attr(div, "LABEL", d.title);
    Writer::attr(div, "DMDID", "dmd-" + n);
    Writer::attr(div, "ADMID", "amd-" + n);
    for (std::size_t v = 0; v < d.versions.size(); ++v) {
      xmlNode* version = w.mets(div, "div");
      Writer::attr(version, "TYPE", "version");
      Writer::attr(version, "ORDER", std::to_string(v + 1));
      for (const std::string& file_id : d.versions[v])
        Writer::attr(w.mets(version, "fptr"), "FILEID", file_id);
    }
  }
  return w.dump();
}

Result<MetsSummary> read_mets(std::string_view xml, const std::string& file, const BagLimits& limits) {
  if (xml.size() > limits.max_tag_file_bytes || xml.size() > static_cast<std::size_t>(INT32_MAX))
    return make_error(ErrorCode::limit_exceeded, file, "METS document larger than the limit");
  // A METS document never needs a DTD; one could only bring entities (XXE,
  // expansion bombs), so it is refused before libxml2 sees it.
  if (xml.find("<!DOCTYPE") != std::string_view::npos || xml.find("<!ENTITY") != std::string_view::npos)
    return make_error(ErrorCode::corrupt, file,
                      "METS document carries a DTD or entity declarations; refused");
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "mets.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return make_error(ErrorCode::corrupt, file, "is not well-formed XML");
  if (doc->intSubset || doc->extSubset) return make_error(ErrorCode::corrupt, file, "carries a DTD; refused");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root || !is(root, "mets"))
    return make_error(ErrorCode::corrupt, file, "root element is not mets:mets");
  MetsSummary summary;
  summary.objid = attribute(root, "OBJID");
  std::optional<Error> problem;
  bool file_sec = false, struct_map = false;
  auto visit = [&](const xmlNode* n, int depth) {
    if (problem) return;
    if (depth > 64) {
      problem = make_error(ErrorCode::limit_exceeded, file, "XML nested deeper than 64 elements");
      return;
    }
    if (n->type == XML_ENTITY_REF_NODE) {
      problem = make_error(ErrorCode::corrupt, file, "holds an entity reference; refused");
      return;
    }
    if (is(n, "fileSec")) file_sec = true;
    if (is(n, "structMap")) struct_map = true;
    if (is(n, "fptr")) ++summary.struct_pointers;
    if (n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), "event") == 0)
      ++summary.events;
    if (!is(n, "file")) return;
    MetsFile f;
    f.id = attribute(n, "ID");
    f.sha256 = attribute(n, "CHECKSUM");
    const std::string size = attribute(n, "SIZE");
    if (attribute(n, "CHECKSUMTYPE") != "SHA-256" || f.sha256.empty()) {
      problem = make_error(ErrorCode::corrupt, file, "file " + f.id + " has no SHA-256 checksum");
      return;
    }
    char* end = nullptr;
    f.size = std::strtoull(size.c_str(), &end, 10);
    if (size.empty() || *end != '\0') {
      problem = make_error(ErrorCode::corrupt, file, "file " + f.id + " has no valid SIZE");
      return;
    }
    for (const xmlNode* c = n->children; c; c = c->next)
      if (is(c, "FLocat")) f.href = attribute(c, "href", kXlinkNs);
    if (f.href.empty()) {
      problem = make_error(ErrorCode::corrupt, file, "file " + f.id + " has no FLocat");
      return;
    }
    summary.files.push_back(std::move(f));
  };
  walk(root, visit);
  if (problem) return *problem;
  if (!file_sec || !struct_map) return make_error(ErrorCode::corrupt, file, "lacks a fileSec or a structMap");
  return summary;
}

}  // namespace dosar::records
