// Verification of one CMS signature over the bytes its ByteRange covers
// (internal to signing/).
#pragma once

#include <openssl/x509_vfy.h>

#include <array>
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "signing/pades.h"

namespace dosar::signing {

struct TrustStore {
  X509_STORE* store = nullptr;
  bool has_crls = false;
  bool online = false;  // ask the signer certificate's OCSP responder, else its CA's CRL
};

struct CmsVerdict {
  Indication indication = Indication::total_passed;
  std::string subindication;
  std::string message;
  std::string signer;
  std::string organization;    // the signer certificate's O, else organizationIdentifier
  std::string timestamp_time;  // UTC ISO 8601 of a verified signature timestamp
  std::string claimed_time;    // UTC ISO 8601 of the signing-time attribute, if any
  bool qualified = false;      // the signer's certificate says QcCompliance (ETSI EN 319 412-5)
  bool qscd = false;           // ... and QcSSCD: the key is on a qualified signature creation device
  // Why the signature timestamp present does not count as proof of time
  // (its TSA's certificate revoked before the time it asserts): the verdict
  // is then what can be shown without it. "" otherwise.
  std::string timestamp_problem;
};

// A verdict without signer details.
CmsVerdict verdict(Indication indication, std::string subindication, std::string message);
// "2026-11-23T09:28:38Z".
std::string iso_utc(std::time_t t);

// Copies the verdict, its sentence, the signer and what the certificate
// states into a report; the timestamp time too when there is one.
inline void copy_verdict(const CmsVerdict& v, SignatureReport& r) {
  r.indication = v.indication;
  r.subindication = v.subindication;
  r.message = v.message;
  r.signer = v.signer;
  r.organization = v.organization;
  r.qualified = v.qualified;
  r.qscd = v.qscd;
  if (!v.timestamp_time.empty()) r.timestamp_time = r.signing_time = v.timestamp_time;
}

// A signature judged as of a time before it was made proves nothing about
// that time (`verify --at`): a passed verdict becomes INDETERMINATE /
// NO_POE when the time it was made is after `validation_time`: its
// timestamp's time, five minutes of clock skew allowed, else the time it
// claims, fourteen hours allowed (a PDF date without a zone may be any
// zone's local time).
inline void refuse_if_made_after(SignatureReport& r, std::chrono::system_clock::time_point validation_time) {
  const bool stamped = !r.timestamp_time.empty();
  const std::string& made = stamped ? r.timestamp_time : r.signing_time;
  const auto allowed = stamped ? std::chrono::minutes(5) : std::chrono::minutes(14 * 60);
  const std::string latest = iso_utc(std::chrono::system_clock::to_time_t(validation_time + allowed));
  if (r.indication != Indication::total_passed || made.empty() || made <= latest) return;
  r.indication = Indication::indeterminate;
  r.subindication = "NO_POE";
  r.message =
      "The signature was made at " + made + " (UTC), after the time it is judged at: it did not exist then.";
}

// Certificates, CRLs and OCSP responses found in the document (DSS), DER;
// used besides those of the CMS and of the trust store, never as trust
// anchors. An OCSP response counts only when a responder the trust store
// accepts signed it.
struct EmbeddedValidationData {
  std::vector<std::string> certificates;
  std::vector<std::string> crls;
  std::vector<std::string> ocsp_responses;
};

// Digest, signature, signing-certificate attribute, signature timestamp
// (its TSA's chain at `now`: the validation time, or the time a later
// document timestamp proves the signature existed; the TSA's certificate not
// revoked before the time the token asserts, by check_revocation),
// chain to `trust` at the best signature time (the timestamp's, else `now`),
// revocation at that time (check_revocation, with `embedded` and the
// evidence inside the CMS: SignedData.crls and adbe-revocationInfoArchival),
// and key usage. `require_signing_certificate`:
// the ESS signing-certificate(-v2) attribute must be present (CAdES).
CmsVerdict verify_cms(std::string_view der, const std::array<std::string_view, 2>& signed_ranges,
                      const TrustStore& trust, std::chrono::system_clock::time_point now,
                      bool require_signing_certificate, const EmbeddedValidationData& embedded = {});

// A document timestamp (/SubFilter ETSI.RFC3161): an RFC 3161 token whose
// imprint is the digest of the signed ranges, signed by a TSA that chains to
// `trust` at `at` (critical timeStamping EKU), whose certificate was not
// revoked before the time the token asserts (REVOKED_NO_POE: it proves no
// time). `signer` is the TSA, `timestamp_time` its time.
CmsVerdict verify_document_timestamp(std::string_view token_der,
                                     const std::array<std::string_view, 2>& signed_ranges,
                                     const TrustStore& trust, std::chrono::system_clock::time_point at,
                                     const EmbeddedValidationData& embedded = {});

}  // namespace dosar::signing
