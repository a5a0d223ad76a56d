// Data access of the electronic beneficiary file (dosarul electronic al
// beneficiarului): persons and their rectification history, households,
// links of documents, registry entries and flows to persons, who is assigned
// to a person, the record of every read of their data, and the suggested
// links found in extracted text. All of it is restricted personal data. The
// rules (who may see, CNP checks, purposes) live in persons/; this interface
// stores and audits, each change in one transaction with its audit row (whose
// detail never holds a CNP). A second backend implements this header.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

class ArchiveStore;

using PersonId = std::int64_t;

struct Person {
  PersonId id = 0;
  std::string cnp;      // empty when the person has another identifier
  std::string id_type;  // "CNP", or e.g. "pașaport", "permis de ședere"
  std::string id_value;
  std::string name;
  std::string name_folded;  // lower case, diacritics folded: what name search matches
  std::string birth_date;   // YYYY-MM-DD or empty
  std::string address;
  std::string contacts;
  std::string legal_representative;  // free text: someone not in the archive
  // The legal representative as another person of the archive (0: none),
  // and in what capacity ("părinte", "tutore", "curator", ...).
  PersonId representative_id = 0;
  std::string representative_role;
  std::string created_at;  // UTC ISO 8601
  std::string created_by;
  std::string updated_at;
  int revision = 1;  // counts rectifications
};

// The rectifiable fields, as named in history rows and on the command line
// (representative_id in decimal, "" for none).
inline constexpr const char* kPersonFields[] = {"name",
                                                "cnp",
                                                "id_type",
                                                "id_value",
                                                "birth_date",
                                                "address",
                                                "contacts",
                                                "legal_representative",
                                                "representative_id",
                                                "representative_role"};

// A field of kPersonFields as text, and set from text. set_person_field
// errors: invalid_argument (unknown field, representative_id not a number).
std::string person_field(const Person& p, const std::string& field);
Status set_person_field(Person& p, const std::string& field, const std::string& value);

// A person this one is the legal representative of.
struct Represented {
  PersonId id = 0;
  std::string name;
  std::string role;
};

// One rectified field (GDPR art. 16): the old value is kept.
struct PersonChange {
  int revision = 0;
  std::string field;
  std::string old_value;
  std::string new_value;
  std::string reason;
  std::string at;
  std::string actor;
};

struct HouseholdMember {
  PersonId person_id = 0;
  std::string role;  // e.g. "părinte", "copil", "titular"
};

struct Household {
  std::int64_t id = 0;
  std::string label;
  std::string created_at;
  std::vector<HouseholdMember> members;
};

// What a link points at.
inline constexpr const char* kLinkKinds[] = {"document", "registry-entry", "flow"};

// A document, registry entry or flow in a person's file. `date` (UTC ISO
// 8601, the item's own date) orders the timeline; `title` is copied at
// linking so that the timeline reads one table.
struct PersonLink {
  PersonId person_id = 0;
  std::string kind;
  std::int64_t target_id = 0;
  std::string date;
  std::string title;
  std::string linked_at;
  std::string linked_by;
};

// A position in a timeline: the last item of the previous page.
struct TimelineCursor {
  std::string date;
  std::string kind;
  std::int64_t target_id = 0;
};

struct Assignment {
  std::string department;  // one of the two is set
  std::string user;
  std::string assigned_at;
  std::string assigned_by;
};

// One read of a person's data: who, when, why, and what they saw.
struct AccessRecord {
  std::int64_t id = 0;
  PersonId person_id = 0;
  std::string user;
  std::string at;
  std::string purpose;
  std::string what;  // "person", "timeline", "document 12", "export", ...
};

// A link found in extracted text and waiting for a person to confirm it.
struct LinkSuggestion {
  std::int64_t id = 0;
  PersonId person_id = 0;
  DocumentId document_id = 0;
  std::string reason;  // "cnp" (an exact valid CNP) or "name"
  std::string state;   // open, confirmed, dismissed
  std::string found_at;
};

class PersonsStore {
 public:
  virtual ~PersonsStore() = default;

  // Stores a new person with its first assignments. Errors: conflict (the
  // CNP, or the identifier of that type, is someone else's), io.
  virtual Result<Person> add_person(const Person& person, const std::vector<Assignment>& assignments,
                                    const std::string& actor) = 0;
  virtual Result<Person> person(PersonId id) const = 0;  // not_found, io
  virtual Result<std::optional<Person>> person_by_cnp(const std::string& cnp) const = 0;
  // Persons whose folded name contains `folded` (at most `limit`).
  virtual Result<std::vector<Person>> persons_by_name(const std::string& folded, std::size_t limit) const = 0;
  // The persons whose legal representative is `id`.
  virtual Result<std::vector<Represented>> represented_by(PersonId id) const = 0;
  // Every person (for the suggestion scan's name matching).
  virtual Result<std::vector<Person>> persons() const = 0;

  // Replaces the changed fields of `changed` (same id) and keeps each old
  // value as a history row. Errors: not_found, conflict (revision moved, or
  // the new CNP is someone else's), io.
  virtual Result<Person> rectify(const Person& changed, int expected_revision, const std::string& reason,
                                 const std::string& actor) = 0;
  virtual Result<std::vector<PersonChange>> history(PersonId id) const = 0;

  // Errors: not_found (a member), io.
  virtual Result<Household> add_household(const std::string& label,
                                          const std::vector<HouseholdMember>& members,
                                          const std::string& actor) = 0;
  // Errors: not_found (household or person), conflict (already a member), io.
  virtual Status add_household_member(std::int64_t household, const HouseholdMember& member,
                                      const std::string& actor) = 0;
  virtual Result<std::vector<Household>> households_of(PersonId id) const = 0;

  // Errors: not_found (person), conflict (already linked), io.
  virtual Status link(const PersonLink& link, const std::string& actor) = 0;
  // Errors: not_found (no such link), io.
  virtual Status unlink(PersonId id, const std::string& kind, std::int64_t target,
                        const std::string& actor) = 0;
  // Newest first, `limit` items after `after` (none: from the newest). One
  // index range scan on (person_id, date): cost is the page, not the file.
  virtual Result<std::vector<PersonLink>> timeline(PersonId id, const std::optional<TimelineCursor>& after,
                                                   std::size_t limit) const = 0;
  // Every link of a person (export, erasure report).
  virtual Result<std::vector<PersonLink>> links(PersonId id) const = 0;
  // Persons linked to a document.
  virtual Result<std::vector<PersonId>> persons_linked_to(const std::string& kind,
                                                          std::int64_t target) const = 0;

  // Errors: not_found (person), conflict (already assigned), io.
  virtual Status assign(PersonId id, const Assignment& assignment, const std::string& actor) = 0;
  virtual Result<std::vector<Assignment>> assignments(PersonId id) const = 0;

  virtual Status record_access(const AccessRecord& record) = 0;  // io
  virtual Result<std::vector<AccessRecord>> access_records(PersonId id) const = 0;

  // Stores new suggestions (one per person and document; repeats are
  // ignored) and marks `scanned` as scanned at `version`. Errors: io.
  virtual Status add_suggestions(const std::vector<LinkSuggestion>& found, DocumentId scanned,
                                 int version) = 0;
  // The version of `id` last scanned, 0 when never.
  virtual Result<int> scanned_version(DocumentId id) const = 0;
  virtual Result<std::vector<LinkSuggestion>> suggestions(
      const std::string& state) const = 0;                               // all when empty
  virtual Result<LinkSuggestion> suggestion(std::int64_t id) const = 0;  // not_found
  // Errors: not_found, conflict (not open), io.
  virtual Status resolve_suggestion(std::int64_t id, const std::string& state, const std::string& actor) = 0;
};

// The persons store of an archive: a further connection to its catalogue,
// SQLite or PostgreSQL (migrations 12 and 16 made the tables). Errors:
// not_found, permission, io, corrupt.
Result<std::unique_ptr<PersonsStore>> open_persons_store(const ArchiveStore& archive,
                                                         const Clock& clock = system_clock());

}  // namespace dosar
