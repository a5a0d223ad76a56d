// Online submissions: what a citizen sends through a form becomes an incoming
// registry entry of channel online, "de verificat" until a clerk accepts or
// annuls it; the attachments go through ingest (type from content, OCR,
// index) as documents linked to the entry. forms/'s public header for
// submissions.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "forms/form_definition.h"
#include "forms/form_input.h"
#include "storage/archive_store.h"
#include "storage/submission_store.h"
#include "workflow/registry.h"

namespace dosar::forms {

struct Attachment {
  std::filesystem::path file;  // staged by the caller under a name of its own
  std::string name;            // the submitter's name, from attachment_name
};

struct Submission {
  const FormDefinition* form = nullptr;
  std::map<std::string, std::string> fields;  // from validate_fields
  bool consent = false;                       // to the form's notice
  std::vector<Attachment> attachments;
  std::optional<std::string> idempotency_key;
};

struct Submitted {
  RegistryEntry entry;
  std::optional<std::string> access_code;  // none when an earlier request registered it
};

// What the desk sees of a submission waiting for a check.
struct QueuedSubmission {
  RegistryEntry entry;
  OnlineSubmission submission;
};

struct IngestSettings {
  bool ocr = true;
  std::string ocr_languages = "ron+eng";
};

class OnlineDesk {
 public:
  // Errors: io (catalogue).
  // `forms`, when given, must outlive the desk (default: the shipped forms),
  // for what documents added later may be.
  static Result<OnlineDesk> open(ArchiveStore& archive, IngestSettings ingest = {},
                                 workflow::LookupLimits limits = {},
                                 const std::vector<FormDefinition>* forms = nullptr);

  // Registers a checked submission. With an idempotency key already used,
  // registers nothing and returns that entry without its code. Errors:
  // invalid_argument (no consent, missing attachments), unsupported (an
  // attachment's content is not what the form accepts), those of ingest and
  // of Registry::register_entry.
  Result<Submitted> submit(const Submission& submission, const std::string& actor);

  // Adds documents to a submitted entry, given its number and access code
  // (checked and rate-limited as the citizen's lookup). Errors: those of
  // Registry::lookup, conflict (annulled or closed), unsupported.
  Result<RegistryEntry> add_documents(const std::string& number, const std::string& code,
                                      const std::vector<Attachment>& attachments, const std::string& actor);

  // Submissions waiting for a check ("de verificat"), oldest first.
  Result<std::vector<QueuedSubmission>> queue() const;
  // Accepts a submission; with a department, routes it too. Errors:
  // not_found, conflict (already checked), those of Registry::assign.
  Result<RegistryEntry> accept(const std::string& number, const std::optional<std::string>& department,
                               const std::string& actor);
  // Annuls a submission as spam; the number stays used. Errors:
  // invalid_argument (no reason), not_found, conflict.
  Result<RegistryEntry> reject_as_spam(const std::string& number, const std::string& reason,
                                       const std::string& actor);
  // The check state of an entry, if it came through a form.
  Result<std::optional<std::string>> verification(RegistryEntryId entry) const;

  workflow::Registry& registry() { return *registry_; }

 private:
  OnlineDesk(ArchiveStore& archive, IngestSettings ingest, std::unique_ptr<RegistryStore> registry_store,
             std::unique_ptr<SubmissionStore> submissions, workflow::LookupLimits limits,
             const std::vector<FormDefinition>* forms);
  Result<std::vector<DocumentId>> ingest(const std::vector<Attachment>& attachments,
                                         const std::vector<std::string>& accept, const std::string& kind,
                                         const std::string& confidentiality, const std::string& actor);
  Result<RegistryEntry> online_entry(const std::string& number) const;

  ArchiveStore* archive_;
  IngestSettings ingest_;
  const std::vector<FormDefinition>* forms_;
  std::unique_ptr<RegistryStore> registry_store_;
  std::unique_ptr<SubmissionStore> submissions_;
  std::unique_ptr<workflow::Registry> registry_;
};

}  // namespace dosar::forms
