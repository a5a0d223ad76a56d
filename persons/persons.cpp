#include "persons/persons.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/text_folding.h"
#include "storage/flow_store.h"
#include "storage/registry_store.h"

namespace dosar::persons {
namespace {

std::string subject(PersonId id) {
  return "person " + std::to_string(id);
}

std::string two_digits(int v) {
  return (v < 10 ? "0" : "") + std::to_string(v);
}

// Checks the identifying fields of `p` and fills what follows from them.
Status complete_identity(Person& p) {
  if (p.name.find_first_not_of(" \t") == std::string::npos)
    return make_error(ErrorCode::invalid_argument, "name", "is required");
  if (!p.cnp.empty()) {
    auto info = validate_cnp(p.cnp);
    if (!info.ok()) return info.error();
    if (!p.id_type.empty() && p.id_type != "CNP")
      return make_error(ErrorCode::invalid_argument, "id-type",
                        "give either a CNP or another identifier, not both");
    p.id_type = "CNP";
    p.id_value = p.cnp;
    if (p.birth_date.empty() && info->birth_year != 0)
      p.birth_date = std::to_string(info->birth_year) + "-" + two_digits(info->birth_month) + "-" +
                     two_digits(info->birth_day);
  } else {
    if (p.id_type == "CNP")
      return make_error(ErrorCode::invalid_argument, "id-type", "a CNP is given with --cnp");
    if (p.id_type.empty() || p.id_value.empty())
      return make_error(ErrorCode::invalid_argument, "identifier",
                        "give a CNP, or an identifier and its type (e.g. --id-type pașaport --id X123)");
  }
  if (!p.birth_date.empty() && !is_iso_date(p.birth_date))
    return make_error(ErrorCode::invalid_argument, "birth_date",
                      p.birth_date + " is not a date (YYYY-MM-DD)");
  p.name_folded = fold_name(p.name);
  return {};
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

const std::vector<std::string>& purposes() {
  static const std::vector<std::string> list = {
      "anchetă-socială",             // the social inquiry of a case
      "evaluare",                    // assessing needs or eligibility
      "soluționare-cerere",          // answering a request of the person
      "monitorizare-caz",            // following up a case
      "control",                     // internal control, audit, inspection
      "solicitare-persoană-vizată",  // the person's own request (GDPR art. 15-17)
      "înregistrare-cerere"          // the desk checking a request before registering it
  };
  return list;
}

Status check_purpose(const std::string& purpose) {
  const auto& list = purposes();
  if (std::find(list.begin(), list.end(), purpose) != list.end()) return {};
  std::string names;
  for (const auto& p : list) names += (names.empty() ? "" : ", ") + p;
  return make_error(
      ErrorCode::invalid_argument, "purpose",
      (purpose.empty() ? std::string("is required") : "'" + purpose + "' is not one of the purposes") +
          " to read personal data; choose one of: " + names);
}

std::string fold_name(std::string_view name) {
  std::string folded = fold_for_matching(name);
  std::string out;
  bool space = false;
  for (char c : folded) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

Result<std::unique_ptr<Persons>> Persons::open(ArchiveStore& archive, const Clock& clock) {
  auto store = open_persons_store(archive, clock);
  if (!store.ok()) return store.error();
  return std::unique_ptr<Persons>(new Persons(archive, std::move(store).value(), clock));
}

Result<bool> Persons::may_see(PersonId id, const std::string& user_name) const {
  auto user = archive_.catalog().user(user_name);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::not_found) return false;
    return user.error();
  }
  auto assigned = store_->assignments(id);
  if (!assigned.ok()) return assigned.error();
  for (const Assignment& a : *assigned) {
    if (!a.user.empty() && a.user == user_name) return true;
    if (!a.department.empty() && user->restricted_access &&
        std::find(user->departments.begin(), user->departments.end(), a.department) !=
            user->departments.end())
      return true;
  }
  return false;
}

Status Persons::require_sees(PersonId id, const std::string& user) const {
  auto person = store_->person(id);
  if (!person.ok()) return person.error();
  auto sees = may_see(id, user);
  if (!sees.ok()) return sees.error();
  if (!*sees)
    return make_error(
        ErrorCode::permission, subject(id),
        "user '" + user + "' is not assigned to this person (neither as case worker nor by department)");
  return {};
}

Status Persons::open_for(PersonId id, const std::string& user, const std::string& purpose,
                         const std::string& what) {
  DOSAR_TRY(check_purpose(purpose));
  DOSAR_TRY(require_sees(id, user));
  return store_->record_access(AccessRecord{0, id, user, format_utc(clock_.now()), purpose, what});
}

Result<Person> Persons::add(const NewPerson& n, const std::string& actor) {
  auto user = archive_.catalog().user(actor);
  if (!user.ok())
    return make_error(ErrorCode::permission, "user " + actor,
                      "is not a user of this archive (see `dosar user add`)");
  Person p;
  p.name = n.name;
  p.cnp = n.cnp;
  p.id_type = n.id_type;
  p.id_value = n.id_value;
  p.birth_date = n.birth_date;
  p.address = n.address;
  p.contacts = n.contacts;
  p.legal_representative = n.legal_representative;
  p.representative_id = n.representative_id;
  p.representative_role = n.representative_role;
  DOSAR_TRY(complete_identity(p));
  if (p.representative_id != 0) DOSAR_TRY(require_sees(p.representative_id, actor));
  std::vector<Assignment> assignments = {Assignment{"", actor, "", ""}};
  if (!n.department.empty()) assignments.push_back(Assignment{n.department, "", "", ""});
  return store_->add_person(p, assignments, actor);
}

Result<PersonFile> Persons::file_of(PersonId id) const {
  PersonFile f;
  auto person = store_->person(id);
  if (!person.ok()) return person.error();
  f.person = std::move(person).value();
  auto assignments = store_->assignments(id);
  if (!assignments.ok()) return assignments.error();
  f.assignments = std::move(assignments).value();
  auto households = store_->households_of(id);
  if (!households.ok()) return households.error();
  f.households = std::move(households).value();
  for (const Household& h : f.households)
    for (const HouseholdMember& m : h.members) {
      auto member = store_->person(m.person_id);
      if (!member.ok()) return member.error();
      f.member_names[m.person_id] = member->name;
    }
  if (f.person.representative_id != 0) {
    auto representative = store_->person(f.person.representative_id);
    if (!representative.ok()) return representative.error();
    f.representative_name = representative->name;
  }
  auto represents = store_->represented_by(id);
  if (!represents.ok()) return represents.error();
  f.represents = std::move(represents).value();
  auto history = store_->history(id);
  if (!history.ok()) return history.error();
  f.history = std::move(history).value();
  return f;
}

Result<PersonFile> Persons::show(PersonId id, const std::string& user, const std::string& purpose) {
  DOSAR_TRY(open_for(id, user, purpose, "person"));
  return file_of(id);
}

Result<std::vector<PersonMatch>> Persons::find(const std::string& query, const std::string& user,
                                               const std::string& purpose) {
  DOSAR_TRY(check_purpose(purpose));
  std::vector<Person> candidates;
  if (all_digits(query)) {
    // Exact match only: a CNP search never completes a prefix, never
    // suggests a near miss, so it cannot be used to guess a CNP.
    if (query.size() != 13)
      return make_error(ErrorCode::invalid_argument, "CNP", "search needs all 13 digits");
    auto hit = store_->person_by_cnp(query);
    if (!hit.ok()) return hit.error();
    if (*hit) candidates.push_back(**hit);
  } else {
    std::string folded = fold_name(query);
    if (folded.size() < 2)
      return make_error(ErrorCode::invalid_argument, "query", "give at least two letters of the name");
    auto hits = store_->persons_by_name(folded, 200);
    if (!hits.ok()) return hits.error();
    candidates = std::move(hits).value();
  }
  std::vector<PersonMatch> out;
  for (const Person& p : candidates) {
    auto sees = may_see(p.id, user);
    if (!sees.ok()) return sees.error();
    if (!*sees) continue;
    DOSAR_TRY(
        store_->record_access(AccessRecord{0, p.id, user, format_utc(clock_.now()), purpose, "search hit"}));
    out.push_back(PersonMatch{p.id, p.name, mask_cnp(p.cnp), p.id_type, p.birth_date});
  }
  return out;
}

Result<PersonLink> Persons::describe_target(PersonId id, const std::string& kind, std::int64_t target) const {
  PersonLink link;
  link.person_id = id;
  link.kind = kind;
  link.target_id = target;
  if (kind == "document") {
    auto d = archive_.catalog().document(target);
    if (!d.ok()) return d.error();
    link.date = d->created_at;
    link.title = d->title;
  } else if (kind == "registry-entry") {
    auto registry = open_registry_store(archive_);
    if (!registry.ok()) return registry.error();
    auto e = (*registry)->entry(target);
    if (!e.ok()) return e.error();
    link.date = e->registered_at;
    link.title = e->number + " " + e->subject;
  } else if (kind == "flow") {
    auto flows = open_flow_store(archive_);
    if (!flows.ok()) return flows.error();
    auto f = (*flows)->flow(target);
    if (!f.ok()) return f.error();
    link.date = f->started_at;
    link.title = "flux " + f->kind + " (document " + std::to_string(f->document) + ", " + f->status + ")";
  } else {
    return make_error(ErrorCode::invalid_argument, kind, "is not document, registry-entry or flow");
  }
  return link;
}

Status Persons::link(PersonId id, const std::string& kind, std::int64_t target, const std::string& user) {
  DOSAR_TRY(require_sees(id, user));
  auto link = describe_target(id, kind, target);
  if (!link.ok()) return link.error();
  return store_->link(*link, user);
}

Status Persons::unlink(PersonId id, const std::string& kind, std::int64_t target, const std::string& user) {
  DOSAR_TRY(require_sees(id, user));
  return store_->unlink(id, kind, target, user);
}

Result<std::vector<PersonLink>> Persons::timeline(PersonId id, const std::string& user,
                                                  const std::string& purpose,
                                                  const std::optional<TimelineCursor>& after,
                                                  std::size_t limit) {
  DOSAR_TRY(open_for(id, user, purpose, "timeline"));
  return store_->timeline(id, after, limit);
}

Status Persons::assign(PersonId id, const Assignment& assignment, const std::string& actor) {
  DOSAR_TRY(require_sees(id, actor));
  if (assignment.user.empty() == assignment.department.empty())
    return make_error(ErrorCode::invalid_argument, subject(id), "assign either a department or a user");
  if (!assignment.user.empty()) {
    auto u = archive_.catalog().user(assignment.user);
    if (!u.ok()) return u.error();
  }
  return store_->assign(id, assignment, actor);
}

Status Persons::record_document_read(DocumentId id, const std::string& user, const std::string& purpose,
                                     const std::string& what) {
  return record_linked_read("document", id, "document " + std::to_string(id), user, purpose, what);
}

Status Persons::record_linked_read(const std::string& kind, std::int64_t target, const std::string& subject,
                                   const std::string& user, const std::string& purpose,
                                   const std::string& what) {
  auto linked = store_->persons_linked_to(kind, target);
  if (!linked.ok()) return linked.error();
  const std::string why = check_purpose(purpose).ok() ? purpose : "nedeclarat";
  for (PersonId person : *linked)
    DOSAR_TRY(store_->record_access(
        AccessRecord{0, person, user, format_utc(clock_.now()), why, subject + " (" + what + ")"}));
  return {};
}

Result<std::set<std::string, std::less<>>> Persons::cnps_shown(std::string_view text, const std::string& user,
                                                               const std::string& purpose,
                                                               const std::string& what) {
  std::set<std::string, std::less<>> shown;
  if (!check_purpose(purpose).ok()) return shown;
  for (const std::string& cnp : find_cnps(text)) {
    auto person = store_->person_by_cnp(cnp);
    if (!person.ok()) return person.error();
    if (!*person) continue;
    auto sees = may_see((*person)->id, user);
    if (!sees.ok()) return sees.error();
    if (!*sees) continue;
    DOSAR_TRY(
        store_->record_access(AccessRecord{0, (*person)->id, user, format_utc(clock_.now()), purpose, what}));
    shown.insert(cnp);
  }
  return shown;
}

Result<std::string> Persons::mask_cnps_for(std::string_view text, const std::string& user,
                                           const std::string& purpose) {
  auto shown = cnps_shown(text, user, purpose, "CNP in a search hit");
  if (!shown.ok()) return shown.error();
  return replace_cnps(
      text, [&](std::string_view cnp) { return shown->count(cnp) ? std::string(cnp) : mask_cnp(cnp); });
}

Status Persons::mask_cnps_for(RegistryEntry& e, const std::string& user, const std::string& purpose) {
  return mask_cnps_for(registry_texts(e), user, purpose, "CNP in registry entry " + e.number);
}

Status Persons::mask_cnps_for(const std::vector<std::string*>& texts, const std::string& user,
                              const std::string& purpose, const std::string& what) {
  // One look at all the texts, so that a person is recorded once.
  std::string all;
  for (const std::string* text : texts) all += *text + "\n";
  auto shown = cnps_shown(all, user, purpose, what);
  if (!shown.ok()) return shown.error();
  for (std::string* text : texts)
    *text = replace_cnps(
        *text, [&](std::string_view cnp) { return shown->count(cnp) ? std::string(cnp) : mask_cnp(cnp); });
  return {};
}

Result<std::size_t> Persons::record_registration_read(std::string_view text, const std::string& user,
                                                      const std::string& what) {
  std::size_t recorded = 0;
  for (const std::string& cnp : find_cnps(text)) {
    auto person = store_->person_by_cnp(cnp);
    if (!person.ok()) return person.error();
    if (!*person) continue;
    DOSAR_TRY(store_->record_access(
        AccessRecord{0, (*person)->id, user, format_utc(clock_.now()), "înregistrare-cerere", what}));
    ++recorded;
  }
  return recorded;
}

Status Persons::record_declared_read(const std::string& kind, std::int64_t target, const std::string& subject,
                                     const std::string& user, const std::string& purpose,
                                     const std::string& what, const std::string& how) {
  auto linked = store_->persons_linked_to(kind, target);
  if (!linked.ok()) return linked.error();
  if (linked->empty()) return {};
  if (!check_purpose(purpose).ok()) {
    std::string names;
    for (const auto& p : purposes()) names += (names.empty() ? "" : ", ") + p;
    return make_error(
        ErrorCode::invalid_argument, subject,
        "is in the file of " +
            (linked->size() == 1 ? std::string("a person") : std::to_string(linked->size()) + " persons") +
            ": reading it needs " + how +
            (purpose.empty() ? std::string() : " ('" + purpose + "' is not one of them)") +
            ", one of: " + names);
  }
  return record_linked_read(kind, target, subject, user, purpose, what);
}

Result<std::vector<AccessRecord>> Persons::access_report(PersonId id, const std::string& user) {
  DOSAR_TRY(open_for(id, user, "control", "access report"));
  return store_->access_records(id);
}

Result<Person> Persons::rectify(PersonId id, const std::map<std::string, std::string>& values,
                                const std::string& reason, const std::string& user) {
  DOSAR_TRY(require_sees(id, user));
  if (reason.empty())
    return make_error(ErrorCode::invalid_argument, "reason", "is required for a rectification");
  auto current = store_->person(id);
  if (!current.ok()) return current.error();
  Person changed = *current;
  for (const auto& [field, value] : values) DOSAR_TRY(set_person_field(changed, field, value));
  if (changed.representative_id != current->representative_id && changed.representative_id != 0) {
    if (changed.representative_id == id)
      return make_error(ErrorCode::invalid_argument, "representative_id",
                        "a person cannot be their own legal representative");
    DOSAR_TRY(require_sees(changed.representative_id, user));
  }
  if (values.count("cnp") && !changed.cnp.empty() && !values.count("id_type")) changed.id_type = "CNP";
  if (values.count("cnp") && changed.cnp.empty() && changed.id_type == "CNP")
    return make_error(ErrorCode::invalid_argument, "cnp", "cannot be removed without another identifier");
  DOSAR_TRY(complete_identity(changed));
  return store_->rectify(changed, current->revision, reason, user);
}

Result<Household> Persons::add_household(const std::string& label,
                                         const std::vector<HouseholdMember>& members,
                                         const std::string& user) {
  if (members.empty())
    return make_error(ErrorCode::invalid_argument, "household", "needs at least one member");
  for (const HouseholdMember& m : members) DOSAR_TRY(require_sees(m.person_id, user));
  return store_->add_household(label, members, user);
}

std::vector<std::string*> registry_texts(RegistryEntry& e) {
  std::vector<std::string*> texts{&e.subject, &e.sender_name, &e.sender_contact, &e.annul_reason};
  for (RegistryEvent& ev : e.history) texts.push_back(&ev.note);
  for (Disposition& d : e.dispositions) {
    texts.push_back(&d.text);
    texts.push_back(&d.late_justification);
  }
  return texts;
}

void mask_cnps(RegistryEntry& e) {
  for (std::string* text : registry_texts(e)) *text = dosar::mask_cnps(*text);
}

}  // namespace dosar::persons
