#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/archive_store.h"
#include "storage/flow_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

// User lists are stored comma-separated; user names cannot hold commas' neighbours
// (spaces, '/', ':') and are checked not to hold commas where they are created.
std::string join_users(const std::vector<std::string>& users) {
  std::string out;
  for (const std::string& u : users) out += (out.empty() ? "" : ",") + u;
  return out;
}

std::vector<std::string> split_users(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string u; std::getline(in, u, ',');)
    if (!u.empty()) out.push_back(u);
  return out;
}

nlohmann::json approvers_json(const Approvers& a) {
  return {{"users", a.users}, {"role", a.role}, {"department", a.department}};
}

class SqliteFlowStore final : public FlowStore {
 public:
  SqliteFlowStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Status put_template(const FlowTemplate& t, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto del = db_.prepare("DELETE FROM flow_templates WHERE kind = ?");
    if (!del.ok()) return del.error();
    DOSAR_TRY(del->bind(1, t.kind).run());
    nlohmann::json steps = nlohmann::json::array();
    for (const TemplateStep& s : t.steps) {
      auto ins = db_.prepare(
          "INSERT INTO flow_templates(kind, position, label, users, role, department) VALUES (?, ?, ?, ?, ?, "
          "?)");
      if (!ins.ok()) return ins.error();
      DOSAR_TRY(ins->bind(1, t.kind)
                    .bind(2, std::int64_t{s.position})
                    .bind(3, s.label)
                    .bind(4, join_users(s.approvers.users))
                    .bind(5, s.approvers.role)
                    .bind(6, s.approvers.department)
                    .run());
      steps.push_back(
          {{"position", s.position}, {"label", s.label}, {"approvers", approvers_json(s.approvers)}});
    }
    DOSAR_TRY(audit(now(), actor, "flow.template.put", std::nullopt, {{"kind", t.kind}, {"steps", steps}}));
    return tx->commit();
  }

  Result<FlowTemplate> flow_template(const std::string& kind) const override {
    auto s = db_.prepare(
        "SELECT position, label, users, role, department FROM flow_templates WHERE kind = ? ORDER BY "
        "position, label");
    if (!s.ok()) return s.error();
    s->bind(1, kind);
    FlowTemplate t{kind, {}};
    DOSAR_TRY(s->for_each_row([&] {
      t.steps.push_back(
          {static_cast<int>(s->integer(0)), s->text(1), {split_users(s->text(2)), s->text(3), s->text(4)}});
    }));
    if (t.steps.empty())
      return make_error(ErrorCode::not_found, "flow template " + kind,
                        "no approval template for this document kind; define one with `dosar flow template`");
    return t;
  }

  Result<std::vector<FlowTemplate>> templates() const override {
    auto s = db_.prepare("SELECT DISTINCT kind FROM flow_templates ORDER BY kind");
    if (!s.ok()) return s.error();
    std::vector<std::string> kinds;
    DOSAR_TRY(s->for_each_row([&] { kinds.push_back(s->text(0)); }));
    std::vector<FlowTemplate> out;
    for (const std::string& kind : kinds) {
      auto t = flow_template(kind);
      if (!t.ok()) return t.error();
      out.push_back(std::move(t).value());
    }
    return out;
  }

  Status add_role(const std::string& user, const std::string& role, const std::string& department,
                  const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto held = has_role(user, role, department);
    if (!held.ok()) return held.error();
    if (*held)
      return make_error(ErrorCode::conflict, "user " + user, "already holds " + role + " in " + department);
    auto s = db_.prepare("INSERT INTO user_roles(user_name, role, department) VALUES (?, ?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, user).bind(2, role).bind(3, department).run());
    DOSAR_TRY(audit(now(), actor, "user.role.add", std::nullopt,
                    {{"user", user}, {"role", role}, {"department", department}}));
    return tx->commit();
  }

  Result<bool> has_role(const std::string& user, const std::string& role,
                        const std::string& department) const override {
    auto s = db_.prepare("SELECT 1 FROM user_roles WHERE user_name = ? AND role = ? AND department = ?");
    if (!s.ok()) return s.error();
    s->bind(1, user).bind(2, role).bind(3, department);
    auto row = s->step();
    if (!row.ok()) return row.error();
    return *row;
  }

  Result<std::vector<RoleGrant>> roles(const std::string& user) const override {
    auto s =
        db_.prepare("SELECT role, department FROM user_roles WHERE user_name = ? ORDER BY role, department");
    if (!s.ok()) return s.error();
    s->bind(1, user);
    std::vector<RoleGrant> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back({s->text(0), s->text(1)}); }));
    return out;
  }

  Status remove_role(const std::string& user, const std::string& role, const std::string& department,
                     const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto held = has_role(user, role, department);
    if (!held.ok()) return held.error();
    if (!*held)
      return make_error(ErrorCode::not_found, "user " + user, "does not hold " + role + " in " + department);
    auto s = db_.prepare("DELETE FROM user_roles WHERE user_name = ? AND role = ? AND department = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, user).bind(2, role).bind(3, department).run());
    DOSAR_TRY(audit(now(), actor, "user.role.remove", std::nullopt,
                    {{"user", user}, {"role", role}, {"department", department}}));
    return tx->commit();
  }

  Status add_delegation(const Delegation& d, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string at = now();
    auto s = db_.prepare(
        "INSERT INTO delegations(from_user, to_user, valid_from, valid_until, created_at) VALUES (?, ?, ?, "
        "?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, d.from_user)
                  .bind(2, d.to_user)
                  .bind(3, d.valid_from)
                  .bind(4, d.valid_until)
                  .bind(5, at)
                  .run());
    DOSAR_TRY(audit(at, actor, "delegation.add", std::nullopt,
                    {{"from", d.from_user},
                     {"to", d.to_user},
                     {"valid_from", d.valid_from},
                     {"valid_until", d.valid_until}}));
    return tx->commit();
  }

  Result<std::vector<Delegation>> delegations_to(const std::string& user,
                                                 const std::string& date) const override {
    auto s = db_.prepare(
        "SELECT from_user, to_user, valid_from, valid_until FROM delegations "
        "WHERE to_user = ? AND valid_from <= ? AND valid_until >= ? ORDER BY id");
    if (!s.ok()) return s.error();
    s->bind(1, user).bind(2, date).bind(3, date);
    std::vector<Delegation> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back({s->text(0), s->text(1), s->text(2), s->text(3)}); }));
    return out;
  }

  Result<Flow> create(const Flow& f, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto running =
        db_.prepare("SELECT id FROM flows WHERE document_id = ? AND status IN ('pending', 'rejected')");
    if (!running.ok()) return running.error();
    running->bind(1, f.document);
    auto row = running->step();
    if (!row.ok()) return row.error();
    if (*row)
      return make_error(ErrorCode::conflict, "document " + std::to_string(f.document),
                        "already has a running approval flow (" + std::to_string(running->integer(0)) + ")");
    const std::string at = now();
    auto ins = db_.prepare(
        "INSERT INTO flows(document_id, kind, author, version, status, revision, started_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id");
    if (!ins.ok()) return ins.error();
    auto inserted = ins->bind(1, f.document)
                        .bind(2, f.kind)
                        .bind(3, f.author)
                        .bind(4, std::int64_t{f.version})
                        .bind(5, f.status)
                        .bind(6, at)
                        .run_returning_id();
    if (!inserted.ok()) return inserted.error();
    const FlowId id = *inserted;
    for (const FlowStep& s : f.steps) {
      auto step = db_.prepare(
          "INSERT INTO flow_steps(flow_id, position, label, users, role, department, status) VALUES (?, ?, "
          "?, ?, ?, ?, ?)");
      if (!step.ok()) return step.error();
      DOSAR_TRY(step->bind(1, id)
                    .bind(2, std::int64_t{s.position})
                    .bind(3, s.label)
                    .bind(4, join_users(s.approvers.users))
                    .bind(5, s.approvers.role)
                    .bind(6, s.approvers.department)
                    .bind(7, s.status)
                    .run());
    }
    FlowEvent started{0, at, actor, "", "started", "", f.version, ""};
    DOSAR_TRY(insert_event(id, started));
    DOSAR_TRY(
        audit(at, actor, "flow.start", f.document, {{"flow", id}, {"kind", f.kind}, {"version", f.version}}));
    DOSAR_TRY(tx->commit());
    return flow(id);
  }

  Result<Flow> flow(FlowId id) const override {
    auto s = db_.prepare(
        "SELECT id, document_id, kind, author, version, status, revision, started_at FROM flows WHERE id = "
        "?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "flow " + std::to_string(id), "no such approval flow");
    Flow f;
    f.id = s->integer(0);
    f.document = s->integer(1);
    f.kind = s->text(2);
    f.author = s->text(3);
    f.version = static_cast<int>(s->integer(4));
    f.status = s->text(5);
    f.revision = static_cast<int>(s->integer(6));
    f.started_at = s->text(7);
    auto steps = db_.prepare(
        "SELECT position, label, users, role, department, status, decided_by, on_behalf_of, decided_at, "
        "comment, "
        "signed_version FROM flow_steps WHERE flow_id = ? ORDER BY position, label");
    if (!steps.ok()) return steps.error();
    steps->bind(1, id);
    DOSAR_TRY(steps->for_each_row([&] {
      FlowStep st;
      st.position = static_cast<int>(steps->integer(0));
      st.label = steps->text(1);
      st.approvers = {split_users(steps->text(2)), steps->text(3), steps->text(4)};
      st.status = steps->text(5);
      st.decided_by = steps->text(6);
      st.on_behalf_of = steps->text(7);
      st.decided_at = steps->text(8);
      st.comment = steps->text(9);
      if (!steps->is_null(10)) st.signed_version = static_cast<int>(steps->integer(10));
      f.steps.push_back(std::move(st));
    }));
    auto events = db_.prepare(
        "SELECT seq, at, actor, on_behalf_of, event, step, version, comment FROM flow_events WHERE flow_id = "
        "? "
        "ORDER BY seq");
    if (!events.ok()) return events.error();
    events->bind(1, id);
    DOSAR_TRY(events->for_each_row([&] {
      f.events.push_back({static_cast<int>(events->integer(0)), events->text(1), events->text(2),
                          events->text(3), events->text(4), events->text(5),
                          static_cast<int>(events->integer(6)), events->text(7)});
    }));
    return f;
  }

  Result<std::vector<Flow>> open_flows() const override {
    auto s = db_.prepare("SELECT id FROM flows WHERE status IN ('pending', 'rejected') ORDER BY id");
    if (!s.ok()) return s.error();
    std::vector<FlowId> ids;
    DOSAR_TRY(s->for_each_row([&] { ids.push_back(s->integer(0)); }));
    std::vector<Flow> out;
    for (FlowId id : ids) {
      auto f = flow(id);
      if (!f.ok()) return f.error();
      out.push_back(std::move(f).value());
    }
    return out;
  }

  Result<Flow> save(const Flow& f, const FlowEvent& event) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto current = flow(f.id);
    if (!current.ok()) return current.error();
    if (current->revision != f.revision)
      return make_error(ErrorCode::conflict, "flow " + std::to_string(f.id),
                        "changed meanwhile (someone else decided); nothing changed, look again");
    auto up = db_.prepare("UPDATE flows SET version = ?, status = ?, revision = revision + 1 WHERE id = ?");
    if (!up.ok()) return up.error();
    DOSAR_TRY(up->bind(1, std::int64_t{f.version}).bind(2, f.status).bind(3, f.id).run());
    for (const FlowStep& s : f.steps) {
      auto st = db_.prepare(
          "UPDATE flow_steps SET status = ?, decided_by = ?, on_behalf_of = ?, decided_at = ?, comment = ?, "
          "signed_version = ? WHERE flow_id = ? AND position = ? AND label = ?");
      if (!st.ok()) return st.error();
      std::optional<std::int64_t> signed_version;
      if (s.signed_version) signed_version = *s.signed_version;
      DOSAR_TRY(st->bind(1, s.status)
                    .bind(2, s.decided_by)
                    .bind(3, s.on_behalf_of)
                    .bind(4, s.decided_at)
                    .bind(5, s.comment)
                    .bind(6, signed_version)
                    .bind(7, f.id)
                    .bind(8, std::int64_t{s.position})
                    .bind(9, s.label)
                    .run());
    }
    FlowEvent e = event;
    if (e.at.empty()) e.at = now();
    DOSAR_TRY(insert_event(f.id, e));
    nlohmann::json detail = {{"flow", f.id},
                             {"step", e.step},
                             {"version", e.version},
                             {"status", f.status},
                             {"comment", e.comment}};
    if (!e.on_behalf_of.empty()) detail["on_behalf_of"] = e.on_behalf_of;
    DOSAR_TRY(audit(e.at, e.actor, "flow." + e.event, f.document, detail));
    DOSAR_TRY(tx->commit());
    return flow(f.id);
  }

 private:
  std::string now() const { return format_utc(clock_.now()); }

  Status audit(const std::string& at, const std::string& actor, const std::string& action,
               std::optional<DocumentId> document, const nlohmann::json& detail) {
    return sql::append_audit(db_, at, actor, action, document, detail.dump());
  }

  Status insert_event(FlowId id, const FlowEvent& e) {
    auto s = db_.prepare(
        "INSERT INTO flow_events(flow_id, seq, at, actor, on_behalf_of, event, step, version, comment) "
        "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM flow_events WHERE flow_id = ?");
    if (!s.ok()) return s.error();
    return s->bind(1, id)
        .bind(2, e.at)
        .bind(3, e.actor)
        .bind(4, e.on_behalf_of)
        .bind(5, e.event)
        .bind(6, e.step)
        .bind(7, std::int64_t{e.version})
        .bind(8, e.comment)
        .bind(9, id)
        .run();
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<FlowStore>> open_flow_store(const ArchiveStore& archive, const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<FlowStore>(std::make_unique<SqliteFlowStore>(std::move(db).value(), clock));
}

}  // namespace dosar
