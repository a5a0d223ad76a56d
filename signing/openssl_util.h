// Owning pointers and error text for OpenSSL objects (internal to signing/).
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace dosar::signing {

template <auto Free>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, OpenSslDeleter<CMS_ContentInfo_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
// A stack that does not own its certificates.
struct ShallowX509StackDeleter {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using ShallowX509StackPtr = std::unique_ptr<STACK_OF(X509), ShallowX509StackDeleter>;

// The reasons OpenSSL queued on this thread, joined, and the queue cleared.
inline std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// The subject CN of a certificate, else its one-line subject.
std::string certificate_name(X509* cert);

// The DER encoding of `object` by OpenSSL's `I2d` (i2d_X509, ...); empty
// when OpenSSL cannot encode it.
template <auto I2d, class T>
std::string der_encoding(T* object) {
  unsigned char* out = nullptr;
  const int length = I2d(object, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(length > 0 ? length : 0));
  OPENSSL_free(out);
  return der;
}

inline std::string certificate_der(X509* cert) {
  return der_encoding<i2d_X509>(cert);
}

inline std::string crl_der(X509_CRL* crl) {
  return der_encoding<i2d_X509_CRL>(crl);
}

// Digest of `bytes` with `md`, as raw bytes.
std::string digest_bytes(const EVP_MD* md, std::string_view bytes);

// Digest of the concatenation of `parts` (the two ranges of a /ByteRange).
inline std::string digest_parts(const EVP_MD* md, std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>> ctx(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(ctx.get(), md, nullptr);
  for (auto part : parts) EVP_DigestUpdate(ctx.get(), part.data(), part.size());
  EVP_DigestFinal_ex(ctx.get(), out, &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

inline std::string upper_hex(std::string_view bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The key of a signature in the DSS's /VRI: the upper-case hex SHA-1 of its
// /Contents bytes, zero padding included (ETSI EN 319 142-1 §5.4.2.3).
inline std::string vri_key(std::string_view contents) {
  return upper_hex(digest_bytes(EVP_sha1(), contents));
}

}  // namespace dosar::signing
