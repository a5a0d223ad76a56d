// The electronic beneficiary file over HTTP: /api/v1/persons. The rules are
// the CLI's (persons/persons.h): a purpose from the list on every read, an
// access record per read, CNPs masked in lists. A person the caller is not
// assigned to is answered exactly like one that does not exist (404).
#include "api/http_support.h"
#include "api/json_shapes.h"
#include "persons/persons.h"

namespace dosar::api {
namespace {

using persons::Persons;

// A person the caller may not see and one that does not exist get the same
// answer: the page must not tell who is in the file. Other errors (a
// missing document to link, a bad CNP) pass as they are.
Error hidden(const Error& e, const std::string& subject) {
  if (e.code == ErrorCode::permission ||
      (e.code == ErrorCode::not_found && e.subject.rfind("person ", 0) == 0))
    return make_error(ErrorCode::not_found, e.code == ErrorCode::permission ? subject : e.subject,
                      "no such person");
  return e;
}

Result<PersonId> person_id(const httplib::Request& req) {
  try {
    return static_cast<PersonId>(std::stoll(std::string(req.matches[1])));
  } catch (...) {
    return make_error(ErrorCode::not_found, "person " + std::string(req.matches[1]), "no such person");
  }
}

std::string param(const httplib::Request& req, const std::string& name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

// Handlers of /persons/ID/…; `archive` for what else they check (a document to link).
using PersonHandler = std::function<void(Persons&, const Caller&, PersonId, const httplib::Request&,
                                         httplib::Response&, ArchiveStore& archive)>;

// A handler of /persons/ID/…: opens the service and parses the id.
CallerHandler with_person(PersonHandler handler) {
  return [handler](const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                   httplib::Response& res) {
    auto id = person_id(req);
    if (!id.ok()) return send_error(res, id.error());
    auto persons = Persons::open(archive);
    if (!persons.ok()) return send_error(res, persons.error());
    handler(**persons, caller, *id, req, res, archive);
  };
}

void purposes(const App&, ArchiveStore&, const Caller&, const httplib::Request&, httplib::Response& res) {
  send_json(res, 200, {{"purposes", persons::purposes()}});
}

void find(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
          httplib::Response& res) {
  auto persons = Persons::open(archive);
  if (!persons.ok()) return send_error(res, persons.error());
  auto found = (*persons)->find(param(req, "q"), caller.user.name, param(req, "purpose"));
  if (!found.ok()) return send_error(res, found.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : *found) list.push_back(to_json(m));
  send_json(res, 200, {{"persons", list}});
}

void show(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
          httplib::Response& res, ArchiveStore&) {
  auto file = persons.show(id, caller.user.name, param(req, "purpose"));
  if (!file.ok()) return send_error(res, hidden(file.error(), "person " + std::to_string(id)));
  send_json(res, 200, to_json(*file));
}

void timeline(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
              httplib::Response& res, ArchiveStore&) {
  std::optional<TimelineCursor> after;
  if (req.has_param("after_date"))
    after = TimelineCursor{param(req, "after_date"), param(req, "after_kind"),
                           std::strtoll(param(req, "after_id").c_str(), nullptr, 10)};
  std::size_t limit = 50;
  if (req.has_param("limit"))
    limit = std::clamp<std::size_t>(std::strtoul(param(req, "limit").c_str(), nullptr, 10), 1, 500);
  auto items = persons.timeline(id, caller.user.name, param(req, "purpose"), after, limit);
  if (!items.ok()) return send_error(res, hidden(items.error(), "person " + std::to_string(id)));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& l : *items) list.push_back(to_json(l));
  nlohmann::json next = nullptr;
  if (items->size() == limit)
    next = {{"after_date", items->back().date},
            {"after_kind", items->back().kind},
            {"after_id", items->back().target_id}};
  send_json(res, 200, {{"person", id}, {"items", list}, {"next", next}});
}

void access_report(Persons& persons, const Caller& caller, PersonId id, const httplib::Request&,
                   httplib::Response& res, ArchiveStore&) {
  auto records = persons.access_report(id, caller.user.name);
  if (!records.ok()) return send_error(res, hidden(records.error(), "person " + std::to_string(id)));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : *records) list.push_back(to_json(r));
  send_json(res, 200, {{"person", id}, {"accesses", list}});
}

// ---- changes: the CLI's calls, checks and audit rows ----

constexpr std::size_t kMaxFieldBytes = 1000;

// The text fields of `body` named in `names`, absent ones left out.
Result<std::map<std::string, std::string>> text_fields(const nlohmann::json& body,
                                                       std::initializer_list<const char*> names) {
  std::map<std::string, std::string> out;
  for (const char* name : names) {
    auto value = text_field(body, name, kMaxFieldBytes);
    if (!value.ok()) return value.error();
    if (*value) out[name] = **value;
  }
  return out;
}

Result<PersonId> id_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return PersonId{0};
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
    return make_error(ErrorCode::invalid_argument, name, "must be an id (a positive number)");
  return it->get<PersonId>();
}

void add(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
         httplib::Response& res) {
  auto body = object_body(req, "person");
  if (!body.ok()) return send_error(res, body.error());
  auto fields = text_fields(*body, {"name", "cnp", "id_type", "id_value", "birth_date", "address", "contacts",
                                    "legal_representative", "representative_role", "department"});
  if (!fields.ok()) return send_error(res, fields.error());
  auto representative = id_field(*body, "representative_id");
  if (!representative.ok()) return send_error(res, representative.error());
  auto& f = *fields;
  persons::NewPerson n{f["name"],       f["cnp"],
                       f["id_type"],    f["id_value"],
                       f["birth_date"], f["address"],
                       f["contacts"],   f["legal_representative"],
                       *representative, f["representative_role"],
                       f["department"]};
  auto persons = Persons::open(archive);
  if (!persons.ok()) return send_error(res, persons.error());
  auto added = (*persons)->add(n, caller.user.name);
  if (!added.ok()) return send_error(res, hidden(added.error(), "person"));
  send_json(res, 201, {{"id", added->id}, {"name", added->name}, {"cnp", mask_cnp(added->cnp)}});
}

// POST …/links {kind, id}; DELETE …/links/KIND/ID. A document to link must
// be one the caller may see, answered like one that does not exist.
void add_link(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
              httplib::Response& res, ArchiveStore& archive) {
  auto body = object_body(req, "link");
  if (!body.ok()) return send_error(res, body.error());
  auto kind = text_field(*body, "kind");
  if (!kind.ok()) return send_error(res, kind.error());
  auto target = id_field(*body, "id");
  if (!target.ok()) return send_error(res, target.error());
  const std::string what = kind->value_or("");
  if (what == "document") {
    auto d = archive.catalog().document(*target);
    if (!d.ok() || !caller.visibility.allows(d->department, d->confidentiality))
      return send_error(
          res, make_error(ErrorCode::not_found, "document " + std::to_string(*target), "no such document"));
  }
  Status done = persons.link(id, what, *target, caller.user.name);
  if (!done.ok()) return send_error(res, hidden(done.error(), "person " + std::to_string(id)));
  send_json(res, 201, {{"person", id}, {"kind", what}, {"id", *target}, {"linked", true}});
}

void remove_link(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
                 httplib::Response& res, ArchiveStore&) {
  const std::string kind = req.matches[2];
  const std::int64_t target = std::strtoll(std::string(req.matches[3]).c_str(), nullptr, 10);
  Status done = persons.unlink(id, kind, target, caller.user.name);
  if (!done.ok()) return send_error(res, hidden(done.error(), "person " + std::to_string(id)));
  send_json(res, 200, {{"person", id}, {"kind", kind}, {"id", target}, {"linked", false}});
}

// POST …/rectify {values: {field: value}, reason}: the old values stay in the history.
void rectify(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
             httplib::Response& res, ArchiveStore&) {
  auto body = object_body(req, "rectification");
  if (!body.ok()) return send_error(res, body.error());
  auto reason = text_field(*body, "reason", kMaxFieldBytes);
  if (!reason.ok()) return send_error(res, reason.error());
  auto values_it = body->find("values");
  if (values_it == body->end() || !values_it->is_object())
    return send_error(res, make_error(ErrorCode::invalid_argument, "values", "expected {field: value, …}"));
  std::map<std::string, std::string> values;
  for (const auto& [field, value] : values_it->items()) {
    if (!value.is_string() || value.get<std::string>().size() > kMaxFieldBytes)
      return send_error(res, make_error(ErrorCode::invalid_argument, field, "must be text"));
    values[field] = value.get<std::string>();
  }
  auto changed = persons.rectify(id, values, reason->value_or(""), caller.user.name);
  if (!changed.ok()) return send_error(res, hidden(changed.error(), "person " + std::to_string(id)));
  send_json(res, 200, persons::to_json(*changed));
}

// GET …/export?purpose=P: the GDPR art. 15 archive (tar), made in the spool.
void export_person(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
                   httplib::Response& res, ArchiveStore& archive) {
  Error refused{ErrorCode::io, "", ""};
  bool failed = false;
  auto bytes = spooled_file(archive, [&](const std::filesystem::path& file) -> Status {
    const std::filesystem::path tar = file.string() + ".tar";
    auto done = persons.export_file(id, caller.user.name, param(req, "purpose"), tar);
    if (!done.ok()) {
      refused = done.error();
      failed = true;
      return done.error();
    }
    std::error_code ec;
    std::filesystem::rename(tar, file, ec);
    if (ec) return make_error(ErrorCode::io, file.string(), ec.message());
    return {};
  });
  if (!bytes.ok())
    return send_error(res, failed ? hidden(refused, "person " + std::to_string(id)) : bytes.error());
  res.set_header("Content-Disposition", "attachment; filename=\"persoana-" + std::to_string(id) + ".tar\"");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(*bytes, "application/x-tar");
}

// Open suggestions about persons the caller sees, on documents the caller
// may see.
void suggestions(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
                 httplib::Response& res) {
  auto persons = Persons::open(archive);
  if (!persons.ok()) return send_error(res, persons.error());
  auto list = (*persons)->suggestions(caller.user.name);
  if (!list.ok()) return send_error(res, list.error());
  nlohmann::json out = nlohmann::json::array();
  for (const LinkSuggestion& s : *list) {
    auto d = archive.catalog().document(s.document_id);
    if (!d.ok() || !caller.visibility.allows(d->department, d->confidentiality)) continue;
    auto p = (*persons)->store().person(s.person_id);
    if (!p.ok()) return send_error(res, p.error());
    out.push_back({{"id", s.id},
                   {"person", s.person_id},
                   {"person_name", p->name},
                   {"document", s.document_id},
                   {"document_title", d->title},
                   {"reason", s.reason},
                   {"found_at", s.found_at}});
  }
  send_json(res, 200, {{"suggestions", out}});
}

// POST /persons/suggestions/ID {action: confirm|dismiss}.
void resolve(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
             httplib::Response& res) {
  auto body = object_body(req, "suggestion");
  if (!body.ok()) return send_error(res, body.error());
  auto action = text_field(*body, "action");
  if (!action.ok()) return send_error(res, action.error());
  if (*action != "confirm" && *action != "dismiss")
    return send_error(res, make_error(ErrorCode::invalid_argument, "action", "must be confirm or dismiss"));
  auto persons = Persons::open(archive);
  if (!persons.ok()) return send_error(res, persons.error());
  const std::int64_t id = std::strtoll(std::string(req.matches[1]).c_str(), nullptr, 10);
  Status done = (*persons)->resolve_suggestion(
      id, *action == "confirm" ? Persons::Resolution::confirm : Persons::Resolution::dismiss,
      caller.user.name);
  if (!done.ok()) return send_error(res, hidden(done.error(), "suggestion " + std::to_string(id)));
  send_json(res, 200, {{"id", id}, {"state", *action == "confirm" ? "confirmed" : "dismissed"}});
}

}  // namespace

void add_person_routes(httplib::Server& server, const App& app) {
  server.Get("/api/v1/persons/purposes", signed_in(app, purposes));
  server.Get("/api/v1/persons", signed_in(app, find));
  server.Get(R"(/api/v1/persons/(\d+))", signed_in(app, with_person(show)));
  server.Get(R"(/api/v1/persons/(\d+)/timeline)", signed_in(app, with_person(timeline)));
  server.Get(R"(/api/v1/persons/(\d+)/access-report)", signed_in(app, with_person(access_report)));
  server.Post("/api/v1/persons", signed_in(app, add));
  server.Get("/api/v1/persons/suggestions", signed_in(app, suggestions));
  server.Post(R"(/api/v1/persons/suggestions/(\d+))", signed_in(app, resolve));
  server.Post(R"(/api/v1/persons/(\d+)/links)", signed_in(app, with_person(add_link)));
  server.Delete(R"(/api/v1/persons/(\d+)/links/(document|registry-entry|flow)/(\d+))",
                signed_in(app, with_person(remove_link)));
  server.Post(R"(/api/v1/persons/(\d+)/rectify)", signed_in(app, with_person(rectify)));
  server.Get(R"(/api/v1/persons/(\d+)/export)", signed_in(app, with_person(export_person)));
}

}  // namespace dosar::api
