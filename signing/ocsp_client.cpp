#include "signing/ocsp_client.h"

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "signing/http_client.h"
#include "signing/openssl_util.h"

namespace dosar::signing {
namespace {

using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, OpenSslDeleter<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, OpenSslDeleter<OCSP_BASICRESP_free>>;
using OcspIdPtr = std::unique_ptr<OCSP_CERTID, OpenSslDeleter<OCSP_CERTID_free>>;

OcspAnswer unavailable(std::string detail) {
  ERR_clear_error();
  return {OcspAnswer::Status::unavailable, std::move(detail), {}};
}

struct ParsedResponse {
  OcspResponsePtr response;
  OcspBasicPtr basic;
};

// The basic response inside a successful OCSPResponse, or why there is none.
std::optional<ParsedResponse> parse_response(std::string_view der, const std::string& from,
                                             std::string& problem) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    problem = "OCSP responder " + from + " gave no successful answer";
    return std::nullopt;
  }
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) {
    problem = "OCSP answer without a basic response";
    return std::nullopt;
  }
  return ParsedResponse{std::move(response), std::move(basic)};
}

// The answer's verdict on `id`, once its signature has been checked;
// unavailable when `must_be_current` and it is not current now, or when it
// was out of date at `valid_at` (its nextUpdate not after it).
std::optional<OcspAnswer> status_of(OCSP_BASICRESP* basic, OCSP_CERTID* id, bool must_be_current,
                                    std::optional<std::time_t> valid_at = std::nullopt) {
  int status = 0;
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic, id, &status, &reason, &revoked_at, &this_update, &next_update) != 1)
    return std::nullopt;
  if (must_be_current && OCSP_check_validity(this_update, next_update, 300, -1) != 1)
    return unavailable("OCSP answer is not current");
  if (valid_at && next_update && X509_cmp_time(next_update, &*valid_at) <= 0)
    return unavailable("the OCSP answer in the document had expired at the validation time");
  if (status == V_OCSP_CERTSTATUS_GOOD) return OcspAnswer{OcspAnswer::Status::good, "", {}};
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    std::string when;
    if (BioPtr bio{BIO_new(BIO_s_mem())};
        bio && revoked_at && ASN1_GENERALIZEDTIME_print(bio.get(), revoked_at)) {
      char* text = nullptr;
      const long n = BIO_get_mem_data(bio.get(), &text);
      when.assign(text, static_cast<std::size_t>(n));
    }
    OcspAnswer revoked{OcspAnswer::Status::revoked, when, {}};
    std::tm tm{};
    if (revoked_at && ASN1_TIME_to_tm(revoked_at, &tm) == 1) revoked.revoked_at = timegm(&tm);
    return revoked;
  }
  return unavailable("OCSP responder does not know the certificate");
}

// OCSP_basic_verify against `store`, or only the responder's signature when
// `store` is null.
bool responder_signature_holds(OCSP_BASICRESP* basic, STACK_OF(X509) * untrusted, X509_STORE* store) {
  if (store) return OCSP_basic_verify(basic, untrusted, store, 0) == 1;
  std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>> empty(X509_STORE_new());
  return empty && OCSP_basic_verify(basic, untrusted, empty.get(), OCSP_NOVERIFY) == 1;
}

}  // namespace

std::optional<OcspAnswer> ask_ocsp(X509* cert, X509* issuer, STACK_OF(X509) * untrusted, X509_STORE* store) {
  STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert);
  if (!urls || sk_OPENSSL_STRING_num(urls) == 0) {
    X509_email_free(urls);
    return std::nullopt;
  }
  const std::string url = sk_OPENSSL_STRING_value(urls, 0);
  X509_email_free(urls);

  OcspIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  OcspRequestPtr request(OCSP_REQUEST_new());
  if (!id || !request || !OCSP_request_add0_id(request.get(), OCSP_CERTID_dup(id.get())) ||
      !OCSP_request_add1_nonce(request.get(), nullptr, -1))
    return unavailable("cannot make an OCSP request");
  unsigned char* der = nullptr;
  const int length = i2d_OCSP_REQUEST(request.get(), &der);
  const std::string body(reinterpret_cast<char*>(der), static_cast<std::size_t>(std::max(length, 0)));
  OPENSSL_free(der);

  auto answer = http_post(url, "application/ocsp-request", body);
  if (!answer.ok()) return unavailable("OCSP responder " + answer.error().to_string());
  std::string problem;
  auto parsed = parse_response(*answer, url, problem);
  if (!parsed) return unavailable(problem);
  if (OCSP_check_nonce(request.get(), parsed->basic.get()) != 1)
    return unavailable("OCSP answer does not carry our nonce");
  if (!responder_signature_holds(parsed->basic.get(), untrusted, store))
    return unavailable("OCSP answer is not signed by a trusted responder: " + openssl_errors());
  auto verdict = status_of(parsed->basic.get(), id.get(), true);
  if (!verdict) return unavailable("OCSP answer does not mention the certificate");
  verdict->response_der = std::move(answer).value();
  return verdict;
}

std::optional<OcspAnswer> judge_stored_ocsp(std::string_view response_der, X509* cert, X509* issuer,
                                            STACK_OF(X509) * untrusted, X509_STORE* store, std::time_t at) {
  std::string problem;
  auto parsed = parse_response(response_der, "(in the document)", problem);
  if (!parsed) return unavailable(problem);
  OcspIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  if (!id) return unavailable("cannot name the certificate for OCSP");
  auto verdict = status_of(parsed->basic.get(), id.get(), false, at);
  if (!verdict) {
    ERR_clear_error();
    return std::nullopt;
  }
  if (!responder_signature_holds(parsed->basic.get(), untrusted, store))
    return unavailable("the OCSP answer in the document is not signed by a trusted responder: " +
                       openssl_errors());
  return verdict;
}

}  // namespace dosar::signing
