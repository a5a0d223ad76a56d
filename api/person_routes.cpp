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

// permission and not_found give the same answer: the page must not tell who
// is in the file.
Error hidden(const Error& e, const std::string& subject) {
  if (e.code == ErrorCode::permission || e.code == ErrorCode::not_found)
    return make_error(ErrorCode::not_found, subject, "no such person");
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

using PersonHandler =
    std::function<void(Persons&, const Caller&, PersonId, const httplib::Request&, httplib::Response&)>;

// A handler of /persons/ID/…: opens the service and parses the id.
CallerHandler with_person(PersonHandler handler) {
  return [handler](const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                   httplib::Response& res) {
    auto id = person_id(req);
    if (!id.ok()) return send_error(res, id.error());
    auto persons = Persons::open(archive);
    if (!persons.ok()) return send_error(res, persons.error());
    handler(**persons, caller, *id, req, res);
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
          httplib::Response& res) {
  auto file = persons.show(id, caller.user.name, param(req, "purpose"));
  if (!file.ok()) return send_error(res, hidden(file.error(), "person " + std::to_string(id)));
  send_json(res, 200, to_json(*file));
}

void timeline(Persons& persons, const Caller& caller, PersonId id, const httplib::Request& req,
              httplib::Response& res) {
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
                   httplib::Response& res) {
  auto records = persons.access_report(id, caller.user.name);
  if (!records.ok()) return send_error(res, hidden(records.error(), "person " + std::to_string(id)));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : *records) list.push_back(to_json(r));
  send_json(res, 200, {{"person", id}, {"accesses", list}});
}

}  // namespace

void add_person_routes(httplib::Server& server, const App& app) {
  server.Get("/api/v1/persons/purposes", signed_in(app, purposes));
  server.Get("/api/v1/persons", signed_in(app, find));
  server.Get(R"(/api/v1/persons/(\d+))", signed_in(app, with_person(show)));
  server.Get(R"(/api/v1/persons/(\d+)/timeline)", signed_in(app, with_person(timeline)));
  server.Get(R"(/api/v1/persons/(\d+)/access-report)", signed_in(app, with_person(access_report)));
}

}  // namespace dosar::api
