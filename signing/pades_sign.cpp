// sign_pdf: the incremental update (pdf_update.cpp) around a CAdES CMS
// (cms_signer.cpp), with an optional RFC 3161 timestamp (timestamp_client.cpp).
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>

#include "base/clock.h"
#include "signing/cms_signer.h"
#include "signing/long_term.h"
#include "signing/pades.h"
#include "signing/pdf_update.h"
#include "signing/revocation_data.h"
#include "signing/timestamp_client.h"

namespace dosar::signing {
namespace {

std::string pdf_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "D:%Y%m%d%H%M%S+00'00'", &utc);
  return text;
}

// The signer's certificates and their revocation data, filed under this
// signature's VRI key.
DssContent dss_for(const SigningKey& key, RevocationData revocation, const std::string& cms_der,
                   std::size_t contents_bytes) {
  DssContent dss;
  dss.certificates.push_back(certificate_der(key.parts().certificate.get()));
  for (int i = 0; i < sk_X509_num(key.parts().chain.get()); ++i)
    dss.certificates.push_back(certificate_der(sk_X509_value(key.parts().chain.get(), i)));
  dss.crls = std::move(revocation.crls);
  dss.ocsp_responses = std::move(revocation.ocsp_responses);
  std::string contents = cms_der;
  contents.resize(contents_bytes, '\0');
  dss.vri_key = vri_key(contents);
  return dss;
}

}  // namespace

Result<std::string> sign_pdf(std::string_view pdf, const SigningKey& key, const SignOptions& options) {
  if (options.level != PadesLevel::b_b && options.tsa_url.empty())
    return make_error(ErrorCode::invalid_argument, "--tsa", "is needed for levels B-T, B-LT and B-LTA");
  if (!options.allow_invalid_certificate) {
    X509* cert = key.parts().certificate.get();
    std::time_t at = std::chrono::system_clock::to_time_t(options.signing_time);
    if (X509_cmp_time(X509_get0_notAfter(cert), &at) < 0)
      return make_error(ErrorCode::conflict, key.signer_name(),
                        "has a certificate that expired before the signing time");
    if (X509_cmp_time(X509_get0_notBefore(cert), &at) > 0)
      return make_error(ErrorCode::conflict, key.signer_name(), "has a certificate that is not yet valid");
  }
  if (options.certify < 0 || options.certify > 2)
    return make_error(ErrorCode::invalid_argument, "--certify",
                      "must be 1 (no changes) or 2 (form filling and signing)");
  SignatureUpdate update;
  update.certify = options.certify;
  update.reason = options.reason;
  update.signing_time_pdf = pdf_date(options.signing_time);
  update.contents_reserve = options.contents_reserve;
  if (options.visible) {
    update.page = options.visible->page;
    update.x = options.visible->x;
    update.y = options.visible->y;
    update.stamp_lines = {"Semnat digital de " + key.signer_name(),
                          "Data: " + format_bucharest(format_utc(options.signing_time)) + " (ora României)"};
    if (!options.reason.empty()) update.stamp_lines.push_back("Motiv: " + options.reason);
  }
  auto prepared = prepare_signature_update(pdf, update);
  if (!prepared.ok()) return prepared.error();
  // Collected before signing: a revoked certificate signs nothing, and an
  // unreachable responder costs no timestamp.
  RevocationData revocation;
  if (options.level == PadesLevel::b_lt || options.level == PadesLevel::b_lta) {
    auto collected = collect_revocation_data(key.parts(), options.crls);
    if (!collected.ok()) return collected.error();
    revocation = std::move(collected).value();
  }

  const std::string digest = range_digest(evp_md(options.digest), *prepared);
  auto cms = make_cades_detached(key, options.digest, options.rsa_padding, digest);
  if (!cms.ok()) return cms.error();
  std::string der = std::move(cms).value();
  std::string token;
  if (options.level != PadesLevel::b_b) {
    auto stamped = add_signature_timestamp(der, options.tsa_url, options.digest, &token);
    if (!stamped.ok()) return stamped.error();
    der = std::move(stamped).value();
  }
  DOSAR_TRY(fill_signature_contents(*prepared, der));
  if (options.level == PadesLevel::b_b || options.level == PadesLevel::b_t) return std::move(prepared->bytes);
  const std::size_t contents_bytes = (prepared->contents_end - prepared->contents_begin - 2) / 2;
  DssContent dss = dss_for(key, std::move(revocation), der, contents_bytes);
  DOSAR_TRY(add_timestamp_validation_data(token, options.crls, dss));
  auto with_dss = append_dss_update(prepared->bytes, dss);
  if (!with_dss.ok() || options.level == PadesLevel::b_lt) return with_dss;
  return add_document_timestamp(*with_dss, options);
}

}  // namespace dosar::signing
