// The derivation queue of the catalogue: versions stored before their text,
// claimed by workers under a lease (storage/catalog.h, Derivation).
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <thread>

#include "base/sha256.h"
#include "storage/catalog.h"
#include "storage/sql_db.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

using std::chrono::seconds;

class SettableClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return at; }
  std::chrono::system_clock::time_point at = std::chrono::system_clock::time_point{} + seconds(1795000000);
};

NewDocument deferred_document(const std::string& content) {
  NewDocument d;
  d.title = content;
  d.first_version.original_blob_id = sha256_hex(content);
  d.first_version.original_name = content + ".pdf";
  d.first_version.mime_type = "application/pdf";
  d.first_version.size = content.size();
  d.first_version.page_count = 1;
  d.first_version.derivation_pending = true;
  return d;
}

// The catalogue under test: SQLite, or PostgreSQL on the tests' real server.
enum class Engine { sqlite, postgresql };

class DerivationQueueBase : public ::testing::Test {
 protected:
  // Opens the catalogue with two versions queued for derivation (documents 1 and 2).
  void open_queue(Engine engine) {
    engine_ = engine;
    if (engine == Engine::postgresql) uri_ = testing::PostgresServer::shared().create_database();
    auto opened = open_connection(OpenMode::create);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    catalog_ = std::move(opened).value();
    auto created = catalog_->create_documents_unless_duplicate(
        {deferred_document("unu"), deferred_document("doi"), deferred_document("unu")}, "ana");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    ASSERT_EQ(created->size(), 3u);
    EXPECT_TRUE((*created)[0].created);
    EXPECT_TRUE((*created)[1].created);
    EXPECT_FALSE((*created)[2].created) << "the same original twice in one batch is one document";
    EXPECT_EQ((*created)[2].document.id, (*created)[0].document.id);
  }

  // Another connection to the same catalogue, as another worker has.
  Result<std::unique_ptr<Catalog>> open_connection(OpenMode mode) {
    return engine_ == Engine::sqlite ? open_sqlite_catalog(dir_ / "catalog.sqlite", mode, clock_)
                                     : open_postgresql_catalog(uri_, mode, clock_);
  }

  Catalog::CompletedDerivation text_for(DocumentId id, const std::string& text) {
    Catalog::CompletedDerivation c{id, 1, {}};
    c.data.page_count = 1;
    c.data.derived.push_back({"text", sha256_hex(text), text.size(), "text/plain; charset=utf-8"});
    c.data.pages.push_back({1, "text-layer", std::nullopt, 0, 0});
    return c;
  }

  Engine engine_ = Engine::sqlite;
  std::string uri_;  // PostgreSQL
  testing::TempDir dir_;
  SettableClock clock_;
  std::unique_ptr<Catalog> catalog_;
};

class DerivationQueueTest : public DerivationQueueBase, public ::testing::WithParamInterface<Engine> {
 protected:
  void SetUp() override { open_queue(GetParam()); }
};

TEST_P(DerivationQueueTest, QueuesDeferredVersionsInOneBatchAndShowsTheirState) {
  auto queue = catalog_->derivations(true);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 2u);
  EXPECT_EQ((*queue)[0].state, "queued");
  EXPECT_EQ((*queue)[0].attempts, 0);
  EXPECT_EQ(catalog_->version(1, 1)->derivation_state, "queued");
  EXPECT_TRUE(catalog_->version(1, 1)->derived.empty());
}

TEST_P(DerivationQueueTest, CompletedDerivationAddsTextAuditRowAndIndexWork) {
  auto claimed = catalog_->claim_derivations("w1", 10, seconds(60), 3);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].state, "running");
  EXPECT_EQ((*claimed)[0].attempts, 1);
  auto index_before = catalog_->pending_index_work(100)->size();
  auto outcomes = catalog_->complete_derivations({text_for(1, "Cerere")}, "w1", "ana");
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().to_string();
  ASSERT_TRUE((*outcomes)[0].ok());
  auto v = catalog_->version(1, 1);
  EXPECT_EQ(v->derivation_state, "done");
  ASSERT_EQ(v->derived.size(), 1u);
  EXPECT_EQ(v->derived[0].blob_id, sha256_hex("Cerere"));
  ASSERT_EQ(v->pages.size(), 1u);
  EXPECT_EQ(catalog_->pending_index_work(100)->size(), index_before + 1);
  auto trail = catalog_->audit_trail(1);
  EXPECT_EQ(trail->back().action, "version.derive");
  EXPECT_TRUE(catalog_->verify_audit_chain()->empty());
  EXPECT_EQ(catalog_->derivations(true)->size(), 1u) << "only document 2 is left";
}

TEST_P(DerivationQueueTest, ClaimedDerivationIsNotClaimedTwiceWhileItsLeaseRuns) {
  ASSERT_EQ(catalog_->claim_derivations("w1", 1, seconds(60), 3)->size(), 1u);
  auto second = catalog_->claim_derivations("w2", 10, seconds(60), 3);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].document_id, 2) << "w2 gets the other one only";
  EXPECT_TRUE(catalog_->claim_derivations("w3", 10, seconds(60), 3)->empty());
}

TEST_P(DerivationQueueTest, DeadWorkersLeaseRunsOutAndItsWorkIsTakenOverOnce) {
  ASSERT_EQ(catalog_->claim_derivations("dead", 1, seconds(60), 3)->size(), 1u);
  clock_.at += seconds(30);
  ASSERT_TRUE(catalog_->record_derivation_progress(1, 1, "dead", 1, 4).ok()) << "heartbeat renews the lease";
  clock_.at += seconds(45);
  EXPECT_EQ(catalog_->claim_derivations("w2", 10, seconds(60), 3)->size(), 1u) << "only the queued one";
  clock_.at += seconds(61);
  auto taken = catalog_->claim_derivations("w3", 10, seconds(60), 3);
  ASSERT_EQ(taken->size(), 2u) << "both leases ran out";
  EXPECT_EQ((*taken)[0].attempts, 2);
  // The dead worker comes back: its result is refused, nothing stored twice.
  auto late = catalog_->complete_derivations({text_for(1, "late")}, "dead", "ana");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ((*late)[0].error().code, ErrorCode::conflict);
  EXPECT_EQ(catalog_->record_derivation_progress(1, 1, "dead", 2, 4).error().code, ErrorCode::conflict);
  EXPECT_TRUE(catalog_->version(1, 1)->derived.empty());
  EXPECT_TRUE((*catalog_->complete_derivations({text_for(1, "on time")}, "w3", "ana"))[0].ok());
}

TEST_P(DerivationQueueTest, DerivationThatKeepsKillingItsWorkerIsGivenUp) {
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto claimed = catalog_->claim_derivations("w", 1, seconds(60), 2);
    ASSERT_EQ(claimed->size(), 1u) << "attempt " << attempt;
    EXPECT_EQ(claimed->at(0).document_id, 1);
    clock_.at += seconds(61);
  }
  auto claimed = catalog_->claim_derivations("w", 1, seconds(60), 2);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->at(0).document_id, 2) << "three attempts died, the last alone: given up";
  auto failed = catalog_->version(1, 1);
  EXPECT_EQ(failed->derivation_state, "failed");
  auto all = catalog_->derivations(false);
  ASSERT_TRUE((*all)[0].error.has_value());
  EXPECT_NE((*all)[0].error->find("gave up after 3 attempts"), std::string::npos) << *(*all)[0].error;
  EXPECT_EQ(catalog_->audit_trail(1)->back().action, "version.derive-failed");
}

// A worker that dies holding a batch spends an attempt of every derivation
// in it; the one that killed it cannot be told from the others until it
// runs alone. Those that did not kill it are done on their last try.
TEST_P(DerivationQueueTest, LastTryIsAloneSoThatABatchIsNotFailedForOneBadFile) {
  for (int attempt = 1; attempt <= 2; ++attempt) {
    ASSERT_EQ(catalog_->claim_derivations("w", 10, seconds(60), 2)->size(), 2u) << "attempt " << attempt;
    clock_.at += seconds(61);
  }
  // A worker that holds something already does not take a last try beside it.
  ASSERT_TRUE(catalog_->create_documents_unless_duplicate({deferred_document("trei")}, "ana").ok());
  auto busy = catalog_->claim_derivations("busy", 10, seconds(600), 2);
  ASSERT_EQ(busy->size(), 1u);
  EXPECT_EQ(busy->at(0).document_id, 3);
  EXPECT_TRUE(catalog_->claim_derivations("busy", 10, seconds(60), 2)->empty());

  auto alone = catalog_->claim_derivations("w", 10, seconds(60), 2);
  ASSERT_EQ(alone->size(), 1u) << "a last try is the only derivation claimed";
  EXPECT_EQ(alone->at(0).document_id, 1);
  EXPECT_EQ(alone->at(0).attempts, 3);
  EXPECT_TRUE(catalog_->claim_derivations("w", 10, seconds(60), 2)->empty())
      << "its worker takes nothing else meanwhile";
  auto idle = catalog_->claim_derivations("idle", 10, seconds(60), 2);
  ASSERT_EQ(idle->size(), 1u);
  EXPECT_EQ(idle->at(0).document_id, 2) << "a worker holding nothing takes the other last try";
  EXPECT_TRUE((*catalog_->complete_derivations({text_for(1, "unu")}, "w", "ana"))[0].ok());
  EXPECT_TRUE((*catalog_->complete_derivations({text_for(2, "doi")}, "idle", "ana"))[0].ok());
  EXPECT_EQ(catalog_->version(1, 1)->derivation_state, "done");
  EXPECT_EQ(catalog_->version(2, 1)->derivation_state, "done");
}

TEST_P(DerivationQueueTest, FailureIsQueuedAgainOrFailedForGood) {
  ASSERT_EQ(catalog_->claim_derivations("w", 2, seconds(60), 3)->size(), 2u);
  ASSERT_TRUE(catalog_->fail_derivation(1, 1, "w", "spool full", Catalog::GiveBack::retry, "ana").ok());
  ASSERT_TRUE(
      catalog_->fail_derivation(2, 1, "w", "PDF cannot be opened", Catalog::GiveBack::failed, "ana").ok());
  EXPECT_EQ(catalog_->version(1, 1)->derivation_state, "queued");
  EXPECT_EQ(catalog_->version(2, 1)->derivation_state, "failed");
  auto again = catalog_->claim_derivations("w", 10, seconds(60), 3);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].document_id, 1);
  EXPECT_EQ((*again)[0].error, "spool full");
  EXPECT_EQ((*again)[0].attempts, 2) << "the failed attempt counted";
}

TEST_P(DerivationQueueTest, WorkerAskedToStopGivesItsWorkBackWithoutSpendingAnAttempt) {
  for (int restart = 0; restart < 5; ++restart) {
    auto claimed = catalog_->claim_derivations("server", 1, seconds(60), 3);
    ASSERT_EQ(claimed->size(), 1u) << "restart " << restart;
    ASSERT_TRUE(catalog_
                    ->fail_derivation(claimed->at(0).document_id, 1, "server", "stopped",
                                      Catalog::GiveBack::released, "ana")
                    .ok());
  }
  EXPECT_EQ(catalog_->derivations(true)->at(0).attempts, 0) << "five restarts of the server spent nothing";
  EXPECT_EQ(catalog_->derivations(true)->at(0).state, "queued");
}

// Bytes standing for a one-page PDF: binary, with a NUL byte (which a
// PostgreSQL text column could not hold as such).
std::string one_page_pdf(int index) {
  std::string bytes = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  bytes += std::string(1, '\0') + "page " + std::to_string(index + 1) + "\n%%EOF\n";
  return bytes;
}

// Issue 3: a page OCR has read is recorded at once, so that the worker
// that takes the derivation over starts at the next page.
DerivationPage page(int index, const std::string& text) {
  DerivationPage p;
  p.index = index;
  p.text = text;
  p.ocr_confidence = 91.5;
  p.rotated_degrees = 180;
  p.deskew_degrees = -0.5;
  p.page_pdf = one_page_pdf(index);
  return p;
}

TEST_P(DerivationQueueTest, RecordedPagesOutliveTheirWorkerAndAreReadOnce) {
  ASSERT_EQ(catalog_->claim_derivations("dead", 1, seconds(60), 3)->size(), 1u);
  ASSERT_TRUE(catalog_->record_derivation_pages(1, 1, "dead", {page(0, "Pagina 1")}, 1, 3).ok());
  ASSERT_TRUE(catalog_->record_derivation_pages(1, 1, "dead", {page(1, "Pagina 2")}, 2, 3).ok());
  clock_.at += seconds(61);
  auto taken = catalog_->claim_derivations("w2", 1, seconds(60), 3);
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].document_id, 1);
  auto queued = catalog_->derivation(1, 1);
  EXPECT_EQ((*queued)->pages_at_claim, 2) << "two pages resumed, not read again";
  EXPECT_EQ((*queued)->pages_recognized, 2);
  EXPECT_EQ((*queued)->claimed_at, format_utc(clock_.at));

  auto pages = catalog_->derivation_pages(1, 1);
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_EQ((*pages)[1].index, 1);
  EXPECT_EQ((*pages)[1].text, "Pagina 2");
  EXPECT_EQ((*pages)[1].ocr_confidence, 91.5);
  EXPECT_EQ((*pages)[1].rotated_degrees, 180);
  EXPECT_EQ((*pages)[1].deskew_degrees, -0.5);
  // Issue 13: its one-page PDF too, byte for byte, for a worker on another
  // machine (another spool) to assemble the searchable PDF from.
  EXPECT_EQ((*pages)[1].page_pdf, one_page_pdf(1));
  EXPECT_EQ((*pages)[1].worker, "dead");

  // The dead worker cannot record any more; a page is recorded once.
  EXPECT_EQ(catalog_->record_derivation_pages(1, 1, "dead", {page(2, "x")}, 3, 3).error().code,
            ErrorCode::conflict);
  auto twice = catalog_->record_derivation_pages(1, 1, "w2", {page(2, "Pagina 3"), page(1, "again")}, 3, 3);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  EXPECT_EQ(catalog_->derivation_pages(1, 1)->size(), 2u) << "nothing of the refused batch recorded";
  ASSERT_TRUE(catalog_->record_derivation_pages(1, 1, "w2", {page(2, "Pagina 3")}, 3, 3).ok());
  EXPECT_EQ((*catalog_->derivation(1, 1))->pages_recognized, 3);

  auto done = text_for(1, "Pagina 1\fPagina 2\fPagina 3");
  done.pages_resumed = 2;
  ASSERT_TRUE((*catalog_->complete_derivations({done}, "w2", "ana"))[0].ok());
  EXPECT_TRUE(catalog_->derivation_pages(1, 1)->empty()) << "the rows go with the derivation";
  EXPECT_EQ((*catalog_->derivation(1, 1))->pages_recognized, 3) << "each page recognized once";
  auto trail = catalog_->audit_trail(1);
  EXPECT_NE(trail->back().detail.find("\"pages_resumed\":2"), std::string::npos) << trail->back().detail;
}

TEST_P(DerivationQueueTest, FailedDerivationForgetsItsRecordedPages) {
  ASSERT_EQ(catalog_->claim_derivations("w", 1, seconds(60), 3)->size(), 1u);
  ASSERT_TRUE(catalog_->record_derivation_pages(1, 1, "w", {page(0, "Pagina 1")}, 1, 2).ok());
  ASSERT_TRUE(catalog_->fail_derivation(1, 1, "w", "broken", Catalog::GiveBack::retry, "ana").ok());
  EXPECT_EQ(catalog_->derivation_pages(1, 1)->size(), 1u) << "kept for the next attempt";
  ASSERT_EQ(catalog_->claim_derivations("w", 1, seconds(60), 3)->size(), 1u);
  ASSERT_TRUE(catalog_->fail_derivation(1, 1, "w", "broken", Catalog::GiveBack::failed, "ana").ok());
  EXPECT_TRUE(catalog_->derivation_pages(1, 1)->empty());
}

// Issue 13: workers claim from one queue at once, each with its own
// connection; none waits for another and none gets what another got.
TEST_P(DerivationQueueTest, ConcurrentClaimersTakeEveryDerivationExactlyOnce) {
  std::vector<NewDocument> more;
  for (int i = 0; i < 298; ++i) more.push_back(deferred_document("cerere " + std::to_string(i)));
  ASSERT_TRUE(catalog_->create_documents_unless_duplicate(more, "ana").ok());
  // A worker with a connection of its own claims a few at a time until it gets none.
  auto claim_until_empty = [&](const std::string& worker, std::vector<DocumentId>& taken) -> Status {
    auto catalog = open_connection(OpenMode::existing);
    if (!catalog.ok()) return catalog.error();
    for (;;) {
      auto claimed = (*catalog)->claim_derivations(worker, 7, seconds(60), 3);
      if (!claimed.ok()) return claimed.error();
      if (claimed->empty()) return {};
      for (const Derivation& d : *claimed) taken.push_back(d.document_id);
    }
  };
  constexpr int kWorkers = 4;
  std::vector<std::vector<DocumentId>> taken(kWorkers);
  std::vector<Status> outcomes(kWorkers);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] { outcomes[w] = claim_until_empty("w" + std::to_string(w), taken[w]); });
  for (std::thread& t : workers) t.join();
  std::map<DocumentId, int> claims;
  for (int w = 0; w < kWorkers; ++w) {
    EXPECT_TRUE(outcomes[w].ok()) << "worker " << w << ": " << outcomes[w].error().to_string();
    for (DocumentId id : taken[w]) ++claims[id];
  }
  EXPECT_EQ(claims.size(), 300u) << "every derivation claimed";
  for (const auto& [id, count] : claims) EXPECT_EQ(count, 1) << "document " << id;
  auto queue = catalog_->derivations(true);
  ASSERT_TRUE(queue.ok());
  for (const Derivation& d : *queue) {
    EXPECT_EQ(d.state, "running");
    EXPECT_EQ(d.attempts, 1) << "document " << d.document_id;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, DerivationQueueTest, ::testing::Values(Engine::sqlite, Engine::postgresql),
                         [](const auto& param_info) {
                           return param_info.param == Engine::sqlite ? "sqlite" : "postgresql";
                         });

// Issue 13: on PostgreSQL a claim locks only the rows it takes (FOR UPDATE
// SKIP LOCKED), not the catalogue's writer lock.
class PostgresClaimTest : public DerivationQueueBase {
 protected:
  void SetUp() override {
    open_queue(Engine::postgresql);
    auto other = sql::Database::open_postgresql(uri_);
    ASSERT_TRUE(other.ok()) << other.error().to_string();
    other_.emplace(std::move(other).value());
  }

  // Runs `call` in a thread and gives its outcome if it ends within
  // `within`; otherwise ends the other connection's transaction (so that the
  // call can end) and gives none.
  template <class Call>
  std::optional<std::invoke_result_t<Call>> within(std::chrono::seconds limit, Call call) {
    auto running = std::async(std::launch::async, call);
    if (running.wait_for(limit) == std::future_status::ready) return running.get();
    (void)other_->exec("ROLLBACK");
    running.wait();
    return std::nullopt;
  }

  // Waits until a session of this database waits for a lock another holds.
  bool session_waits_for_a_lock() {
    for (int tries = 0; tries < 1000; ++tries) {
      auto waiting = other_->prepare(
          "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
          "wait_event_type = 'Lock'");
      if (waiting.ok() && *waiting->step() && waiting->integer(0) > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::optional<sql::Database> other_;  // another session, as another machine's
};

TEST_F(PostgresClaimTest, ClaimSkipsDerivationsAnotherTransactionHoldsWithoutWaiting) {
  ASSERT_TRUE(other_->exec("BEGIN").ok());
  auto hold = other_->prepare("SELECT document_id FROM derivation_queue WHERE document_id = 1 FOR UPDATE");
  ASSERT_TRUE(hold.ok() && hold->run().ok());
  auto claimed = within(seconds(10), [&] { return catalog_->claim_derivations("w", 10, seconds(60), 3); });
  ASSERT_TRUE(claimed.has_value()) << "the claim waited for the row another transaction holds";
  ASSERT_TRUE(claimed->ok()) << claimed->error().to_string();
  ASSERT_EQ((*claimed)->size(), 1u);
  EXPECT_EQ((*claimed)->at(0).document_id, 2) << "the locked derivation is left for later";
  ASSERT_TRUE(other_->exec("ROLLBACK").ok());
  auto later = catalog_->claim_derivations("w2", 10, seconds(60), 3);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->at(0).document_id, 1);
}

TEST_F(PostgresClaimTest, ClaimDoesNotWaitForAWriterOfTheCatalogue) {
  auto writer = sql::Transaction::begin(*other_);  // as a registration in progress elsewhere
  ASSERT_TRUE(writer.ok()) << writer.error().to_string();
  auto claimed = within(seconds(10), [&] { return catalog_->claim_derivations("w", 10, seconds(60), 3); });
  ASSERT_TRUE(claimed.has_value()) << "the claim waited for the writer lock";
  ASSERT_TRUE(claimed->ok()) << claimed->error().to_string();
  EXPECT_EQ((*claimed)->size(), 2u);
}

// A heartbeat of the worker whose lease ran out, sent while another's claim
// takes the derivation over, waits for that claim and is refused: the old
// worker can neither renew nor finish what is no longer its.
TEST_F(PostgresClaimTest, HeartbeatDuringATakeoverWaitsForItAndIsRefused) {
  ASSERT_EQ(catalog_->claim_derivations("dead", 1, seconds(60), 3)->size(), 1u);
  // The takeover, not committed yet, as claim_derivations writes it.
  ASSERT_TRUE(other_
                  ->exec("BEGIN; UPDATE derivation_queue SET worker = 'w2', attempts = attempts + 1 "
                         "WHERE document_id = 1")
                  .ok());
  auto heartbeat = std::async(std::launch::async,
                              [&] { return catalog_->record_derivation_progress(1, 1, "dead", 1, 2); });
  EXPECT_TRUE(session_waits_for_a_lock()) << "the heartbeat did not wait for the takeover";
  ASSERT_TRUE(other_->exec("COMMIT").ok());
  Status beat = heartbeat.get();
  ASSERT_FALSE(beat.ok()) << "the old worker renewed a lease it no longer holds";
  EXPECT_EQ(beat.error().code, ErrorCode::conflict);
  auto done = catalog_->complete_derivations({text_for(1, "late")}, "dead", "ana");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ((*done)[0].error().code, ErrorCode::conflict);
  EXPECT_EQ((*catalog_->derivation(1, 1))->worker, "w2");
}

}  // namespace
}  // namespace dosar
