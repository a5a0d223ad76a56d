#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "storage/archive_store.h"
#include "storage/persons_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

constexpr const char* kPersonColumns =
    "id, cnp, id_type, id_value, name, name_folded, birth_date, address, contacts, legal_representative, "
    "created_at, created_by, updated_at, revision, representative_id, representative_role";

Person read_person(const Statement& s) {
  Person p;
  p.id = s.integer(0);
  p.cnp = s.is_null(1) ? "" : s.text(1);
  p.id_type = s.text(2);
  p.id_value = s.text(3);
  p.name = s.text(4);
  p.name_folded = s.text(5);
  p.birth_date = s.text(6);
  p.address = s.text(7);
  p.contacts = s.text(8);
  p.legal_representative = s.text(9);
  p.created_at = s.text(10);
  p.created_by = s.text(11);
  p.updated_at = s.text(12);
  p.revision = static_cast<int>(s.integer(13));
  p.representative_id = s.is_null(14) ? 0 : s.integer(14);
  p.representative_role = s.text(15);
  return p;
}

PersonLink read_link(const Statement& s) {
  PersonLink l;
  l.person_id = s.integer(0);
  l.kind = s.text(1);
  l.target_id = s.integer(2);
  l.date = s.text(3);
  l.title = s.text(4);
  l.linked_at = s.text(5);
  l.linked_by = s.text(6);
  return l;
}

LinkSuggestion read_suggestion(const Statement& s) {
  return LinkSuggestion{s.integer(0), s.integer(1), s.integer(2), s.text(3), s.text(4), s.text(5)};
}

std::optional<std::int64_t> representative_of(const Person& p) {
  if (p.representative_id == 0) return std::nullopt;
  return p.representative_id;
}

Error person_missing(PersonId id) {
  return make_error(ErrorCode::not_found, "person " + std::to_string(id), "does not exist");
}

class SqlitePersonsStore final : public PersonsStore {
 public:
  SqlitePersonsStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Result<Person> add_person(const Person& person, const std::vector<Assignment>& assignments,
                            const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(check_identifier_free(person, 0));
    const std::string at = now();
    auto s = db_.prepare(
        "INSERT INTO persons(cnp, id_type, id_value, name, name_folded, birth_date, address, contacts, "
        "legal_representative, created_at, created_by, updated_at, revision, representative_id, "
        "representative_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
    if (!s.ok()) return s.error();
    std::optional<std::string> cnp;
    if (!person.cnp.empty()) cnp = person.cnp;
    auto inserted = s->bind(1, cnp)
                        .bind(2, person.id_type)
                        .bind(3, person.id_value)
                        .bind(4, person.name)
                        .bind(5, person.name_folded)
                        .bind(6, person.birth_date)
                        .bind(7, person.address)
                        .bind(8, person.contacts)
                        .bind(9, person.legal_representative)
                        .bind(10, at)
                        .bind(11, actor)
                        .bind(12, at)
                        .bind(13, representative_of(person))
                        .bind(14, person.representative_role)
                        .run_returning_id();
    if (!inserted.ok()) return inserted.error();
    const PersonId id = *inserted;
    for (const Assignment& a : assignments) DOSAR_TRY(insert_assignment(id, a, actor, at));
    // The audit row names the person by id only: no name, no CNP (logs are
    // read by people not assigned to the case).
    DOSAR_TRY(audit("person.add", actor, {{"person", id}, {"assignments", assignments.size()}}, at));
    DOSAR_TRY(tx->commit());
    return this->person(id);
  }

  Result<Person> person(PersonId id) const override {
    auto s = db_.prepare(std::string("SELECT ") + kPersonColumns + " FROM persons WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return person_missing(id);
    return read_person(*s);
  }

  Result<std::optional<Person>> person_by_cnp(const std::string& cnp) const override {
    auto s = db_.prepare(std::string("SELECT ") + kPersonColumns + " FROM persons WHERE cnp = ?");
    if (!s.ok()) return s.error();
    s->bind(1, cnp);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Person>{};
    return std::optional<Person>{read_person(*s)};
  }

  Result<std::vector<Person>> persons_by_name(const std::string& folded, std::size_t limit) const override {
    std::string pattern;
    for (char c : folded) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    auto s =
        db_.prepare(std::string("SELECT ") + kPersonColumns +
                    " FROM persons WHERE name_folded LIKE ? ESCAPE '\\' ORDER BY name_folded, id LIMIT ?");
    if (!s.ok()) return s.error();
    s->bind(1, "%" + pattern + "%").bind(2, static_cast<std::int64_t>(limit));
    std::vector<Person> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_person(*s)); }));
    return out;
  }

  Result<std::vector<Represented>> represented_by(PersonId id) const override {
    auto s = db_.prepare(
        "SELECT id, name, representative_role FROM persons WHERE representative_id = ? ORDER BY id");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<Represented> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(Represented{s->integer(0), s->text(1), s->text(2)}); }));
    return out;
  }

  Result<std::vector<Person>> persons() const override {
    auto s = db_.prepare(std::string("SELECT ") + kPersonColumns + " FROM persons ORDER BY id");
    if (!s.ok()) return s.error();
    std::vector<Person> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_person(*s)); }));
    return out;
  }

  Result<Person> rectify(const Person& changed, int expected_revision, const std::string& reason,
                         const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto current = person(changed.id);
    if (!current.ok()) return current.error();
    if (current->revision != expected_revision)
      return make_error(ErrorCode::conflict, "person " + std::to_string(changed.id),
                        "was changed meanwhile (revision " + std::to_string(current->revision) + ")");
    DOSAR_TRY(check_identifier_free(changed, changed.id));
    const std::string at = now();
    const int revision = current->revision + 1;
    Person before = *current;
    Person after = changed;
    std::vector<std::string> fields;
    for (const char* field : kPersonFields) {
      const std::string old_value = person_field(before, field);
      const std::string new_value = person_field(after, field);
      if (old_value == new_value) continue;
      fields.emplace_back(field);
      auto h = db_.prepare(
          "INSERT INTO person_history(person_id, revision, field, old_value, new_value, reason, at, actor) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!h.ok()) return h.error();
      DOSAR_TRY(h->bind(1, changed.id)
                    .bind(2, std::int64_t{revision})
                    .bind(3, field)
                    .bind(4, old_value)
                    .bind(5, new_value)
                    .bind(6, reason)
                    .bind(7, at)
                    .bind(8, actor)
                    .run());
    }
    if (fields.empty())
      return make_error(ErrorCode::invalid_argument, "person " + std::to_string(changed.id),
                        "nothing to rectify: every value given is the present one");
    std::optional<std::string> cnp;
    if (!after.cnp.empty()) cnp = after.cnp;
    auto u = db_.prepare(
        "UPDATE persons SET cnp = ?, id_type = ?, id_value = ?, name = ?, name_folded = ?, birth_date = ?, "
        "address = ?, contacts = ?, legal_representative = ?, updated_at = ?, revision = ?, "
        "representative_id = ?, representative_role = ? WHERE id = ?");
    if (!u.ok()) return u.error();
    DOSAR_TRY(u->bind(1, cnp)
                  .bind(2, after.id_type)
                  .bind(3, after.id_value)
                  .bind(4, after.name)
                  .bind(5, after.name_folded)
                  .bind(6, after.birth_date)
                  .bind(7, after.address)
                  .bind(8, after.contacts)
                  .bind(9, after.legal_representative)
                  .bind(10, at)
                  .bind(11, std::int64_t{revision})
                  .bind(12, representative_of(after))
                  .bind(13, after.representative_role)
                  .bind(14, changed.id)
                  .run());
    DOSAR_TRY(audit("person.rectify", actor,
                    {{"person", changed.id}, {"revision", revision}, {"fields", fields}}, at));
    DOSAR_TRY(tx->commit());
    return person(changed.id);
  }

  Result<std::vector<PersonChange>> history(PersonId id) const override {
    auto s = db_.prepare(
        "SELECT revision, field, old_value, new_value, reason, at, actor FROM person_history "
        "WHERE person_id = ? ORDER BY revision, field");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<PersonChange> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back(PersonChange{static_cast<int>(s->integer(0)), s->text(1), s->text(2), s->text(3),
                                 s->text(4), s->text(5), s->text(6)});
    }));
    return out;
  }

  Result<Household> add_household(const std::string& label, const std::vector<HouseholdMember>& members,
                                  const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string at = now();
    auto s = db_.prepare("INSERT INTO households(label, created_at) VALUES (?, ?) RETURNING id");
    if (!s.ok()) return s.error();
    auto inserted = s->bind(1, label).bind(2, at).run_returning_id();
    if (!inserted.ok()) return inserted.error();
    const std::int64_t id = *inserted;
    for (const HouseholdMember& m : members) DOSAR_TRY(insert_member(id, m));
    DOSAR_TRY(audit("household.add", actor, {{"household", id}, {"members", members.size()}}, at));
    DOSAR_TRY(tx->commit());
    return Household{id, label, at, members};
  }

  Status add_household_member(std::int64_t household, const HouseholdMember& member,
                              const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto s = db_.prepare("SELECT 1 FROM households WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, household);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "household " + std::to_string(household), "does not exist");
    DOSAR_TRY(insert_member(household, member));
    DOSAR_TRY(
        audit("household.member", actor, {{"household", household}, {"person", member.person_id}}, now()));
    return tx->commit();
  }

  Result<std::vector<Household>> households_of(PersonId id) const override {
    auto s = db_.prepare(
        "SELECT h.id, h.label, h.created_at FROM households h JOIN household_members m ON m.household_id = "
        "h.id "
        "WHERE m.person_id = ? ORDER BY h.id");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<Household> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(Household{s->integer(0), s->text(1), s->text(2), {}}); }));
    for (Household& h : out) {
      auto m = db_.prepare(
          "SELECT person_id, role FROM household_members WHERE household_id = ? ORDER BY person_id");
      if (!m.ok()) return m.error();
      m->bind(1, h.id);
      DOSAR_TRY(m->for_each_row([&] { h.members.push_back(HouseholdMember{m->integer(0), m->text(1)}); }));
    }
    return out;
  }

  Status link(const PersonLink& link, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_person(link.person_id));
    if (auto existing = find_link(link.person_id, link.kind, link.target_id); !existing.ok()) {
      return existing.error();
    } else if (*existing) {
      return make_error(ErrorCode::conflict, link.kind + " " + std::to_string(link.target_id),
                        "is already linked to person " + std::to_string(link.person_id));
    }
    const std::string at = now();
    auto s = db_.prepare(
        "INSERT INTO person_links(person_id, kind, target_id, date, title, linked_at, linked_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, link.person_id)
                  .bind(2, link.kind)
                  .bind(3, link.target_id)
                  .bind(4, link.date)
                  .bind(5, link.title)
                  .bind(6, at)
                  .bind(7, actor)
                  .run());
    DOSAR_TRY(audit("person.link", actor,
                    {{"person", link.person_id}, {"kind", link.kind}, {"target", link.target_id}}, at,
                    link.kind == "document" ? std::optional<DocumentId>(link.target_id) : std::nullopt));
    return tx->commit();
  }

  Status unlink(PersonId id, const std::string& kind, std::int64_t target,
                const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto existing = find_link(id, kind, target);
    if (!existing.ok()) return existing.error();
    if (!*existing)
      return make_error(ErrorCode::not_found, kind + " " + std::to_string(target),
                        "is not linked to person " + std::to_string(id));
    auto d = db_.prepare("DELETE FROM person_links WHERE person_id = ? AND kind = ? AND target_id = ?");
    if (!d.ok()) return d.error();
    DOSAR_TRY(d->bind(1, id).bind(2, kind).bind(3, target).run());
    DOSAR_TRY(audit("person.unlink", actor, {{"person", id}, {"kind", kind}, {"target", target}}, now(),
                    kind == "document" ? std::optional<DocumentId>(target) : std::nullopt));
    return tx->commit();
  }

  Result<std::vector<PersonLink>> timeline(PersonId id, const std::optional<TimelineCursor>& after,
                                           std::size_t limit) const override {
    // Row-value comparison walks the (person_id, date, kind, target_id)
    // index backwards from the cursor: a page costs the page.
    auto s = db_.prepare(
        after ? "SELECT person_id, kind, target_id, date, title, linked_at, linked_by FROM person_links "
                "WHERE person_id = ? AND (date, kind, target_id) < (?, ?, ?) "
                "ORDER BY date DESC, kind DESC, target_id DESC LIMIT ?"
              : "SELECT person_id, kind, target_id, date, title, linked_at, linked_by FROM person_links "
                "WHERE person_id = ? ORDER BY date DESC, kind DESC, target_id DESC LIMIT ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    if (after) {
      s->bind(2, after->date)
          .bind(3, after->kind)
          .bind(4, after->target_id)
          .bind(5, static_cast<std::int64_t>(limit));
    } else {
      s->bind(2, static_cast<std::int64_t>(limit));
    }
    std::vector<PersonLink> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_link(*s)); }));
    return out;
  }

  Result<std::vector<PersonLink>> links(PersonId id) const override {
    auto s = db_.prepare(
        "SELECT person_id, kind, target_id, date, title, linked_at, linked_by FROM person_links "
        "WHERE person_id = ? ORDER BY date, kind, target_id");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<PersonLink> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_link(*s)); }));
    return out;
  }

  Result<std::vector<PersonId>> persons_linked_to(const std::string& kind,
                                                  std::int64_t target) const override {
    auto s =
        db_.prepare("SELECT person_id FROM person_links WHERE kind = ? AND target_id = ? ORDER BY person_id");
    if (!s.ok()) return s.error();
    s->bind(1, kind).bind(2, target);
    std::vector<PersonId> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(s->integer(0)); }));
    return out;
  }

  Status assign(PersonId id, const Assignment& assignment, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_person(id));
    const std::string at = now();
    DOSAR_TRY(insert_assignment(id, assignment, actor, at));
    DOSAR_TRY(audit("person.assign", actor,
                    {{"person", id}, {"department", assignment.department}, {"user", assignment.user}}, at));
    return tx->commit();
  }

  Result<std::vector<Assignment>> assignments(PersonId id) const override {
    auto s = db_.prepare(
        "SELECT department, user_name, assigned_at, assigned_by FROM person_assignments WHERE person_id = ? "
        "ORDER BY assigned_at, department, user_name");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<Assignment> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back(Assignment{s->text(0), s->text(1), s->text(2), s->text(3)});
    }));
    return out;
  }

  Status record_access(const AccessRecord& r) override {
    auto s = db_.prepare(
        "INSERT INTO person_access(person_id, user_name, at, purpose, what) VALUES (?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    return s->bind(1, r.person_id)
        .bind(2, r.user)
        .bind(3, r.at.empty() ? now() : r.at)
        .bind(4, r.purpose)
        .bind(5, r.what)
        .run();
  }

  Result<std::vector<AccessRecord>> access_records(PersonId id) const override {
    auto s = db_.prepare(
        "SELECT id, person_id, user_name, at, purpose, what FROM person_access WHERE person_id = ? ORDER BY "
        "id");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<AccessRecord> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back(
          AccessRecord{s->integer(0), s->integer(1), s->text(2), s->text(3), s->text(4), s->text(5)});
    }));
    return out;
  }

  Status add_suggestions(const std::vector<LinkSuggestion>& found, DocumentId scanned, int version) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string at = now();
    for (const LinkSuggestion& f : found) {
      auto s = db_.prepare(
          "INSERT INTO person_suggestions(person_id, document_id, reason, state, found_at) "
          "VALUES (?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING");
      if (!s.ok()) return s.error();
      DOSAR_TRY(s->bind(1, f.person_id).bind(2, f.document_id).bind(3, f.reason).bind(4, at).run());
    }
    auto scan = db_.prepare(
        "INSERT INTO person_scans(document_id, version) VALUES (?, ?) "
        "ON CONFLICT(document_id) DO UPDATE SET version = excluded.version");
    if (!scan.ok()) return scan.error();
    DOSAR_TRY(scan->bind(1, scanned).bind(2, std::int64_t{version}).run());
    return tx->commit();
  }

  Result<int> scanned_version(DocumentId id) const override {
    auto s = db_.prepare("SELECT version FROM person_scans WHERE document_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    return *row ? static_cast<int>(s->integer(0)) : 0;
  }

  Result<std::vector<LinkSuggestion>> suggestions(const std::string& state) const override {
    auto s = db_.prepare(
        "SELECT id, person_id, document_id, reason, state, found_at FROM person_suggestions "
        "WHERE ? = '' OR state = ? ORDER BY id");
    if (!s.ok()) return s.error();
    s->bind(1, state).bind(2, state);
    std::vector<LinkSuggestion> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_suggestion(*s)); }));
    return out;
  }

  Result<LinkSuggestion> suggestion(std::int64_t id) const override {
    auto s = db_.prepare(
        "SELECT id, person_id, document_id, reason, state, found_at FROM person_suggestions WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "suggestion " + std::to_string(id), "does not exist");
    return read_suggestion(*s);
  }

  Status resolve_suggestion(std::int64_t id, const std::string& state, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto current = suggestion(id);
    if (!current.ok()) return current.error();
    if (current->state != "open")
      return make_error(ErrorCode::conflict, "suggestion " + std::to_string(id),
                        "is already " + current->state);
    auto u = db_.prepare("UPDATE person_suggestions SET state = ? WHERE id = ?");
    if (!u.ok()) return u.error();
    DOSAR_TRY(u->bind(1, state).bind(2, id).run());
    DOSAR_TRY(audit("person.suggestion", actor,
                    {{"suggestion", id}, {"person", current->person_id}, {"state", state}}, now(),
                    current->document_id));
    return tx->commit();
  }

 private:
  std::string now() const { return format_utc(clock_.now()); }

  Status audit(const std::string& action, const std::string& actor, const nlohmann::json& detail,
               const std::string& at, std::optional<DocumentId> document = std::nullopt) {
    return sql::append_audit(db_, at, actor, action, document, detail.dump());
  }

  Status require_person(PersonId id) const {
    auto s = db_.prepare("SELECT 1 FROM persons WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return person_missing(id);
    return {};
  }

  // conflict when another person holds the CNP or the identifier.
  Status check_identifier_free(const Person& p, PersonId self) const {
    auto s = db_.prepare(
        "SELECT id FROM persons WHERE id <> ? AND ((cnp IS NOT NULL AND cnp = ?) OR (id_type = ? AND "
        "id_value = ?))");
    if (!s.ok()) return s.error();
    s->bind(1, self).bind(2, p.cnp).bind(3, p.id_type).bind(4, p.id_value);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (*row)
      return make_error(ErrorCode::conflict, p.cnp.empty() ? p.id_type : "CNP",
                        "is already the identifier of person " + std::to_string(s->integer(0)));
    return {};
  }

  Result<bool> find_link(PersonId id, const std::string& kind, std::int64_t target) const {
    auto s = db_.prepare("SELECT 1 FROM person_links WHERE person_id = ? AND kind = ? AND target_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id).bind(2, kind).bind(3, target);
    return s->step();
  }

  Status insert_assignment(PersonId id, const Assignment& a, const std::string& actor,
                           const std::string& at) {
    auto exists = db_.prepare(
        "SELECT 1 FROM person_assignments WHERE person_id = ? AND department = ? AND user_name = ?");
    if (!exists.ok()) return exists.error();
    exists->bind(1, id).bind(2, a.department).bind(3, a.user);
    auto row = exists->step();
    if (!row.ok()) return row.error();
    if (*row)
      return make_error(ErrorCode::conflict, a.user.empty() ? "department " + a.department : "user " + a.user,
                        "is already assigned to person " + std::to_string(id));
    auto s = db_.prepare(
        "INSERT INTO person_assignments(person_id, department, user_name, assigned_at, assigned_by) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    return s->bind(1, id).bind(2, a.department).bind(3, a.user).bind(4, at).bind(5, actor).run();
  }

  Status insert_member(std::int64_t household, const HouseholdMember& m) {
    DOSAR_TRY(require_person(m.person_id));
    auto exists = db_.prepare("SELECT 1 FROM household_members WHERE household_id = ? AND person_id = ?");
    if (!exists.ok()) return exists.error();
    exists->bind(1, household).bind(2, m.person_id);
    auto row = exists->step();
    if (!row.ok()) return row.error();
    if (*row)
      return make_error(ErrorCode::conflict, "person " + std::to_string(m.person_id),
                        "is already a member of household " + std::to_string(household));
    auto s = db_.prepare("INSERT INTO household_members(household_id, person_id, role) VALUES (?, ?, ?)");
    if (!s.ok()) return s.error();
    return s->bind(1, household).bind(2, m.person_id).bind(3, m.role).run();
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

std::string person_field(const Person& p, const std::string& field) {
  if (field == "name") return p.name;
  if (field == "cnp") return p.cnp;
  if (field == "id_type") return p.id_type;
  if (field == "id_value") return p.id_value;
  if (field == "birth_date") return p.birth_date;
  if (field == "address") return p.address;
  if (field == "contacts") return p.contacts;
  if (field == "legal_representative") return p.legal_representative;
  if (field == "representative_id") return p.representative_id ? std::to_string(p.representative_id) : "";
  if (field == "representative_role") return p.representative_role;
  return "";
}

Status set_person_field(Person& p, const std::string& field, const std::string& value) {
  if (field == "representative_id") {
    if (value.empty() || value == "0") {
      p.representative_id = 0;
      return {};
    }
    char* end = nullptr;
    errno = 0;
    long long id = std::strtoll(value.c_str(), &end, 10);
    if (*end != '\0' || errno != 0 || id <= 0)
      return make_error(ErrorCode::invalid_argument, "representative_id",
                        "'" + value + "' is not a person id (a positive number; empty for none)");
    p.representative_id = id;
    return {};
  }
  std::string* text = field == "name"                   ? &p.name
                      : field == "cnp"                  ? &p.cnp
                      : field == "id_type"              ? &p.id_type
                      : field == "id_value"             ? &p.id_value
                      : field == "birth_date"           ? &p.birth_date
                      : field == "address"              ? &p.address
                      : field == "contacts"             ? &p.contacts
                      : field == "legal_representative" ? &p.legal_representative
                      : field == "representative_role"  ? &p.representative_role
                                                        : nullptr;
  if (!text) {
    std::string names;
    for (const char* f : kPersonFields) names += (names.empty() ? "" : ", ") + std::string(f);
    return make_error(ErrorCode::invalid_argument, field, "is not a field of a person (" + names + ")");
  }
  *text = value;
  return {};
}

Result<std::unique_ptr<PersonsStore>> open_persons_store(const ArchiveStore& archive, const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<PersonsStore>(std::make_unique<SqlitePersonsStore>(std::move(db).value(), clock));
}

}  // namespace dosar
