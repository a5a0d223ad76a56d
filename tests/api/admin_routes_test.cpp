// The web admin, the legal reports, the registry book, batch signing,
// flows started from the web and the paged documents list (issues 7 and
// 11), against a real server on loopback over a real archive made with the
// `dosar` command in-process.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api/server.h"
#include "base/clock.h"
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
const char* const kSocial = "Asistență socială";

// The server's clock: the system's until a test sets it (the inbox's
// overdue is measured against it).
class SettableClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    auto fixed = fixed_.load();
    return fixed == 0 ? std::chrono::system_clock::now()
                      : std::chrono::system_clock::time_point(std::chrono::system_clock::duration(fixed));
  }
  void set(std::chrono::system_clock::time_point at) { fixed_ = at.time_since_epoch().count(); }

 private:
  std::atomic<std::chrono::system_clock::rep> fixed_{0};
};

class WebAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_ / "archive";
    ASSERT_EQ(dosar({"init"}), 0);
    ::setenv("DOSAR_TEST_PASSWORD", kPassword, 1);
    ASSERT_EQ(dosar({"user", "add", "admin", "--all-departments", "--role", "admin", "--password-env",
                     "DOSAR_TEST_PASSWORD"}),
              0);
    ASSERT_EQ(
        dosar({"user", "add", "ana", "--departments", kSocial, "--password-env", "DOSAR_TEST_PASSWORD"}), 0);
    ASSERT_EQ(
        dosar({"user", "add", "ion", "--departments", "Urbanism", "--password-env", "DOSAR_TEST_PASSWORD"}),
        0);
    ASSERT_EQ(dosar({"user", "add", "sef", "--departments", kSocial, "--role", "sef", "--password-env",
                     "DOSAR_TEST_PASSWORD"}),
              0);
    for (int i = 1; i <= 3; ++i) {
      fs::path pdf = dir_ / ("social" + std::to_string(i) + ".pdf");
      testing::write_file(pdf, make_text_pdf({"Referat de aprobare numărul " + std::to_string(i) + "."}));
      ASSERT_EQ(dosar({"ingest", "--department", kSocial, "--type", "aviz", pdf.string()}), 0);  // ids 1-3
    }
    testing::write_file(dir_ / "urbanism.pdf", make_text_pdf({"Certificat de urbanism."}));
    ASSERT_EQ(dosar({"ingest", "--department", "Urbanism", (dir_ / "urbanism.pdf").string()}), 0);  // id 4

    ServerOptions options;
    options.archive_dir = archive_;
    options.port = 0;
    options.threads = 2;
    options.ocr = false;
    options.derivation_jobs = 0;
    options.clock = &clock_;
    server_ = testing::TestServer::start(options);
    ASSERT_TRUE(server_);
  }

  int dosar(std::vector<std::string> args, std::string* output = nullptr) {
    args.insert(args.begin(), {"--archive", archive_.string()});
    std::ostringstream out, err;
    int code = static_cast<int>(cli::run(args, out, err));
    if (code != 0) ADD_FAILURE() << err.str();
    if (output) *output = out.str();
    return code;
  }

  httplib::Client client() const { return server_->client(); }

  struct SignedIn {
    std::string cookie;
    std::string csrf;
    httplib::Headers headers() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}; }
  };

  SignedIn sign_in(const std::string& user, const std::string& password = kPassword) {
    auto res = client().Post("/api/v1/session", json{{"username", user}, {"password", password}}.dump(),
                             "application/json");
    EXPECT_TRUE(res && res->status == 200) << user << (res ? res->body : "");
    if (!res || res->status != 200) return {};
    std::string set_cookie = res->get_header_value("Set-Cookie");
    return {set_cookie.substr(0, set_cookie.find(';')), json::parse(res->body)["csrf_token"]};
  }

  // The request, its status checked, its JSON body returned.
  json call(const std::string& method, const std::string& path, const SignedIn& who, int expected,
            const json& body = nullptr) {
    auto c = client();
    httplib::Result res = method == "GET"    ? c.Get(path, who.headers())
                          : method == "POST" ? c.Post(path, who.headers(), body.dump(), "application/json")
                          : method == "PUT"  ? c.Put(path, who.headers(), body.dump(), "application/json")
                                             : c.Patch(path, who.headers(), body.dump(), "application/json");
    EXPECT_TRUE(res) << method << " " << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expected) << method << " " << path << ": " << res->body;
    auto parsed = json::parse(res->body, nullptr, false);
    return parsed.is_discarded() ? json(res->body) : parsed;
  }

  std::vector<json> audit_actions(const std::string& action) {
    std::string out;
    EXPECT_EQ(dosar({"audit", "--json"}, &out), 0);
    std::vector<json> rows;
    for (const json& row : json::parse(out))
      if (row["action"] == action) rows.push_back(row);
    return rows;
  }

  SettableClock clock_;  // before the server, which reads it
  TempDir dir_;
  fs::path archive_;
  std::unique_ptr<testing::TestServer> server_;
};

const std::vector<std::pair<std::string, std::string>>& admin_endpoints() {
  static const std::vector<std::pair<std::string, std::string>> endpoints{
      {"GET", "/api/v1/admin/users"},
      {"POST", "/api/v1/admin/users"},
      {"PATCH", "/api/v1/admin/users/ana"},
      {"POST", "/api/v1/admin/users/ana/password"},
      {"GET", "/api/v1/admin/departments"},
      {"POST", "/api/v1/admin/departments"},
      {"GET", "/api/v1/admin/kinds"},
      {"PUT", "/api/v1/admin/kinds/petitie"},
      {"GET", "/api/v1/admin/templates"},
      {"PUT", "/api/v1/admin/templates/aviz"},
      {"GET", "/api/v1/admin/retention?year=2026"}};
  return endpoints;
}

TEST_F(WebAdminTest, EveryAdminEndpointRefusesWhoIsNotAnAdministrator) {
  for (const std::string who : {"ana", "sef"}) {
    SignedIn user = sign_in(who);
    for (const auto& [method, path] : admin_endpoints()) {
      json body = call(method, path, user, 403, json{{"name", "x"}, {"password", "p"}, {"disabled", true}});
      EXPECT_EQ(body["error"]["code"], "permission") << who << " " << method << " " << path;
    }
  }
  for (const auto& [method, path] : admin_endpoints())
    EXPECT_EQ(call(method, path, SignedIn{}, 401)["error"]["message"], "sign in first") << path;
  // Nothing changed: ana is neither disabled nor given a new password.
  sign_in("ana");
}

TEST_F(WebAdminTest, AdministratorAddsAUserWhoSignsInAndEveryChangeIsAudited) {
  SignedIn admin = sign_in("admin");
  json added = call("POST", "/api/v1/admin/users", admin, 201,
                    {{"name", "elena"},
                     {"display_name", "Elena Ionescu"},
                     {"departments", {"Urbanism"}},
                     {"roles", {{{"role", "sef"}, {"department", "Urbanism"}}}},
                     {"password", "parola-elenei-1"}});
  EXPECT_EQ(added["departments"], json({"Urbanism"}));
  EXPECT_EQ(added["roles"][0]["role"], "sef");
  EXPECT_EQ(added["has_password"], true);
  SignedIn elena = sign_in("elena", "parola-elenei-1");
  json me = call("GET", "/api/v1/session", elena, 200);
  EXPECT_EQ(me["roles"][0]["department"], "Urbanism");
  // She sees Urbanism's document only; moved to the social department, theirs.
  EXPECT_EQ(call("GET", "/api/v1/documents/4", elena, 200)["id"], 4);
  call("GET", "/api/v1/documents/1", elena, 404);
  json changed = call("PATCH", "/api/v1/admin/users/elena", admin, 200,
                      {{"departments", {kSocial}}, {"roles", json::array()}});
  EXPECT_EQ(changed["roles"].size(), 0u);
  call("GET", "/api/v1/documents/1", elena, 200);
  call("GET", "/api/v1/documents/4", elena, 404);
  // Disabling ends her session; a new password and enabling let her back.
  call("PATCH", "/api/v1/admin/users/elena", admin, 200, {{"disabled", true}});
  call("GET", "/api/v1/session", elena, 401);
  call("POST", "/api/v1/admin/users/elena/password", admin, 200, {{"password", "parola-noua-2"}});
  call("PATCH", "/api/v1/admin/users/elena", admin, 200, {{"disabled", false}});
  sign_in("elena", "parola-noua-2");

  EXPECT_EQ(audit_actions("user.create").back()["actor"], "admin");
  ASSERT_EQ(audit_actions("user.update").size(), 1u);
  EXPECT_EQ(audit_actions("user.update")[0]["actor"], "admin");
  EXPECT_EQ(audit_actions("user.role.remove").size(), 1u);
  json users = call("GET", "/api/v1/admin/users", admin, 200)["users"];
  ASSERT_EQ(users.size(), 5u);
  EXPECT_EQ(users[2]["name"], "elena");
  EXPECT_EQ(users[2]["disabled"], false);
}

TEST_F(WebAdminTest, AnLdapAccountIsAddedWithoutALocalPassword) {
  SignedIn admin = sign_in("admin");
  // An LDAP account with a password as well is refused, and nothing is stored.
  json refused =
      call("POST", "/api/v1/admin/users", admin, 400,
           {{"name", "radu"}, {"departments", {"Urbanism"}}, {"ldap", true}, {"password", "x-y-z-1234"}});
  EXPECT_EQ(refused["error"]["subject"], "password") << refused.dump();
  json added = call("POST", "/api/v1/admin/users", admin, 201,
                    {{"name", "radu"}, {"departments", {"Urbanism"}}, {"ldap", true}});
  EXPECT_EQ(added["ldap"], true);
  EXPECT_EQ(added["has_password"], false);
  // No local password to set, and none to sign in with (this server asks no directory).
  call("POST", "/api/v1/admin/users/radu/password", admin, 409, {{"password", "parola-locala-1"}});
  auto res =
      client().Post("/api/v1/session", json{{"username", "radu"}, {"password", "parola-locala-1"}}.dump(),
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_NE(res->status, 200) << res->body;
  EXPECT_EQ(audit_actions("user.create").back()["actor"], "admin");
}

TEST_F(WebAdminTest, BadUserInputIsRefusedNamingTheFieldAndStoresNothing) {
  SignedIn admin = sign_in("admin");
  struct Case {
    json body;
    std::string subject;
  };
  for (const Case& c : std::vector<Case>{
           {{{"name", "x y"}, {"password", kPassword}}, "user name"},
           {{{"name", "x"}}, "password"},
           {{{"name", "x"}, {"password", "scurta"}}, "password"},
           {{{"name", "x"}, {"password", kPassword}, {"departments", "Urbanism"}}, "departments"},
           {{{"name", "x"}, {"password", kPassword}, {"roles", {{{"role", "sef"}}}}}, "roles"},
           {{{"name", "x"}, {"password", kPassword}, {"all_departments", "da"}}, "all_departments"},
           {{{"name", "ana"}, {"password", kPassword}}, "user ana"},
       }) {
    json error =
        call("POST", "/api/v1/admin/users", admin, c.subject == "user ana" ? 409 : 400, c.body)["error"];
    EXPECT_EQ(error["subject"], c.subject) << c.body.dump();
  }
  EXPECT_EQ(call("GET", "/api/v1/admin/users", admin, 200)["users"].size(), 4u);
  call("PATCH", "/api/v1/admin/users/nobody", admin, 404, {{"disabled", true}});
  // An administrator cannot lock themselves out.
  call("PATCH", "/api/v1/admin/users/admin", admin, 409, {{"disabled", true}});
  call("PATCH", "/api/v1/admin/users/admin", admin, 409, {{"roles", json::array()}});
  call("GET", "/api/v1/admin/users", admin, 200);
}

TEST_F(WebAdminTest, DepartmentsKindsAndTemplates) {
  SignedIn admin = sign_in("admin");
  json departments = call("GET", "/api/v1/admin/departments", admin, 200)["departments"];
  EXPECT_EQ(departments, json({kSocial, "Urbanism"}));
  call("POST", "/api/v1/admin/departments", admin, 201, {{"name", "Juridic"}});
  call("POST", "/api/v1/admin/departments", admin, 409, {{"name", "Urbanism"}});
  call("POST", "/api/v1/admin/departments", admin, 400, {{"name", ""}});
  EXPECT_EQ(call("GET", "/api/v1/admin/departments", admin, 200)["departments"].size(), 3u);
  EXPECT_EQ(audit_actions("department.add").size(), 1u);

  json kind = call("PUT", "/api/v1/admin/kinds/autorizatie", admin, 200,
                   {{"label", "autorizație"}, {"deadline_days", 15}, {"legal_basis", "Legea 50/1991"}});
  EXPECT_EQ(kind["deadline_days"], 15);
  call("PUT", "/api/v1/admin/kinds/autorizatie", admin, 200, {{"deadline_days", 20}});
  std::string out;
  ASSERT_EQ(dosar({"registry", "kinds", "--json"}, &out), 0);
  bool found = false;
  for (const json& k : json::parse(out))
    if (k["name"] == "autorizatie") {
      found = true;
      EXPECT_EQ(k["deadline_days"], 20);
      EXPECT_EQ(k["label"], "autorizație") << "a label not given stays";
    }
  EXPECT_TRUE(found);
  EXPECT_EQ(
      call("PUT", "/api/v1/admin/kinds/autorizatie", admin, 400, {{"deadline_days", 0}})["error"]["subject"],
      "deadline_days");

  call("PUT", "/api/v1/admin/templates/aviz", admin, 200,
       {{"steps",
         {{{"position", 1}, {"label", "viză"}, {"users", {"ana"}}},
          {{"position", 2}, {"label", "aprobare"}, {"role", "sef"}, {"department", kSocial}}}}});
  // An approver who does not exist is refused and the template stays.
  EXPECT_EQ(
      call("PUT", "/api/v1/admin/templates/aviz", admin, 400,
           {{"steps", {{{"position", 1}, {"label", "viză"}, {"users", {"nimeni"}}}}}})["error"]["subject"],
      "steps[0].users");
  call("PUT", "/api/v1/admin/templates/aviz", admin, 400, {{"steps", json::array()}});
  json templates = call("GET", "/api/v1/admin/templates", admin, 200)["templates"];
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0]["steps"].size(), 2u);
  EXPECT_EQ(templates[0]["steps"][1]["role"], "sef");
  EXPECT_EQ(audit_actions("flow.template.put").size(), 1u);
}

// The admin page's template form sends steps in any order, parallel ones
// sharing a stage; every mistake names the step and field, and stores nothing.
TEST_F(WebAdminTest, TemplateStepsFromTheFormAreCheckedFieldByField) {
  SignedIn admin = sign_in("admin");
  json saved = call("PUT", "/api/v1/admin/templates/referat", admin, 200,
                    {{"steps",
                      {{{"position", 2}, {"label", "aprobare"}, {"role", "sef"}, {"department", kSocial}},
                       {{"position", 1}, {"label", "viză"}, {"users", {"ana", "ion"}}},
                       {{"position", 2}, {"label", "juridic"}, {"role", "sef"}, {"department", "*"}}}}});
  ASSERT_EQ(saved["steps"].size(), 3u);
  EXPECT_EQ(saved["steps"][0]["label"], "viză") << "ordered by stage";
  EXPECT_EQ(saved["steps"][1]["position"], 2);
  EXPECT_EQ(saved["steps"][2]["position"], 2) << "parallel steps keep their stage";
  struct Case {
    json step;
    std::string subject, message;
  };
  const json viza = {{"position", 1}, {"label", "viză"}, {"users", {"ana"}}};
  for (const Case& c : std::vector<Case>{
           {{{"position", 2}, {"label", " "}, {"users", {"ana"}}}, "steps[1].label", "needs a label"},
           {{{"position", 2}, {"label", "a"}}, "steps[1].users", "name the users who approve"},
           {{{"position", 2}, {"label", "a"}, {"users", {"ana"}}, {"role", "sef"}, {"department", kSocial}},
            "steps[1].users",
            "not both"},
           {{{"position", 2}, {"label", "a"}, {"department", kSocial}}, "steps[1].role", "give the role"},
           {{{"position", 2}, {"label", "a"}, {"role", "sef"}}, "steps[1].department", "give the department"},
           {{{"position", 2}, {"label", "a"}, {"role", "sef"}, {"department", "Nicăieri"}},
            "steps[1].department",
            "no such department: Nicăieri"},
           {{{"position", 2}, {"label", "a"}, {"users", {"ana", "nimeni"}}},
            "steps[1].users",
            "no such user: nimeni"},
           {{{"position", 3}, {"label", "a"}, {"users", {"ana"}}},
            "steps[1].position",
            "position 2 is missing"},
           {{{"position", "doi"}, {"label", "a"}}, "steps[1].position", "whole-number"},
           {{{"position", 2}, {"label", "a"}, {"users", "ana"}}, "steps[1].users", "list of names"}}) {
    json error =
        call("PUT", "/api/v1/admin/templates/referat", admin, 400, {{"steps", {viza, c.step}}})["error"];
    EXPECT_EQ(error["subject"], c.subject) << c.step;
    EXPECT_NE(error["message"].get<std::string>().find(c.message), std::string::npos) << error;
  }
  json templates = call("GET", "/api/v1/admin/templates", admin, 200)["templates"];
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0]["steps"].size(), 3u) << "refused changes stored nothing";
}

TEST_F(WebAdminTest, RetentionClassesAreTheApprovedNomenclatorOfTheYear) {
  SignedIn admin = sign_in("admin");
  EXPECT_EQ(call("GET", "/api/v1/admin/retention?year=2026", admin, 404)["error"]["code"], "not_found");
  EXPECT_EQ(call("GET", "/api/v1/admin/retention?year=26", admin, 400)["error"]["subject"], "year");
  testing::write_file(dir_ / "n.csv",
                      "department,code,title,retention,remarks\n"
                      "Secretariat,I-1,Hotărâri,permanent,\n"
                      "Asistență socială,II-1,Anchete sociale,10,\n");
  ASSERT_EQ(dosar({"nomenclator", "import", (dir_ / "n.csv").string(), "--year", "2026"}), 0);
  call("GET", "/api/v1/admin/retention?year=2026", admin, 404);  // a draft is not in force
  ASSERT_EQ(dosar({"nomenclator", "approve", "--year", "2026", "--reference", "AN 123/2026"}), 0);
  json retention = call("GET", "/api/v1/admin/retention?year=2026", admin, 200);
  EXPECT_EQ(retention["reference"], "AN 123/2026");
  ASSERT_EQ(retention["entries"].size(), 2u);
  for (const json& e : retention["entries"])
    EXPECT_EQ(e["retention_years"], e["code"] == "I-1" ? json("permanent") : json(10)) << e["code"];
}

TEST_F(WebAdminTest, ReportsGiveTheSameFiguresCsvAndPdfAsTheCommandLine) {
  auto run = [this](std::vector<std::string> args) { return dosar(std::move(args)); };
  ASSERT_EQ(run({"registry", "add", "--kind", "petitie", "--sender", "Ion Popa", "--subject", "Iluminat"}),
            0);
  ASSERT_EQ(run({"registry", "add", "--kind", "informatii-publice", "--channel", "email", "--sender", "Ziar",
                 "--subject", "Buget"}),
            0);
  ASSERT_EQ(run({"registry", "add", "--kind", "sesizare", "--channel", "online", "--sender", "Ana",
                 "--subject", "Groapă"}),
            0);
  std::string listed;
  ASSERT_EQ(dosar({"registry", "list", "--json"}, &listed), 0);
  std::string first = json::parse(listed)[0]["number"];
  ASSERT_EQ(run({"registry", "assign", first, "--department", kSocial}), 0);
  const std::string year = first.substr(first.size() - 4);
  const std::string from = year + "-01-01", to = year + "-12-31";
  SignedIn sef = sign_in("sef");
  struct Report {
    std::string web, cli_name;
    std::vector<std::string> cli_args;
  };
  for (const Report& r : std::vector<Report>{
           {"/api/v1/reports/petitii?from=" + from + "&to=" + to, "petitii", {"--from", from, "--to", to}},
           {"/api/v1/reports/registry?from=" + from + "&to=" + to, "registry", {"--from", from, "--to", to}},
           {"/api/v1/reports/l544?year=" + year, "l544", {"--year", year}}}) {
    std::vector<std::string> args{"report",
                                  r.cli_name,
                                  "--json",
                                  "--csv",
                                  (dir_ / "cli.csv").string(),
                                  "--pdf",
                                  (dir_ / "cli.pdf").string()};
    args.insert(args.end(), r.cli_args.begin(), r.cli_args.end());
    std::string cli_json;
    ASSERT_EQ(dosar(args, &cli_json), 0);
    json web = call("GET", r.web, sef, 200);
    EXPECT_FALSE(web["title"].get<std::string>().empty());
    web.erase("title");
    web.erase("lines");
    EXPECT_EQ(web, json::parse(cli_json)) << r.cli_name;
    auto csv = client().Get(r.web + "&format=csv", sef.headers());
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv->body, testing::read_file(dir_ / "cli.csv")) << r.cli_name;
    auto pdf = client().Get(r.web + "&format=pdf", sef.headers());
    ASSERT_TRUE(pdf);
    EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
    EXPECT_EQ(pdf->body.size(), testing::read_file(dir_ / "cli.pdf").size()) << r.cli_name;
  }
  EXPECT_EQ(json::parse(listed).size(), 3u);
  // Staff without a role are refused; bad periods are named.
  SignedIn ana = sign_in("ana");
  EXPECT_EQ(call("GET", "/api/v1/reports/petitii?from=" + from + "&to=" + to, ana, 403)["error"]["code"],
            "permission");
  EXPECT_EQ(call("GET", "/api/v1/reports/petitii?from=2026-13-01&to=" + to, sef, 400)["error"]["subject"],
            "from");
  EXPECT_EQ(call("GET", "/api/v1/reports/registry?from=" + to + "&to=" + from, sef, 400)["error"]["subject"],
            "to");
  EXPECT_EQ(call("GET", "/api/v1/reports/l544?year=20x6", sef, 400)["error"]["subject"], "year");
  EXPECT_EQ(call("GET", "/api/v1/reports/l544?year=" + year + "&format=xls", sef, 400)["error"]["subject"],
            "format");
}

TEST_F(WebAdminTest, RegistryBookFiltersPagesAndKeepsDepartmentsApart) {
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(dosar({"registry", "add", "--kind", "cerere", "--sender", "Petent " + std::to_string(i),
                     "--subject", i % 2 ? "Ajutor de încălzire" : "Autorizație de construire"}),
              0);
  std::string listed;
  ASSERT_EQ(dosar({"registry", "list", "--json"}, &listed), 0);
  json all = json::parse(listed);
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(dosar({"registry", "assign", all[static_cast<std::size_t>(i)]["number"], "--department",
                     i % 2 ? kSocial : "Urbanism"}),
              0);
  const std::string today =
      all[0]["number"].get<std::string>().substr(all[0]["number"].get<std::string>().find('/') + 1);
  const std::string iso = today.substr(6, 4) + "-" + today.substr(3, 2) + "-" + today.substr(0, 2);

  SignedIn ion = sign_in("ion");  // Urbanism: entries 1, 3, 5
  json page1 = call("GET", "/api/v1/registry?register=intrare&page=1&per_page=2", ion, 200);
  EXPECT_EQ(page1["total"], 3);
  ASSERT_EQ(page1["entries"].size(), 2u);
  EXPECT_EQ(page1["entries"][0]["number"], all[4]["number"]) << "newest first";
  json page2 = call("GET", "/api/v1/registry?register=intrare&page=2&per_page=2", ion, 200);
  ASSERT_EQ(page2["entries"].size(), 1u);
  EXPECT_EQ(page2["entries"][0]["number"], all[0]["number"]);
  for (const json& e : page1["entries"]) EXPECT_EQ(e["department"], "Urbanism");
  // Text without diacritics, on subject and number.
  json found = call("GET", "/api/v1/registry?q=INCALZIRE", sign_in("ana"), 200);
  EXPECT_EQ(found["total"], 2);
  json none = call("GET", "/api/v1/registry?q=incalzire", ion, 200);
  EXPECT_EQ(none["total"], 0) << "another department's entries never show";
  json by_number =
      call("GET", "/api/v1/registry?q=" + all[2]["number"].get<std::string>().substr(0, 2), ion, 200);
  EXPECT_EQ(by_number["total"], 1);
  // Status and period.
  EXPECT_EQ(call("GET", "/api/v1/registry?status=assigned&from=" + iso + "&to=" + iso, ion, 200)["total"], 3);
  EXPECT_EQ(call("GET", "/api/v1/registry?status=answered", ion, 200)["total"], 0);
  EXPECT_EQ(call("GET", "/api/v1/registry?status=overdue", ion, 200)["total"], 0);
  EXPECT_EQ(call("GET", "/api/v1/registry?from=2001-01-01&to=2001-12-31", ion, 200)["total"], 0);
  // Every register at once, in order of registration.
  ASSERT_EQ(dosar({"registry", "add", "--register", "iesire", "--kind", "adresa", "--sender", "Primăria",
                   "--subject", "Răspuns la autorizație"}),
            0);
  std::string outgoing;
  ASSERT_EQ(dosar({"registry", "list", "--register", "iesire", "--json"}, &outgoing), 0);
  ASSERT_EQ(dosar({"registry", "assign", json::parse(outgoing)[0]["number"], "--register", "iesire",
                   "--department", "Urbanism"}),
            0);
  json every = call("GET", "/api/v1/registry?register=&page=1", ion, 200);
  EXPECT_EQ(every["total"], 4);
  EXPECT_EQ(every["entries"][0]["register"], "iesire") << "the newest first";
  EXPECT_EQ(call("GET", "/api/v1/registry?status=lost", ion, 400)["error"]["subject"], "status");
  EXPECT_EQ(call("GET", "/api/v1/registry?from=ieri", ion, 400)["error"]["subject"], "from");
  EXPECT_EQ(call("GET", "/api/v1/registry?page=0", ion, 400)["error"]["subject"], "page");
  EXPECT_EQ(call("GET", "/api/v1/registry?per_page=201", ion, 400)["error"]["subject"], "per_page");
}

TEST_F(WebAdminTest, DocumentsListPagesWithACursorOverVisibleDocumentsOnly) {
  SignedIn ana = sign_in("ana");  // sees 1-3, not Urbanism's 4
  json first = call("GET", "/api/v1/documents?limit=2", ana, 200);
  ASSERT_EQ(first["documents"].size(), 2u);
  EXPECT_EQ(first["documents"][0]["id"], 3);
  EXPECT_EQ(first["documents"][1]["id"], 2);
  ASSERT_EQ(first["next"], 2);
  json second = call("GET", "/api/v1/documents?limit=2&before=2", ana, 200);
  ASSERT_EQ(second["documents"].size(), 1u);
  EXPECT_EQ(second["documents"][0]["id"], 1);
  EXPECT_TRUE(second["next"].is_null());
  json exact = call("GET", "/api/v1/documents?limit=3", ana, 200);
  EXPECT_EQ(exact["documents"].size(), 3u);
  EXPECT_TRUE(exact["next"].is_null()) << "nothing older is visible";
  json ion = call("GET", "/api/v1/documents", sign_in("ion"), 200);
  ASSERT_EQ(ion["documents"].size(), 1u);
  EXPECT_EQ(ion["documents"][0]["id"], 4);
}

class BatchSigningTest : public WebAdminTest {
 protected:
  // One test PKI for the suite (making keys is slow under the sanitizers).
  static void SetUpTestSuite() {
    pki_dir_ = new TempDir();
    ASSERT_EQ(std::system(("bash " DOSAR_SOURCE_DIR "/tests/support/make_test_pki.sh " +
                           (pki_dir_->path() / "pki").string() + " >/dev/null")
                              .c_str()),
              0);
  }
  static void TearDownTestSuite() {
    delete pki_dir_;
    pki_dir_ = nullptr;
  }
  void SetUp() override {
    WebAdminTest::SetUp();
    pki_ = pki_dir_->path() / "pki";
    ASSERT_EQ(dosar({"user", "signing-key", "sef", "--key", (pki_ / "rsa.p12").string()}), 0);
    ASSERT_EQ(dosar({"flow", "template", "aviz", "--step", "aprobare=sef"}), 0);
  }
  static TempDir* pki_dir_;
  fs::path pki_;
};
TempDir* BatchSigningTest::pki_dir_ = nullptr;

TEST_F(BatchSigningTest, FlowsStartFromTheDocumentPageOnTheKindsTemplate) {
  SignedIn ana = sign_in("ana");
  json flow = call("POST", "/api/v1/documents/1/flow", ana, 201, json::object());
  EXPECT_EQ(flow["kind"], "aviz");
  EXPECT_EQ(flow["author"], "ana");
  EXPECT_EQ(call("POST", "/api/v1/documents/1/flow", ana, 409, json::object())["error"]["code"], "conflict");
  EXPECT_EQ(call("POST", "/api/v1/documents/4/flow", ana, 404, json::object())["error"]["message"],
            "no such document");
  EXPECT_EQ(call("POST", "/api/v1/documents/2/flow", ana, 404, {{"kind", "necunoscut"}})["error"]["subject"],
            "flow template necunoscut");
  EXPECT_EQ(call("GET", "/api/v1/flows/inbox", sign_in("sef"), 200)["items"].size(), 1u);
}

TEST_F(BatchSigningTest, AWrongPinSignsNothing) {
  SignedIn ana = sign_in("ana");
  json a = call("POST", "/api/v1/documents/1/flow", ana, 201, json::object());
  json b = call("POST", "/api/v1/documents/2/flow", ana, 201, json::object());
  SignedIn sef = sign_in("sef");
  json refused = call("POST", "/api/v1/flows/approve-batch", sef, 403,
                      {{"items", {{{"flow", a["id"]}, {"version", 1}}, {{"flow", b["id"]}, {"version", 1}}}},
                       {"pin", "not-the-pin"}});
  EXPECT_EQ(refused["error"]["code"], "permission");
  EXPECT_EQ(call("GET", "/api/v1/flows/inbox", sef, 200)["items"].size(), 2u);
  EXPECT_EQ(call("GET", "/api/v1/documents/1", sef, 200)["current_version"], 1);
  EXPECT_EQ(call("GET", "/api/v1/documents/2", sef, 200)["current_version"], 1);
  // Malformed batches are refused before the key is touched.
  call("POST", "/api/v1/flows/approve-batch", sef, 400, {{"items", json::array()}, {"pin", "test"}});
  EXPECT_EQ(call("POST", "/api/v1/flows/approve-batch", sef, 400,
                 {{"items", {{{"flow", a["id"]}, {"version", 1}}, {{"flow", a["id"]}, {"version", 1}}}},
                  {"pin", "test"}})["error"]["subject"],
            "items[1]");
  call("POST", "/api/v1/flows/approve-batch", sef, 400, {{"items", {{{"flow", a["id"]}}}}, {"pin", "test"}});
  EXPECT_EQ(call("GET", "/api/v1/flows/inbox", sef, 200)["items"].size(), 2u);
}

TEST_F(BatchSigningTest, OneFailedItemLeavesTheOthersSignedAndIsReportedByItem) {
  SignedIn ana = sign_in("ana");
  json a = call("POST", "/api/v1/documents/1/flow", ana, 201, json::object());
  json b = call("POST", "/api/v1/documents/2/flow", ana, 201, json::object());
  json c = call("POST", "/api/v1/documents/3/flow", ana, 201, json::object());
  SignedIn sef = sign_in("sef");
  json inbox = call("GET", "/api/v1/flows/inbox", sef, 200)["items"];
  ASSERT_EQ(inbox.size(), 3u);
  EXPECT_EQ(inbox[0]["flow"], a["id"]) << "oldest first";
  EXPECT_EQ(inbox[0]["overdue"], false);
  json batch = call("POST", "/api/v1/flows/approve-batch", sef, 200,
                    {{"items",
                      {{{"flow", a["id"]}, {"version", 1}},
                       {{"flow", b["id"]}, {"version", 7}},  // not the version under approval
                       {{"flow", 999}, {"version", 1}},
                       {{"flow", c["id"]}, {"version", 1}}}},
                     {"pin", "test"}});
  EXPECT_EQ(batch["signed"], 2);
  EXPECT_EQ(batch["failed"], 2);
  ASSERT_EQ(batch["results"].size(), 4u);
  EXPECT_EQ(batch["results"][0]["ok"], true);
  EXPECT_EQ(batch["results"][0]["signed_version"], 2);
  EXPECT_EQ(batch["results"][1]["ok"], false);
  EXPECT_EQ(batch["results"][1]["error"]["code"], "conflict");
  EXPECT_EQ(batch["results"][2]["error"]["code"], "not_found");
  EXPECT_EQ(batch["results"][3]["ok"], true);
  json left = call("GET", "/api/v1/flows/inbox", sef, 200)["items"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["flow"], b["id"]);
  // Both signed versions verify, independently of the server.
  for (int document : {1, 3}) {
    auto pdf =
        client().Get("/api/v1/documents/" + std::to_string(document) + "/versions/2/original", sef.headers());
    ASSERT_TRUE(pdf && pdf->status == 200);
    fs::path file = dir_ / ("signed" + std::to_string(document) + ".pdf");
    testing::write_file(file, pdf->body);
    EXPECT_EQ(dosar({"verify", "--trust", (pki_ / "trust-crl").string(), file.string()}), 0) << document;
  }
  // A flow on another department's document is answered as missing.
  ASSERT_EQ(dosar({"flow", "start", "4", "--kind", "aviz", "--as", "ion"}), 0);
  EXPECT_EQ(call("GET", "/api/v1/flows/inbox", sef, 200)["items"].size(), 1u) << "not another department's";
  call("POST", "/api/v1/flows/" + std::to_string(c["id"].get<int>() + 1) + "/reject", sef, 404,
       {{"comment", "nu"}});
  json hidden = call("POST", "/api/v1/flows/approve-batch", sef, 200,
                     {{"items", {{{"flow", c["id"].get<int>() + 1}, {"version", 1}}}}, {"pin", "test"}});
  EXPECT_EQ(hidden["results"][0]["error"]["code"], "not_found");
  EXPECT_EQ(call("GET", "/api/v1/documents/4", sign_in("ion"), 200)["current_version"], 1);
}

// Issue 7: "oldest and overdue first". Flows start on documents 1, 2, 3 in
// that order; 2 and 3 answer registry entries with deadlines 10 and 30
// days away. As the server's clock passes each deadline, that document
// moves ahead of the older ones, the earliest deadline first.
TEST_F(BatchSigningTest, TheInboxPutsOverdueFirstEarliestDeadlineThenTheOldest) {
  ASSERT_EQ(dosar({"registry", "kind-set", "urgent", "--days", "10"}), 0);
  ASSERT_EQ(dosar({"registry", "kind-set", "lent", "--days", "30"}), 0);
  SignedIn ana = sign_in("ana");
  std::vector<json> flows;
  for (int document = 1; document <= 3; ++document) {
    flows.push_back(
        call("POST", "/api/v1/documents/" + std::to_string(document) + "/flow", ana, 201, json::object()));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // distinct start times
  }
  ASSERT_EQ(dosar({"registry", "add", "--kind", "lent", "--doc", "3", "--sender", "Ion", "--subject", "A"}),
            0);
  ASSERT_EQ(dosar({"registry", "add", "--kind", "urgent", "--doc", "2", "--sender", "Ion", "--subject", "B"}),
            0);
  std::string listed;
  ASSERT_EQ(dosar({"registry", "list", "--json"}, &listed), 0);
  std::map<std::string, std::string> deadline;  // subject -> ISO date
  for (const json& e : json::parse(listed)) deadline[e["subject"].get<std::string>()] = e["deadline"];
  ASSERT_LT(deadline["B"], deadline["A"]);
  auto order = [&] {
    std::vector<json> ids;
    const json inbox = call("GET", "/api/v1/flows/inbox", sign_in("sef"), 200);
    for (const json& item : inbox["items"]) ids.push_back(item["flow"]);
    return ids;
  };
  // The day after a deadline, at noon in Bucharest.
  auto day_after = [](const std::string& date) {
    auto at = parse_utc(date + "T10:00:00Z");
    EXPECT_TRUE(at) << date;
    return at.value_or(std::chrono::system_clock::time_point{}) + std::chrono::hours(24);
  };
  const json f1 = flows[0]["id"], f2 = flows[1]["id"], f3 = flows[2]["id"];
  EXPECT_EQ(order(), (std::vector<json>{f1, f2, f3})) << "nothing due: the oldest first";
  clock_.set(day_after(deadline["B"]));
  EXPECT_EQ(order(), (std::vector<json>{f2, f1, f3})) << "2 is overdue";
  json items = call("GET", "/api/v1/flows/inbox", sign_in("sef"), 200)["items"];
  EXPECT_EQ(items[0]["overdue"], true);
  EXPECT_EQ(items[0]["deadline"], deadline["B"]);
  EXPECT_EQ(items[1]["overdue"], false);
  clock_.set(day_after(deadline["A"]));
  EXPECT_EQ(order(), (std::vector<json>{f2, f3, f1})) << "both overdue, the earliest deadline first";
  // Once answered, an entry no longer makes its document overdue.
  std::string numbers;
  ASSERT_EQ(dosar({"registry", "list", "--json"}, &numbers), 0);
  for (const json& e : json::parse(numbers)) {
    if (e["subject"] != "B") continue;
    ASSERT_EQ(dosar({"registry", "add", "--register", "iesire", "--kind", "adresa", "--sender", "Primăria",
                     "--subject", "Răspuns", "--answers", e["number"]}),
              0);
  }
  EXPECT_EQ(order(), (std::vector<json>{f3, f1, f2}));
}

}  // namespace
}  // namespace dosar::api
