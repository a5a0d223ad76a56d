// The registry (registratură): registering incoming, outgoing and internal
// documents with consecutive numbers, routing them to departments and people,
// their deadlines, and what a citizen may see with the access code. This is
// workflow/'s public header for the registry; data access is behind
// storage/registry_store.h.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"
#include "storage/registry_store.h"
#include "workflow/receipt.h"

namespace dosar::workflow {

// Channels a document arrives by: counter (ghișeu), post, e-mail, online form.
inline constexpr const char* kChannels[] = {"ghiseu", "posta", "email", "online"};
// The channel of a request another institution forwarded electronically
// (issue 12); only register_received() sets it.
inline constexpr const char* kExchangeChannel = "interinstitutional";
// Statuses a person sets with set_status(); "assigned" comes from assign(),
// "annulled" from annul(), "registered" only from registration.
inline constexpr const char* kSettableStatuses[] = {"in-progress", "answered", "closed", "archived"};

// Grounds of a Law 544/2001 refusal, as the annual report counts them:
// exempted (art. 12), missing (the information does not exist), other.
inline constexpr const char* kRefusalGrounds[] = {"exempted", "missing", "other"};
// Terms of the duties, in calendar days after registration.
inline constexpr int kForwardDays = 5;        // OG 27/2002 art. 6(1)
inline constexpr int kExtendNoticeDays = 10;  // Legea 544/2001 art. 7(1)
inline constexpr int kExtendedDays = 30;      // Legea 544/2001 art. 7(1)
inline constexpr int kRefusalDays = 5;        // Legea 544/2001 art. 7(2)

struct Registration {
  std::string register_name = "intrare";
  std::string kind;
  std::string channel = "ghiseu";
  std::string sender_name;
  std::string sender_contact;  // address or e-mail
  std::string subject;
  std::optional<std::string> document_date;  // YYYY-MM-DD, not after today
  std::vector<DocumentId> documents;
  std::optional<std::string> answers;  // printed number of the request this answers
};

struct Registered {
  RegistryEntry entry;
  std::string access_code;  // shown once; only its salted hash is stored
};

// Names an entry: its printed number, and the register when the number
// exists in several registers.
struct EntryRef {
  std::string number;
  std::string register_name;  // empty: the number must be unique across registers
};

// What a citizen sees: the route, never names, addresses or the subject.
struct CitizenView {
  std::string number;
  std::string registered_on;  // DD.MM.YYYY
  std::string kind;           // the kind's label
  std::string status;
  std::string deadline;  // YYYY-MM-DD
  struct Step {
    std::string at;  // Bucharest time, "22.11.2026 10:15:00"
    std::string event;
    std::string status;
    std::string department;
    std::string note;  // only what the petitioner is told: the notice, reason or number of a disposition
  };
  std::vector<Step> route;
};

// After `max_failures` wrong codes for one number within `window`, every
// lookup of that number is refused, even with the right code, until the
// oldest of them leaves the window.
struct LookupLimits {
  int max_failures = 5;
  std::chrono::minutes window{15};
};

class Registry {
 public:
  // REQUIRES: catalog, store and clock outlive the Registry.
  Registry(const Catalog& catalog, RegistryStore& store, const Clock& clock = system_clock(),
           LookupLimits limits = {});

  // Validates and registers; returns the entry and its access code.
  // Errors: invalid_argument (missing or malformed field, future date),
  // not_found (register, kind, document, request), io.
  Result<Registered> register_entry(const Registration& registration, const std::string& actor);

  Result<RegistryEntry> find(const EntryRef& ref) const;  // not_found, invalid_argument (ambiguous)
  Result<std::vector<RegistryEntry>> list(const std::string& register_name, int year) const;

  // Routes to a department and optionally a person of it (who must exist and
  // belong to it). Errors: not_found, invalid_argument, conflict (closed entry).
  Result<RegistryEntry> assign(const EntryRef& ref, const std::string& department,
                               const std::optional<std::string>& person, const std::string& actor);
  // Moves along registered → assigned → in-progress → answered → closed →
  // archived (closing early is allowed). Errors: invalid_argument, conflict.
  Result<RegistryEntry> set_status(const EntryRef& ref, const std::string& status, const std::string& note,
                                   const std::string& actor);
  // The number stays taken, with status annulled and the reason.
  // Errors: invalid_argument (no reason), conflict (answered or later).
  Result<RegistryEntry> annul(const EntryRef& ref, const std::string& reason, const std::string& actor);
  // Moves the deadline later, with a justification. Errors: invalid_argument, conflict.
  Result<RegistryEntry> extend_deadline(const EntryRef& ref, const std::string& new_deadline,
                                        const std::string& justification, const std::string& actor);
  // Registry duties of the archival instructions (issue 10). Each records a
  // Disposition beside the status, with its event and audit row; terms are
  // calendar days after the Bucharest date of registration, the last day
  // included. `late`: the justification that lets a duty pass its term (it is
  // recorded and the disposition flagged); refused when the term has not passed.

  // Joins (conexare) `ref`, a related later document, to the `first` entry:
  // `ref` is closed as joined and listed with the first. Errors:
  // invalid_argument (same entry, first is later), not_found, conflict
  // (`ref` not open, first annulled or itself joined).
  Result<RegistryEntry> join(const EntryRef& ref, const EntryRef& first, const std::string& actor);
  // Files without answer (clasare) a petition without signature or identity
  // (OG 27/2002 art. 7): only kinds whose legal basis is OG 27/2002; closes
  // the entry. Errors: invalid_argument (no reason, other kind), conflict.
  Result<RegistryEntry> file_without_answer(const EntryRef& ref, const std::string& reason,
                                            const std::string& actor);
  // Forwards to the competent institution with the notice to the petitioner
  // (OG 27/2002 art. 6(1)): within 5 days of registration; closes the entry.
  // Errors: invalid_argument (blank, late without justification), conflict.
  // With `package` (issue 12), the sealed package sent is recorded in the
  // same transaction (its peer is `institution`).
  Result<RegistryEntry> forward(const EntryRef& ref, const std::string& institution,
                                const std::string& notice, const std::optional<std::string>& late,
                                const std::string& actor,
                                const std::optional<Exchange>& package = std::nullopt);
  // Registers a request another institution forwarded (issue 12), with
  // channel kExchangeChannel and `received` (direction "in": the sender, its
  // number and date) in the same transaction. Errors: those of
  // register_entry, conflict when the package was already received (the
  // message names the number it got then; nothing changes).
  Result<Registered> register_received(Registration registration, const Exchange& received,
                                       const std::string& actor);
  // Records that `institution` registered the package `package_id` sent
  // from here as `number` of `date` (its acknowledgement `ack_package_id`):
  // the citizen's route then shows "forwarded to X, registered there as
  // N". Errors: not_found (no such package sent), permission (the
  // acknowledgement comes from another institution than the one forwarded
  // to), conflict (already acknowledged), io.
  Result<RegistryEntry> record_acknowledgement(const std::string& package_id, const std::string& institution,
                                               const std::string& number, const std::string& date,
                                               const std::string& ack_package_id, const std::string& actor);
  // Extends a Law 544/2001 request to 30 days after registration with the
  // notice (art. 7(1)): only within the first 10 days and once; no `late`
  // (the law gives none). Errors: invalid_argument (kind, blank, past day 10), conflict.
  Result<RegistryEntry> extend_544(const EntryRef& ref, const std::string& notice, const std::string& actor);
  // Refuses a Law 544/2001 request with its reason (art. 7(2)) on a ground
  // of kRefusalGrounds; within 5 days, later only with `late` (flagged). The
  // refusal is the answer: the entry becomes answered. Errors:
  // invalid_argument, conflict.
  Result<RegistryEntry> refuse_544(const EntryRef& ref, const std::string& ground, const std::string& reason,
                                   const std::optional<std::string>& late, const std::string& actor);

  // Open entries late or due within `within_days` days (0: due today or late).
  Result<std::vector<RegistryEntry>> overdue(int within_days) const;
  // Today's date in Bucharest, YYYY-MM-DD.
  std::string today() const;

  // The citizen's view, given the number and the access code: never a CNP in
  // clear (the notes told are masked). Every attempt is audited. Errors: invalid_argument (malformed number),
  // permission (number or code wrong: the two are not told apart), limit_exceeded.
  Result<CitizenView> lookup(const std::string& number, const std::string& code, const std::string& actor);
  // Checks a code without counting it as a citizen lookup (printing a receipt).
  Status check_code(const RegistryEntry& entry, const std::string& code) const;
  // Issues a new code, invalidating the old one (a lost receipt).
  Result<std::string> reissue_code(const EntryRef& ref, const std::string& actor);

  Result<DocumentKind> kind(const std::string& name) const;  // not_found
  // Whether the kind's legal basis is Law 544/2001 (public information) or
  // OG 27/2002 (petitions). An unknown kind is neither.
  bool is_public_information(const std::string& kind_name) const;
  bool is_petition(const std::string& kind_name) const;
  // What the receipt of `entry` prints, with `access_code` (checked by the
  // caller with check_code, or just issued); CNPs in the subject masked, as
  // nothing here knows who holds the receipt. Errors: io.
  Result<Receipt> receipt(const RegistryEntry& entry, const std::string& access_code,
                          const std::string& institution) const;

 private:
  // Checks the term of a duty on `e` and the justification of a late one;
  // returns whether it is late. Errors: invalid_argument.
  Result<bool> late_check(const RegistryEntry& e, int days, const std::optional<std::string>& late,
                          const std::string& duty) const;
  // register_entry() once the channel is checked; records `received` with the entry.
  Result<Registered> register_checked(const Registration& r, const std::optional<Exchange>& received,
                                      const std::string& actor);
  // Finds `ref`, requires it open and of the kind `is_kind` accepts.
  Result<RegistryEntry> open_entry(const EntryRef& ref) const;

  const Catalog& catalog_;
  RegistryStore& store_;
  const Clock& clock_;
  LookupLimits limits_;
};

}  // namespace dosar::workflow
