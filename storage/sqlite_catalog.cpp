#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "storage/audit_chain.h"
#include "storage/catalog.h"
#include "storage/catalog_migrations.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

constexpr const char* kDocumentColumns =
    "id, registry_number, title, document_type, department, confidentiality, retention_class, "
    "status, created_at, updated_at, current_version";
constexpr const char* kVersionColumns =
    "document_id, number, original_blob, original_name, mime_type, size, page_count, "
    "ocr_confidence, author, created_at, comment";

constexpr const char* kDerivationColumns =
    "document_id, version_number, state, attempts, queued_at, worker, heartbeat_at, finished_at, "
    "pages_done, pages_total, error, claimed_at, pages_at_claim, pages_recognized";

std::optional<std::string> optional_text(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.text(column);
}

Derivation read_derivation(const Statement& s) {
  Derivation d;
  d.document_id = s.integer(0);
  d.version_number = static_cast<int>(s.integer(1));
  d.state = s.text(2);
  d.attempts = static_cast<int>(s.integer(3));
  d.queued_at = s.text(4);
  d.worker = optional_text(s, 5);
  d.heartbeat_at = optional_text(s, 6);
  d.finished_at = optional_text(s, 7);
  d.pages_done = static_cast<int>(s.integer(8));
  d.pages_total = static_cast<int>(s.integer(9));
  d.error = optional_text(s, 10);
  d.claimed_at = optional_text(s, 11);
  d.pages_at_claim = static_cast<int>(s.integer(12));
  d.pages_recognized = static_cast<int>(s.integer(13));
  return d;
}

Document read_document(const Statement& s) {
  Document d;
  d.id = s.integer(0);
  d.registry_number = optional_text(s, 1);
  d.title = s.text(2);
  d.document_type = s.text(3);
  d.department = s.text(4);
  d.confidentiality = s.text(5);
  d.retention_class = optional_text(s, 6);
  d.status = s.text(7);
  d.created_at = s.text(8);
  d.updated_at = s.text(9);
  d.current_version = static_cast<int>(s.integer(10));
  return d;
}

Version read_version(const Statement& s) {
  Version v;
  v.document_id = s.integer(0);
  v.number = static_cast<int>(s.integer(1));
  v.original_blob_id = s.text(2);
  v.original_name = s.text(3);
  v.mime_type = s.text(4);
  v.size = static_cast<std::uint64_t>(s.integer(5));
  if (!s.is_null(6)) v.page_count = static_cast<int>(s.integer(6));
  if (!s.is_null(7)) v.ocr_confidence = s.real(7);
  v.author = s.text(8);
  v.created_at = s.text(9);
  v.comment = s.text(10);
  return v;
}

AuditRecord read_audit(const Statement& s) {
  AuditRecord r;
  r.seq = s.integer(0);
  r.at = s.text(1);
  r.actor = s.text(2);
  r.action = s.text(3);
  if (!s.is_null(4)) r.document_id = s.integer(4);
  r.detail = s.text(5);
  r.prev_hash = s.text(6);
  r.hash = s.text(7);
  return r;
}

Status validate(const NewVersion& v) {
  if (v.original_blob_id.size() != 64)
    return make_error(ErrorCode::invalid_argument, "version", "original blob id is not a SHA-256");
  if (v.mime_type.empty()) return make_error(ErrorCode::invalid_argument, "version", "mime type is empty");
  return {};
}

Status validate(const NewDocument& d) {
  if (d.title.empty()) return make_error(ErrorCode::invalid_argument, "title", "must not be empty");
  bool known = false;
  for (const char* level : kConfidentialityLevels) known = known || d.confidentiality == level;
  if (!known)
    return make_error(ErrorCode::invalid_argument, "confidentiality",
                      "'" + d.confidentiality + "' is not one of public, internal, restricted-personal-data");
  return validate(d.first_version);
}

class SqlCatalog final : public Catalog {
 public:
  SqlCatalog(Database db, const Clock& clock, BlobPresence blob_present)
      : db_(std::move(db)), clock_(clock), blob_present_(std::move(blob_present)) {}

  Status migrate() {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(
        db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "number INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"));
    auto query = db_.prepare("SELECT COALESCE(MAX(number), 0) FROM schema_migrations");
    if (!query.ok()) return query.error();
    auto row = query->step();
    if (!row.ok()) return row.error();
    int current = static_cast<int>(query->integer(0));
    const auto& migrations = catalog_migrations();
    int known = migrations.empty() ? 0 : migrations.back().number;
    if (current > known)
      return make_error(ErrorCode::unsupported, db_.path(),
                        "catalogue schema " + std::to_string(current) +
                            " was written by a newer Dosar (this one knows up to " + std::to_string(known) +
                            ")");
    for (const Migration& m : migrations) {
      if (m.number <= current) continue;
      DOSAR_TRY(db_.exec(migration_sql(m, db_.dialect())));
      if (m.fill) DOSAR_TRY(m.fill(db_));
      auto mark = db_.prepare("INSERT INTO schema_migrations(number, applied_at) VALUES (?, ?)");
      if (!mark.ok()) return mark.error();
      DOSAR_TRY(mark->bind(1, std::int64_t{m.number}).bind(2, now()).run());
    }
    return tx->commit();
  }

  Result<CreateOutcome> create_document_unless_duplicate(const NewDocument& d,
                                                         const std::string& actor) override {
    auto outcomes = create_documents_unless_duplicate({d}, actor);
    if (!outcomes.ok()) return outcomes.error();
    return std::move(outcomes->front());
  }

  Result<std::vector<CreateOutcome>> create_documents_unless_duplicate(
      const std::vector<NewDocument>& documents, const std::string& actor) override {
    for (const NewDocument& d : documents) DOSAR_TRY(validate(d));
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    std::vector<DocumentId> ids;
    std::vector<bool> created;
    for (const NewDocument& d : documents) {
      auto found = find_document_with_original(d.first_version.original_blob_id);
      if (!found.ok()) return found.error();
      if (*found) {
        ids.push_back(**found);
        created.push_back(false);
        continue;
      }
      auto id = insert_document(d, actor);
      if (!id.ok()) return id.error();
      ids.push_back(*id);
      created.push_back(true);
    }
    DOSAR_TRY(tx->commit());
    std::vector<CreateOutcome> outcomes;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto doc = document(ids[i]);
      if (!doc.ok()) return doc.error();
      outcomes.push_back(CreateOutcome{std::move(doc).value(), created[i]});
    }
    return outcomes;
  }

  Result<std::optional<DocumentId>> find_document_with_original(const std::string& blob_id) const override {
    auto s = db_.prepare(
        "SELECT v.document_id FROM versions v JOIN documents d ON d.id = v.document_id "
        "WHERE v.original_blob = ? AND d.status <> 'disposed' ORDER BY v.document_id LIMIT 1");
    if (!s.ok()) return s.error();
    s->bind(1, blob_id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<DocumentId>();
    return std::optional<DocumentId>(s->integer(0));
  }

  Result<Version> add_version(DocumentId id, const NewVersion& v, const std::string& actor) override {
    DOSAR_TRY(validate(v));
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto doc = document(id);
    if (!doc.ok()) return doc.error();
    // Content of a document lawfully disposed of is gone for good (records/).
    if (doc->status == "disposed")
      return make_error(ErrorCode::conflict, "document " + std::to_string(id),
                        "was disposed of; it takes no version");
    int number = doc->current_version + 1;
    std::string at = now();
    DOSAR_TRY(insert_version(id, number, v, actor, at));
    auto update = db_.prepare("UPDATE documents SET current_version = ?, updated_at = ? WHERE id = ?");
    if (!update.ok()) return update.error();
    DOSAR_TRY(update->bind(1, std::int64_t{number}).bind(2, at).bind(3, id).run());
    nlohmann::json detail = {{"version", number},
                             {"original", v.original_blob_id},
                             {"name", v.original_name},
                             {"mime_type", v.mime_type},
                             {"comment", v.comment}};
    DOSAR_TRY(append_audit(at, actor, "version.add", id, detail.dump()));
    DOSAR_TRY(queue_for_indexing(id));
    DOSAR_TRY(tx->commit());
    return version(id, number);
  }

  Result<Document> document(DocumentId id) const override {
    auto s = db_.prepare(std::string("SELECT ") + kDocumentColumns + " FROM documents WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "document " + std::to_string(id), "no such document");
    return read_document(*s);
  }

  Result<std::vector<Document>> documents() const override {
    auto s = db_.prepare(std::string("SELECT ") + kDocumentColumns + " FROM documents ORDER BY id");
    if (!s.ok()) return s.error();
    std::vector<Document> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_document(*s)); }));
    return out;
  }

  Result<std::vector<Document>> documents_before(std::optional<DocumentId> before,
                                                 std::size_t limit) const override {
    auto s = db_.prepare(std::string("SELECT ") + kDocumentColumns +
                         " FROM documents WHERE id < ? ORDER BY id DESC LIMIT ?");
    if (!s.ok()) return s.error();
    s->bind(1, before.value_or(std::numeric_limits<DocumentId>::max()))
        .bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30)));
    std::vector<Document> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_document(*s)); }));
    return out;
  }

  Result<std::vector<Version>> versions(DocumentId id) const override {
    DOSAR_TRY(document(id));
    auto s = db_.prepare(std::string("SELECT ") + kVersionColumns +
                         " FROM versions WHERE document_id = ? ORDER BY number");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<Version> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_version(*s)); }));
    for (Version& v : out) DOSAR_TRY(load_details(v));
    return out;
  }

  Result<Version> version(DocumentId id, int number) const override {
    DOSAR_TRY(document(id));
    auto s = db_.prepare(std::string("SELECT ") + kVersionColumns +
                         " FROM versions WHERE document_id = ? AND number = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id).bind(2, std::int64_t{number});
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "document " + std::to_string(id),
                        "has no version " + std::to_string(number));
    Version v = read_version(*s);
    DOSAR_TRY(load_details(v));
    return v;
  }

  Result<std::vector<AuditRecord>> audit_trail(std::optional<DocumentId> id) const override {
    std::string sql = "SELECT seq, at, actor, action, document_id, detail, prev_hash, hash FROM audit";
    if (id) sql += " WHERE document_id = ?";
    sql += " ORDER BY seq";
    auto s = db_.prepare(sql);
    if (!s.ok()) return s.error();
    if (id) {
      DOSAR_TRY(document(*id));
      s->bind(1, *id);
    }
    std::vector<AuditRecord> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_audit(*s)); }));
    return out;
  }

  Result<std::vector<AuditProblem>> verify_audit_chain() const override {
    auto trail = audit_trail(std::nullopt);
    if (!trail.ok()) return trail.error();
    std::vector<AuditProblem> problems;
    std::string expected_prev = kAuditGenesisHash;
    std::int64_t expected_seq = 1;
    for (const AuditRecord& r : *trail) {
      if (r.seq != expected_seq)
        problems.push_back({r.seq, "sequence jumps from " + std::to_string(expected_seq - 1) + " to " +
                                       std::to_string(r.seq) + " (rows removed)"});
      if (r.prev_hash != expected_prev)
        problems.push_back({r.seq, "does not link to the previous row's hash"});
      std::string actual = audit_row_hash(r);
      if (actual != r.hash) problems.push_back({r.seq, "content does not match its hash (row altered)"});
      expected_prev = r.hash;
      expected_seq = r.seq + 1;
    }
    return problems;
  }

  Result<std::vector<IndexWork>> pending_index_work(std::size_t limit) const override {
    auto s = db_.prepare("SELECT seq, document_id FROM index_queue ORDER BY seq LIMIT ?");
    if (!s.ok()) return s.error();
    s->bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<IndexWork> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back({s->integer(0), s->integer(1)}); }));
    return out;
  }

  Status mark_indexed(std::int64_t up_to_seq) override {
    auto s = db_.prepare("DELETE FROM index_queue WHERE seq <= ?");
    if (!s.ok()) return s.error();
    return s->bind(1, up_to_seq).run();
  }

  Status queue_all_for_indexing() override {
    return db_.exec("INSERT INTO index_queue(document_id) SELECT id FROM documents ORDER BY id");
  }

  // On PostgreSQL a claim takes only the rows it picks (FOR UPDATE SKIP
  // LOCKED), not the writer lock: workers on several machines claim at once,
  // each skipping what another is claiming, and never wait for each other nor
  // for a writer. Every other writer of a derivation locks its row first
  // (require_claim), so a heartbeat or a completion and a takeover after the
  // lease ran out happen one after the other, whichever comes first.
  Result<std::vector<Derivation>> claim_derivations(const std::string& worker, std::size_t limit,
                                                    std::chrono::seconds lease, int max_attempts) override {
    // Picked again while all that was picked was given up, so that given-up
    // derivations never make a queue with work in it look empty.
    for (;;) {
      std::vector<Derivation> to_give_up;
      auto claimed = claim_some(worker, limit, lease, max_attempts, to_give_up);
      if (!claimed.ok()) return claimed.error();
      for (const Derivation& d : to_give_up) DOSAR_TRY(give_up_derivation(d, lease, max_attempts));
      if (!claimed->empty() || to_give_up.empty()) return claimed;
    }
  }

  // One pick of claim_derivations; derivations past their last try are left
  // in `to_give_up` (giving up writes an audit row, which needs the writer
  // lock: taken after this transaction, never while holding row locks that a
  // writer holding it could be waiting for).
  Result<std::vector<Derivation>> claim_some(const std::string& worker, std::size_t limit,
                                             std::chrono::seconds lease, int max_attempts,
                                             std::vector<Derivation>& to_give_up) {
    auto tx = Transaction::begin(db_, sql::Writers::row_locks);
    if (!tx.ok()) return tx.error();
    std::string at = now();
    std::string expired = format_utc(clock_.now() - lease);
    auto held = db_.prepare(
        "SELECT COUNT(*), COALESCE(MAX(attempts), 0) FROM derivation_queue WHERE state = 'running' AND "
        "worker = ? AND heartbeat_at >= ?");
    if (!held.ok()) return held.error();
    held->bind(1, worker).bind(2, expired);
    std::int64_t held_count = 0, held_most_attempts = 0;
    DOSAR_TRY(held->for_each_row([&] {
      held_count = held->integer(0);
      held_most_attempts = held->integer(1);
    }));
    std::vector<Derivation> claimed;
    // A worker on a last try takes nothing else until it is over.
    if (held_most_attempts > max_attempts) return claimed;
    auto pick = db_.prepare(std::string("SELECT ") + kDerivationColumns +
                                " FROM derivation_queue WHERE state = 'queued' OR "
                                "(state = 'running' AND heartbeat_at < ?) ORDER BY queued_at, document_id, "
                                "version_number LIMIT ?",
                            sql::RowLock::skip_locked);
    if (!pick.ok()) return pick.error();
    pick->bind(1, expired).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<Derivation> candidates;
    DOSAR_TRY(pick->for_each_row([&] { candidates.push_back(read_derivation(*pick)); }));
    for (Derivation& d : candidates) {
      if (d.attempts > max_attempts) {
        to_give_up.push_back(std::move(d));
        continue;
      }
      const bool last_try = d.attempts == max_attempts;
      if (last_try && (held_count > 0 || !claimed.empty())) continue;  // later, alone
      // Pages recorded by earlier attempts are not read again.
      auto update = db_.prepare(
          "UPDATE derivation_queue SET state = 'running', attempts = attempts + 1, worker = ?, "
          "heartbeat_at = ?, claimed_at = ?, pages_at_claim = (SELECT COUNT(*) FROM derivation_pages p "
          "WHERE p.document_id = derivation_queue.document_id AND p.version_number = "
          "derivation_queue.version_number) WHERE document_id = ? AND version_number = ?");
      if (!update.ok()) return update.error();
      DOSAR_TRY(update->bind(1, worker)
                    .bind(2, at)
                    .bind(3, at)
                    .bind(4, d.document_id)
                    .bind(5, std::int64_t{d.version_number})
                    .run());
      d.state = "running";
      d.claimed_at = at;
      d.attempts += 1;
      d.worker = worker;
      d.heartbeat_at = at;
      claimed.push_back(std::move(d));
      if (last_try) break;
    }
    DOSAR_TRY(tx->commit());
    return claimed;
  }

  // Marks failed a derivation claim_some found past its last try, unless
  // another claimer did so meanwhile or its worker came back to life.
  Status give_up_derivation(const Derivation& d, std::chrono::seconds lease, int max_attempts) {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto still = db_.prepare(
        "SELECT attempts, error FROM derivation_queue WHERE document_id = ? AND version_number = ? AND "
        "(state = 'queued' OR (state = 'running' AND heartbeat_at < ?))",
        sql::RowLock::wait);
    if (!still.ok()) return still.error();
    still->bind(1, d.document_id)
        .bind(2, std::int64_t{d.version_number})
        .bind(3, format_utc(clock_.now() - lease));
    std::optional<std::int64_t> attempts;
    std::optional<std::string> error;
    DOSAR_TRY(still->for_each_row([&] {
      attempts = still->integer(0);
      error = optional_text(*still, 1);
    }));
    if (!attempts || *attempts <= max_attempts) return {};
    std::string reason = "gave up after " + std::to_string(*attempts) +
                         " attempts that did not finish (the worker stopped or crashed), the last one "
                         "with no other derivation beside it";
    if (error) reason += "; last error: " + *error;
    DOSAR_TRY(finish_derivation(d.document_id, d.version_number, "failed", reason, now(), "system"));
    return tx->commit();
  }

  Status record_derivation_progress(DocumentId id, int version, const std::string& worker, int pages_done,
                                    int pages_total) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_claim(id, version, worker));
    auto update = db_.prepare(
        "UPDATE derivation_queue SET pages_done = ?, pages_total = ?, heartbeat_at = ? "
        "WHERE document_id = ? AND version_number = ?");
    if (!update.ok()) return update.error();
    DOSAR_TRY(update->bind(1, std::int64_t{pages_done})
                  .bind(2, std::int64_t{pages_total})
                  .bind(3, now())
                  .bind(4, id)
                  .bind(5, std::int64_t{version})
                  .run());
    return tx->commit();
  }

  Status record_derivation_pages(DocumentId id, int version, const std::string& worker,
                                 const std::vector<DerivationPage>& pages, int pages_done,
                                 int pages_total) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_claim(id, version, worker));
    std::string at = now();
    for (const DerivationPage& p : pages) {
      auto insert = db_.prepare(
          "INSERT INTO derivation_pages(document_id, version_number, page_index, text, ocr_confidence, "
          "rotated_degrees, deskew_degrees, page_pdf, worker, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?) "
          "ON CONFLICT DO NOTHING");
      if (!insert.ok()) return insert.error();
      DOSAR_TRY(insert->bind(1, id)
                    .bind(2, std::int64_t{version})
                    .bind(3, std::int64_t{p.index})
                    .bind(4, p.text)
                    .bind(5, p.ocr_confidence)
                    .bind(6, std::int64_t{p.rotated_degrees})
                    .bind(7, p.deskew_degrees)
                    .bind(8, base64(p.page_pdf))
                    .bind(9, worker)
                    .bind(10, at)
                    .run());
      if (db_.changes() == 0)
        return make_error(ErrorCode::conflict,
                          "document " + std::to_string(id) + " version " + std::to_string(version) +
                              " page " + std::to_string(p.index + 1),
                          "already recorded: a page is read once");
    }
    auto update = db_.prepare(
        "UPDATE derivation_queue SET pages_done = ?, pages_total = ?, heartbeat_at = ?, "
        "pages_recognized = pages_recognized + ? WHERE document_id = ? AND version_number = ?");
    if (!update.ok()) return update.error();
    DOSAR_TRY(update->bind(1, std::int64_t{pages_done})
                  .bind(2, std::int64_t{pages_total})
                  .bind(3, at)
                  .bind(4, static_cast<std::int64_t>(pages.size()))
                  .bind(5, id)
                  .bind(6, std::int64_t{version})
                  .run());
    return tx->commit();
  }

  Result<std::vector<DerivationPage>> derivation_pages(DocumentId id, int version) const override {
    auto s = db_.prepare(
        "SELECT page_index, text, ocr_confidence, rotated_degrees, deskew_degrees, page_pdf, worker, "
        "recorded_at FROM derivation_pages WHERE document_id = ? AND version_number = ? ORDER BY page_index");
    if (!s.ok()) return s.error();
    s->bind(1, id).bind(2, std::int64_t{version});
    std::vector<DerivationPage> out;
    DOSAR_TRY(s->for_each_row([&] {
      DerivationPage p;
      p.index = static_cast<int>(s->integer(0));
      p.text = s->text(1);
      if (!s->is_null(2)) p.ocr_confidence = s->real(2);
      p.rotated_degrees = static_cast<int>(s->integer(3));
      p.deskew_degrees = s->real(4);
      // Base64: a TEXT column both engines take (PostgreSQL text holds no
      // NUL byte). A row of an archive from before held a file name in the
      // spool; it does not decode, and the page is read again for its PDF.
      p.page_pdf = unbase64(s->text(5)).value_or("");
      p.worker = s->text(6);
      p.recorded_at = s->text(7);
      out.push_back(std::move(p));
    }));
    return out;
  }

  Result<std::vector<Status>> complete_derivations(const std::vector<CompletedDerivation>& completed,
                                                   const std::string& worker,
                                                   const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    std::vector<Status> outcomes;
    for (const CompletedDerivation& c : completed) {
      Status claim = require_claim(c.document_id, c.version_number, worker);
      if (!claim.ok() && claim.error().code != ErrorCode::conflict) return claim.error();
      if (claim.ok()) {
        for (const DerivedBlob& b : c.data.derived) {
          claim = take_back_if_disposed(b.blob_id);
          if (!claim.ok() && claim.error().code != ErrorCode::not_found) return claim.error();
          if (!claim.ok()) break;
        }
      }
      outcomes.push_back(claim);
      if (!claim.ok()) continue;
      DOSAR_TRY(store_derivation(c, actor));
    }
    DOSAR_TRY(tx->commit());
    return outcomes;
  }

  Status fail_derivation(DocumentId id, int version, const std::string& worker, const std::string& error,
                         GiveBack how, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_claim(id, version, worker));
    if (how == GiveBack::failed) {
      DOSAR_TRY(finish_derivation(id, version, "failed", error, now(), actor));
    } else {
      auto update = db_.prepare(
          "UPDATE derivation_queue SET state = 'queued', worker = NULL, heartbeat_at = NULL, error = ?, "
          "attempts = attempts - ? WHERE document_id = ? AND version_number = ?");
      if (!update.ok()) return update.error();
      DOSAR_TRY(update->bind(1, error)
                    .bind(2, std::int64_t{how == GiveBack::released ? 1 : 0})
                    .bind(3, id)
                    .bind(4, std::int64_t{version})
                    .run());
    }
    return tx->commit();
  }

  Result<std::optional<Derivation>> derivation(DocumentId id, int version) const override {
    auto s = db_.prepare(std::string("SELECT ") + kDerivationColumns +
                         " FROM derivation_queue WHERE document_id = ? AND version_number = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id).bind(2, std::int64_t{version});
    std::optional<Derivation> out;
    DOSAR_TRY(s->for_each_row([&] { out = read_derivation(*s); }));
    return out;
  }

  Result<std::vector<Derivation>> derivations(bool unfinished_only) const override {
    auto s = db_.prepare(std::string("SELECT ") + kDerivationColumns + " FROM derivation_queue" +
                         (unfinished_only ? " WHERE state <> 'done'" : "") +
                         " ORDER BY queued_at, document_id, version_number");
    if (!s.ok()) return s.error();
    std::vector<Derivation> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_derivation(*s)); }));
    return out;
  }

  Status add_user(const User& u, const std::string& actor) override {
    if (u.name.empty() || u.name.find_first_of(" \t\n/:") != std::string::npos)
      return make_error(ErrorCode::invalid_argument, "user name",
                        "'" + u.name + "' must be non-empty, without spaces, '/' or ':'");
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto existing = user(u.name);
    if (existing.ok()) return make_error(ErrorCode::conflict, "user " + u.name, "already exists");
    std::string at = now();
    auto s = db_.prepare(
        "INSERT INTO users(name, display_name, all_departments, restricted_access, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, u.name)
                  .bind(2, u.display_name)
                  .bind(3, std::int64_t{u.all_departments})
                  .bind(4, std::int64_t{u.restricted_access})
                  .bind(5, at)
                  .run());
    for (const std::string& d : u.departments) {
      auto dep = db_.prepare("INSERT INTO user_departments(user_name, department) VALUES (?, ?)");
      if (!dep.ok()) return dep.error();
      DOSAR_TRY(dep->bind(1, u.name).bind(2, d).run());
    }
    nlohmann::json detail = {{"name", u.name},
                             {"all_departments", u.all_departments},
                             {"departments", u.departments},
                             {"restricted_access", u.restricted_access}};
    DOSAR_TRY(append_audit(at, actor, "user.create", std::nullopt, detail.dump()));
    return tx->commit();
  }

  Result<User> user(const std::string& name) const override {
    auto s = db_.prepare(
        "SELECT name, display_name, all_departments, restricted_access FROM users WHERE name = ?");
    if (!s.ok()) return s.error();
    s->bind(1, name);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "user " + name, "no such user");
    User u{s->text(0), s->text(1), s->integer(2) != 0, {}, s->integer(3) != 0};
    auto d = db_.prepare("SELECT department FROM user_departments WHERE user_name = ? ORDER BY department");
    if (!d.ok()) return d.error();
    d->bind(1, name);
    DOSAR_TRY(d->for_each_row([&] { u.departments.push_back(d->text(0)); }));
    return u;
  }

  Result<std::vector<User>> users() const override {
    auto s = db_.prepare("SELECT name FROM users ORDER BY name");
    if (!s.ok()) return s.error();
    std::vector<std::string> names;
    DOSAR_TRY(s->for_each_row([&] { names.push_back(s->text(0)); }));
    std::vector<User> out;
    for (const std::string& n : names) {
      auto u = user(n);
      if (!u.ok()) return u.error();
      out.push_back(std::move(u).value());
    }
    return out;
  }

  Status update_user(const User& u, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto old = user(u.name);
    if (!old.ok()) return old.error();
    auto s = db_.prepare(
        "UPDATE users SET display_name = ?, all_departments = ?, restricted_access = ? WHERE name = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, u.display_name)
                  .bind(2, std::int64_t{u.all_departments})
                  .bind(3, std::int64_t{u.restricted_access})
                  .bind(4, u.name)
                  .run());
    auto del = db_.prepare("DELETE FROM user_departments WHERE user_name = ?");
    if (!del.ok()) return del.error();
    DOSAR_TRY(del->bind(1, u.name).run());
    for (const std::string& d : u.departments) {
      auto dep = db_.prepare("INSERT INTO user_departments(user_name, department) VALUES (?, ?)");
      if (!dep.ok()) return dep.error();
      DOSAR_TRY(dep->bind(1, u.name).bind(2, d).run());
    }
    auto describe = [](const User& x) {
      return nlohmann::json{{"display_name", x.display_name},
                            {"all_departments", x.all_departments},
                            {"departments", x.departments},
                            {"restricted_access", x.restricted_access}};
    };
    nlohmann::json detail = {{"name", u.name}, {"before", describe(*old)}, {"after", describe(u)}};
    DOSAR_TRY(append_audit(now(), actor, "user.update", std::nullopt, detail.dump()));
    return tx->commit();
  }

  Result<std::vector<std::string>> departments() const override {
    auto s = db_.prepare(
        "SELECT name FROM departments UNION SELECT department FROM user_departments "
        "UNION SELECT department FROM documents WHERE department <> '' ORDER BY 1");
    if (!s.ok()) return s.error();
    std::vector<std::string> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(s->text(0)); }));
    return out;
  }

  Status add_department(const std::string& name, const std::string& actor) override {
    if (name.empty() || name.size() > 200 || name.find_first_of("\t\n\r") != std::string::npos)
      return make_error(ErrorCode::invalid_argument, "department",
                        "give a name of 1 to 200 bytes on one line");
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto known = departments();
    if (!known.ok()) return known.error();
    if (std::find(known->begin(), known->end(), name) != known->end())
      return make_error(ErrorCode::conflict, "department " + name, "is known already");
    std::string at = now();
    auto s = db_.prepare("INSERT INTO departments(name, created_at) VALUES (?, ?)");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, name).bind(2, at).run());
    DOSAR_TRY(append_audit(at, actor, "department.add", std::nullopt, nlohmann::json{{"name", name}}.dump()));
    return tx->commit();
  }

  Status for_each_blob_reference(const std::function<Status(const BlobReference&)>& visit) const override {
    auto s = db_.prepare(
        "SELECT r.*, d.status = 'disposed' FROM (SELECT original_blob, size, document_id, number, "
        "'original' FROM versions UNION ALL SELECT blob, size, document_id, version_number, kind "
        "FROM derived_blobs) r JOIN documents d ON d.id = r.document_id ORDER BY 3, 4");
    if (!s.ok()) return s.error();
    return s->for_each_row([&]() -> Status {
      return visit({s->text(0), static_cast<std::uint64_t>(s->integer(1)),
                    "document " + std::to_string(s->integer(2)) + " version " +
                        std::to_string(s->integer(3)) + " " + s->text(4),
                    s->integer(5) != 0});
    });
  }

  Result<std::vector<std::string>> check_structure(bool quick) const override {
    std::vector<std::string> problems;
    // PostgreSQL checks foreign keys as rows are written and has no
    // integrity check of its own files in core (that is amcheck's, run by
    // its administrator); only the checks below run there.
    if (db_.dialect() == sql::Dialect::sqlite) DOSAR_TRY(check_sqlite_file(quick, problems));
    // Documents must point at an existing current version.
    auto current = db_.prepare(
        "SELECT id, current_version FROM documents d WHERE NOT EXISTS (SELECT 1 FROM versions v "
        "WHERE v.document_id = d.id AND v.number = d.current_version)");
    if (!current.ok()) return current.error();
    DOSAR_TRY(current->for_each_row([&] {
      problems.push_back("document " + current->text(0) + " names current version " + current->text(1) +
                         ", which does not exist");
    }));
    return problems;
  }

 private:
  std::string now() const { return format_utc(clock_.now()); }

  // SQLite's integrity_check (or quick_check) and foreign_key_check.
  Status check_sqlite_file(bool quick, std::vector<std::string>& problems) const {
    auto s = db_.prepare(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->for_each_row([&] {
      if (s->text(0) != "ok") problems.push_back(s->text(0));
    }));
    auto fk = db_.prepare("PRAGMA foreign_key_check");
    if (!fk.ok()) return fk.error();
    return fk->for_each_row([&] {
      problems.push_back("row " + fk->text(1) + " of table " + fk->text(0) + " refers to a missing row of " +
                         fk->text(2));
    });
  }

  // REQUIRES: inside a write transaction.
  Result<DocumentId> insert_document(const NewDocument& d, const std::string& actor) {
    std::string at = now();
    auto insert = db_.prepare(
        "INSERT INTO documents(title, document_type, department, confidentiality, status, "
        "created_at, updated_at, current_version) VALUES (?, ?, ?, ?, 'active', ?, ?, 1) RETURNING id");
    if (!insert.ok()) return insert.error();
    auto inserted = insert->bind(1, d.title)
                        .bind(2, d.document_type)
                        .bind(3, d.department)
                        .bind(4, d.confidentiality)
                        .bind(5, at)
                        .bind(6, at)
                        .run_returning_id();
    if (!inserted.ok()) return inserted.error();
    const DocumentId id = *inserted;
    DOSAR_TRY(insert_version(id, 1, d.first_version, actor, at));

    nlohmann::json detail = {{"title", d.title},
                             {"version", 1},
                             {"original", d.first_version.original_blob_id},
                             {"name", d.first_version.original_name},
                             {"mime_type", d.first_version.mime_type}};
    DOSAR_TRY(append_audit(at, actor, "document.create", id, detail.dump()));
    DOSAR_TRY(queue_for_indexing(id));
    return id;
  }

  // A blob that a lawful disposal recorded as to be removed (records/) may be
  // referenced again only if it still exists: the caller may have found it
  // present just before the disposal unlinked it. Disposal unlinks under the
  // write lock this transaction holds, so the check cannot go stale before
  // the commit; once referenced, the blob is live again and no longer
  // disposed. Errors: not_found (unlinked meanwhile), io.
  Status take_back_if_disposed(const std::string& blob) {
    auto s = db_.prepare("SELECT 1 FROM disposed_blobs WHERE blob = ?");
    if (!s.ok()) return s.error();
    s->bind(1, blob);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
    if (blob_present_) {
      auto present = blob_present_(blob);
      if (!present.ok()) return present.error();
      if (!*present)
        return make_error(ErrorCode::not_found, "blob " + blob,
                          "was removed by a lawful disposal while it was being stored; nothing was stored "
                          "for it, store the file again");
    }
    auto forget = db_.prepare("DELETE FROM disposed_blobs WHERE blob = ?");
    if (!forget.ok()) return forget.error();
    return forget->bind(1, blob).run();
  }

  Status insert_derived(DocumentId id, int number, const std::vector<DerivedBlob>& derived,
                        const std::vector<PageInfo>& pages, const std::vector<std::string>& warnings) {
    for (const DerivedBlob& b : derived) {
      DOSAR_TRY(take_back_if_disposed(b.blob_id));
      auto d = db_.prepare(
          "INSERT INTO derived_blobs(document_id, version_number, kind, blob, size, "
          "mime_type) VALUES (?, ?, ?, ?, ?, ?)");
      if (!d.ok()) return d.error();
      DOSAR_TRY(d->bind(1, id)
                    .bind(2, std::int64_t{number})
                    .bind(3, b.kind)
                    .bind(4, b.blob_id)
                    .bind(5, static_cast<std::int64_t>(b.size))
                    .bind(6, b.mime_type)
                    .run());
    }
    for (const PageInfo& page : pages) {
      auto d = db_.prepare(
          "INSERT INTO version_pages(document_id, version_number, page, text_source, ocr_confidence, "
          "rotated_degrees, deskew_degrees) VALUES (?, ?, ?, ?, ?, ?, ?)");
      if (!d.ok()) return d.error();
      DOSAR_TRY(d->bind(1, id)
                    .bind(2, std::int64_t{number})
                    .bind(3, std::int64_t{page.page})
                    .bind(4, page.text_source)
                    .bind(5, page.ocr_confidence)
                    .bind(6, std::int64_t{page.rotated_degrees})
                    .bind(7, page.deskew_degrees)
                    .run());
    }
    auto last = db_.prepare(
        "SELECT COALESCE(MAX(seq), 0) FROM version_warnings WHERE document_id = ? AND version_number = ?");
    if (!last.ok()) return last.error();
    last->bind(1, id).bind(2, std::int64_t{number});
    auto row = last->step();
    if (!row.ok()) return row.error();
    std::int64_t seq = last->integer(0);
    for (const std::string& w : warnings) {
      auto d = db_.prepare(
          "INSERT INTO version_warnings(document_id, version_number, seq, message) "
          "VALUES (?, ?, ?, ?)");
      if (!d.ok()) return d.error();
      DOSAR_TRY(d->bind(1, id).bind(2, std::int64_t{number}).bind(3, ++seq).bind(4, w).run());
    }
    return {};
  }

  Status insert_version(DocumentId id, int number, const NewVersion& v, const std::string& actor,
                        const std::string& at) {
    DOSAR_TRY(take_back_if_disposed(v.original_blob_id));
    auto s = db_.prepare(std::string("INSERT INTO versions(") + kVersionColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return s.error();
    s->bind(1, id)
        .bind(2, std::int64_t{number})
        .bind(3, v.original_blob_id)
        .bind(4, v.original_name)
        .bind(5, v.mime_type)
        .bind(6, static_cast<std::int64_t>(v.size));
    if (v.page_count)
      s->bind(7, std::int64_t{*v.page_count});
    else
      s->bind_null(7);
    s->bind(8, v.ocr_confidence).bind(9, actor).bind(10, at).bind(11, v.comment);
    DOSAR_TRY(s->run());
    DOSAR_TRY(insert_derived(id, number, v.derived, v.pages, v.warnings));
    if (v.derivation_pending) {
      auto q = db_.prepare(
          "INSERT INTO derivation_queue(document_id, version_number, state, queued_at) VALUES (?, ?, "
          "'queued', ?)");
      if (!q.ok()) return q.error();
      DOSAR_TRY(q->bind(1, id).bind(2, std::int64_t{number}).bind(3, at).run());
    }
    return {};
  }

  Status load_details(Version& v) const {
    auto d = db_.prepare(
        "SELECT kind, blob, size, mime_type FROM derived_blobs "
        "WHERE document_id = ? AND version_number = ? ORDER BY kind");
    if (!d.ok()) return d.error();
    d->bind(1, v.document_id).bind(2, std::int64_t{v.number});
    DOSAR_TRY(d->for_each_row([&] {
      v.derived.push_back({d->text(0), d->text(1), static_cast<std::uint64_t>(d->integer(2)), d->text(3)});
    }));
    auto pages = db_.prepare(
        "SELECT page, text_source, ocr_confidence, rotated_degrees, deskew_degrees FROM version_pages "
        "WHERE document_id = ? AND version_number = ? ORDER BY page");
    if (!pages.ok()) return pages.error();
    pages->bind(1, v.document_id).bind(2, std::int64_t{v.number});
    DOSAR_TRY(pages->for_each_row([&] {
      PageInfo page;
      page.page = static_cast<int>(pages->integer(0));
      page.text_source = pages->text(1);
      if (!pages->is_null(2)) page.ocr_confidence = pages->real(2);
      page.rotated_degrees = static_cast<int>(pages->integer(3));
      page.deskew_degrees = pages->real(4);
      v.pages.push_back(page);
    }));
    auto w = db_.prepare(
        "SELECT message FROM version_warnings WHERE document_id = ? AND "
        "version_number = ? ORDER BY seq");
    if (!w.ok()) return w.error();
    w->bind(1, v.document_id).bind(2, std::int64_t{v.number});
    DOSAR_TRY(w->for_each_row([&] { v.warnings.push_back(w->text(0)); }));
    auto q = db_.prepare("SELECT state FROM derivation_queue WHERE document_id = ? AND version_number = ?");
    if (!q.ok()) return q.error();
    q->bind(1, v.document_id).bind(2, std::int64_t{v.number});
    DOSAR_TRY(q->for_each_row([&] { v.derivation_state = q->text(0); }));
    return {};
  }

  // REQUIRES: inside a write transaction, holding the claim.
  Status store_derivation(const CompletedDerivation& c, const std::string& actor) {
    const DocumentId id = c.document_id;
    const int version = c.version_number;
    const DerivedData& data = c.data;
    std::string at = now();
    DOSAR_TRY(insert_derived(id, version, data.derived, data.pages, data.warnings));
    auto update = db_.prepare(
        "UPDATE versions SET page_count = COALESCE(?, page_count), ocr_confidence = ? "
        "WHERE document_id = ? AND number = ?");
    if (!update.ok()) return update.error();
    if (data.page_count)
      update->bind(1, std::int64_t{*data.page_count});
    else
      update->bind_null(1);
    DOSAR_TRY(update->bind(2, data.ocr_confidence).bind(3, id).bind(4, std::int64_t{version}).run());
    nlohmann::json detail = {{"version", version}, {"derived", nlohmann::json::object()}};
    for (const DerivedBlob& b : data.derived) detail["derived"][b.kind] = b.blob_id;
    if (data.ocr_confidence) detail["ocr_confidence"] = *data.ocr_confidence;
    if (c.pages_resumed > 0) detail["pages_resumed"] = c.pages_resumed;
    if (c.pages_read > 0) detail["pages_read"] = c.pages_read;
    if (!data.warnings.empty()) detail["warnings"] = data.warnings;
    DOSAR_TRY(append_audit(at, actor, "version.derive", id, detail.dump()));
    DOSAR_TRY(finish_derivation(id, version, "done", std::nullopt, at, actor, /*audited=*/true));
    return queue_for_indexing(id);
  }

  // REQUIRES: inside a write transaction. Locks the derivation's row until
  // it ends: a claim taking it over meanwhile (claim_derivations) is waited
  // for and then seen, or it skips the row. Errors: conflict when `worker` no
  // longer holds the derivation, not_found when there is none.
  Status require_claim(DocumentId id, int version, const std::string& worker) {
    auto s =
        db_.prepare("SELECT state, worker FROM derivation_queue WHERE document_id = ? AND version_number = ?",
                    sql::RowLock::wait);
    if (!s.ok()) return s.error();
    s->bind(1, id).bind(2, std::int64_t{version});
    auto row = s->step();
    if (!row.ok()) return row.error();
    std::string subject = "document " + std::to_string(id) + " version " + std::to_string(version);
    if (!*row) return make_error(ErrorCode::not_found, subject, "no derivation queued for this version");
    if (s->text(0) != "running" || s->is_null(1) || s->text(1) != worker)
      return make_error(ErrorCode::conflict, subject,
                        "the derivation is no longer held by " + worker + " (its lease ran out)");
    return {};
  }

  // Ends a derivation as done or failed, forgetting its recorded pages; a
  // failure gets its own audit row.
  Status finish_derivation(DocumentId id, int version, const std::string& state,
                           const std::optional<std::string>& error, const std::string& at,
                           const std::string& actor, bool audited = false) {
    auto forget = db_.prepare("DELETE FROM derivation_pages WHERE document_id = ? AND version_number = ?");
    if (!forget.ok()) return forget.error();
    DOSAR_TRY(forget->bind(1, id).bind(2, std::int64_t{version}).run());
    auto update = db_.prepare(
        "UPDATE derivation_queue SET state = ?, finished_at = ?, error = ?, worker = NULL, heartbeat_at = "
        "NULL "
        "WHERE document_id = ? AND version_number = ?");
    if (!update.ok()) return update.error();
    update->bind(1, state).bind(2, at);
    if (error)
      update->bind(3, *error);
    else
      update->bind_null(3);
    DOSAR_TRY(update->bind(4, id).bind(5, std::int64_t{version}).run());
    if (audited || state != "failed") return {};
    nlohmann::json detail = {{"version", version}, {"error", error.value_or("")}};
    return append_audit(at, actor, "version.derive-failed", id, detail.dump());
  }

  Status queue_for_indexing(DocumentId id) {
    auto s = db_.prepare("INSERT INTO index_queue(document_id) VALUES (?)");
    if (!s.ok()) return s.error();
    return s->bind(1, id).run();
  }

  // REQUIRES: inside a write transaction, so that the chain head cannot move.
  Status append_audit(const std::string& at, const std::string& actor, const std::string& action,
                      std::optional<DocumentId> id, const std::string& detail) {
    return sql::append_audit(db_, at, actor, action, id, detail);
  }

  mutable Database db_;
  const Clock& clock_;
  BlobPresence blob_present_;
};

}  // namespace

Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const std::filesystem::path& file, OpenMode mode,
                                                     const Clock& clock, BlobPresence blob_present) {
  std::error_code ec;
  if (mode == OpenMode::existing && !std::filesystem::exists(file, ec))
    return make_error(ErrorCode::not_found, file.string(),
                      "no catalogue here; run `dosar init` to create an archive");
  auto db = sql::Database::open_sqlite(file.string(), mode == OpenMode::create);
  if (!db.ok()) return db.error();
  // journal_mode returns a row; exec ignores it. A file that is not a database
  // fails here with SQLITE_NOTADB, reported as corrupt.
  DOSAR_TRY(db->exec("PRAGMA journal_mode=WAL"));
  DOSAR_TRY(db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  auto catalog = std::make_unique<SqlCatalog>(std::move(db).value(), clock, std::move(blob_present));
  DOSAR_TRY(catalog->migrate());
  return std::unique_ptr<Catalog>(std::move(catalog));
}

Result<std::unique_ptr<Catalog>> open_postgresql_catalog(const std::string& uri, OpenMode mode,
                                                         const Clock& clock, BlobPresence blob_present) {
  auto db = sql::Database::open_postgresql(uri);
  if (!db.ok()) return db.error();
  auto schema = db->prepare(
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND "
      "table_name = 'schema_migrations'");
  if (!schema.ok()) return schema.error();
  auto row = schema->step();
  if (!row.ok()) return row.error();
  const bool present = schema->integer(0) > 0;
  if (mode == OpenMode::existing && !present)
    return make_error(ErrorCode::not_found, db->path(),
                      "holds no Dosar catalogue; run `dosar init` with this --catalog to create one");
  if (mode == OpenMode::create && present)
    return make_error(ErrorCode::conflict, db->path(),
                      "already holds a Dosar catalogue; give an empty database to `dosar init`");
  auto catalog = std::make_unique<SqlCatalog>(std::move(db).value(), clock, std::move(blob_present));
  DOSAR_TRY(catalog->migrate());
  return std::unique_ptr<Catalog>(std::move(catalog));
}

Result<std::unique_ptr<Catalog>> open_catalog(const CatalogLocation& where, OpenMode mode, const Clock& clock,
                                              BlobPresence blob_present) {
  if (where.engine == CatalogLocation::Engine::postgresql)
    return open_postgresql_catalog(where.target, mode, clock, std::move(blob_present));
  return open_sqlite_catalog(where.target, mode, clock, std::move(blob_present));
}

Result<CatalogLocation> CatalogLocation::parse(const std::string& text) {
  if (text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0)
    return CatalogLocation{Engine::postgresql, text};
  if (text.rfind("sqlite:", 0) == 0 && text.size() > 7)
    return CatalogLocation{Engine::sqlite, text.substr(7)};
  return make_error(ErrorCode::invalid_argument, "catalogue '" + text + "'",
                    "give sqlite:PATH or a PostgreSQL URI postgresql://USER@HOST:PORT/DATABASE");
}

std::string CatalogLocation::to_string() const {
  return engine == Engine::postgresql ? target : "sqlite:" + target;
}

}  // namespace dosar
