// The electronic beneficiary file over a real archive (persons/persons.cpp,
// suggestions.cpp, rights.cpp, storage/sqlite_persons_store.cpp): who may
// see a person, access records, masking, rectification history, households,
// the timeline, suggestions, the export and the erasure report (issue 12);
// on both catalogue engines (issue 13).
#include "persons/persons.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "records/records.h"
#include "tests/support/catalog_engines.h"
#include "tests/support/temp_dir.h"

namespace dosar::persons {
namespace {

constexpr const char* kIon = "1800101400016";
constexpr const char* kChild = "5000229520034";

class PersonsTest : public testing::ArchiveOnEachEngine {
 protected:
  void SetUp() override {
    ArchiveOnEachEngine::SetUp();
    if (HasFatalFailure()) return;
    add_user("ana", {"Asistență socială"}, true);    // case worker
    add_user("dan", {"Asistență socială"}, true);    // colleague in the department
    add_user("vlad", {"Asistență socială"}, false);  // same department, no restricted access
    add_user("maria", {"Urbanism"}, true);           // another department
    persons_ = std::move(Persons::open(*archive_).value());
  }

  void add_user(const std::string& name, std::vector<std::string> departments, bool restricted) {
    User u;
    u.name = name;
    u.departments = std::move(departments);
    u.restricted_access = restricted;
    ASSERT_TRUE(archive_->catalog().add_user(u, "admin").ok());
  }

  PersonId add_ion(const std::string& department = "") {
    NewPerson n;
    n.name = "Ion Popescu";
    n.cnp = kIon;
    n.address = "Str. Florilor 1, București";
    n.department = department;
    auto p = persons_->add(n, "ana");
    EXPECT_TRUE(p.ok()) << p.error().to_string();
    return p.ok() ? p->id : 0;
  }

  DocumentId add_document(const std::string& original, const std::string& text = "") {
    auto blob = archive_->blobs().put(original).value();
    NewDocument d;
    d.title = "Anchetă " + original.substr(0, 10);
    d.department = "Asistență socială";
    d.confidentiality = "restricted-personal-data";
    d.first_version.original_blob_id = blob.id;
    d.first_version.original_name = "ancheta.pdf";
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = original.size();
    if (!text.empty()) {
      auto t = archive_->blobs().put(text).value();
      d.first_version.derived.push_back({"text", t.id, t.size, "text/plain"});
    }
    return archive_->catalog().create_document_unless_duplicate(d, "test").value().document.id;
  }

  std::unique_ptr<Persons> persons_;
};

TEST_P(PersonsTest, AddsAPersonWithTheBirthDateOfTheCnp) {
  PersonId id = add_ion();
  auto file = persons_->show(id, "ana", "evaluare");
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(file->person.cnp, kIon);
  EXPECT_EQ(file->person.birth_date, "1980-01-01");
  EXPECT_EQ(file->person.id_type, "CNP");
}

TEST_P(PersonsTest, RefusesAnInvalidCnpAndStoresNothing) {
  NewPerson n;
  n.name = "Ion Popescu";
  n.cnp = "1800101400017";
  auto p = persons_->add(n, "ana");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(p.error().message.find("control digit"), std::string::npos);
  n.cnp = "1800230400013";
  EXPECT_EQ(persons_->add(n, "ana").error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(persons_->store().persons().value().empty());
}

TEST_P(PersonsTest, AcceptsAForeignIdentifierWithItsType) {
  NewPerson n;
  n.name = "John Smith";
  n.id_type = "pașaport";
  n.id_value = "X1234567";
  auto p = persons_->add(n, "ana");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->cnp, "");
  n.id_type = "";
  EXPECT_EQ(persons_->add(n, "ana").error().code, ErrorCode::invalid_argument);
  n.id_type = "pașaport";  // the same identifier twice
  EXPECT_EQ(persons_->add(n, "ana").error().code, ErrorCode::conflict);
}

TEST_P(PersonsTest, RefusesTheSameCnpTwice) {
  add_ion();
  NewPerson n;
  n.name = "Altcineva";
  n.cnp = kIon;
  EXPECT_EQ(persons_->add(n, "ana").error().code, ErrorCode::conflict);
}

TEST_P(PersonsTest, OnlyAssignedDepartmentsAndCaseWorkersSeeAPerson) {
  PersonId id = add_ion();
  EXPECT_TRUE(persons_->may_see(id, "ana").value());   // the creator is the case worker
  EXPECT_FALSE(persons_->may_see(id, "dan").value());  // the department is not assigned yet
  ASSERT_TRUE(persons_->assign(id, Assignment{"Asistență socială", "", "", ""}, "ana").ok());
  EXPECT_TRUE(persons_->may_see(id, "dan").value());
  EXPECT_FALSE(persons_->may_see(id, "vlad").value());   // no restricted access
  EXPECT_FALSE(persons_->may_see(id, "maria").value());  // another department
  EXPECT_FALSE(persons_->may_see(id, "nobody").value());
  auto refused = persons_->show(id, "maria", "evaluare");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission);
  // Someone who cannot see a person cannot assign it either.
  EXPECT_EQ(persons_->assign(id, Assignment{"", "maria", "", ""}, "maria").error().code,
            ErrorCode::permission);
}

TEST_P(PersonsTest, EveryReadNeedsAPurposeFromTheList) {
  PersonId id = add_ion();
  for (const std::string& bad : {std::string(), std::string("curiozitate")}) {
    auto r = persons_->show(id, "ana", bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(r.error().message.find("anchetă-socială"), std::string::npos);
  }
  EXPECT_FALSE(persons_->timeline(id, "ana", "", std::nullopt, 10).ok());
  EXPECT_TRUE(persons_->store().access_records(id).value().empty());  // refused reads are not reads
}

TEST_P(PersonsTest, EveryReadWritesAnAccessRecord) {
  PersonId id = add_ion();
  ASSERT_TRUE(persons_->show(id, "ana", "anchetă-socială").ok());
  ASSERT_TRUE(persons_->timeline(id, "ana", "evaluare", std::nullopt, 10).ok());
  ASSERT_EQ(persons_->find("popescu", "ana", "soluționare-cerere").value().size(), 1u);
  EXPECT_FALSE(persons_->show(id, "maria", "evaluare").ok());  // refused: no record
  auto report = persons_->access_report(id, "ana");
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->size(), 4u);  // the report itself is the fourth read
  EXPECT_EQ((*report)[0].purpose, "anchetă-socială");
  EXPECT_EQ((*report)[0].what, "person");
  EXPECT_EQ((*report)[1].what, "timeline");
  EXPECT_EQ((*report)[2].what, "search hit");
  EXPECT_EQ((*report)[3].purpose, "control");
  for (const auto& r : *report) EXPECT_EQ(r.user, "ana");
  EXPECT_EQ(persons_->access_report(id, "maria").error().code, ErrorCode::permission);
}

TEST_P(PersonsTest, FindByCnpIsExactAndListsMaskTheCnp) {
  PersonId id = add_ion();
  auto exact = persons_->find(kIon, "ana", "evaluare");
  ASSERT_TRUE(exact.ok());
  ASSERT_EQ(exact->size(), 1u);
  EXPECT_EQ((*exact)[0].id, id);
  EXPECT_EQ((*exact)[0].masked_cnp, "1********0016");
  // Never a prefix, never a near miss.
  EXPECT_EQ(persons_->find("180010140001", "ana", "evaluare").error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(persons_->find("1800101400024", "ana", "evaluare").value().empty());
  // Names match without diacritics or case; persons one may not see are left out.
  EXPECT_EQ(persons_->find("ION popescu", "ana", "evaluare").value().size(), 1u);
  EXPECT_TRUE(persons_->find("popescu", "maria", "evaluare").value().empty());
}

TEST_P(PersonsTest, AuditRowsNeverHoldTheCnpOrTheName) {
  PersonId id = add_ion();
  ASSERT_TRUE(persons_->rectify(id, {{"address", "Str. Nouă 2"}}, "mutare", "ana").ok());
  const auto trail = archive_->catalog().audit_trail(std::nullopt).value();
  for (const auto& row : trail) {
    EXPECT_EQ(row.detail.find(kIon), std::string::npos) << row.detail;
    EXPECT_EQ(row.detail.find("Popescu"), std::string::npos) << row.detail;
  }
}

TEST_P(PersonsTest, RectificationKeepsTheHistory) {
  PersonId id = add_ion();
  auto changed = persons_->rectify(id, {{"name", "Ion Popescu-Marin"}, {"address", "Str. Nouă 2"}},
                                   "certificat de căsătorie", "ana");
  ASSERT_TRUE(changed.ok()) << changed.error().to_string();
  EXPECT_EQ(changed->revision, 2);
  EXPECT_EQ(changed->name, "Ion Popescu-Marin");
  auto history = persons_->store().history(id).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].field, "address");
  EXPECT_EQ(history[0].old_value, "Str. Florilor 1, București");
  EXPECT_EQ(history[1].field, "name");
  EXPECT_EQ(history[1].old_value, "Ion Popescu");
  EXPECT_EQ(history[1].reason, "certificat de căsătorie");
  // The new name is what search finds.
  EXPECT_EQ(persons_->find("popescu-marin", "ana", "evaluare").value().size(), 1u);
}

TEST_P(PersonsTest, RefusedRectificationChangesNothing) {
  PersonId id = add_ion();
  EXPECT_EQ(persons_->rectify(id, {{"cnp", "1800101400017"}}, "eroare", "ana").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(persons_->rectify(id, {{"favourite_colour", "blue"}}, "x", "ana").error().code,
            ErrorCode::invalid_argument);
  EXPECT_EQ(persons_->rectify(id, {{"address", "X"}}, "", "ana").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(persons_->rectify(id, {{"address", "X"}}, "x", "maria").error().code, ErrorCode::permission);
  auto p = persons_->store().person(id).value();
  EXPECT_EQ(p.cnp, kIon);
  EXPECT_EQ(p.address, "Str. Florilor 1, București");
  EXPECT_EQ(p.revision, 1);
  EXPECT_TRUE(persons_->store().history(id).value().empty());
}

TEST_P(PersonsTest, HouseholdLinksAChildAndItsParent) {
  PersonId parent = add_ion();
  NewPerson n;
  n.name = "Maria Popescu";
  n.cnp = kChild;
  PersonId child = persons_->add(n, "ana").value().id;
  auto h = persons_->add_household("Familia Popescu", {{parent, "părinte"}, {child, "copil"}}, "ana");
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  auto file = persons_->show(child, "ana", "evaluare").value();
  ASSERT_EQ(file.households.size(), 1u);
  ASSERT_EQ(file.households[0].members.size(), 2u);
  EXPECT_EQ(file.member_names[parent], "Ion Popescu");
  EXPECT_EQ(file.households[0].members[1].role, "copil");
  EXPECT_EQ(persons_->add_household("X", {{parent, "părinte"}}, "maria").error().code, ErrorCode::permission);
}

TEST_P(PersonsTest, TimelineIsNewestFirstAndPaged) {
  PersonId id = add_ion();
  std::vector<DocumentId> docs;
  for (int i = 0; i < 5; ++i) docs.push_back(add_document("document " + std::to_string(i)));
  for (DocumentId d : docs) ASSERT_TRUE(persons_->link(id, "document", d, "ana").ok());
  EXPECT_EQ(persons_->link(id, "document", docs[0], "ana").error().code, ErrorCode::conflict);
  EXPECT_EQ(persons_->link(id, "document", 999, "ana").error().code, ErrorCode::not_found);
  EXPECT_EQ(persons_->link(id, "registry-entry", 999, "ana").error().code, ErrorCode::not_found);
  EXPECT_EQ(persons_->link(id, "document", docs[0], "maria").error().code, ErrorCode::permission);
  auto first = persons_->timeline(id, "ana", "evaluare", std::nullopt, 3).value();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].target_id, docs[4]);
  EXPECT_GE(first[0].date, first[1].date);
  TimelineCursor after{first.back().date, first.back().kind, first.back().target_id};
  auto second = persons_->timeline(id, "ana", "evaluare", after, 3).value();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[1].target_id, docs[0]);
  ASSERT_TRUE(persons_->unlink(id, "document", docs[0], "ana").ok());
  EXPECT_EQ(persons_->timeline(id, "ana", "evaluare", std::nullopt, 10).value().size(), 4u);
  EXPECT_EQ(persons_->unlink(id, "document", docs[0], "ana").error().code, ErrorCode::not_found);
}

TEST_P(PersonsTest, SuggestsLinksFromCnpsAndNamesInExtractedText) {
  PersonId id = add_ion();
  DocumentId by_cnp = add_document("cerere", "Subsemnatul, CNP 1800101400016, solicit ajutor social.");
  DocumentId by_name =
      add_document("ancheta", "Ancheta sociala la domiciliul lui ION  POPESCU din str. Florilor.");
  DocumentId neither = add_document("altceva", "Nimic despre nimeni; CNP greșit 1800101400017.");
  auto found = persons_->scan_for_suggestions();
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(*found, 2u);
  EXPECT_EQ(persons_->scan_for_suggestions().value(), 0u);  // scanned already
  auto open = persons_->suggestions("ana").value();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].document_id, by_cnp);
  EXPECT_EQ(open[0].reason, "cnp");
  EXPECT_EQ(open[1].document_id, by_name);
  EXPECT_EQ(open[1].reason, "name");
  EXPECT_TRUE(persons_->suggestions("maria").value().empty());
  (void)neither;
  ASSERT_TRUE(persons_->resolve_suggestion(open[0].id, Persons::Resolution::confirm, "ana").ok());
  ASSERT_TRUE(persons_->resolve_suggestion(open[1].id, Persons::Resolution::dismiss, "ana").ok());
  auto timeline = persons_->timeline(id, "ana", "evaluare", std::nullopt, 10).value();
  ASSERT_EQ(timeline.size(), 1u);
  EXPECT_EQ(timeline[0].target_id, by_cnp);
  EXPECT_EQ(persons_->resolve_suggestion(open[0].id, Persons::Resolution::confirm, "ana").error().code,
            ErrorCode::conflict);
}

TEST_P(PersonsTest, ExportIsRefusedToTheUnassignedAndWritesNothing) {
  PersonId id = add_ion();
  auto refused = persons_->export_file(id, "maria", "solicitare-persoană-vizată", dir_ / "x.tar");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.tar"));
  EXPECT_EQ(persons_->export_file(id, "ana", "solicitare-persoană-vizată", dir_ / "x.zip").error().code,
            ErrorCode::invalid_argument);
}

TEST_P(PersonsTest, ExportHoldsTheSummaryDataDocumentsAndManifest) {
  PersonId id = add_ion();
  DocumentId d = add_document("%PDF-1.4 the inquiry");
  ASSERT_TRUE(persons_->link(id, "document", d, "ana").ok());
  auto out = persons_->export_file(id, "ana", "solicitare-persoană-vizată", dir_ / "ion.tar");
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->documents, 1u);
  const std::string tar = testing::read_file(dir_ / "ion.tar");
  EXPECT_EQ(tar.size() % 512, 0u);
  const std::string dir = "persoana-" + std::to_string(id) + "/";
  for (const std::string& name : {dir + "rezumat.pdf", dir + "date.json", dir + "manifest.json",
                                  dir + "documente/" + std::to_string(d) + "-v1-ancheta.pdf"})
    EXPECT_NE(std::find(out->entries.begin(), out->entries.end(), name), out->entries.end()) << name;
  EXPECT_NE(tar.find("%PDF-1.4 the inquiry"), std::string::npos);
  EXPECT_NE(tar.find(std::string("\"cnp\": \"") + kIon + "\""), std::string::npos);
  EXPECT_EQ(persons_->access_report(id, "ana").value()[0].what, "export");
}

TEST_P(PersonsTest, ErasureReportAnswersFromRetentionAndHolds) {
  PersonId id = add_ion();
  auto records = records::Records::open(*archive_).value();
  testing::write_file(dir_ / "n.csv",
                      "department,code,title,retention,remarks\nAsistență socială,II-1,Anchete sociale,10,\n"
                      "Asistență socială,II-2,Dosare beneficiari,permanent,\n");
  const int year = records->document_year(add_document("probe")).value();
  ASSERT_TRUE(records->import_nomenclator(dir_ / "n.csv", year, "arhivar").ok());
  ASSERT_TRUE(records->approve_nomenclator(year, "AN 1", "arhivar").ok());
  DocumentId ten = add_document("ten years");
  DocumentId permanent = add_document("permanent");
  DocumentId held = add_document("held");
  DocumentId uncoded = add_document("no code");
  ASSERT_TRUE(records->assign(ten, "II-1", "arhivar").ok());
  ASSERT_TRUE(records->assign(permanent, "II-2", "arhivar").ok());
  ASSERT_TRUE(records->assign(held, "II-1", "arhivar").ok());
  ASSERT_TRUE(records->add_hold(std::to_string(held), "litigiu", "arhivar").ok());
  for (DocumentId d : {ten, permanent, held, uncoded})
    ASSERT_TRUE(persons_->link(id, "document", d, "ana").ok());
  auto report = persons_->erasure_report(id, "ana", "solicitare-persoană-vizată");
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  auto line = [&](DocumentId d) {
    return *std::find_if(report->begin(), report->end(),
                         [&](const ErasureLine& l) { return l.target == d && l.kind == "document"; });
  };
  EXPECT_EQ(line(ten).verdict, "must-stay");
  EXPECT_EQ(line(ten).until, std::to_string(year + 11) + "-01-01");
  EXPECT_NE(line(ten).rule.find("II-1/" + std::to_string(year)), std::string::npos);
  EXPECT_EQ(line(permanent).verdict, "must-stay");
  EXPECT_NE(line(permanent).rule.find("permanently"), std::string::npos);
  EXPECT_EQ(line(held).verdict, "held");
  EXPECT_NE(line(held).rule.find("litigiu"), std::string::npos);
  EXPECT_EQ(line(uncoded).verdict, "must-stay");
  EXPECT_NE(line(uncoded).rule.find("no file code"), std::string::npos);
  EXPECT_EQ(report->back().kind, "person");
  EXPECT_EQ(report->back().verdict, "must-stay");
  EXPECT_EQ(persons_->erasure_report(id, "maria", "control").error().code, ErrorCode::permission);
}

// Issue 12: the legal representative can be another person of the archive,
// shown on both persons, with free text kept for someone who is not; the
// rectification history covers the link like any field.
TEST_P(PersonsTest, TheLegalRepresentativeIsAPersonShownOnBothWithItsHistory) {
  PersonId ion = add_ion();
  NewPerson n;
  n.name = "Maria Popescu";
  n.cnp = kChild;
  n.representative_id = ion;
  n.representative_role = "părinte";
  n.legal_representative = "Avocat Ionescu (din oficiu)";
  auto child = persons_->add(n, "ana");
  ASSERT_TRUE(child.ok()) << child.error().to_string();
  auto file = persons_->show(child->id, "ana", "evaluare");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->person.representative_id, ion);
  EXPECT_EQ(file->person.representative_role, "părinte");
  EXPECT_EQ(file->representative_name, "Ion Popescu");
  EXPECT_EQ(file->person.legal_representative, "Avocat Ionescu (din oficiu)");
  auto parent = persons_->show(ion, "ana", "evaluare");
  ASSERT_TRUE(parent.ok());
  ASSERT_EQ(parent->represents.size(), 1u);
  EXPECT_EQ(parent->represents[0].id, child->id);
  EXPECT_EQ(parent->represents[0].name, "Maria Popescu");
  EXPECT_EQ(parent->represents[0].role, "părinte");

  // Changed to a tutor, then removed: each step in the history.
  NewPerson t;
  t.name = "Elena Tutore";
  t.id_type = "pașaport";
  t.id_value = "T123";
  auto tutor = persons_->add(t, "ana");
  ASSERT_TRUE(tutor.ok());
  ASSERT_TRUE(
      persons_
          ->rectify(child->id,
                    {{"representative_id", std::to_string(tutor->id)}, {"representative_role", "tutore"}},
                    "hotărâre judecătorească", "ana")
          .ok());
  ASSERT_TRUE(persons_->rectify(child->id, {{"representative_id", ""}}, "majorat", "ana").ok());
  file = persons_->show(child->id, "ana", "evaluare");
  EXPECT_EQ(file->person.representative_id, 0);
  std::vector<std::string> changes;
  for (const PersonChange& c : file->history)
    changes.push_back(c.field + ":" + c.old_value + ">" + c.new_value);
  EXPECT_EQ(changes, (std::vector<std::string>{
                         "representative_id:" + std::to_string(ion) + ">" + std::to_string(tutor->id),
                         "representative_role:părinte>tutore",
                         "representative_id:" + std::to_string(tutor->id) + ">"}));
  EXPECT_TRUE(persons_->show(ion, "ana", "evaluare")->represents.empty());
}

TEST_P(PersonsTest, ARepresentativeMustBeSomeoneElseWhomTheUserSees) {
  PersonId ion = add_ion();
  auto self = persons_->rectify(ion, {{"representative_id", std::to_string(ion)}}, "eroare", "ana");
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(self.error().message.find("own legal representative"), std::string::npos);
  auto missing = persons_->rectify(ion, {{"representative_id", "999"}}, "eroare", "ana");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  auto not_a_number = persons_->rectify(ion, {{"representative_id", "tatăl"}}, "eroare", "ana");
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_EQ(not_a_number.error().code, ErrorCode::invalid_argument);
  // maria does not see Ion, so cannot name him as anyone's representative.
  NewPerson n;
  n.name = "Copil Străin";
  n.id_type = "pașaport";
  n.id_value = "C1";
  n.representative_id = ion;
  auto hidden = persons_->add(n, "maria");
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().code, ErrorCode::permission);
  EXPECT_EQ(persons_->store().persons().value().size(), 1u) << "a refused person was stored";
  EXPECT_EQ(persons_->show(ion, "ana", "evaluare")->history.size(), 0u);
}

// Snippets: a CNP is shown in full only to a user assigned to its person who
// gave a purpose, and that is recorded; everyone else reads it masked.
TEST_P(PersonsTest, SnippetCnpsAreMaskedExceptForTheAssignedWithAPurpose) {
  PersonId ion = add_ion();
  const std::string snippet = "Subsemnatul, CNP <mark>1800101400016</mark>, și fiica, CNP 5000229520034.";
  auto for_ana = persons_->mask_cnps_for(snippet, "ana", "evaluare");
  ASSERT_TRUE(for_ana.ok());
  EXPECT_EQ(*for_ana, "Subsemnatul, CNP <mark>1800101400016</mark>, și fiica, CNP 5********0034.")
      << "a CNP of no known person stays masked";
  EXPECT_EQ(*persons_->mask_cnps_for(snippet, "ana", ""),
            "Subsemnatul, CNP <mark>1********0016</mark>, și fiica, CNP 5********0034.")
      << "no purpose, no CNP";
  EXPECT_EQ(*persons_->mask_cnps_for(snippet, "maria", "evaluare"),
            "Subsemnatul, CNP <mark>1********0016</mark>, și fiica, CNP 5********0034.");
  auto records = persons_->store().access_records(ion).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].user, "ana");
  EXPECT_EQ(records[0].purpose, "evaluare");
  EXPECT_EQ(records[0].what, "CNP in a search hit");
}

// A registry entry's texts follow the snippets' rule, and its person is
// recorded once however many of its texts show the CNP.
TEST_P(PersonsTest, RegistryEntryCnpsAreMaskedExceptForTheAssignedWithAPurpose) {
  PersonId ion = add_ion();
  RegistryEntry e;
  e.number = "7/02.03.2026";
  e.subject = std::string("Cerere ajutor, CNP ") + kIon;
  e.sender_contact = kIon;
  e.history.push_back(RegistryEvent{});
  e.history[0].note = std::string("fiica, CNP ") + kChild;
  RegistryEntry for_list = e;
  mask_cnps(for_list);
  EXPECT_EQ(for_list.subject, "Cerere ajutor, CNP 1********0016");
  EXPECT_EQ(for_list.sender_contact, "1********0016");
  EXPECT_EQ(for_list.history[0].note, "fiica, CNP 5********0034");
  RegistryEntry for_maria = e;
  ASSERT_TRUE(persons_->mask_cnps_for(for_maria, "maria", "evaluare").ok());
  EXPECT_EQ(for_maria.subject, for_list.subject);
  EXPECT_TRUE(persons_->store().access_records(ion).value().empty());
  ASSERT_TRUE(persons_->mask_cnps_for(e, "ana", "evaluare").ok());
  EXPECT_EQ(e.subject, std::string("Cerere ajutor, CNP ") + kIon);
  EXPECT_EQ(e.sender_contact, kIon);
  EXPECT_EQ(e.history[0].note, "fiica, CNP 5********0034") << "a CNP of no known person stays masked";
  auto records = persons_->store().access_records(ion).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].what, "CNP in registry entry 7/02.03.2026");
}

// `records sheet`: the sheet's texts, the details of its history included,
// follow the snippets' rule, one access record for the whole sheet.
TEST_P(PersonsTest, SheetCnpsAreMaskedExceptForTheAssignedWithAPurpose) {
  PersonId ion = add_ion();
  records::Sheet sheet;
  sheet.title = std::string("Cerere, CNP ") + kIon;
  sheet.keywords = std::string("ajutor ") + kIon;
  sheet.history.push_back(AuditRecord{});
  sheet.history[0].detail = std::string(R"({"field":"owner","value":")") + kIon + R"("})";
  for (const auto& [user, purpose] :
       std::vector<std::pair<std::string, std::string>>{{"maria", "evaluare"}, {"ana", ""}}) {
    records::Sheet seen = sheet;
    ASSERT_TRUE(persons_->mask_cnps_for(records::sheet_texts(seen), user, purpose, "CNP in a sheet").ok());
    EXPECT_EQ(seen.title, "Cerere, CNP 1********0016") << user;
    EXPECT_EQ(seen.keywords, "ajutor 1********0016");
    EXPECT_EQ(seen.history[0].detail, R"({"field":"owner","value":"1********0016"})");
  }
  EXPECT_TRUE(persons_->store().access_records(ion).value().empty());
  ASSERT_TRUE(persons_->mask_cnps_for(records::sheet_texts(sheet), "ana", "evaluare", "CNP in a sheet").ok());
  EXPECT_EQ(sheet.title, std::string("Cerere, CNP ") + kIon);
  EXPECT_EQ(sheet.keywords, std::string("ajutor ") + kIon);
  auto records = persons_->store().access_records(ion).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].what, "CNP in a sheet");
}

// The desk opening an online submission reads the CNPs in it whoever is
// assigned: each known person gets a record with the registration purpose.
TEST_P(PersonsTest, ARegistrationReadIsRecordedForEveryKnownPersonWhateverTheAssignment) {
  PersonId ion = add_ion();
  EXPECT_TRUE(check_purpose("înregistrare-cerere").ok());
  auto recorded = persons_->record_registration_read(
      std::string(R"({"cnp":")") + kIon + R"(","copil":")" + kChild + R"("})", "maria",
      "online submission 3");
  ASSERT_TRUE(recorded.ok()) << recorded.error().to_string();
  EXPECT_EQ(*recorded, 1u) << "a CNP of no known person has no file to record it in";
  auto records = persons_->store().access_records(ion).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].user, "maria");
  EXPECT_EQ(records[0].purpose, "înregistrare-cerere");
  EXPECT_EQ(records[0].what, "online submission 3");
  EXPECT_EQ(*persons_->record_registration_read("Cerere fără CNP", "maria", "online submission 4"), 0u);
}

// `registry show` and its web route: what is in a person's file is read
// with a purpose from the list, and recorded; what is in no one's file is not.
TEST_P(PersonsTest, ADeclaredReadOfWhatIsInAFileNeedsAPurposeAndIsRecorded) {
  PersonId ion = add_ion();
  DocumentId linked = add_document("declared-read-linked");
  DocumentId alone = add_document("declared-read-alone");
  ASSERT_TRUE(persons_->link(ion, "document", linked, "ana").ok());
  EXPECT_TRUE(
      persons_->record_declared_read("document", alone, "document", "dan", "", "show", "purpose").ok());
  for (const std::string purpose : {"", "curiozitate"}) {
    Status refused = persons_->record_declared_read("document", linked, "document 1", "dan", purpose, "show",
                                                    "the parameter purpose");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(refused.error().message.find("needs the parameter purpose"), std::string::npos);
    EXPECT_NE(refused.error().message.find("evaluare"), std::string::npos) << refused.error().message;
  }
  const std::size_t before = persons_->store().access_records(ion).value().size();
  ASSERT_TRUE(
      persons_->record_declared_read("document", linked, "document 1", "dan", "evaluare", "show", "x").ok());
  auto records = persons_->store().access_records(ion).value();
  ASSERT_EQ(records.size(), before + 1);
  EXPECT_EQ(records.back().user, "dan");
  EXPECT_EQ(records.back().purpose, "evaluare");
}

DOSAR_ON_BOTH_CATALOG_ENGINES(PersonsTest);

}  // namespace
}  // namespace dosar::persons
