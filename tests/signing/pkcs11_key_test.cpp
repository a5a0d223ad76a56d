// Keys on a PKCS#11 token: a SoftHSM2 token made by the test, reached
// through OpenSSL's pkcs11 engine. The key is generated outside and imported
// only because the test PKI must certify it; Dosar never reads it back.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>

#include "signing/pades.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::signing {
namespace {

namespace fs = std::filesystem;
using dosar::testing::TempDir;

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";

int run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

class Pkcs11KeyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const fs::path pki = dir_->path() / "pki";
    ASSERT_EQ(run("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + pki.string()), 0);
    const fs::path tokens = dir_->path() / "tokens";
    fs::create_directories(tokens);
    dosar::testing::write_file(dir_->path() / "softhsm2.conf", "directories.tokendir = " + tokens.string() +
                                                                   "\nobjectstore.backend = file\n");
    ::setenv("SOFTHSM2_CONF", (dir_->path() / "softhsm2.conf").c_str(), 1);
    const std::string p = pki.string() + "/";
    ASSERT_EQ(run("softhsm2-util --init-token --free --label dosar --pin 1234 --so-pin 5678"), 0);
    for (const char* name : {"rsa", "ec"}) {
      const std::string n = name;
      ASSERT_EQ(run("openssl pkcs8 -topk8 -nocrypt -in " + p + n + ".key -out " + p + n + ".p8"), 0);
      ASSERT_EQ(run("softhsm2-util --import " + p + n + ".p8 --token dosar --label " + n + " --id " +
                    (n == "rsa" ? "01" : "02") + " --pin 1234"),
                0);
      ASSERT_EQ(run("openssl x509 -in " + p + n + ".pem -outform DER -out " + p + n + ".der"), 0);
      ASSERT_EQ(run(std::string("pkcs11-tool --module ") + kModule +
                    " --login --pin 1234 --token-label dosar" + " --write-object " + p + n +
                    ".der --type cert --label " + n + " --id " + (n == "rsa" ? "01" : "02")),
                0);
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string uri(const std::string& object) {
    return "pkcs11:token=dosar;object=" + object + ";type=private?module-path=" + kModule;
  }
  static fs::path pki(const std::string& name) { return dir_->path() / "pki" / name; }
  static TempDir* dir_;
};
TempDir* Pkcs11KeyTest::dir_ = nullptr;

TEST_F(Pkcs11KeyTest, TokenKeysSignWhatTheValidatorAccepts) {
  auto trust = load_trust_store(pki("trust-crl"));
  ASSERT_TRUE(trust.ok());
  for (const char* object : {"rsa", "ec"}) {
    SCOPED_TRACE(object);
    auto key = SigningKey::from_pkcs11(uri(object), "1234", pki("chain-int.pem"));
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_NE(key->signer_name().find(object == std::string("rsa") ? "RSA" : "ECDSA"), std::string::npos);
    auto signed_pdf = sign_pdf(dosar::testing::make_text_pdf({"Semnat cu token"}), *key, {});
    ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.error().to_string();
    auto report = verify_pdf(*signed_pdf, **trust);
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->signatures.size(), 1u);
    EXPECT_TRUE(report->valid) << report->signatures[0].message;
  }
}

// libp11 keeps the token logged in for the life of the process, so a wrong
// PIN is tested through the binary (tests/e2e/sign_test.sh), one process each.
TEST_F(Pkcs11KeyTest, MissingObjectIsRefused) {
  auto missing = SigningKey::from_pkcs11(uri("nobody"), "1234");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::permission);
}

}  // namespace
}  // namespace dosar::signing
