// Fixity over time (issue 10, item 8): records/fixity.cpp and storage/sqlite_fixity_store.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/sha256.h"
#include "records/preservation.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class StepClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return now_; }
  void advance(std::chrono::hours by) { now_ += by; }

 private:
  std::chrono::system_clock::time_point now_ = *parse_utc("2026-01-01T08:00:00Z");
};

class Fixity : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = ArchiveStore::create(dir_ / "archive", clock_);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    archive_ = std::move(created).value();
    auto store = open_fixity_store(*archive_, clock_);
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    fixity_ = std::move(store).value();
  }

  DocumentId add_document(const std::string& content) {
    auto blob = archive_->blobs().put(content);
    EXPECT_TRUE(blob.ok());
    NewDocument d;
    d.title = content;
    d.first_version.original_blob_id = blob->id;
    d.first_version.original_name = "x.pdf";
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = blob->size;
    auto outcome = archive_->catalog().create_document_unless_duplicate(d, "ana");
    EXPECT_TRUE(outcome.ok());
    return outcome->document.id;
  }

  fs::path blob_path(const std::string& content) const {
    std::string id = sha256_hex(content);
    return dir_ / "archive/blobs/sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
  }

  std::vector<AuditRecord> rows_named(const std::string& action) const {
    auto trail = archive_->catalog().audit_trail(std::nullopt);
    EXPECT_TRUE(trail.ok());
    std::vector<AuditRecord> out;
    for (const auto& r : *trail)
      if (r.action == action) out.push_back(r);
    return out;
  }

  StepClock clock_;
  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
  std::unique_ptr<FixityStore> fixity_;
};

TEST_F(Fixity, CheckRecordsOneEventPerBlobAndOneAuditRowPerRun) {
  for (int i = 0; i < 5; ++i) add_document("document " + std::to_string(i));
  auto checked = records::check_and_record(*archive_, *fixity_, CheckDepth::full, nullptr, "ana");
  ASSERT_TRUE(checked.ok()) << checked.error().to_string();
  ASSERT_TRUE(checked->run);
  EXPECT_EQ(checked->run->ok, 5u);
  EXPECT_EQ(checked->run->failed, 0u);
  auto results = fixity_->run_results(checked->run->id);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->size(), 5u);
  auto rows = rows_named("fixity.check");
  ASSERT_EQ(rows.size(), 1u);
  auto detail = nlohmann::json::parse(rows[0].detail);
  EXPECT_EQ(detail["ok"], 5);
  EXPECT_EQ(detail["results_root"], fixity_results_root(*results));
  EXPECT_EQ(rows[0].seq, checked->run->audit_seq);
  auto problems = archive_->catalog().verify_audit_chain();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
}

TEST_F(Fixity, QuickCheckRecordsNothing) {
  add_document("one");
  auto checked = records::check_and_record(*archive_, *fixity_, CheckDepth::quick, nullptr, "ana");
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(checked->run);
  EXPECT_TRUE(rows_named("fixity.check").empty());
}

TEST_F(Fixity, CorruptAndMissingBlobsAreRecordedAsFailed) {
  add_document("intact");
  add_document("to be damaged");
  add_document("to be lost");
  fs::permissions(blob_path("to be damaged"), fs::perms::owner_write, fs::perm_options::add);
  { std::ofstream(blob_path("to be damaged"), std::ios::binary | std::ios::trunc) << "to be dAmaged"; }
  fs::remove(blob_path("to be lost"));
  auto checked = records::check_and_record(*archive_, *fixity_, CheckDepth::full, nullptr, "ana");
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked->report.has_errors());
  EXPECT_EQ(checked->run->ok, 1u);
  EXPECT_EQ(checked->run->failed, 2u);
  auto damaged = fixity_->last_verified(sha256_hex("to be damaged"));
  ASSERT_TRUE(damaged.ok() && *damaged);
  EXPECT_EQ((*damaged)->outcome, "corrupt");
  auto lost = fixity_->last_verified(sha256_hex("to be lost"));
  ASSERT_TRUE(lost.ok() && *lost);
  EXPECT_EQ((*lost)->outcome, "missing");
}

TEST_F(Fixity, ParallelCheckFindsTheSameAsOneThread) {
  for (int i = 0; i < 20; ++i) add_document("parallel " + std::to_string(i));
  fs::remove(blob_path("parallel 7"));
  auto one = check_archive(*archive_, CheckDepth::full, nullptr, 1);
  auto two = check_archive(*archive_, CheckDepth::full, nullptr, 2);
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_EQ(one->fixity.size(), two->fixity.size());
  std::set<std::pair<std::string, std::string>> a, b;
  for (const auto& r : one->fixity) a.insert({r.blob_id, r.outcome});
  for (const auto& r : two->fixity) b.insert({r.blob_id, r.outcome});
  EXPECT_EQ(a, b);
  EXPECT_EQ(one->findings.size(), two->findings.size());
}

TEST_F(Fixity, LastVerifiedOfADocumentIsItsLeastRecentlyVerifiedBlob) {
  DocumentId id = add_document("version one");
  auto before = fixity_->last_verified(id);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(*before);  // never verified
  ASSERT_TRUE(
      fixity_->record_run("check", format_utc(clock_.now()), {{sha256_hex("version one"), "ok"}}, "ana")
          .ok());
  const std::string first = format_utc(clock_.now());
  auto blob = archive_->blobs().put("version two");
  NewVersion v;
  v.original_blob_id = blob->id;
  v.original_name = "y.pdf";
  v.mime_type = "application/pdf";
  v.size = blob->size;
  ASSERT_TRUE(archive_->catalog().add_version(id, v, "ana").ok());
  auto partly = fixity_->last_verified(id);
  ASSERT_TRUE(partly.ok());
  EXPECT_FALSE(*partly);  // version two never verified
  clock_.advance(std::chrono::hours(24));
  ASSERT_TRUE(fixity_->record_run("check", format_utc(clock_.now()), {{blob->id, "ok"}}, "ana").ok());
  auto both = fixity_->last_verified(id);
  ASSERT_TRUE(both.ok() && *both);
  EXPECT_EQ(**both, first);
  EXPECT_EQ(fixity_->last_verified(DocumentId{999}).error().code, ErrorCode::not_found);
}

TEST_F(Fixity, RecordRunRefusesABlobTwiceAndChangesNothing) {
  const std::string id = sha256_hex("x");
  auto run = fixity_->record_run("check", format_utc(clock_.now()), {{id, "ok"}, {id, "ok"}}, "ana");
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(rows_named("fixity.check").empty());
  EXPECT_FALSE(fixity_->record_run("check", "t", {{id, "fine"}}, "ana").ok());
  EXPECT_FALSE(fixity_->record_run("check", "t", {{"not-a-blob", "ok"}}, "ana").ok());
}

TEST_F(Fixity, MerkleProofOfEveryResultLeadsToTheRoot) {
  for (std::size_t n : {1u, 2u, 3u, 5u, 8u, 13u}) {
    std::vector<BlobFixity> results;
    for (std::size_t i = 0; i < n; ++i)
      results.push_back({sha256_hex(std::to_string(i)), i % 3 ? "ok" : "corrupt"});
    std::sort(results.begin(), results.end(), [](auto& a, auto& b) { return a.blob_id < b.blob_id; });
    const std::string root = fixity_results_root(results);
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = fixity_inclusion_proof(results, i);
      EXPECT_EQ(fixity_root_from_proof(fixity_leaf_hash(results[i]), proof), root) << n << " " << i;
      BlobFixity flipped = results[i];
      flipped.outcome = flipped.outcome == "ok" ? "corrupt" : "ok";
      EXPECT_NE(fixity_root_from_proof(fixity_leaf_hash(flipped), proof), root);
    }
  }
}

// Pins format 1 of docs/formats/fixity.md: this root was computed from the
// description there by an independent script (Python hashlib).
TEST_F(Fixity, ResultsRootMatchesTheDocumentedFormat) {
  std::vector<BlobFixity> results;
  for (int i = 0; i < 5; ++i) results.push_back({sha256_hex(std::to_string(i)), i % 3 ? "ok" : "corrupt"});
  std::sort(results.begin(), results.end(), [](auto& a, auto& b) { return a.blob_id < b.blob_id; });
  EXPECT_EQ(fixity_results_root(results), "39f1a775311a2df2425b11fe0bb634035c54f3d8ffd863ea0537f8a54f2fb8bd");
  EXPECT_EQ(fixity_results_root({}), sha256_hex(""));
}

// Every blob is verified at least once per period, a share each day, oldest first.
TEST_F(Fixity, DailySamplerCoversEveryBlobWithinThePeriod) {
  for (int i = 0; i < 40; ++i) add_document("sampled " + std::to_string(i));
  records::SamplerOptions options;
  options.period = std::chrono::hours(24 * 10);
  options.interval = std::chrono::hours(24);
  std::map<std::string, std::string> last;  // blob -> last verified
  for (int day = 0; day < 30; ++day) {
    auto outcome = records::sample_fixity(*archive_, *fixity_, options, clock_, "sampler");
    ASSERT_TRUE(outcome.ok()) << outcome.error().to_string();
    EXPECT_LE(outcome->verified, 5u) << "day " << day;  // about 40/10 a day, not all at once
    if (outcome->run) {
      auto results = fixity_->run_results(outcome->run->id);
      for (const auto& r : *results) last[r.blob_id] = format_utc(clock_.now());
    }
    if (day >= 10) {
      ASSERT_EQ(last.size(), 40u) << "day " << day;
      const std::string oldest_allowed = format_utc(clock_.now() - options.period);
      for (const auto& [blob, when] : last) EXPECT_GE(when, oldest_allowed) << blob << " day " << day;
    }
    clock_.advance(std::chrono::hours(24));
  }
}

TEST_F(Fixity, SamplerWorkIsBoundedPerRun) {
  for (int i = 0; i < 12; ++i) add_document("bounded " + std::to_string(i));
  clock_.advance(std::chrono::hours(24 * 100));  // all of them overdue
  records::SamplerOptions options;
  options.max_blobs_per_run = 3;
  auto outcome = records::sample_fixity(*archive_, *fixity_, options, clock_, "sampler");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->verified, 3u);
  options.max_blobs_per_run = 100;
  options.max_bytes_per_run = 1;  // at least one blob, then the byte bound stops it
  outcome = records::sample_fixity(*archive_, *fixity_, options, clock_, "sampler");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->verified, 1u);
}

TEST_F(Fixity, SamplerFindsADamagedBlob) {
  add_document("sampled and damaged");
  fs::permissions(blob_path("sampled and damaged"), fs::perms::owner_write, fs::perm_options::add);
  { std::ofstream(blob_path("sampled and damaged"), std::ios::binary | std::ios::trunc) << "changed"; }
  clock_.advance(std::chrono::hours(24));
  auto outcome = records::sample_fixity(*archive_, *fixity_, {}, clock_, "sampler");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->failed, 1u);
  EXPECT_EQ(rows_named("fixity.check").size(), 1u);
}

TEST_F(Fixity, BackgroundSamplerRunsOnceAnInterval) {
  add_document("background");
  std::atomic<int> runs{0};
  {
    records::FixitySampler sampler(
        dir_ / "archive", {}, "sampler",
        [&](const Result<records::SampleOutcome>& outcome) {
          if (outcome.ok() && outcome->run) ++runs;
        },
        std::chrono::milliseconds(20));
    for (int i = 0; i < 500 && runs == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // several more polls
  }
  EXPECT_EQ(runs.load(), 1);  // the next run is a day later
  auto last = fixity_->last_run_at("sample");
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(*last);
}

}  // namespace
}  // namespace dosar
