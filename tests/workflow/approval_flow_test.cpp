// Approval flows over the real SQLite stores and the real unsigned recorder,
// wrapped to count or fail signatures (issue 6).
#include "workflow/approval_flow.h"

#include <gtest/gtest.h>

#include <functional>

#include "base/sha256.h"
#include "storage/archive_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace dosar::workflow {
namespace {

using namespace std::chrono_literals;

class SettableClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return now_; }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  // 2026-11-22T08:00:00Z
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::from_time_t(1795334400);
};

// The real recorder, counting calls and failing on demand.
class CountingSigner : public DocumentSigner {
 public:
  explicit CountingSigner(Catalog& catalog) : real_(catalog) {}
  Result<SignedVersion> sign(const SigningRequest& r) override {
    ++calls;
    last = r;
    if (fail) return make_error(ErrorCode::io, "signer", "token removed");
    return real_.sign(r);
  }
  int calls = 0;
  bool fail = false;
  SigningRequest last;

 private:
  UnsignedApprovalRecorder real_;
};

// The store under test; a second backend (PostgreSQL) is one more value in
// INSTANTIATE_TEST_SUITE_P below.
struct ApprovalFlowTestBackend {
  std::string name;
  std::function<Result<std::unique_ptr<FlowStore>>(const ArchiveStore&, const Clock&)> open;
  // Where the archive's catalogue goes: none for ARCHIVE/catalog.sqlite.
  std::function<std::optional<CatalogLocation>()> catalog = [] { return std::nullopt; };
};

void PrintTo(const ApprovalFlowTestBackend& backend, std::ostream* os) {
  *os << backend.name;
}

class ApprovalFlowTest : public ::testing::TestWithParam<ApprovalFlowTestBackend> {
 protected:
  void SetUp() override {
    catalog_ = GetParam().catalog();
    auto created = ArchiveStore::create(dir_ / "archive", clock_, catalog_);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    archive_ = std::move(created).value();
    store_ = std::move(GetParam().open(*archive_, clock_).value());
    signer_ = std::make_unique<CountingSigner>(archive_->catalog());
    flows_ = std::make_unique<ApprovalFlows>(archive_->catalog(), *store_, *signer_, clock_);
    for (const char* u : {"autor", "sef", "jurist", "contabil", "director", "adjunct", "strain"})
      ASSERT_TRUE(archive_->catalog().add_user({u, "", false, {"Juridic"}, false}, "admin").ok());
    ASSERT_TRUE(store_->add_role("jurist", "consilier", "Juridic", "admin").ok());
    FlowTemplate t{"raspuns",
                   {{1, "verificare", {{"sef"}, "", ""}},
                    {2, "aviz juridic", {{}, "consilier", "Juridic"}},
                    {2, "viza buget", {{"contabil"}, "", ""}},
                    {3, "aprobare", {{"director"}, "", ""}}}};
    ASSERT_TRUE(flows_->put_template(t, "admin").ok());
    document_ = add_document("raspuns.pdf");
  }

  DocumentId add_document(const std::string& name) {
    NewDocument d;
    d.title = name;
    d.document_type = "raspuns";
    d.first_version = {sha256_hex(name), name, "application/pdf", 10, 1, std::nullopt, "", {}, {}, {}};
    return archive_->catalog().create_document_unless_duplicate(d, "autor")->document.id;
  }

  Status add_version(const std::string& name) {
    NewVersion v{sha256_hex(name), name, "application/pdf", 10, 1, std::nullopt, "", {}, {}, {}};
    auto added = archive_->catalog().add_version(document_, v, "autor");
    if (!added.ok()) return added.error();
    return {};
  }

  std::string state(FlowId id) {
    auto f = store_->flow(id);
    std::string out = f->status + " v" + std::to_string(f->version) + " r" + std::to_string(f->revision);
    for (const FlowStep& s : f->steps) out += " " + s.label + ":" + s.status;
    out += " versions:" + std::to_string(archive_->catalog().document(document_)->current_version);
    return out;
  }

  testing::TempDir dir_;
  SettableClock clock_;
  std::optional<CatalogLocation> catalog_;
  std::unique_ptr<ArchiveStore> archive_;
  std::unique_ptr<FlowStore> store_;
  std::unique_ptr<CountingSigner> signer_;
  std::unique_ptr<ApprovalFlows> flows_;
  DocumentId document_ = 0;
};

TEST_P(ApprovalFlowTest, EveryApprovalSignsANewVersionAndTheLastCompletesTheFlow) {
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  auto first = flows_->approve(id, 1, "sef");
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->signed_version.version, 2);
  EXPECT_FALSE(first->signed_version.cryptographic);
  EXPECT_NE(first->signed_version.note.find("WITHOUT a cryptographic signature"), std::string::npos);
  EXPECT_EQ(signer_->last.version, 1);
  ASSERT_TRUE(flows_->approve(id, 2, "jurist").ok());
  ASSERT_TRUE(flows_->approve(id, 3, "contabil").ok());
  auto last = flows_->approve(id, 4, "director");
  ASSERT_TRUE(last.ok()) << last.error().to_string();
  EXPECT_EQ(last->flow.status, "approved");
  EXPECT_EQ(last->flow.version, 5);
  EXPECT_EQ(archive_->catalog().document(document_)->current_version, 5);
  EXPECT_EQ(signer_->calls, 4);
}

TEST_P(ApprovalFlowTest, ParallelStepsAllApproveBeforeTheNextPositionOpens) {
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "sef").ok());
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "contabil").ok());
  EXPECT_EQ(flows_->approve(id, std::nullopt, "director").error().code, ErrorCode::permission);
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "jurist").ok());
  EXPECT_TRUE(flows_->approve(id, std::nullopt, "director").ok());
}

TEST_P(ApprovalFlowTest, OutsidersDoubleApprovalsAndSupersededVersionsChangeNothing) {
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  std::string before = state(id);
  EXPECT_EQ(flows_->approve(id, std::nullopt, "strain").error().code, ErrorCode::permission);
  EXPECT_EQ(flows_->approve(id, std::nullopt, "director").error().code, ErrorCode::permission);
  EXPECT_EQ(state(id), before);
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "sef").ok());
  before = state(id);
  auto twice = flows_->approve(id, std::nullopt, "sef");
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  EXPECT_NE(twice.error().message.find("already approved"), std::string::npos);
  EXPECT_EQ(flows_->approve(id, 1, "jurist").error().code, ErrorCode::conflict);
  EXPECT_EQ(state(id), before);
  // A version added outside the flow supersedes the one under approval.
  ASSERT_TRUE(add_version("changed.pdf").ok());
  before = state(id);
  auto superseded = flows_->approve(id, std::nullopt, "jurist");
  EXPECT_EQ(superseded.error().code, ErrorCode::conflict);
  EXPECT_NE(superseded.error().message.find("must resubmit"), std::string::npos);
  EXPECT_EQ(state(id), before);
  EXPECT_EQ(signer_->calls, 1);
}

TEST_P(ApprovalFlowTest, AFailedSignatureLeavesTheFlowAsItWas) {
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  std::string before = state(id);
  signer_->fail = true;
  EXPECT_EQ(flows_->approve(id, std::nullopt, "sef").error().code, ErrorCode::io);
  EXPECT_EQ(state(id), before);
}

TEST_P(ApprovalFlowTest, RejectionReturnsToTheAuthorAndResubmitRestartsAtTheRejectingPosition) {
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "sef").ok());
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "jurist").ok());
  EXPECT_EQ(flows_->reject(id, " ", "contabil").error().code, ErrorCode::invalid_argument);
  auto rejected = flows_->reject(id, "lipsește bugetul", "contabil");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, "rejected");
  EXPECT_EQ(flows_->resubmit(id, "", "autor").error().code,
            ErrorCode::invalid_argument);  // no new version yet
  EXPECT_EQ(flows_->resubmit(id, "", "sef").error().code, ErrorCode::permission);
  ASSERT_TRUE(add_version("corectat.pdf").ok());
  auto resubmitted = flows_->resubmit(id, "am corectat", "autor");
  ASSERT_TRUE(resubmitted.ok()) << resubmitted.error().to_string();
  EXPECT_EQ(state(id),
            "pending v4 r5 verificare:approved aviz juridic:pending viza buget:pending aprobare:waiting "
            "versions:4");
  ASSERT_TRUE(flows_->approve(id, 4, "contabil").ok());
  ASSERT_TRUE(flows_->approve(id, std::nullopt, "jurist").ok());
  EXPECT_TRUE(flows_->approve(id, std::nullopt, "director").ok());
}

TEST_P(ApprovalFlowTest, DeputyApprovesOnBehalfOfTheHeadOnlyDuringTheDelegation) {
  ASSERT_TRUE(flows_->delegate({"sef", "adjunct", "2026-11-22", "2026-11-23"}, "sef").ok());
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  auto inbox = flows_->inbox("adjunct");
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ(inbox->front().on_behalf_of, "sef");
  auto approval = flows_->approve(id, std::nullopt, "adjunct");
  ASSERT_TRUE(approval.ok()) << approval.error().to_string();
  EXPECT_EQ(approval->on_behalf_of, "sef");
  EXPECT_EQ(signer_->last.on_behalf_of, "sef");
  EXPECT_EQ(approval->flow.steps.front().decided_by, "adjunct");
  EXPECT_EQ(approval->flow.steps.front().on_behalf_of, "sef");
  DocumentId other = add_document("altul.pdf");
  FlowId later = flows_->start(other, std::nullopt, "autor")->id;
  clock_.advance(48h);  // 2026-11-24: the delegation ended
  EXPECT_EQ(flows_->approve(later, std::nullopt, "adjunct").error().code, ErrorCode::permission);
}

TEST_P(ApprovalFlowTest, CancelNeedsTheAuthorAndAReason) {
  FlowId id = flows_->start(document_, std::nullopt, "autor")->id;
  EXPECT_EQ(flows_->cancel(id, "", "autor").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->cancel(id, "x", "sef").error().code, ErrorCode::permission);
  ASSERT_TRUE(flows_->cancel(id, "retras", "autor").ok());
  EXPECT_EQ(flows_->approve(id, std::nullopt, "sef").error().code, ErrorCode::conflict);
  EXPECT_TRUE(flows_->inbox("sef")->empty());
  EXPECT_TRUE(flows_->start(document_, std::nullopt, "autor").ok());  // a cancelled flow no longer blocks
}

TEST_P(ApprovalFlowTest, AStaleSaveIsRefused) {
  Flow f = flows_->start(document_, std::nullopt, "autor").value();
  ASSERT_TRUE(flows_->approve(f.id, std::nullopt, "sef").ok());
  f.status = "cancelled";
  EXPECT_EQ(store_->save(f, {0, "", "x", "", "cancel", "", 1, ""}).error().code, ErrorCode::conflict);
  EXPECT_EQ(store_->flow(f.id)->status, "pending");
}

TEST_P(ApprovalFlowTest, TemplatesAreChecked) {
  EXPECT_EQ(flows_->put_template({"x", {}}, "admin").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->put_template({"x", {{1, "a", {{"nimeni"}, "", ""}}}}, "admin").error().code,
            ErrorCode::not_found);
  EXPECT_EQ(flows_->put_template({"x", {{1, "a", {{}, "sef", ""}}}}, "admin").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->put_template({"x", {{1, "a", {{"sef"}, "", ""}}, {3, "b", {{"sef"}, "", ""}}}}, "admin")
                .error()
                .code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->start(document_, std::string("necunoscut"), "autor").error().code, ErrorCode::not_found);
}

TEST_P(ApprovalFlowTest, DelegationDatesAreChecked) {
  EXPECT_EQ(flows_->delegate({"sef", "sef", "2026-11-22", "2026-11-30"}, "sef").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->delegate({"sef", "adjunct", "2026-11-30", "2026-11-22"}, "sef").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->delegate({"sef", "adjunct", "2026-11-01", "2026-11-21"}, "sef").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(flows_->delegate({"sef", "nimeni", "2026-11-22", "2026-11-30"}, "sef").error().code,
            ErrorCode::not_found);
  EXPECT_EQ(flows_->delegate({"sef", "adjunct", "22.11.2026", "2026-11-30"}, "sef").error().code,
            ErrorCode::invalid_argument);
}

TEST_P(ApprovalFlowTest, ListsRolesAndTemplatesAndTakesARoleAway) {
  ASSERT_TRUE(store_->add_role("jurist", "sef", "Urbanism", "admin").ok());
  auto roles = store_->roles("jurist");
  ASSERT_TRUE(roles.ok());
  ASSERT_EQ(roles->size(), 2u);
  EXPECT_EQ((*roles)[0].role, "consilier");
  EXPECT_EQ((*roles)[1].department, "Urbanism");
  ASSERT_TRUE(store_->remove_role("jurist", "sef", "Urbanism", "admin").ok());
  EXPECT_EQ(store_->roles("jurist")->size(), 1u);
  EXPECT_EQ(store_->remove_role("jurist", "sef", "Urbanism", "admin").error().code, ErrorCode::not_found);
  auto trail = archive_->catalog().audit_trail(std::nullopt);
  EXPECT_EQ(trail->back().action, "user.role.remove");
  ASSERT_TRUE(flows_->put_template({"aviz", {{1, "aprobare", {{"sef"}, "", ""}}}}, "admin").ok());
  auto templates = store_->templates();
  ASSERT_TRUE(templates.ok());
  ASSERT_EQ(templates->size(), 2u);
  EXPECT_EQ((*templates)[0].kind, "aviz");
  EXPECT_EQ((*templates)[1].steps.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, ApprovalFlowTest,
    ::testing::Values(
        ApprovalFlowTestBackend{"sqlite", [](const ArchiveStore& archive,
                                             const Clock& clock) { return open_flow_store(archive, clock); }},
        ApprovalFlowTestBackend{
            "postgresql",
            [](const ArchiveStore& archive, const Clock& clock) { return open_flow_store(archive, clock); },
            [] {
              return std::optional<CatalogLocation>(CatalogLocation{
                  CatalogLocation::Engine::postgresql, testing::PostgresServer::shared().create_database()});
            }}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace dosar::workflow
