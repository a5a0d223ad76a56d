#include "signing/revocation_data.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <optional>

#include "base/clock.h"
#include "signing/http_client.h"
#include "signing/ocsp_client.h"
#include "signing/openssl_util.h"

namespace dosar::signing {
namespace {

using DistPointsPtr = std::unique_ptr<STACK_OF(DIST_POINT), OpenSslDeleter<CRL_DIST_POINTS_free>>;

// A CRL is a few kilobytes to a few megabytes; a national CA's can reach tens.
constexpr std::size_t kMaxCrlBytes = 64u << 20;

CrlPtr parse_crl(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
  if (!crl) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    crl.reset(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  }
  ERR_clear_error();
  return crl;
}

// The first http(s) URI among the certificate's CRL distribution points.
std::optional<std::string> distribution_point(X509* cert) {
  DistPointsPtr points(static_cast<STACK_OF(DIST_POINT)*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (!point->distpoint || point->distpoint->type != 0) continue;
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
      if (name->type != GEN_URI) continue;
      const auto* uri = name->d.uniformResourceIdentifier;
      std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<std::size_t>(ASN1_STRING_length(uri)));
      if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return url;
    }
  }
  ERR_clear_error();
  return std::nullopt;
}

X509* issuer_in(STACK_OF(X509) * chain, X509* cert) {
  for (int i = 0; i < sk_X509_num(chain); ++i)
    if (X509_check_issued(sk_X509_value(chain, i), cert) == X509_V_OK) return sk_X509_value(chain, i);
  return nullptr;
}

bool self_issued(X509* cert) {
  return X509_check_issued(cert, cert) == X509_V_OK;
}

// Whether `crl` lists `cert`; the revocation as an error naming the certificate.
Status refuse_if_listed(X509_CRL* crl, X509* cert) {
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_cert(crl, &entry, cert) == 1)
    return make_error(ErrorCode::conflict, certificate_name(cert),
                      "has a revoked certificate (listed in its CA's CRL); it cannot sign");
  return {};
}

// Whether one of `crls` comes from `cert`'s CA (and does not list it): by
// issuer name, and when `issuer` (the CA's certificate) is at hand, by
// crl_unusable now.
Result<bool> covered_by(const std::vector<CrlPtr>& crls, X509* cert, X509* issuer) {
  for (const auto& crl : crls) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert)) != 0) continue;
    if (issuer && crl_unusable(crl.get(), issuer, std::time(nullptr))) continue;
    DOSAR_TRY(refuse_if_listed(crl.get(), cert));
    return true;
  }
  return false;
}

std::string utc_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "an unreadable time";
  return format_utc(std::chrono::system_clock::from_time_t(timegm(&tm)));
}

}  // namespace

std::optional<std::string> crl_unusable(X509_CRL* crl, X509* issuer, std::time_t at) {
  const std::string ca = certificate_name(issuer);
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
    return "it is the CRL of another CA than " + ca;
  if (const auto* akid = static_cast<AUTHORITY_KEYID*>(
          X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, nullptr, nullptr))) {
    const int match = X509_check_akid(issuer, akid);
    AUTHORITY_KEYID_free(const_cast<AUTHORITY_KEYID*>(akid));
    if (match != X509_V_OK) return "its authority key identifier is not that of " + ca;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (!key || X509_CRL_verify(crl, key) != 1) {
    ERR_clear_error();
    return "it names " + ca + " but is not signed with its key (forged)";
  }
  std::time_t now = std::time(nullptr);
  if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &now) > 0)
    return "it was issued in the future (thisUpdate " + utc_text(X509_CRL_get0_lastUpdate(crl)) + ")";
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
  if (next && X509_cmp_time(next, &at) <= 0)
    return "it had expired at the validation time (nextUpdate " + utc_text(next) + ")";
  ERR_clear_error();
  return std::nullopt;
}

std::optional<std::time_t> crl_revocation_time(X509_CRL* crl, X509* cert) {
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_cert(crl, &entry, cert) != 1 || !entry) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(entry), &tm) != 1) return std::time_t{0};
  return timegm(&tm);
}

Result<CrlPtr> download_distribution_point_crl(X509* cert, X509* issuer) {
  auto url = distribution_point(cert);
  if (!url) return CrlPtr{};
  auto bytes = http_get(*url, kMaxCrlBytes);
  if (!bytes.ok()) return bytes.error();
  CrlPtr crl = parse_crl(*bytes);
  if (!crl) return make_error(ErrorCode::corrupt, *url, "is not a CRL");
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert)) != 0)
    return make_error(ErrorCode::corrupt, *url,
                      "is the CRL of another CA than " + certificate_name(cert) + "'s");
  if (issuer)
    if (auto why = crl_unusable(crl.get(), issuer, std::time(nullptr)))
      return make_error(ErrorCode::corrupt, *url,
                        "is no evidence about " + certificate_name(cert) + ": " + *why);
  return crl;
}

Result<std::optional<std::string>> fetch_distribution_point_crl(X509* cert, X509* issuer) {
  auto crl = download_distribution_point_crl(cert, issuer);
  if (!crl.ok()) return crl.error();
  if (!*crl) return std::optional<std::string>{};
  DOSAR_TRY(refuse_if_listed(crl->get(), cert));
  return std::optional<std::string>{crl_der(crl->get())};
}

Result<RevocationData> collect_revocation_data(const SigningKey::Parts& key,
                                               const std::vector<std::string>& given_crls) {
  RevocationData data;
  std::vector<CrlPtr> given;
  for (const auto& der : given_crls) {
    data.crls.push_back(der);
    if (CrlPtr crl = parse_crl(der)) given.push_back(std::move(crl));
  }
  STACK_OF(X509)* chain = key.chain.get();
  X509* signer = key.certificate.get();

  // The signer's certificate must be covered.
  X509* issuer = issuer_in(chain, signer);
  std::string why_not;
  if (issuer) {
    if (auto answer = ask_ocsp(signer, issuer, chain, nullptr)) {
      if (answer->status == OcspAnswer::Status::revoked)
        return make_error(ErrorCode::conflict, certificate_name(signer),
                          "has a revoked certificate (OCSP, " + answer->detail + "); it cannot sign");
      if (answer->status == OcspAnswer::Status::good)
        data.ocsp_responses.push_back(answer->response_der);
      else
        why_not = answer->detail;
    }
  }
  if (data.ocsp_responses.empty()) {
    auto crl = fetch_distribution_point_crl(signer, issuer);
    if (!crl.ok() && crl.error().code != ErrorCode::io) return crl.error();
    if (crl.ok() && *crl) {
      data.crls.push_back(**crl);
    } else {
      auto covered = covered_by(given, signer, issuer);
      if (!covered.ok()) return covered.error();
      if (!*covered) {
        if (!crl.ok()) why_not += (why_not.empty() ? "" : "; ") + crl.error().to_string();
        if (!why_not.empty())
          return make_error(ErrorCode::io, certificate_name(signer),
                            "has no revocation data for B-LT: " + why_not);
        return make_error(ErrorCode::invalid_argument, certificate_name(signer),
                          "names no OCSP responder and no CRL distribution point, and no CRL given (--crls) "
                          "is its CA's: B-LT needs one of them");
      }
    }
  }

  // Every CA certificate but the trust anchor (issue 5: "the intermediate CA
  // too"): a given CRL of its issuer, else its distribution point's CRL.
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* ca = sk_X509_value(chain, i);
    if (self_issued(ca)) continue;
    auto covered = covered_by(given, ca, issuer_in(chain, ca));
    if (!covered.ok()) return covered.error();
    if (*covered) continue;
    auto crl = fetch_distribution_point_crl(ca, issuer_in(chain, ca));
    if (!crl.ok()) return crl.error();
    if (!*crl)
      return make_error(ErrorCode::invalid_argument, certificate_name(ca),
                        "(a CA of " + certificate_name(signer) +
                            ") names no CRL distribution point, and no CRL given (--crls) is its "
                            "issuer's: B-LT needs revocation data for every certificate but the root");
    data.crls.push_back(**crl);
  }
  return data;
}

}  // namespace dosar::signing
