#include "cloud/s3_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <cstring>
#include <memory>

namespace dosar::cloud {
namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

// No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no network.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

Result<Doc> parse(std::string_view xml, const std::string& subject, const S3XmlLimits& limits) {
  if (xml.size() > limits.max_bytes)
    return make_error(ErrorCode::limit_exceeded, subject,
                      "server answer of " + std::to_string(xml.size()) + " bytes exceeds the limit of " +
                          std::to_string(limits.max_bytes));
  if (xml.size() > static_cast<std::size_t>(INT32_MAX))
    return make_error(ErrorCode::limit_exceeded, subject, "server answer too large");
  Doc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "s3.xml", nullptr, kParseOptions));
  if (!doc) return make_error(ErrorCode::corrupt, subject, "server answered with malformed XML");
  // S3 never sends a DTD; one here could only be an attempt at entity expansion.
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    return make_error(ErrorCode::corrupt, subject, "server answered with XML carrying a DTD; refused");
  if (xmlDocGetRootElement(doc.get()) == nullptr)
    return make_error(ErrorCode::corrupt, subject, "server answered with an empty XML document");
  return doc;
}

bool named(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

// Text content of an element; entity references (never expanded) make it corrupt.
Result<std::string> text_of(const xmlNode* node, const std::string& subject) {
  std::string text;
  for (const xmlNode* child = node->children; child; child = child->next) {
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      if (child->content) text += reinterpret_cast<const char*>(child->content);
    } else if (child->type == XML_ENTITY_REF_NODE) {
      return make_error(ErrorCode::corrupt, subject, "server answered with an undeclared XML entity");
    }
  }
  return text;
}

const xmlNode* child_named(const xmlNode* parent, const char* name) {
  for (const xmlNode* c = parent->children; c; c = c->next)
    if (named(c, name)) return c;
  return nullptr;
}

Result<std::uint64_t> parse_size(const std::string& text, const std::string& subject) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return make_error(ErrorCode::corrupt, subject,
                      "listing has an object size that is not a number: " + text);
  return value;
}

}  // namespace

Result<ListPage> parse_list_objects_v2(std::string_view xml, const std::string& subject,
                                       const S3XmlLimits& limits) {
  auto doc = parse(xml, subject, limits);
  if (!doc.ok()) return doc.error();
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!named(root, "ListBucketResult"))
    return make_error(ErrorCode::corrupt, subject, "server answer is not a ListBucketResult");
  ListPage page;
  for (const xmlNode* c = root->children; c; c = c->next) {
    if (named(c, "IsTruncated")) {
      auto t = text_of(c, subject);
      if (!t.ok()) return t.error();
      page.truncated = *t == "true";
    } else if (named(c, "NextContinuationToken")) {
      auto t = text_of(c, subject);
      if (!t.ok()) return t.error();
      page.next_continuation_token = *t;
    } else if (named(c, "Contents")) {
      const xmlNode* key = child_named(c, "Key");
      const xmlNode* size = child_named(c, "Size");
      if (!key || !size) return make_error(ErrorCode::corrupt, subject, "listing entry without Key or Size");
      auto k = text_of(key, subject);
      if (!k.ok()) return k.error();
      auto s = text_of(size, subject);
      if (!s.ok()) return s.error();
      auto n = parse_size(*s, subject);
      if (!n.ok()) return n.error();
      page.objects.push_back({std::move(k).value(), *n});
    }
  }
  if (page.truncated && page.next_continuation_token.empty())
    return make_error(ErrorCode::corrupt, subject, "truncated listing without a NextContinuationToken");
  return page;
}

Result<std::string> parse_upload_id(std::string_view xml, const std::string& subject,
                                    const S3XmlLimits& limits) {
  auto doc = parse(xml, subject, limits);
  if (!doc.ok()) return doc.error();
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  const xmlNode* id = named(root, "InitiateMultipartUploadResult") ? child_named(root, "UploadId") : nullptr;
  if (!id) return make_error(ErrorCode::corrupt, subject, "server answer has no UploadId");
  auto text = text_of(id, subject);
  if (!text.ok()) return text.error();
  if (text->empty()) return make_error(ErrorCode::corrupt, subject, "server answer has an empty UploadId");
  return text;
}

std::string parse_error_summary(std::string_view xml) {
  auto doc = parse(xml, "", S3XmlLimits{64 * 1024});
  if (!doc.ok()) return "";
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!named(root, "Error")) return "";
  std::string summary;
  if (const xmlNode* code = child_named(root, "Code"); code)
    if (auto t = text_of(code, ""); t.ok()) summary = *t;
  if (const xmlNode* message = child_named(root, "Message"); message)
    if (auto t = text_of(message, ""); t.ok()) summary += (summary.empty() ? "" : ": ") + *t;
  return summary;
}

}  // namespace dosar::cloud
