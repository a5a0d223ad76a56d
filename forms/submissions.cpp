#include "forms/submissions.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "ingest/file_type.h"
#include "ingest/ingester.h"

namespace dosar::forms {
namespace {

namespace fs = std::filesystem;

Error invalid(const std::string& subject, const std::string& message) {
  return make_error(ErrorCode::invalid_argument, subject, message);
}

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& v : list) out += (out.empty() ? "" : ", ") + v;
  return out;
}

}  // namespace

OnlineDesk::OnlineDesk(ArchiveStore& archive, IngestSettings ingest,
                       std::unique_ptr<RegistryStore> registry_store,
                       std::unique_ptr<SubmissionStore> submissions, workflow::LookupLimits limits,
                       const std::vector<FormDefinition>* forms)
    : archive_(&archive),
      ingest_(std::move(ingest)),
      forms_(forms),
      registry_store_(std::move(registry_store)),
      submissions_(std::move(submissions)),
      registry_(std::make_unique<workflow::Registry>(archive.catalog(), *registry_store_, system_clock(),
                                                     limits)) {}

Result<OnlineDesk> OnlineDesk::open(ArchiveStore& archive, IngestSettings ingest,
                                    workflow::LookupLimits limits, const std::vector<FormDefinition>* forms) {
  auto registry_store = open_registry_store(archive);
  if (!registry_store.ok()) return registry_store.error();
  auto submissions = open_submission_store(archive);
  if (!submissions.ok()) return submissions.error();
  return OnlineDesk(archive, std::move(ingest), std::move(registry_store).value(),
                    std::move(submissions).value(), limits, forms);
}

Result<std::vector<DocumentId>> OnlineDesk::ingest(const std::vector<Attachment>& attachments,
                                                   const std::vector<std::string>& accept,
                                                   const std::string& kind,
                                                   const std::string& confidentiality,
                                                   const std::string& actor) {
  // Every file is checked before any is stored: a refused one leaves nothing behind.
  auto detector = TypeDetector::create();
  if (!detector.ok()) return detector.error();
  for (const Attachment& a : attachments) {
    std::ifstream in(a.file, std::ios::binary);
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    std::string type = (*detector)->detect(head).mime_type;
    if (std::find(accept.begin(), accept.end(), type) == accept.end())
      return make_error(ErrorCode::unsupported, a.name,
                        "is " + (type.empty() ? std::string("of an unknown type") : type) +
                            "; this form accepts " + joined(accept));
  }
  std::vector<DocumentId> documents;
  for (const Attachment& a : attachments) {
    IngestOptions options;
    options.title = a.name;  // the submitter's name is metadata only
    options.document_type = kind;
    options.confidentiality = confidentiality;
    options.actor = actor;
    options.accepted_types = accept;
    options.ocr = ingest_.ocr;
    options.ocr_languages = ingest_.ocr_languages;
    auto ingester = Ingester::create(*archive_, options);
    if (!ingester.ok()) return ingester.error();
    std::optional<IngestItem> result;
    DOSAR_TRY((*ingester)->ingest({a.file}, [&](const IngestItem& item) { result = item; }));
    if (!result) return make_error(ErrorCode::io, a.name, "was not processed");
    if (result->status == IngestStatus::rejected) {
      Error why = result->error.value_or(Error{ErrorCode::unsupported, a.name, "rejected"});
      why.subject = a.name;  // the submitter's name, not the staging path
      return why;
    }
    // The same bytes twice (or already in the archive) are one document.
    if (std::find(documents.begin(), documents.end(), result->document_id) == documents.end())
      documents.push_back(result->document_id);
  }
  return documents;
}

Result<Submitted> OnlineDesk::submit(const Submission& s, const std::string& actor) {
  const FormDefinition& form = *s.form;
  std::optional<std::string> key_hash;
  if (s.idempotency_key) {
    key_hash = sha256_hex(*s.idempotency_key);
    auto earlier = submissions_->entry_for_key(*key_hash);
    if (!earlier.ok()) return earlier.error();
    if (*earlier) {
      auto entry = registry_store_->entry(**earlier);
      if (!entry.ok()) return entry.error();
      return Submitted{std::move(entry).value(), std::nullopt};
    }
  }
  if (!s.consent)
    return invalid("consent", "the form is sent only with your agreement to the personal-data notice");
  if (static_cast<int>(s.attachments.size()) > form.attachments.max_files)
    return make_error(ErrorCode::limit_exceeded, "files",
                      "this form takes at most " + std::to_string(form.attachments.max_files) + " files");
  if (form.attachments.required && s.attachments.empty())
    return invalid("files", "attach at least one document (" + form.attachments.label + ")");
  auto documents =
      ingest(s.attachments, form.attachments.accept, form.kind, form.attachments.confidentiality, actor);
  if (!documents.ok()) return documents.error();

  auto value = [&](const std::string& name) {
    auto it = s.fields.find(name);
    return it == s.fields.end() ? std::string() : it->second;
  };
  workflow::Registration r;
  r.register_name = form.register_name;
  r.kind = form.kind;
  r.channel = "online";
  r.sender_name = value(form.sender_field);
  r.sender_contact = form.contact_field.empty() ? "" : value(form.contact_field);
  std::string about = form.subject_field.empty() ? "" : value(form.subject_field);
  r.subject = form.title + (about.empty() ? "" : ": " + about);
  r.documents = *documents;
  auto registered = registry_->register_entry(r, actor);
  if (!registered.ok()) return registered.error();

  nlohmann::json answers = nlohmann::json::object();
  for (const auto& [name, v] : s.fields) answers[name] = v;
  OnlineSubmission record{registered->entry.id,
                          form.id,
                          form.version,
                          form.notice_version,
                          format_utc(std::chrono::system_clock::now()),
                          "to-verify",
                          answers.dump()};
  DOSAR_TRY(submissions_->add(record, key_hash, actor));
  return Submitted{std::move(registered->entry), std::move(registered->access_code)};
}

Result<RegistryEntry> OnlineDesk::add_documents(const std::string& number, const std::string& code,
                                                const std::vector<Attachment>& attachments,
                                                const std::string& actor) {
  auto view = registry_->lookup(number, code, actor);  // the lookup's rate limit and audit
  if (!view.ok()) return view.error();
  auto entries = registry_store_->entries_numbered(number);
  if (!entries.ok()) return entries.error();
  const RegistryEntry* entry = nullptr;
  for (const RegistryEntry& e : *entries)
    if (registry_->check_code(e, code).ok()) entry = &e;
  if (!entry)
    return make_error(ErrorCode::permission, "registry number " + number, "the access code does not match");
  if (entry->status == "annulled" || entry->status == "closed" || entry->status == "archived")
    return make_error(ErrorCode::conflict, "registry number " + number,
                      "is " + status_label(entry->status) + "; documents can no longer be added");
  if (attachments.empty()) return invalid("files", "attach at least one document");
  if (attachments.size() > 10)
    return make_error(ErrorCode::limit_exceeded, "files", "at most 10 files at once");
  std::vector<std::string> accept = {"application/pdf", "image/jpeg", "image/png", "image/tiff"};
  std::string confidentiality = "internal";
  auto submission = submissions_->submission(entry->id);
  if (submission.ok()) {
    std::vector<FormDefinition> shipped;
    if (!forms_) {
      auto loaded = load_forms(std::nullopt);
      if (loaded.ok()) shipped = std::move(loaded).value();
    }
    for (const FormDefinition& f : forms_ ? *forms_ : shipped)
      if (f.id == submission->form_id) {
        accept = f.attachments.accept;
        confidentiality = f.attachments.confidentiality;
      }
  }
  auto documents = ingest(attachments, accept, entry->kind, confidentiality, actor);
  if (!documents.ok()) return documents.error();
  DOSAR_TRY(submissions_->attach_documents(entry->id, *documents, actor));
  return registry_store_->entry(entry->id);
}

Result<RegistryEntry> OnlineDesk::online_entry(const std::string& number) const {
  auto entry = registry_->find({number, ""});
  if (!entry.ok()) return entry.error();
  auto submission = submissions_->submission(entry->id);
  if (!submission.ok()) return submission.error();
  return entry;
}

Result<std::vector<QueuedSubmission>> OnlineDesk::queue() const {
  auto waiting = submissions_->in_state("to-verify");
  if (!waiting.ok()) return waiting.error();
  std::vector<QueuedSubmission> out;
  for (OnlineSubmission& s : *waiting) {
    auto entry = registry_store_->entry(s.entry_id);
    if (!entry.ok()) return entry.error();
    out.push_back({std::move(entry).value(), std::move(s)});
  }
  return out;
}

Result<RegistryEntry> OnlineDesk::accept(const std::string& number,
                                         const std::optional<std::string>& department,
                                         const std::string& actor) {
  auto entry = online_entry(number);
  if (!entry.ok()) return entry.error();
  DOSAR_TRY(submissions_->set_verification(entry->id, "to-verify", "accepted", "verified", "", actor));
  if (department && !is_blank(*department))
    return registry_->assign({entry->number, entry->register_name}, *department, std::nullopt, actor);
  return registry_store_->entry(entry->id);
}

Result<RegistryEntry> OnlineDesk::reject_as_spam(const std::string& number, const std::string& reason,
                                                 const std::string& actor) {
  if (is_blank(reason)) return invalid("reason", "an annulment needs a reason");
  auto entry = online_entry(number);
  if (!entry.ok()) return entry.error();
  auto submission = submissions_->submission(entry->id);
  if (!submission.ok()) return submission.error();
  if (submission->verification != "to-verify")
    return make_error(ErrorCode::conflict, "registry number " + number,
                      "was already checked (" + status_label(submission->verification) + ")");
  auto annulled = registry_->annul({entry->number, entry->register_name}, reason, actor);
  if (!annulled.ok()) return annulled.error();
  DOSAR_TRY(submissions_->set_verification(entry->id, "to-verify", "spam", "spam", reason, actor));
  return registry_store_->entry(entry->id);
}

Result<std::optional<std::string>> OnlineDesk::verification(RegistryEntryId entry) const {
  auto submission = submissions_->submission(entry);
  if (!submission.ok()) {
    if (submission.error().code == ErrorCode::not_found) return std::optional<std::string>();
    return submission.error();
  }
  return std::optional<std::string>(submission->verification);
}

}  // namespace dosar::forms
