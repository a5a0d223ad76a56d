// The HTTP API against a real server on loopback: sign-in, CSRF, lock-out,
// permissions on every document endpoint, uploads and downloads.
#include "api/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "tests/api/test_server.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::api {
namespace {

namespace fs = std::filesystem;
using dosar::testing::make_text_pdf;
using dosar::testing::TempDir;
using nlohmann::json;

constexpr const char* kPassword = "parola-de-test-1";

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_ / "archive";
    ASSERT_EQ(dosar({"init"}), 0);
    ::setenv("DOSAR_TEST_PASSWORD", kPassword, 1);
    ASSERT_EQ(dosar({"user", "add", "ana", "--departments", "Asistență socială", "--password-env",
                     "DOSAR_TEST_PASSWORD"}),
              0);
    ASSERT_EQ(
        dosar({"user", "add", "ion", "--departments", "Urbanism", "--password-env", "DOSAR_TEST_PASSWORD"}),
        0);
    ASSERT_EQ(dosar({"user", "add", "maria", "--departments", "Asistență socială", "--restricted",
                     "--password-env", "DOSAR_TEST_PASSWORD"}),
              0);
    social_pdf_ = dir_ / "ancheta.pdf";
    testing::write_file(social_pdf_,
                        make_text_pdf({"Anchetă socială privind copiii familiei Popescu, strada Băicului."}));
    testing::write_file(dir_ / "urbanism.pdf",
                        make_text_pdf({"Certificat de urbanism pentru strada Băicului nr. 3."}));
    testing::write_file(dir_ / "personal.pdf",
                        make_text_pdf({"Date personale: CNP și adresa beneficiarului Băicului."}));
    ASSERT_EQ(dosar({"ingest", "--department", "Asistență socială", social_pdf_.string()}), 0);     // id 1
    ASSERT_EQ(dosar({"ingest", "--department", "Urbanism", (dir_ / "urbanism.pdf").string()}), 0);  // id 2
    ASSERT_EQ(dosar({"ingest", "--department", "Asistență socială", "--confidentiality",
                     "restricted-personal-data", (dir_ / "personal.pdf").string()}),
              0);  // id 3

    ServerOptions options;
    options.archive_dir = archive_;
    options.port = 0;
    options.threads = 2;
    options.max_upload_bytes = 1 << 20;
    options.ocr = false;
    server_ = testing::TestServer::start(options);
    ASSERT_TRUE(server_);
  }

  int dosar(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", archive_.string()});
    std::ostringstream out, err;
    int code = static_cast<int>(cli::run(args, out, err));
    if (code != 0) ADD_FAILURE() << err.str();
    return code;
  }

  httplib::Client client() const { return server_->client(); }

  struct SignedIn {
    std::string cookie;  // "dosar_session=..."
    std::string csrf;
    httplib::Headers headers(bool with_csrf = false) const {
      httplib::Headers h{{"Cookie", cookie}};
      if (with_csrf) h.emplace("X-CSRF-Token", csrf);
      return h;
    }
  };

  httplib::Result sign_in_request(const std::string& user, const std::string& password,
                                  const httplib::Headers& headers = {}) {
    return client().Post("/api/v1/session", headers, json{{"username", user}, {"password", password}}.dump(),
                         "application/json");
  }

  SignedIn sign_in(const std::string& user) {
    auto res = sign_in_request(user, kPassword);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    std::string set_cookie = res->get_header_value("Set-Cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
    return {set_cookie.substr(0, set_cookie.find(';')), json::parse(res->body)["csrf_token"]};
  }

  // Follows an upload's progress URL until its text is read; the states seen.
  std::vector<std::string> follow_progress(const std::string& url, const SignedIn& who) {
    std::vector<std::string> seen;
    for (int i = 0; i < 600; ++i) {
      auto res = client().Get(url, who.headers());
      EXPECT_TRUE(res && res->status == 200);
      if (!res || res->status != 200) break;
      std::string state = json::parse(res->body)["state"];
      if (seen.empty() || seen.back() != state) seen.push_back(state);
      if (state == "done" || state == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return seen;
  }

  TempDir dir_;
  fs::path archive_;
  fs::path social_pdf_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(ApiServerTest, EveryApiCallWithoutSessionIs401) {
  auto c = client();
  for (const char* path :
       {"/api/v1/session", "/api/v1/documents", "/api/v1/search?q=ancheta", "/api/v1/documents/1",
        "/api/v1/documents/1/audit", "/api/v1/documents/1/versions/1/original",
        "/api/v1/documents/1/versions/1/text"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << path;
    EXPECT_EQ(json::parse(res->body)["error"]["message"], "sign in first") << path;
  }
  auto forged = c.Get("/api/v1/documents", {{"Cookie", "dosar_session=0123456789abcdef"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto upload = c.Post("/api/v1/documents?filename=x.pdf", "%PDF-1.4", "application/octet-stream");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 401);
}

TEST_F(ApiServerTest, WrongPasswordsLockTheAccountAndAreAudited) {
  auto wrong = sign_in_request("ana", "not-the-password");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(json::parse(wrong->body)["error"]["code"], "bad_credentials");
  EXPECT_EQ(wrong->get_header_value("Set-Cookie"), "");
  auto unknown = sign_in_request("nobody", kPassword);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(unknown->body, wrong->body) << "an unknown name must look like a wrong password";
  for (int i = 0; i < 4; ++i) ASSERT_EQ(sign_in_request("ana", "still-wrong-password")->status, 401);
  auto locked = sign_in_request("ana", kPassword);
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429) << "the right password must not open a locked account";
  EXPECT_EQ(json::parse(locked->body)["error"]["code"], "locked");
  // Another account is not affected.
  sign_in("ion");

  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"--archive", archive_.string(), "audit", "--json"}, out, err), cli::ExitCode::ok);
  int failures = 0;
  for (const json& row : json::parse(out.str()))
    if (row["action"] == "login.failure") ++failures;
  EXPECT_EQ(failures, 7);  // 5 wrong, 1 unknown name, 1 while locked
  // A new password (set by an administrator) lifts the lock.
  ASSERT_EQ(dosar({"user", "passwd", "ana", "--password-env", "DOSAR_TEST_PASSWORD"}), 0);
  sign_in("ana");
}

TEST_F(ApiServerTest, SignInRefusesMalformedBodiesAndOtherOrigins) {
  auto c = client();
  for (const std::string body :
       {"", "not json", "[]", R"({"username":"ana"})", R"({"username":1,"password":2})"}) {
    auto res = c.Post("/api/v1/session", body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body;
  }
  auto cross = sign_in_request("ana", kPassword, {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
}

TEST_F(ApiServerTest, StateChangesNeedTheSessionsCsrfToken) {
  SignedIn ana = sign_in("ana");
  auto c = client();
  auto without =
      c.Post("/api/v1/documents?filename=a.pdf", ana.headers(false), "%PDF", "application/octet-stream");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 403);
  httplib::Headers wrong = ana.headers(false);
  wrong.emplace("X-CSRF-Token", std::string(ana.csrf.size(), '0'));
  auto forged = c.Delete("/api/v1/session", wrong);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  httplib::Headers cross = ana.headers(true);
  cross.emplace("Origin", "http://evil.example");
  auto other_origin = c.Delete("/api/v1/session", cross);
  ASSERT_TRUE(other_origin);
  EXPECT_EQ(other_origin->status, 403);
  // The session survived all of that, and signs out properly.
  EXPECT_EQ(c.Get("/api/v1/session", ana.headers())->status, 200);
  EXPECT_EQ(c.Delete("/api/v1/session", ana.headers(true))->status, 200);
  EXPECT_EQ(c.Get("/api/v1/session", ana.headers())->status, 401);
}

TEST_F(ApiServerTest, SignOutEverywhereAndDisablingEndEverySession) {
  SignedIn first = sign_in("ana");
  SignedIn second = sign_in("ana");
  auto c = client();
  EXPECT_EQ(c.Post("/api/v1/session/everywhere", first.headers(true), "", "application/json")->status, 200);
  EXPECT_EQ(c.Get("/api/v1/documents", second.headers())->status, 401);
  SignedIn ion = sign_in("ion");
  ASSERT_EQ(dosar({"user", "disable", "ion"}), 0);
  EXPECT_EQ(c.Get("/api/v1/documents", ion.headers())->status, 401);
  EXPECT_EQ(sign_in_request("ion", kPassword)->status, 401);
}

TEST_F(ApiServerTest, DocumentsOfOtherDepartmentsAre404OnEveryEndpoint) {
  SignedIn ion = sign_in("ion");  // Urbanism: sees document 2 only
  auto c = client();
  for (const std::string id : {"1", "3", "999"})
    for (const std::string suffix :
         {"", "/audit", "/versions/1/original", "/versions/1/text", "/versions/1/pdf"}) {
      auto res = c.Get("/api/v1/documents/" + id + suffix, ion.headers());
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 404) << id << suffix;
      EXPECT_EQ(json::parse(res->body)["error"]["message"], "no such document") << id << suffix;
    }
  EXPECT_EQ(c.Get("/api/v1/documents/2", ion.headers())->status, 200);
  auto list = json::parse(c.Get("/api/v1/documents", ion.headers())->body);
  EXPECT_EQ(list["documents"].size(), 1u);
  EXPECT_EQ(list["documents"][0]["id"], 2);
  auto found = json::parse(c.Get("/api/v1/search?q=baicului", ion.headers())->body);
  EXPECT_EQ(found["total"], 1);
  EXPECT_EQ(found["hits"][0]["id"], 2);
  for (const auto& [facet, values] : found["facets"].items())
    for (const json& v : values) EXPECT_NE(v["value"], "Asistență socială") << facet;
}

TEST_F(ApiServerTest, SearchWithoutDiacriticsFindsWithSnippetsAndFacets) {
  SignedIn ana = sign_in("ana");
  auto res = client().Get("/api/v1/search?q=ancheta%20sociala%20copii", ana.headers());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json r = json::parse(res->body);
  ASSERT_EQ(r["total"], 1);
  EXPECT_EQ(r["hits"][0]["id"], 1);
  EXPECT_NE(r["hits"][0]["snippet"].get<std::string>().find("<mark>Anchetă</mark>"), std::string::npos);
  EXPECT_EQ(r["facets"]["dep"][0]["value"], "Asistență socială");
  auto malformed = client().Get("/api/v1/search?q=data%3A2026..2020", ana.headers());
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(json::parse(malformed->body)["error"]["message"].get<std::string>().find("ends before it starts"),
            std::string::npos);
}

TEST_F(ApiServerTest, RestrictedDocumentsNeedRestrictedAccessAndEveryReadIsAudited) {
  auto c = client();
  EXPECT_EQ(c.Get("/api/v1/documents/3", sign_in("ana").headers())->status, 404);
  SignedIn maria = sign_in("maria");
  EXPECT_EQ(c.Get("/api/v1/documents/3", maria.headers())->status, 200);
  EXPECT_EQ(c.Get("/api/v1/documents/3/versions/1/text", maria.headers())->status, 200);
  auto trail = json::parse(c.Get("/api/v1/documents/3/audit", maria.headers())->body)["audit"];
  std::vector<std::string> reads;
  for (const json& row : trail)
    if (row["action"] == "document.read")
      reads.push_back(row["actor"].get<std::string>() + ":" + row["detail"]["what"].get<std::string>());
  EXPECT_EQ(reads, (std::vector<std::string>{"maria:record", "maria:derived", "maria:audit trail"}));
}

TEST_F(ApiServerTest, DownloadsAreByteExact) {
  SignedIn ana = sign_in("ana");
  auto res = client().Get("/api/v1/documents/1/versions/1/original", ana.headers());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->body, testing::read_file(social_pdf_));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/pdf");
  EXPECT_NE(res->get_header_value("Content-Disposition").find("ancheta.pdf"), std::string::npos);
  auto text = client().Get("/api/v1/documents/1/versions/1/text", ana.headers());
  ASSERT_EQ(text->status, 200);
  EXPECT_NE(text->body.find("Anchetă socială"), std::string::npos);
}

TEST_F(ApiServerTest, UploadStoresIndexesAndRefusesBadFiles) {
  SignedIn ana = sign_in("ana");
  auto c = client();
  std::string pdf = make_text_pdf({"Referat privind acordarea ajutorului de încălzire."});
  auto stored = c.Post("/api/v1/documents?filename=..%2F..%2Freferat.pdf&type=referat", ana.headers(true),
                       pdf, "application/octet-stream");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 201) << stored->body;
  json item = json::parse(stored->body);
  EXPECT_EQ(item["status"], "stored");
  EXPECT_EQ(item["file_name"], "referat.pdf") << "path tricks are stripped from names";
  std::string id = std::to_string(item["id"].get<long long>());
  // Stored at once; its text is read in the background, followed by the page.
  ASSERT_EQ(item["progress"], "/api/v1/documents/" + id + "/progress");
  auto states = follow_progress(item["progress"], ana);
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), "done") << "states seen: " << json(states).dump();
  for (const std::string& s : states) EXPECT_TRUE(s == "queued" || s == "running" || s == "done") << s;
  EXPECT_EQ(c.Get("/api/v1/documents/" + id + "/progress", SignedIn{}.headers())->status, 401);
  SignedIn ion = sign_in("ion");
  EXPECT_EQ(c.Get("/api/v1/documents/" + id + "/progress", ion.headers())->status, 404)
      << "another department does not even learn that it exists";
  json document = json::parse(c.Get("/api/v1/documents/" + id, ana.headers())->body);
  EXPECT_EQ(document["versions"][0]["derivation"], "done");
  EXPECT_EQ(document["department"], "Asistență socială") << "the uploader's department by default";
  EXPECT_EQ(document["versions"][0]["author"], "ana");
  json found = json::parse(c.Get("/api/v1/search?q=incalzire", ana.headers())->body);
  ASSERT_EQ(found["total"], 1);
  EXPECT_EQ(std::to_string(found["hits"][0]["id"].get<long long>()), id);

  auto again =
      c.Post("/api/v1/documents?filename=copie.pdf", ana.headers(true), pdf, "application/octet-stream");
  ASSERT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["status"], "duplicate");

  auto lying = c.Post("/api/v1/documents?filename=factura.pdf", ana.headers(true),
                      "MZ\x90\x00 not a pdf at all", "application/octet-stream");
  ASSERT_TRUE(lying);
  EXPECT_EQ(lying->status, 415) << lying->body;
  EXPECT_EQ(json::parse(lying->body)["error"]["subject"], "factura.pdf");

  auto huge = c.Post("/api/v1/documents?filename=mare.pdf", ana.headers(true), std::string(2 << 20, 'x'),
                     "application/octet-stream");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);

  auto elsewhere = c.Post("/api/v1/documents?filename=u.pdf&department=Urbanism", ana.headers(true), pdf,
                          "application/octet-stream");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 403);
  // Nothing of the refused uploads was stored, and the spool is clean.
  EXPECT_EQ(json::parse(c.Get("/api/v1/documents", ana.headers())->body)["documents"].size(), 2u);
  for (const auto& entry : fs::directory_iterator(archive_ / "spool"))
    EXPECT_NE(entry.path().filename().string().rfind("stage-", 0), 0u) << entry.path();
}

TEST_F(ApiServerTest, ServesThePagesWithAStrictContentSecurityPolicy) {
  auto c = client();
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<html lang=\"ro\">"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(c.Get("/app.js")->status, 200);
  auto missing = c.Get("/api/v1/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"]["code"], "not_found");
}

TEST(ApiServerOptions, RefusesAPortInUseAndHalfATlsPair) {
  TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"--archive", (dir / "a").string(), "init"}, out, err), cli::ExitCode::ok);
  ServerOptions options;
  options.archive_dir = dir / "a";
  options.port = 0;
  auto first = WebServer::create(options);
  ASSERT_TRUE(first.ok());
  options.port = (*first)->port();
  auto second = WebServer::create(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::io);
  options.port = 0;
  options.tls_cert = dir / "cert.pem";
  auto half = WebServer::create(options);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().code, ErrorCode::invalid_argument);
  options.archive_dir = dir / "none";
  options.tls_cert.reset();
  EXPECT_EQ(WebServer::create(options).error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace dosar::api

namespace dosar::api {
namespace {

// An archive at `archive` with one user, ana, whose password is kPassword.
void init_archive_with_ana(const fs::path& archive) {
  std::ostringstream out, err;
  ::setenv("DOSAR_TEST_PASSWORD", kPassword, 1);
  ASSERT_EQ(cli::run({"--archive", archive.string(), "init"}, out, err), cli::ExitCode::ok) << err.str();
  ASSERT_EQ(
      cli::run({"--archive", archive.string(), "user", "add", "ana", "--password-env", "DOSAR_TEST_PASSWORD"},
               out, err),
      cli::ExitCode::ok)
      << err.str();
}

TEST(ApiServerTls, ServesHttpsWithSecureCookies) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(init_archive_with_ana(dir / "a"));
  std::string make_cert =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(make_cert.c_str()), 0);
  ServerOptions options;
  options.archive_dir = dir / "a";
  options.port = 0;
  options.tls_cert = dir / "cert.pem";
  options.tls_key = dir / "key.pem";
  auto server = WebServer::create(options);
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  EXPECT_EQ((*server)->url().rfind("https://", 0), 0u);
  std::thread thread([&] { (void)(*server)->run(); });
  httplib::SSLClient client("127.0.0.1", (*server)->port());
  client.set_ca_cert_path((dir / "cert.pem").c_str());
  client.enable_server_certificate_verification(true);
  for (int i = 0; i < 200 && !client.Get("/"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto res = client.Post("/api/v1/session", json{{"username", "ana"}, {"password", kPassword}}.dump(),
                         "application/json");
  (*server)->stop();
  thread.join();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);

  options.tls_key = dir / "cert.pem";  // not a key
  auto broken = WebServer::create(options);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace dosar::api

namespace dosar::api {
namespace {

// Behind nginx (deploy/nginx/dosar.conf) the server speaks plain HTTP to the
// proxy; the browser's HTTPS is known only from X-Forwarded-Proto, and only
// a proxy the server trusts may say so.
TEST(ApiServerBehindProxy, CookiesAreSecureWhenATrustedProxySaysTheBrowserUsesHttps) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(init_archive_with_ana(dir / "a"));
  auto set_cookie = [&](const std::vector<std::string>& proxies, const httplib::Headers& headers) {
    ServerOptions options;
    options.archive_dir = dir / "a";
    options.port = 0;
    options.trusted_proxies = proxies;
    auto server = testing::TestServer::start(options);
    if (!server) return std::string("no server");
    auto res =
        server->client().Post("/api/v1/session", headers,
                              json{{"username", "ana"}, {"password", kPassword}}.dump(), "application/json");
    if (!res || res->status != 200) return std::string("sign-in failed");
    return res->get_header_value("Set-Cookie");
  };
  const httplib::Headers https{{"X-Forwarded-Proto", "https"}};
  EXPECT_NE(set_cookie({"127.0.0.1"}, https).find("; Secure"), std::string::npos);
  EXPECT_EQ(set_cookie({"127.0.0.1"}, {}).find("; Secure"), std::string::npos);
  // The same header from a client that is not a trusted proxy changes nothing.
  std::string untrusted = set_cookie({"10.0.0.9"}, https);
  EXPECT_NE(untrusted.find("HttpOnly"), std::string::npos) << untrusted;
  EXPECT_EQ(untrusted.find("; Secure"), std::string::npos);
}

TEST_F(ApiServerTest, PagePreviewsArePngsOfVisiblePagesOnly) {
  SignedIn ana = sign_in("ana");
  auto c = client();
  auto png = c.Get("/api/v1/documents/1/versions/1/pages/1/preview?width=200", ana.headers());
  ASSERT_TRUE(png);
  ASSERT_EQ(png->status, 200) << png->body;
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  ASSERT_GT(png->body.size(), 24u);
  EXPECT_EQ(png->body.substr(1, 3), "PNG");
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png->body[at]) << 24) |
           (static_cast<unsigned char>(png->body[at + 1]) << 16) |
           (static_cast<unsigned char>(png->body[at + 2]) << 8) |
           static_cast<unsigned char>(png->body[at + 3]);
  };
  EXPECT_EQ(be32(16), 200u) << "width";
  EXPECT_GT(be32(20), 200u) << "a portrait page is taller than wide";
  EXPECT_EQ(c.Get("/api/v1/documents/1/versions/1/pages/2/preview", ana.headers())->status, 404);
  EXPECT_EQ(c.Get("/api/v1/documents/1/versions/1/pages/99999999999999/preview", ana.headers())->status, 404);
  EXPECT_EQ(c.Get("/api/v1/documents/2/versions/1/pages/1/preview", ana.headers())->status, 404);
}

}  // namespace
}  // namespace dosar::api

namespace dosar::api {
namespace {

TEST_F(ApiServerTest, RegistryDeskRegistersAndTheCitizenFollowsWithTheCode) {
  SignedIn ana = sign_in("ana");
  auto c = client();
  json request = {{"register", "intrare"},        {"kind", "petitie"},
                  {"sender", "Ionescu Maria"},    {"contact", "str. Băicului 12"},
                  {"subject", "anchetă socială"}, {"documents", {1}}};
  auto without_csrf = c.Post("/api/v1/registry", ana.headers(false), request.dump(), "application/json");
  ASSERT_TRUE(without_csrf);
  EXPECT_EQ(without_csrf->status, 403);
  auto other_departments_document = request;
  other_departments_document["documents"] = {2};
  EXPECT_EQ(
      c.Post("/api/v1/registry", ana.headers(true), other_departments_document.dump(), "application/json")
          ->status,
      404);
  auto missing_subject = request;
  missing_subject.erase("subject");
  EXPECT_EQ(c.Post("/api/v1/registry", ana.headers(true), missing_subject.dump(), "application/json")->status,
            400);

  auto res = c.Post("/api/v1/registry", ana.headers(true), request.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  json entry = json::parse(res->body);
  EXPECT_EQ(entry["seq"], 1) << "refused registrations took no number";
  std::string number = entry["number"], code = entry["access_code"];
  EXPECT_EQ(code.size(), 10u);

  auto list = json::parse(c.Get("/api/v1/registry?register=intrare", sign_in("maria").headers())->body);
  ASSERT_EQ(list["entries"].size(), 1u);
  EXPECT_EQ(list["entries"][0]["sender"]["name"], "Ionescu Maria") << "maria has restricted access";
  list = json::parse(c.Get("/api/v1/registry?register=intrare", ana.headers())->body);
  EXPECT_EQ(list["entries"][0]["sender"], "restricted");

  auto pdf = c.Post("/api/v1/registry/receipt", ana.headers(true),
                    json{{"number", number}, {"code", code}}.dump(), "application/json");
  ASSERT_TRUE(pdf);
  ASSERT_EQ(pdf->status, 200) << pdf->body;
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
  EXPECT_EQ(c.Post("/api/v1/registry/receipt", ana.headers(true),
                   json{{"number", number}, {"code", "AAAAAAAAAA"}}.dump(), "application/json")
                ->status,
            403);

  // The citizen: no session, number and code only, nothing personal in the answer.
  httplib::Params params{{"number", number}, {"code", code}};
  auto status = c.Get("/api/v1/public/status", params, httplib::Headers{});
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200) << status->body;
  EXPECT_EQ(json::parse(status->body)["status"], "registered");
  EXPECT_EQ(status->body.find("Ionescu"), std::string::npos);
  EXPECT_EQ(status->body.find("Băicului"), std::string::npos);
  EXPECT_EQ(status->body.find("anchet"), std::string::npos);
  for (int i = 0; i < 5; ++i) {
    auto wrong = c.Get("/api/v1/public/status",
                       httplib::Params{{"number", number}, {"code", "WRONGCODE" + std::to_string(i)}},
                       httplib::Headers{});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403);
  }
  auto limited = c.Get("/api/v1/public/status", params, httplib::Headers{});
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << "after 5 wrong codes even the right one waits";
  EXPECT_EQ(c.Get("/stare.html")->status, 200);
}

}  // namespace
}  // namespace dosar::api

namespace dosar::api {
namespace {

TEST_F(ApiServerTest, HeadApprovesFromTheInboxWithTheKeyKeptOnTheServerAndThePin) {
  fs::path pki = dir_ / "pki";
  ASSERT_EQ(
      std::system(("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " + pki.string() + " >/dev/null")
                      .c_str()),
      0);
  ASSERT_EQ(dosar({"user", "add", "sef", "--departments", "Asistență socială", "--password-env",
                   "DOSAR_TEST_PASSWORD"}),
            0);
  ASSERT_EQ(dosar({"user", "signing-key", "sef", "--key", (pki / "rsa.p12").string()}), 0);
  ASSERT_EQ(dosar({"flow", "template", "aviz", "--step", "aprobare=sef"}), 0);
  ASSERT_EQ(dosar({"flow", "start", "1", "--kind", "aviz", "--as", "ana"}), 0);
  EXPECT_EQ(fs::status(archive_ / "keys").permissions() & fs::perms::others_all, fs::perms::none);

  SignedIn sef = sign_in("sef");
  auto c = client();
  json inbox = json::parse(c.Get("/api/v1/flows/inbox", sef.headers())->body)["items"];
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0]["document"], 1);
  EXPECT_EQ(inbox[0]["step"], "aprobare");
  std::string flow = std::to_string(inbox[0]["flow"].get<long long>());
  EXPECT_EQ(json::parse(c.Get("/api/v1/flows/inbox", sign_in("ana").headers())->body)["items"].size(), 0u);

  auto wrong_pin = c.Post("/api/v1/flows/" + flow + "/approve", sef.headers(true),
                          json{{"version", 1}, {"pin", "not-the-pin"}}.dump(), "application/json");
  ASSERT_TRUE(wrong_pin);
  EXPECT_EQ(wrong_pin->status, 403) << wrong_pin->body;
  EXPECT_EQ(json::parse(c.Get("/api/v1/documents/1", sef.headers())->body)["current_version"], 1)
      << "a wrong PIN signs and stores nothing";
  auto not_theirs = c.Post("/api/v1/flows/" + flow + "/approve", sign_in("maria").headers(true),
                           json{{"version", 1}, {"pin", "test"}}.dump(), "application/json");
  ASSERT_TRUE(not_theirs);
  EXPECT_EQ(not_theirs->status, 404) << "maria has no key on the server: " << not_theirs->body;

  auto approved = c.Post("/api/v1/flows/" + flow + "/approve", sef.headers(true),
                         json{{"version", 1}, {"pin", "test"}}.dump(), "application/json");
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  json answer = json::parse(approved->body);
  EXPECT_EQ(answer["cryptographic_signature"], true);
  EXPECT_EQ(answer["status"], "approved");
  EXPECT_EQ(answer["signed_version"], 2);

  // The signed version verifies, independently of the server.
  auto pdf = c.Get("/api/v1/documents/1/versions/2/original", sef.headers());
  ASSERT_EQ(pdf->status, 200);
  testing::write_file(dir_ / "signed.pdf", pdf->body);
  std::ostringstream out, err;
  EXPECT_EQ(
      cli::run({"verify", "--trust", (pki / "trust-crl").string(), (dir_ / "signed.pdf").string()}, out, err),
      cli::ExitCode::ok)
      << out.str() << err.str();
  EXPECT_EQ(json::parse(c.Get("/api/v1/flows/inbox", sef.headers())->body)["items"].size(), 0u);
  // This server trusts no root (no --trust): the verdict says so, never "valid".
  json verdict = json::parse(c.Get("/api/v1/documents/1/versions/2/signatures", sef.headers())->body);
  EXPECT_EQ(verdict["valid"], false);
  ASSERT_EQ(verdict["signatures"].size(), 1u);
  EXPECT_EQ(verdict["signatures"][0]["subindication"], "NO_CERTIFICATE_CHAIN_FOUND");
  EXPECT_EQ(json::parse(c.Get("/api/v1/documents/1/versions/1/signatures", sef.headers())->body)["signatures"]
                .size(),
            0u);
}

// The beneficiary file over HTTP (issue 12): the purpose on every read, the
// access record, masked lists, and 404 for a person one is not assigned to.
TEST_F(ApiServerTest, PersonsAreSeenOnlyByTheAssignedWithAPurpose) {
  ASSERT_EQ(dosar({"person", "add", "--name", "Ion Popescu", "--cnp", "1800101400016", "--as", "maria"}), 0);
  ASSERT_EQ(dosar({"person", "link", "1", "--document", "1", "--as", "maria"}), 0);
  auto maria = sign_in("maria");
  auto ion = sign_in("ion");
  auto c = client();

  auto file = c.Get("/api/v1/persons/1?purpose=evaluare", maria.headers());
  ASSERT_EQ(file->status, 200) << file->body;
  EXPECT_EQ(json::parse(file->body)["cnp"], "1800101400016");
  auto no_purpose = c.Get("/api/v1/persons/1", maria.headers());
  EXPECT_EQ(no_purpose->status, 400);
  EXPECT_NE(no_purpose->body.find("purpose"), std::string::npos);

  // Not assigned: exactly the answer for a person who does not exist.
  auto hidden = c.Get("/api/v1/persons/1?purpose=evaluare", ion.headers());
  auto missing = c.Get("/api/v1/persons/99?purpose=evaluare", ion.headers());
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(hidden->body)["error"]["message"], json::parse(missing->body)["error"]["message"]);
  EXPECT_EQ(c.Get("/api/v1/persons/1/timeline?purpose=evaluare", ion.headers())->status, 404);
  EXPECT_EQ(
      json::parse(c.Get("/api/v1/persons?q=popescu&purpose=evaluare", ion.headers())->body)["persons"].size(),
      0u);

  auto list = c.Get("/api/v1/persons?q=popescu&purpose=evaluare", maria.headers());
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(list->body.find("1800101400016"), std::string::npos);  // lists mask the CNP
  EXPECT_EQ(json::parse(list->body)["persons"][0]["cnp"], "1********0016");
  auto timeline = json::parse(
      c.Get("/api/v1/persons/1/timeline?purpose=anchet%C4%83-social%C4%83", maria.headers())->body);
  ASSERT_EQ(timeline["items"].size(), 1u);
  EXPECT_EQ(timeline["items"][0]["id"], 1);

  auto report = json::parse(c.Get("/api/v1/persons/1/access-report", maria.headers())->body)["accesses"];
  ASSERT_EQ(report.size(),
            4u);  // page, search hit, timeline, the report itself; ion's refusals are not reads
  EXPECT_EQ(report[0]["what"], "person");
  EXPECT_EQ(report[2]["purpose"], "anchetă-socială");
  for (const auto& r : report) EXPECT_EQ(r["user"], "maria");
  // Reading a linked document is a read of the person's data too.
  ASSERT_EQ(c.Get("/api/v1/documents/1?purpose=evaluare", maria.headers())->status, 200);
  ASSERT_EQ(c.Get("/api/v1/documents/1", maria.headers())->status, 200);
  EXPECT_EQ(c.Get("/api/v1/documents/1?purpose=evaluare", ion.headers())->status, 404);
  // So is a search hit on it (its snippet shows the text).
  ASSERT_EQ(
      json::parse(c.Get("/api/v1/search?q=anchet%C4%83&purpose=control", maria.headers())->body)["total"], 1);
  report = json::parse(c.Get("/api/v1/persons/1/access-report", maria.headers())->body)["accesses"];
  ASSERT_EQ(report.size(), 8u);
  EXPECT_EQ(report[6]["what"], "document 1 (search hit)");
  EXPECT_EQ(report[6]["purpose"], "control");
  EXPECT_EQ(report[4]["what"], "document 1 (record)");
  EXPECT_EQ(report[4]["purpose"], "evaluare");
  EXPECT_EQ(report[5]["purpose"], "nedeclarat");
  EXPECT_EQ(c.Get("/persoane.html")->status, 200);
  EXPECT_NE(c.Get("/persons.js")->body.find("/persons/purposes"), std::string::npos);
}

// Issue 12: a CNP in a document's title is masked in the document list
// (read with no purpose) and in search hits, as in snippets: shown in full
// only to someone assigned to its person who gave a purpose.
TEST_F(ApiServerTest, CnpsInTitlesAreMaskedInListsAndForTheUnassignedInSearchHits) {
  testing::write_file(dir_ / "cerere-1800101400016.pdf", make_text_pdf({"Cerere de ajutor social."}));
  ASSERT_EQ(
      dosar({"ingest", "--department", "Asistență socială", (dir_ / "cerere-1800101400016.pdf").string()}),
      0);
  ASSERT_EQ(dosar({"person", "add", "--name", "Ion Popescu", "--cnp", "1800101400016", "--as", "maria"}), 0);
  auto maria = sign_in("maria");  // assigned to Ion
  auto ana = sign_in("ana");      // not assigned
  auto c = client();
  for (const SignedIn* who : {&maria, &ana}) {
    auto list = c.Get("/api/v1/documents", who->headers());
    ASSERT_EQ(list->status, 200);
    EXPECT_EQ(list->body.find("1800101400016"), std::string::npos) << list->body;
    EXPECT_NE(list->body.find("cerere-1********0016"), std::string::npos) << list->body;
  }
  auto title_of_hit = [&](const SignedIn& who, const std::string& query) {
    auto res = c.Get("/api/v1/search?q=" + query, who.headers());
    EXPECT_EQ(res->status, 200);
    auto hits = json::parse(res->body)["hits"];
    return hits.size() == 1 ? hits[0]["title"].get<std::string>() : "hits: " + hits.dump();
  };
  EXPECT_EQ(title_of_hit(ana, "ajutor&purpose=evaluare"), "cerere-1********0016");
  EXPECT_EQ(title_of_hit(maria, "ajutor"), "cerere-1********0016");
  EXPECT_EQ(title_of_hit(maria, "ajutor&purpose=evaluare"), "cerere-1800101400016");
}

// Issue 12: a registry entry in a person's file is read as `registry show`
// reads it: with a purpose from the list, recorded, CNPs in clear only to
// the assigned; the book, the desk's answers and the inbox (no purpose)
// mask them.
TEST_F(ApiServerTest, RegistryEntryOfAPersonNeedsAPurposeAndListsMaskItsCnps) {
  testing::write_file(dir_ / "cerere-1800101400016.pdf", make_text_pdf({"Cerere de ajutor social."}));
  ASSERT_EQ(
      dosar({"ingest", "--department", "Asistență socială", (dir_ / "cerere-1800101400016.pdf").string()}),
      0);  // id 4
  ASSERT_EQ(dosar({"person", "add", "--name", "Ion Popescu", "--cnp", "1800101400016", "--as", "maria"}), 0);
  auto maria = sign_in("maria");  // assigned to Ion
  auto ana = sign_in("ana");      // not assigned
  auto c = client();
  json request = {{"kind", "petitie"},
                  {"sender", "Ion Popescu"},
                  {"subject", "ajutor, CNP 1800101400016"},
                  {"documents", {4}}};
  auto registered = c.Post("/api/v1/registry", ana.headers(true), request.dump(), "application/json");
  ASSERT_EQ(registered->status, 201) << registered->body;
  EXPECT_EQ(json::parse(registered->body)["subject"], "ajutor, CNP 1********0016");
  const std::string number = json::parse(registered->body)["number"];
  const std::string entry_id = std::to_string(json::parse(registered->body)["id"].get<long long>());
  ASSERT_EQ(dosar({"person", "link", "1", "--entry", entry_id, "--as", "maria"}), 0);

  auto book = c.Get("/api/v1/registry?register=intrare", maria.headers());
  ASSERT_EQ(book->status, 200);
  EXPECT_EQ(book->body.find("1800101400016"), std::string::npos) << book->body;
  EXPECT_NE(book->body.find("ajutor, CNP 1********0016"), std::string::npos) << book->body;

  const std::string url = "/api/v1/registry/entry?register=intrare&number=" + number;
  for (const std::string query : {"", "&purpose=curiozitate"}) {
    auto refused = c.Get(url + query, maria.headers());
    EXPECT_EQ(refused->status, 400) << refused->body;
    EXPECT_NE(refused->body.find("purpose"), std::string::npos) << refused->body;
  }
  auto shown = c.Get(url + "&purpose=evaluare", maria.headers());
  ASSERT_EQ(shown->status, 200) << shown->body;
  json entry = json::parse(shown->body);
  EXPECT_EQ(entry["subject"], "ajutor, CNP 1800101400016");
  ASSERT_EQ(entry["documents"].size(), 1u);
  EXPECT_EQ(entry["documents"][0]["title"], "cerere-1800101400016");
  auto for_ana = json::parse(c.Get(url + "&purpose=evaluare", ana.headers())->body);
  EXPECT_EQ(for_ana["subject"], "ajutor, CNP 1********0016");
  EXPECT_EQ(for_ana["documents"][0]["title"], "cerere-1********0016");
  auto report = json::parse(c.Get("/api/v1/persons/1/access-report?purpose=control", maria.headers())->body);
  EXPECT_NE(report.dump().find("registry entry " + number + " (show)"), std::string::npos) << report.dump();
  EXPECT_EQ(c.Get("/api/v1/registry/entry?number=999/01.01.2026&purpose=evaluare", maria.headers())->status,
            404);

  ASSERT_EQ(dosar({"flow", "template", "aviz", "--step", "aprobare=maria"}), 0);
  ASSERT_EQ(dosar({"flow", "start", "4", "--kind", "aviz", "--as", "ana"}), 0);
  auto inbox = json::parse(c.Get("/api/v1/flows/inbox", maria.headers())->body)["items"];
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0]["title"], "cerere-1********0016");
}

// The persons page's changes (issue 12): the CLI's calls and checks over
// HTTP, with CSRF; a person or a document the caller may not see is 404.
TEST_F(ApiServerTest, PersonsAreAddedLinkedRectifiedAndExportedWithTheCliChecks) {
  auto maria = sign_in("maria");
  auto ion = sign_in("ion");
  auto c = client();
  const char* kJson = "application/json";
  auto added = c.Post("/api/v1/persons", maria.headers(true),
                      R"({"name":"Ion Popescu","cnp":"1800101400016","address":"Str. Florilor 1"})", kJson);
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_EQ(json::parse(added->body)["cnp"], "1********0016");
  const std::string p = "/api/v1/persons/" + std::to_string(json::parse(added->body)["id"].get<int>());
  auto bad = c.Post("/api/v1/persons", maria.headers(true), R"({"name":"X","cnp":"1800101400017"})", kJson);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("control digit"), std::string::npos) << bad->body;
  EXPECT_EQ(c.Post("/api/v1/persons", maria.headers(false),
                   R"({"name":"Y","id_type":"pașaport","id_value":"Y1"})", kJson)
                ->status,
            403);

  EXPECT_EQ(c.Post(p + "/links", maria.headers(true), R"({"kind":"document","id":1})", kJson)->status, 201);
  auto invisible = c.Post(p + "/links", maria.headers(true), R"({"kind":"document","id":2})", kJson);
  EXPECT_EQ(invisible->status, 404) << "a document of another department";
  EXPECT_NE(invisible->body.find("no such document"), std::string::npos);
  EXPECT_EQ(c.Post(p + "/links", ion.headers(true), R"({"kind":"document","id":1})", kJson)->status, 404);
  EXPECT_EQ(c.Delete(p + "/links/document/1", ion.headers(true))->status, 404);
  EXPECT_EQ(c.Delete(p + "/links/document/1", maria.headers(true))->status, 200);
  EXPECT_EQ(c.Delete(p + "/links/document/1", maria.headers(true))->status, 404);

  auto rectified = c.Post(p + "/rectify", maria.headers(true),
                          R"({"values":{"address":"Str. Nouă 2"},"reason":"mutare"})", kJson);
  ASSERT_EQ(rectified->status, 200) << rectified->body;
  EXPECT_EQ(
      c.Post(p + "/rectify", maria.headers(true), R"({"values":{"cnp":"1800101400017"},"reason":"x"})", kJson)
          ->status,
      400);
  EXPECT_EQ(c.Post(p + "/rectify", ion.headers(true), R"({"values":{"address":"Alta"},"reason":"x"})", kJson)
                ->status,
            404);
  auto file = json::parse(c.Get(p + "?purpose=evaluare", maria.headers())->body);
  EXPECT_EQ(file["address"], "Str. Nouă 2");
  ASSERT_EQ(file["history"].size(), 1u);
  EXPECT_EQ(file["history"][0]["old"], "Str. Florilor 1");
  EXPECT_TRUE(file["representative"].is_null());

  auto tar = c.Get(p + "/export?purpose=solicitare-persoan%C4%83-vizat%C4%83", maria.headers());
  ASSERT_EQ(tar->status, 200) << tar->body;
  EXPECT_EQ(tar->get_header_value("Content-Type"), "application/x-tar");
  ASSERT_GT(tar->body.size(), 1024u);
  EXPECT_EQ(tar->body.substr(257, 5), "ustar");
  EXPECT_EQ(c.Get(p + "/export?purpose=evaluare", ion.headers())->status, 404);
  EXPECT_EQ(c.Get(p + "/export", maria.headers())->status, 400);
  auto report = json::parse(c.Get(p + "/access-report", maria.headers())->body)["accesses"];
  std::size_t exports = 0;
  for (const auto& r : report) exports += r["what"] == "export" ? 1 : 0;
  EXPECT_EQ(exports, 1u) << "the refused exports are not reads";
}

}  // namespace
}  // namespace dosar::api
