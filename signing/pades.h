// PAdES signing and validation of PDF documents (ETSI EN 319 142-1, verdicts
// named after ETSI EN 319 102-1). signing/'s public header; it knows nothing
// of storage: documents go in and out as bytes. Format notes in
// docs/formats/pades.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

struct x509_st;  // OpenSSL's X509

namespace dosar::signing {

enum class DigestAlgorithm { sha256, sha384, sha512 };
enum class RsaPadding { pkcs1_v1_5, pss };
enum class PadesLevel { b_b, b_t, b_lt, b_lta };

// "sha256" -> DigestAlgorithm. Errors: invalid_argument.
Result<DigestAlgorithm> parse_digest_algorithm(std::string_view name);
// "B-B" | "B-T" | "B-LT" | "B-LTA" -> PadesLevel. Errors: invalid_argument.
Result<PadesLevel> parse_pades_level(std::string_view name);

// A private key with its certificate and the chain to embed. Move-only;
// the key stays in memory only as long as the object lives.
class SigningKey {
 public:
  // Reads a PKCS#12 file. Errors: not_found, io, permission (wrong password),
  // unsupported (no key or no certificate, or a key type other than RSA or EC).
  static Result<SigningKey> from_pkcs12(const std::filesystem::path& file, const std::string& password);
  // A key on a PKCS#11 token, by RFC 7512 URI ("pkcs11:token=T;object=O",
  // optionally "?module-path=/path/module.so", else $DOSAR_PKCS11_MODULE, else
  // p11-kit's modules). The key never leaves the token. `pin` goes to the
  // engine, which keeps it and the token login for the life of the process;
  // Dosar never writes it anywhere.
  // `chain_file`: PEM certificates to embed besides the token's; may be empty.
  // Errors: unsupported (no pkcs11 engine), permission (no key / wrong PIN),
  // not_found (no certificate with the key), io.
  static Result<SigningKey> from_pkcs11(const std::string& uri, const std::string& pin,
                                        const std::filesystem::path& chain_file = {});
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();
  // The signer's subject common name, else the whole subject.
  std::string signer_name() const;
  // The institution the certificate names: its subject organizationName (O),
  // else organizationIdentifier; empty when it names neither.
  std::string organization() const;

  struct Parts;
  const Parts& parts() const { return *parts_; }

 private:
  explicit SigningKey(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// The institution a certificate names: its subject organizationName (O),
// else organizationIdentifier, UTF-8; empty when it names neither. For
// certificates met outside signing (a TLS client's, SSL_get1_peer_certificate).
std::string certificate_organization(x509_st* certificate);

struct SignOptions {
  PadesLevel level = PadesLevel::b_b;
  DigestAlgorithm digest = DigestAlgorithm::sha256;
  RsaPadding rsa_padding = RsaPadding::pkcs1_v1_5;  // ignored for EC keys
  std::string reason;                               // /Reason; may be empty
  std::string tsa_url;                              // required for B-T, B-LT, B-LTA
  // B-LT and B-LTA: the document security store (/DSS) gets the certificates
  // and the revocation data collected at signing time (the signer's OCSP
  // answer, else its distribution point's CRL, and the CA certificates'
  // CRLs), so that the signature can be validated offline years later. These
  // CRLs (DER) are embedded too, and cover certificates that name neither an
  // OCSP responder nor a distribution point.
  std::vector<std::string> crls;
  // The claimed signing time written as /M (PAdES puts no signing-time
  // attribute in the CMS).
  std::chrono::system_clock::time_point signing_time = std::chrono::system_clock::now();
  // Bytes reserved for the CMS in /Contents (the hex string is twice this).
  std::size_t contents_reserve = 16384;
  // A visible stamp (signer, Bucharest date and time, reason) with its
  // lower-left corner at (x, y) points on `page` (1-based); invisible when absent.
  struct Stamp {
    int page = 1;
    double x = 36, y = 36;
  };
  std::optional<Stamp> visible;
  // A certification signature (DocMDP) instead of an approval one: the
  // changes it permits afterwards, 1 (none: later signatures break it; DSS and
  // document timestamps stay allowed, as PAdES needs them) or 2 (form filling
  // and further signatures). Only the first signature of a document can certify.
  int certify = 0;
  // Signing with a certificate outside its validity period makes a signature
  // no validator accepts; refused unless this is set (tests build such files).
  bool allow_invalid_certificate = false;
};

// Signs `pdf` with an invisible signature on page 1: appends one incremental
// update to the unchanged original bytes and returns the whole signed file.
// Errors: invalid_argument / unsupported (not a PDF qpdf can read, encrypted,
// no pages), conflict (certificate expired or not yet valid at signing_time),
// limit_exceeded (CMS larger than contents_reserve), io (TSA
// unreachable), corrupt (TSA answer unusable).
Result<std::string> sign_pdf(std::string_view pdf, const SigningKey& key, const SignOptions& options);

// Renews the archive timestamp of a B-LTA (or B-LT) signed PDF (ETSI EN 319
// 142-1 B-LTA, TS 119 102-1 augmentation): one incremental update with a DSS
// holding the certificates and revocation data of the last document
// timestamp's TSA chain (filed under its VRI key), then a new document
// timestamp from `options.tsa_url` over everything. Earlier signatures and
// timestamps stay intact; repeat it before the last TSA's certificate
// expires. Uses options.tsa_url, digest, crls and contents_reserve only.
// Errors: invalid_argument (no --tsa; not a readable PDF; no signature; no
// DSS nor document timestamp: not B-LT), conflict / invalid_argument / io
// (the last TSA's chain is revoked or has no revocation data), as sign_pdf
// for the TSA.
Result<std::string> extend_lta(std::string_view pdf, const SignOptions& options);

// ETSI EN 319 102-1 main indications.
enum class Indication { total_passed, indeterminate, total_failed };
const char* indication_name(Indication indication);  // "TOTAL-PASSED", ...

struct Change {
  int revision = 0;         // 1-based revision of the document that made the change
  std::string description;  // "new signature field 12 0 R", "page 1 content changed", ...
  bool allowed = false;     // further signatures, DSS, document timestamps
  bool signs = false;       // adds an approval signature (/Type /Sig)
};

struct SignatureReport {
  std::string field;       // the signature field's /T
  std::string sub_filter;  // ETSI.CAdES.detached, adbe.pkcs7.detached
  Indication indication = Indication::indeterminate;
  std::string subindication;   // "" when TOTAL-PASSED; else ETSI name, e.g. HASH_FAILURE
  std::string message;         // one plain-language sentence for users
  std::string signer;          // signer certificate subject CN (or subject)
  std::string organization;    // signer certificate subject O, else organizationIdentifier; may be empty
  bool qualified = false;      // the certificate says it is qualified (QcCompliance statement)
  bool qscd = false;           // ... and that its key is on a QSCD (QcSSCD statement)
  std::string signing_time;    // UTC ISO 8601: the timestamp's if any, else /M claimed
  std::string timestamp_time;  // UTC ISO 8601 of a valid signature timestamp; "" when none
  std::string level;           // PAdES-B-B, -B-T, -B-LT, -B-LTA; "PKCS7" (adbe.pkcs7.detached);
                               // "DocTimeStamp" (ETSI.RFC3161)
  int revision = 0;            // 1-based revision the signature signs
  int revisions_total = 0;
  int certification = 0;  // DocMDP /P of a certification signature; 0 for approval
  std::vector<Change> changes_after;
};

struct ValidationReport {
  // True only when every signature is TOTAL-PASSED and nothing disallowed
  // changed after the last one; false for a document without signatures.
  bool valid = false;
  std::vector<SignatureReport> signatures;
  // UTC ISO 8601 (seconds) of the time the signatures were judged at: now,
  // or the past time asked for (dosar verify --at).
  std::string validation_time;
};

struct TrustStore;
struct TrustStoreDeleter {
  void operator()(TrustStore*) const;
};
using TrustStorePtr = std::unique_ptr<TrustStore, TrustStoreDeleter>;

// Every *.pem / *.crt / *.crl file of `dir` (certificates and CRLs in PEM).
// CRLs found there are used for revocation checks. Errors: not_found, io,
// corrupt (a file that is not PEM).
Result<TrustStorePtr> load_trust_store(const std::filesystem::path& dir);
// The CRLs (DER) of the PEM files of `dir`, for SignOptions::crls.
// Errors: not_found, corrupt.
Result<std::vector<std::string>> read_crls(const std::filesystem::path& dir);

// Also ask, while validating, the OCSP responder named in each signer
// certificate, or when it names none or that does not answer, fetch the CRL
// of its distribution point (network access; off by default). Revocation
// data in the document settles it first. When neither can be had the
// signature is INDETERMINATE / TRY_LATER.
void set_online_revocation(TrustStore& trust, bool online);

// An empty store: nothing chains, every signature at most INDETERMINATE.
TrustStorePtr empty_trust_store();

// Limits on what one validation reads from an untrusted PDF. Every revision
// after a signature is compared object by object with the one before (once,
// shared by all signatures), so the work grows with revisions x objects.
struct ValidationLimits {
  int max_revisions = 256;  // incremental updates (%%EOF markers), the original included
  int max_signatures = 64;  // signature fields with a value
};

// Validates every signature of `pdf` as of `now`, the validation time: a
// past time judges certificates' validity, revocation (a certificate revoked
// after `now` was good then, when the evidence says so) and timestamps as
// they stood then. Errors only when the document itself
// cannot be read (invalid_argument/unsupported naming the reason) or exceeds
// `limits` (limit_exceeded); every problem of a signature is in its report.
Result<ValidationReport> verify_pdf(
    std::string_view pdf, const TrustStore& trust,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
    const ValidationLimits& limits = {});

// CAdES detached signature (DER, the content of a .p7s) over any file:
// levels B-B and B-T; signing-time attribute included. Errors: as sign_pdf,
// unsupported for B-LT.
Result<std::string> sign_detached(std::string_view content, const SigningKey& key,
                                  const SignOptions& options);

// Validates a .p7s against the file it signs; one SignatureReport (revision 1).
// A p7s that is not a CMS is a TOTAL-FAILED report, not an Error.
Result<ValidationReport> verify_detached(
    std::string_view content, std::string_view p7s, const TrustStore& trust,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace dosar::signing
