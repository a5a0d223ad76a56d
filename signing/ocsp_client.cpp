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
  return {OcspAnswer::Status::unavailable, std::move(detail)};
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
  const auto* p = reinterpret_cast<const unsigned char*>(answer->data());
  OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(answer->size())));
  if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return unavailable("OCSP responder " + url + " gave no successful answer");
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) return unavailable("OCSP answer without a basic response");
  if (OCSP_check_nonce(request.get(), basic.get()) != 1)
    return unavailable("OCSP answer does not carry our nonce");
  if (OCSP_basic_verify(basic.get(), untrusted, store, 0) != 1)
    return unavailable("OCSP answer is not signed by a trusted responder: " + openssl_errors());
  int status = 0;
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update,
                            &next_update) != 1)
    return unavailable("OCSP answer does not mention the certificate");
  if (OCSP_check_validity(this_update, next_update, 300, -1) != 1)
    return unavailable("OCSP answer is not current");
  if (status == V_OCSP_CERTSTATUS_GOOD) return OcspAnswer{OcspAnswer::Status::good, ""};
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    std::string when;
    if (BioPtr bio{BIO_new(BIO_s_mem())};
        bio && revoked_at && ASN1_GENERALIZEDTIME_print(bio.get(), revoked_at)) {
      char* text = nullptr;
      const long n = BIO_get_mem_data(bio.get(), &text);
      when.assign(text, static_cast<std::size_t>(n));
    }
    return OcspAnswer{OcspAnswer::Status::revoked, when};
  }
  return unavailable("OCSP responder does not know the certificate");
}

}  // namespace dosar::signing
