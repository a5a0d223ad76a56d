#include "signing/cms_revocation_info.h"

#include <optional>
#include <string>
#include <vector>

#include "signing/openssl_util.h"

namespace dosar::signing {
namespace {

constexpr const char* kAdobeRevocationInfoArchival = "1.2.840.113583.1.1.8";

using ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpenSslDeleter<ASN1_OBJECT_free>>;

struct Header {
  long length = 0;
  int tag = 0;
  int xclass = 0;
};

// Reads the DER header at `p` (of an element at most `left` bytes long) and
// moves `p` to its content. std::nullopt when malformed, longer than `left`
// or of indefinite length (not DER).
std::optional<Header> read_header(const unsigned char*& p, long left) {
  Header h;
  const int flags = ASN1_get_object(&p, &h.length, &h.tag, &h.xclass, left);
  if ((flags & 0x80) != 0 || (flags & 0x01) != 0) return std::nullopt;
  return h;
}

// The DER of each element of the SEQUENCE OF held in [p, p + left).
std::vector<std::string> sequence_elements(const unsigned char* p, long left) {
  std::vector<std::string> elements;
  auto outer = read_header(p, left);
  if (!outer || outer->tag != V_ASN1_SEQUENCE || outer->xclass != V_ASN1_UNIVERSAL) return elements;
  const unsigned char* end = p + outer->length;
  while (p < end) {
    const unsigned char* start = p;
    auto element = read_header(p, end - p);
    if (!element) break;
    p += element->length;
    elements.emplace_back(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start));
  }
  return elements;
}

// The CRLs ([0]) and OCSP responses ([1]) of adbe-revocationInfoArchival.
void read_adobe_archival(CMS_SignerInfo* si, EmbeddedValidationData& into) {
  ObjectPtr oid(OBJ_txt2obj(kAdobeRevocationInfoArchival, 1));
  const auto* value =
      static_cast<ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(si, oid.get(), -3, V_ASN1_SEQUENCE));
  if (!value) return;
  const unsigned char* p = ASN1_STRING_get0_data(value);
  auto outer = read_header(p, ASN1_STRING_length(value));
  if (!outer || outer->tag != V_ASN1_SEQUENCE) return;
  const unsigned char* end = p + outer->length;
  while (p < end) {
    auto field = read_header(p, end - p);
    if (!field) return;
    if (field->xclass == V_ASN1_CONTEXT_SPECIFIC && (field->tag == 0 || field->tag == 1)) {
      auto& list = field->tag == 0 ? into.crls : into.ocsp_responses;
      for (auto& element : sequence_elements(p, field->length)) list.push_back(std::move(element));
    }
    p += field->length;
  }
}

}  // namespace

EmbeddedValidationData with_cms_revocation_info(CMS_ContentInfo* cms, CMS_SignerInfo* si,
                                                EmbeddedValidationData embedded) {
  if (STACK_OF(X509_CRL)* crls = CMS_get1_crls(cms)) {
    for (int i = 0; i < sk_X509_CRL_num(crls); ++i)
      embedded.crls.push_back(crl_der(sk_X509_CRL_value(crls, i)));
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
  }
  read_adobe_archival(si, embedded);
  ERR_clear_error();
  return embedded;
}

}  // namespace dosar::signing
