// The registry desk and the citizen's status page: /api/v1/registry…, and
// /api/v1/public/status (no sign-in).
#include <algorithm>
#include <limits>
#include <set>
#include <tuple>

#include "api/http_support.h"
#include "api/json_shapes.h"
#include "base/clock.h"
#include "persons/persons.h"
#include "storage/registry_store.h"
#include "storage/submission_store.h"
#include "workflow/receipt.h"
#include "workflow/registry.h"

namespace dosar::api {
namespace {

struct OpenedRegistry {
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<workflow::Registry> registry;
};

Result<OpenedRegistry> open_registry(ArchiveStore& archive) {
  auto store = open_registry_store(archive);
  if (!store.ok()) return store.error();
  auto registry = std::make_unique<workflow::Registry>(archive.catalog(), **store);
  return OpenedRegistry{std::move(store).value(), std::move(registry)};
}

// Entries are seen by the departments they are routed to; not yet routed,
// by everyone at the desk. The sender is restricted personal data.
bool may_see(const Caller& caller, const RegistryEntry& e) {
  return caller.visibility.allows(e.department, "internal");
}
bool may_see_sender(const Caller& caller, const RegistryEntry& e) {
  return caller.visibility.allows(e.department, "restricted-personal-data");
}

std::string string_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void register_entry(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                    httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return send_error(res, Error{ErrorCode::invalid_argument, "registry", "expected a JSON object"});
  workflow::Registration r;
  if (auto name = string_field(body, "register"); !name.empty()) r.register_name = name;
  if (auto channel = string_field(body, "channel"); !channel.empty()) r.channel = channel;
  r.kind = string_field(body, "kind");
  r.sender_name = string_field(body, "sender");
  r.sender_contact = string_field(body, "contact");
  r.subject = string_field(body, "subject");
  if (auto date = string_field(body, "document_date"); !date.empty()) r.document_date = date;
  if (auto answers = string_field(body, "answers"); !answers.empty()) r.answers = answers;
  if (body.contains("documents")) {
    if (!body["documents"].is_array())
      return send_error(res,
                        Error{ErrorCode::invalid_argument, "documents", "must be a list of document ids"});
    for (const auto& id : body["documents"]) {
      if (!id.is_number_integer())
        return send_error(res,
                          Error{ErrorCode::invalid_argument, "documents", "must be a list of document ids"});
      // Only documents the clerk may see can be attached.
      auto document = archive.catalog().document(id.get<DocumentId>());
      if (!document.ok() || !caller.visibility.allows(document->department, document->confidentiality))
        return send_error(res, Error{ErrorCode::not_found, "document " + std::to_string(id.get<DocumentId>()),
                                     "no such document"});
      r.documents.push_back(id.get<DocumentId>());
    }
  }
  auto opened = open_registry(archive);
  if (!opened.ok()) return send_error(res, opened.error());
  auto registered = opened->registry->register_entry(r, caller.user.name);
  if (!registered.ok()) return send_error(res, registered.error());
  persons::mask_cnps(registered->entry);  // answered with no purpose (issue 12)
  nlohmann::json answer = to_json(registered->entry, true);
  answer["access_code"] = registered->access_code;  // shown once: only its hash is kept
  send_json(res, 201, answer);
}

// What the registry book filters on (all optional): registration dates
// (Bucharest, inclusive), a status ("overdue": open past its deadline;
// "to-verify": an online submission not yet checked), and text found in
// the number or the subject (case and diacritics ignored).
struct BookFilter {
  std::string from, to, status, text;
};

bool is_open(const std::string& status) {
  return status == "registered" || status == "assigned" || status == "in-progress";
}

Result<BookFilter> book_filter(const httplib::Request& req) {
  BookFilter f{req.get_param_value("from"), req.get_param_value("to"), req.get_param_value("status"),
               req.get_param_value("q")};
  // A list shows every CNP masked and declares no read (issue 12): a purpose
  // here would promise what it does not do.
  if (req.has_param("purpose"))
    return make_error(ErrorCode::invalid_argument, "purpose",
                      "the registry book shows every CNP masked and takes no purpose; "
                      "GET /api/v1/registry/entry?number=N&purpose=P reads one entry");
  for (auto [name, value] : {std::pair{"from", &f.from}, std::pair{"to", &f.to}})
    if (!value->empty() && !is_iso_date(*value))
      return make_error(ErrorCode::invalid_argument, name, "must be a date YYYY-MM-DD, not '" + *value + "'");
  if (!f.from.empty() && !f.to.empty() && f.to < f.from)
    return make_error(ErrorCode::invalid_argument, "to", f.to + " is before from " + f.from);
  static const std::set<std::string> statuses{"",       "registered", "assigned", "in-progress", "answered",
                                              "closed", "archived",   "annulled", "overdue",     "to-verify"};
  if (!statuses.count(f.status))
    return make_error(ErrorCode::invalid_argument, "status", "no such status: '" + f.status + "'");
  if (f.text.size() > 200) return make_error(ErrorCode::invalid_argument, "q", "longer than 200 bytes");
  return f;
}

// The UTC instant at which the Bucharest calendar day `date` (YYYY-MM-DD)
// begins, as format_utc writes it: 21:00 or 22:00 UTC the day before.
std::string bucharest_day_start(const std::string& date) {
  auto midnight_utc = parse_utc(date + "T00:00:00Z");
  if (!midnight_utc) return {};
  for (int hours : {3, 2}) {  // summer time (EEST), then winter (EET)
    std::string at = format_utc(*midnight_utc - std::chrono::hours(hours));
    if (bucharest_date(at) == date) return at;
  }
  return {};
}

// The registry book: GET /api/v1/registry?register=&year= | &from=&to=
// &status=&q=&page=&per_page=. Newest first; only entries routed to the
// caller's departments (and those not yet routed). With `page`, one page
// of `per_page` (default 50, at most 200) and the total; without, every
// matching entry (the desk's list). The store filters and pages (an index
// walk in SQL), so a page costs the same in a register of any size.
void list_entries(const App& app, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                  httplib::Response& res) {
  auto store = open_registry_store(archive, app.clock());
  if (!store.ok()) return send_error(res, store.error());
  workflow::Registry registry(archive.catalog(), **store, app.clock());
  std::string register_name = req.has_param("register") ? req.get_param_value("register") : "intrare";
  auto filter = book_filter(req);
  if (!filter.ok()) return send_error(res, filter.error());
  const std::string today = registry.today();
  RegistryBookQuery query;
  query.register_name = register_name;
  query.status = filter->status;
  query.today = today;
  query.text = filter->text;
  int year = 0;
  try {
    year = req.has_param("year") ? std::stoi(req.get_param_value("year")) : std::stoi(today.substr(0, 4));
  } catch (...) {
    return send_error(res, Error{ErrorCode::invalid_argument, "year", "must be a year such as 2026"});
  }
  if (filter->from.empty() && filter->to.empty()) {
    query.year = year;
  } else {  // a period instead of a year, on the Bucharest dates of registration
    year = std::stoi((filter->from.empty() ? filter->to : filter->from).substr(0, 4));
    if (!filter->from.empty()) query.from = bucharest_day_start(filter->from);
    if (!filter->to.empty()) query.until = bucharest_day_start(add_calendar_days(filter->to, 1));
  }
  std::size_t page = 0, per_page = 50;
  for (auto [name, target, max] : {std::tuple{"page", &page, std::size_t{1'000'000}},
                                   std::tuple{"per_page", &per_page, std::size_t{200}}}) {
    if (!req.has_param(name)) continue;
    const std::string text = req.get_param_value(name);
    if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(text) < 1 || std::stoul(text) > max)
      return send_error(
          res, Error{ErrorCode::invalid_argument, name, "must be a number from 1 to " + std::to_string(max)});
    *target = std::stoul(text);
  }
  query.offset = page ? (page - 1) * per_page : 0;
  query.limit = page ? per_page : static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  if (!caller.visibility.all_departments) {
    query.departments = caller.visibility.departments;  // the store compares them folded
  }
  auto found = (*store)->book_page(query);
  if (!found.ok()) return send_error(res, found.error());
  // Submissions from the forms not yet checked at the desk show as such.
  auto submissions = open_submission_store(archive);
  if (!submissions.ok()) return send_error(res, submissions.error());
  nlohmann::json list = nlohmann::json::array();
  for (RegistryEntry& e : found->entries) {
    persons::mask_cnps(e);  // a list has no purpose (issue 12)
    std::string status = e.status;
    if (status == "registered") {
      auto submission = (*submissions)->submission(e.id);
      if (submission.ok() && submission->verification == "to-verify") status = "to-verify";
    }
    list.push_back(to_json(e, may_see_sender(caller, e)));
    list.back()["status"] = status;
    list.back()["overdue"] = is_open(e.status) && !e.deadline.empty() && e.deadline < today;
  }
  nlohmann::json answer = {
      {"register", register_name}, {"year", year}, {"entries", list}, {"total", found->total}};
  if (page) {
    answer["page"] = page;
    answer["per_page"] = per_page;
  }
  send_json(res, 200, answer);
}

// One entry, as `dosar registry show`: GET /api/v1/registry/entry?number=N
// [&register=R][&purpose=P]. An entry the caller may not see is answered
// 404, as one that does not exist. An entry in a person's file needs a
// purpose from the list (400 otherwise) and the read goes into each linked
// person's access records; CNPs, in the entry and in the titles of its
// documents, are in clear only to a caller assigned to their person.
void show_entry(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                httplib::Response& res) {
  auto opened = open_registry(archive);
  if (!opened.ok()) return send_error(res, opened.error());
  workflow::EntryRef ref{req.get_param_value("number"), req.get_param_value("register")};
  auto entry = opened->registry->find(ref);
  if (!entry.ok() && entry.error().code != ErrorCode::not_found) return send_error(res, entry.error());
  if (!entry.ok() || !may_see(caller, *entry))
    return send_error(res, Error{ErrorCode::not_found, "registry " + ref.number, "no such entry"});
  auto persons = persons::Persons::open(archive);
  if (!persons.ok()) return send_error(res, persons.error());
  const std::string purpose = req.get_param_value("purpose");
  if (Status read =
          (*persons)->record_declared_read("registry-entry", entry->id, "registry entry " + entry->number,
                                           caller.user.name, purpose, "show", "the parameter purpose");
      !read.ok())
    return send_error(res, read.error());
  if (Status masked = (*persons)->mask_cnps_for(*entry, caller.user.name, purpose); !masked.ok())
    return send_error(res, masked.error());
  nlohmann::json titles = nlohmann::json::array();
  for (DocumentId id : entry->documents) {
    auto document = archive.catalog().document(id);
    if (!document.ok() || !caller.visibility.allows(document->department, document->confidentiality))
      continue;
    auto title = (*persons)->mask_cnps_for(document->title, caller.user.name, purpose);
    if (!title.ok()) return send_error(res, title.error());
    titles.push_back({{"id", id}, {"title", *title}});
  }
  nlohmann::json answer = to_json(*entry, may_see_sender(caller, *entry));
  answer["documents"] = titles;  // as in the desk's queue
  send_json(res, 200, answer);
}

// POST, not GET: the access code must not end up in logs or history.
void receipt(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
             httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return send_error(res, Error{ErrorCode::invalid_argument, "receipt", "expected {\"number\", \"code\"}"});
  auto opened = open_registry(archive);
  if (!opened.ok()) return send_error(res, opened.error());
  workflow::EntryRef ref{string_field(body, "number"), string_field(body, "register")};
  auto entry = opened->registry->find(ref);
  if (!entry.ok() || !may_see(caller, *entry))
    return send_error(res, Error{ErrorCode::not_found, "registry " + ref.number, "no such entry"});
  std::string code = string_field(body, "code");
  Status checked = opened->registry->check_code(*entry, code);
  if (!checked.ok()) return send_error(res, checked.error());
  auto r = opened->registry->receipt(*entry, code, string_field(body, "institution"));
  if (!r.ok()) return send_error(res, r.error());
  auto pdf = receipt_pdf(archive, *r);
  if (!pdf.ok()) return send_error(res, pdf.error());
  res.set_header("Content-Disposition",
                 "attachment; filename=\"receipt-" + std::to_string(entry->seq) + ".pdf\"");
  res.set_content(*pdf, "application/pdf");
}

void citizen_status(const App& app, const httplib::Request& req, httplib::Response& res) {
  auto archive = app.archive();
  if (!archive.ok()) return send_error(res, archive.error());
  auto opened = open_registry(**archive);
  if (!opened.ok()) return send_error(res, opened.error());
  auto view = opened->registry->lookup(req.get_param_value("number"), req.get_param_value("code"),
                                       "citizen@" + client_address(app, req));
  if (!view.ok()) {
    Error e = view.error();
    send_error(res, e);
    if (e.code == ErrorCode::limit_exceeded) res.status = 429;
    return;
  }
  // A submission from a form is "de verificat" until a clerk accepts it.
  std::string status = view->status;
  if (auto entry = opened->registry->find({view->number, ""}); entry.ok() && status == "registered") {
    auto submissions = open_submission_store(**archive);
    if (!submissions.ok()) return send_error(res, submissions.error());
    auto submission = (*submissions)->submission(entry->id);
    if (submission.ok() && submission->verification == "to-verify") status = "to-verify";
  }
  nlohmann::json route = nlohmann::json::array();
  for (const auto& step : view->route)
    route.push_back({{"at", step.at},
                     {"event", step.event},
                     {"status", step.status},
                     {"department", step.department},
                     {"note", step.note}});
  send_json(res, 200,
            {{"number", view->number},
             {"registered_on", view->registered_on},
             {"kind", view->kind},
             {"status", status},
             {"deadline", romanian_date(view->deadline)},
             {"route", route}});
}

}  // namespace

void add_registry_routes(httplib::Server& server, const App& app) {
  server.Post("/api/v1/registry", signed_in(app, register_entry));
  server.Get("/api/v1/registry", signed_in(app, list_entries));
  server.Get("/api/v1/registry/entry", signed_in(app, show_entry));
  server.Post("/api/v1/registry/receipt", signed_in(app, receipt));
  server.Get("/api/v1/public/status",
             [&app](const httplib::Request& req, httplib::Response& res) { citizen_status(app, req, res); });
}

}  // namespace dosar::api
