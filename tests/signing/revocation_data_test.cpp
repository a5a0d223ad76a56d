// Revocation data collected for PAdES B-LT at signing time (the signer's
// OCSP answer, else its distribution point's CRL) and judged offline from
// the document's DSS. Real servers on loopback: `openssl ocsp`, a CRL
// distribution point (python3 -m http.server) and the test TSA.
#include "signing/revocation_data.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <tuple>

#include "signing/pades.h"
#include "signing/pdf_structure.h"
#include "signing/pdf_update.h"
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

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(s);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(s);
  return ok;
}

std::string url(int port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

// Starts `command` in the background, its pid kept in `pid_file`.
void start(const std::string& command, const fs::path& pid_file) {
  ASSERT_EQ(shell("(" + command + ") >/dev/null 2>&1 & echo $! >" + pid_file.string()), 0);
}

void stop(const fs::path& pid_file) {
  const std::string pid = fs::exists(pid_file) ? read_file(pid_file) : "";
  if (!pid.empty()) ::kill(std::stoi(pid), SIGTERM);
}

class RevocationDataTest : public ::testing::Test {
 protected:
  // PKI "full": signers name an OCSP responder and a CRL distribution point,
  // both served. PKI "crl": only a distribution point. PKI "none": neither.
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    ocsp_port_ = free_port();
    crl_port_ = free_port();
    const fs::path full = pki("full"), crl_only = pki("crl");
    ASSERT_EQ(shell("OCSP_URL=" + url(ocsp_port_) + " CRL_URL=" + url(crl_port_) +
                    " bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + full.string()),
              0);
    ASSERT_EQ(
        shell("CRL_URL=" + url(crl_port_) +
              "/crl-only bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + crl_only.string()),
        0);
    ASSERT_EQ(shell("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + pki("none").string()), 0);
    // One distribution point for both: full's CRLs at its root, crl's under /crl-only.
    fs::create_directories(full / "crl-only");
    for (const char* name : {"int.crl", "root.crl"}) fs::copy_file(crl_only / name, full / "crl-only" / name);

    start("cd " + full.string() + " && exec openssl ocsp -index int.db/index.txt -port " +
              std::to_string(ocsp_port_) +
              " -rsigner ocsp.pem -rkey ocsp.key -CA int.pem -nmin 5 >ocsp.log 2>&1",
          dir_->path() / "ocsp.pid");
    start("exec python3 -m http.server " + std::to_string(crl_port_) + " --bind 127.0.0.1 --directory " +
              full.string(),
          dir_->path() / "crl.pid");
    const fs::path port_file = dir_->path() / "tsa.port";
    start(std::string("exec ") + DOSAR_TEST_TSA + " " + port_file.string() + " " +
              (full / "tsa.pem").string() + " " + (full / "tsa.key").string() + " " +
              (full / "ca-chain.pem").string(),
          dir_->path() / "tsa.pid");
    // A TSA whose certificate names no responder and no distribution point.
    const fs::path bare_port_file = dir_->path() / "bare-tsa.port";
    start(std::string("exec ") + DOSAR_TEST_TSA + " " + bare_port_file.string() + " " +
              (pki("none") / "tsa.pem").string() + " " + (pki("none") / "tsa.key").string() + " " +
              (pki("none") / "ca-chain.pem").string(),
          dir_->path() / "bare-tsa.pid");
    auto ready = [&] {
      return read_file(full / "ocsp.log").find("waiting for OCSP client connections") != std::string::npos &&
             accepts_connections(crl_port_) && fs::exists(port_file) && !read_file(port_file).empty() &&
             fs::exists(bare_port_file) && !read_file(bare_port_file).empty();
    };
    for (int i = 0; i < 200 && !ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(ready());
    tsa_url_ = url(std::stoi(read_file(port_file))) + "/";
    bare_tsa_url_ = url(std::stoi(read_file(bare_port_file))) + "/";
  }
  static void TearDownTestSuite() {
    for (const char* name : {"ocsp.pid", "crl.pid", "tsa.pid", "bare-tsa.pid"}) stop(dir_->path() / name);
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path pki(const std::string& name) { return dir_->path() / name; }
  // Where the distribution point serves PKI "crl"'s intermediate CRL.
  static fs::path served_crl() { return pki("full") / "crl-only" / "int.crl"; }

  static SigningKey key(const std::string& pki_name, const std::string& signer) {
    auto k = SigningKey::from_pkcs12(pki(pki_name) / (signer + ".p12"), "test");
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return std::move(k).value();
  }
  // The ECDSA signer of a PKI made in `dir` whose certificates name an OCSP
  // responder and a distribution point on `port`, where nothing answers.
  static SigningKey unreachable_pki_key(const fs::path& dir, int port) {
    EXPECT_EQ(shell("OCSP_URL=" + url(port) + " CRL_URL=" + url(port) +
                    " bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + dir.string()),
              0);
    auto k = SigningKey::from_pkcs12(dir / "ec.p12", "test");
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return std::move(k).value();
  }
  static SignOptions b_lt() {
    SignOptions options;
    options.level = PadesLevel::b_lt;
    options.tsa_url = tsa_url_;
    return options;
  }
  // The CRLs of PKI "none" (its root's and its intermediate's), DER.
  static std::vector<std::string> none_crls() {
    auto crls = read_crls(pki("none") / "trust-crl");
    EXPECT_TRUE(crls.ok());
    return crls.ok() ? *crls : std::vector<std::string>{};
  }
  static std::string pdf() { return dosar::testing::make_text_pdf({"Decizie de acordare"}); }

  static TempDir* dir_;
  static int ocsp_port_, crl_port_;
  static std::string tsa_url_;
  static std::string bare_tsa_url_;  // PKI "none"'s TSA
};
TempDir* RevocationDataTest::dir_ = nullptr;
int RevocationDataTest::ocsp_port_ = 0;
int RevocationDataTest::crl_port_ = 0;
std::string RevocationDataTest::tsa_url_;
std::string RevocationDataTest::bare_tsa_url_;

TEST_F(RevocationDataTest, LongTermSignatureCarriesTheSignersOcspAnswer) {
  auto signed_pdf = sign_pdf(pdf(), key("full", "ec"), b_lt());
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
  const DssData dss = read_dss(*signed_pdf);
  // The signer's answer and the TSA's: the timestamp is validated offline too.
  ASSERT_EQ(dss.ocsp_responses.size(), 2u);
  // The intermediate's CRL, from its own distribution point.
  EXPECT_EQ(dss.crls.size(), 1u);
  // Read by OpenSSL's own tools, not by us: one "good" answer each.
  std::string answers;
  for (std::size_t i = 0; i < dss.ocsp_responses.size(); ++i) {
    const fs::path file = dir_->path() / ("answer" + std::to_string(i) + ".der");
    write_file(file, dss.ocsp_responses[i]);
    std::string text;
    ASSERT_EQ(shell("openssl ocsp -respin " + file.string() + " -resp_text -noverify", &text), 0);
    EXPECT_NE(text.find("Cert Status: good"), std::string::npos) << text;
    EXPECT_NE(text.find("Dosar Test OCSP"), std::string::npos) << text;
    answers += text;
  }
  for (const char* who : {"ec", "tsa"}) {
    std::string serial;  // "serial=1003"
    ASSERT_EQ(shell("openssl x509 -noout -serial -in " + (pki("full") / (std::string(who) + ".pem")).string(),
                    &serial),
              0);
    serial = serial.substr(serial.find('=') + 1);
    serial.erase(serial.find_last_not_of("\n") + 1);
    EXPECT_NE(answers.find("Serial Number: " + serial), std::string::npos) << who << " " << serial << answers;
  }
  const fs::path tsa_der = dir_->path() / "tsa.der";
  ASSERT_EQ(shell("openssl x509 -outform DER -in " + (pki("full") / "tsa.pem").string() + " -out " +
                  tsa_der.string()),
            0);
  EXPECT_NE(std::find(dss.certificates.begin(), dss.certificates.end(), read_file(tsa_der)),
            dss.certificates.end())
      << "the TSA's certificate is not in the DSS";

  // Offline, with only the root trusted and no CRL in the trust folder.
  auto trust = load_trust_store(pki("full") / "trust");
  ASSERT_TRUE(trust.ok());
  auto report = verify_pdf(*signed_pdf, **trust);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 1u);
  EXPECT_TRUE(report->valid) << report->signatures[0].message;
  EXPECT_EQ(report->signatures[0].level, "PAdES-B-LT");
}

TEST_F(RevocationDataTest, RevokedSignerCannotSignLongTerm) {
  auto refused = sign_pdf(pdf(), key("full", "revoked"), b_lt());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_NE(refused.error().to_string().find("OCSP"), std::string::npos) << refused.error().to_string();
  // Through the distribution point's CRL as well, where there is no responder.
  refused = sign_pdf(pdf(), key("crl", "revoked"), b_lt());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_NE(refused.error().to_string().find("CRL"), std::string::npos) << refused.error().to_string();
}

TEST_F(RevocationDataTest, WithoutResponderTheDistributionPointsCrlIsEmbedded) {
  auto collected = collect_revocation_data(key("crl", "ec").parts(), {});
  ASSERT_TRUE(collected.ok()) << collected.error().to_string();
  EXPECT_TRUE(collected->ocsp_responses.empty());
  // The signer's CA's CRL and the root's (named by the intermediate), exactly as served.
  ASSERT_EQ(collected->crls.size(), 2u);
  EXPECT_EQ(collected->crls[0], read_file(pki("crl") / "int.crl"));
  EXPECT_EQ(collected->crls[1], read_file(pki("crl") / "root.crl"));
}

TEST_F(RevocationDataTest, NothingCoversTheSignerUnlessCrlsAreGiven) {
  auto refused = sign_pdf(pdf(), key("none", "ec"), b_lt());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().to_string().find("--crls"), std::string::npos);

  SignOptions options = b_lt();
  const std::vector<std::string> crls = none_crls();
  options.crls = crls;
  auto signed_pdf = sign_pdf(pdf(), key("none", "ec"), options);
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
  // Both given CRLs (and beside them the test TSA's, of another PKI).
  const DssData dss = read_dss(*signed_pdf);
  for (const std::string& given : crls)
    EXPECT_NE(std::find(dss.crls.begin(), dss.crls.end(), given), dss.crls.end());
  // A given CRL that lists the signer refuses it.
  refused = sign_pdf(pdf(), key("none", "revoked"), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
}

// Issue 5: B-LT holds revocation data for every certificate of the chain
// but the root, the intermediate CA too.
TEST_F(RevocationDataTest, IntermediateWithoutRevocationDataCannotSignLongTerm) {
  SignOptions options = b_lt();
  // The intermediate's CRL covers the signer; nothing covers the intermediate.
  options.crls = {read_file(pki("none") / "int.crl")};
  auto refused = sign_pdf(pdf(), key("none", "ec"), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(refused.error().subject, "Dosar Test Intermediate CA") << refused.error().to_string();
  EXPECT_NE(refused.error().message.find("--crls"), std::string::npos) << refused.error().to_string();
}

// ... and for the chain of the TSA that timestamped the signature.
TEST_F(RevocationDataTest, TimestampWithoutRevocationDataForItsTsaIsRefusedForLongTerm) {
  SignOptions options = b_lt();
  options.tsa_url = bare_tsa_url_;
  auto refused = sign_pdf(pdf(), key("full", "ec"), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(refused.error().subject, "--tsa");
  EXPECT_NE(refused.error().message.find("Dosar Test TSA"), std::string::npos) << refused.error().to_string();

  // With its CA's CRLs given (PKI "none" throughout: its CRLs are given for
  // the signer too), the TSA's certificate and its intermediate are covered.
  options.crls = none_crls();
  auto signed_pdf = sign_pdf(pdf(), key("none", "ec"), options);
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
  const DssData dss = read_dss(*signed_pdf);
  for (const char* crl : {"int.crl", "root.crl"})
    EXPECT_NE(std::find(dss.crls.begin(), dss.crls.end(), read_file(pki("none") / crl)), dss.crls.end())
        << crl;
  ASSERT_EQ(dss.vri_keys.size(), 1u);
  auto trust = load_trust_store(pki("none") / "trust");
  ASSERT_TRUE(trust.ok());
  auto report = verify_pdf(*signed_pdf, **trust);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->valid) << report->signatures[0].message;
  EXPECT_EQ(report->signatures[0].level, "PAdES-B-LT");
}

TEST_F(RevocationDataTest, UnreachableResponderAndDistributionPointAreAnIoError) {
  TempDir other;
  const int nobody = free_port();
  auto k = unreachable_pki_key(other.path(), nobody);
  auto refused = sign_pdf(pdf(), k, b_lt());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::io);
  EXPECT_NE(refused.error().to_string().find("127.0.0.1:" + std::to_string(nobody)), std::string::npos)
      << refused.error().to_string();
}

TEST_F(RevocationDataTest, ARevokedAnswerInTheDocumentIsJudgedOffline) {
  // A B-B signature by the revoked signer, then a DSS holding the responder's
  // answer about it (fetched with OpenSSL's client).
  auto signed_pdf = sign_pdf(pdf(), key("full", "revoked"), {});
  ASSERT_TRUE(signed_pdf.ok());
  const fs::path full = pki("full");
  const fs::path answer = dir_->path() / "revoked-answer.der";
  ASSERT_EQ(shell("openssl ocsp -issuer " + (full / "int.pem").string() + " -cert " +
                  (full / "revoked.pem").string() + " -url " + url(ocsp_port_) + " -respout " +
                  answer.string() + " -noverify"),
            0);
  DssContent dss;
  dss.ocsp_responses.push_back(read_file(answer));
  dss.vri_key = std::string(40, '0');
  auto with_dss = append_dss_update(*signed_pdf, dss);
  ASSERT_TRUE(with_dss.ok());

  auto trust = load_trust_store(full / "trust");
  ASSERT_TRUE(trust.ok());
  auto report = verify_pdf(*with_dss, **trust);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 1u);
  EXPECT_FALSE(report->valid);
  EXPECT_EQ(report->signatures[0].subindication, "REVOKED_NO_POE");
  EXPECT_NE(report->signatures[0].message.find("OCSP answer in the document"), std::string::npos)
      << report->signatures[0].message;

  // An answer saying "revoked" signed by a responder that is not the CA's
  // (another PKI's, made offline by OpenSSL's responder) counts for nothing.
  const fs::path stranger = pki("none");
  const fs::path request = dir_->path() / "request.der", forged = dir_->path() / "forged.der";
  ASSERT_EQ(shell("openssl ocsp -issuer " + (full / "int.pem").string() + " -cert " +
                  (full / "revoked.pem").string() + " -no_nonce -reqout " + request.string()),
            0);
  ASSERT_EQ(shell("openssl ocsp -index " + (full / "int.db/index.txt").string() + " -CA " +
                  (full / "int.pem").string() + " -rsigner " + (stranger / "ocsp.pem").string() + " -rkey " +
                  (stranger / "ocsp.key").string() + " -reqin " + request.string() + " -respout " +
                  forged.string()),
            0);
  dss.ocsp_responses = {read_file(forged)};
  with_dss = append_dss_update(*signed_pdf, dss);
  ASSERT_TRUE(with_dss.ok());
  report = verify_pdf(*with_dss, **trust);
  ASSERT_TRUE(report.ok());
  // Nothing else is at hand: the status is unknown (issue 5), not revoked.
  EXPECT_FALSE(report->valid);
  EXPECT_EQ(report->signatures[0].subindication, "TRY_LATER") << report->signatures[0].message;
}

// Validation with --online: a certificate that names no OCSP responder is
// checked against its CA's CRL, downloaded from its distribution point.
TEST_F(RevocationDataTest, OnlineValidationDownloadsTheDistributionPointsCrl) {
  auto trust = load_trust_store(pki("crl") / "trust");
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  auto good = sign_pdf(pdf(), key("crl", "ec"), {});
  ASSERT_TRUE(good.ok());
  auto report = verify_pdf(*good, **trust);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->valid) << report->signatures[0].message;

  auto revoked = sign_pdf(pdf(), key("crl", "revoked"), {});
  ASSERT_TRUE(revoked.ok());
  report = verify_pdf(*revoked, **trust);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 1u);
  EXPECT_FALSE(report->valid);
  EXPECT_EQ(report->signatures[0].subindication, "REVOKED_NO_POE");
  EXPECT_NE(report->signatures[0].message.find("distribution point"), std::string::npos)
      << report->signatures[0].message;

  // Offline, nothing tells whether it was revoked: TRY_LATER, and the
  // message says to go online (issue 5).
  set_online_revocation(**trust, false);
  report = verify_pdf(*revoked, **trust);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->valid);
  EXPECT_EQ(report->signatures[0].subindication, "TRY_LATER") << report->signatures[0].message;
  EXPECT_NE(report->signatures[0].message.find("run with --online"), std::string::npos)
      << report->signatures[0].message;
}

// Issue 5, CRLs as evidence: what the distribution point serves counts only
// when current and signed by the CA. A stale CRL (the CA's key, nextUpdate
// past, from before the revocation) or a forged one (the CA's name, another
// key) does not clear a revoked signer; the verdict names why.
TEST_F(RevocationDataTest, OnlineValidationRefusesAStaleOrForgedDistributionPointCrl) {
  const fs::path crl_pki = pki("crl");
  auto revoked = sign_pdf(pdf(), key("crl", "revoked"), {});
  ASSERT_TRUE(revoked.ok());
  auto trust = load_trust_store(crl_pki / "trust");
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  const auto now = std::chrono::system_clock::now();
  const std::string stale = dosar::testing::make_crl({crl_pki / "int.pem",
                                                      crl_pki / "int.key",
                                                      now - std::chrono::hours(24 * 40),
                                                      now - std::chrono::hours(24 * 10),
                                                      {}});
  const std::string forged = dosar::testing::make_crl({crl_pki / "int.pem",
                                                       pki("none") / "int.key",
                                                       now - std::chrono::hours(1),
                                                       now + std::chrono::hours(24),
                                                       {}});
  // The distribution point serves this suite's copy of PKI "crl"'s CRL.
  const fs::path served = served_crl();
  for (const auto& [name, crl, reason] :
       {std::tuple{"stale", stale, "expired"}, std::tuple{"forged", forged, "not signed with its key"}}) {
    SCOPED_TRACE(name);
    write_file(served, crl);
    auto report = verify_pdf(*revoked, **trust);
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->signatures.size(), 1u);
    EXPECT_FALSE(report->valid);
    EXPECT_EQ(report->signatures[0].subindication, "TRY_LATER");
    EXPECT_NE(report->signatures[0].message.find(reason), std::string::npos) << report->signatures[0].message;
  }
}

// Issue 5: with --online, the distribution point's CRL counts from the
// revocation date it gives, as the trust folder's and the document's do. The
// backdated signer signed 60 days ago and was revoked 30 days ago (PKI
// "crl"'s int.crl, served): good as of 45 days ago, revoked now.
TEST_F(RevocationDataTest, OnlineDistributionPointRevocationAfterTheValidationTimeLeavesTheSignerGood) {
  write_file(served_crl(), read_file(pki("crl") / "int.crl"));
  const auto now = std::chrono::system_clock::now();
  SignOptions options;
  options.signing_time = now - std::chrono::hours(24 * 60);
  auto signed_pdf = sign_pdf(pdf(), key("crl", "backdated"), options);
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
  auto trust = load_trust_store(pki("crl") / "trust");
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  auto then = verify_pdf(*signed_pdf, **trust, now - std::chrono::hours(24 * 45));
  ASSERT_TRUE(then.ok());
  ASSERT_EQ(then->signatures.size(), 1u);
  EXPECT_TRUE(then->valid) << then->signatures[0].message;

  auto today = verify_pdf(*signed_pdf, **trust, now);
  ASSERT_TRUE(today.ok());
  ASSERT_EQ(today->signatures.size(), 1u);
  EXPECT_EQ(today->signatures[0].subindication, "REVOKED_NO_POE");
  EXPECT_NE(today->signatures[0].message.find("revoked on"), std::string::npos)
      << today->signatures[0].message;
  EXPECT_NE(today->signatures[0].message.find("distribution point"), std::string::npos)
      << today->signatures[0].message;
}

// The same for a B-T signature: revoked after its timestamp, it was made
// while the certificate was good (as with the CRLs at hand), where the same
// signer's B-B signature judged after the revocation is revoked.
TEST_F(RevocationDataTest, OnlineDistributionPointRevocationAfterTheTimestampLeavesTheSignatureGood) {
  const fs::path crl_pki = pki("crl");
  // PKI "crl"'s signer, PKI "full"'s TSA: both roots trusted.
  const fs::path both = dir_->path() / "crl-and-tsa-trust";
  fs::create_directories(both);
  fs::copy_file(crl_pki / "trust" / "root.pem", both / "crl-root.pem", fs::copy_options::overwrite_existing);
  fs::copy_file(pki("full") / "trust" / "root.pem", both / "tsa-root.pem",
                fs::copy_options::overwrite_existing);
  SignOptions stamped;
  stamped.level = PadesLevel::b_t;
  stamped.tsa_url = tsa_url_;
  auto b_t = sign_pdf(pdf(), key("crl", "ec"), stamped);
  ASSERT_TRUE(b_t.ok()) << b_t.error().to_string();
  auto b_b = sign_pdf(pdf(), key("crl", "ec"), {});
  ASSERT_TRUE(b_b.ok());
  // Revoked a minute from now; judged an hour from now.
  const auto now = std::chrono::system_clock::now();
  const std::string original = read_file(served_crl());
  write_file(served_crl(), dosar::testing::make_crl({crl_pki / "int.pem",
                                                     crl_pki / "int.key",
                                                     now - std::chrono::hours(1),
                                                     now + std::chrono::hours(24),
                                                     {crl_pki / "ec.pem"},
                                                     now + std::chrono::minutes(1)}));
  auto trust = load_trust_store(both);
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  const auto later = now + std::chrono::hours(1);
  auto stamped_report = verify_pdf(*b_t, **trust, later);
  auto plain_report = verify_pdf(*b_b, **trust, later);
  write_file(served_crl(), original);
  ASSERT_TRUE(stamped_report.ok());
  ASSERT_EQ(stamped_report->signatures.size(), 1u);
  EXPECT_TRUE(stamped_report->valid) << stamped_report->signatures[0].message;
  EXPECT_FALSE(stamped_report->signatures[0].timestamp_time.empty());
  ASSERT_TRUE(plain_report.ok());
  ASSERT_EQ(plain_report->signatures.size(), 1u);
  EXPECT_EQ(plain_report->signatures[0].subindication, "REVOKED_NO_POE")
      << plain_report->signatures[0].message;
}

// Issue 5: with --online the intermediate CA, which no CRL at hand covers,
// is checked at the distribution point it names, as the signer is.
TEST_F(RevocationDataTest, OnlineValidationChecksTheIntermediateAtItsDistributionPoint) {
  const fs::path crl_pki = pki("crl");
  auto signed_pdf = sign_pdf(pdf(), key("crl", "ec"), {});
  ASSERT_TRUE(signed_pdf.ok());
  auto trust = load_trust_store(crl_pki / "trust");
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  write_file(served_crl(), read_file(crl_pki / "int.crl"));
  const fs::path served_root_crl = pki("full") / "crl-only" / "root.crl";
  const std::string original = read_file(served_root_crl);
  const auto now = std::chrono::system_clock::now();
  write_file(served_root_crl, dosar::testing::make_crl({crl_pki / "root.pem",
                                                        crl_pki / "root.key",
                                                        now - std::chrono::hours(1),
                                                        now + std::chrono::hours(24),
                                                        {crl_pki / "int.pem"}}));
  auto report = verify_pdf(*signed_pdf, **trust);
  write_file(served_root_crl, original);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 1u);
  EXPECT_EQ(report->signatures[0].subindication, "REVOKED_CA_NO_POE") << report->signatures[0].message;
  EXPECT_NE(report->signatures[0].message.find("distribution point"), std::string::npos)
      << report->signatures[0].message;
}

TEST_F(RevocationDataTest, OnlineValidationWithNoResponderOrDistributionPointReachableIsTryLater) {
  TempDir other;
  // Made before the options: their signing time must not precede the certificate.
  const SigningKey k = unreachable_pki_key(other.path(), free_port());
  auto signed_pdf = sign_pdf(pdf(), k, {});
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
  auto trust = load_trust_store(other.path() / "trust");
  ASSERT_TRUE(trust.ok());
  set_online_revocation(**trust, true);
  auto report = verify_pdf(*signed_pdf, **trust);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->signatures.size(), 1u);
  EXPECT_FALSE(report->valid);
  EXPECT_EQ(report->signatures[0].indication, Indication::indeterminate);
  EXPECT_EQ(report->signatures[0].subindication, "TRY_LATER");
  // Both were tried, and the message says so.
  EXPECT_NE(report->signatures[0].message.find("OCSP"), std::string::npos) << report->signatures[0].message;
  EXPECT_NE(report->signatures[0].message.find("CRL"), std::string::npos) << report->signatures[0].message;
}

}  // namespace
}  // namespace dosar::signing
