// PAdES signing and validation against a test PKI made by
// tests/support/make_test_pki.sh, with Poppler's pdfsig, `openssl cms
// -verify` and `openssl ts -verify` as independent checks, and the attacks of
// issue 5 built from signed files.
#include "signing/pades.h"

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <regex>
#include <thread>
#include <tuple>

#include "signing/long_term.h"
#include "signing/pdf_structure.h"
#include "signing/pdf_update.h"
#include "tests/support/pdf_tamper.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_crl.h"
#include "tests/test_paths.h"

namespace dosar::signing {
namespace {

namespace fs = std::filesystem;
using dosar::testing::read_file;
using dosar::testing::shell;
using dosar::testing::TempDir;
using dosar::testing::write_file;
using namespace dosar::testing::tamper;

std::string format_utc_seconds(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

class PadesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir;
    std::string out;
    ASSERT_EQ(
        shell("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + pki_->path().string(), &out), 0)
        << out;
    // An NSS database trusting the test root, for pdfsig.
    const std::string nss = (pki_->path() / "nss").string();
    fs::create_directories(nss);
    ASSERT_EQ(shell("certutil -N -d sql:" + nss + " --empty-password && certutil -A -d sql:" + nss +
                        " -n root -t CT,C,C -i " + (pki_->path() / "root.pem").string(),
                    &out),
              0)
        << out;
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static fs::path pki(const std::string& name) { return pki_->path() / name; }

  static std::string sample() {
    return dosar::testing::make_text_pdf(
        {"Dispoziția nr. 1234/22.11.2026\nSe aprobă plata sumei de 100 lei.", "Pagina a doua"});
  }

  static SigningKey key(const std::string& name) {
    auto k = SigningKey::from_pkcs12(pki(name + ".p12"), "test");
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().to_string());
    return std::move(k).value();
  }

  static std::string sign(const std::string& pdf, const std::string& key_name, SignOptions options = {}) {
    auto signed_pdf = sign_pdf(pdf, key(key_name), options);
    EXPECT_TRUE(signed_pdf.ok()) << (signed_pdf.ok() ? "" : signed_pdf.error().to_string());
    return signed_pdf.ok() ? std::move(signed_pdf).value() : std::string();
  }

  // By default with the CA's CRL in the trust folder, as a deployment keeps
  // it: a signer's revocation status must be known (issue 5).
  static ValidationReport verify(const std::string& pdf, const std::string& trust_dir = "trust-crl") {
    auto trust = load_trust_store(pki(trust_dir));
    EXPECT_TRUE(trust.ok());
    auto report = verify_pdf(pdf, **trust);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().to_string());
    return report.ok() ? std::move(report).value() : ValidationReport{};
  }

  static ValidationReport verify_p7s(const std::string& content, const std::string& p7s,
                                     const std::string& trust_dir = "trust-crl") {
    auto trust = load_trust_store(pki(trust_dir));
    EXPECT_TRUE(trust.ok());
    auto report = verify_detached(content, p7s, **trust);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.error().to_string());
    return report.ok() ? std::move(report).value() : ValidationReport{};
  }

  // pdfsig's verdict with the test root trusted.
  std::string pdfsig(const std::string& pdf) {
    const fs::path file = dir_ / "pdfsig-input.pdf";
    write_file(file, pdf);
    std::string out;
    shell("pdfsig -nssdir sql:" + pki("nss").string() + " " + file.string(), &out);
    return out;
  }

  TempDir dir_;
  static TempDir* pki_;
};
TempDir* PadesTest::pki_ = nullptr;

void expect_verdict(const ValidationReport& report, std::size_t index, Indication indication,
                    const std::string& subindication) {
  ASSERT_GT(report.signatures.size(), index);
  const SignatureReport& s = report.signatures[index];
  EXPECT_EQ(indication_name(s.indication), std::string(indication_name(indication))) << s.message;
  EXPECT_EQ(s.subindication, subindication) << s.message;
  EXPECT_FALSE(report.valid);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// --- signing -------------------------------------------------------------

TEST_F(PadesTest, SignedFileKeepsTheOriginalBytesAndAddsOneRevision) {
  const std::string original = sample();
  const std::string signed_pdf = sign(original, "rsa");
  ASSERT_GT(signed_pdf.size(), original.size());
  EXPECT_EQ(signed_pdf.compare(0, original.size(), original), 0);
  const std::string update = signed_pdf.substr(original.size());
  for (const char* expected :
       {"/Filter /Adobe.PPKLite", "/SubFilter /ETSI.CAdES.detached", "/ByteRange [0 ",
        "/M (D:", "/SigFlags 3", "/Rect [0 0 0 0]", "/FT /Sig", "/Prev ", "/AcroForm "})
    EXPECT_NE(update.find(expected), std::string::npos) << expected;
  EXPECT_EQ(count(update, "%%EOF"), 1u);
  const ValidationReport report = verify(signed_pdf);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(report.signatures[0].signer, "Ion Popescu (RSA)");
  EXPECT_EQ(report.signatures[0].level, "PAdES-B-B");
  EXPECT_EQ(report.signatures[0].revision, 2);
  EXPECT_TRUE(report.signatures[0].changes_after.empty());
}

TEST_F(PadesTest, EveryKeyTypeAndDigestSignsWhatPdfsigAndOpensslAccept) {
  struct Case {
    const char* key;
    DigestAlgorithm digest;
    RsaPadding padding;
    const char* pdfsig_hash;
  };
  for (const Case& c : {Case{"rsa", DigestAlgorithm::sha256, RsaPadding::pkcs1_v1_5, "SHA-256"},
                        Case{"rsa", DigestAlgorithm::sha512, RsaPadding::pss, "SHA-512"},
                        Case{"ec", DigestAlgorithm::sha256, RsaPadding::pkcs1_v1_5, "SHA-256"},
                        Case{"p384", DigestAlgorithm::sha384, RsaPadding::pkcs1_v1_5, "SHA-384"}}) {
    SCOPED_TRACE(std::string(c.key) + " " + c.pdfsig_hash);
    SignOptions options;
    options.digest = c.digest;
    options.rsa_padding = c.padding;
    const std::string signed_pdf = sign(sample(), c.key, options);
    EXPECT_TRUE(verify(signed_pdf).valid);
    const std::string poppler = pdfsig(signed_pdf);
    EXPECT_NE(poppler.find("Signature Validation: Signature is Valid."), std::string::npos) << poppler;
    EXPECT_NE(poppler.find("Certificate Validation: Certificate is Trusted."), std::string::npos) << poppler;
    EXPECT_NE(poppler.find(c.pdfsig_hash), std::string::npos) << poppler;

    // The CMS alone, over the ByteRange bytes, by `openssl cms -verify`.
    const auto parts = split_signature(signed_pdf, 0);
    write_file(dir_ / "content.bin", parts.signed_bytes);
    write_file(dir_ / "sig.der", parts.cms);
    std::string out;
    EXPECT_EQ(shell("openssl cms -verify -binary -inform DER -in " + (dir_ / "sig.der").string() +
                        " -content " + (dir_ / "content.bin").string() + " -CAfile " +
                        pki("ca-chain.pem").string() + " -purpose any -out /dev/null",
                    &out),
              0)
        << out;
    EXPECT_EQ(shell("openssl cms -cmsout -print -inform DER -in " + (dir_ / "sig.der").string(), &out), 0);
    EXPECT_NE(out.find("id-smime-aa-signingCertificateV2"), std::string::npos);
    EXPECT_NE(out.find("messageDigest"), std::string::npos);
    EXPECT_EQ(out.find("signingTime"), std::string::npos) << "PAdES carries the time in /M only";
    if (c.padding == RsaPadding::pss) {
      EXPECT_NE(out.find("rsassaPss"), std::string::npos);
    }
  }
}

TEST_F(PadesTest, SigningTwiceKeepsBothSignaturesValid) {
  const std::string once = sign(sample(), "rsa");
  const std::string twice = sign(once, "ec");
  const ValidationReport report = verify(twice);
  ASSERT_EQ(report.signatures.size(), 2u);
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.signatures[0].revision, 2);
  EXPECT_EQ(report.signatures[1].revision, 3);
  EXPECT_EQ(report.signatures[1].signer, "Maria Ionescu (ECDSA)");
  ASSERT_FALSE(report.signatures[0].changes_after.empty());
  for (const auto& change : report.signatures[0].changes_after)
    EXPECT_TRUE(change.allowed) << change.description;
  EXPECT_EQ(count(pdfsig(twice), "Signature is Valid."), 2u);
}

TEST_F(PadesTest, XrefStreamDocumentGetsAnXrefStreamUpdate) {
  write_file(dir_ / "plain.pdf", sample());
  std::string out;
  ASSERT_EQ(shell("qpdf --object-streams=generate " + (dir_ / "plain.pdf").string() + " " +
                      (dir_ / "xref-stream.pdf").string(),
                  &out),
            0)
      << out;
  const std::string original = read_file(dir_ / "xref-stream.pdf");
  ASSERT_NE(original.find("/XRef"), std::string::npos);
  const std::string signed_pdf = sign(original, "rsa");
  const std::string update = signed_pdf.substr(original.size());
  EXPECT_NE(update.find("/Type /XRef"), std::string::npos);
  EXPECT_EQ(update.find("\nxref\n"), std::string::npos);
  EXPECT_TRUE(verify(signed_pdf).valid);
  EXPECT_NE(pdfsig(signed_pdf).find("Signature is Valid."), std::string::npos);
  write_file(dir_ / "signed.pdf", signed_pdf);
  EXPECT_EQ(shell("qpdf --check " + (dir_ / "signed.pdf").string(), &out), 0) << out;
}

TEST_F(PadesTest, SignatureMadeByPdfsigValidatesAndCanBeCountersigned) {
  const std::string nss = (dir_ / "nss").string();
  fs::create_directories(nss);
  write_file(dir_ / "plain.pdf", sample());
  std::string out;
  ASSERT_EQ(shell("certutil -N -d sql:" + nss + " --empty-password && certutil -A -d sql:" + nss +
                      " -n root -t CT,C,C -i " + pki("root.pem").string() + " && pk12util -d sql:" + nss +
                      " -i " + pki("rsa.p12").string() + " -W test -K '' && pdfsig -nssdir sql:" + nss +
                      " -add-signature -nick 'Ion Popescu (RSA)' " + (dir_ / "plain.pdf").string() + " " +
                      (dir_ / "by-pdfsig.pdf").string(),
                  &out),
            0)
      << out;
  const std::string by_poppler = read_file(dir_ / "by-pdfsig.pdf");
  ValidationReport report = verify(by_poppler);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].sub_filter, "adbe.pkcs7.detached");
  report = verify(sign(by_poppler, "ec"));
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.signatures.size(), 2u);
}

TEST_F(PadesTest, CertificationWithNoChangesIsBrokenByALaterSignatureAndRefusedBeforeIt) {
  SignOptions certify;
  certify.certify = 1;
  const std::string certified = sign(sample(), "rsa", certify);
  EXPECT_NE(certified.find("/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1"),
            std::string::npos);
  EXPECT_NE(certified.find("/Perms << /DocMDP "), std::string::npos);
  ValidationReport report = verify(certified);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].certification, 1);
  EXPECT_NE(pdfsig(certified).find("Signature is Valid."), std::string::npos);
  std::string out;
  write_file(dir_ / "certified.pdf", certified);
  EXPECT_EQ(shell("qpdf --check " + (dir_ / "certified.pdf").string(), &out), 0) << out;

  // Dosar refuses to sign it again, and to certify what is signed already.
  auto again = sign_pdf(certified, key("ec"), {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  auto late_certification = sign_pdf(sign(sample(), "ec"), key("rsa"), certify);
  ASSERT_FALSE(late_certification.ok());
  EXPECT_EQ(late_certification.error().code, ErrorCode::conflict);

  // Another tool signs it anyway: that signature is fine, the certification is broken.
  const std::string nss = (dir_ / "nss").string();
  fs::create_directories(nss);
  ASSERT_EQ(shell("certutil -N -d sql:" + nss + " --empty-password && pk12util -d sql:" + nss + " -i " +
                      pki("rsa.p12").string() + " -W test -K '' && pdfsig -nssdir sql:" + nss +
                      " -add-signature -nick 'Ion Popescu (RSA)' " + (dir_ / "certified.pdf").string() + " " +
                      (dir_ / "countersigned.pdf").string(),
                  &out),
            0)
      << out;
  report = verify(read_file(dir_ / "countersigned.pdf"));
  ASSERT_EQ(report.signatures.size(), 2u);
  expect_verdict(report, 0, Indication::indeterminate, "SIG_CONSTRAINTS_FAILURE");
  EXPECT_NE(report.signatures[0].message.find("no changes permitted"), std::string::npos)
      << report.signatures[0].message;
  EXPECT_EQ(report.signatures[1].indication, Indication::total_passed) << report.signatures[1].message;
}

TEST_F(PadesTest, CertificationPermittingSignaturesStaysValidWhenSignedAgain) {
  SignOptions certify;
  certify.certify = 2;
  const ValidationReport report = verify(sign(sign(sample(), "rsa", certify), "ec"));
  ASSERT_EQ(report.signatures.size(), 2u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].certification, 2);
  EXPECT_EQ(report.signatures[1].certification, 0);
  certify.certify = 3;
  auto refused = sign_pdf(sample(), key("rsa"), certify);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
}

// The stamp region of page 2 rendered by Poppler, as PPM bytes.
std::string render_stamp_region(const fs::path& pdf) {
  std::string out;
  // 50 dpi: (300, 60) points from the lower left of an A4 page = (208, 543) pixels from the top left.
  shell("pdftoppm -r 50 -f 2 -l 2 -x 200 -y 500 -W 180 -H 50 " + pdf.string() + " " + pdf.string() + ".crop",
        &out);
  return read_file(pdf.string() + ".crop-2.ppm");
}

TEST_F(PadesTest, VisibleStampIsDrawnOnTheChosenPageAndStaysValid) {
  SignOptions options;
  options.reason = "Aprobat în ședința consiliului";
  options.visible = SignOptions::Stamp{2, 300, 60};
  const std::string original = sample();
  const std::string signed_pdf = sign(original, "rsa", options);
  EXPECT_NE(signed_pdf.find("/Rect [300.00 60.00 540.00 120.00] /AP << /N "), std::string::npos);
  EXPECT_TRUE(verify(signed_pdf).valid);
  EXPECT_NE(pdfsig(signed_pdf).find("Signature is Valid."), std::string::npos);
  write_file(dir_ / "original.pdf", original);
  write_file(dir_ / "stamped.pdf", signed_pdf);
  const std::string before = render_stamp_region(dir_ / "original.pdf");
  const std::string after = render_stamp_region(dir_ / "stamped.pdf");
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(before.size(), after.size());
  EXPECT_NE(before, after) << "nothing drawn where the stamp should be";

  options.visible = SignOptions::Stamp{3, 300, 60};
  auto no_page = sign_pdf(original, key("rsa"), options);
  ASSERT_FALSE(no_page.ok());
  EXPECT_EQ(no_page.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(no_page.error().subject.find("page 3"), std::string::npos);
}

// Dark pixels (gray < 128) inside the stamp box at (300, 60) on page 2,
// rendered at 72 dpi, a few points in from its frame: the text alone.
std::size_t dark_pixels_inside_stamp(const fs::path& pdf) {
  std::string out;
  // 72 dpi: one pixel a point; the box's top is at 842 - 120 = 722 from the top of A4.
  shell("pdftoppm -r 72 -gray -f 2 -l 2 -x 304 -y 726 -W 232 -H 52 " + pdf.string() + " " + pdf.string() +
            ".inner",
        &out);
  const std::string pgm = read_file(pdf.string() + ".inner-2.pgm");
  const std::string header = "P5\n232 52\n255\n";
  if (pgm.compare(0, header.size(), header) != 0) return 0;
  return static_cast<std::size_t>(std::count_if(pgm.begin() + static_cast<std::ptrdiff_t>(header.size()),
                                                pgm.end(),
                                                [](char c) { return static_cast<unsigned char>(c) < 128; }));
}

// Issue 5: the stamp is drawn in an embedded font that has the Romanian
// letters, and its text extracts exactly: ș ț with the comma below, never
// turned into the cedilla ş ţ.
TEST_F(PadesTest, VisibleStampEmbedsAFontWithRomanianDiacritics) {
  SignOptions options;
  options.reason = "învățământ ș ț ă â î Ș Ț Ă Â Î";
  options.visible = SignOptions::Stamp{2, 300, 60};
  const std::string original = sample();
  const std::string signed_pdf = sign(original, "romanian", options);
  ASSERT_FALSE(signed_pdf.empty());
  const fs::path file = dir_ / "stamped.pdf";
  write_file(file, signed_pdf);

  std::string fonts;
  ASSERT_EQ(shell("pdffonts -f 2 -l 2 " + file.string(), &fonts), 0) << fonts;
  // name, type, encoding, emb, sub, uni: embedded, a subset, with a ToUnicode map.
  EXPECT_TRUE(std::regex_search(
      fonts, std::regex(R"([A-Z]{6}\+DejaVuSans +CID TrueType +Identity-H +yes +yes +yes)")))
      << fonts;

  std::string text;
  ASSERT_EQ(shell("pdftotext -f 2 -l 2 -enc UTF-8 " + file.string() + " -", &text), 0) << text;
  EXPECT_NE(text.find("Semnat digital de Ștefan Țărănescu"), std::string::npos) << text;
  EXPECT_NE(text.find("Motiv: învățământ ș ț ă â î Ș Ț Ă Â Î"), std::string::npos) << text;
  for (const char* cedilla : {"ş", "ţ", "Ş", "Ţ"}) EXPECT_EQ(text.find(cedilla), std::string::npos) << text;

  EXPECT_TRUE(verify(signed_pdf).valid);
  EXPECT_NE(pdfsig(signed_pdf).find("Signature is Valid."), std::string::npos);

  write_file(dir_ / "original.pdf", original);
  EXPECT_EQ(dark_pixels_inside_stamp(dir_ / "original.pdf"), 0u);
  EXPECT_GT(dark_pixels_inside_stamp(file), 300u) << "no text drawn in the stamp";
}

// The embedded font is a subset: a stamp adds kilobytes, not the whole font.
TEST_F(PadesTest, VisibleStampAddsOnlyASubsetOfTheFont) {
  SignOptions options;
  options.reason = "Aprobat în ședința consiliului";
  const std::string original = sample();
  const std::string invisible = sign(original, "rsa", options);
  options.visible = SignOptions::Stamp{1, 300, 60};
  const std::string visible = sign(original, "rsa", options);
  ASSERT_FALSE(invisible.empty());
  ASSERT_GT(visible.size(), invisible.size());
  EXPECT_LT(visible.size() - invisible.size(), 30000u);
  EXPECT_EQ(count(visible, "/FontFile2 "), 1u);
  EXPECT_EQ(count(invisible, "/FontFile2 "), 0u);
}

TEST_F(PadesTest, RefusesWhatIsNotAPdfAndAWrongPassword) {
  auto key_or = SigningKey::from_pkcs12(pki("rsa.p12"), "wrong");
  ASSERT_FALSE(key_or.ok());
  EXPECT_EQ(key_or.error().code, ErrorCode::permission);
  auto signed_pdf = sign_pdf("<html>not a pdf</html>", key("rsa"), {});
  ASSERT_FALSE(signed_pdf.ok());
  EXPECT_EQ(signed_pdf.error().code, ErrorCode::invalid_argument);
  auto report = verify_pdf("%PDF-1.7\ngarbage", *empty_trust_store());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::invalid_argument);
}

TEST_F(PadesTest, CmsLargerThanTheReservedSpaceIsRefused) {
  SignOptions options;
  options.contents_reserve = 64;
  auto signed_pdf = sign_pdf(sample(), key("rsa"), options);
  ASSERT_FALSE(signed_pdf.ok());
  EXPECT_EQ(signed_pdf.error().code, ErrorCode::limit_exceeded);
}

TEST_F(PadesTest, DocumentsBeyondTheValidationLimitsAreRefused) {
  const std::string three = sign(sign(sign(sample(), "ec"), "ec"), "ec");  // 4 revisions, 3 signatures
  auto trust = load_trust_store(pki("trust-crl"));
  ASSERT_TRUE(trust.ok());
  const auto now = std::chrono::system_clock::now();
  EXPECT_TRUE(verify_pdf(three, **trust, now, {/*max_revisions=*/4, /*max_signatures=*/3})->valid);
  auto revisions = verify_pdf(three, **trust, now, {/*max_revisions=*/3, /*max_signatures=*/3});
  ASSERT_FALSE(revisions.ok());
  EXPECT_EQ(revisions.error().code, ErrorCode::limit_exceeded);
  EXPECT_NE(revisions.error().message.find("4 revisions"), std::string::npos);
  auto signatures = verify_pdf(three, **trust, now, {/*max_revisions=*/4, /*max_signatures=*/2});
  ASSERT_FALSE(signatures.ok());
  EXPECT_EQ(signatures.error().code, ErrorCode::limit_exceeded);
}

TEST_F(PadesTest, UnsignedDocumentIsNotValid) {
  const ValidationReport report = verify(sample());
  EXPECT_TRUE(report.signatures.empty());
  EXPECT_FALSE(report.valid);
}

// --- CAdES detached (.p7s) ------------------------------------------------

TEST_F(PadesTest, DetachedSignatureOfAnyFileVerifiesHereAndWithOpenssl) {
  const std::string content = "Cerere de concediu\nIon Popescu\n";
  auto p7s = sign_detached(content, key("ec"), {});
  ASSERT_TRUE(p7s.ok()) << p7s.error().to_string();
  const ValidationReport report = verify_p7s(content, *p7s);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].level, "CAdES-B-B");
  EXPECT_FALSE(report.signatures[0].signing_time.empty());

  write_file(dir_ / "content.txt", content);
  write_file(dir_ / "sig.p7s", *p7s);
  std::string out;
  EXPECT_EQ(shell("openssl cms -verify -binary -inform DER -in " + (dir_ / "sig.p7s").string() +
                      " -content " + (dir_ / "content.txt").string() + " -CAfile " +
                      pki("ca-chain.pem").string() + " -purpose any -out /dev/null",
                  &out),
            0)
      << out;

  expect_verdict(verify_p7s(content + " ", *p7s), 0, Indication::total_failed, "HASH_FAILURE");
  expect_verdict(verify_p7s(content, "not a CMS"), 0, Indication::total_failed, "FORMAT_FAILURE");
}

// Issue 5: online, a signer's certificate that names no OCSP responder and
// no CRL distribution point, with no CRL at hand, has nothing to show its
// status: TRY_LATER, telling where the CRL goes.
TEST_F(PadesTest, SignerNamingNothingToAskIsTryLaterOnline) {
  auto trust = load_trust_store(pki("trust"));
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  auto report = verify_pdf(sign(sample(), "ec"), **trust);
  ASSERT_TRUE(report.ok());
  expect_verdict(*report, 0, Indication::indeterminate, "TRY_LATER");
  EXPECT_NE(report->signatures[0].message.find("names no OCSP responder or CRL distribution point"),
            std::string::npos)
      << report->signatures[0].message;
}

// Issue 5: a .p7s is judged on the same path: no evidence about its signer's
// certificate offline is TRY_LATER, never valid.
TEST_F(PadesTest, DetachedSignatureWithoutRevocationEvidenceIsTryLaterOffline) {
  auto p7s = sign_detached("Cerere", key("ec"), {});
  ASSERT_TRUE(p7s.ok()) << p7s.error().to_string();
  const ValidationReport report = verify_p7s("Cerere", *p7s, "trust");
  expect_verdict(report, 0, Indication::indeterminate, "TRY_LATER");
  EXPECT_NE(report.signatures[0].message.find("could not be checked for revocation"), std::string::npos)
      << report.signatures[0].message;
}

// --- certificates ----------------------------------------------------------

SignOptions forced() {
  SignOptions options;
  options.allow_invalid_certificate = true;
  return options;
}

TEST_F(PadesTest, SigningWithAnExpiredCertificateIsRefused) {
  auto signed_pdf = sign_pdf(sample(), key("expired"), {});
  ASSERT_FALSE(signed_pdf.ok());
  EXPECT_EQ(signed_pdf.error().code, ErrorCode::conflict);
  EXPECT_NE(signed_pdf.error().message.find("expired"), std::string::npos);
}

TEST_F(PadesTest, ExpiredSignerIsOutOfBoundsWithoutProofOfExistence) {
  expect_verdict(verify(sign(sample(), "expired", forced())), 0, Indication::indeterminate,
                 "OUT_OF_BOUNDS_NO_POE");
}

TEST_F(PadesTest, RevokedSignerIsReportedWhenTheCrlIsInTheTrustFolder) {
  const std::string signed_pdf = sign(sample(), "revoked");
  expect_verdict(verify(signed_pdf, "trust-crl"), 0, Indication::indeterminate, "REVOKED_NO_POE");
  // Without the CRL the revocation is unknown to Dosar: nothing passes (issue 5).
  expect_verdict(verify(signed_pdf, "trust"), 0, Indication::indeterminate, "TRY_LATER");
}

// Issue 5 (ETSI EN 319 102-1): offline, with no CRL or OCSP answer about the
// signer's certificate in the trust folder or the document, its revocation
// status is unknown: not TOTAL-PASSED, and the message says what to do.
TEST_F(PadesTest, SignerWithoutRevocationEvidenceIsTryLaterOffline) {
  const std::string signed_pdf = sign(sample(), "ec");
  const ValidationReport unknown = verify(signed_pdf, "trust");
  expect_verdict(unknown, 0, Indication::indeterminate, "TRY_LATER");
  const std::string& message = unknown.signatures[0].message;
  EXPECT_NE(
      message.find("The signer's certificate could not be checked for revocation: no CRL or OCSP answer "
                   "about it in the trust folder or the document; run with --online, or put its CA's "
                   "current CRL in the trust folder."),
      std::string::npos)
      << message;
  // The CA's CRL in the trust folder, as a deployment keeps it: it passes.
  const ValidationReport known = verify(signed_pdf, "trust-crl");
  ASSERT_EQ(known.signatures.size(), 1u);
  EXPECT_TRUE(known.valid) << known.signatures[0].message;
  EXPECT_EQ(known.signatures[0].indication, Indication::total_passed);
}

// Issue 5, dosar verify --at: the archivist's check of a signature as it
// stood on a date. The backdated signer signed 60 days ago and was revoked
// 30 days ago (int.crl.pem): good 45 days ago, revoked now.
TEST_F(PadesTest, SignerRevokedAfterSigningIsValidAsOfATimeBeforeTheRevocation) {
  const auto now = std::chrono::system_clock::now();
  SignOptions options;
  options.signing_time = now - std::chrono::hours(24 * 60);
  const std::string signed_pdf = sign(sample(), "backdated", options);
  auto trust = load_trust_store(pki("trust-crl"));
  ASSERT_TRUE(trust.ok());
  const auto before = now - std::chrono::hours(24 * 45);
  auto then = verify_pdf(signed_pdf, **trust, before);
  ASSERT_TRUE(then.ok());
  ASSERT_EQ(then->signatures.size(), 1u);
  EXPECT_TRUE(then->valid) << then->signatures[0].message;
  EXPECT_EQ(then->validation_time, format_utc_seconds(before));
  auto today = verify_pdf(signed_pdf, **trust, now);
  ASSERT_TRUE(today.ok());
  expect_verdict(*today, 0, Indication::indeterminate, "REVOKED_NO_POE");
  EXPECT_NE(today->signatures[0].message.find("revoked on"), std::string::npos)
      << today->signatures[0].message;
  // Before the certificates existed nothing was valid.
  auto too_early = verify_pdf(signed_pdf, **trust, now - std::chrono::hours(24 * 500));
  ASSERT_TRUE(too_early.ok());
  expect_verdict(*too_early, 0, Indication::indeterminate, "NOT_YET_VALID");
}

// Judged as of a time before it was made, a signature proves nothing then,
// though its certificate was already valid and not yet revoked.
TEST_F(PadesTest, SignatureJudgedAsOfATimeBeforeItWasMadeHasNoProofOfExistence) {
  const auto now = std::chrono::system_clock::now();
  SignOptions options;
  options.signing_time = now - std::chrono::hours(24 * 40);
  const std::string signed_pdf = sign(sample(), "backdated", options);
  auto trust = load_trust_store(pki("trust-crl"));
  ASSERT_TRUE(trust.ok());
  auto before_signing = verify_pdf(signed_pdf, **trust, now - std::chrono::hours(24 * 50));
  ASSERT_TRUE(before_signing.ok());
  expect_verdict(*before_signing, 0, Indication::indeterminate, "NO_POE");
  EXPECT_FALSE(before_signing->valid);
  EXPECT_NE(before_signing->signatures[0].message.find("did not exist then"), std::string::npos)
      << before_signing->signatures[0].message;
  auto after_signing = verify_pdf(signed_pdf, **trust, now - std::chrono::hours(24 * 35));
  ASSERT_TRUE(after_signing.ok());
  EXPECT_TRUE(after_signing->valid) << after_signing->signatures[0].message;
}

TEST_F(PadesTest, SignerOutsideTheTrustStoreHasNoChain) {
  expect_verdict(verify(sign(sample(), "selfsigned")), 0, Indication::indeterminate,
                 "NO_CERTIFICATE_CHAIN_FOUND");
  ValidationReport report;
  auto r = verify_pdf(sign(sample(), "rsa"), *empty_trust_store());
  ASSERT_TRUE(r.ok());
  expect_verdict(*r, 0, Indication::indeterminate, "NO_CERTIFICATE_CHAIN_FOUND");
}

TEST_F(PadesTest, QualifiedCertificateAndQscdAreShownAsTheCertificateStates) {
  ValidationReport report = verify(sign(sample(), "qualified"));
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_TRUE(report.signatures[0].qualified);
  EXPECT_TRUE(report.signatures[0].qscd);
  report = verify(sign(sample(), "rsa"));
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_FALSE(report.signatures[0].qualified);
  EXPECT_FALSE(report.signatures[0].qscd);
}

TEST_F(PadesTest, CertificateWithoutSigningKeyUsageFailsItsConstraints) {
  expect_verdict(verify(sign(sample(), "nokeyusage")), 0, Indication::indeterminate,
                 "CHAIN_CONSTRAINTS_FAILURE");
}

// --- attacks (issue 5, "Attacks, tested") -----------------------------------

// Incremental saving attack: a later revision gives page 1 new content.
// pdfsig still calls such a signature valid; Dosar must not.
TEST_F(PadesTest, ContentAppendedAfterSigningIsNotAllowed) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const int page = last_page_object(signed_pdf);
  const int content = next_object_number(signed_pdf);
  std::string page_text = last_object(signed_pdf, page);
  const std::string stream = "BT /F1 24 Tf 72 600 Td (Suma: 99999 lei) Tj ET";
  const auto contents_at = page_text.find("/Contents ");
  ASSERT_NE(contents_at, std::string::npos);
  std::string new_contents(1, '[');
  new_contents += std::to_string(content);
  new_contents += " 0 R] /Old ";
  page_text.insert(contents_at + 10, new_contents);
  const std::string tampered = append_update(
      signed_pdf,
      {{content, "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "\nendstream"},
       {page, page_text}});
  const ValidationReport report = verify(tampered);
  expect_verdict(report, 0, Indication::indeterminate, "SIG_CONSTRAINTS_FAILURE");
  ASSERT_FALSE(report.signatures[0].changes_after.empty());
  EXPECT_EQ(report.signatures[0].changes_after[0].revision, 3);
  EXPECT_NE(report.signatures[0].message.find("page 1: content changed"), std::string::npos)
      << report.signatures[0].message;
  // What Poppler says of the same file, for the record (issue 5): the
  // signature value is valid, and only a side remark says the document grew.
  const std::string poppler = pdfsig(tampered);
  EXPECT_NE(poppler.find("Signature is Valid."), std::string::npos) << poppler;
  EXPECT_NE(poppler.find("Not total document signed"), std::string::npos) << poppler;
}

// Shadow attack: an annotation laid over the page after signing.
TEST_F(PadesTest, OverlayAnnotationAddedAfterSigningIsNotAllowed) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const int page = last_page_object(signed_pdf);
  const int annotation = next_object_number(signed_pdf);
  std::string page_text = last_object(signed_pdf, page);
  const auto annots_at = page_text.find("/Annots [");
  ASSERT_NE(annots_at, std::string::npos);
  page_text.insert(annots_at + 9, std::to_string(annotation) + " 0 R ");
  const std::string tampered = append_update(
      signed_pdf, {{annotation,
                    "<< /Type /Annot /Subtype /FreeText /Rect [50 500 550 800] /Contents (Anulat) "
                    "/DA (/Helv 40 Tf 1 0 0 rg) >>"},
                   {page, page_text}});
  const ValidationReport report = verify(tampered);
  expect_verdict(report, 0, Indication::indeterminate, "SIG_CONSTRAINTS_FAILURE");
  bool saw_annotation = false;
  for (const auto& c : report.signatures[0].changes_after)
    saw_annotation = saw_annotation || (!c.allowed && c.description.find("/FreeText") != std::string::npos);
  EXPECT_TRUE(saw_annotation);
}

TEST_F(PadesTest, ManipulatedByteRangeIsAFormatFailure) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const auto r = split_signature(signed_pdf, 0).byte_range;
  // Ends before the revision does: the tail is left unsigned.
  expect_verdict(verify(with_byte_range(signed_pdf, 0, {0, r[1], r[2], r[3] - 40})), 0,
                 Indication::total_failed, "FORMAT_FAILURE");
  // Overlapping ranges.
  expect_verdict(verify(with_byte_range(signed_pdf, 0, {0, r[1], r[1] - 10, r[3] + r[2] - r[1] + 10})), 0,
                 Indication::total_failed, "FORMAT_FAILURE");
  // Not starting at 0.
  expect_verdict(verify(with_byte_range(signed_pdf, 0, {1, r[1] - 1, r[2], r[3]})), 0,
                 Indication::total_failed, "FORMAT_FAILURE");
  // A gap larger than /Contents.
  expect_verdict(verify(with_byte_range(signed_pdf, 0, {0, r[1] - 20, r[2], r[3]})), 0,
                 Indication::total_failed, "FORMAT_FAILURE");
  expect_verdict(verify(with_byte_range(signed_pdf, 0, {0, 0, 0, 0})), 0, Indication::total_failed,
                 "FORMAT_FAILURE");
}

// Signature wrapping: a second value hidden in the unsigned gap, where the
// zero padding of /Contents was.
TEST_F(PadesTest, BodyHiddenInTheByteRangeGapIsAFormatFailure) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const auto parts = split_signature(signed_pdf, 0);
  std::string tampered = signed_pdf;
  const std::size_t padding = static_cast<std::size_t>(parts.byte_range[1]) + 1 + parts.cms.size() * 2;
  const std::string hidden = "> /Hidden (1 0 obj << /Type /Page >> endobj) <";
  tampered.replace(padding + 100, hidden.size(), hidden);
  const ValidationReport report = verify(tampered);
  expect_verdict(report, 0, Indication::total_failed, "FORMAT_FAILURE");
  EXPECT_NE(report.signatures[0].message.find("/Contents"), std::string::npos)
      << report.signatures[0].message;
}

// Universal signature forgery: /Contents empty or zero, /ByteRange absent.
TEST_F(PadesTest, EmptyZeroOrAbsentSignatureValuesAreFormatFailures) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const auto r = split_signature(signed_pdf, 0).byte_range;
  const auto begin = static_cast<std::size_t>(r[1]);
  const auto length = static_cast<std::size_t>(r[2] - r[1]);

  std::string zero = signed_pdf;
  zero.replace(begin + 1, length - 2, std::string(length - 2, '0'));
  expect_verdict(verify(zero), 0, Indication::total_failed, "FORMAT_FAILURE");

  std::string empty = signed_pdf;
  empty.replace(begin, length, "<>" + std::string(length - 2, ' '));
  expect_verdict(verify(empty), 0, Indication::total_failed, "FORMAT_FAILURE");

  std::string absent = signed_pdf;
  absent.replace(absent.find("/ByteRange"), 10, "/ByteRangX");
  expect_verdict(verify(absent), 0, Indication::total_failed, "FORMAT_FAILURE");

  std::string no_contents = signed_pdf;
  no_contents.replace(no_contents.find("/Contents <"), 9, "/Contentx");
  expect_verdict(verify(no_contents), 0, Indication::total_failed, "FORMAT_FAILURE");
}

// The CMS of another document, made for another digest, in this one's place.
TEST_F(PadesTest, CmsOverAnotherDigestIsAHashFailure) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const std::string other = sign(dosar::testing::make_text_pdf({"Alt document"}), "rsa");
  const std::string foreign_hex = hex(split_signature(other, 0).cms);
  const auto r = split_signature(signed_pdf, 0).byte_range;
  std::string tampered = signed_pdf;
  std::string filled = foreign_hex;
  filled.resize(static_cast<std::size_t>(r[2] - r[1] - 2), '0');
  tampered.replace(static_cast<std::size_t>(r[1]) + 1, filled.size(), filled);
  expect_verdict(verify(tampered), 0, Indication::total_failed, "HASH_FAILURE");
}

TEST_F(PadesTest, ChangedSignedByteIsAHashFailure) {
  std::string tampered = sign(sample(), "rsa");
  const auto at = tampered.find("100 lei");
  ASSERT_NE(at, std::string::npos);
  tampered[at] = '9';
  expect_verdict(verify(tampered), 0, Indication::total_failed, "HASH_FAILURE");
}

TEST_F(PadesTest, AlteredSignatureValueIsACryptoFailure) {
  const std::string signed_pdf = sign(sample(), "rsa");
  const auto parts = split_signature(signed_pdf, 0);
  // The signature value is the last field of the SignerInfo: the CMS's last byte.
  const std::size_t last_hex = static_cast<std::size_t>(parts.byte_range[1]) + 1 + parts.cms.size() * 2 - 1;
  std::string tampered = signed_pdf;
  tampered[last_hex] = tampered[last_hex] == '0' ? '1' : '0';
  expect_verdict(verify(tampered), 0, Indication::total_failed, "SIG_CRYPTO_FAILURE");
}

// --- B-T: a TSA on loopback (tests/support/test_tsa.cpp) -------------------

class PadesTimestampTest : public PadesTest {
 protected:
  static void SetUpTestSuite() {
    PadesTest::SetUpTestSuite();
    tsa_url_ = start_tsa("tsa");
    short_tsa_url_ = start_tsa("tsa-short");
    revoked_tsa_url_ = start_tsa("tsa-revoked");
  }
  // Starts the test TSA with the certificate and key NAME.pem, NAME.key; its URL.
  static std::string start_tsa(const std::string& name) {
    const fs::path port_file = pki(name + ".port");
    const std::string command = std::string(DOSAR_TEST_TSA) + " " + port_file.string() + " " +
                                pki(name + ".pem").string() + " " + pki(name + ".key").string() + " " +
                                pki("ca-chain.pem").string() + " >/dev/null 2>&1 & echo $! >" +
                                pki(name + ".pid").string();
    EXPECT_EQ(std::system(command.c_str()), 0);
    for (int i = 0; i < 100 && !fs::exists(port_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(fs::exists(port_file));
    return "http://127.0.0.1:" + std::to_string(std::stoi(read_file(port_file))) + "/";
  }
  static void TearDownTestSuite() {
    for (const char* name : {"tsa.pid", "tsa-short.pid", "tsa-revoked.pid"}) {
      const std::string pid = read_file(pki(name));
      if (!pid.empty()) ::kill(std::stoi(pid), SIGTERM);
    }
    PadesTest::TearDownTestSuite();
  }
  static SignOptions b_t() {
    SignOptions options;
    options.level = PadesLevel::b_t;
    options.tsa_url = tsa_url_;
    return options;
  }
  static std::string tsa_url_;
  static std::string short_tsa_url_;    // its certificate is valid for 2 days only
  static std::string revoked_tsa_url_;  // its certificate is revoked in int.crl.pem
};
std::string PadesTimestampTest::tsa_url_;
std::string PadesTimestampTest::short_tsa_url_;
std::string PadesTimestampTest::revoked_tsa_url_;

// The RFC 3161 token in the signer's unsigned attributes, and the SHA-256 of
// the signature value it must cover.
std::pair<std::string, std::string> timestamp_token(const std::string& cms_der) {
  const auto* p = reinterpret_cast<const unsigned char*>(cms_der.data());
  CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size()));
  if (!cms) return {};
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
  auto* token = static_cast<ASN1_STRING*>(
      CMS_unsigned_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE));
  std::string token_der;
  if (token)
    token_der.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(token)),
                     static_cast<std::size_t>(ASN1_STRING_length(token)));
  const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value)), digest,
             &length, EVP_sha256(), nullptr);
  CMS_ContentInfo_free(cms);
  return {token_der, hex(std::string(reinterpret_cast<char*>(digest), length))};
}

TEST_F(PadesTimestampTest, TimestampedSignatureCarriesAVerifiableTokenAndItsTime) {
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds(2);
  const std::string signed_pdf = sign(sample(), "rsa", b_t());
  const ValidationReport report = verify(signed_pdf);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].level, "PAdES-B-T");
  ASSERT_FALSE(report.signatures[0].timestamp_time.empty());
  EXPECT_EQ(report.signatures[0].signing_time, report.signatures[0].timestamp_time);
  EXPECT_GE(report.signatures[0].timestamp_time, format_utc_seconds(before));
  EXPECT_NE(pdfsig(signed_pdf).find("Signature is Valid."), std::string::npos);

  const auto [token, imprint] = timestamp_token(split_signature(signed_pdf, 0).cms);
  ASSERT_FALSE(token.empty());
  write_file(dir_ / "token.der", token);
  std::string out;
  EXPECT_EQ(shell("openssl ts -verify -token_in -in " + (dir_ / "token.der").string() + " -digest " +
                      imprint + " -CAfile " + pki("ca-chain.pem").string(),
                  &out),
            0)
      << out;
  EXPECT_NE(out.find("Verification: OK"), std::string::npos) << out;
}

// With a timestamp there is proof of existence: an expired signer is then
// judged at the timestamp's time, and fails.
TEST_F(PadesTimestampTest, ExpiredSignerWithATimestampAfterExpiryFails) {
  SignOptions options = b_t();
  options.allow_invalid_certificate = true;
  expect_verdict(verify(sign(sample(), "expired", options)), 0, Indication::total_failed, "EXPIRED");
}

TEST_F(PadesTimestampTest, TimestampNotTrustedIsNoProofOfExistence) {
  const std::string signed_pdf = sign(sample(), "rsa", b_t());
  // The TSA chains to the same root as the signer; an empty store trusts neither.
  auto report = verify_pdf(signed_pdf, *empty_trust_store());
  ASSERT_TRUE(report.ok());
  expect_verdict(*report, 0, Indication::indeterminate, "NO_POE");
}

// Issue 5: a TSA's certificate whose revocation status is unknown (no CRL
// of its CA at hand) is judged as a revoked one: its token proves no time.
// The expired signer shows it: judged at the timestamp's time it would be
// EXPIRED; without that proof it is out of bounds, and the message says why.
TEST_F(PadesTimestampTest, TimestampWhoseTsaStatusIsUnknownProvesNoTime) {
  SignOptions options = b_t();
  options.allow_invalid_certificate = true;
  const ValidationReport report = verify(sign(sample(), "expired", options), "trust");
  expect_verdict(report, 0, Indication::indeterminate, "OUT_OF_BOUNDS_NO_POE");
  EXPECT_NE(report.signatures[0].message.find(
                "its timestamp proves no time: The TSA's certificate could not be checked for revocation"),
            std::string::npos)
      << report.signatures[0].message;
}

SignOptions b_lt(SignOptions options, const fs::path& crl_dir) {
  options.level = PadesLevel::b_lt;
  auto crls = read_crls(crl_dir);
  EXPECT_TRUE(crls.ok());
  if (crls.ok()) options.crls = *crls;
  return options;
}

TEST_F(PadesTimestampTest, LongTermSignatureCarriesCertificatesAndCrlsInADss) {
  const std::string signed_pdf = sign(sample(), "rsa", b_lt(b_t(), pki("trust-crl")));
  EXPECT_NE(signed_pdf.find("/Type /DSS"), std::string::npos);
  EXPECT_EQ(count(signed_pdf, "%%EOF"), 3u);           // original, signature, DSS
  const ValidationReport report = verify(signed_pdf);  // the trust folder itself has no CRL
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message;
  EXPECT_EQ(report.signatures[0].level, "PAdES-B-LT");
  ASSERT_FALSE(report.signatures[0].changes_after.empty());
  for (const auto& c : report.signatures[0].changes_after) EXPECT_TRUE(c.allowed) << c.description;
  EXPECT_NE(pdfsig(signed_pdf).find("Signature is Valid."), std::string::npos);
}

TEST_F(PadesTimestampTest, ArchiveTimestampCoversSignatureAndDss) {
  SignOptions options = b_lt(b_t(), pki("trust-crl"));
  options.level = PadesLevel::b_lta;
  const std::string signed_pdf = sign(sample(), "ec", options);
  EXPECT_EQ(count(signed_pdf, "%%EOF"), 4u);  // original, signature, DSS, document timestamp
  EXPECT_NE(signed_pdf.find("/SubFilter /ETSI.RFC3161"), std::string::npos);
  const ValidationReport report = verify(signed_pdf);
  ASSERT_EQ(report.signatures.size(), 2u);
  EXPECT_TRUE(report.valid) << report.signatures[0].message << " / " << report.signatures[1].message;
  EXPECT_EQ(report.signatures[0].level, "PAdES-B-LTA");
  EXPECT_EQ(report.signatures[1].level, "DocTimeStamp");
  EXPECT_EQ(report.signatures[1].signer, "Dosar Test TSA");
  EXPECT_EQ(report.signatures[1].revision, 4);
  EXPECT_FALSE(report.signatures[1].timestamp_time.empty());
  EXPECT_NE(pdfsig(signed_pdf).find("Signature is Valid."), std::string::npos);

  // Changing a byte the document timestamp covers (inside the DSS) breaks it.
  std::string tampered = signed_pdf;
  const auto dss = tampered.rfind("/Type /DSS");
  ASSERT_NE(dss, std::string::npos);
  tampered.replace(dss, 10, "/Type /DSX");
  const ValidationReport broken = verify(tampered);
  ASSERT_EQ(broken.signatures.size(), 2u);
  expect_verdict(broken, 1, Indication::total_failed, "HASH_FAILURE");
}

// Issue 5, "years later, after the certificate expired": archive timestamp
// renewal. The signer's and the first TSA's certificates are valid for two
// days; twenty days later only the renewed timestamp, by a TSA still valid,
// proves that the signature and the first timestamp were valid when made.
TEST_F(PadesTimestampTest, RenewedArchiveTimestampKeepsASignatureValidAfterItsCertificatesExpired) {
  SignOptions options = b_lt(b_t(), pki("trust-crl"));
  options.level = PadesLevel::b_lta;
  options.tsa_url = short_tsa_url_;
  const std::string lta = sign(sample(), "short", options);
  auto trust = load_trust_store(pki("trust"));
  ASSERT_TRUE(trust.ok());
  // Within the CRLs' 30 days, so that only the certificates have expired.
  const auto later = std::chrono::system_clock::now() + std::chrono::hours(24 * 20);
  auto report = verify_pdf(lta, **trust, later);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 2u);
  EXPECT_FALSE(report->valid) << "an expired TSA's timestamp proved something";
  EXPECT_NE(report->signatures[0].indication, Indication::total_passed);
  EXPECT_NE(report->signatures[1].indication, Indication::total_passed);

  SignOptions renewal;
  renewal.tsa_url = tsa_url_;
  renewal.crls = options.crls;
  auto extended = extend_lta(lta, renewal);
  ASSERT_TRUE(extended.ok()) << extended.error().to_string();
  EXPECT_EQ(extended->compare(0, lta.size(), lta), 0) << "the renewal changed earlier bytes";
  EXPECT_EQ(count(*extended, "%%EOF"), 6u);  // + the short TSA's DSS, + a document timestamp
  report = verify_pdf(*extended, **trust, later);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 3u);
  for (const auto& s : report->signatures) EXPECT_EQ(s.indication, Indication::total_passed) << s.message;
  EXPECT_TRUE(report->valid);
  EXPECT_EQ(report->signatures[0].signer, "Short Lived Signer");
  EXPECT_EQ(report->signatures[0].level, "PAdES-B-LTA");
  EXPECT_EQ(report->signatures[1].signer, "Dosar Short Lived TSA");
  EXPECT_EQ(report->signatures[2].signer, "Dosar Test TSA");
  EXPECT_EQ(report->signatures[2].revision, 6);
  // The renewal's DSS files the short TSA's certificate under the first timestamp's VRI key.
  const DssData dss = read_dss(*extended);
  EXPECT_EQ(dss.vri_keys.size(), 2u);
  const fs::path short_tsa_der = dir_ / "tsa-short.der";
  ASSERT_EQ(shell("openssl x509 -outform DER -in " + pki("tsa-short.pem").string() + " -out " +
                  short_tsa_der.string()),
            0);
  EXPECT_NE(std::find(dss.certificates.begin(), dss.certificates.end(), read_file(short_tsa_der)),
            dss.certificates.end());

  // Renewing again keeps every earlier signature and timestamp valid.
  auto again = extend_lta(*extended, renewal);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  report = verify_pdf(*again, **trust, later);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 4u);
  EXPECT_TRUE(report->valid);
  for (const auto& s : report->signatures) EXPECT_EQ(s.indication, Indication::total_passed) << s.message;

  // Independent checks: pdfsig lists all four and accepts the signature (it
  // cannot validate ETSI.RFC3161 document timestamps: "Unimplemented
  // Feature"), `openssl ts -verify` each document timestamp token over the
  // bytes it covers.
  const std::string poppler = pdfsig(*again);
  EXPECT_EQ(count(poppler, "Signature #"), 4u) << poppler;
  EXPECT_EQ(count(poppler, "Signature is Valid."), 1u) << poppler;
  EXPECT_EQ(poppler.find("Signature is Invalid"), std::string::npos) << poppler;
  for (std::size_t i = 1; i < 4; ++i) {
    SCOPED_TRACE("document timestamp " + std::to_string(i));
    const auto parts = split_signature(*again, i);
    write_file(dir_ / "covered.bin", parts.signed_bytes);
    write_file(dir_ / "token.der", parts.cms);
    std::string out;
    EXPECT_EQ(shell("openssl ts -verify -token_in -in " + (dir_ / "token.der").string() + " -data " +
                        (dir_ / "covered.bin").string() + " -CAfile " + pki("ca-chain.pem").string(),
                    &out),
              0)
        << out;
    EXPECT_NE(out.find("Verification: OK"), std::string::npos) << out;
  }
}

TEST_F(PadesTimestampTest, RenewalNeedsLongTermDataAndATsa) {
  SignOptions renewal;
  renewal.tsa_url = tsa_url_;
  auto refused = extend_lta(sign(sample(), "rsa", b_t()), renewal);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().message.find("B-LT"), std::string::npos) << refused.error().to_string();
  refused = extend_lta(sample(), renewal);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("no signature"), std::string::npos) << refused.error().to_string();
  refused = extend_lta(sample(), SignOptions{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().subject, "--tsa");
}

TEST_F(PadesTimestampTest, CrlEmbeddedInTheDssRevealsARevokedSigner) {
  // Dosar makes no B-LT signature with a certificate its own CRL lists...
  auto refused = sign_pdf(sample(), key("revoked"), b_lt(b_t(), pki("trust-crl")));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  // ...and reads such a CRL offline from a DSS another tool wrote.
  const std::string signed_pdf = sign(sample(), "revoked", b_t());
  DssContent dss;
  auto crls = read_crls(pki("trust-crl"));
  ASSERT_TRUE(crls.ok());
  dss.crls = *crls;
  dss.vri_key = std::string(40, '0');
  auto with_dss = append_dss_update(signed_pdf, dss);
  ASSERT_TRUE(with_dss.ok());
  expect_verdict(verify(*with_dss, "trust"), 0, Indication::indeterminate, "REVOKED_NO_POE");
}

// Issue 5, CRLs as evidence: a CRL counts only when the revoked signer's CA
// signed it and it is current at the validation time. A forged empty CRL
// (the CA's name, another key) or a stale one (nextUpdate past, before the
// revocation) in the DSS must not hide the genuine CRL of the trust folder,
// nor stand in for it.
TEST_F(PadesTimestampTest, ForgedOrStaleCrlInTheDssDoesNotClearARevokedSigner) {
  const std::string signed_pdf = sign(sample(), "revoked", b_t());
  const auto now = std::chrono::system_clock::now();
  const std::string forged = dosar::testing::make_crl(
      {pki("int.pem"), pki("selfsigned.key"), now - std::chrono::hours(1), now + std::chrono::hours(24), {}});
  const std::string stale = dosar::testing::make_crl({pki("int.pem"),
                                                      pki("int.key"),
                                                      now - std::chrono::hours(24 * 40),
                                                      now - std::chrono::hours(24 * 10),
                                                      {}});
  for (const auto& [name, crl, reason] :
       {std::tuple{"forged", forged, "not signed with its key"}, std::tuple{"stale", stale, "expired"}}) {
    SCOPED_TRACE(name);
    DssContent dss;
    dss.crls = {crl};
    dss.vri_key = std::string(40, '0');
    auto with_dss = append_dss_update(signed_pdf, dss);
    ASSERT_TRUE(with_dss.ok());
    const ValidationReport with_genuine = verify(*with_dss, "trust-crl");
    expect_verdict(with_genuine, 0, Indication::indeterminate, "REVOKED_NO_POE");
    const ValidationReport alone = verify(*with_dss, "trust");
    ASSERT_EQ(alone.signatures.size(), 1u);
    EXPECT_FALSE(alone.valid);
    EXPECT_EQ(alone.signatures[0].indication, Indication::indeterminate);
    EXPECT_NE(alone.signatures[0].message.find(reason), std::string::npos) << alone.signatures[0].message;
  }
}

// Issue 5: a timestamp whose TSA's certificate was revoked before the time
// it asserts proves no time (ETSI EN 319 102-1); the signature is judged by
// what can be shown without it, and the report says why. Twenty days on, the
// short-lived signer's certificate has expired: only such a timestamp would
// have made it pass.
TEST_F(PadesTimestampTest, TimestampByARevokedTsaProvesNoTime) {
  SignOptions options = b_t();
  options.tsa_url = revoked_tsa_url_;
  const std::string now_signed = sign(sample(), "rsa", options);
  const ValidationReport report = verify(now_signed, "trust-crl");
  ASSERT_EQ(report.signatures.size(), 1u);
  const SignatureReport& s = report.signatures[0];
  EXPECT_EQ(s.indication, Indication::total_passed) << s.message;
  EXPECT_EQ(s.level, "PAdES-B-B");
  EXPECT_TRUE(s.timestamp_time.empty());
  EXPECT_NE(s.message.find("TSA's certificate was revoked"), std::string::npos) << s.message;

  auto trust = load_trust_store(pki("trust-crl"));
  ASSERT_TRUE(trust.ok());
  const auto later = std::chrono::system_clock::now() + std::chrono::hours(24 * 20);
  auto late = verify_pdf(sign(sample(), "short", options), **trust, later);
  ASSERT_TRUE(late.ok());
  expect_verdict(*late, 0, Indication::indeterminate, "OUT_OF_BOUNDS_NO_POE");
  EXPECT_NE(late->signatures[0].message.find("TSA's certificate was revoked"), std::string::npos)
      << late->signatures[0].message;
}

TEST_F(PadesTimestampTest, DocumentTimestampByARevokedTsaProvesNoTime) {
  SignOptions options = b_lt(b_t(), pki("trust-crl"));
  options.tsa_url = short_tsa_url_;
  const std::string lt = sign(sample(), "short", options);
  SignOptions archive;
  archive.tsa_url = revoked_tsa_url_;
  auto lta = add_document_timestamp(lt, archive);
  ASSERT_TRUE(lta.ok()) << lta.error().to_string();
  auto trust = load_trust_store(pki("trust-crl"));
  ASSERT_TRUE(trust.ok());
  auto report = verify_pdf(*lta, **trust);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 2u);
  EXPECT_EQ(report->signatures[0].level, "PAdES-B-LT");
  expect_verdict(*report, 1, Indication::indeterminate, "REVOKED_NO_POE");
  EXPECT_NE(report->signatures[1].message.find("proves no time"), std::string::npos)
      << report->signatures[1].message;
  // Twenty days on, nothing proves the signature older than its certificates' expiry.
  report = verify_pdf(*lta, **trust, std::chrono::system_clock::now() + std::chrono::hours(24 * 20));
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->valid);
  EXPECT_NE(report->signatures[0].indication, Indication::total_passed) << report->signatures[0].message;
}

TEST_F(PadesTimestampTest, UnreachableTsaIsAnIoError) {
  SignOptions options = b_t();
  options.tsa_url = "http://127.0.0.1:1/";
  auto signed_pdf = sign_pdf(sample(), key("rsa"), options);
  ASSERT_FALSE(signed_pdf.ok());
  EXPECT_EQ(signed_pdf.error().code, ErrorCode::io);
}

}  // namespace
}  // namespace dosar::signing
