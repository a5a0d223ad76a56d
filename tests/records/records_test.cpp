// Records management over a real archive (records/records.cpp, sheet.cpp,
// inventory.cpp, storage/sqlite_records_store.cpp): nomenclator versions,
// dossiers, closing, retention, holds, lawful disposal, the sheet and the
// inventory (issue 10).
#include "records/records.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/cnp.h"
#include "ingest/pdf_text.h"
#include "records/preservation.h"
#include "storage/fixity_store.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"

namespace dosar::records {
namespace {

namespace fs = std::filesystem;

class SettableClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return now_; }
  // Noon UTC of an ISO date.
  void set(const std::string& date) {
    std::tm t{};
    std::sscanf(date.c_str(), "%4d-%2d-%2d", &t.tm_year, &t.tm_mon, &t.tm_mday);
    t.tm_year -= 1900;
    t.tm_mon -= 1;
    t.tm_hour = 12;
    now_ = std::chrono::system_clock::from_time_t(timegm(&t));
  }

 private:
  std::chrono::system_clock::time_point now_;
};

const std::string kNomenclator =
    "department,code,title,retention,remarks\n"
    "Secretariat,I-1,Hotărâri ale consiliului,permanent,\n"
    "Asistență socială,II-1,Anchete sociale,10,\n"
    "Registratură,III-1,Corespondență,3,\n";

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.set("2025-03-10");
    archive_ = std::move(ArchiveStore::create(dir_ / "archive", clock_).value());
    records_ = std::move(Records::open(*archive_, clock_).value());
  }

  void approve(int year, const std::string& csv = kNomenclator) {
    testing::write_file(dir_ / "n.csv", csv);
    ASSERT_TRUE(records_->import_nomenclator(dir_ / "n.csv", year, "arhivar").ok());
    ASSERT_TRUE(records_->approve_nomenclator(year, "AN 123/2025", "arhivar").ok());
  }

  // A document with its own original and, when given, a text blob (shared
  // with any other document of the same text).
  DocumentId add_document(const std::string& original, const std::string& text = "", int pages = 2) {
    return archive_->catalog()
        .create_document_unless_duplicate(new_document(original, text, pages), "test")
        .value()
        .document.id;
  }

  // What add_document creates, with its blobs stored but not yet referenced.
  NewDocument new_document(const std::string& original, const std::string& text = "", int pages = 2) {
    auto blob = archive_->blobs().put(original).value();
    NewDocument d;
    d.title = "Document " + original.substr(0, 12);
    d.department = "Asistență socială";
    d.document_type = "ancheta";
    d.first_version.original_blob_id = blob.id;
    d.first_version.original_name = "doc.pdf";
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = original.size();
    d.first_version.page_count = pages;
    if (!text.empty()) {
      auto t = archive_->blobs().put(text).value();
      d.first_version.derived.push_back({"text", t.id, t.size, "text/plain"});
    }
    return d;
  }

  std::string blob_of(DocumentId id) { return archive_->catalog().version(id, 1).value().original_blob_id; }
  bool has_blob(const std::string& blob) { return archive_->blobs().contains(blob).value(); }

  fs::path protocol() {
    fs::path file = dir_ / "proces-verbal.pdf";
    testing::write_file(file, testing::make_text_pdf({"Proces verbal de selectionare"}));
    return file;
  }

  // Files two documents in II-1/2025 and one in I-1/2025, closes 2025, moves to 2036.
  void closed_year_with_due_dossier() {
    approve(2025);
    a_ = add_document("%PDF-1.4 anchetă A", "text comun");
    b_ = add_document("%PDF-1.4 anchetă B", "text B", 3);
    p_ = add_document("%PDF-1.4 hotărâre", "text P");
    ASSERT_TRUE(records_->assign(a_, "II-1", "clerk").ok());
    ASSERT_TRUE(records_->assign(b_, "II-1", "clerk").ok());
    ASSERT_TRUE(records_->assign(p_, "I-1", "clerk").ok());
    clock_.set("2026-01-05");
    ASSERT_TRUE(records_->close_year(2025, CloseMode::year_over, "arhivar").ok());
    clock_.set("2036-01-01");
  }

  testing::TempDir dir_;
  SettableClock clock_;
  std::unique_ptr<ArchiveStore> archive_;
  std::unique_ptr<Records> records_;
  DocumentId a_ = 0, b_ = 0, p_ = 0;
};

TEST_F(RecordsTest, ImportMakesADraftThatApprovalFreezes) {
  testing::write_file(dir_ / "n.csv", kNomenclator);
  auto draft = records_->import_nomenclator(dir_ / "n.csv", 2025, "arhivar");
  ASSERT_TRUE(draft.ok()) << draft.error().to_string();
  EXPECT_EQ(draft->state, "draft");
  EXPECT_EQ(draft->version, 1);
  EXPECT_EQ(draft->entries.size(), 3u);
  auto approved = records_->approve_nomenclator(2025, "AN 123/2025", "sef");
  ASSERT_TRUE(approved.ok()) << approved.error().to_string();
  EXPECT_EQ(approved->state, "approved");
  EXPECT_EQ(approved->approved_by, "sef");
  EXPECT_EQ(approved->reference, "AN 123/2025");
  EXPECT_FALSE(approved->approved_at.empty());
  auto again = records_->approve_nomenclator(2025, "x", "sef");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::not_found);
}

TEST_F(RecordsTest, ReimportOfAnApprovedYearIsANewVersionAndTheOldOneStaysReadable) {
  approve(2025);
  testing::write_file(dir_ / "v2.csv", kNomenclator + "Juridic,IV-1,Contracte,5,\n");
  auto v2 = records_->import_nomenclator(dir_ / "v2.csv", 2025, "arhivar");
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->state, "draft");
  auto v1 = records_->nomenclator(2025, 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->state, "approved");
  EXPECT_EQ(v1->entries.size(), 3u);
  // Until version 2 is approved, codes come from version 1.
  EXPECT_FALSE(records_->approved_code("IV-1", 2025).ok());
  ASSERT_TRUE(records_->approve_nomenclator(2025, "AN 200/2025", "sef").ok());
  EXPECT_TRUE(records_->approved_code("IV-1", 2025).ok());
  EXPECT_EQ(records_->nomenclator(2025, 1)->entries.size(), 3u);
}

TEST_F(RecordsTest, ReimportOfADraftReplacesIt) {
  testing::write_file(dir_ / "n.csv", kNomenclator);
  ASSERT_TRUE(records_->import_nomenclator(dir_ / "n.csv", 2025, "arhivar").ok());
  testing::write_file(dir_ / "n2.csv", "department,code,title,retention,remarks\nS,X-1,T,5,\n");
  auto again = records_->import_nomenclator(dir_ / "n2.csv", 2025, "arhivar");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 1);
  EXPECT_EQ(again->entries.size(), 1u);
}

TEST_F(RecordsTest, BadImportStoresNothing) {
  testing::write_file(dir_ / "bad.csv", kNomenclator + "Secretariat,I-1,Din nou,5,\n");
  auto bad = records_->import_nomenclator(dir_ / "bad.csv", 2025, "arhivar");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 5"), std::string::npos) << bad.error().to_string();
  EXPECT_EQ(records_->nomenclator(2025, 0).error().code, ErrorCode::not_found);
  EXPECT_EQ(archive_->catalog().audit_trail(std::nullopt)->size(), 0u);
}

TEST_F(RecordsTest, CodeOutsideTheApprovedNomenclatorIsRefused) {
  DocumentId id = add_document("%PDF-1.4 x");
  auto not_approved = records_->assign(id, "II-1", "clerk");
  ASSERT_FALSE(not_approved.ok());
  EXPECT_NE(not_approved.error().message.find("not approved"), std::string::npos);
  approve(2025);
  auto unknown = records_->assign(id, "IX-9", "clerk");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_TRUE(records_->dossiers(2025)->empty());
  // The nomenclator of another year does not count: the document entered in 2025.
  approve(2026, "department,code,title,retention,remarks\nS,IX-9,T,5,\n");
  EXPECT_FALSE(records_->assign(id, "IX-9", "clerk").ok());
}

TEST_F(RecordsTest, FirstDocumentOpensTheDossier) {
  approve(2025);
  DocumentId id = add_document("%PDF-1.4 x");
  ASSERT_TRUE(records_->assign(id, "II-1", "clerk").ok());
  auto dossiers = records_->dossiers(2025);
  ASSERT_EQ(dossiers->size(), 1u);
  EXPECT_EQ((*dossiers)[0].code, "II-1");
  EXPECT_EQ((*dossiers)[0].state, "open");
  EXPECT_EQ((*dossiers)[0].title, "Anchete sociale");
  EXPECT_EQ((*dossiers)[0].department, "Asistență socială");
  EXPECT_EQ((*dossiers)[0].retention_years, 10);
}

TEST_F(RecordsTest, CloseYearIsRefusedBeforeTheYearIsOverUnlessForced) {
  approve(2025);
  ASSERT_TRUE(records_->assign(add_document("%PDF-1.4 x"), "II-1", "clerk").ok());
  clock_.set("2025-12-31");
  auto early = records_->close_year(2025, CloseMode::year_over, "arhivar");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::conflict);
  EXPECT_EQ(records_->dossiers(2025)->at(0).state, "open");
  auto forced = records_->close_year(2025, CloseMode::force, "arhivar");
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->size(), 1u);
}

TEST_F(RecordsTest, ClosingComputesExtremeDatesDocumentsAndPages) {
  approve(2025);
  DocumentId first = add_document("%PDF-1.4 a", "", 2);
  clock_.set("2025-11-20");
  DocumentId second = add_document("%PDF-1.4 b", "", 5);
  ASSERT_TRUE(records_->assign(first, "II-1", "clerk").ok());
  ASSERT_TRUE(records_->assign(second, "II-1", "clerk").ok());
  clock_.set("2026-01-02");
  auto closed = records_->close_year(2025, CloseMode::year_over, "arhivar");
  ASSERT_TRUE(closed.ok());
  auto all = records_->dossiers(2025);
  const Dossier& d = all->at(0);
  EXPECT_EQ(d.state, "closed");
  EXPECT_EQ(d.first_date, "2025-03-10");
  EXPECT_EQ(d.last_date, "2025-11-20");
  EXPECT_EQ(d.documents, 2);
  EXPECT_EQ(d.pages, 7);
  EXPECT_EQ(extreme_dates(d), "10.03.2025 - 20.11.2025");
}

TEST_F(RecordsTest, ClosedDossierTakesNoDocumentUntilReopenedWithAReason) {
  approve(2025);
  ASSERT_TRUE(records_->assign(add_document("%PDF-1.4 a"), "II-1", "clerk").ok());
  DocumentId late = add_document("%PDF-1.4 late");
  ASSERT_TRUE(records_->close_year(2025, CloseMode::force, "arhivar").ok());
  auto refused = records_->assign(late, "II-1", "clerk");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_FALSE(records_->reopen("II-1/2025", "", "arhivar").ok());
  ASSERT_TRUE(records_->reopen("II-1/2025", "document găsit târziu", "arhivar").ok());
  EXPECT_TRUE(records_->assign(late, "II-1", "clerk").ok());
  EXPECT_EQ(records_->dossiers(2025)->at(0).reopen_reason, "document găsit târziu");
}

TEST_F(RecordsTest, ApprovalHoldsAndDisposalNeedTheirReferenceReasonAndDecision) {
  closed_year_with_due_dossier();
  testing::write_file(dir_ / "n.csv", kNomenclator);
  ASSERT_TRUE(records_->import_nomenclator(dir_ / "n.csv", 2036, "arhivar").ok());
  EXPECT_EQ(records_->approve_nomenclator(2036, "", "sef").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(records_->nomenclator(2036, 0)->state, "draft");
  EXPECT_EQ(records_->add_hold("II-1/2025", "", "juridic").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(records_->add_hold("II-1/25", "x", "juridic").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(records_->add_hold("IX-1/2025", "x", "juridic").error().code, ErrorCode::not_found);
  EXPECT_EQ(records_->add_hold("999", "x", "juridic").error().code, ErrorCode::not_found);
  EXPECT_TRUE(records_->holds()->empty());
  EXPECT_EQ(records_->dispose({"II-1/2025"}, "", protocol(), "arhivar").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(records_->dispose({"II-1/2025"}, "Decizia 5", dir_ / "absent.pdf", "arhivar").error().code,
            ErrorCode::not_found);
  EXPECT_TRUE(has_blob(blob_of(a_)));
  EXPECT_EQ(records_->dossiers(2025)->at(0).state, "closed");
}

TEST_F(RecordsTest, RetentionEndsOnFirstJanuaryAfterTheYearPlusTheTerm) {
  Dossier d;
  d.year = 2025;
  d.retention_years = 10;
  EXPECT_EQ(retention_end(d), "2036-01-01");
  d.retention_years.reset();
  EXPECT_FALSE(retention_end(d));
}

TEST_F(RecordsTest, DueListsClosedDossiersWhoseTermHasEnded) {
  closed_year_with_due_dossier();
  auto before = records_->due("2035-12-31");
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
  auto due = records_->due("2036-01-01");
  ASSERT_EQ(due->size(), 1u);  // the permanent I-1 never is
  EXPECT_EQ(due->at(0).code, "II-1");
  EXPECT_FALSE(records_->due("2036-13-01").ok());
}

TEST_F(RecordsTest, DisposalIsRefusedWholeNamingEveryIneligibleDossier) {
  closed_year_with_due_dossier();
  DocumentId open_doc = add_document("%PDF-1.4 open");  // entered in 2036
  approve(2036);
  ASSERT_TRUE(records_->assign(open_doc, "III-1", "clerk").ok());
  auto refused = records_->dispose({"II-1/2025", "I-1/2025", "III-1/2036", "X-1/2025"}, "Decizia 5/2036",
                                   protocol(), "arhivar");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  const std::string& m = refused.error().message;
  EXPECT_NE(m.find("I-1/2025 is kept permanently"), std::string::npos) << m;
  EXPECT_NE(m.find("III-1/2036 is open"), std::string::npos) << m;
  EXPECT_NE(m.find("X-1/2025 does not exist"), std::string::npos) << m;
  EXPECT_TRUE(has_blob(blob_of(a_)));
  EXPECT_EQ(archive_->catalog().documents()->size(), 4u) << "the protocol was not stored";
}

TEST_F(RecordsTest, DisposalBeforeTheTermEndsIsRefused) {
  closed_year_with_due_dossier();
  clock_.set("2035-12-31");
  auto refused = records_->dispose({"II-1/2025"}, "Decizia 5", protocol(), "arhivar");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("not due until 2036-01-01"), std::string::npos);
  EXPECT_TRUE(has_blob(blob_of(a_)));
}

TEST_F(RecordsTest, HoldOnADossierOrOneOfItsDocumentsBlocksDisposal) {
  closed_year_with_due_dossier();
  ASSERT_TRUE(records_->add_hold("II-1/2025", "litigiu 123/2035", "juridic").ok());
  EXPECT_FALSE(records_->add_hold("II-1/2025", "again", "juridic").ok());
  auto held = records_->dispose({"II-1/2025"}, "Decizia 5", protocol(), "arhivar");
  ASSERT_FALSE(held.ok());
  EXPECT_NE(held.error().message.find("legal hold (litigiu 123/2035)"), std::string::npos);
  ASSERT_TRUE(records_->remove_hold("II-1/2025", "litigiu încheiat", "juridic").ok());
  ASSERT_TRUE(records_->add_hold(std::to_string(b_), "cerere DNA", "juridic").ok());
  auto document_held = records_->dispose({"II-1/2025"}, "Decizia 5", protocol(), "arhivar");
  ASSERT_FALSE(document_held.ok());
  EXPECT_NE(document_held.error().message.find("holds document " + std::to_string(b_)), std::string::npos);
  EXPECT_TRUE(has_blob(blob_of(a_)));
  EXPECT_EQ(records_->holds()->size(), 1u);
  EXPECT_FALSE(records_->add_hold("nu-e-tinta", "x", "juridic").ok());
  EXPECT_FALSE(records_->remove_hold("I-1/2025", "x", "juridic").ok());
}

TEST_F(RecordsTest, DisposalRemovesContentButKeepsSharedBlobsSheetsProtocolAndAudit) {
  closed_year_with_due_dossier();
  // p_ (permanent dossier) shares a_'s text blob: it must survive.
  DocumentId sharing = add_document("%PDF-1.4 shares text", "text comun");
  const std::string a_original = blob_of(a_);
  const std::string shared_text = archive_->catalog().version(a_, 1)->derived.at(0).blob_id;
  const std::string b_text = archive_->catalog().version(b_, 1)->derived.at(0).blob_id;
  auto disposal = records_->dispose({"II-1/2025"}, "Decizia 5/2036", protocol(), "arhivar");
  ASSERT_TRUE(disposal.ok()) << disposal.error().to_string();
  EXPECT_EQ(disposal->documents.size(), 2u);
  EXPECT_FALSE(has_blob(a_original));
  EXPECT_FALSE(has_blob(b_text));
  EXPECT_TRUE(has_blob(shared_text)) << "still referenced by document " << sharing;
  EXPECT_TRUE(has_blob(blob_of(p_)));
  EXPECT_EQ(archive_->catalog().document(a_)->status, "disposed");
  EXPECT_EQ(records_->dossiers(2025)->at(0).state, "disposed");

  auto protocol_record = records_->store().document_record(disposal->protocol_document);
  EXPECT_TRUE(protocol_record->permanent);
  EXPECT_TRUE(has_blob(blob_of(disposal->protocol_document)));
  auto sheet = records_->sheet(a_);
  ASSERT_TRUE(sheet.ok()) << sheet.error().to_string();
  EXPECT_NE(sheet->disposed.find("disposed on 2036-01-01 by decision \"Decizia 5/2036\""), std::string::npos)
      << sheet->disposed;
  auto note = records_->disposal_note(a_);
  ASSERT_TRUE(note->has_value());
  EXPECT_EQ(records_->store().disposal(disposal->id)->documents.size(), 2u) << "the destruction list";

  auto report = check_archive(*archive_, CheckDepth::full, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->has_errors());
  for (const auto& f : report->findings) ADD_FAILURE() << f.subject << ": " << f.message;
  EXPECT_EQ(report->expected_absent, 4u);
  // Fixity over time leaves disposed blobs alone: not due, not counted.
  auto fixity = open_fixity_store(*archive_);
  ASSERT_TRUE(fixity.ok());
  auto due = (*fixity)->due_blobs("9999-12-31T00:00:00.000000Z", 1000);
  ASSERT_TRUE(due.ok()) << due.error().to_string();
  EXPECT_EQ(std::count(due->begin(), due->end(), a_original), 0) << "a disposed blob is never sampled";
  EXPECT_EQ(std::count(due->begin(), due->end(), shared_text), 1);
  EXPECT_EQ(*(*fixity)->referenced_blob_count(), due->size());
  EXPECT_TRUE(archive_->catalog().verify_audit_chain()->empty());
  EXPECT_FALSE(archive_->catalog().audit_trail(a_)->empty());
  NewVersion v;
  v.original_blob_id = blob_of(p_);
  v.original_name = "again.pdf";
  v.mime_type = "application/pdf";
  EXPECT_EQ(archive_->catalog().add_version(a_, v, "clerk").error().code, ErrorCode::conflict);
  // Disposing of it twice is refused.
  EXPECT_FALSE(records_->dispose({"II-1/2025"}, "Decizia 6", protocol(), "arhivar").ok());
}

TEST_F(RecordsTest, InterruptedUnlinkIsCompletedLater) {
  closed_year_with_due_dossier();
  DocumentId protocol_id = add_document("%PDF-1.4 protocol");
  // The catalogue commit of a disposal, then a crash before any unlink.
  ASSERT_TRUE(records_->store().dispose({{"II-1", 2025}}, "Decizia 5", protocol_id, "arhivar").ok());
  EXPECT_TRUE(has_blob(blob_of(a_)));
  auto report = check_archive(*archive_, CheckDepth::quick, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->has_errors());
  bool pending_noted = false;
  for (const auto& f : report->findings)
    pending_noted |= f.message.find("removal is pending") != std::string::npos;
  EXPECT_TRUE(pending_noted);
  auto removed = records_->finish_disposals();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 4u);
  EXPECT_FALSE(has_blob(blob_of(a_)));
  EXPECT_EQ(*records_->finish_disposals(), 0u);
}

TEST_F(RecordsTest, BytesOfADisposedDocumentStoredAgainMakeANewDocumentThatKeepsThem) {
  closed_year_with_due_dossier();
  const std::string bytes = "%PDF-1.4 anchetă A";
  ASSERT_TRUE(records_->dispose({"II-1/2025"}, "Decizia 5", protocol(), "arhivar").ok());
  DocumentId again = add_document(bytes);
  EXPECT_NE(again, a_);
  EXPECT_TRUE(has_blob(blob_of(again)));
  EXPECT_EQ(*records_->finish_disposals(), 0u);
  EXPECT_TRUE(has_blob(blob_of(again)));
  EXPECT_FALSE(check_archive(*archive_, CheckDepth::full, nullptr)->has_errors());
}

// A writer that found the bytes of a disposed document present (and so did
// not store them) races with the unlink of a disposal: either its document
// keeps the blob, or it is refused and nothing refers to a missing blob.
TEST_F(RecordsTest, BytesStoredAgainWhileADisposalUnlinksAreKeptOrRefusedNeverLeftDangling) {
  closed_year_with_due_dossier();
  DocumentId protocol_id = add_document("%PDF-1.4 protocol");
  ASSERT_TRUE(records_->store().dispose({{"II-1", 2025}}, "Decizia 5", protocol_id, "arhivar").ok());
  const std::string blob_a = blob_of(a_), blob_b = blob_of(b_);

  // A: the writer commits before the unlink: the blob stays, live again.
  NewDocument again_a = new_document("%PDF-1.4 anchetă A");
  EXPECT_TRUE(archive_->blobs().contains(blob_a).value());
  DocumentId kept = archive_->catalog().create_document_unless_duplicate(again_a, "test").value().document.id;
  // B: the writer found the blob present, then the disposal unlinked it.
  NewDocument again_b = new_document("%PDF-1.4 anchetă B");
  const std::size_t documents_before = archive_->catalog().documents()->size();
  auto removed = records_->finish_disposals();
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_TRUE(has_blob(blob_a));
  EXPECT_FALSE(has_blob(blob_b));
  auto refused = archive_->catalog().create_document_unless_duplicate(again_b, "test");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::not_found);
  EXPECT_NE(refused.error().message.find("disposal"), std::string::npos) << refused.error().message;
  EXPECT_EQ(archive_->catalog().documents()->size(), documents_before);
  EXPECT_FALSE(check_archive(*archive_, CheckDepth::full, nullptr)->has_errors());

  // Stored again, the bytes are a live blob: not counted as disposed, so
  // fixity samples them and a later disposal run leaves them alone.
  DocumentId stored = add_document("%PDF-1.4 anchetă B");
  EXPECT_TRUE(has_blob(blob_b));
  auto disposed = records_->store().disposed_blobs().value();
  EXPECT_EQ(disposed.count(blob_a), 0u);
  EXPECT_EQ(disposed.count(blob_b), 0u);
  EXPECT_EQ(*records_->finish_disposals(), 0u);
  EXPECT_TRUE(has_blob(blob_of(kept)));
  EXPECT_TRUE(has_blob(blob_of(stored)));
  EXPECT_FALSE(check_archive(*archive_, CheckDepth::full, nullptr)->has_errors());
}

// Issue 12: whatever field a CNP is written in, sheet_texts names it, so
// `records sheet` masks it everywhere it prints (fields and history).
TEST_F(RecordsTest, SheetTextsHoldEveryFieldACnpCanBeSetIn) {
  DocumentId id = add_document("%PDF-1.7\nsheet texts");
  const std::string cnp = "1800101400016";
  for (const std::string& field : records::settable_sheet_fields()) {
    if (field == "issue-date") continue;  // a date, no text
    ASSERT_TRUE(records_->set_sheet_field(id, field, "CNP " + cnp, "arhivar").ok()) << field;
  }
  auto sheet = records_->sheet(id);
  ASSERT_TRUE(sheet.ok()) << sheet.error().to_string();
  for (std::string* text : records::sheet_texts(*sheet)) *text = dosar::mask_cnps(*text);
  for (const auto& [name, value] : records::sheet_entries(*sheet))
    EXPECT_EQ(value.find(cnp), std::string::npos) << name << ": " << value;
  for (const AuditRecord& a : sheet->history) EXPECT_EQ(a.detail.find(cnp), std::string::npos) << a.detail;
  EXPECT_NE(sheet->keywords.find("CNP 1********0016"), std::string::npos);
}

TEST_F(RecordsTest, SheetShowsWhatDosarKnowsAndSettableFields) {
  approve(2025);
  DocumentId id = add_document(
      "%PDF-1.7\n<x:xmpmeta><rdf:Description pdfaid:part=\"2\" pdfaid:conformance=\"B\"/></x:xmpmeta>");
  DocumentId plain = add_document("%PDF-1.6\nnothing");
  ASSERT_TRUE(records_->assign(id, "II-1", "clerk").ok());
  ASSERT_TRUE(records_->set_sheet_field(id, "paper-location", "Depozit 2, raft 4", "arhivar").ok());
  ASSERT_TRUE(records_->set_sheet_field(id, "keywords", "anchetă, alocație", "arhivar").ok());
  EXPECT_EQ(records_->set_sheet_field(id, "colour", "x", "arhivar").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(records_->set_sheet_field(id, "issue-date", "31.02.2025", "arhivar").error().code,
            ErrorCode::invalid_argument);
  auto sheet = records_->sheet(id);
  ASSERT_TRUE(sheet.ok()) << sheet.error().to_string();
  EXPECT_EQ(sheet->format, "PDF/A-2b (PDF 1.7)");
  EXPECT_EQ(records_->sheet(plain)->format, "PDF 1.6");
  EXPECT_EQ(sheet->paper_location, "Depozit 2, raft 4");
  EXPECT_EQ(sheet->keywords, "anchetă, alocație");
  EXPECT_EQ(sheet->issuer, "Asistență socială");
  EXPECT_EQ(sheet->document_type, "ancheta");
  EXPECT_EQ(sheet->classification, "internal");
  EXPECT_EQ(sheet->archiving_date, "2025-03-10");
  EXPECT_EQ(sheet->file_code, "II-1/2025");
  EXPECT_EQ(sheet->retention, "10 years");
  EXPECT_EQ(sheet->unique_id.rfind("dosar:document:" + std::to_string(id) + ":sha256:", 0), 0u);
  ASSERT_GE(sheet->history.size(), 4u);
  EXPECT_EQ(sheet->history.front().action, "document.create");
  EXPECT_EQ(sheet->history.back().action, "sheet.set");
  EXPECT_EQ(sheet->last_verified, "") << "never rehashed yet";
  auto fixity = open_fixity_store(*archive_);
  ASSERT_TRUE(fixity.ok());
  auto checked = records::check_and_record(*archive_, **fixity, CheckDepth::full, nullptr, "arhivar");
  ASSERT_TRUE(checked.ok()) << checked.error().to_string();
  auto verified = records_->sheet(id)->last_verified;
  EXPECT_FALSE(verified.empty()) << "the sheet shows when the document was last verified";
  EXPECT_EQ(verified, *(*fixity)->last_verified(id));
}

TEST_F(RecordsTest, InventoryListsTheYearsDossiersAsCsvAndPdf) {
  closed_year_with_due_dossier();
  auto lines = records_->inventory(2025, "");
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  std::string csv = inventory_csv(*lines);
  EXPECT_NE(
      csv.find("nr_crt,indicativ,continut,compartiment,date_extreme,documente,file,termen_pastrare,stare\n"),
      std::string::npos);
  EXPECT_NE(csv.find("1,II-1/2025,Anchete sociale,Asistență socială,10.03.2025 - 10.03.2025,2,5,10,closed\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(records_->inventory(2025, "Secretariat")->size(), 1u);

  ASSERT_TRUE(write_inventory(*lines, 2025, "", dir_ / "inv.csv").ok());
  EXPECT_EQ(testing::read_file(dir_ / "inv.csv"), csv);
  ASSERT_TRUE(write_inventory(*lines, 2025, "", dir_ / "inv.pdf").ok());
  auto text = extract_pdf_text(dir_ / "inv.pdf", "inv.pdf", PdfLimits{});
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_NE(text->text.find("Conținutul pe scurt"), std::string::npos) << text->text;
  EXPECT_NE(text->text.find("Hotărâri ale consiliului"), std::string::npos) << text->text;
  EXPECT_FALSE(write_inventory(*lines, 2025, "", dir_ / "inv.txt").ok());
}

}  // namespace
}  // namespace dosar::records
