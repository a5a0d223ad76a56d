#include "tests/support/test_crl.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cassert>
#include <cstdio>
#include <memory>

namespace dosar::testing {
namespace {

template <class T>
T* read_pem(const std::filesystem::path& path, T* (*reader)(FILE*, T**, pem_password_cb*, void*)) {
  FILE* f = std::fopen(path.c_str(), "r");
  assert(f && "PEM file missing");
  T* value = reader(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  assert(value && "not a PEM file of the expected kind");
  return value;
}

ASN1_TIME* asn1_time(std::chrono::system_clock::time_point t) {
  return ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t));
}

}  // namespace

std::string make_crl(const CrlSpec& spec) {
  X509* issuer = read_pem<X509>(spec.issuer_certificate, PEM_read_X509);
  EVP_PKEY* key = read_pem<EVP_PKEY>(spec.signing_key, PEM_read_PrivateKey);
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);  // v2
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
  ASN1_TIME* this_update = asn1_time(spec.this_update);
  ASN1_TIME* next_update = asn1_time(spec.next_update);
  X509_CRL_set1_lastUpdate(crl, this_update);
  X509_CRL_set1_nextUpdate(crl, next_update);
  ASN1_TIME* revoked_at =
      spec.revocation_date ? asn1_time(*spec.revocation_date) : ASN1_TIME_dup(this_update);
  for (const auto& path : spec.revoked) {
    X509* cert = read_pem<X509>(path, PEM_read_X509);
    X509_REVOKED* entry = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert));
    X509_REVOKED_set_revocationDate(entry, revoked_at);
    X509_CRL_add0_revoked(crl, entry);
    X509_free(cert);
  }
  X509_CRL_sort(crl);
  const int signed_ok = X509_CRL_sign(crl, key, EVP_sha256());
  assert(signed_ok > 0);
  (void)signed_ok;
  unsigned char* der = nullptr;
  const int length = i2d_X509_CRL(crl, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length > 0 ? length : 0));
  OPENSSL_free(der);
  ASN1_TIME_free(this_update);
  ASN1_TIME_free(next_update);
  ASN1_TIME_free(revoked_at);
  X509_CRL_free(crl);
  EVP_PKEY_free(key);
  X509_free(issuer);
  return out;
}

}  // namespace dosar::testing
