// The electronic beneficiary file (dosarul electronic al beneficiarului):
// persons and households, the documents, registry entries and flows linked
// to them on one timeline, who may see a person and the record of every
// read, and the data subject's rights (GDPR art. 15 export, art. 16
// rectification, art. 17 erasure answered from the retention rules).
// persons/'s public header; the data lives behind storage/persons_store.h.
//
// Access rule: a user sees a person when assigned to the person by name (a
// case worker), or when one of the person's assigned departments is one of
// the user's and the user may see restricted personal data. Everyone else
// gets `permission` and nothing is revealed (the web answers 404). Every
// read of a person's data requires a purpose from purposes() and writes an
// access record.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/cnp.h"
#include "base/result.h"
#include "storage/archive_store.h"
#include "storage/persons_store.h"
#include "storage/registry_store.h"

namespace dosar::persons {

// Why a person's data is read (GDPR art. 5(1)(b): purpose limitation).
const std::vector<std::string>& purposes();
// Errors: invalid_argument naming the valid purposes (also for an empty one).
Status check_purpose(const std::string& purpose);

struct NewPerson {
  std::string name;
  std::string cnp;      // or
  std::string id_type;  // another identifier and its type (foreign citizens)
  std::string id_value;
  std::string birth_date;  // YYYY-MM-DD; taken from the CNP when empty
  std::string address;
  std::string contacts;
  std::string legal_representative;  // free text, for someone not in the archive
  PersonId representative_id = 0;    // or a person of the archive (whom `actor` sees)
  std::string representative_role;   // in what capacity: părinte, tutore, curator, ...
  std::string department;            // assigned besides the creator, when not empty
};

// What the person's page shows.
struct PersonFile {
  Person person;
  std::vector<Assignment> assignments;
  std::vector<Household> households;
  std::map<PersonId, std::string> member_names;  // of the households' members
  std::string representative_name;               // of person.representative_id
  std::vector<Represented> represents;           // those this person legally represents
  std::vector<PersonChange> history;
};

// One hit of a search for persons: the CNP masked (lists never show it).
struct PersonMatch {
  PersonId id = 0;
  std::string name;
  std::string masked_cnp;
  std::string id_type;
  std::string birth_date;
};

// What the law lets happen to one item of the file on an erasure request.
struct ErasureLine {
  std::string kind;  // "document", "registry-entry", "flow", "person"
  std::int64_t target = 0;
  std::string title;
  std::string verdict;  // "can-go", "must-stay", "held"
  std::string until;    // YYYY-MM-DD when must-stay ends; empty: permanently or undetermined
  std::string rule;     // the file code and retention, the hold, or why undetermined
};

struct ExportOutcome {
  std::filesystem::path file;
  std::size_t documents = 0;
  std::vector<std::string> entries;  // paths inside the archive file
};

class Persons {
 public:
  // Errors: io, corrupt.
  static Result<std::unique_ptr<Persons>> open(ArchiveStore& archive, const Clock& clock = system_clock());

  // `actor` (a user of the archive) becomes the person's case worker.
  // Errors: invalid_argument (no name, an invalid CNP, neither CNP nor
  // identifier, a bad date), permission (actor not a user of the archive),
  // conflict (CNP or identifier already someone's).
  Result<Person> add(const NewPerson& person, const std::string& actor);

  // Errors (every call below): not_found (person), permission (`user` not
  // assigned; also for an unknown user), invalid_argument (purpose).
  Result<PersonFile> show(PersonId id, const std::string& user, const std::string& purpose);
  // A CNP-shaped query matches exactly one CNP or nothing (never a prefix,
  // never a suggestion); other text matches names without diacritics or
  // case. Only persons `user` may see are returned, each read recorded.
  Result<std::vector<PersonMatch>> find(const std::string& query, const std::string& user,
                                        const std::string& purpose);
  // kind: document, registry-entry or flow; the target must exist.
  Status link(PersonId id, const std::string& kind, std::int64_t target, const std::string& user);
  Status unlink(PersonId id, const std::string& kind, std::int64_t target, const std::string& user);
  Result<std::vector<PersonLink>> timeline(PersonId id, const std::string& user, const std::string& purpose,
                                           const std::optional<TimelineCursor>& after, std::size_t limit);
  // Assigns a department or a user (one of the two). `actor` must see the person.
  Status assign(PersonId id, const Assignment& assignment, const std::string& actor);
  // Who saw what, when and why; itself recorded (purpose "control").
  Result<std::vector<AccessRecord>> access_report(PersonId id, const std::string& user);
  // Rectification (art. 16): `values` by field name (kPersonFields); the old
  // values stay in the history. Errors also: invalid_argument (unknown field,
  // invalid CNP, nothing changed, the person as their own representative),
  // not_found / permission (a representative_id `user` does not see).
  Result<Person> rectify(PersonId id, const std::map<std::string, std::string>& values,
                         const std::string& reason, const std::string& user);
  // A household of persons `user` sees. Errors: invalid_argument (no members).
  Result<Household> add_household(const std::string& label, const std::vector<HouseholdMember>& members,
                                  const std::string& user);

  // Scans the extracted text of documents not scanned at their current
  // version (or of `only`) for valid CNPs of known persons (exact) and their
  // full names (folded), storing suggestions. Returns how many were new.
  Result<std::size_t> scan_for_suggestions(std::optional<DocumentId> only = std::nullopt);
  // The open suggestions about persons `user` sees.
  Result<std::vector<LinkSuggestion>> suggestions(const std::string& user);
  // Confirming links the document; either way the suggestion is closed.
  enum class Resolution { confirm, dismiss };
  Status resolve_suggestion(std::int64_t id, Resolution resolution, const std::string& user);

  // GDPR art. 15: writes `file` (a .tar) holding a PDF summary, the data as
  // JSON, the current version of each linked document and a manifest of
  // SHA-256 sums. Refused (permission) to anyone not assigned; nothing is
  // written then. Errors also: invalid_argument (not .tar), io.
  Result<ExportOutcome> export_file(PersonId id, const std::string& user, const std::string& purpose,
                                    const std::filesystem::path& file);
  // GDPR art. 17: what could be erased and what the retention rules keep.
  Result<std::vector<ErasureLine>> erasure_report(PersonId id, const std::string& user,
                                                  const std::string& purpose);

  // Records a read of document `id` (`what`: "record", "original", …) in the
  // file of every person linked to it; the document's own permissions
  // decided that `user` may read it. A purpose not in the list (a document
  // opened outside the person's page) is recorded as "nedeclarat", for
  // control to ask about. Errors: io.
  Status record_document_read(DocumentId id, const std::string& user, const std::string& purpose,
                              const std::string& what);
  // The same for anything a person link names: `kind` as PersonLink::kind
  // ("document", "registry-entry", "flow"), `subject` naming it in the
  // record ("registry entry 12/22.11.2026"). Errors: io.
  Status record_linked_read(const std::string& kind, std::int64_t target, const std::string& subject,
                            const std::string& user, const std::string& purpose, const std::string& what);

  // An excerpt of a document's text (a search snippet) as `user` may read
  // it: every valid CNP masked, except those of persons `user` sees when
  // `purpose` is one of the list; a CNP shown in full is a read of its
  // person, recorded ("CNP in a search hit"). Errors: io.
  Result<std::string> mask_cnps_for(std::string_view text, const std::string& user,
                                    const std::string& purpose);

  // The free texts of registry entry `e` (those registry_texts names) as
  // `user` may read them: the rule of mask_cnps_for, each person whose CNP
  // is shown recorded once ("CNP in registry entry N"). Errors: io.
  Status mask_cnps_for(RegistryEntry& e, const std::string& user, const std::string& purpose);
  // The same for any set of texts read together (the fields of a
  // document's electronic sheet: records::sheet_texts), each person whose
  // CNP is shown recorded once as `what`. Errors: io.
  Status mask_cnps_for(const std::vector<std::string*>& texts, const std::string& user,
                       const std::string& purpose, const std::string& what);

  // A read whose duty is to see the CNPs in `text` whoever is assigned: the
  // desk checking a citizen's online submission before registering it
  // (GDPR art. 6(1)(e)). Every known person whose valid CNP is in `text`
  // gets an access record with purpose "înregistrare-cerere" and `what`;
  // a CNP of no one in the archive has no file to record it in. Returns
  // how many persons were recorded. Errors: io.
  Result<std::size_t> record_registration_read(std::string_view text, const std::string& user,
                                               const std::string& what);

  // A read that must declare why (`dosar registry show`, the web's
  // GET /api/v1/registry/entry): nothing to do when `kind`/`target` is in no
  // one's file; otherwise the purpose must be one of purposes() and the
  // read is recorded as record_linked_read does. `how` tells in the error
  // how a purpose is given ("--purpose P"). Errors: invalid_argument
  // (`subject`, naming the purposes), io.
  Status record_declared_read(const std::string& kind, std::int64_t target, const std::string& subject,
                              const std::string& user, const std::string& purpose, const std::string& what,
                              const std::string& how);

  // Whether `user` may see person `id` (no access record). Errors: not_found, io.
  Result<bool> may_see(PersonId id, const std::string& user) const;

  PersonsStore& store() { return *store_; }

 private:
  Persons(ArchiveStore& archive, std::unique_ptr<PersonsStore> store, const Clock& clock)
      : archive_(archive), store_(std::move(store)), clock_(clock) {}
  // not_found / permission / invalid_argument, then records the read.
  Status open_for(PersonId id, const std::string& user, const std::string& purpose, const std::string& what);
  Status require_sees(PersonId id, const std::string& user) const;
  // The valid CNPs of `text` that `user` may read in clear with `purpose`,
  // each such read recorded as `what`. Errors: io.
  Result<std::set<std::string, std::less<>>> cnps_shown(std::string_view text, const std::string& user,
                                                        const std::string& purpose, const std::string& what);
  Result<PersonLink> describe_target(PersonId id, const std::string& kind, std::int64_t target) const;
  Result<PersonFile> file_of(PersonId id) const;
  ArchiveStore& archive_;
  std::unique_ptr<PersonsStore> store_;
  const Clock& clock_;
};

// The free texts of a registry entry a CNP may be written in: the subject,
// the sender and their contact, the annulment reason, the notes of its
// history and the texts of its dispositions.
std::vector<std::string*> registry_texts(RegistryEntry& e);
// `e` as a list shows it (no purpose there): every valid CNP in
// registry_texts masked (issue 12).
void mask_cnps(RegistryEntry& e);

// The person as JSON, CNP in full (the export's date.json, and the shape
// both front ends show to a case worker; lists use PersonMatch).
nlohmann::json to_json(const Person& p);

// Lower case with diacritics folded and runs of spaces made one: what name
// search and the suggestion scan compare.
std::string fold_name(std::string_view name);

}  // namespace dosar::persons
