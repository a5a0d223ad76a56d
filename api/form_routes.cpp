// The public forms: GET /formulare, /formulare/{id}, POST /formulare/trimite
// (plain HTML, no script needed), GET /api/v1/public/forms, POST
// /api/v1/public/submissions, its documents and receipts; and the desk's
// queue of submissions to check, /api/v1/registry/online…
#include "api/form_routes.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "api/http_support.h"
#include "api/json_shapes.h"
#include "base/cnp.h"
#include "base/sha256.h"
#include "forms/mail.h"
#include "persons/persons.h"
#include "storage/blob_store.h"

namespace dosar::api {
namespace {

namespace fs = std::filesystem;
using forms::Attachment;
using forms::FormDefinition;
using nlohmann::json;

enum class Reply { api, page };

Result<std::string> random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    return make_error(ErrorCode::io, "random", "the random generator failed");
  return to_hex(raw);
}

// Reads what the client still sends (up to a bound) so that it hears the answer
// rather than a connection reset.
// (httplib reads a multipart body only through its multipart reader.)
void drain(const httplib::Request& req, const httplib::ContentReader& reader) {
  std::uint64_t dropped = 0;
  auto count = [&](const char*, std::size_t length) { return (dropped += length) <= kUploadDrainBytes; };
  if (req.is_multipart_form_data())
    reader([](const httplib::MultipartFormData&) { return true; }, count);
  else
    reader(count);
}

struct Received {
  std::map<std::string, std::string> parts;             // every part that is not a file
  std::vector<std::pair<fs::path, std::string>> files;  // staged file, the name the client gave
};

// A part's name as it may be echoed in an answer (JSON needs valid UTF-8).
std::string shown_name(const std::string& name) {
  bool plain = !name.empty() && name.size() <= 40 &&
               name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
  return plain ? name : "a part";
}

// Streams a multipart body: fields into memory (bounded), files to `dir`
// under names of our own. Stops storing at the first limit passed and
// reports it; the rest of the body is read and dropped (bounded).
Result<Received> read_multipart(const httplib::ContentReader& reader, const forms::SubmissionLimits& limits,
                                std::uint64_t max_request, const fs::path& dir) {
  Received out;
  std::optional<Error> failure;
  enum class Target { field, file, skip } target = Target::skip;
  std::string field;
  std::ofstream file;
  std::uint64_t file_bytes = 0;
  std::uint64_t total = 0;
  int parts = 0;
  auto fail = [&](Error e) {
    if (!failure) failure = std::move(e);
    target = Target::skip;
    if (file.is_open()) file.close();
  };
  bool whole = reader(
      [&](const httplib::MultipartFormData& part) {
        if (file.is_open()) file.close();
        if (failure) return true;
        if (++parts > limits.max_parts)
          fail(make_error(ErrorCode::limit_exceeded, "request",
                          "has more than " + std::to_string(limits.max_parts) + " parts"));
        else if (part.name == "files" && !part.filename.empty()) {
          if (static_cast<int>(out.files.size()) >= limits.max_files)
            return fail(make_error(
                       ErrorCode::limit_exceeded, "files",
                       "at most " + std::to_string(limits.max_files) + " files in one submission")),
                   true;
          fs::path staged = dir / ("anexa-" + std::to_string(out.files.size() + 1));
          out.files.emplace_back(staged, part.filename);
          file.open(staged, std::ios::binary);
          if (!file) return fail(make_error(ErrorCode::io, staged.string(), "cannot create")), true;
          file_bytes = 0;
          target = Target::file;
        } else if (part.name == "files") {
          target = Target::skip;  // a file input left empty
        } else if (out.parts.count(part.name)) {
          fail(make_error(ErrorCode::invalid_argument, shown_name(part.name), "appears twice"));
        } else {
          field = part.name;
          out.parts[field];
          target = Target::field;
        }
        return true;
      },
      [&](const char* data, std::size_t length) {
        total += length;
        if (total > max_request + kUploadDrainBytes) return false;
        if (total > max_request)
          fail(make_error(ErrorCode::limit_exceeded, "request",
                          "is larger than " + std::to_string(max_request >> 20) + " MiB"));
        if (target == Target::field) {
          std::string& value = out.parts[field];
          if (value.size() + length > limits.max_part_bytes)
            fail(make_error(ErrorCode::limit_exceeded, shown_name(field),
                            "is longer than " + std::to_string(limits.max_part_bytes) + " bytes"));
          else
            value.append(data, length);
        } else if (target == Target::file) {
          file_bytes += length;
          if (file_bytes > limits.max_file_bytes)
            fail(make_error(ErrorCode::limit_exceeded, "files",
                            "a file is larger than " + std::to_string(limits.max_file_bytes >> 20) + " MiB"));
          else if (!file.write(data, static_cast<std::streamsize>(length)))
            fail(make_error(ErrorCode::io, "files", "cannot store the file"));
        }
        return true;
      });
  if (file.is_open()) file.close();
  if (failure) return *failure;
  if (!whole) return make_error(ErrorCode::io, "request", "did not arrive whole");
  return out;
}

struct StagingFolder {
  fs::path dir;
  ~StagingFolder() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

// The body of a request into `staging` (created here), or why not.
Result<Received> receive(const httplib::Request& req, const httplib::ContentReader& reader,
                         const PublicForms& pf, std::uint64_t max_request, const StagingFolder& staging) {
  std::error_code ec;
  fs::create_directories(staging.dir, ec);
  if (ec) {
    drain(req, reader);
    return make_error(ErrorCode::io, staging.dir.string(), "cannot create: " + ec.message());
  }
  return read_multipart(reader, pf.limits, max_request, staging.dir);
}

Result<std::vector<Attachment>> attachments_of(const Received& received,
                                               const forms::SubmissionLimits& limits) {
  std::vector<Attachment> out;
  for (const auto& [file, raw] : received.files) {
    auto name = forms::attachment_name(raw, limits.max_file_name_bytes);
    if (!name.ok()) return name.error();
    out.push_back({file, *name});
  }
  return out;
}

bool rate_limited(PublicForms& pf, const std::string& address) {
  auto now = std::chrono::system_clock::now();
  return !pf.overall.allow("all", now) || !pf.per_address.allow(address, now);
}

Error too_many() {
  return make_error(ErrorCode::limit_exceeded, "rate", "too many submissions; try again later");
}

void send_failure(httplib::Response& res, Reply as, const Error& e, const PublicForms& pf,
                  const FormDefinition* form, const std::map<std::string, std::string>& values) {
  int status = http_status_for(e.code);
  if (e.code == ErrorCode::limit_exceeded &&
      (e.subject == "rate" || e.subject.rfind("registry number", 0) == 0))
    status = 429;
  if (status == 429) res.set_header("Retry-After", "900");
  if (as == Reply::api) {
    send_error(res, e);
  } else {
    set_page_headers(res);
    res.set_content(form ? form_page(pf, *form, values, e)
                         : message_page("Cererea nu a fost trimisă", e.subject + ": " + e.message),
                    "text/html; charset=utf-8");
  }
  res.status = status;
}

void send_answer(httplib::Response& res, Reply as, const json& answer) {
  int status = answer["access_code"].is_null() ? 200 : 201;
  if (as == Reply::api) return send_json(res, status, answer);
  set_page_headers(res);
  res.status = status;
  res.set_content(confirmation_page(answer), "text/html; charset=utf-8");
}

// The answer kept for an idempotency key: released (forgotten) on failure,
// so that the client may retry.
class KeyClaim {
 public:
  KeyClaim(PublicForms& pf, std::string key) : pf_(pf), key_(std::move(key)) {}
  ~KeyClaim() {
    if (key_.empty() || done_) return;
    std::lock_guard lock(pf_.mutex);
    pf_.answers.erase(key_);
  }
  void done(const json& body) {
    if (key_.empty()) return;
    std::lock_guard lock(pf_.mutex);
    pf_.answers[key_] = {false, body, std::chrono::system_clock::now()};
    done_ = true;
  }

 private:
  PublicForms& pf_;
  std::string key_;
  bool done_ = false;
};

forms::SmtpSettings smtp_settings(const PublicFormsOptions& o) {
  return {o.smtp_url, o.smtp_from, o.smtp_user, o.smtp_password, o.smtp_require_tls};
}

// The receipt by e-mail, when the server has SMTP and the citizen gave an
// address. Sent from a thread of its own, so that a slow mail server does
// not hold the answer; a failure is reported on the server's error stream.
void mail_receipt(const App& app, ArchiveStore& archive, const workflow::Registry& registry,
                  const RegistryEntry& entry, const std::string& code) {
  if (app.options.forms.smtp_url.empty() || entry.sender_contact.find('@') == std::string::npos) return;
  auto r = registry.receipt(entry, code, app.options.forms.institution);
  if (!r.ok()) return;
  auto pdf = receipt_pdf(archive, *r);
  if (!pdf.ok()) return;
  forms::Mail mail{entry.sender_contact,
                   "Cererea dumneavoastră a fost înregistrată cu nr. " + entry.number,
                   "Bună ziua,\n\nCererea a fost înregistrată cu numărul " + entry.number +
                       ". Termenul de răspuns: " + romanian_date(entry.deadline) +
                       ".\nCodul de acces este pe recipisa atașată; cu el urmăriți "
                       "cererea pe pagina „Stadiul cererii”.\n",
                   "recipisa-" + std::to_string(entry.seq) + ".pdf",
                   std::move(pdf).value(),
                   "application/pdf"};
  std::thread([smtp = smtp_settings(app.options.forms), mail = std::move(mail)] {
    Status sent = forms::send_mail(smtp, mail);
    if (!sent.ok()) std::fprintf(stderr, "dosar: %s\n", sent.error().to_string().c_str());
  }).detach();
}

void submit(const App& app, const httplib::Request& req, httplib::Response& res,
            const httplib::ContentReader& reader, Reply as) {
  PublicForms& pf = *app.forms;
  const std::string address = client_address(app, req);
  std::map<std::string, std::string> no_values;
  auto refuse = [&](const Error& e, const FormDefinition* form = nullptr,
                    const std::map<std::string, std::string>& values = {}) {
    send_failure(res, as, e, pf, form, values);
  };
  if (rate_limited(pf, address)) return drain(req, reader), refuse(too_many());
  if (!req.is_multipart_form_data())
    return drain(req, reader),
           refuse(make_error(ErrorCode::unsupported, "request", "send multipart/form-data"));
  if (req.has_header("Content-Length") && std::strtoull(req.get_header_value("Content-Length").c_str(),
                                                        nullptr, 10) > app.options.forms.max_request_bytes)
    return drain(req, reader),
           refuse(make_error(
               ErrorCode::limit_exceeded, "request",
               "is larger than " + std::to_string(app.options.forms.max_request_bytes >> 20) + " MiB"));
  auto archive = app.archive();
  if (!archive.ok()) return drain(req, reader), refuse(archive.error());
  StagingFolder staging{new_staging_path((*archive)->spool_dir())};
  auto received = receive(req, reader, pf, app.options.forms.max_request_bytes, staging);
  if (!received.ok()) return refuse(received.error());
  auto& parts = received->parts;
  const FormDefinition* form = pf.find(parts["form"]);
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : parts)
    if (std::none_of(std::begin(forms::kReservedPartNames), std::end(forms::kReservedPartNames),
                     [&](const char* r) { return name == r; }))
      values[name] = value;

  std::string key =
      req.has_header("Idempotency-Key") ? req.get_header_value("Idempotency-Key") : parts["idempotency_key"];
  if (key.size() > 200 ||
      key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") !=
          std::string::npos)
    return refuse(make_error(ErrorCode::invalid_argument, "Idempotency-Key",
                             "must be at most 200 letters, digits, dashes, dots, colons or underscores"));
  std::string claim_key;
  if (!key.empty()) {
    claim_key = address + "\n" + key;
    std::lock_guard lock(pf.mutex);
    auto it = pf.answers.find(claim_key);
    if (it != pf.answers.end()) {
      if (it->second.in_flight)
        return refuse(make_error(ErrorCode::conflict, "Idempotency-Key",
                                 "a submission with this key is being registered; try again in a moment"));
      return send_answer(res, as, it->second.body);  // the retry gets the first answer
    }
    pf.answers[claim_key] = {true, json(), std::chrono::system_clock::now()};
  }
  KeyClaim claim(pf, claim_key);

  // The honeypot: a field people never see (hidden by the style sheet).
  if (!parts["website"].empty())
    return refuse(make_error(ErrorCode::invalid_argument, "form", "the submission was refused"));
  if (pf.proof_of_work) {
    const std::string& challenge = parts["pow_challenge"];
    const std::string& nonce = parts["pow_nonce"];
    if (!nonce.empty()) {
      Status proven = pf.proof_of_work->verify(challenge, nonce);
      if (!proven.ok()) return refuse(proven.error(), form, values);
    } else {
      // Without the page's script: accepted, within much smaller limits.
      auto now = std::chrono::system_clock::now();
      if (!pf.unproven_overall.allow("all", now) || !pf.unproven_per_address.allow(address, now))
        return refuse(
            make_error(ErrorCode::limit_exceeded, "rate",
                       "without JavaScript only a few forms an hour are accepted; enable JavaScript, "
                       "try again later or come to the registry desk"),
            form, values);
    }
  }
  if (!form)
    return refuse(make_error(ErrorCode::not_found, "form " + shown_name(parts["form"]), "no such form"));
  auto fields = forms::validate_fields(*form, values);
  if (!fields.ok()) return refuse(fields.error(), form, values);
  auto attachments = attachments_of(*received, pf.limits);
  if (!attachments.ok()) return refuse(attachments.error(), form, values);
  forms::Submission submission{form, *fields, false, *attachments, std::nullopt};
  const std::string& consent = parts["consent"];
  submission.consent = consent == "on" || consent == "true" || consent == "1";
  if (!key.empty()) submission.idempotency_key = address + "\n" + key;

  auto desk =
      forms::OnlineDesk::open(**archive, {app.options.ocr, app.options.ocr_languages}, {}, &pf.definitions);
  if (!desk.ok()) return refuse(desk.error(), form, values);
  auto submitted = desk->submit(submission, "online:" + address);
  if (!submitted.ok()) return refuse(submitted.error(), form, values);
  json answer = {{"number", submitted->entry.number},
                 {"deadline", submitted->entry.deadline},
                 {"form", form->id},
                 {"status", "to-verify"},
                 {"access_code", nullptr},
                 {"receipt_url", nullptr}};
  if (submitted->access_code) {
    auto token = random_hex(16);
    if (!token.ok()) return refuse(token.error());
    answer["access_code"] = *submitted->access_code;
    answer["receipt_url"] = "/api/v1/public/receipts/" + *token;
    std::lock_guard lock(pf.mutex);
    auto now = std::chrono::system_clock::now();
    std::erase_if(pf.receipts, [&](const auto& item) { return item.second.expires < now; });
    std::erase_if(pf.answers, [&](const auto& item) {
      return !item.second.in_flight && item.second.at < now - std::chrono::hours(24);
    });
    pf.receipts[*token] = {submitted->entry.id, *submitted->access_code, now + std::chrono::hours(24)};
    mail_receipt(app, **archive, desk->registry(), submitted->entry, *submitted->access_code);
  } else {
    answer["message"] =
        "registered earlier under this Idempotency-Key; the access code is on the first receipt";
  }
  claim.done(answer);
  send_answer(res, as, answer);
}

void receipt(const App& app, const httplib::Request& req, httplib::Response& res) {
  PublicForms& pf = *app.forms;
  PublicForms::ReceiptLink link;
  {
    std::lock_guard lock(pf.mutex);
    auto it = pf.receipts.find(req.matches[1]);
    if (it == pf.receipts.end() || it->second.expires < std::chrono::system_clock::now())
      return send_error(res,
                        make_error(ErrorCode::not_found, "receipt",
                                   "no such receipt link (they last 24 hours); the status page still works"));
    link = it->second;
  }
  auto archive = app.archive();
  if (!archive.ok()) return send_error(res, archive.error());
  auto desk = forms::OnlineDesk::open(**archive);
  if (!desk.ok()) return send_error(res, desk.error());
  auto store = open_registry_store(**archive);
  if (!store.ok()) return send_error(res, store.error());
  auto entry = (*store)->entry(link.entry);
  if (!entry.ok()) return send_error(res, entry.error());
  auto r = desk->registry().receipt(*entry, link.access_code, app.options.forms.institution);
  if (!r.ok()) return send_error(res, r.error());
  auto pdf = receipt_pdf(**archive, *r);
  if (!pdf.ok()) return send_error(res, pdf.error());
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Disposition",
                 "attachment; filename=\"recipisa-" + std::to_string(entry->seq) + ".pdf\"");
  res.set_content(*pdf, "application/pdf");
}

void add_documents(const App& app, const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& reader) {
  PublicForms& pf = *app.forms;
  const std::string address = client_address(app, req);
  auto refuse = [&](const Error& e) { send_failure(res, Reply::api, e, pf, nullptr, {}); };
  if (rate_limited(pf, address)) return drain(req, reader), refuse(too_many());
  if (!req.is_multipart_form_data())
    return drain(req, reader),
           refuse(make_error(ErrorCode::unsupported, "request", "send multipart/form-data"));
  auto archive = app.archive();
  if (!archive.ok()) return drain(req, reader), refuse(archive.error());
  StagingFolder staging{new_staging_path((*archive)->spool_dir())};
  auto received = receive(req, reader, pf, app.options.forms.max_request_bytes, staging);
  if (!received.ok()) return refuse(received.error());
  for (const auto& [name, value] : received->parts)
    if (name != "code")
      return refuse(make_error(ErrorCode::invalid_argument, shown_name(name), "is not expected here"));
  auto attachments = attachments_of(*received, pf.limits);
  if (!attachments.ok()) return refuse(attachments.error());
  std::string number = req.matches[1];
  for (std::size_t at;
       (at = number.find("%2F")) != std::string::npos || (at = number.find("%2f")) != std::string::npos;)
    number.replace(at, 3, "/");
  auto desk =
      forms::OnlineDesk::open(**archive, {app.options.ocr, app.options.ocr_languages}, {}, &pf.definitions);
  if (!desk.ok()) return refuse(desk.error());
  auto entry = desk->add_documents(number, received->parts["code"], *attachments, "citizen@" + address);
  if (!entry.ok()) return refuse(entry.error());
  send_json(
      res, 201,
      {{"number", entry->number}, {"added", attachments->size()}, {"documents", entry->documents.size()}});
}

// One submission waiting at the desk as the desk sees it; `opened` by a
// caller with restricted access: the answers and the entry's texts with
// their CNPs in clear, else masked.
json queued_item(ArchiveStore& archive, const Caller& caller, forms::QueuedSubmission& q, bool opened) {
  bool personal = caller.visibility.allows(q.entry.department, "restricted-personal-data");
  const bool clear = opened && personal;
  if (!clear) persons::mask_cnps(q.entry);  // a list has no purpose (issue 12)
  json item = to_json(q.entry, personal);
  item["status"] = "to-verify";
  item["status_label"] = forms::status_label("to-verify");
  item["form"] = q.submission.form_id;
  item["form_version"] = q.submission.form_version;
  item["notice_version"] = q.submission.notice_version;
  item["consent_at"] = q.submission.consent_at;
  // The answers are JSON strings: masking their text keeps them JSON.
  item["fields"] =
      personal ? json::parse(clear ? q.submission.answers : mask_cnps(q.submission.answers), nullptr, false)
               : json("restricted");
  json documents = json::array();
  for (DocumentId id : q.entry.documents) {
    auto d = archive.catalog().document(id);
    if (d.ok() && caller.visibility.allows(d->department, d->confidentiality))
      documents.push_back({{"id", id}, {"title", mask_cnps(d->title)}});
  }
  item["documents"] = documents;
  return item;
}

// The desk: what waits to be checked, with the answers the citizen gave
// (CNPs masked: GET …/online/submission opens one).
void queue(const App& app, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
           httplib::Response& res) {
  auto desk = forms::OnlineDesk::open(archive, {}, {}, &app.forms->definitions);
  if (!desk.ok()) return send_error(res, desk.error());
  auto waiting = desk->queue();
  if (!waiting.ok()) return send_error(res, waiting.error());
  json list = json::array();
  for (auto& q : *waiting)
    if (caller.visibility.allows(q.entry.department, "internal"))
      list.push_back(queued_item(archive, caller, q, false));
  send_json(res, 200, {{"entries", list}});
}

// GET /api/v1/registry/online/submission?number=N: one submission waiting
// at the desk, its answers in clear, for the clerk to check them against
// the attachments before registering it. Opening it is a read of every
// known person whose CNP it holds, recorded (purpose
// "înregistrare-cerere"), whoever is assigned to them (issue 12).
void open_submission(const App& app, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                     httplib::Response& res) {
  const std::string number = req.get_param_value("number");
  auto desk = forms::OnlineDesk::open(archive, {}, {}, &app.forms->definitions);
  if (!desk.ok()) return send_error(res, desk.error());
  auto waiting = desk->queue();
  if (!waiting.ok()) return send_error(res, waiting.error());
  auto q = std::find_if(waiting->begin(), waiting->end(),
                        [&](const forms::QueuedSubmission& w) { return w.entry.number == number; });
  if (q == waiting->end() || !caller.visibility.allows(q->entry.department, "internal"))
    return send_error(res, make_error(ErrorCode::not_found, "registry " + number,
                                      "no submission waiting for a check has this number"));
  json item = queued_item(archive, caller, *q, true);
  if (caller.visibility.allows(q->entry.department, "restricted-personal-data")) {
    auto persons = persons::Persons::open(archive);
    if (!persons.ok()) return send_error(res, persons.error());
    std::string seen = q->submission.answers;
    for (const std::string* text : persons::registry_texts(q->entry)) seen += "\n" + *text;
    auto recorded =
        (*persons)->record_registration_read(seen, caller.user.name, "online submission " + q->entry.number);
    if (!recorded.ok()) return send_error(res, recorded.error());
  }
  send_json(res, 200, item);
}

std::string string_field(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void check(const App& app, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
           httplib::Response& res, bool accept) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return send_error(res, make_error(ErrorCode::invalid_argument, "request", "expected a JSON object"));
  auto desk = forms::OnlineDesk::open(archive, {}, {}, &app.forms->definitions);
  if (!desk.ok()) return send_error(res, desk.error());
  std::string number = string_field(body, "number");
  auto entry = desk->registry().find({number, ""});
  if (!entry.ok() || !caller.visibility.allows(entry->department, "internal"))
    return send_error(res, make_error(ErrorCode::not_found, "registry " + number, "no such entry"));
  auto changed = accept ? desk->accept(number, string_field(body, "department"), caller.user.name)
                        : desk->reject_as_spam(number, string_field(body, "reason"), caller.user.name);
  if (!changed.ok()) return send_error(res, changed.error());
  persons::mask_cnps(*changed);  // answered with no purpose (issue 12)
  send_json(res, 200,
            to_json(*changed, caller.visibility.allows(changed->department, "restricted-personal-data")));
}

json definition_json(const FormDefinition& f) {
  json fields = json::array();
  for (const forms::FormField& field : f.fields) {
    json options = json::array();
    for (const auto& o : field.options) options.push_back({{"value", o.value}, {"label", o.label}});
    fields.push_back({{"name", field.name},
                      {"type", forms::field_type_name(field.type)},
                      {"label", field.label},
                      {"required", field.required},
                      {"help", field.help},
                      {"options", options},
                      {"max_length", field.max_length}});
  }
  return {{"id", f.id},
          {"version", f.version},
          {"title", f.title},
          {"description", f.description},
          {"kind", f.kind},
          {"notice_version", f.notice_version},
          {"notice", f.notice},
          {"fields", fields},
          {"attachments",
           {{"label", f.attachments.label},
            {"max_files", f.attachments.max_files},
            {"required", f.attachments.required},
            {"accept", f.attachments.accept}}}};
}

}  // namespace

const FormDefinition* PublicForms::find(const std::string& id) const {
  for (const FormDefinition& f : definitions)
    if (f.id == id) return &f;
  return nullptr;
}

Result<std::shared_ptr<PublicForms>> load_public_forms(const ServerOptions& options, ArchiveStore& archive) {
  const PublicFormsOptions& o = options.forms;
  auto definitions = o.forms_dir
                         ? forms::load_forms(o.forms_dir, forms::OverrideFolder::required)
                         : forms::load_forms(archive.root() / "forms", forms::OverrideFolder::optional);
  if (!definitions.ok()) return definitions.error();
  auto store = open_registry_store(archive);
  if (!store.ok()) return store.error();
  auto registers = (*store)->registers();
  if (!registers.ok()) return registers.error();
  auto kinds = (*store)->kinds();
  if (!kinds.ok()) return kinds.error();
  for (const FormDefinition& f : *definitions) {
    if (std::none_of(registers->begin(), registers->end(),
                     [&](const Register& r) { return r.name == f.register_name; }))
      return make_error(ErrorCode::invalid_argument, f.source,
                        "field 'register': '" + f.register_name + "' is not a register of this archive");
    if (std::none_of(kinds->begin(), kinds->end(), [&](const DocumentKind& k) { return k.name == f.kind; }))
      return make_error(
          ErrorCode::invalid_argument, f.source,
          "field 'kind': '" + f.kind + "' is not a document kind of this archive (dosar registry kinds)");
  }
  auto pf = std::make_shared<PublicForms>(o);
  pf->definitions = std::move(definitions).value();
  pf->limits.max_files = o.max_files;
  pf->limits.max_file_bytes = o.max_file_bytes;
  pf->limits.max_total_bytes = o.max_request_bytes;
  if (o.proof_of_work) {
    auto pow = forms::ProofOfWork::create(o.proof_of_work_bits, std::chrono::hours(2));
    if (!pow.ok()) return pow.error();
    pf->proof_of_work.emplace(std::move(pow).value());
  }
  return pf;
}

void add_form_routes(httplib::Server& server, const App& app) {
  server.Get("/formulare", [&app](const httplib::Request&, httplib::Response& res) {
    set_page_headers(res);
    res.set_content(forms_list_page(*app.forms), "text/html; charset=utf-8");
  });
  server.Get(R"(/formulare/([a-z0-9-]+))", [&app](const httplib::Request& req, httplib::Response& res) {
    const FormDefinition* form = app.forms->find(req.matches[1]);
    set_page_headers(res);
    if (!form) {
      res.status = 404;
      return res.set_content(message_page("Formular inexistent", "Nu există acest formular."),
                             "text/html; charset=utf-8");
    }
    res.set_content(form_page(*app.forms, *form, {}, std::nullopt), "text/html; charset=utf-8");
  });
  server.Post("/formulare/trimite",
              [&app](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { submit(app, req, res, reader, Reply::page); });
  server.Get("/api/v1/public/forms", [&app](const httplib::Request&, httplib::Response& res) {
    json list = json::array();
    for (const FormDefinition& f : app.forms->definitions) list.push_back(definition_json(f));
    send_json(res, 200, {{"forms", list}});
  });
  server.Get("/api/v1/public/challenge", [&app](const httplib::Request&, httplib::Response& res) {
    const auto& pow = app.forms->proof_of_work;
    send_json(res, 200,
              pow ? json{{"challenge", pow->challenge()}, {"bits", pow->bits()}}
                  : json{{"challenge", nullptr}, {"bits", 0}});
  });
  server.Post("/api/v1/public/submissions",
              [&app](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { submit(app, req, res, reader, Reply::api); });
  server.Get(R"(/api/v1/public/receipts/([0-9a-f]{32}))",
             [&app](const httplib::Request& req, httplib::Response& res) { receipt(app, req, res); });
  server.Post(R"(/api/v1/public/submissions/(.+)/documents)",
              [&app](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) { add_documents(app, req, res, reader); });
  server.Get("/api/v1/registry/online", signed_in(app, queue));
  server.Get("/api/v1/registry/online/submission", signed_in(app, open_submission));
  server.Post("/api/v1/registry/online/accept",
              signed_in(app, [](const App& a, ArchiveStore& archive, const Caller& caller,
                                const httplib::Request& req,
                                httplib::Response& res) { check(a, archive, caller, req, res, true); }));
  server.Post("/api/v1/registry/online/reject",
              signed_in(app, [](const App& a, ArchiveStore& archive, const Caller& caller,
                                const httplib::Request& req,
                                httplib::Response& res) { check(a, archive, caller, req, res, false); }));
}

}  // namespace dosar::api
