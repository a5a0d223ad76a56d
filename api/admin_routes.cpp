// The web admin (issue 7): /api/v1/admin/… — users (add, roles, departments,
// disable/enable, password), departments, document kinds with their
// deadlines, approval templates per kind, and the approved nomenclator of a
// year (retention classes, read only). Only holders of the admin role; every
// change goes through the same service calls as `dosar user …`,
// `dosar registry kind-set` and `dosar flow template|role`, and is audited
// the same way, with the administrator as actor.
#include <algorithm>
#include <set>

#include "api/http_support.h"
#include "api/passwords.h"
#include "storage/records_store.h"
#include "storage/registry_store.h"
#include "workflow/approval_flow.h"

namespace dosar::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameBytes = 200;

// Optional typed fields (text_field in api/http_support.h): absent is fine,
// the wrong type is an error naming the field.
Result<std::optional<bool>> flag_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return make_error(ErrorCode::invalid_argument, name, "must be true or false");
  return std::optional<bool>(it->get<bool>());
}
Result<std::optional<std::vector<std::string>>> list_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  if (!it->is_array()) return make_error(ErrorCode::invalid_argument, name, "must be a list of names");
  for (const json& v : *it) {
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > kMaxNameBytes)
      return make_error(ErrorCode::invalid_argument, name, "must be a list of non-empty names");
    out.push_back(v.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}
Result<std::optional<std::vector<RoleGrant>>> roles_field(const json& body) {
  auto it = body.find("roles");
  if (it == body.end() || it->is_null()) return std::optional<std::vector<RoleGrant>>();
  if (!it->is_array())
    return make_error(ErrorCode::invalid_argument, "roles", "must be a list of {\"role\", \"department\"}");
  std::vector<RoleGrant> out;
  for (const json& g : *it) {
    if (!g.is_object() || !g.contains("role") || !g["role"].is_string() || !g.contains("department") ||
        !g["department"].is_string() || g["role"].get<std::string>().empty() ||
        g["department"].get<std::string>().empty())
      return make_error(
          ErrorCode::invalid_argument, "roles",
          "each must be {\"role\": …, \"department\": …}, both named (\"*\": every department)");
    out.push_back({g["role"].get<std::string>(), g["department"].get<std::string>()});
  }
  return std::optional<std::vector<RoleGrant>>(std::move(out));
}

#define DOSAR_FIELD(var, expr) \
  auto var = (expr);           \
  if (!var.ok()) return send_error(res, var.error());

json user_json(ArchiveStore& archive, FlowStore& flows, const User& u) {
  json roles = json::array();
  if (auto held = flows.roles(u.name); held.ok())
    for (const RoleGrant& g : *held) roles.push_back({{"role", g.role}, {"department", g.department}});
  auto state = archive.accounts().login_state(u.name);
  return {{"name", u.name},
          {"display_name", u.display_name},
          {"departments", u.departments},
          {"all_departments", u.all_departments},
          {"restricted_access", u.restricted_access},
          {"roles", roles},
          {"disabled", state.ok() && state->disabled},
          {"has_password", state.ok() && state->password_hash.has_value()},
          {"ldap", state.ok() && state->authentication == Authentication::ldap},
          {"locked_until", state.ok() && state->locked_until ? json(*state->locked_until) : json(nullptr)}};
}

// Gives and takes roles so that the user holds exactly `wanted`.
Status set_roles(FlowStore& flows, const std::string& user, const std::vector<RoleGrant>& wanted,
                 const std::string& actor) {
  auto held = flows.roles(user);
  if (!held.ok()) return held.error();
  auto key = [](const RoleGrant& g) { return g.role + '\n' + g.department; };
  std::set<std::string> want, have;
  for (const RoleGrant& g : wanted) want.insert(key(g));
  for (const RoleGrant& g : *held) have.insert(key(g));
  for (const RoleGrant& g : *held)
    if (!want.count(key(g))) DOSAR_TRY(flows.remove_role(user, g.role, g.department, actor));
  for (const RoleGrant& g : wanted)
    if (!have.count(key(g))) {
      have.insert(key(g));
      DOSAR_TRY(flows.add_role(user, g.role, g.department, actor));
    }
  return {};
}

Result<std::string> password_hash_field(const json& body) {
  auto it = body.find("password");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
    return make_error(ErrorCode::invalid_argument, "password", "give the password");
  return hash_password(it->get<std::string>());
}

bool is_admin(const std::vector<RoleGrant>& roles) {
  for (const RoleGrant& g : roles)
    if (g.role == kAdminRole) return true;
  return false;
}

void list_users(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
                httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  DOSAR_FIELD(flows, open_flow_store(archive));
  DOSAR_FIELD(users, archive.catalog().users());
  json list = json::array();
  for (const User& u : *users) list.push_back(user_json(archive, **flows, u));
  send_json(res, 200, {{"users", list}});
}

// As `dosar user add NAME … --password-env VAR` (or `--ldap`), then `dosar
// flow role` per role; the password follows the same rules (hash_password).
// An LDAP account ("ldap": true) signs in with the directory's password and
// has none here.
void add_user(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
              httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  DOSAR_FIELD(body, object_body(req, "user"));
  DOSAR_FIELD(name, text_field(*body, "name"));
  DOSAR_FIELD(display_name, text_field(*body, "display_name"));
  DOSAR_FIELD(departments, list_field(*body, "departments"));
  DOSAR_FIELD(all_departments, flag_field(*body, "all_departments"));
  DOSAR_FIELD(restricted, flag_field(*body, "restricted_access"));
  DOSAR_FIELD(roles, roles_field(*body));
  DOSAR_FIELD(ldap, flag_field(*body, "ldap"));
  const bool through_ldap = ldap->value_or(false);
  if (through_ldap && body->contains("password"))
    return send_error(res, make_error(ErrorCode::invalid_argument, "password",
                                      "an LDAP account signs in with the directory's password; give none"));
  DOSAR_FIELD(hash, through_ldap ? Result<std::string>(std::string()) : password_hash_field(*body));
  User user{name->value_or(""), display_name->value_or(""), all_departments->value_or(false),
            departments->value_or(std::vector<std::string>{}), restricted->value_or(false)};
  DOSAR_FIELD(flows, open_flow_store(archive));
  const std::string& actor = caller.user.name;
  Status added = archive.catalog().add_user(user, actor);
  if (!added.ok()) return send_error(res, added.error());
  Status set = through_ldap ? archive.accounts().set_authentication(user.name, Authentication::ldap, actor)
                            : archive.accounts().set_password_hash(user.name, *hash, actor);
  if (!set.ok()) return send_error(res, set.error());
  if (*roles) {
    Status granted = set_roles(**flows, user.name, **roles, actor);
    if (!granted.ok()) return send_error(res, granted.error());
  }
  DOSAR_FIELD(stored, archive.catalog().user(user.name));
  send_json(res, 201, user_json(archive, **flows, *stored));
}

// Changes what is given: display name, departments, all_departments,
// restricted_access, roles (the full list), disabled.
void change_user(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                 httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  const std::string name = req.matches[1];
  DOSAR_FIELD(user, archive.catalog().user(name));
  DOSAR_FIELD(body, object_body(req, "user " + name));
  DOSAR_FIELD(display_name, text_field(*body, "display_name"));
  DOSAR_FIELD(departments, list_field(*body, "departments"));
  DOSAR_FIELD(all_departments, flag_field(*body, "all_departments"));
  DOSAR_FIELD(restricted, flag_field(*body, "restricted_access"));
  DOSAR_FIELD(roles, roles_field(*body));
  DOSAR_FIELD(disabled, flag_field(*body, "disabled"));
  // An administrator cannot lock themselves out by mistake.
  if (name == caller.user.name && ((*disabled && **disabled) || (*roles && !is_admin(**roles))))
    return send_error(res, Error{ErrorCode::conflict, "user " + name,
                                 "you cannot disable yourself or give up your own admin role; ask another "
                                 "administrator"});
  DOSAR_FIELD(flows, open_flow_store(archive));
  const std::string& actor = caller.user.name;
  User changed = *user;
  if (*display_name) changed.display_name = **display_name;
  if (*departments) changed.departments = **departments;
  if (*all_departments) changed.all_departments = **all_departments;
  if (*restricted) changed.restricted_access = **restricted;
  if (*display_name || *departments || *all_departments || *restricted) {
    Status updated = archive.catalog().update_user(changed, actor);
    if (!updated.ok()) return send_error(res, updated.error());
  }
  if (*roles) {
    Status granted = set_roles(**flows, name, **roles, actor);
    if (!granted.ok()) return send_error(res, granted.error());
  }
  if (*disabled) {
    Status set = archive.accounts().set_disabled(name, **disabled, actor);
    if (!set.ok()) return send_error(res, set.error());
  }
  DOSAR_FIELD(stored, archive.catalog().user(name));
  send_json(res, 200, user_json(archive, **flows, *stored));
}

// As `dosar user passwd NAME --password-env VAR` (which also lifts a lock-out).
void reset_password(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                    httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  const std::string name = req.matches[1];
  DOSAR_FIELD(body, object_body(req, "user " + name));
  DOSAR_FIELD(hash, password_hash_field(*body));
  Status set = archive.accounts().set_password_hash(name, *hash, caller.user.name);
  if (!set.ok()) return send_error(res, set.error());
  send_json(res, 200, {{"user", name}, {"password_set", true}});
}

void list_departments(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
                      httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  DOSAR_FIELD(departments, archive.catalog().departments());
  send_json(res, 200, {{"departments", *departments}});
}

void add_department(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                    httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  DOSAR_FIELD(body, object_body(req, "department"));
  DOSAR_FIELD(name, text_field(*body, "name"));
  Status added = archive.catalog().add_department(name->value_or(""), caller.user.name);
  if (!added.ok()) return send_error(res, added.error());
  send_json(res, 201, {{"name", **name}});
}

json template_steps_json(const FlowTemplate& t) {
  json steps = json::array();
  for (const TemplateStep& s : t.steps)
    steps.push_back({{"position", s.position},
                     {"label", s.label},
                     {"users", s.approvers.users},
                     {"role", s.approvers.role},
                     {"department", s.approvers.department}});
  return steps;
}

void list_kinds(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
                httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  DOSAR_FIELD(registry, open_registry_store(archive));
  DOSAR_FIELD(kinds, (*registry)->kinds());
  json list = json::array();
  for (const DocumentKind& k : *kinds)
    list.push_back({{"name", k.name},
                    {"label", k.label},
                    {"deadline_days", k.deadline_days},
                    {"legal_basis", k.legal_basis}});
  send_json(res, 200, {{"kinds", list}});
}

// As `dosar registry kind-set NAME --days N [--label L] [--basis B]`:
// entries already registered keep their deadlines.
void put_kind(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
              httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  const std::string name = req.matches[1];
  if (name.find_first_of(" \t") != std::string::npos)
    return send_error(res,
                      Error{ErrorCode::invalid_argument, "kind name", "'" + name + "' must be one word"});
  DOSAR_FIELD(body, object_body(req, "kind " + name));
  auto days = body->find("deadline_days");
  if (days == body->end() || !days->is_number_integer() || days->get<long long>() < 1 ||
      days->get<long long>() > 3650)
    return send_error(
        res, Error{ErrorCode::invalid_argument, "deadline_days", "must be from 1 to 3650 calendar days"});
  DOSAR_FIELD(label, text_field(*body, "label"));
  DOSAR_FIELD(basis, text_field(*body, "legal_basis"));
  DOSAR_FIELD(registry, open_registry_store(archive));
  DOSAR_FIELD(kinds, (*registry)->kinds());
  DocumentKind kind{name, label->value_or(name), static_cast<int>(days->get<long long>()),
                    basis->value_or("")};
  for (const DocumentKind& k : *kinds)
    if (k.name == name) {
      if (!*label) kind.label = k.label;
      if (!*basis) kind.legal_basis = k.legal_basis;
    }
  Status put = (*registry)->put_kind(kind, caller.user.name);
  if (!put.ok()) return send_error(res, put.error());
  send_json(res, 200,
            {{"name", kind.name},
             {"label", kind.label},
             {"deadline_days", kind.deadline_days},
             {"legal_basis", kind.legal_basis}});
}

void list_templates(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
                    httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  DOSAR_FIELD(flows, open_flow_store(archive));
  DOSAR_FIELD(templates, (*flows)->templates());
  json list = json::array();
  for (const FlowTemplate& t : *templates)
    list.push_back({{"kind", t.kind}, {"steps", template_steps_json(t)}});
  send_json(res, 200, {{"templates", list}});
}

// The steps of a template as the admin page's form sends them, each
// checked with an error naming its field ("steps[2].users") so that the
// page can point at it: a label; either users who exist, or a role in a
// department that exists ("*": any). Steps come back ordered by position;
// equal positions are parallel, and positions run 1, 2, 3… without gaps.
Result<std::vector<TemplateStep>> template_steps(ArchiveStore& archive, const json& body) {
  auto steps = body.find("steps");
  if (steps == body.end() || !steps->is_array() || steps->empty() || steps->size() > 100)
    return make_error(ErrorCode::invalid_argument, "steps", "give 1 to 100 steps");
  auto departments = archive.catalog().departments();
  if (!departments.ok()) return departments.error();
  std::vector<std::pair<TemplateStep, std::string>> out;  // with its field name
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const json& s = (*steps)[i];
    const std::string field = "steps[" + std::to_string(i) + "]";
    auto invalid = [&](const std::string& part, const std::string& why) {
      return make_error(ErrorCode::invalid_argument, field + part, why);
    };
    if (!s.is_object() || !s.contains("position") || !s["position"].is_number_integer())
      return invalid(".position", "needs a whole-number position");
    long long position = s["position"].get<long long>();
    if (position < 1 || position > 100) return invalid(".position", "must be from 1 to 100");
    auto label = text_field(s, "label");
    auto users = list_field(s, "users");
    auto role = text_field(s, "role");
    auto department = text_field(s, "department");
    for (auto [name, error] : {std::pair{".label", label.ok() ? nullptr : &label.error()},
                               std::pair{".users", users.ok() ? nullptr : &users.error()},
                               std::pair{".role", role.ok() ? nullptr : &role.error()},
                               std::pair{".department", department.ok() ? nullptr : &department.error()}})
      if (error) return invalid(name, error->message);
    TemplateStep step{
        static_cast<int>(position), label->value_or(""),
        Approvers{users->value_or(std::vector<std::string>{}), role->value_or(""), department->value_or("")}};
    const Approvers& a = step.approvers;
    if (step.label.find_first_not_of(" \t") == std::string::npos)
      return invalid(".label", "every step needs a label (e.g. viză, aprobare)");
    if (!a.users.empty() && (!a.role.empty() || !a.department.empty()))
      return invalid(".users", "either users or a role in a department approve a step, not both");
    if (a.users.empty() && a.role.empty() && a.department.empty())
      return invalid(".users", "name the users who approve, or a role and a department");
    if (a.users.empty() && a.role.empty())
      return invalid(".role", "give the role that approves in " + a.department);
    if (a.users.empty() && a.department.empty())
      return invalid(".department", "give the department where " + a.role + " approves ('*': any)");
    for (const std::string& u : a.users)
      if (!archive.catalog().user(u).ok()) return invalid(".users", "no such user: " + u);
    if (!a.department.empty() && a.department != "*" &&
        std::find(departments->begin(), departments->end(), a.department) == departments->end())
      return invalid(".department", "no such department: " + a.department);
    out.emplace_back(std::move(step), field);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first.position < b.first.position; });
  std::vector<TemplateStep> ordered;
  int expected = 1;
  for (auto& [step, field] : out) {
    if (step.position != expected && step.position != expected - 1)
      return make_error(
          ErrorCode::invalid_argument, field + ".position",
          "positions must run 1, 2, 3… without gaps; position " + std::to_string(expected) + " is missing");
    expected = step.position + 1;
    ordered.push_back(std::move(step));
  }
  return ordered;
}

// As `dosar flow template KIND --step …`, from the admin page's form.
void put_template(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                  httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  FlowTemplate t{req.matches[1], {}};
  DOSAR_FIELD(body, object_body(req, "template " + t.kind));
  DOSAR_FIELD(steps, template_steps(archive, *body));
  t.steps = std::move(steps).value();
  DOSAR_FIELD(store, open_flow_store(archive));
  workflow::UnsignedApprovalRecorder unused(archive.catalog());
  workflow::ApprovalFlows flows(archive.catalog(), **store, unused);
  Status put = flows.put_template(t, caller.user.name);
  if (!put.ok()) return send_error(res, put.error());
  send_json(res, 200, {{"kind", t.kind}, {"steps", template_steps_json(t)}});
}

// The retention classes of a year: its approved nomenclator (read only; a
// nomenclator is imported and approved with `dosar nomenclator …`).
void retention(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
               httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole}, res)) return;
  int year = 0;
  const std::string text = req.get_param_value("year");
  if (text.size() != 4 || text.find_first_not_of("0123456789") != std::string::npos)
    return send_error(res, Error{ErrorCode::invalid_argument, "year", "must be a year such as 2026"});
  year = std::stoi(text);
  DOSAR_FIELD(store, open_records_store(archive));
  DOSAR_FIELD(nomenclator, (*store)->approved_nomenclator(year));
  json entries = json::array();
  for (const NomenclatorEntry& e : nomenclator->entries)
    entries.push_back({{"department", e.department},
                       {"code", e.code},
                       {"title", e.title},
                       {"retention_years", e.retention_years ? json(*e.retention_years) : json("permanent")},
                       {"remarks", e.remarks}});
  send_json(res, 200,
            {{"year", nomenclator->year},
             {"version", nomenclator->version},
             {"approved_by", nomenclator->approved_by},
             {"approved_at", nomenclator->approved_at},
             {"reference", nomenclator->reference},
             {"entries", entries}});
}

#undef DOSAR_FIELD

}  // namespace

void add_admin_routes(httplib::Server& server, const App& app) {
  server.Get("/api/v1/admin/users", signed_in(app, list_users));
  server.Post("/api/v1/admin/users", signed_in(app, add_user));
  server.Patch(R"(/api/v1/admin/users/([^/]+))", signed_in(app, change_user));
  server.Post(R"(/api/v1/admin/users/([^/]+)/password)", signed_in(app, reset_password));
  server.Get("/api/v1/admin/departments", signed_in(app, list_departments));
  server.Post("/api/v1/admin/departments", signed_in(app, add_department));
  server.Get("/api/v1/admin/kinds", signed_in(app, list_kinds));
  server.Put(R"(/api/v1/admin/kinds/([^/]+))", signed_in(app, put_kind));
  server.Get("/api/v1/admin/templates", signed_in(app, list_templates));
  server.Put(R"(/api/v1/admin/templates/([^/]+))", signed_in(app, put_template));
  server.Get("/api/v1/admin/retention", signed_in(app, retention));
}

}  // namespace dosar::api
