// dosar-sign-bench PKI_DIR [SECONDS]: PAdES B-B signatures per second and
// validations per second of a 1 MB PDF, with the RSA-2048 and ECDSA P-256
// keys of a test PKI (tests/support/make_test_pki.sh), and the time to sign a
// batch of 100 different documents with one key loaded once (one PIN entry).
// bench/sign_bench.sh puts the figures beside `openssl speed`.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "signing/pades.h"
#include "tests/support/sample_pdf.h"

using namespace dosar::signing;
using Clock = std::chrono::steady_clock;

namespace {

std::string one_megabyte_pdf(std::uint64_t seed) {
  dosar::testing::SamplePdfOptions options;
  options.filler_bytes = 1000 * 1000;
  options.filler_seed = seed;
  return dosar::testing::make_text_pdf({dosar::testing::romanian_sentence(seed)}, options);
}

template <class F>
double per_second(double seconds, F&& operation) {
  const auto start = Clock::now();
  long n = 0;
  double elapsed = 0;
  do {
    if (!operation()) return -1;
    ++n;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(n) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dosar-sign-bench PKI_DIR [SECONDS]\n");
    return 2;
  }
  const std::string pki = argv[1];
  const double seconds = argc > 2 ? std::stod(argv[2]) : 3.0;
  // With the CA's CRL, as deployed: a signer's revocation status must be known.
  auto trust = load_trust_store(pki + "/trust-crl");
  if (!trust.ok()) return std::fprintf(stderr, "%s\n", trust.error().to_string().c_str()), 1;
  const std::string pdf = one_megabyte_pdf(1);
  std::printf("pdf_bytes %zu\n", pdf.size());
  for (const char* name : {"rsa", "ec"}) {
    auto key = SigningKey::from_pkcs12(pki + "/" + name + ".p12", "test");
    if (!key.ok()) return std::fprintf(stderr, "%s\n", key.error().to_string().c_str()), 1;
    auto signed_pdf = sign_pdf(pdf, *key, {});
    if (!signed_pdf.ok()) return std::fprintf(stderr, "%s\n", signed_pdf.error().to_string().c_str()), 1;
    auto check = verify_pdf(*signed_pdf, **trust);
    if (!check.ok() || !check->valid)
      return std::fprintf(stderr, "%s: signed PDF does not validate\n", name), 1;
    const double signs = per_second(seconds, [&] { return sign_pdf(pdf, *key, {}).ok(); });
    const double validations = per_second(seconds, [&] {
      auto r = verify_pdf(*signed_pdf, **trust);
      return r.ok() && r->valid;
    });
    // A batch for one head: 100 different documents, the key loaded once.
    std::vector<std::string> batch;
    for (std::uint64_t i = 0; i < 100; ++i) batch.push_back(one_megabyte_pdf(100 + i));
    const auto start = Clock::now();
    for (const auto& document : batch)
      if (!sign_pdf(document, *key, {}).ok()) return 1;
    const double batch_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%s sign_per_s %.1f verify_per_s %.1f batch100_s %.3f\n", name, signs, validations,
                batch_seconds);
  }
  return 0;
}
