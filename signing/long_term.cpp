// PAdES long-term validation: the TSA's validation data in a DSS, the
// document timestamp, and the renewal of a B-LTA (extend_lta).
#include "signing/long_term.h"

#include <algorithm>

#include "signing/openssl_util.h"
#include "signing/pdf_structure.h"
#include "signing/revocation_data.h"
#include "signing/timestamp_client.h"

namespace dosar::signing {
namespace {

void add_missing(std::vector<std::string>& to, std::vector<std::string> from) {
  for (std::string& der : from)
    if (std::find(to.begin(), to.end(), der) == to.end()) to.push_back(std::move(der));
}

// The document timestamp of the latest revision among `found`, or null.
const FoundSignature* last_document_timestamp(const std::vector<FoundSignature>& found) {
  const FoundSignature* last = nullptr;
  for (const auto& s : found)
    if (s.sub_filter == "ETSI.RFC3161" && (!last || s.covered_end() > last->covered_end())) last = &s;
  return last;
}

}  // namespace

std::string range_digest(const EVP_MD* md, const PreparedPdf& prepared) {
  const std::string_view bytes = prepared.bytes;
  return digest_parts(md, {bytes.substr(0, prepared.contents_begin), bytes.substr(prepared.contents_end)});
}

Status add_timestamp_validation_data(const std::string& token, const std::vector<std::string>& given_crls,
                                     DssContent& dss) {
  auto tsa = timestamp_signer(token);
  if (!tsa.ok()) return tsa.error();
  std::vector<std::string> certificates = {certificate_der(tsa->certificate.get())};
  for (int i = 0; i < sk_X509_num(tsa->chain.get()); ++i)
    certificates.push_back(certificate_der(sk_X509_value(tsa->chain.get(), i)));
  add_missing(dss.certificates, std::move(certificates));
  auto revocation = collect_revocation_data(*tsa, given_crls);
  if (!revocation.ok()) {
    const Error& e = revocation.error();
    return make_error(
        e.code, "--tsa",
        "answered with a timestamp whose signer's chain " +
            std::string(e.code == ErrorCode::conflict ? "is revoked" : "has no revocation data") + " (" +
            e.to_string() + ")");
  }
  add_missing(dss.ocsp_responses, std::move(revocation->ocsp_responses));
  add_missing(dss.crls, std::move(revocation->crls));
  return {};
}

Result<std::string> add_document_timestamp(const std::string& pdf, const SignOptions& options) {
  SignatureUpdate update;
  update.document_timestamp = true;
  update.contents_reserve = options.contents_reserve;
  auto prepared = prepare_signature_update(pdf, update);
  if (!prepared.ok()) return prepared.error();
  auto token = request_timestamp_token(range_digest(evp_md(options.digest), *prepared), options.tsa_url,
                                       options.digest);
  if (!token.ok()) return token.error();
  DOSAR_TRY(fill_signature_contents(*prepared, *token));
  return std::move(prepared->bytes);
}

Result<std::string> extend_lta(std::string_view pdf, const SignOptions& options) {
  if (options.tsa_url.empty())
    return make_error(ErrorCode::invalid_argument, "--tsa", "is needed to renew the archive timestamp");
  auto found = find_signatures(pdf);
  if (!found.ok()) return found.error();
  if (found->empty())
    return make_error(ErrorCode::invalid_argument, "", "has no signature: there is nothing to extend");
  std::string bytes(pdf);
  if (const FoundSignature* last = last_document_timestamp(*found)) {
    // The validation data of the last document timestamp, filed under its
    // VRI key, so that it stays provable once its TSA's certificate expires.
    DssContent dss;
    DOSAR_TRY(add_timestamp_validation_data(last->contents, options.crls, dss));
    dss.vri_key = vri_key(last->contents);
    auto with_dss = append_dss_update(bytes, dss);
    if (!with_dss.ok()) return with_dss.error();
    bytes = std::move(with_dss).value();
  } else if (read_dss(pdf).vri_keys.empty()) {
    return make_error(ErrorCode::invalid_argument, "",
                      "has no long-term validation data (DSS): only a B-LT or B-LTA signature can be "
                      "extended; sign it with --level B-LT or B-LTA");
  }
  return add_document_timestamp(bytes, options);
}

}  // namespace dosar::signing
