// Data access of online submissions (forms/): the record behind an incoming
// registry entry of channel online, the clerk's check of it, and documents
// a citizen adds later. Each change writes its registry event and audit row
// in the same transaction. A second backend implements this header.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"
#include "storage/registry_store.h"

namespace dosar {

class ArchiveStore;

// Whether a clerk has checked a submission: to-verify ("de verificat"),
// accepted (then routed like any entry) or spam (the entry is annulled).
inline constexpr const char* kVerificationStates[] = {"to-verify", "accepted", "spam"};

struct OnlineSubmission {
  RegistryEntryId entry_id = 0;
  std::string form_id;
  int form_version = 0;
  std::string notice_version;  // of the personal-data notice the citizen agreed to
  std::string consent_at;      // UTC ISO 8601
  std::string verification = "to-verify";
  std::string answers;   // JSON object field -> value; restricted personal data
  int notified_seq = 1;  // the entry's last event mailed to the citizen
};

class SubmissionStore {
 public:
  virtual ~SubmissionStore() = default;

  // Records the submission of an entry just registered, with the hash of its
  // idempotency key if any. Errors: conflict (the key was used), not_found
  // (entry), io.
  virtual Status add(const OnlineSubmission& submission, const std::optional<std::string>& key_hash,
                     const std::string& actor) = 0;
  // The entry registered under an idempotency key's hash, if any.
  virtual Result<std::optional<RegistryEntryId>> entry_for_key(const std::string& key_hash) const = 0;
  virtual Result<OnlineSubmission> submission(RegistryEntryId entry) const = 0;  // not_found, io
  // Submissions in a verification state, oldest first.
  virtual Result<std::vector<OnlineSubmission>> in_state(const std::string& verification) const = 0;
  // Moves from `expected` to `state`, with a registry event `event` and its
  // note. Errors: not_found, conflict (not in `expected` any more), io.
  virtual Status set_verification(RegistryEntryId entry, const std::string& expected,
                                  const std::string& state, const std::string& event, const std::string& note,
                                  const std::string& actor) = 0;
  // Submissions whose entry has events after the last one mailed.
  virtual Result<std::vector<OnlineSubmission>> to_notify() const = 0;
  // Records that the entry's events up to `seq` were mailed. Errors: not_found, io.
  virtual Status set_notified(RegistryEntryId entry, int seq) = 0;
  // Links documents to the entry (a registry event "documents-added").
  // Errors: not_found (entry, document), io.
  virtual Status attach_documents(RegistryEntryId entry, const std::vector<DocumentId>& documents,
                                  const std::string& actor) = 0;
};

// The store of an archive: another connection to its catalogue, SQLite or
// PostgreSQL (migration 9 made the table). Errors: not_found, permission, io,
// corrupt.
Result<std::unique_ptr<SubmissionStore>> open_submission_store(const ArchiveStore& archive,
                                                               const Clock& clock = system_clock());

}  // namespace dosar
