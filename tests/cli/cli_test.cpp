// The command line in-process: exit codes, --json shapes, byte-exact export.
#include "cli/cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"

namespace dosar::cli {
namespace {

namespace fs = std::filesystem;
using dosar::testing::TempDir;

struct Outcome {
  ExitCode code;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  Outcome dosar(std::vector<std::string> args) {
    args.insert(args.begin(), {"--archive", (dir_ / "archive").string()});
    std::ostringstream out, err;
    ExitCode code = run(args, out, err);
    return {code, out.str(), err.str()};
  }
  TempDir dir_;
};

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(dosar({}).code, ExitCode::usage);
  EXPECT_EQ(dosar({"frobnicate"}).code, ExitCode::usage);
  EXPECT_EQ(dosar({"ingest"}).code, ExitCode::usage);
  EXPECT_EQ(dosar({"list", "--bogus"}).code, ExitCode::usage);
  EXPECT_EQ(dosar({"show", "1", "2"}).code, ExitCode::usage);
  Outcome o = dosar({"init", "--json"});
  EXPECT_EQ(o.code, ExitCode::usage);
  EXPECT_NE(o.err.find("has no option --json"), std::string::npos);
}

TEST_F(CliTest, MalformedIndexLocatorIsAUsageError) {
  Outcome o = dosar({"--index", "xapian-tcp://idx1", "search", "ancheta"});
  EXPECT_EQ(o.code, ExitCode::usage);
  EXPECT_NE(o.err.find("--index: xapian-tcp://idx1: shard 'idx1' has no :PORT"), std::string::npos) << o.err;
}

// `--index` at init is kept in config.json, so later commands need no option.
TEST_F(CliTest, InitRemembersTheIndexLocator) {
  const std::string locator = "xapian:" + (dir_ / "elsewhere").string();
  Outcome init = dosar({"--index", locator, "init"});
  ASSERT_EQ(init.code, ExitCode::ok) << init.err;
  EXPECT_TRUE(fs::exists(dir_ / "elsewhere")) << "the index is built where --index says";
  EXPECT_FALSE(fs::exists(dir_ / "archive/index"));
  dosar::testing::write_file(dir_ / "cerere.pdf", dosar::testing::make_text_pdf({"Cerere de ajutor"}));
  ASSERT_EQ(dosar({"ingest", (dir_ / "cerere.pdf").string()}).code, ExitCode::ok);
  Outcome found = dosar({"search", "--json", "ajutor"});
  ASSERT_EQ(found.code, ExitCode::ok) << found.err;
  EXPECT_EQ(nlohmann::json::parse(found.out)["total"], 1);
  fs::remove_all(dir_ / "elsewhere");
  Outcome gone = dosar({"search", "ajutor"});
  EXPECT_EQ(gone.code, ExitCode::failed) << "searches the configured index, not ARCHIVE/index";
  EXPECT_NE(gone.err.find("elsewhere"), std::string::npos) << gone.err;
}

// Issue 13: a worker's timings are checked before it opens anything.
TEST_F(CliTest, WorkerRefusesPollAndLeaseOutOfRange) {
  for (auto [option, value] : {std::pair{"--poll", "0"}, std::pair{"--poll", "5s"}, std::pair{"--lease", "1"},
                               std::pair{"--lease", "-300"}}) {
    Outcome o = dosar({"worker", option, value});
    EXPECT_EQ(o.code, ExitCode::usage) << option << " " << value;
    EXPECT_NE(o.err.find(std::string(option) + " must be a number from"), std::string::npos) << o.err;
  }
  Outcome help = dosar({"worker", "--help"});
  EXPECT_EQ(help.code, ExitCode::ok);
  EXPECT_NE(help.out.find("--lease SECONDS"), std::string::npos) << help.out;
}

TEST_F(CliTest, HelpDescribesCommandOptions) {
  Outcome o = dosar({"ingest", "--help"});
  EXPECT_EQ(o.code, ExitCode::ok);
  EXPECT_NE(o.out.find("--department D"), std::string::npos);
  EXPECT_NE(o.out.find("--json"), std::string::npos);
}

TEST_F(CliTest, CommandsOnMissingArchiveFailWithOneAndSayWhy) {
  Outcome o = dosar({"list"});
  EXPECT_EQ(o.code, ExitCode::failed);
  EXPECT_NE(o.err.find("dosar init"), std::string::npos);
}

TEST_F(CliTest, IngestListShowVersionsExportRoundTrip) {
  ASSERT_EQ(dosar({"init"}).code, ExitCode::ok);
  std::string pdf = dosar::testing::make_text_pdf({"Dispoziție privind numirea comisiei"});
  dosar::testing::write_file(dir_ / "dispoziție.pdf", pdf);
  Outcome ingested = dosar({"ingest", "--json", "--type", "dispoziție", "--department", "Juridic",
                            (dir_ / "dispoziție.pdf").string()});
  ASSERT_EQ(ingested.code, ExitCode::ok) << ingested.err;
  auto line = nlohmann::json::parse(ingested.out);
  EXPECT_EQ(line["status"], "stored");
  EXPECT_EQ(line["id"], 1);
  EXPECT_EQ(line["pages"], 1);

  auto list = nlohmann::json::parse(dosar({"list", "--json"}).out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["title"], "dispoziție");
  EXPECT_EQ(list[0]["type"], "dispoziție");
  EXPECT_EQ(list[0]["department"], "Juridic");

  auto show = nlohmann::json::parse(dosar({"show", "1", "--json"}).out);
  EXPECT_EQ(show["current"]["original_name"], "dispoziție.pdf");
  EXPECT_EQ(show["current"]["size"], pdf.size());

  std::string v2 = dosar::testing::make_text_pdf({"Dispoziție, versiunea corectată"});
  dosar::testing::write_file(dir_ / "v2.pdf", v2);
  ASSERT_EQ(dosar({"add-version", "1", (dir_ / "v2.pdf").string(), "--comment", "corectură"}).code,
            ExitCode::ok);
  auto versions = nlohmann::json::parse(dosar({"versions", "1", "--json"}).out);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1]["comment"], "corectură");

  ASSERT_EQ(dosar({"export", "1", "--version", "1", "-o", (dir_ / "out-v1.pdf").string()}).code,
            ExitCode::ok);
  EXPECT_EQ(dosar::testing::read_file(dir_ / "out-v1.pdf"), pdf);
  ASSERT_EQ(dosar({"export", "1", "-o", (dir_ / "out-v2.pdf").string()}).code, ExitCode::ok);
  EXPECT_EQ(dosar::testing::read_file(dir_ / "out-v2.pdf"), v2);
  ASSERT_EQ(dosar({"export", "1", "--what", "text", "-o", (dir_ / "v2.txt").string()}).code, ExitCode::ok);
  EXPECT_NE(dosar::testing::read_file(dir_ / "v2.txt").find("versiunea corectată"), std::string::npos);

  EXPECT_EQ(dosar({"export", "1", "--version", "3", "-o", (dir_ / "x").string()}).code, ExitCode::failed);
  EXPECT_FALSE(fs::exists(dir_ / "x"));
  EXPECT_EQ(dosar({"show", "abc"}).code, ExitCode::failed);

  auto audit = nlohmann::json::parse(dosar({"audit", "1", "--json"}).out);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1]["action"], "version.add");
  EXPECT_EQ(dosar({"audit", "verify"}).code, ExitCode::ok);
  auto check = nlohmann::json::parse(dosar({"check", "--json"}).out);
  EXPECT_EQ(check["ok"], true);
  EXPECT_EQ(check["blobs_rehashed"], 4);  // two originals, two texts
}

TEST_F(CliTest, ExportRefusesCorruptBlobAndLeavesNoOutput) {
  ASSERT_EQ(dosar({"init"}).code, ExitCode::ok);
  dosar::testing::write_file(dir_ / "a.pdf", dosar::testing::make_text_pdf({"intact"}));
  ASSERT_EQ(dosar({"ingest", (dir_ / "a.pdf").string()}).code, ExitCode::ok);
  auto show = nlohmann::json::parse(dosar({"show", "1", "--json"}).out);
  std::string id = show["current"]["original_blob"];
  fs::path blob = dir_ / "archive/blobs/sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
  fs::permissions(blob, fs::perms::owner_write, fs::perm_options::add);
  std::string bytes = dosar::testing::read_file(blob);
  bytes[bytes.size() / 2] ^= 1;
  dosar::testing::write_file(blob, bytes);
  Outcome o = dosar({"export", "1", "-o", (dir_ / "out.pdf").string()});
  EXPECT_EQ(o.code, ExitCode::failed);
  EXPECT_NE(o.err.find("no longer matches"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(dir_ / "out.pdf"));
  Outcome check = dosar({"check"});
  EXPECT_EQ(check.code, ExitCode::failed);
  EXPECT_NE(check.out.find(id), std::string::npos);
}

TEST_F(CliTest, IngestExitsOneWhenAnythingWasRejected) {
  ASSERT_EQ(dosar({"init"}).code, ExitCode::ok);
  dosar::testing::write_file(dir_ / "ok.pdf", dosar::testing::make_text_pdf({"bun"}));
  dosar::testing::write_file(dir_ / "pagină.pdf", "<!DOCTYPE html><html><body>nu</body></html>");
  Outcome o = dosar({"ingest", (dir_ / "ok.pdf").string(), (dir_ / "pagină.pdf").string()});
  EXPECT_EQ(o.code, ExitCode::failed);
  EXPECT_NE(o.out.find("rejected\t" + (dir_ / "pagină.pdf").string()), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("text/html"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(dosar({"list", "--json"}).out).size(), 1u);
}

}  // namespace
}  // namespace dosar::cli
