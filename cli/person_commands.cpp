// person … (the electronic beneficiary file, issue 12). Every command acts
// as `--as USER` (else the account running dosar), who must be a user of the
// archive assigned to the person; reads need `--purpose`.
#include "cli/context.h"
#include "persons/persons.h"

namespace dosar::cli {
namespace {

using persons::Persons;

struct OpenedPersons {
  std::unique_ptr<ArchiveStore> archive;
  std::unique_ptr<Persons> persons;
  std::string user;
};

Result<OpenedPersons> open_persons(const Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  auto persons = Persons::open(**archive);
  if (!persons.ok()) return persons.error();
  std::string user = c.command.get("--as").value_or(c.actor());
  return OpenedPersons{std::move(archive).value(), std::move(persons).value(), user};
}

Result<std::int64_t> positive(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value <= 0)
    return make_error(ErrorCode::invalid_argument, what + " " + text, "is not an id (a positive number)");
  return static_cast<std::int64_t>(value);
}

Result<PersonId> person_id(const Context& c) {
  return positive(c.command.positionals.at(0), "person");
}

std::string purpose(const Context& c) {
  return c.command.get("--purpose").value_or("");
}

// The one target of link/unlink: --document, --entry or --flow.
Result<std::pair<std::string, std::int64_t>> target_of(const Context& c) {
  std::vector<std::pair<std::string, std::string>> given;
  for (const auto& [option, kind] : std::vector<std::pair<std::string, std::string>>{
           {"--document", "document"}, {"--entry", "registry-entry"}, {"--flow", "flow"}})
    if (auto v = c.command.get(option)) given.emplace_back(kind, *v);
  if (given.size() != 1)
    return make_error(ErrorCode::invalid_argument, c.command.spec->name,
                      "give exactly one of --document ID, --entry ID, --flow ID");
  auto id = positive(given[0].second, given[0].first);
  if (!id.ok()) return id.error();
  return std::pair<std::string, std::int64_t>{given[0].first, *id};
}

void print_json(const Context& c, const nlohmann::json& j) {
  c.out << j.dump(2) << '\n';
}

std::string cursor_text(const PersonLink& l) {
  return l.date + "," + l.kind + "," + std::to_string(l.target_id);
}

Result<std::optional<TimelineCursor>> cursor_option(const Context& c) {
  auto text = c.command.get("--after");
  if (!text) return std::optional<TimelineCursor>{};
  auto first = text->find(',');
  auto second = first == std::string::npos ? std::string::npos : text->find(',', first + 1);
  if (second == std::string::npos)
    return make_error(ErrorCode::invalid_argument, "--after " + *text, "is not a cursor printed by timeline");
  auto id = positive(text->substr(second + 1), "--after");
  if (!id.ok()) return id.error();
  return std::optional<TimelineCursor>{
      TimelineCursor{text->substr(0, first), text->substr(first + 1, second - first - 1), *id}};
}

}  // namespace

Status record_person_read(const Context& c, ArchiveStore& archive, DocumentId id, const std::string& what) {
  auto persons = Persons::open(archive);
  if (!persons.ok()) return persons.error();
  return record_person_read(c, **persons, id, what);
}

Status record_person_read(const Context& c, Persons& persons, DocumentId id, const std::string& what) {
  return record_linked_person_read(c, persons, "document", id, "document " + std::to_string(id), what);
}

Status record_linked_person_read(const Context& c, Persons& persons, const std::string& kind,
                                 std::int64_t target, const std::string& subject, const std::string& what) {
  return persons.record_declared_read(kind, target, subject, c.command.get("--as").value_or(c.actor()),
                                      purpose(c), what, "--purpose P");
}

void suggest_person_links(const Context& c, ArchiveStore& archive, const std::vector<DocumentId>& documents) {
  if (documents.empty()) return;
  auto persons = Persons::open(archive);
  std::size_t found = 0;
  for (DocumentId id : documents) {
    auto more = persons.ok() ? (*persons)->scan_for_suggestions(id) : Result<std::size_t>(persons.error());
    if (!more.ok()) {
      c.err << "warning: no link suggestions: " << more.error().to_string() << '\n';
      return;
    }
    found += *more;
  }
  if (found > 0 && !c.json)
    c.err << found << " link suggestions for known persons (see `dosar person suggestions`)\n";
}

ExitCode run_person_add(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  persons::NewPerson n;
  n.name = c.command.get("--name").value_or("");
  n.cnp = c.command.get("--cnp").value_or("");
  n.id_type = c.command.get("--id-type").value_or("");
  n.id_value = c.command.get("--id").value_or("");
  n.birth_date = c.command.get("--birth-date").value_or("");
  n.address = c.command.get("--address").value_or("");
  n.contacts = c.command.get("--contacts").value_or("");
  n.legal_representative = c.command.get("--legal-representative").value_or("");
  if (auto representative = c.command.get("--representative")) {
    auto rid = positive(*representative, "--representative");
    if (!rid.ok()) return c.fail(rid.error());
    n.representative_id = *rid;
  }
  n.representative_role = c.command.get("--representative-role").value_or("");
  n.department = c.command.get("--department").value_or("");
  auto added = p->persons->add(n, p->user);
  if (!added.ok()) return c.fail(added.error());
  if (c.json) {
    print_json(c, {{"id", added->id}, {"name", added->name}, {"cnp", mask_cnp(added->cnp)}});
  } else {
    c.out << added->id << '\n';
  }
  return ExitCode::ok;
}

ExitCode run_person_show(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  auto file = p->persons->show(*id, p->user, purpose(c));
  if (!file.ok()) return c.fail(file.error());
  if (c.json) {
    print_json(c, to_json(*file));
    return ExitCode::ok;
  }
  const Person& person = file->person;
  c.out << "Persoana " << person.id << ": " << person.name << '\n'
        << "  " << person.id_type << ": " << person.id_value << '\n'
        << "  data nașterii: " << person.birth_date << '\n'
        << "  adresa: " << person.address << '\n'
        << "  contacte: " << person.contacts << '\n'
        << "  reprezentant legal: " << person.legal_representative << '\n';
  if (person.representative_id != 0)
    c.out << "  reprezentant legal: " << file->representative_name << " [" << person.representative_id << ", "
          << person.representative_role << "]\n";
  for (const Represented& r : file->represents)
    c.out << "  reprezentant legal al: " << r.name << " [" << r.id << ", " << r.role << "]\n";
  for (const Household& h : file->households) {
    c.out << "  gospodăria " << h.id << " (" << h.label << "):";
    for (const HouseholdMember& m : h.members)
      c.out << ' ' << file->member_names[m.person_id] << " [" << m.person_id << ", " << m.role << "]";
    c.out << '\n';
  }
  for (const Assignment& a : file->assignments)
    c.out << "  repartizat: " << (a.user.empty() ? "departamentul " + a.department : a.user) << '\n';
  for (const PersonChange& h : file->history)
    c.out << "  rectificat " << format_bucharest(h.at) << ": " << h.field << " „" << h.old_value << "” → „"
          << h.new_value << "” (" << h.reason << ")\n";
  return ExitCode::ok;
}

ExitCode run_person_find(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  std::string query;
  for (const auto& word : c.command.positionals) query += (query.empty() ? "" : " ") + word;
  auto found = p->persons->find(query, p->user, purpose(c));
  if (!found.ok()) return c.fail(found.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : *found) list.push_back(to_json(m));
    print_json(c, {{"persons", list}});
    return ExitCode::ok;
  }
  for (const auto& m : *found)
    c.out << m.id << '\t' << m.name << '\t' << (m.id_type == "CNP" ? m.masked_cnp : m.id_type) << '\t'
          << m.birth_date << '\n';
  return ExitCode::ok;
}

namespace {
enum class Linking { link, unlink };

ExitCode change_link(Context& c, Linking how) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  auto target = target_of(c);
  if (!target.ok()) return c.fail(target.error());
  const bool link = how == Linking::link;
  Status done = link ? p->persons->link(*id, target->first, target->second, p->user)
                     : p->persons->unlink(*id, target->first, target->second, p->user);
  if (!done.ok()) return c.fail(done.error());
  if (c.json)
    print_json(c, {{"person", *id}, {"kind", target->first}, {"id", target->second}, {"linked", link}});
  else
    c.out << target->first << ' ' << target->second << (link ? " legat de" : " dezlegat de") << " persoana "
          << *id << '\n';
  return ExitCode::ok;
}
}  // namespace

ExitCode run_person_link(Context& c) {
  return change_link(c, Linking::link);
}
ExitCode run_person_unlink(Context& c) {
  return change_link(c, Linking::unlink);
}

ExitCode run_person_timeline(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  auto after = cursor_option(c);
  if (!after.ok()) return c.fail(after.error());
  std::size_t limit = 50;
  if (auto l = c.command.get("--limit")) {
    auto n = positive(*l, "--limit");
    if (!n.ok()) return c.fail(n.error());
    limit = static_cast<std::size_t>(std::min<std::int64_t>(*n, 1000));
  }
  auto items = p->persons->timeline(*id, p->user, purpose(c), *after, limit);
  if (!items.ok()) return c.fail(items.error());
  std::string next = items->size() == limit ? cursor_text(items->back()) : "";
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& l : *items) list.push_back(to_json(l));
    print_json(c, {{"person", *id}, {"items", list}, {"next", next}});
    return ExitCode::ok;
  }
  for (const auto& l : *items)
    c.out << format_bucharest(l.date) << '\t' << l.kind << ' ' << l.target_id << '\t' << l.title << '\n';
  if (!next.empty()) c.out << "(mai departe: --after " << next << ")\n";
  return ExitCode::ok;
}

ExitCode run_person_assign(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  Assignment a;
  a.department = c.command.get("--department").value_or("");
  a.user = c.command.get("--user").value_or("");
  if (auto s = p->persons->assign(*id, a, p->user); !s.ok()) return c.fail(s.error());
  c.out << "persoana " << *id << " repartizată "
        << (a.user.empty() ? "departamentului " + a.department : a.user) << '\n';
  return ExitCode::ok;
}

ExitCode run_person_access_report(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  auto records = p->persons->access_report(*id, p->user);
  if (!records.ok()) return c.fail(records.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *records) list.push_back(to_json(r));
    print_json(c, {{"person", *id}, {"accesses", list}});
    return ExitCode::ok;
  }
  for (const auto& r : *records)
    c.out << format_bucharest(r.at) << '\t' << r.user << '\t' << r.purpose << '\t' << r.what << '\n';
  return ExitCode::ok;
}

ExitCode run_person_rectify(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  std::map<std::string, std::string> values;
  for (const std::string& set : c.command.get_all("--set")) {
    auto eq = set.find('=');
    if (eq == std::string::npos || eq == 0)
      return c.fail(make_error(ErrorCode::invalid_argument, "--set " + set, "write FIELD=VALUE"));
    values[set.substr(0, eq)] = set.substr(eq + 1);
  }
  auto changed = p->persons->rectify(*id, values, c.command.get("--reason").value_or(""), p->user);
  if (!changed.ok()) return c.fail(changed.error());
  if (c.json)
    print_json(c, persons::to_json(*changed));
  else
    c.out << "persoana " << *id << " rectificată (revizia " << changed->revision << ")\n";
  return ExitCode::ok;
}

ExitCode run_person_household(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  std::vector<HouseholdMember> members;
  for (const std::string& m : c.command.get_all("--member")) {
    auto colon = m.find(':');
    auto id = positive(m.substr(0, colon), "--member");
    if (!id.ok()) return c.fail(id.error());
    members.push_back(HouseholdMember{*id, colon == std::string::npos ? "" : m.substr(colon + 1)});
  }
  auto h = p->persons->add_household(c.command.positionals.at(0), members, p->user);
  if (!h.ok()) return c.fail(h.error());
  if (c.json)
    print_json(c, {{"id", h->id}, {"label", h->label}, {"members", h->members.size()}});
  else
    c.out << h->id << '\n';
  return ExitCode::ok;
}

ExitCode run_person_scan(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  std::optional<DocumentId> only;
  if (auto d = c.command.get("--document")) {
    auto id = positive(*d, "document");
    if (!id.ok()) return c.fail(id.error());
    only = *id;
  }
  auto found = p->persons->scan_for_suggestions(only);
  if (!found.ok()) return c.fail(found.error());
  if (c.json)
    print_json(c, {{"new_suggestions", *found}});
  else
    c.out << *found << " sugestii noi\n";
  return ExitCode::ok;
}

ExitCode run_person_suggestions(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto list = p->persons->suggestions(p->user);
  if (!list.ok()) return c.fail(list.error());
  if (c.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& s : *list)
      j.push_back({{"id", s.id},
                   {"person", s.person_id},
                   {"document", s.document_id},
                   {"reason", s.reason},
                   {"found_at", s.found_at}});
    print_json(c, {{"suggestions", j}});
    return ExitCode::ok;
  }
  for (const auto& s : *list)
    c.out << s.id << "\tpersoana " << s.person_id << "\tdocument " << s.document_id << '\t'
          << (s.reason == "cnp" ? "CNP găsit în text" : "nume găsit în text") << '\n';
  return ExitCode::ok;
}

ExitCode run_person_confirm(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = positive(c.command.positionals.at(0), "suggestion");
  if (!id.ok()) return c.fail(id.error());
  auto how = c.command.has("--dismiss") ? Persons::Resolution::dismiss : Persons::Resolution::confirm;
  if (auto s = p->persons->resolve_suggestion(*id, how, p->user); !s.ok()) return c.fail(s.error());
  c.out << "sugestia " << *id << (how == Persons::Resolution::confirm ? " confirmată\n" : " respinsă\n");
  return ExitCode::ok;
}

ExitCode run_person_export(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  auto out = c.command.get("-o");
  if (!out) return c.fail(make_error(ErrorCode::invalid_argument, "-o", "is required (FILE.tar)"));
  auto done = p->persons->export_file(*id, p->user, purpose(c), *out);
  if (!done.ok()) return c.fail(done.error());
  if (c.json)
    print_json(c,
               {{"file", done->file.string()}, {"documents", done->documents}, {"entries", done->entries}});
  else
    c.out << done->file.string() << ": " << done->documents << " documente\n";
  return ExitCode::ok;
}

ExitCode run_person_erasure_report(Context& c) {
  auto p = open_persons(c);
  if (!p.ok()) return c.fail(p.error());
  auto id = person_id(c);
  if (!id.ok()) return c.fail(id.error());
  auto lines = p->persons->erasure_report(*id, p->user, purpose(c));
  if (!lines.ok()) return c.fail(lines.error());
  if (c.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& l : *lines)
      j.push_back({{"kind", l.kind},
                   {"id", l.target},
                   {"title", l.title},
                   {"verdict", l.verdict},
                   {"until", l.until},
                   {"rule", l.rule}});
    print_json(c, {{"person", *id}, {"items", j}});
    return ExitCode::ok;
  }
  for (const auto& l : *lines)
    c.out << l.kind << ' ' << l.target << '\t' << l.verdict << (l.until.empty() ? "" : " until " + l.until)
          << '\t' << l.rule << '\n';
  return ExitCode::ok;
}

}  // namespace dosar::cli
