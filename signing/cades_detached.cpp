// CAdES detached signatures (.p7s) of documents that are not PDFs: the same
// CMS as PAdES over the whole file, with a signing-time attribute (CAdES
// B-B carries the claimed time there), and an optional signature timestamp.
#include "signing/cms_signer.h"
#include "signing/cms_verifier.h"
#include "signing/pades.h"
#include "signing/timestamp_client.h"

namespace dosar::signing {

Result<std::string> sign_detached(std::string_view content, const SigningKey& key,
                                  const SignOptions& options) {
  if (options.level == PadesLevel::b_lt || options.level == PadesLevel::b_lta)
    return make_error(ErrorCode::unsupported, "--level", "B-LT and B-LTA are for PDFs; a .p7s is B-B or B-T");
  if (options.certify != 0)
    return make_error(ErrorCode::unsupported, "--certify", "certification (DocMDP) is for PDFs, not a .p7s");
  if (options.level == PadesLevel::b_t && options.tsa_url.empty())
    return make_error(ErrorCode::invalid_argument, "--tsa", "is needed for level B-T");
  auto cms = make_cades_detached(key, options.digest, options.rsa_padding,
                                 digest_bytes(evp_md(options.digest), content),
                                 std::chrono::system_clock::to_time_t(options.signing_time));
  if (!cms.ok() || options.level == PadesLevel::b_b) return cms;
  return add_signature_timestamp(*cms, options.tsa_url, options.digest);
}

Result<ValidationReport> verify_detached(std::string_view content, std::string_view p7s,
                                         const TrustStore& trust, std::chrono::system_clock::time_point now) {
  CmsVerdict cms =
      verify_cms(p7s, {content, std::string_view()}, trust, now, /*require_signing_certificate=*/true);
  SignatureReport r;
  r.field = "p7s";
  r.sub_filter = "CAdES detached";
  r.signing_time = cms.claimed_time;
  copy_verdict(cms, r);
  r.level = cms.timestamp_time.empty() ? "CAdES-B-B" : "CAdES-B-T";
  r.revision = 1;
  r.revisions_total = 1;
  refuse_if_made_after(r, now);
  if (r.indication == Indication::total_passed)
    r.message = "Valid signature by " + r.signer + " on exactly this file.";
  ValidationReport report;
  report.valid = r.indication == Indication::total_passed;
  report.validation_time = iso_utc(std::chrono::system_clock::to_time_t(now));
  report.signatures.push_back(std::move(r));
  return report;
}

}  // namespace dosar::signing
