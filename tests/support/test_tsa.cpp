// dosar-test-tsa PORT_FILE TSA_CERT.pem TSA_KEY.pem [CA_CERTS.pem]
// A small RFC 3161 timestamp authority for the tests, on 127.0.0.1 at a port
// the kernel picks (written to PORT_FILE once listening), built on OpenSSL's
// TS API. It answers POST / with application/timestamp-reply and runs until killed.
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ts.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace {

std::atomic<long> next_serial{1};

ASN1_INTEGER* serial(TS_RESP_CTX*, void*) {
  ASN1_INTEGER* s = ASN1_INTEGER_new();
  ASN1_INTEGER_set(s, next_serial++);
  return s;
}

template <class T>
T* read_pem(const char* path, T* (*reader)(FILE*, T**, pem_password_cb*, void*)) {
  FILE* f = std::fopen(path, "r");
  if (!f) return nullptr;
  T* value = reader(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: dosar-test-tsa PORT_FILE TSA_CERT.pem TSA_KEY.pem [CA_CERTS.pem]\n";
    return 2;
  }
  X509* cert = read_pem<X509>(argv[2], PEM_read_X509);
  EVP_PKEY* key = read_pem<EVP_PKEY>(argv[3], PEM_read_PrivateKey);
  if (!cert || !key) {
    std::cerr << "dosar-test-tsa: cannot read the TSA certificate or key\n";
    return 1;
  }
  STACK_OF(X509)* chain = sk_X509_new_null();
  if (argc > 4) {
    FILE* f = std::fopen(argv[4], "r");
    while (f)
      if (X509* c = PEM_read_X509(f, nullptr, nullptr, nullptr))
        sk_X509_push(chain, c);
      else
        break;
    if (f) std::fclose(f);
  }
  httplib::Server server;
  server.Post("/", [&](const httplib::Request& request, httplib::Response& response) {
    TS_RESP_CTX* ctx = TS_RESP_CTX_new();
    TS_RESP_CTX_set_signer_cert(ctx, cert);
    TS_RESP_CTX_set_signer_key(ctx, key);
    TS_RESP_CTX_set_certs(ctx, chain);
    ASN1_OBJECT* policy = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
    TS_RESP_CTX_set_def_policy(ctx, policy);
    ASN1_OBJECT_free(policy);
    for (const EVP_MD* md : {EVP_sha256(), EVP_sha384(), EVP_sha512()}) TS_RESP_CTX_add_md(ctx, md);
    TS_RESP_CTX_set_serial_cb(ctx, serial, nullptr);
    BIO* in = BIO_new_mem_buf(request.body.data(), static_cast<int>(request.body.size()));
    TS_RESP* answer = TS_RESP_create_response(ctx, in);
    BIO_free(in);
    unsigned char* der = nullptr;
    const int length = answer ? i2d_TS_RESP(answer, &der) : -1;
    if (length > 0) {
      response.set_content(std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(length)),
                           "application/timestamp-reply");
    } else {
      response.status = 500;
    }
    OPENSSL_free(der);
    TS_RESP_free(answer);
    TS_RESP_CTX_free(ctx);
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 1;
  { std::ofstream(std::string(argv[1]) + ".tmp") << port << '\n'; }
  std::rename((std::string(argv[1]) + ".tmp").c_str(), argv[1]);
  server.listen_after_bind();
  return 0;
}
