// The public forms against a real server on loopback: submission, receipt,
// idempotency, the bad inputs of the issue, rate limits, the proof of work,
// documents added later, and the desk's check (issue 11).
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api/server.h"
#include "cli/cli.h"
#include "forms/abuse.h"
#include "tests/api/test_server.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"

namespace dosar::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPassword = "parola-de-test-1";

class FormsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_.path() / "archive";
    ASSERT_EQ(dosar({"init"}), 0);
    ::setenv("DOSAR_TEST_PASSWORD", kPassword, 1);
    ASSERT_EQ(dosar({"user", "add", "ana", "--departments", "Registratură", "--restricted", "--password-env",
                     "DOSAR_TEST_PASSWORD"}),
              0);
    pdf_ = testing::make_text_pdf({"Cerere pentru iluminat public pe strada Băicului."});
    options_.archive_dir = archive_;
    options_.port = 0;
    options_.threads = 2;
    options_.ocr = false;
    options_.forms.proof_of_work = false;
  }

  void start() {
    server_ = testing::TestServer::start(options_, "/formulare");
    ASSERT_TRUE(server_);
  }

  int dosar(std::vector<std::string> args, std::string* output = nullptr) {
    args.insert(args.begin(), {"--archive", archive_.string()});
    std::ostringstream out, err;
    int code = static_cast<int>(cli::run(args, out, err));
    if (output) *output = out.str();
    return code;
  }

  httplib::Client client() const { return server_->client(); }

  static httplib::MultipartFormDataItems petition(const std::string& subject = "Iluminat stradal") {
    return {{"form", "petitie", "", ""},
            {"nume", "Ion Popescu", "", ""},
            {"adresa", "Str. Băicului 3, București", "", ""},
            {"email", "ion@example.ro", "", ""},
            {"obiect", subject, "", ""},
            {"continut", "Vă rog să reparați lampa.", "", ""},
            {"consent", "on", "", ""}};
  }

  httplib::MultipartFormDataItems with_file(httplib::MultipartFormDataItems items, const std::string& name,
                                            const std::string& bytes = "") const {
    items.push_back({"files", bytes.empty() ? pdf_ : bytes, name, "application/pdf"});
    return items;
  }

  httplib::Result submit(const httplib::MultipartFormDataItems& items, const httplib::Headers& headers = {}) {
    return client().Post("/api/v1/public/submissions", headers, items);
  }

  int entries() {
    std::string out;
    EXPECT_EQ(dosar({"registry", "list", "--json"}, &out), 0);
    return static_cast<int>(json::parse(out).size());
  }

  struct SignedIn {
    std::string cookie, csrf;
  };
  SignedIn sign_in() {
    auto res = client().Post("/api/v1/session", json{{"username", "ana"}, {"password", kPassword}}.dump(),
                             "application/json");
    EXPECT_TRUE(res && res->status == 200);
    std::string cookie = res->get_header_value("Set-Cookie");
    return {cookie.substr(0, cookie.find(';')), json::parse(res->body)["csrf_token"]};
  }

  testing::TempDir dir_;
  fs::path archive_;
  std::string pdf_;
  ServerOptions options_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(FormsServerTest, ListsTheFormsAsPagesAndAsJson) {
  start();
  auto res = client().Get("/api/v1/public/forms");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  json forms = json::parse(res->body)["forms"];
  ASSERT_EQ(forms.size(), 4u);
  for (const json& f : forms) {
    EXPECT_TRUE(f.contains("id") && f.contains("title") && f.contains("fields"));
    for (const json& field : f["fields"])
      EXPECT_TRUE(field.contains("name") && field.contains("type") && field.contains("required") &&
                  field.contains("options"));
  }
  auto page = client().Get("/formulare");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/formulare/informatii-publice"), std::string::npos);
  auto form = client().Get("/formulare/petitie");
  ASSERT_TRUE(form);
  EXPECT_NE(form->body.find("name=\"obiect\""), std::string::npos);
  EXPECT_NE(form->body.find("action=\"/formulare/trimite\""), std::string::npos);
  EXPECT_NE(form->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
}

TEST_F(FormsServerTest, ASubmissionBecomesAnOnlineEntryToVerifyWithItsDocumentAndReceipt) {
  start();
  auto res = submit(with_file(petition(), "scan lampă.pdf"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  json answer = json::parse(res->body);
  std::string number = answer["number"], code = answer["access_code"];
  EXPECT_EQ(answer["deadline"].get<std::string>().size(), 10u);
  auto receipt = client().Get(answer["receipt_url"].get<std::string>());
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->status, 200);
  EXPECT_EQ(receipt->body.substr(0, 5), "%PDF-");

  std::string out;
  ASSERT_EQ(dosar({"registry", "show", number, "--json"}, &out), 0);
  json entry = json::parse(out);
  EXPECT_EQ(entry["channel"], "online");
  EXPECT_EQ(entry["kind"], "petitie");
  EXPECT_EQ(entry["subject"], "Petiție: Iluminat stradal");
  ASSERT_EQ(entry["documents"].size(), 1u);
  ASSERT_EQ(dosar({"show", std::to_string(entry["documents"][0].get<int>()), "--json"}, &out), 0);
  EXPECT_EQ(json::parse(out)["title"], "scan lampă.pdf");

  auto status = client().Get("/api/v1/public/status?number=" + number + "&code=" + code);
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200);
  EXPECT_EQ(json::parse(status->body)["status"], "to-verify");

  // The consent is recorded with the notice's version.
  ASSERT_EQ(dosar({"audit", "--json"}, &out), 0);
  bool consent = false;
  for (const json& row : json::parse(out))
    if (row["action"] == "forms.submission")
      consent = row["detail"]["notice_version"] == "2026-1" && row["detail"]["form_version"] == 1;
  EXPECT_TRUE(consent);
}

TEST_F(FormsServerTest, ARetryWithTheSameIdempotencyKeyRegistersOnce) {
  start();
  httplib::Headers key{{"Idempotency-Key", "c3f1d2a0-1111-4222-8333-944455556666"}};
  auto first = submit(petition(), key);
  auto second = submit(petition(), key);
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(second->status, 201);
  EXPECT_EQ(first->body, second->body);
  EXPECT_EQ(entries(), 1);
  auto other = submit(petition(), {{"Idempotency-Key", "another-key"}});
  EXPECT_EQ(other->status, 201);
  EXPECT_EQ(entries(), 2);
}

TEST_F(FormsServerTest, TheKeyHoldsAcrossARestartWithoutRevealingTheCode) {
  start();
  httplib::Headers key{{"Idempotency-Key", "restart-key-1"}};
  auto first = submit(petition(), key);
  ASSERT_EQ(first->status, 201);
  server_.reset();  // stopped
  start();
  auto again = submit(petition(), key);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(json::parse(again->body)["number"], json::parse(first->body)["number"]);
  EXPECT_TRUE(json::parse(again->body)["access_code"].is_null());
  EXPECT_EQ(entries(), 1);
}

TEST_F(FormsServerTest, BadInputIsRefusedWithItsReasonAndRegistersNothing) {
  start();
  ASSERT_EQ(submit(petition())->status, 201);
  auto missing = petition();
  missing.erase(missing.begin() + 4);  // obiect
  struct Case {
    const char* what;
    httplib::MultipartFormDataItems items;
    int status;
    const char* subject;
  };
  auto no_consent = petition();
  no_consent.pop_back();
  auto unknown_form = petition();
  unknown_form[0].content = "nu-exista";
  std::vector<Case> cases = {
      {"missing required field", missing, 400, "obiect"},
      {"no consent", no_consent, 400, "consent"},
      {"unknown form", unknown_form, 404, "form nu-exista"},
      {"not what the form accepts", with_file(petition(), "nota.pdf", "just some text, not a PDF\n"), 415,
       "nota.pdf"},
      {"dot dot", with_file(petition(), "../../etc/passwd"), 400, ""},
      {"absolute", with_file(petition(), "/etc/passwd"), 400, ""},
      {"control character", with_file(petition(), "scan\x01.pdf"), 400, ""},
      {"right-to-left override",
       with_file(petition(),
                 "factura\xe2\x80\xae"
                 "fdp.exe"),
       400, ""},
      {"reserved name", with_file(petition(), "CON.pdf"), 400, ""},
      {"300 characters", with_file(petition(), std::string(296, 'a') + ".pdf"), 400, ""},
      {"invalid UTF-8", with_file(petition(), "scan\xff.pdf"), 400, ""},
      {"honeypot",
       [] {
         auto items = petition();
         items.push_back({"website", "http://spam.example", "", ""});
         return items;
       }(),
       400, "form"},
  };
  for (const Case& c : cases) {
    auto res = submit(c.items);
    ASSERT_TRUE(res) << c.what;
    EXPECT_EQ(res->status, c.status) << c.what << ": " << res->body;
    json error = json::parse(res->body)["error"];
    if (*c.subject) {
      EXPECT_EQ(error["subject"], c.subject) << c.what;
    }
    EXPECT_FALSE(error["message"].get<std::string>().empty()) << c.what;
  }
  EXPECT_EQ(entries(), 1);
}

TEST_F(FormsServerTest, RefusesOneFilePastTheLimitsAndOversizeFiles) {
  options_.forms.max_file_bytes = 64 * 1024;
  start();
  auto items = petition();
  for (int i = 0; i < 11; ++i) items.push_back({"files", pdf_, "scan" + std::to_string(i) + ".pdf", ""});
  auto eleven = submit(items);
  ASSERT_TRUE(eleven);
  EXPECT_EQ(eleven->status, 413) << eleven->body;
  auto big = submit(with_file(petition(), "mare.pdf", pdf_ + std::string(64 * 1024, ' ')));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413) << big->body;
  EXPECT_EQ(entries(), 0);
  items.pop_back();  // ten: the limit
  auto ten = submit(items);
  EXPECT_EQ(ten->status, 201) << ten->body;
}

TEST_F(FormsServerTest, OneAddressIsRateLimited) {
  options_.forms.per_address_per_hour = 3;
  start();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(submit(petition())->status, 201);
  auto fourth = submit(petition());
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->status, 429) << fourth->body;
  EXPECT_FALSE(fourth->get_header_value("Retry-After").empty());
  EXPECT_EQ(entries(), 3);
}

TEST_F(FormsServerTest, BehindATrustedProxyEachForwardedAddressHasItsOwnLimit) {
  options_.forms.per_address_per_hour = 2;
  options_.trusted_proxies = {"127.0.0.1"};
  start();
  httplib::Headers citizen{{"X-Forwarded-For", "198.51.100.7, 203.0.113.5"}};
  for (int i = 0; i < 2; ++i) ASSERT_EQ(submit(petition(), citizen)->status, 201);
  EXPECT_EQ(submit(petition(), citizen)->status, 429);
  // The hop the proxy appended counts, not what the client wrote before it.
  EXPECT_EQ(submit(petition(), {{"X-Forwarded-For", "10.9.9.9, 203.0.113.5"}})->status, 429);
  EXPECT_EQ(submit(petition(), {{"X-Forwarded-For", "203.0.113.6"}})->status, 201);
  // A malformed hop is the proxy's own request: counted against the proxy.
  EXPECT_EQ(submit(petition(), {{"X-Forwarded-For", "not-an-address"}})->status, 201);
  EXPECT_EQ(entries(), 4);
}

TEST_F(FormsServerTest, WithoutATrustedProxyForwardedAddressesAreIgnored) {
  options_.forms.per_address_per_hour = 2;
  start();
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(submit(petition(), {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}})->status, 201);
  EXPECT_EQ(submit(petition(), {{"X-Forwarded-For", "203.0.113.99"}})->status, 429);
  EXPECT_EQ(entries(), 2);
}

TEST_F(FormsServerTest, TheProofOfWorkIsCheckedAndWithoutScriptOnlyAFewPass) {
  options_.forms.proof_of_work = true;
  options_.forms.proof_of_work_bits = 8;
  options_.forms.unproven_per_address_per_hour = 1;
  start();
  auto challenge = [&] {
    return json::parse(client().Get("/api/v1/public/challenge")->body)["challenge"].get<std::string>();
  };
  std::string c = challenge();
  auto solved = petition();
  solved.push_back({"pow_challenge", c, "", ""});
  solved.push_back({"pow_nonce", forms::solve_proof_of_work(c, 8), "", ""});
  EXPECT_EQ(submit(solved)->status, 201);
  auto replayed = submit(solved);
  EXPECT_EQ(replayed->status, 403) << replayed->body;
  std::string c2 = challenge();
  auto wrong = petition();
  wrong.push_back({"pow_challenge", c2, "", ""});
  std::string bad;
  for (int n = 0; bad.empty(); ++n)
    if (!forms::proof_of_work_solved(c2, std::to_string(n), 8)) bad = std::to_string(n);
  wrong.push_back({"pow_nonce", bad, "", ""});
  EXPECT_EQ(submit(wrong)->status, 403);
  EXPECT_EQ(submit(petition())->status, 201);  // no script: the one allowed
  EXPECT_EQ(submit(petition())->status, 429);
  EXPECT_EQ(entries(), 2);
}

TEST_F(FormsServerTest, TheCitizenAddsDocumentsWithTheCodeAndWrongCodesAreLimited) {
  start();
  json answer = json::parse(submit(petition())->body);
  std::string number = answer["number"], code = answer["access_code"];
  std::string encoded = number;
  encoded.replace(encoded.find('/'), 1, "%2F");
  std::string path = "/api/v1/public/submissions/" + encoded + "/documents";
  httplib::MultipartFormDataItems items = {{"code", code, "", ""}, {"files", pdf_, "completare.pdf", ""}};
  auto added = client().Post(path, items);
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;
  std::string out;
  ASSERT_EQ(dosar({"registry", "show", number, "--json"}, &out), 0);
  json entry = json::parse(out);
  EXPECT_EQ(entry["documents"].size(), 1u);
  EXPECT_EQ(entry["history"].back()["event"], "documents-added");

  httplib::MultipartFormDataItems wrong = {{"code", "WRONGCODE2", "", ""}, {"files", pdf_, "x.pdf", ""}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client().Post(path, wrong)->status, 403);
  auto limited = client().Post(path, items);  // even the right code, once limited
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << limited->body;
}

TEST_F(FormsServerTest, TheClerkAcceptsAndRoutesOrAnnulsAsSpam) {
  constexpr const char* kIon = "1800101400016";
  std::string person;
  ASSERT_EQ(dosar({"person", "add", "--name", "Ion Popescu", "--cnp", kIon, "--as", "ana"}, &person), 0);
  person = person.substr(0, person.find_first_of("\n"));
  start();
  auto with_cnp = petition("Bună");
  for (auto& item : with_cnp)
    if (item.name == "continut") item.content = std::string("Vă rog să reparați lampa. CNP ") + kIon;
  std::string good = json::parse(submit(with_cnp)->body)["number"];
  std::string spam = json::parse(submit(petition("Cumpărați acum"))->body)["number"];
  SignedIn ana = sign_in();
  httplib::Headers headers{{"Cookie", ana.cookie}, {"X-CSRF-Token", ana.csrf}};
  auto queue = client().Get("/api/v1/registry/online", headers);
  ASSERT_TRUE(queue);
  json waiting = json::parse(queue->body)["entries"];
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0]["fields"]["obiect"], "Bună");
  EXPECT_EQ(waiting[0]["status_label"], "de verificat");
  // Issue 12: the list masks the CNP; opening the submission shows it to
  // the clerk and records the read in the person's file.
  EXPECT_EQ(queue->body.find(kIon), std::string::npos) << queue->body;
  EXPECT_EQ(waiting[0]["fields"]["continut"], "Vă rog să reparați lampa. CNP 1********0016");
  auto opened = client().Get("/api/v1/registry/online/submission", {{"number", good}}, headers);
  ASSERT_TRUE(opened);
  ASSERT_EQ(opened->status, 200) << opened->body;
  EXPECT_EQ(json::parse(opened->body)["fields"]["continut"],
            std::string("Vă rog să reparați lampa. CNP ") + kIon);
  std::string report;
  ASSERT_EQ(dosar({"person", "access-report", person, "--json", "--as", "ana"}, &report), 0);
  json desk_read = json::parse(report)["accesses"][0];  // then the report's own "control" record
  EXPECT_EQ(desk_read["purpose"], "înregistrare-cerere") << report;
  EXPECT_EQ(desk_read["what"], "online submission " + good) << report;
  EXPECT_EQ(
      client().Get("/api/v1/registry/online/submission", {{"number", "99/01.01.2026"}}, headers)->status,
      404);
  // A list takes no purpose: refused rather than ignored.
  auto with_purpose = client().Get("/api/v1/registry?purpose=evaluare", headers);
  EXPECT_EQ(with_purpose->status, 400) << with_purpose->body;

  auto book = json::parse(client().Get("/api/v1/registry", headers)->body)["entries"];
  ASSERT_EQ(book.size(), 2u);
  EXPECT_EQ(book[0]["status"], "to-verify");

  auto accepted =
      client().Post("/api/v1/registry/online/accept", headers,
                    json{{"number", good}, {"department", "Urbanism"}}.dump(), "application/json");
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  EXPECT_EQ(json::parse(accepted->body)["status"], "assigned");
  auto no_reason = client().Post("/api/v1/registry/online/reject", headers, json{{"number", spam}}.dump(),
                                 "application/json");
  EXPECT_EQ(no_reason->status, 400);
  auto annulled = client().Post("/api/v1/registry/online/reject", headers,
                                json{{"number", spam}, {"reason", "reclamă"}}.dump(), "application/json");
  ASSERT_EQ(annulled->status, 200) << annulled->body;
  EXPECT_EQ(json::parse(annulled->body)["status"], "annulled");
  // Checked once: the annulled one cannot be accepted; the routed one is now
  // Urbanism's, out of the desk's sight.
  auto twice = client().Post("/api/v1/registry/online/accept", headers, json{{"number", spam}}.dump(),
                             "application/json");
  EXPECT_EQ(twice->status, 409) << twice->body;
  auto gone = client().Post("/api/v1/registry/online/accept", headers, json{{"number", good}}.dump(),
                            "application/json");
  EXPECT_EQ(gone->status, 404) << gone->body;
  EXPECT_TRUE(json::parse(client().Get("/api/v1/registry/online", headers)->body)["entries"].empty());
  auto without_session = client().Get("/api/v1/registry/online");
  EXPECT_EQ(without_session->status, 401);
  EXPECT_EQ(entries(), 2);  // the spam's number stays used
}

TEST_F(FormsServerTest, WithoutScriptTheServerAnswersWithPages) {
  start();
  auto page = client().Post("/formulare/trimite", petition("<script>alert(1)</script>"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 201);
  EXPECT_NE(page->body.find("id=\"c-code\""), std::string::npos);
  auto missing = petition();
  missing.erase(missing.begin() + 1);  // nume
  missing[3].content = "<img src=x onerror=alert(1)>";
  auto again = client().Post("/formulare/trimite", missing);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 400);
  EXPECT_NE(again->body.find("id=\"e-nume\">is required"), std::string::npos) << again->body;
  EXPECT_EQ(again->body.find("<img src=x"), std::string::npos);
  EXPECT_NE(again->body.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST_F(FormsServerTest, ADefinitionWithErrorsStopsTheStartNamingFileAndField) {
  fs::path forms = dir_.path() / "forms";
  fs::create_directories(forms);
  testing::write_file(forms / "petitie.json",
                      R"({"id": "petitie", "version": 2, "title": "P", "register": "intrare",
    "kind": "petitie", "notice_version": "1", "notice": "n", "sender_field": "nume",
    "fields": [{"name": "nume", "type": "nume", "label": "Nume", "required": true}]})");
  options_.forms.forms_dir = forms;
  auto server = WebServer::create(options_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().subject, (forms / "petitie.json").string());
  EXPECT_NE(server.error().message.find("fields[0].type"), std::string::npos);
  // A kind the archive does not have is refused too.
  testing::write_file(forms / "petitie.json",
                      R"({"id": "petitie", "version": 2, "title": "P", "register": "intrare",
    "kind": "nu-exista", "notice_version": "1", "notice": "n", "sender_field": "nume",
    "fields": [{"name": "nume", "type": "text", "label": "Nume", "required": true}]})");
  auto again = WebServer::create(options_);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("'kind'"), std::string::npos);
}

}  // namespace
}  // namespace dosar::api
