#include <nlohmann/json.hpp>

#include "storage/archive_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"
#include "storage/submission_store.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

constexpr const char* kColumns =
    "entry_id, form_id, form_version, notice_version, consent_at, verification, answers, notified_seq";

OnlineSubmission read_submission(const Statement& s) {
  return {s.integer(0), s.text(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4),
          s.text(5),    s.text(6)};
}

class SqliteSubmissionStore final : public SubmissionStore {
 public:
  SqliteSubmissionStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Status add(const OnlineSubmission& o, const std::optional<std::string>& key_hash,
             const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    if (key_hash) {
      auto used = entry_for_key(*key_hash);
      if (!used.ok()) return used.error();
      if (*used)
        return make_error(ErrorCode::conflict, "Idempotency-Key", "was already used for a submission");
    }
    DOSAR_TRY(require_entry(o.entry_id));
    auto s = db_.prepare(std::string("INSERT INTO online_submissions(") + kColumns +
                         ", idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, o.entry_id)
                  .bind(2, o.form_id)
                  .bind(3, std::int64_t{o.form_version})
                  .bind(4, o.notice_version)
                  .bind(5, o.consent_at)
                  .bind(6, o.verification)
                  .bind(7, o.answers)
                  .bind(8, std::int64_t{o.notified_seq})
                  .bind(9, key_hash)
                  .run());
    // The consent is part of the record: which notice, when. No answers here.
    DOSAR_TRY(audit("forms.submission", actor,
                    {{"entry", o.entry_id},
                     {"form", o.form_id},
                     {"form_version", o.form_version},
                     {"notice_version", o.notice_version},
                     {"consent_at", o.consent_at}}));
    return tx->commit();
  }

  Result<std::optional<RegistryEntryId>> entry_for_key(const std::string& key_hash) const override {
    auto s = db_.prepare("SELECT entry_id FROM online_submissions WHERE idempotency_key = ?");
    if (!s.ok()) return s.error();
    s->bind(1, key_hash);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<RegistryEntryId>();
    return std::optional<RegistryEntryId>(s->integer(0));
  }

  Result<OnlineSubmission> submission(RegistryEntryId entry) const override {
    auto s = db_.prepare(std::string("SELECT ") + kColumns + " FROM online_submissions WHERE entry_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, entry);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "registry entry " + std::to_string(entry),
                        "is not an online submission");
    return read_submission(*s);
  }

  Result<std::vector<OnlineSubmission>> in_state(const std::string& verification) const override {
    auto s = db_.prepare(std::string("SELECT ") + kColumns +
                         " FROM online_submissions WHERE verification = ? ORDER BY entry_id");
    if (!s.ok()) return s.error();
    s->bind(1, verification);
    std::vector<OnlineSubmission> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_submission(*s)); }));
    return out;
  }

  Status set_verification(RegistryEntryId entry, const std::string& expected, const std::string& state,
                          const std::string& event, const std::string& note,
                          const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto current = submission(entry);
    if (!current.ok()) return current.error();
    if (current->verification != expected)
      return make_error(ErrorCode::conflict, "registry entry " + std::to_string(entry),
                        "is " + current->verification + ", not " + expected + "; nothing changed");
    auto s = db_.prepare("UPDATE online_submissions SET verification = ? WHERE entry_id = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, state).bind(2, entry).run());
    DOSAR_TRY(add_event(entry, event, note, actor));
    DOSAR_TRY(audit("forms." + event, actor,
                    {{"entry", entry}, {"from", expected}, {"to", state}, {"note", note}}));
    return tx->commit();
  }

  Result<std::vector<OnlineSubmission>> to_notify() const override {
    auto s = db_.prepare(std::string("SELECT ") + kColumns +
                         " FROM online_submissions o WHERE EXISTS (SELECT 1 FROM registry_events e WHERE "
                         "e.entry_id = o.entry_id AND e.seq > o.notified_seq) ORDER BY entry_id");
    if (!s.ok()) return s.error();
    std::vector<OnlineSubmission> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_submission(*s)); }));
    return out;
  }

  Status set_notified(RegistryEntryId entry, int seq) override {
    auto s = db_.prepare("UPDATE online_submissions SET notified_seq = ? WHERE entry_id = ?");
    if (!s.ok()) return s.error();
    return s->bind(1, std::int64_t{seq}).bind(2, entry).run();
  }

  Status attach_documents(RegistryEntryId entry, const std::vector<DocumentId>& documents,
                          const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_entry(entry));
    for (DocumentId d : documents) {
      auto s = db_.prepare(
          "INSERT INTO registry_documents(entry_id, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
      if (!s.ok()) return s.error();
      auto run = s->bind(1, entry).bind(2, d).run();
      if (!run.ok())
        return make_error(ErrorCode::not_found, "document " + std::to_string(d), "no such document");
    }
    std::string list;
    for (DocumentId d : documents) list += (list.empty() ? "" : ", ") + std::to_string(d);
    DOSAR_TRY(add_event(entry, "documents-added", list, actor));
    DOSAR_TRY(audit("registry.documents.add", actor, {{"entry", entry}, {"documents", documents}}));
    return tx->commit();
  }

 private:
  std::string now() const { return format_utc(clock_.now()); }

  Status audit(const std::string& action, const std::string& actor, const nlohmann::json& detail) {
    return sql::append_audit(db_, now(), actor, action, std::nullopt, detail.dump());
  }

  Status require_entry(RegistryEntryId entry) {
    auto s = db_.prepare("SELECT 1 FROM registry_entries WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, entry);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "registry entry " + std::to_string(entry), "no such entry");
    return {};
  }

  // A line of the entry's history, keeping its status, department and deadline.
  Status add_event(RegistryEntryId entry, const std::string& event, const std::string& note,
                   const std::string& actor) {
    auto s = db_.prepare(
        "INSERT INTO registry_events(entry_id, seq, at, actor, event, status, department, assignee, "
        "deadline, "
        "note) SELECT e.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM registry_events WHERE entry_id = e.id), "
        "?, ?, "
        "?, e.status, e.department, e.assignee, e.deadline, ? FROM registry_entries e WHERE e.id = ?");
    if (!s.ok()) return s.error();
    return s->bind(1, now()).bind(2, actor).bind(3, event).bind(4, note).bind(5, entry).run();
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<SubmissionStore>> open_submission_store(const ArchiveStore& archive,
                                                               const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<SubmissionStore>(
      std::make_unique<SqliteSubmissionStore>(std::move(db).value(), clock));
}

}  // namespace dosar
