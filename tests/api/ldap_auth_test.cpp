// Sign-in through LDAP (issue 7) against a real slapd that each test starts
// on loopback (tests/support/start_slapd.sh), with a test CA and server
// certificate (tests/support/make_exchange_pki.sh).
#include "api/ldap_auth.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "storage/archive_store.h"
#include "tests/api/test_server.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::api {
namespace {

namespace fs = std::filesystem;
using dosar::testing::shell;
using dosar::testing::TempDir;
using nlohmann::json;

constexpr const char* kAnaPassword = "ana-ldap-parola";

// A port nobody listens on right now (the kernel's choice for port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

bool listening(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

class LdapSignInTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir;
    std::string out;
    ASSERT_EQ(
        shell("bash " DOSAR_SOURCE_DIR "/tests/support/make_exchange_pki.sh " + pki_->path().string(), &out),
        0)
        << out;
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    ldap_port_ = free_port();
    do ldaps_port_ = free_port();
    while (ldaps_port_ == ldap_port_);
    std::string out;
    ASSERT_EQ(shell("bash " DOSAR_SOURCE_DIR "/tests/support/start_slapd.sh " + (dir_ / "slapd").string() +
                        " " + pki("a-tls.pem") + " " + pki("a-tls.key") + " " + std::to_string(ldap_port_) +
                        " " + std::to_string(ldaps_port_),
                    &out),
              0)
        << out;
    archive_ = dir_ / "archive";
    ASSERT_EQ(dosar({"init"}), 0);
    ::setenv("DOSAR_TEST_PASSWORD", "parola-locala-1", 1);
  }
  void TearDown() override {
    server_.reset();
    stop_slapd();
  }

  void stop_slapd() {
    std::ifstream pid_file(dir_ / "slapd" / "slapd.pid");
    pid_t pid = 0;
    if (!(pid_file >> pid) || pid <= 0) return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 200 && (listening(ldap_port_) || listening(ldaps_port_)); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  static std::string pki(const std::string& name) { return (pki_->path() / name).string(); }

  LdapOptions by_template(const std::string& scheme = "ldaps") const {
    LdapOptions o;
    o.url = scheme + "://127.0.0.1:" + std::to_string(scheme == "ldaps" ? ldaps_port_ : ldap_port_);
    o.ca_file = pki("ca.pem");
    o.bind_dn = "uid={user},ou=people,dc=test,dc=ro";
    return o;
  }
  LdapOptions by_search(const std::string& scheme = "ldap") const {
    LdapOptions o = by_template(scheme);
    o.bind_dn.clear();
    o.search_base = "ou=people,dc=test,dc=ro";
    o.filter = "(&(objectClass=inetOrgPerson)(uid={user}))";
    o.service_dn = "cn=dosar-svc,dc=test,dc=ro";
    o.service_password = "svc-parola";
    return o;
  }

  int dosar(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", archive_.string()});
    std::ostringstream out, err;
    int code = static_cast<int>(cli::run(args, out, err));
    last_err_ = err.str();
    return code;
  }

  void serve(std::optional<LdapOptions> ldap) {
    ServerOptions options;
    options.archive_dir = archive_;
    options.port = 0;
    options.threads = 2;
    options.ocr = false;
    options.derivation_jobs = 0;
    options.ldap = std::move(ldap);
    server_ = testing::TestServer::start(options);
    ASSERT_TRUE(server_);
  }

  httplib::Result sign_in(const std::string& user, const std::string& password) {
    return server_->client().Post("/api/v1/session", json{{"username", user}, {"password", password}}.dump(),
                                  "application/json");
  }

  std::string error_code(const httplib::Result& res) { return json::parse(res->body)["error"]["code"]; }

  static TempDir* pki_;
  TempDir dir_;
  fs::path archive_;
  int ldap_port_ = 0;
  int ldaps_port_ = 0;
  std::string last_err_;
  std::unique_ptr<testing::TestServer> server_;
};

TempDir* LdapSignInTest::pki_ = nullptr;

TEST_F(LdapSignInTest, RightPasswordOverLdapsOpensASessionWithTheRolesKeptInDosar) {
  ASSERT_EQ(dosar({"user", "add", "ana", "--departments", "Urbanism", "--role", "sef", "--ldap"}), 0)
      << last_err_;
  serve(by_template());
  auto res = sign_in("ana", kAnaPassword);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json who = json::parse(res->body);
  EXPECT_EQ(who["departments"], json::array({"Urbanism"}));
  EXPECT_EQ(who["roles"][0]["role"], "sef");
  std::string cookie = res->get_header_value("Set-Cookie");
  auto session = server_->client().Get("/api/v1/session", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
}

TEST_F(LdapSignInTest, StartTlsAndASearchByTheServiceAccountFindTheUser) {
  ASSERT_EQ(dosar({"user", "add", "bogdan", "--ldap"}), 0) << last_err_;
  serve(by_search("ldap"));
  auto res = sign_in("bogdan", "bogdan-ldap-parola");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  auto wrong = sign_in("bogdan", kAnaPassword);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
}

TEST_F(LdapSignInTest, WrongPasswordsAre401AndLockTheAccountLikeALocalOne) {
  ASSERT_EQ(dosar({"user", "add", "ana", "--ldap"}), 0) << last_err_;
  serve(by_template());
  for (int i = 0; i < kMaxLoginFailures; ++i) {
    auto res = sign_in("ana", "not-the-password");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << res->body;
    EXPECT_EQ(error_code(res), "bad_credentials");
  }
  auto locked = sign_in("ana", kAnaPassword);  // the right one, too late
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  EXPECT_EQ(error_code(locked), "locked");
}

TEST_F(LdapSignInTest, NamesUnknownToDosarOrToTheDirectoryAre401) {
  ASSERT_EQ(dosar({"user", "add", "ghost", "--ldap"}), 0) << last_err_;  // not in the directory
  serve(by_template());
  auto andrei = sign_in("andrei", "andrei-ldap-parola");  // in the directory, not in Dosar
  ASSERT_TRUE(andrei);
  EXPECT_EQ(andrei->status, 401);
  auto ghost = sign_in("ghost", kAnaPassword);
  ASSERT_TRUE(ghost);
  EXPECT_EQ(ghost->status, 401);
  EXPECT_EQ(error_code(ghost), "bad_credentials");
}

TEST_F(LdapSignInTest, ALocalPasswordNeverStandsInForTheDirectory) {
  // A local account with a password, later moved to LDAP: the old password
  // is gone, and none can be set again.
  ASSERT_EQ(dosar({"user", "add", "ana", "--password-env", "DOSAR_TEST_PASSWORD"}), 0) << last_err_;
  {
    auto archive = ArchiveStore::open(archive_);
    ASSERT_TRUE(archive.ok());
    ASSERT_TRUE((*archive)->accounts().set_authentication("ana", Authentication::ldap, "test").ok());
    auto state = (*archive)->accounts().login_state("ana");
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->authentication, Authentication::ldap);
    EXPECT_FALSE(state->password_hash);
  }
  EXPECT_EQ(dosar({"user", "passwd", "ana", "--password-env", "DOSAR_TEST_PASSWORD"}), 1);
  EXPECT_NE(last_err_.find("signs in through LDAP"), std::string::npos) << last_err_;
  EXPECT_EQ(dosar({"user", "add", "ion", "--ldap", "--password-env", "DOSAR_TEST_PASSWORD"}), 2);

  serve(by_template());
  auto local = sign_in("ana", "parola-locala-1");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 401);
  auto empty = sign_in("ana", "");  // an anonymous bind, were it sent
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 401);
}

TEST_F(LdapSignInTest, WithoutLdapSettingsAnLdapAccountGetsA503) {
  ASSERT_EQ(dosar({"user", "add", "ana", "--ldap"}), 0) << last_err_;
  serve(std::nullopt);
  auto res = sign_in("ana", kAnaPassword);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(error_code(res), "directory_unavailable");
}

TEST_F(LdapSignInTest, DirectoryStoppedIsA503AndNeitherASignInNorAFailure) {
  ASSERT_EQ(dosar({"user", "add", "ana", "--ldap"}), 0) << last_err_;
  serve(by_template());
  stop_slapd();
  for (int i = 0; i < kMaxLoginFailures + 1; ++i) {
    auto res = sign_in("ana", kAnaPassword);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503) << res->body;
    EXPECT_EQ(error_code(res), "directory_unavailable");
    EXPECT_EQ(res->get_header_value("Set-Cookie"), "");
  }
  auto archive = ArchiveStore::open(archive_);
  ASSERT_TRUE(archive.ok());
  auto state = (*archive)->accounts().login_state("ana");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->recent_failures, 0);  // the directory's outage is not the user's mistake

  auto direct = ldap_authenticate(by_search("ldaps"), "ana", kAnaPassword);
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, ErrorCode::io);
}

TEST_F(LdapSignInTest, AnUntrustedServerCertificateIsRefusedBeforeAnyBind) {
  for (std::string scheme : {"ldaps", "ldap"}) {
    LdapOptions o = by_template(scheme);
    o.ca_file = pki("rogue-ca.pem");  // slapd's certificate is of ca.pem
    auto verdict = ldap_authenticate(o, "ana", kAnaPassword);
    ASSERT_FALSE(verdict.ok()) << scheme;
    EXPECT_EQ(verdict.error().code, ErrorCode::io) << scheme;
  }
  ASSERT_EQ(dosar({"user", "add", "ana", "--ldap"}), 0) << last_err_;
  LdapOptions untrusted = by_template();
  untrusted.ca_file = pki("rogue-ca.pem");
  serve(untrusted);
  auto res = sign_in("ana", kAnaPassword);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST_F(LdapSignInTest, InjectionInTheUserNameFindsNoOtherEntry) {
  // Each name, were it pasted into the DN or the filter as it is, would bind
  // as ana (or fail oddly); escaped, it names an entry that does not exist.
  const std::string nul_name("ana\0", 4);
  for (const LdapOptions& o : {by_template(), by_search()}) {
    for (const std::string& name :
         {std::string("an*"), std::string("*"), std::string("*)(uid=ana"), std::string("ana)(|(uid=*"),
          std::string("ana,ou=people,dc=test,dc=ro"), std::string("ana\\2a"), nul_name}) {
      auto verdict = ldap_authenticate(o, name, kAnaPassword);
      ASSERT_TRUE(verdict.ok()) << name << ": " << verdict.error().to_string();
      EXPECT_EQ(*verdict, LdapVerdict::refused) << name;
    }
    auto ana = ldap_authenticate(o, "ana", kAnaPassword);
    ASSERT_TRUE(ana.ok()) << ana.error().to_string();
    EXPECT_EQ(*ana, LdapVerdict::accepted);
  }
  // Through the web sign-in too, for a Dosar account so named.
  ASSERT_EQ(dosar({"user", "add", "*)(uid=ana", "--ldap"}), 0) << last_err_;
  serve(by_search());
  auto res = sign_in("*)(uid=ana", kAnaPassword);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST(LdapEscaping, EscapesTheSpecialsOfDnsAndFilters) {
  EXPECT_EQ(escape_filter_value("a*b(c)d\\e"), "a\\2ab\\28c\\29d\\5ce");
  EXPECT_EQ(escape_filter_value(std::string("x\0y", 3)), "x\\00y");
  EXPECT_EQ(escape_filter_value("ana,ou=x"), "ana,ou=x");  // not special in a filter
  EXPECT_EQ(escape_dn_value("ana,ou=x+y"), "ana\\2cou\\3dx\\2by");
  EXPECT_EQ(escape_dn_value("#a b "), "\\23a b\\20");
  EXPECT_EQ(escape_dn_value(std::string("a\0\"<>;\\", 7)), "a\\00\\22\\3c\\3e\\3b\\5c");
  EXPECT_EQ(escape_dn_value("*)("), "*)(");  // not special in a DN
}

TEST(LdapOptionsCheck, RefusesSettingsThatWouldSkipTlsOrFindNoDn) {
  LdapOptions o;
  o.url = "ldapi:///";
  o.ca_file = "/etc/hostname";
  o.bind_dn = "uid={user},dc=x";
  EXPECT_EQ(check_ldap_options(o).error().subject, "LDAP URL");
  o.url = "ldaps://a";
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(check_ldap_options(o).error().subject, "LDAP CA file");
  o.ca_file = "/etc/hostname";
  o.bind_dn = "uid=fixed,dc=x";
  EXPECT_EQ(check_ldap_options(o).error().subject, "LDAP bind DN");
  o.bind_dn.clear();
  o.search_base = "dc=x";
  EXPECT_EQ(check_ldap_options(o).error().subject, "LDAP service account");
  o.service_dn = "cn=s";
  o.service_password = "p";
  EXPECT_TRUE(check_ldap_options(o).ok());
}

}  // namespace
}  // namespace dosar::api
