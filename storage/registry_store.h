// Data access of the registry (registratură): registers, document kinds,
// entries and their history. The rules (who may do what, which status may
// follow which) live in workflow/; this interface only stores, numbers and
// audits, each change in one transaction with its audit row. A second backend
// (PostgreSQL) implements this header and nothing else changes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

class ArchiveStore;

using RegistryEntryId = std::int64_t;

struct Register {
  std::string name;   // "intrare"
  std::string label;  // "incoming"
};

// A kind of document and its legal answer deadline in calendar days.
struct DocumentKind {
  std::string name;  // "petitie"
  std::string label;
  int deadline_days = 30;
  std::string legal_basis;  // "OG 27/2002, art. 8"
};

// One line of an entry's history: what happened, by whom, when, and the state after.
struct RegistryEvent {
  int seq = 0;
  std::string at;  // UTC ISO 8601
  std::string actor;
  std::string event;   // registered, assigned, status, extended, annulled, answered-by, code-reissued
  std::string status;  // status after the event
  std::string department;
  std::string assignee;
  std::string deadline;  // deadline after the event, YYYY-MM-DD
  std::string note;      // justification, reason, link
};

// What closed, forwarded or extended an entry beside its status (issue 10):
// joined (conexat) to `target_entry`, filed without answer (clasat),
// forwarded to the institution `target`, a Law 544/2001 extension or a
// refusal (on the ground `target`). `text` is the reason or the notice to
// the petitioner; `late` when done after the legal term, with why.
inline constexpr const char* kDispositionKinds[] = {"joined", "filed", "forwarded", "extended", "refused"};

struct Disposition {
  int seq = 0;
  std::string kind;
  std::optional<RegistryEntryId> target_entry;
  std::string target;
  std::string text;
  std::string at;  // UTC ISO 8601
  std::string actor;
  bool late = false;
  std::string late_justification;
};

// A package exchanged with another institution (issue 12): "out" when this
// archive forwarded the entry to `peer`, "in" when `peer` forwarded it here.
// `peer_number`/`peer_date` is the other side's registration: for "in" the
// sender's number and date, for "out" the number the receiver gave it, known
// once its acknowledgement came back (state "acknowledged"; else "sent").
struct Exchange {
  std::string package_id;  // the sealed package's id (UUID)
  std::string direction;   // "out" | "in"
  std::string peer;        // the other institution, as its seal certificate names it
  RegistryEntryId entry = 0;
  std::string state;        // out: sent | acknowledged; in: registered
  std::string peer_number;  // "12/22.11.2026"
  std::string peer_date;    // YYYY-MM-DD
  std::string at;           // UTC ISO 8601, when sent or received
  std::string acknowledged_at;
  std::string ack_package_id;  // out: the acknowledgement received; in: the one written
};

struct RegistryEntry {
  RegistryEntryId id = 0;
  std::string register_name;
  int year = 0;                // Bucharest calendar year of registration
  int seq = 0;                 // consecutive within register and year
  std::string number;          // "12/22.11.2026"
  std::string registered_at;   // UTC ISO 8601
  std::string channel;         // ghiseu, posta, email, online
  std::string sender_name;     // restricted personal data
  std::string sender_contact;  // address or e-mail; restricted personal data
  std::string subject;
  std::string kind;
  std::optional<std::string> document_date;  // YYYY-MM-DD, the date written on the document
  std::vector<DocumentId> documents;
  std::string department;
  std::string assignee;
  std::string deadline;  // YYYY-MM-DD, Bucharest calendar date
  std::string status;    // registered, assigned, in-progress, answered, closed, archived, annulled
  std::string annul_reason;
  std::optional<RegistryEntryId> answers;    // the request this entry answers
  std::vector<RegistryEntryId> answered_by;  // the entries answering this one
  std::vector<Disposition> dispositions;
  std::vector<RegistryEntryId> joined;  // the entries joined to this one
  std::vector<Exchange> exchanges;      // packages sent or received for it
  std::vector<RegistryEvent> history;
};

// What a caller supplies; the store dates, numbers and computes the deadline
// (registration date in Bucharest + the kind's days) inside the transaction.
struct NewRegistryEntry {
  std::string register_name;
  std::string channel;
  std::string sender_name;
  std::string sender_contact;
  std::string subject;
  std::string kind;
  std::optional<std::string> document_date;
  std::vector<DocumentId> documents;
  std::optional<RegistryEntryId> answers;
  std::string access_salt;  // hex
  std::string access_hash;  // hex; the code itself is never stored
  // Received from another institution: recorded with the entry (direction
  // "in"); a package id already received is refused as conflict.
  std::optional<Exchange> received;
};

// A change of an entry. Applied only when the entry's status is still
// `expected_status`, so that a rule checked by the caller still holds.
struct RegistryChange {
  std::string expected_status;
  std::string event;
  std::string status;  // new status
  std::optional<std::string> department;
  std::optional<std::string> assignee;
  std::optional<std::string> deadline;
  std::string note;
};

struct AccessSecret {
  std::string salt;
  std::string hash;
};

// One page of the registry book: which entries, filtered and paged by the
// store (an index walk, not a read of the whole register).
struct RegistryBookQuery {
  std::string register_name;  // "" : every register
  int year = 0;               // registration year (Bucharest); 0: any
  // Registered at or after `from` and before `until` (UTC ISO 8601, as
  // format_utc writes them); "" : unbounded.
  std::string from, until;
  // A status; "overdue": open (registered, assigned, in-progress) with a
  // deadline before `today`; "to-verify": registered from an online form not
  // yet checked at the desk (such entries are then not "registered").
  std::string status;
  std::string today;  // YYYY-MM-DD, for "overdue"
  // Text found in the number or the subject, case and diacritics ignored
  // (both sides folded by fold_for_matching, base/text_folding.h: "kovacs"
  // finds "Kovács"); "" : any.
  std::string text;
  // Departments (compared folded likewise) whose entries may be listed,
  // besides those not yet routed; nullopt: every department.
  std::optional<std::vector<std::string>> departments;
  std::size_t offset = 0;
  std::size_t limit = 50;
};

struct RegistryBookPage {
  std::vector<RegistryEntry> entries;  // newest first (registered_at, then id)
  std::size_t total = 0;               // matching entries over all pages
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  virtual Result<std::vector<Register>> registers() const = 0;
  virtual Result<std::vector<DocumentKind>> kinds() const = 0;
  // Adds a register. Errors: conflict (exists), io.
  virtual Status add_register(const Register& r, const std::string& actor) = 0;
  // Adds a kind or changes its label, deadline and legal basis; deadlines of
  // entries already registered stay as they were. Errors: io.
  virtual Status put_kind(const DocumentKind& kind, const std::string& actor) = 0;

  // Numbers and stores an entry, its documents, its first event and audit row;
  // when it answers a request, also links them and records "answered" on the
  // request. Atomic across processes. Errors: not_found (register, kind,
  // document, request), io.
  virtual Result<RegistryEntry> add_entry(const NewRegistryEntry& entry, const std::string& actor) = 0;

  virtual Result<RegistryEntry> entry(RegistryEntryId id) const = 0;  // not_found, io
  // Entries whose printed number is `number` (one per register at most).
  virtual Result<std::vector<RegistryEntry>> entries_numbered(const std::string& number) const = 0;
  // Entries of a register (all when empty) in a year (all when 0), by register and number.
  virtual Result<std::vector<RegistryEntry>> entries(const std::string& register_name, int year) const = 0;
  // Open entries (not answered, closed, archived or annulled) due on or before `date`.
  virtual Result<std::vector<RegistryEntry>> due_by(const std::string& date) const = 0;
  // The entries of one page of the registry book and how many match in all.
  // Errors: invalid_argument (a status that does not exist), io.
  virtual Result<RegistryBookPage> book_page(const RegistryBookQuery& query) const = 0;

  // Applies `change` with its event and audit row. Errors: not_found,
  // conflict (the status moved on meanwhile), io.
  virtual Result<RegistryEntry> change(RegistryEntryId id, const RegistryChange& change,
                                       const std::string& actor) = 0;

  // Applies `change` and records `disposition` (its seq, time and actor are
  // set here) in one transaction with the audit row; a joined entry also
  // gets a "joined-with" event on its target. Errors: not_found, conflict, io.
  virtual Result<RegistryEntry> dispose(RegistryEntryId id, const RegistryChange& change,
                                        const Disposition& disposition, const std::string& actor) = 0;
  // dispose(), also recording the package `sent` (direction "out") in the
  // same transaction. Errors: as dispose, conflict (package id known).
  virtual Result<RegistryEntry> dispose_sending(RegistryEntryId id, const RegistryChange& change,
                                                const Disposition& disposition, const Exchange& sent,
                                                const std::string& actor) = 0;

  // The exchange of `package_id` in `direction`, if any. Errors: io.
  virtual Result<std::optional<Exchange>> exchange(const std::string& direction,
                                                   const std::string& package_id) const = 0;
  // Records that the receiver registered the package `package_id` sent from
  // here as `peer_number` of `peer_date` (its acknowledgement
  // `ack_package_id`), with an event on the entry whose note the citizen
  // sees, and the audit row. Errors: not_found (no such package sent),
  // conflict (already acknowledged), io.
  virtual Result<RegistryEntry> acknowledge(const std::string& package_id, const std::string& peer_number,
                                            const std::string& peer_date, const std::string& ack_package_id,
                                            const std::string& note, const std::string& actor) = 0;
  // Notes the acknowledgement written for the package `package_id` received
  // here. Errors: not_found, io.
  virtual Status note_acknowledgement_sent(const std::string& package_id, const std::string& ack_package_id,
                                           const std::string& actor) = 0;

  virtual Result<AccessSecret> access_secret(RegistryEntryId id) const = 0;  // not_found, io
  // Replaces the access code's salt and hash (a lost receipt). Errors: not_found, io.
  virtual Status replace_access_secret(RegistryEntryId id, const AccessSecret& secret,
                                       const std::string& actor) = 0;

  // Failed citizen lookups of `number` at or after `since` (UTC ISO 8601).
  virtual Result<int> lookup_failures_since(const std::string& number, const std::string& since) const = 0;
  // Audits a citizen lookup; a failure is also counted for rate limiting.
  // `outcome`: "ok", "wrong-code", "refused".
  virtual Status record_lookup(const std::string& number, const std::string& outcome,
                               const std::string& actor) = 0;
};

// The SQLite registry store of an archive: a second connection to its
// catalogue (whose migrations created the tables). Errors: io, corrupt.
Result<std::unique_ptr<RegistryStore>> open_registry_store(const ArchiveStore& archive,
                                                           const Clock& clock = system_clock());

}  // namespace dosar
