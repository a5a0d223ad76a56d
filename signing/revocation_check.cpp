#include "signing/revocation_check.h"

#include "signing/ocsp_client.h"
#include "signing/openssl_util.h"
#include "signing/revocation_data.h"

namespace dosar::signing {
namespace {

// What the CRLs at hand say about `cert`, issued by `issuer`, at `at`.
struct CrlFinding {
  bool covered = false;                // a CRL that counts does not list it as revoked by `at`
  std::optional<std::time_t> revoked;  // a CRL that counts lists it, revoked by `at`
  std::string problem;                 // why a CRL of `issuer` does not count
};

CrlFinding judge_crls(const std::vector<X509_CRL*>& crls, X509* cert, X509* issuer, std::time_t at) {
  CrlFinding finding;
  for (X509_CRL* crl : crls) {
    // A CRL of another CA is about other certificates, not a failed attempt.
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) continue;
    if (auto why = crl_unusable(crl, issuer, at)) {
      if (finding.problem.empty()) finding.problem = *why;
      continue;
    }
    if (auto when = crl_revocation_time(crl, cert); when && *when <= at) {
      finding.revoked = when;
      return finding;
    }
    finding.covered = true;
  }
  return finding;
}

// An OCSP answer's verdict at `at`: a revocation after `at` leaves the certificate good then.
bool revoked_by(const OcspAnswer& answer, std::time_t at) {
  return answer.status == OcspAnswer::Status::revoked && answer.revoked_at <= at;
}

// One certificate of the chain being judged, with its issuer.
struct Judged {
  X509* cert = nullptr;
  X509* issuer = nullptr;
  bool leaf = false;
  std::string whose;  // "The signer's certificate", "A certificate of the signer's CA (…)"
};

const char* revoked_code(const Judged& j) {
  return j.leaf ? "REVOKED_NO_POE" : "REVOKED_CA_NO_POE";
}

// The leaf whose status nothing at hand or online shows: ETSI EN 319 102-1
// wants the status known, so it is INDETERMINATE / TRY_LATER, saying what to do.
CmsVerdict no_evidence(const Judged& j, const TrustStore& trust) {
  const std::string remedy = trust.online
                                 ? "; it names no OCSP responder or CRL distribution point to ask: "
                                   "put its CA's current CRL in the trust folder"
                                 : "; run with --online, or put its CA's current CRL in the trust folder";
  return verdict(Indication::indeterminate, "TRY_LATER",
                 j.whose +
                     " could not be checked for revocation: no CRL or OCSP answer about it in the trust "
                     "folder or the document" +
                     remedy + ".");
}

// What the OCSP answers in the document, then (trust.online) the responder
// and the distribution point `j.cert` names say of it at `at`, after what
// the CRLs at hand found (`crls`: no revocation). The failing verdict;
// std::nullopt when good, or for a CA when nothing shows its status.
std::optional<CmsVerdict> check_beyond_crls(const Judged& j, const CrlFinding& crls,
                                            STACK_OF(X509) * untrusted, const TrustStore& trust,
                                            std::time_t at, const EmbeddedValidationData& embedded) {
  const bool covered = crls.covered;
  // "" when the CRLs at hand had nothing to say or one counted.
  const std::string crl_problem =
      covered || crls.problem.empty()
          ? ""
          : "the CRL of " + certificate_name(j.issuer) + " does not count: " + crls.problem;
  // An OCSP answer collected at signing time (B-LT, or inside the CMS)
  // settles it offline: "good" then is what counts for a signature made then.
  for (const auto& der : embedded.ocsp_responses) {
    auto stored = judge_stored_ocsp(der, j.cert, j.issuer, untrusted, trust.store, at);
    if (!stored || stored->status == OcspAnswer::Status::unavailable) continue;
    if (!revoked_by(*stored, at)) return std::nullopt;
    return verdict(Indication::indeterminate, revoked_code(j),
                   j.whose + " has been revoked (OCSP answer in the document, " + stored->detail + ").");
  }
  auto unknown = [&](const std::string& why) {
    return verdict(Indication::indeterminate, "TRY_LATER",
                   j.whose + " could not be checked for revocation (" + why + ").");
  };
  if (!trust.online) {
    if (!crl_problem.empty()) return unknown(crl_problem);
    if (j.leaf && !covered) return no_evidence(j, trust);
    return std::nullopt;
  }
  auto answer = ask_ocsp(j.cert, j.issuer, untrusted, trust.store);
  if (answer && answer->status != OcspAnswer::Status::unavailable) {
    if (!revoked_by(*answer, at)) return std::nullopt;
    return verdict(Indication::indeterminate, revoked_code(j),
                   j.whose + " has been revoked (OCSP, " + answer->detail + ").");
  }
  // No responder, or none that answered: the CA's CRL, as the certificate
  // names its distribution point, judged as the CRLs at hand are: a
  // revocation after `at` leaves the certificate good at `at`.
  auto crl = download_distribution_point_crl(j.cert, j.issuer);
  std::string dp_problem = crl.ok() ? "" : crl.error().to_string();
  if (crl.ok() && *crl) {
    const CrlFinding finding = judge_crls({crl->get()}, j.cert, j.issuer, at);
    if (finding.revoked)
      return verdict(Indication::indeterminate, revoked_code(j),
                     j.whose + " was revoked on " + iso_utc(*finding.revoked) +
                         " (listed in the CRL of its distribution point).");
    if (finding.covered) return std::nullopt;
    dp_problem = "the CRL of its distribution point does not count: " + finding.problem;
  }
  if (crl.ok() && !*crl && !answer && crl_problem.empty()) {  // nothing to ask
    if (j.leaf && !covered) return no_evidence(j, trust);
    return std::nullopt;
  }
  std::string why = crl_problem;
  if (answer) why += (why.empty() ? "" : "; ") + std::string("OCSP: ") + answer->detail;
  if (!dp_problem.empty()) why += (why.empty() ? "" : "; ") + std::string("CRL: ") + dp_problem;
  return unknown(why);
}

}  // namespace

std::optional<CmsVerdict> check_revocation(STACK_OF(X509) * chain, STACK_OF(X509) * untrusted,
                                           const TrustStore& trust, std::time_t at,
                                           const EmbeddedValidationData& embedded, const ChainOwner& owner) {
  const int length = sk_X509_num(chain);
  if (length < 2) return std::nullopt;
  std::vector<CrlPtr> owned;
  std::vector<X509_CRL*> crls;
  for (const auto& der : embedded.crls) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    if (X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()))) {
      owned.emplace_back(crl);
      crls.push_back(crl);
    }
  }
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(trust.store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    if (X509_CRL* crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objects, i))) crls.push_back(crl);
  ERR_clear_error();

  // A revocation any CRL at hand shows settles it, for the leaf or a CA.
  std::vector<Judged> judged;
  std::vector<CrlFinding> findings;
  for (int i = 0; i + 1 < length; ++i) {
    Judged j{sk_X509_value(chain, i), sk_X509_value(chain, i + 1), i == 0, ""};
    j.whose = j.leaf ? "The " + owner.whose + " certificate"
                     : "A certificate of the " + owner.whose + " CA (" + certificate_name(j.cert) + ")";
    CrlFinding finding = judge_crls(crls, j.cert, j.issuer, at);
    if (finding.revoked)
      return verdict(Indication::indeterminate, revoked_code(j),
                     j.whose + " was revoked on " + iso_utc(*finding.revoked) + " (CRL of " +
                         certificate_name(j.issuer) + ").");
    judged.push_back(std::move(j));
    findings.push_back(std::move(finding));
  }
  // Then OCSP and (online) the distribution point: always for the leaf, for
  // a CA when no CRL at hand covers it. A revocation shown for any of them
  // outweighs a status not known for another (the leaf's, say).
  std::optional<CmsVerdict> unknown;
  for (std::size_t i = 0; i < judged.size(); ++i) {
    if (!judged[i].leaf && findings[i].covered) continue;
    auto failed = check_beyond_crls(judged[i], findings[i], untrusted, trust, at, embedded);
    if (!failed) continue;
    if (failed->subindication != "TRY_LATER") return failed;
    if (!unknown) unknown = std::move(failed);
  }
  return unknown;
}

}  // namespace dosar::signing
