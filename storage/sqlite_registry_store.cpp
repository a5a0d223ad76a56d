#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/text_folding.h"
#include "storage/archive_store.h"
#include "storage/registry_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

constexpr const char* kEntryColumns =
    "id, register_name, year, seq, number, registered_at, channel, sender_name, sender_contact, subject, "
    "kind, document_date, department, assignee, deadline, status, annul_reason, answers_entry";

// `text` with LIKE's wildcards (and the escape character) escaped by '\'.
std::string like_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

RegistryEntry read_entry(const Statement& s) {
  RegistryEntry e;
  e.id = s.integer(0);
  e.register_name = s.text(1);
  e.year = static_cast<int>(s.integer(2));
  e.seq = static_cast<int>(s.integer(3));
  e.number = s.text(4);
  e.registered_at = s.text(5);
  e.channel = s.text(6);
  e.sender_name = s.text(7);
  e.sender_contact = s.text(8);
  e.subject = s.text(9);
  e.kind = s.text(10);
  if (!s.is_null(11)) e.document_date = s.text(11);
  e.department = s.text(12);
  e.assignee = s.text(13);
  e.deadline = s.text(14);
  e.status = s.text(15);
  e.annul_reason = s.text(16);
  if (!s.is_null(17)) e.answers = s.integer(17);
  return e;
}

constexpr const char* kExchangeColumns =
    "package_id, direction, peer, entry_id, state, peer_number, peer_date, at, acknowledged_at, "
    "ack_package_id";

Exchange read_exchange(const Statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.integer(3), s.text(4),
          s.text(5), s.text(6), s.text(7), s.text(8),    s.text(9)};
}

// "12/22.11.2026" from seq 12 and Bucharest date "2026-11-22".
std::string printed_number(int seq, const std::string& local_date) {
  return std::to_string(seq) + "/" + local_date.substr(8, 2) + "." + local_date.substr(5, 2) + "." +
         local_date.substr(0, 4);
}

class SqliteRegistryStore final : public RegistryStore {
 public:
  SqliteRegistryStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Result<std::vector<Register>> registers() const override {
    auto s = db_.prepare("SELECT name, label FROM registers ORDER BY name");
    if (!s.ok()) return s.error();
    std::vector<Register> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back({s->text(0), s->text(1)}); }));
    return out;
  }

  Result<std::vector<DocumentKind>> kinds() const override {
    auto s = db_.prepare("SELECT name, label, deadline_days, legal_basis FROM document_kinds ORDER BY name");
    if (!s.ok()) return s.error();
    std::vector<DocumentKind> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back({s->text(0), s->text(1), static_cast<int>(s->integer(2)), s->text(3)});
    }));
    return out;
  }

  Status add_register(const Register& r, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_absent("SELECT 1 FROM registers WHERE name = ?", r.name, "register " + r.name));
    auto s = db_.prepare("INSERT INTO registers(name, label) VALUES (?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, r.name).bind(2, r.label).run());
    DOSAR_TRY(audit("registry.register.add", actor, {{"register", r.name}, {"label", r.label}}));
    return tx->commit();
  }

  Status put_kind(const DocumentKind& k, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto existing = db_.prepare("SELECT 1 FROM document_kinds WHERE name = ?");
    if (!existing.ok()) return existing.error();
    existing->bind(1, k.name);
    auto found = existing->step();
    if (!found.ok()) return found.error();
    // Entries refer to their kind, so an existing kind is updated in place.
    auto s = db_.prepare(
        *found ? "UPDATE document_kinds SET label = ?, deadline_days = ?, legal_basis = ? WHERE name = ?"
               : "INSERT INTO document_kinds(label, deadline_days, legal_basis, name) VALUES (?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, k.label)
                  .bind(2, std::int64_t{k.deadline_days})
                  .bind(3, k.legal_basis)
                  .bind(4, k.name)
                  .run());
    DOSAR_TRY(audit("registry.kind.put", actor,
                    {{"kind", k.name}, {"deadline_days", k.deadline_days}, {"legal_basis", k.legal_basis}}));
    return tx->commit();
  }

  Result<RegistryEntry> add_entry(const NewRegistryEntry& n, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_present("SELECT 1 FROM registers WHERE name = ?", n.register_name,
                              "register " + n.register_name, "no such register"));
    auto kind = db_.prepare("SELECT deadline_days FROM document_kinds WHERE name = ?");
    if (!kind.ok()) return kind.error();
    kind->bind(1, n.kind);
    auto kind_row = kind->step();
    if (!kind_row.ok()) return kind_row.error();
    if (!*kind_row) return make_error(ErrorCode::not_found, "kind " + n.kind, "no such document kind");
    int days = static_cast<int>(kind->integer(0));
    for (DocumentId d : n.documents)
      DOSAR_TRY(require_present("SELECT 1 FROM documents WHERE id = ?", d, "document " + std::to_string(d),
                                "no such document"));
    std::optional<RegistryEntry> request;
    if (n.answers) {
      auto r = entry(*n.answers);
      if (!r.ok()) return r.error();
      request = std::move(r).value();
    }

    // The time is taken under the write lock, so numbers and times agree.
    const std::string at = now();
    const std::string local_date = bucharest_date(at);
    const int year = std::stoi(local_date.substr(0, 4));
    auto next = db_.prepare(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM registry_entries WHERE register_name = ? AND year = ?");
    if (!next.ok()) return next.error();
    next->bind(1, n.register_name).bind(2, std::int64_t{year});
    auto next_row = next->step();
    if (!next_row.ok()) return next_row.error();
    const int seq = static_cast<int>(next->integer(0));
    const std::string number = printed_number(seq, local_date);
    const std::string deadline = add_calendar_days(local_date, days);

    auto insert = db_.prepare(
        "INSERT INTO registry_entries(register_name, year, seq, number, registered_at, channel, sender_name, "
        "sender_contact, subject, kind, document_date, deadline, status, answers_entry, access_salt, "
        "access_hash, subject_folded) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?, ?, ?) RETURNING id");
    if (!insert.ok()) return insert.error();
    auto inserted = insert->bind(1, n.register_name)
                        .bind(2, std::int64_t{year})
                        .bind(3, std::int64_t{seq})
                        .bind(4, number)
                        .bind(5, at)
                        .bind(6, n.channel)
                        .bind(7, n.sender_name)
                        .bind(8, n.sender_contact)
                        .bind(9, n.subject)
                        .bind(10, n.kind)
                        .bind(11, n.document_date)
                        .bind(12, deadline)
                        .bind(13, n.answers)
                        .bind(14, n.access_salt)
                        .bind(15, n.access_hash)
                        .bind(16, fold_for_matching(n.subject))
                        .run_returning_id();
    if (!inserted.ok()) return inserted.error();
    const RegistryEntryId id = *inserted;
    for (DocumentId d : n.documents) {
      auto link = db_.prepare("INSERT INTO registry_documents(entry_id, document_id) VALUES (?, ?)");
      if (!link.ok()) return link.error();
      DOSAR_TRY(link->bind(1, id).bind(2, d).run());
    }
    if (n.received) {
      Exchange in = *n.received;
      in.direction = "in";
      in.state = "registered";
      in.entry = id;
      in.at = at;
      DOSAR_TRY(insert_exchange(in));
    }
    RegistryChange first{"",
                         "registered",
                         "registered",
                         "",
                         "",
                         deadline,
                         n.received ? "de la " + n.received->peer + ", nr. " + n.received->peer_number : ""};
    DOSAR_TRY(insert_event(id, at, actor, first));
    // The audit row names the entry, never the sender (restricted personal data).
    DOSAR_TRY(audit("registry.register", actor,
                    {{"entry", id},
                     {"register", n.register_name},
                     {"number", number},
                     {"kind", n.kind},
                     {"channel", n.channel},
                     {"documents", n.documents},
                     {"deadline", deadline}},
                    at));
    if (request && request->status != "answered") {
      RegistryChange answered{request->status,
                              "answered-by",
                              "answered",
                              std::nullopt,
                              std::nullopt,
                              std::nullopt,
                              n.register_name + " " + number};
      DOSAR_TRY(apply(request->id, answered, actor, at));
    }
    DOSAR_TRY(tx->commit());
    return entry(id);
  }

  Result<RegistryEntry> entry(RegistryEntryId id) const override {
    auto s = db_.prepare(std::string("SELECT ") + kEntryColumns + " FROM registry_entries WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "registry entry " + std::to_string(id), "no such entry");
    RegistryEntry e = read_entry(*s);
    DOSAR_TRY(load_details(e));
    return e;
  }

  Result<std::vector<RegistryEntry>> entries_numbered(const std::string& number) const override {
    return select_entries("number = ?", {number}, "register_name");
  }

  Result<std::vector<RegistryEntry>> entries(const std::string& register_name, int year) const override {
    std::string where = "1 = 1";
    std::vector<std::string> args;
    if (!register_name.empty()) {
      where += " AND register_name = ?";
      args.push_back(register_name);
    }
    if (year != 0) {
      where += " AND year = ?";
      args.push_back(std::to_string(year));
    }
    return select_entries(where, args, "register_name, year, seq");
  }

  Result<std::vector<RegistryEntry>> due_by(const std::string& date) const override {
    return select_entries("status IN ('registered', 'assigned', 'in-progress') AND deadline <= ?", {date},
                          "deadline, register_name, seq");
  }

  Result<RegistryBookPage> book_page(const RegistryBookQuery& q) const override {
    std::string where = "1 = 1";
    std::vector<std::string> args;
    auto add = [&](const std::string& condition, std::initializer_list<std::string> values) {
      where += " AND " + condition;
      args.insert(args.end(), values);
    };
    if (!q.register_name.empty()) add("register_name = ?", {q.register_name});
    if (q.year != 0) add("year = ?", {std::to_string(q.year)});
    if (!q.from.empty()) add("registered_at >= ?", {q.from});
    if (!q.until.empty()) add("registered_at < ?", {q.until});
    const std::string unchecked =
        "EXISTS (SELECT 1 FROM online_submissions o WHERE o.entry_id = registry_entries.id AND "
        "o.verification = 'to-verify')";
    if (q.status == "overdue") {
      add("status IN ('registered', 'assigned', 'in-progress') AND deadline <> '' AND deadline < ?",
          {q.today});
    } else if (q.status == "to-verify") {
      add("status = 'registered' AND " + unchecked, {});
    } else if (q.status == "registered") {
      add("status = 'registered' AND NOT " + unchecked, {});
    } else if (!q.status.empty()) {
      static const char* const kStatuses[] = {"assigned", "in-progress", "answered",
                                              "closed",   "archived",    "annulled"};
      if (std::find(std::begin(kStatuses), std::end(kStatuses), q.status) == std::end(kStatuses))
        return make_error(ErrorCode::invalid_argument, "status", "no such status: '" + q.status + "'");
      add("status = ?", {q.status});
    }
    // Folded to folded: the columns hold fold_for_matching of the subject
    // and department, written with them (and by the migration that added
    // them for the rows before it).
    if (!q.text.empty()) {
      std::string pattern = "%" + like_escaped(fold_for_matching(q.text)) + "%";
      add("(number LIKE ? ESCAPE '\\' OR subject_folded LIKE ? ESCAPE '\\')", {pattern, pattern});
    }
    if (q.departments) {
      std::string in = "department = ''";
      if (!q.departments->empty()) {
        in += " OR department_folded IN (?";
        for (std::size_t i = 1; i < q.departments->size(); ++i) in += ", ?";
        in += ")";
      }
      where += " AND (" + in + ")";
      for (const std::string& d : *q.departments) args.push_back(fold_for_matching(d));
    }
    auto count = db_.prepare("SELECT COUNT(*) FROM registry_entries WHERE " + where);
    if (!count.ok()) return count.error();
    for (std::size_t i = 0; i < args.size(); ++i) count->bind(static_cast<int>(i + 1), args[i]);
    auto counted = count->step();
    if (!counted.ok()) return counted.error();
    RegistryBookPage page;
    page.total = static_cast<std::size_t>(count->integer(0));
    if (q.limit == 0 || q.offset >= page.total) return page;
    auto s = db_.prepare(std::string("SELECT ") + kEntryColumns + " FROM registry_entries WHERE " + where +
                         " ORDER BY registered_at DESC, id DESC LIMIT ? OFFSET ?");
    if (!s.ok()) return s.error();
    for (std::size_t i = 0; i < args.size(); ++i) s->bind(static_cast<int>(i + 1), args[i]);
    s->bind(static_cast<int>(args.size() + 1), static_cast<std::int64_t>(q.limit))
        .bind(static_cast<int>(args.size() + 2), static_cast<std::int64_t>(q.offset));
    DOSAR_TRY(s->for_each_row([&] { page.entries.push_back(read_entry(*s)); }));
    for (RegistryEntry& e : page.entries) DOSAR_TRY(load_details(e));
    return page;
  }

  Result<RegistryEntry> change(RegistryEntryId id, const RegistryChange& c,
                               const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(apply(id, c, actor, now()));
    DOSAR_TRY(tx->commit());
    return entry(id);
  }

  Result<RegistryEntry> dispose(RegistryEntryId id, const RegistryChange& c, const Disposition& d,
                                const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(dispose_in_transaction(id, c, d, actor, now()));
    DOSAR_TRY(tx->commit());
    return entry(id);
  }

  Result<RegistryEntry> dispose_sending(RegistryEntryId id, const RegistryChange& c, const Disposition& d,
                                        const Exchange& sent, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string at = now();
    DOSAR_TRY(dispose_in_transaction(id, c, d, actor, at));
    Exchange out = sent;
    out.direction = "out";
    out.state = "sent";
    out.entry = id;
    out.at = at;
    DOSAR_TRY(insert_exchange(out));
    DOSAR_TRY(audit("registry.exchange.send", actor,
                    {{"entry", id}, {"package", out.package_id}, {"to", out.peer}}, at));
    DOSAR_TRY(tx->commit());
    return entry(id);
  }

  Result<std::optional<Exchange>> exchange(const std::string& direction,
                                           const std::string& package_id) const override {
    auto s = db_.prepare(std::string("SELECT ") + kExchangeColumns +
                         " FROM registry_exchanges WHERE direction = ? AND package_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, direction).bind(2, package_id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Exchange>();
    return std::optional<Exchange>(read_exchange(*s));
  }

  Result<RegistryEntry> acknowledge(const std::string& package_id, const std::string& peer_number,
                                    const std::string& peer_date, const std::string& ack_package_id,
                                    const std::string& note, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto sent = exchange("out", package_id);
    if (!sent.ok()) return sent.error();
    if (!*sent) return make_error(ErrorCode::not_found, "package " + package_id, "was not sent from here");
    if ((*sent)->state == "acknowledged")
      return make_error(ErrorCode::conflict, "package " + package_id,
                        "was already acknowledged: registered at " + (*sent)->peer + " as " +
                            (*sent)->peer_number + "; nothing changed");
    const std::string at = now();
    auto s = db_.prepare(
        "UPDATE registry_exchanges SET state = 'acknowledged', peer_number = ?, peer_date = ?, "
        "acknowledged_at = ?, ack_package_id = ? WHERE direction = 'out' AND package_id = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, peer_number)
                  .bind(2, peer_date)
                  .bind(3, at)
                  .bind(4, ack_package_id)
                  .bind(5, package_id)
                  .run());
    auto current = entry((*sent)->entry);
    if (!current.ok()) return current.error();
    RegistryChange event{current->status,
                         "forward-registered",
                         current->status,
                         current->department,
                         current->assignee,
                         current->deadline,
                         note};
    DOSAR_TRY(insert_event(current->id, at, actor, event));
    DOSAR_TRY(audit("registry.exchange.acknowledged", actor,
                    {{"entry", current->id},
                     {"package", package_id},
                     {"acknowledgement", ack_package_id},
                     {"peer", (*sent)->peer},
                     {"peer_number", peer_number}},
                    at));
    DOSAR_TRY(tx->commit());
    return entry(current->id);
  }

  Status note_acknowledgement_sent(const std::string& package_id, const std::string& ack_package_id,
                                   const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto received = exchange("in", package_id);
    if (!received.ok()) return received.error();
    if (!*received) return make_error(ErrorCode::not_found, "package " + package_id, "was not received here");
    auto s = db_.prepare(
        "UPDATE registry_exchanges SET ack_package_id = ?, acknowledged_at = ? "
        "WHERE direction = 'in' AND package_id = ?");
    if (!s.ok()) return s.error();
    const std::string at = now();
    DOSAR_TRY(s->bind(1, ack_package_id).bind(2, at).bind(3, package_id).run());
    DOSAR_TRY(audit("registry.exchange.acknowledge", actor,
                    {{"package", package_id}, {"acknowledgement", ack_package_id}}, at));
    return tx->commit();
  }

  Result<AccessSecret> access_secret(RegistryEntryId id) const override {
    auto s = db_.prepare("SELECT access_salt, access_hash FROM registry_entries WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "registry entry " + std::to_string(id), "no such entry");
    return AccessSecret{s->text(0), s->text(1)};
  }

  Status replace_access_secret(RegistryEntryId id, const AccessSecret& secret,
                               const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto current = entry(id);
    if (!current.ok()) return current.error();
    auto s = db_.prepare("UPDATE registry_entries SET access_salt = ?, access_hash = ? WHERE id = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, secret.salt).bind(2, secret.hash).bind(3, id).run());
    const std::string at = now();
    RegistryChange event{
        current->status, "code-reissued", current->status, std::nullopt, std::nullopt, std::nullopt, ""};
    DOSAR_TRY(insert_event(id, at, actor, event));
    DOSAR_TRY(audit("registry.code.reissue", actor, {{"entry", id}, {"number", current->number}}, at));
    return tx->commit();
  }

  Result<int> lookup_failures_since(const std::string& number, const std::string& since) const override {
    auto s = db_.prepare("SELECT COUNT(*) FROM registry_lookup_failures WHERE number = ? AND at >= ?");
    if (!s.ok()) return s.error();
    s->bind(1, number).bind(2, since);
    auto row = s->step();
    if (!row.ok()) return row.error();
    return static_cast<int>(s->integer(0));
  }

  Status record_lookup(const std::string& number, const std::string& outcome,
                       const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string at = now();
    if (outcome != "ok") {
      auto s = db_.prepare("INSERT INTO registry_lookup_failures(number, at) VALUES (?, ?)");
      if (!s.ok()) return s.error();
      DOSAR_TRY(s->bind(1, number).bind(2, at).run());
    }
    DOSAR_TRY(audit("registry.lookup", actor, {{"number", number}, {"outcome", outcome}}, at));
    return tx->commit();
  }

 private:
  // REQUIRES: inside a write transaction.
  Status dispose_in_transaction(RegistryEntryId id, const RegistryChange& c, const Disposition& d,
                                const std::string& actor, const std::string& at) {
    DOSAR_TRY(apply(id, c, actor, at));
    auto s = db_.prepare(
        "INSERT INTO registry_dispositions(entry_id, seq, kind, target_entry, target, text, at, actor, late, "
        "late_justification) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? "
        "FROM registry_dispositions WHERE entry_id = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, id)
                  .bind(2, d.kind)
                  .bind(3, d.target_entry)
                  .bind(4, d.target)
                  .bind(5, d.text)
                  .bind(6, at)
                  .bind(7, actor)
                  .bind(8, std::int64_t{d.late ? 1 : 0})
                  .bind(9, d.late_justification)
                  .bind(10, id)
                  .run());
    if (d.target_entry) {
      // The first entry's history shows what was joined to it; its status stays.
      auto joined = entry(id);
      if (!joined.ok()) return joined.error();
      auto first = entry(*d.target_entry);
      if (!first.ok()) return first.error();
      RegistryChange with{first->status,
                          "joined-with",
                          first->status,
                          std::nullopt,
                          std::nullopt,
                          std::nullopt,
                          joined->register_name + " " + joined->number};
      with.department = first->department;
      with.assignee = first->assignee;
      with.deadline = first->deadline;
      DOSAR_TRY(insert_event(first->id, at, actor, with));
    }
    DOSAR_TRY(audit("registry.disposition." + d.kind, actor,
                    {{"entry", id},
                     {"target_entry", d.target_entry ? nlohmann::json(*d.target_entry) : nlohmann::json()},
                     {"target", d.target},
                     {"text", d.text},
                     {"late", d.late},
                     {"late_justification", d.late_justification}},
                    at));
    return {};
  }

  // REQUIRES: inside a write transaction. Errors: conflict (the package id
  // is known in that direction), io.
  Status insert_exchange(const Exchange& x) {
    auto known = exchange(x.direction, x.package_id);
    if (!known.ok()) return known.error();
    if (*known) {
      auto first = entry((*known)->entry);
      return make_error(ErrorCode::conflict, "package " + x.package_id,
                        std::string(x.direction == "in" ? "was already received" : "was already sent") +
                            (first.ok() ? ": registered here as " + first->register_name + " " + first->number
                                        : std::string()) +
                            "; nothing changed");
    }
    auto s = db_.prepare(
        "INSERT INTO registry_exchanges(package_id, direction, entry_id, peer, state, peer_number, "
        "peer_date, "
        "at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    return s->bind(1, x.package_id)
        .bind(2, x.direction)
        .bind(3, x.entry)
        .bind(4, x.peer)
        .bind(5, x.state)
        .bind(6, x.peer_number)
        .bind(7, x.peer_date)
        .bind(8, x.at)
        .run();
  }

  std::string now() const { return format_utc(clock_.now()); }

  Status audit(const std::string& action, const std::string& actor, const nlohmann::json& detail,
               std::string at = {}) {
    if (at.empty()) at = now();
    return sql::append_audit(db_, at, actor, action, std::nullopt, detail.dump());
  }

  template <class Key>
  Status require_absent(const std::string& sql, const Key& key, const std::string& subject) {
    auto s = db_.prepare(sql);
    if (!s.ok()) return s.error();
    s->bind(1, key);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (*row) return make_error(ErrorCode::conflict, subject, "already exists");
    return {};
  }

  template <class Key>
  Status require_present(const std::string& sql, const Key& key, const std::string& subject,
                         const std::string& message) {
    auto s = db_.prepare(sql);
    if (!s.ok()) return s.error();
    s->bind(1, key);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, subject, message);
    return {};
  }

  // REQUIRES: inside a write transaction.
  Status apply(RegistryEntryId id, const RegistryChange& c, const std::string& actor, const std::string& at) {
    auto current = entry(id);
    if (!current.ok()) return current.error();
    if (current->status != c.expected_status)
      return make_error(ErrorCode::conflict, current->register_name + " " + current->number,
                        "is now " + current->status + ", not " + c.expected_status + "; nothing changed");
    auto s = db_.prepare(
        "UPDATE registry_entries SET status = ?, department = COALESCE(?, department), "
        "department_folded = COALESCE(?, department_folded), "
        "assignee = COALESCE(?, assignee), deadline = COALESCE(?, deadline), "
        "annul_reason = CASE WHEN ? = 'annulled' THEN ? ELSE annul_reason END WHERE id = ?");
    if (!s.ok()) return s.error();
    std::optional<std::string> department_folded;
    if (c.department) department_folded = fold_for_matching(*c.department);
    DOSAR_TRY(s->bind(1, c.status)
                  .bind(2, c.department)
                  .bind(3, department_folded)
                  .bind(4, c.assignee)
                  .bind(5, c.deadline)
                  .bind(6, c.status)
                  .bind(7, c.note)
                  .bind(8, id)
                  .run());
    RegistryChange recorded = c;
    if (!recorded.department) recorded.department = current->department;
    if (!recorded.assignee) recorded.assignee = current->assignee;
    if (!recorded.deadline) recorded.deadline = current->deadline;
    DOSAR_TRY(insert_event(id, at, actor, recorded));
    return audit("registry." + c.event, actor,
                 {{"entry", id},
                  {"number", current->number},
                  {"register", current->register_name},
                  {"from", current->status},
                  {"to", c.status},
                  {"department", *recorded.department},
                  {"assignee", *recorded.assignee},
                  {"deadline", *recorded.deadline},
                  {"note", c.note}},
                 at);
  }

  Status insert_event(RegistryEntryId id, const std::string& at, const std::string& actor,
                      const RegistryChange& c) {
    auto s = db_.prepare(
        "INSERT INTO registry_events(entry_id, seq, at, actor, event, status, department, assignee, "
        "deadline, note) "
        "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM registry_events WHERE entry_id = "
        "?");
    if (!s.ok()) return s.error();
    return s->bind(1, id)
        .bind(2, at)
        .bind(3, actor)
        .bind(4, c.event)
        .bind(5, c.status)
        .bind(6, c.department.value_or(""))
        .bind(7, c.assignee.value_or(""))
        .bind(8, c.deadline.value_or(""))
        .bind(9, c.note)
        .bind(10, id)
        .run();
  }

  Result<std::vector<RegistryEntry>> select_entries(const std::string& where,
                                                    const std::vector<std::string>& args,
                                                    const std::string& order) const {
    auto s = db_.prepare(std::string("SELECT ") + kEntryColumns + " FROM registry_entries WHERE " + where +
                         " ORDER BY " + order);
    if (!s.ok()) return s.error();
    for (std::size_t i = 0; i < args.size(); ++i) s->bind(static_cast<int>(i + 1), args[i]);
    std::vector<RegistryEntry> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_entry(*s)); }));
    for (RegistryEntry& e : out) DOSAR_TRY(load_details(e));
    return out;
  }

  // Runs `sql` with the one parameter `id` and hands each row to `row`.
  template <class Row>
  Status each_row(const char* sql, RegistryEntryId id, Row row) const {
    auto s = db_.prepare(sql);
    if (!s.ok()) return s.error();
    s->bind(1, id);
    return s->for_each_row([&] { row(*s); });
  }

  Status load_details(RegistryEntry& e) const {
    DOSAR_TRY(each_row("SELECT document_id FROM registry_documents WHERE entry_id = ? ORDER BY document_id",
                       e.id, [&](const Statement& s) { e.documents.push_back(s.integer(0)); }));
    DOSAR_TRY(each_row("SELECT id FROM registry_entries WHERE answers_entry = ? ORDER BY id", e.id,
                       [&](const Statement& s) { e.answered_by.push_back(s.integer(0)); }));
    DOSAR_TRY(
        each_row("SELECT seq, kind, target_entry, target, text, at, actor, late, late_justification "
                 "FROM registry_dispositions WHERE entry_id = ? ORDER BY seq",
                 e.id, [&](const Statement& d) {
                   Disposition out;
                   out.seq = static_cast<int>(d.integer(0));
                   out.kind = d.text(1);
                   if (!d.is_null(2)) out.target_entry = d.integer(2);
                   out.target = d.text(3);
                   out.text = d.text(4);
                   out.at = d.text(5);
                   out.actor = d.text(6);
                   out.late = d.integer(7) != 0;
                   out.late_justification = d.text(8);
                   e.dispositions.push_back(std::move(out));
                 }));
    DOSAR_TRY(
        each_row("SELECT entry_id FROM registry_dispositions WHERE target_entry = ? AND kind = 'joined' "
                 "ORDER BY entry_id",
                 e.id, [&](const Statement& s) { e.joined.push_back(s.integer(0)); }));
    DOSAR_TRY(each_row((std::string("SELECT ") + kExchangeColumns +
                        " FROM registry_exchanges WHERE entry_id = ? ORDER BY at, direction")
                           .c_str(),
                       e.id, [&](const Statement& s) { e.exchanges.push_back(read_exchange(s)); }));
    DOSAR_TRY(each_row(
        "SELECT seq, at, actor, event, status, department, assignee, deadline, note FROM registry_events "
        "WHERE entry_id = ? ORDER BY seq",
        e.id, [&](const Statement& s) {
          e.history.push_back({static_cast<int>(s.integer(0)), s.text(1), s.text(2), s.text(3), s.text(4),
                               s.text(5), s.text(6), s.text(7), s.text(8)});
        }));
    return {};
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<RegistryStore>> open_registry_store(const ArchiveStore& archive, const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<RegistryStore>(std::make_unique<SqliteRegistryStore>(std::move(db).value(), clock));
}

}  // namespace dosar
