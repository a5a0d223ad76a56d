// The online submissions' store (storage/sqlite_submission_store.cpp, issue
// 11) on both catalogue engines (issue 13): each change writes its registry
// event and audit row in the transaction of the change, or nothing.
#include "storage/submission_store.h"

#include <gtest/gtest.h>

#include "storage/archive_store.h"
#include "storage/registry_store.h"
#include "tests/support/catalog_engines.h"
#include "workflow/registry.h"

namespace dosar {
namespace {

class SubmissionStoreTest : public testing::ArchiveOnEachEngine {
 protected:
  void SetUp() override {
    ArchiveOnEachEngine::SetUp();
    if (HasFatalFailure()) return;
    registry_store_ = std::move(open_registry_store(*archive_).value());
    registry_ = std::make_unique<workflow::Registry>(archive_->catalog(), *registry_store_);
    auto store = open_submission_store(*archive_);
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    store_ = std::move(store).value();
  }

  // An online request registered as forms/ registers it.
  RegistryEntry register_online() {
    workflow::Registration r;
    r.kind = "petitie";
    r.channel = "online";
    r.sender_name = "Ion Popescu";
    r.subject = "Cerere online";
    auto done = registry_->register_entry(r, "formular");
    EXPECT_TRUE(done.ok()) << done.error().to_string();
    return done.ok() ? done->entry : RegistryEntry{};
  }

  OnlineSubmission submission_of(const RegistryEntry& entry) {
    OnlineSubmission o;
    o.entry_id = entry.id;
    o.form_id = "cerere-ajutor";
    o.form_version = 2;
    o.notice_version = "2026-01";
    o.consent_at = "2026-11-22T08:00:00Z";
    o.answers = R"({"nume":"Ion Popescu"})";
    return o;
  }

  std::vector<RegistryEvent> history(const RegistryEntry& entry) {
    return registry_->find(workflow::EntryRef{entry.number, entry.register_name}).value().history;
  }

  std::size_t audit_rows() { return archive_->catalog().audit_trail(std::nullopt).value().size(); }

  std::unique_ptr<RegistryStore> registry_store_;
  std::unique_ptr<workflow::Registry> registry_;
  std::unique_ptr<SubmissionStore> store_;
};

TEST_P(SubmissionStoreTest, KeepsASubmissionAndRegistersAnIdempotencyKeyOnce) {
  const RegistryEntry entry = register_online();
  ASSERT_TRUE(store_->add(submission_of(entry), std::string("hash-1"), "formular").ok());
  auto kept = store_->submission(entry.id);
  ASSERT_TRUE(kept.ok()) << kept.error().to_string();
  EXPECT_EQ(kept->form_id, "cerere-ajutor");
  EXPECT_EQ(kept->form_version, 2);
  EXPECT_EQ(kept->answers, R"({"nume":"Ion Popescu"})");
  EXPECT_EQ(kept->verification, "to-verify");
  EXPECT_EQ(store_->entry_for_key("hash-1").value(), std::optional<RegistryEntryId>(entry.id));
  EXPECT_EQ(store_->entry_for_key("hash-2").value(), std::nullopt);
  EXPECT_EQ(archive_->catalog().audit_trail(std::nullopt).value().back().action, "forms.submission");

  const std::size_t rows = audit_rows();
  const RegistryEntry second = register_online();
  auto again = store_->add(submission_of(second), std::string("hash-1"), "formular");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(store_->submission(second.id).error().code, ErrorCode::not_found);
  EXPECT_EQ(audit_rows(), rows + 1);  // the second registration's row only
  OnlineSubmission nowhere = submission_of(entry);
  nowhere.entry_id = 999;
  EXPECT_EQ(store_->add(nowhere, std::nullopt, "formular").error().code, ErrorCode::not_found);
}

TEST_P(SubmissionStoreTest, VerificationMovesOnlyFromTheExpectedStateWithItsEvent) {
  const RegistryEntry first = register_online();
  const RegistryEntry second = register_online();
  ASSERT_TRUE(store_->add(submission_of(second), std::nullopt, "formular").ok());
  ASSERT_TRUE(store_->add(submission_of(first), std::nullopt, "formular").ok());
  auto waiting = store_->in_state("to-verify").value();
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].entry_id, first.id);  // oldest first
  EXPECT_TRUE(store_->to_notify().value().empty());

  ASSERT_TRUE(store_->set_verification(first.id, "to-verify", "accepted", "verified", "ok", "ana").ok());
  EXPECT_EQ(store_->submission(first.id)->verification, "accepted");
  EXPECT_EQ(history(first).back().event, "verified");
  EXPECT_EQ(history(first).back().note, "ok");
  EXPECT_EQ(archive_->catalog().audit_trail(std::nullopt).value().back().action, "forms.verified");

  const std::size_t events = history(first).size();
  auto stale = store_->set_verification(first.id, "to-verify", "spam", "spam", "", "dan");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::conflict);
  EXPECT_EQ(store_->submission(first.id)->verification, "accepted");
  EXPECT_EQ(history(first).size(), events);

  // The new event is one the citizen has not been mailed yet.
  auto notify = store_->to_notify().value();
  ASSERT_EQ(notify.size(), 1u);
  EXPECT_EQ(notify[0].entry_id, first.id);
  ASSERT_TRUE(store_->set_notified(first.id, history(first).back().seq).ok());
  EXPECT_TRUE(store_->to_notify().value().empty());
}

TEST_P(SubmissionStoreTest, AttachingAMissingDocumentChangesNothing) {
  const RegistryEntry entry = register_online();
  const DocumentId document = add_document("anexa", "%PDF-1.4 anexa");
  const std::size_t events = history(entry).size();
  const std::size_t rows = audit_rows();

  auto refused = store_->attach_documents(entry.id, {document, 999}, "formular");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::not_found);
  EXPECT_EQ(refused.error().subject, "document 999");
  EXPECT_TRUE(registry_->find({entry.number, entry.register_name})->documents.empty());
  EXPECT_EQ(history(entry).size(), events);
  EXPECT_EQ(audit_rows(), rows);

  ASSERT_TRUE(store_->attach_documents(entry.id, {document}, "formular").ok());
  EXPECT_EQ(registry_->find({entry.number, entry.register_name})->documents,
            std::vector<DocumentId>{document});
  EXPECT_EQ(history(entry).back().event, "documents-added");
  EXPECT_EQ(audit_rows(), rows + 1);
}

DOSAR_ON_BOTH_CATALOG_ENGINES(SubmissionStoreTest);

}  // namespace
}  // namespace dosar
