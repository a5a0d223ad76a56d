// Online revocation by OCSP: `openssl ocsp` answers on loopback for the test
// intermediate CA, whose signers name it in their Authority Information Access.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "signing/pades.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::signing {
namespace {

namespace fs = std::filesystem;
using dosar::testing::TempDir;

// A loopback port nothing listens on right now.
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

// A test PKI whose signers name an OCSP responder at `port`.
void make_pki(const fs::path& dir, int port) {
  const std::string command = "OCSP_URL=http://127.0.0.1:" + std::to_string(port) +
                              " bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + dir.string() +
                              " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
}

class OcspTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const int port = free_port();
    make_pki(dir_->path(), port);
    const fs::path d = dir_->path();
    const std::string command =
        "cd " + d.string() + " && openssl ocsp -index int.db/index.txt -port " + std::to_string(port) +
        " -rsigner ocsp.pem -rkey ocsp.key -CA int.pem -nmin 5 >ocsp.log 2>&1 & echo $! >" +
        (d / "ocsp.pid").string();
    ASSERT_EQ(std::system(command.c_str()), 0);
    // Not probed with a connection: `openssl ocsp` serves one at a time and
    // would wait on an empty one; it says when it listens.
    auto listening = [&] {
      return dosar::testing::read_file(d / "ocsp.log").find("waiting for OCSP client connections") !=
             std::string::npos;
    };
    for (int i = 0; i < 100 && !listening(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(listening());
  }
  static void TearDownTestSuite() {
    const std::string pid = dosar::testing::read_file(dir_->path() / "ocsp.pid");
    if (!pid.empty()) ::kill(std::stoi(pid), SIGTERM);
    delete dir_;
    dir_ = nullptr;
  }

  static ValidationReport verify_signed_by(const fs::path& pki, const std::string& signer, bool online) {
    auto key = SigningKey::from_pkcs12(pki / (signer + ".p12"), "test");
    EXPECT_TRUE(key.ok());
    auto signed_pdf = sign_pdf(dosar::testing::make_text_pdf({"Revocare"}), *key, {});
    EXPECT_TRUE(signed_pdf.ok());
    auto trust = load_trust_store(pki / "trust");  // root only, no CRL
    EXPECT_TRUE(trust.ok());
    set_online_revocation(**trust, online);
    auto report = verify_pdf(*signed_pdf, **trust);
    EXPECT_TRUE(report.ok());
    return report.ok() ? *report : ValidationReport{};
  }

  static TempDir* dir_;
};
TempDir* OcspTest::dir_ = nullptr;

TEST_F(OcspTest, RevokedSignerIsCaughtByTheResponder) {
  const ValidationReport report = verify_signed_by(dir_->path(), "revoked", /*online=*/true);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.signatures[0].subindication, "REVOKED_NO_POE") << report.signatures[0].message;
  EXPECT_NE(report.signatures[0].message.find("OCSP"), std::string::npos);
}

TEST_F(OcspTest, GoodSignerPassesAndNothingIsAskedOffline) {
  EXPECT_TRUE(verify_signed_by(dir_->path(), "rsa", /*online=*/true).valid);
  // Offline (the default) nothing is asked: with no CRL in the trust folder
  // the status is unknown, TRY_LATER, not the responder's "revoked" (issue 5).
  const ValidationReport offline = verify_signed_by(dir_->path(), "revoked", /*online=*/false);
  ASSERT_EQ(offline.signatures.size(), 1u);
  EXPECT_FALSE(offline.valid);
  EXPECT_EQ(offline.signatures[0].subindication, "TRY_LATER") << offline.signatures[0].message;
}

TEST_F(OcspTest, UnreachableResponderMeansTryLater) {
  TempDir other;
  make_pki(other.path(), free_port());  // nothing listens there
  const ValidationReport report = verify_signed_by(other.path(), "rsa", /*online=*/true);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_EQ(report.signatures[0].indication, Indication::indeterminate);
  EXPECT_EQ(report.signatures[0].subindication, "TRY_LATER");
}

}  // namespace
}  // namespace dosar::signing
