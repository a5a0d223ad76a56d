#include <nlohmann/json.hpp>

#include "storage/archive_store.h"
#include "storage/records_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

std::string dossier_name(const std::string& code, int year) {
  return code + "/" + std::to_string(year);
}

std::optional<std::int64_t> optional_int(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.integer(column);
}

constexpr const char* kDossierColumns =
    "code, year, title, department, retention_years, state, opened_at, closed_at, first_date, last_date, "
    "documents, pages, reopen_reason, disposal_id";

Dossier read_dossier(const Statement& s) {
  Dossier d;
  d.code = s.text(0);
  d.year = static_cast<int>(s.integer(1));
  d.title = s.text(2);
  d.department = s.text(3);
  if (!s.is_null(4)) d.retention_years = static_cast<int>(s.integer(4));
  d.state = s.text(5);
  d.opened_at = s.text(6);
  d.closed_at = s.text(7);
  d.first_date = s.text(8);
  d.last_date = s.text(9);
  d.documents = static_cast<int>(s.integer(10));
  d.pages = static_cast<int>(s.integer(11));
  d.reopen_reason = s.text(12);
  d.disposal_id = optional_int(s, 13);
  return d;
}

class SqliteRecordsStore final : public RecordsStore {
 public:
  SqliteRecordsStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Result<Nomenclator> put_nomenclator_draft(int year, const std::vector<NomenclatorEntry>& entries,
                                            const std::string& source, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto latest = latest_version(year);
    if (!latest.ok()) return latest.error();
    int version = 1;
    if (latest->first > 0) version = latest->second == "draft" ? latest->first : latest->first + 1;
    const std::string at = now();
    if (latest->first == version) {
      DOSAR_TRY(run("DELETE FROM nomenclator_entries WHERE year = ? AND version = ?", year, version));
      auto u = db_.prepare(
          "UPDATE nomenclator_versions SET source = ?, imported_by = ?, imported_at = ? "
          "WHERE year = ? AND version = ?");
      if (!u.ok()) return u.error();
      DOSAR_TRY(u->bind(1, source)
                    .bind(2, actor)
                    .bind(3, at)
                    .bind(4, std::int64_t{year})
                    .bind(5, std::int64_t{version})
                    .run());
    } else {
      auto i = db_.prepare(
          "INSERT INTO nomenclator_versions(year, version, state, source, imported_by, imported_at) "
          "VALUES (?, ?, 'draft', ?, ?, ?)");
      if (!i.ok()) return i.error();
      DOSAR_TRY(i->bind(1, std::int64_t{year})
                    .bind(2, std::int64_t{version})
                    .bind(3, source)
                    .bind(4, actor)
                    .bind(5, at)
                    .run());
    }
    for (const NomenclatorEntry& n : entries) {
      auto s = db_.prepare(
          "INSERT INTO nomenclator_entries(year, version, department, code, title, retention_years, remarks, "
          "line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!s.ok()) return s.error();
      std::optional<std::int64_t> retention;
      if (n.retention_years) retention = *n.retention_years;
      DOSAR_TRY(s->bind(1, std::int64_t{year})
                    .bind(2, std::int64_t{version})
                    .bind(3, n.department)
                    .bind(4, n.code)
                    .bind(5, n.title)
                    .bind(6, retention)
                    .bind(7, n.remarks)
                    .bind(8, std::int64_t{n.line})
                    .run());
    }
    DOSAR_TRY(audit("nomenclator.import", actor, std::nullopt,
                    {{"year", year}, {"version", version}, {"entries", entries.size()}, {"source", source}},
                    at));
    DOSAR_TRY(tx->commit());
    return nomenclator(year, version);
  }

  Result<Nomenclator> approve_nomenclator(int year, const std::string& reference,
                                          const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto latest = latest_version(year);
    if (!latest.ok()) return latest.error();
    if (latest->first == 0 || latest->second != "draft")
      return make_error(ErrorCode::not_found, "nomenclator " + std::to_string(year),
                        latest->first == 0 ? "has not been imported"
                                           : "has no draft to approve (version " +
                                                 std::to_string(latest->first) + " is already approved)");
    const std::string at = now();
    auto u = db_.prepare(
        "UPDATE nomenclator_versions SET state = 'approved', approved_by = ?, approved_at = ?, reference = ? "
        "WHERE year = ? AND version = ?");
    if (!u.ok()) return u.error();
    DOSAR_TRY(u->bind(1, actor)
                  .bind(2, at)
                  .bind(3, reference)
                  .bind(4, std::int64_t{year})
                  .bind(5, std::int64_t{latest->first})
                  .run());
    DOSAR_TRY(audit("nomenclator.approve", actor, std::nullopt,
                    {{"year", year}, {"version", latest->first}, {"reference", reference}}, at));
    DOSAR_TRY(tx->commit());
    return nomenclator(year, latest->first);
  }

  Result<Nomenclator> nomenclator(int year, int version) const override {
    auto s = db_.prepare(
        "SELECT version, state, source, imported_by, imported_at, approved_by, approved_at, reference "
        "FROM nomenclator_versions WHERE year = ? AND (? = 0 OR version = ?) ORDER BY version DESC LIMIT 1");
    if (!s.ok()) return s.error();
    s->bind(1, std::int64_t{year}).bind(2, std::int64_t{version}).bind(3, std::int64_t{version});
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "nomenclator " + std::to_string(year),
                        version == 0 ? "has not been imported" : "has no version " + std::to_string(version));
    Nomenclator n;
    n.year = year;
    n.version = static_cast<int>(s->integer(0));
    n.state = s->text(1);
    n.source = s->text(2);
    n.imported_by = s->text(3);
    n.imported_at = s->text(4);
    n.approved_by = s->text(5);
    n.approved_at = s->text(6);
    n.reference = s->text(7);
    auto e = db_.prepare(
        "SELECT department, code, title, retention_years, remarks, line FROM nomenclator_entries "
        "WHERE year = ? AND version = ? ORDER BY department, line, code");
    if (!e.ok()) return e.error();
    e->bind(1, std::int64_t{year}).bind(2, std::int64_t{n.version});
    DOSAR_TRY(e->for_each_row([&] {
      NomenclatorEntry entry{e->text(0),   e->text(1), e->text(2),
                             std::nullopt, e->text(4), static_cast<int>(e->integer(5))};
      if (!e->is_null(3)) entry.retention_years = static_cast<int>(e->integer(3));
      n.entries.push_back(std::move(entry));
    }));
    return n;
  }

  Result<Nomenclator> approved_nomenclator(int year) const override {
    auto s =
        db_.prepare("SELECT MAX(version) FROM nomenclator_versions WHERE year = ? AND state = 'approved'");
    if (!s.ok()) return s.error();
    s->bind(1, std::int64_t{year});
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row || s->is_null(0))
      return make_error(ErrorCode::not_found, "nomenclator " + std::to_string(year), "is not approved");
    return nomenclator(year, static_cast<int>(s->integer(0)));
  }

  Status assign(DocumentId id, const NomenclatorEntry& entry, int year, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    const std::string subject = "document " + std::to_string(id);
    DOSAR_TRY(require_document(id));
    auto present = document_record(id);
    if (!present.ok()) return present.error();
    if (!present->disposed_at.empty())
      return make_error(ErrorCode::conflict, subject, "was disposed of on " + present->disposed_at);
    if (present->code == entry.code && present->year == year) return {};
    if (!present->code.empty()) {
      auto old = dossier(present->code, present->year);
      if (!old.ok()) return old.error();
      if (old->state != "open")
        return make_error(
            ErrorCode::conflict, subject,
            "belongs to dossier " + dossier_name(old->code, old->year) + ", which is " + old->state);
    }
    const std::string at = now();
    auto target = dossier(entry.code, year);
    if (target.ok()) {
      if (target->state != "open")
        return make_error(ErrorCode::conflict, "dossier " + dossier_name(entry.code, year),
                          "is " + target->state + "; reopen it with a reason first (`dosar records reopen`)");
    } else if (target.error().code != ErrorCode::not_found) {
      return target.error();
    } else {
      auto s = db_.prepare(
          "INSERT INTO dossiers(code, year, title, department, retention_years, state, opened_at) "
          "VALUES (?, ?, ?, ?, ?, 'open', ?)");
      if (!s.ok()) return s.error();
      std::optional<std::int64_t> retention;
      if (entry.retention_years) retention = *entry.retention_years;
      DOSAR_TRY(s->bind(1, entry.code)
                    .bind(2, std::int64_t{year})
                    .bind(3, entry.title)
                    .bind(4, entry.department)
                    .bind(5, retention)
                    .bind(6, at)
                    .run());
      DOSAR_TRY(
          audit("dossier.open", actor, std::nullopt, {{"dossier", dossier_name(entry.code, year)}}, at));
    }
    auto s = db_.prepare(
        "INSERT INTO record_documents(document_id, code, year, assigned_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(document_id) DO UPDATE SET code = excluded.code, year = excluded.year, "
        "assigned_at = excluded.assigned_at");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, id).bind(2, entry.code).bind(3, std::int64_t{year}).bind(4, at).run());
    DOSAR_TRY(audit("document.file-code", actor, id,
                    {{"dossier", dossier_name(entry.code, year)}, {"previous", present->code}}, at));
    return tx->commit();
  }

  Status mark_permanent(DocumentId id, const std::string& reason, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_document(id));
    const std::string at = now();
    auto s = db_.prepare(
        "INSERT INTO record_documents(document_id, permanent, assigned_at) VALUES (?, 1, ?) "
        "ON CONFLICT(document_id) DO UPDATE SET permanent = 1");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, id).bind(2, at).run());
    DOSAR_TRY(audit("document.permanent", actor, id, {{"reason", reason}}, at));
    return tx->commit();
  }

  Result<DocumentRecord> document_record(DocumentId id) const override {
    auto s = db_.prepare(
        "SELECT COALESCE(code, ''), COALESCE(year, 0), permanent, disposed_at, disposal_id "
        "FROM record_documents WHERE document_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    DocumentRecord r;
    r.document_id = id;
    if (!*row) return r;
    r.code = s->text(0);
    r.year = static_cast<int>(s->integer(1));
    r.permanent = s->integer(2) != 0;
    r.disposed_at = s->text(3);
    r.disposal_id = optional_int(*s, 4);
    return r;
  }

  Result<std::vector<Dossier>> dossiers(int year) const override {
    auto s = db_.prepare(std::string("SELECT ") + kDossierColumns +
                         " FROM dossiers WHERE ? = 0 OR year = ? ORDER BY year, department, code");
    if (!s.ok()) return s.error();
    s->bind(1, std::int64_t{year}).bind(2, std::int64_t{year});
    std::vector<Dossier> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_dossier(*s)); }));
    return out;
  }

  Result<Dossier> dossier(const std::string& code, int year) const override {
    auto s =
        db_.prepare(std::string("SELECT ") + kDossierColumns + " FROM dossiers WHERE code = ? AND year = ?");
    if (!s.ok()) return s.error();
    s->bind(1, code).bind(2, std::int64_t{year});
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "dossier " + dossier_name(code, year), "does not exist");
    return read_dossier(*s);
  }

  Result<std::vector<DossierDocument>> dossier_documents(const std::string& code, int year) const override {
    auto s = db_.prepare(
        "SELECT d.id, d.created_at, COALESCE(v.page_count, 0) FROM record_documents r "
        "JOIN documents d ON d.id = r.document_id "
        "JOIN versions v ON v.document_id = d.id AND v.number = d.current_version "
        "WHERE r.code = ? AND r.year = ? ORDER BY d.id");
    if (!s.ok()) return s.error();
    s->bind(1, code).bind(2, std::int64_t{year});
    std::vector<DossierDocument> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back({s->integer(0), s->text(1), static_cast<int>(s->integer(2))});
    }));
    return out;
  }

  Status close_dossier(const Dossier& d, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto present = dossier(d.code, d.year);
    if (!present.ok()) return present.error();
    if (present->state != "open")
      return make_error(ErrorCode::conflict, "dossier " + dossier_name(d.code, d.year),
                        "is " + present->state);
    const std::string at = now();
    auto s = db_.prepare(
        "UPDATE dossiers SET state = 'closed', closed_at = ?, first_date = ?, last_date = ?, documents = ?, "
        "pages = ? WHERE code = ? AND year = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, at)
                  .bind(2, d.first_date)
                  .bind(3, d.last_date)
                  .bind(4, std::int64_t{d.documents})
                  .bind(5, std::int64_t{d.pages})
                  .bind(6, d.code)
                  .bind(7, std::int64_t{d.year})
                  .run());
    DOSAR_TRY(audit("dossier.close", actor, std::nullopt,
                    {{"dossier", dossier_name(d.code, d.year)},
                     {"first_date", d.first_date},
                     {"last_date", d.last_date},
                     {"documents", d.documents},
                     {"pages", d.pages}},
                    at));
    return tx->commit();
  }

  Status reopen_dossier(const std::string& code, int year, const std::string& reason,
                        const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto present = dossier(code, year);
    if (!present.ok()) return present.error();
    if (present->state != "closed")
      return make_error(ErrorCode::conflict, "dossier " + dossier_name(code, year),
                        "is " + present->state + ", only a closed dossier can be reopened");
    auto s = db_.prepare(
        "UPDATE dossiers SET state = 'open', closed_at = '', reopen_reason = ? WHERE code = ? AND year = ?");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, reason).bind(2, code).bind(3, std::int64_t{year}).run());
    DOSAR_TRY(audit("dossier.reopen", actor, std::nullopt,
                    {{"dossier", dossier_name(code, year)}, {"reason", reason}}, now()));
    return tx->commit();
  }

  Result<Hold> add_hold(const Hold& h, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    if (h.document_id) {
      DOSAR_TRY(require_document(*h.document_id));
    } else {
      auto d = dossier(h.code, h.year);
      if (!d.ok()) return d.error();
    }
    auto existing = find_hold(h);
    if (!existing.ok()) return existing.error();
    if (*existing) return make_error(ErrorCode::conflict, hold_subject(h), "is already on legal hold");
    Hold out = h;
    out.added_by = actor;
    out.added_at = now();
    auto s = db_.prepare(
        "INSERT INTO legal_holds(document_id, code, year, reason, added_by, added_at) VALUES (?, ?, ?, ?, ?, "
        "?) RETURNING id");
    if (!s.ok()) return s.error();
    auto inserted = s->bind(1, h.document_id)
                        .bind(2, h.code)
                        .bind(3, std::int64_t{h.year})
                        .bind(4, h.reason)
                        .bind(5, out.added_by)
                        .bind(6, out.added_at)
                        .run_returning_id();
    if (!inserted.ok()) return inserted.error();
    out.id = *inserted;
    DOSAR_TRY(audit("hold.add", actor, h.document_id, {{"target", hold_subject(h)}, {"reason", h.reason}},
                    out.added_at));
    DOSAR_TRY(tx->commit());
    return out;
  }

  Status remove_hold(const Hold& h, const std::string& reason, const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto existing = find_hold(h);
    if (!existing.ok()) return existing.error();
    if (!*existing) return make_error(ErrorCode::not_found, hold_subject(h), "is not on legal hold");
    DOSAR_TRY(run("DELETE FROM legal_holds WHERE id = ?", **existing));
    DOSAR_TRY(
        audit("hold.remove", actor, h.document_id, {{"target", hold_subject(h)}, {"reason", reason}}, now()));
    return tx->commit();
  }

  Result<std::vector<Hold>> holds() const override {
    auto s = db_.prepare(
        "SELECT id, document_id, code, year, reason, added_by, added_at FROM legal_holds ORDER BY id");
    if (!s.ok()) return s.error();
    std::vector<Hold> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back({s->integer(0), optional_int(*s, 1), s->text(2), static_cast<int>(s->integer(3)),
                     s->text(4), s->text(5), s->text(6)});
    }));
    return out;
  }

  Result<Disposal> dispose(const std::vector<std::pair<std::string, int>>& dossiers,
                           const std::string& decision, DocumentId protocol,
                           const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    // A hold taken by another process since the caller checked wins.
    for (const auto& [code, year] : dossiers) {
      auto held = db_.prepare(
          "SELECT 1 FROM legal_holds h WHERE (h.code = ?1 AND h.year = ?2) OR h.document_id IN "
          "(SELECT document_id FROM record_documents WHERE code = ?1 AND year = ?2)");
      if (!held.ok()) return held.error();
      held->bind(1, code).bind(2, std::int64_t{year});
      auto row = held->step();
      if (!row.ok()) return row.error();
      if (*row)
        return make_error(ErrorCode::conflict, "dossier " + dossier_name(code, year), "is on legal hold");
    }
    const std::string at = now();
    auto d = db_.prepare(
        "INSERT INTO disposals(decision, protocol_document, at, actor) VALUES (?, ?, ?, ?) RETURNING id");
    if (!d.ok()) return d.error();
    auto inserted = d->bind(1, decision).bind(2, protocol).bind(3, at).bind(4, actor).run_returning_id();
    if (!inserted.ok()) return inserted.error();
    const std::int64_t id = *inserted;
    for (const auto& [code, year] : dossiers) {
      DOSAR_TRY(
          run("INSERT INTO disposal_dossiers(disposal_id, code, year) VALUES (?, ?, ?)", id, code, year));
      DOSAR_TRY(
          run("INSERT INTO disposal_documents(disposal_id, document_id, code, year, title, versions) "
              "SELECT ?1, d.id, r.code, r.year, d.title, d.current_version FROM record_documents r "
              "JOIN documents d ON d.id = r.document_id WHERE r.code = ?2 AND r.year = ?3",
              id, code, year));
      DOSAR_TRY(
          run("UPDATE record_documents SET disposed_at = ?2, disposal_id = ?1 WHERE code = ?3 AND year = ?4",
              id, at, code, year));
      DOSAR_TRY(run("UPDATE dossiers SET state = 'disposed', disposal_id = ? WHERE code = ? AND year = ?", id,
                    code, year));
      DOSAR_TRY(audit("dossier.dispose", actor, std::nullopt,
                      {{"dossier", dossier_name(code, year)}, {"disposal", id}, {"decision", decision}}, at));
    }
    DOSAR_TRY(
        run("UPDATE documents SET status = 'disposed', updated_at = ?2 WHERE id IN "
            "(SELECT document_id FROM disposal_documents WHERE disposal_id = ?1)",
            id, at));
    DOSAR_TRY(
        run("INSERT INTO index_queue(document_id) SELECT document_id FROM disposal_documents WHERE "
            "disposal_id = ?",
            id));
    // Every blob of the disposed documents that no other document needs
    // (blobs are shared between documents with the same bytes).
    DOSAR_TRY(
        run("INSERT INTO disposed_blobs(blob, disposal_id) "
            "SELECT b, ?1 FROM (SELECT original_blob AS b, document_id FROM versions "
            "UNION SELECT blob, document_id FROM derived_blobs) x "
            "WHERE x.document_id IN (SELECT document_id FROM disposal_documents WHERE disposal_id = ?1) "
            "AND NOT EXISTS (SELECT 1 FROM versions v JOIN documents o ON o.id = v.document_id "
            "  WHERE v.original_blob = x.b AND o.status <> 'disposed') "
            "AND NOT EXISTS (SELECT 1 FROM derived_blobs v JOIN documents o ON o.id = v.document_id "
            "  WHERE v.blob = x.b AND o.status <> 'disposed') "
            // Again after an earlier disposal unlinked it and a document took the same bytes since.
            "ON CONFLICT (blob) DO UPDATE SET disposal_id = excluded.disposal_id, unlinked = 0",
            id));
    auto list = disposal_documents(id);
    if (!list.ok()) return list.error();
    for (const DisposedDocument& doc : *list)
      DOSAR_TRY(audit(
          "document.dispose", actor, doc.document_id,
          {{"dossier", dossier_name(doc.code, doc.year)}, {"disposal", id}, {"decision", decision}}, at));
    DOSAR_TRY(audit("records.dispose", actor, protocol,
                    {{"disposal", id}, {"decision", decision}, {"documents", list->size()}}, at));
    DOSAR_TRY(tx->commit());
    return disposal(id);
  }

  Result<std::vector<Disposal>> disposals() const override {
    auto s = db_.prepare("SELECT id FROM disposals ORDER BY id");
    if (!s.ok()) return s.error();
    std::vector<std::int64_t> ids;
    DOSAR_TRY(s->for_each_row([&] { ids.push_back(s->integer(0)); }));
    std::vector<Disposal> out;
    for (std::int64_t id : ids) {
      auto d = disposal(id);
      if (!d.ok()) return d.error();
      out.push_back(std::move(d).value());
    }
    return out;
  }

  Result<Disposal> disposal(std::int64_t id) const override {
    auto s = db_.prepare("SELECT decision, protocol_document, at, actor FROM disposals WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "disposal " + std::to_string(id), "does not exist");
    Disposal out{id, s->text(0), s->integer(1), s->text(2), s->text(3), {}, {}};
    auto dd =
        db_.prepare("SELECT code, year FROM disposal_dossiers WHERE disposal_id = ? ORDER BY year, code");
    if (!dd.ok()) return dd.error();
    dd->bind(1, id);
    DOSAR_TRY(dd->for_each_row(
        [&] { out.dossiers.push_back(dossier_name(dd->text(0), static_cast<int>(dd->integer(1)))); }));
    auto docs = disposal_documents(id);
    if (!docs.ok()) return docs.error();
    out.documents = std::move(docs).value();
    return out;
  }

  Result<std::vector<std::string>> pending_unlinks() const override {
    auto s = db_.prepare("SELECT blob FROM disposed_blobs WHERE unlinked = 0 ORDER BY blob");
    if (!s.ok()) return s.error();
    std::vector<std::string> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(s->text(0)); }));
    return out;
  }

  Result<bool> unlink_unless_referenced(const std::string& blob,
                                        const std::function<Status()>& unlink) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto live = db_.prepare(
        "SELECT 1 FROM versions v JOIN documents d ON d.id = v.document_id "
        "WHERE v.original_blob = ?1 AND d.status <> 'disposed' UNION ALL "
        "SELECT 1 FROM derived_blobs v JOIN documents d ON d.id = v.document_id "
        "WHERE v.blob = ?1 AND d.status <> 'disposed' LIMIT 1");
    if (!live.ok()) return live.error();
    live->bind(1, blob);
    auto referenced = live->step();
    if (!referenced.ok()) return referenced.error();
    if (*referenced) {
      DOSAR_TRY(run("DELETE FROM disposed_blobs WHERE blob = ?", blob));
    } else {
      DOSAR_TRY(unlink());
      DOSAR_TRY(run("UPDATE disposed_blobs SET unlinked = 1 WHERE blob = ?", blob));
    }
    DOSAR_TRY(tx->commit());
    return !*referenced;
  }

  Result<std::set<std::string>> disposed_blobs() const override {
    auto s = db_.prepare("SELECT blob FROM disposed_blobs");
    if (!s.ok()) return s.error();
    std::set<std::string> out;
    DOSAR_TRY(s->for_each_row([&] { out.insert(s->text(0)); }));
    return out;
  }

  Result<std::map<std::string, std::string>> sheet_fields(DocumentId id) const override {
    DOSAR_TRY(require_document(id));
    auto s = db_.prepare("SELECT field, value FROM sheet_fields WHERE document_id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::map<std::string, std::string> out;
    DOSAR_TRY(s->for_each_row([&] { out[s->text(0)] = s->text(1); }));
    return out;
  }

  Status set_sheet_field(DocumentId id, const std::string& field, const std::string& value,
                         const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    DOSAR_TRY(require_document(id));
    auto s = db_.prepare(
        "INSERT INTO sheet_fields(document_id, field, value) VALUES (?, ?, ?) "
        "ON CONFLICT(document_id, field) DO UPDATE SET value = excluded.value");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, id).bind(2, field).bind(3, value).run());
    DOSAR_TRY(audit("sheet.set", actor, id, {{"field", field}, {"value", value}}, now()));
    return tx->commit();
  }

  Status set_entry_file_code(std::int64_t entry_id, const std::string& code, int year,
                             const std::string& actor) override {
    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    auto e = db_.prepare("SELECT number FROM registry_entries WHERE id = ?");
    if (!e.ok()) return e.error();
    e->bind(1, entry_id);
    auto row = e->step();
    if (!row.ok()) return row.error();
    if (!*row)
      return make_error(ErrorCode::not_found, "registry entry " + std::to_string(entry_id), "does not exist");
    const std::string number = e->text(0);
    auto s = db_.prepare(
        "INSERT INTO record_entry_codes(entry_id, code, year) VALUES (?, ?, ?) "
        "ON CONFLICT(entry_id) DO UPDATE SET code = excluded.code, year = excluded.year");
    if (!s.ok()) return s.error();
    DOSAR_TRY(s->bind(1, entry_id).bind(2, code).bind(3, std::int64_t{year}).run());
    DOSAR_TRY(audit("registry.file-code", actor, std::nullopt,
                    {{"number", number}, {"dossier", dossier_name(code, year)}}, now()));
    return tx->commit();
  }

 private:
  std::string now() const { return format_utc(clock_.now()); }

  Status audit(const std::string& action, const std::string& actor, std::optional<DocumentId> document,
               const nlohmann::json& detail, const std::string& at) {
    return sql::append_audit(db_, at, actor, action, document, detail.dump());
  }

  static std::string hold_subject(const Hold& h) {
    return h.document_id ? "document " + std::to_string(*h.document_id)
                         : "dossier " + dossier_name(h.code, h.year);
  }

  Result<std::optional<std::int64_t>> find_hold(const Hold& h) const {
    auto s = db_.prepare(h.document_id ? "SELECT id FROM legal_holds WHERE document_id = ?"
                                       : "SELECT id FROM legal_holds WHERE document_id IS NULL AND code = ? "
                                         "AND year = ?");
    if (!s.ok()) return s.error();
    if (h.document_id)
      s->bind(1, *h.document_id);
    else
      s->bind(1, h.code).bind(2, std::int64_t{h.year});
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(s->integer(0));
  }

  Status require_document(DocumentId id) const {
    auto s = db_.prepare("SELECT 1 FROM documents WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "document " + std::to_string(id), "does not exist");
    return {};
  }

  // (version, state) of the latest version of `year`; version 0 when none.
  Result<std::pair<int, std::string>> latest_version(int year) const {
    auto s = db_.prepare(
        "SELECT version, state FROM nomenclator_versions WHERE year = ? ORDER BY version DESC LIMIT 1");
    if (!s.ok()) return s.error();
    s->bind(1, std::int64_t{year});
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::pair<int, std::string>{0, ""};
    return std::pair<int, std::string>{static_cast<int>(s->integer(0)), s->text(1)};
  }

  Result<std::vector<DisposedDocument>> disposal_documents(std::int64_t id) const {
    auto s = db_.prepare(
        "SELECT document_id, code, year, title, versions FROM disposal_documents WHERE disposal_id = ? "
        "ORDER BY document_id");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<DisposedDocument> out;
    DOSAR_TRY(s->for_each_row([&] {
      out.push_back({s->integer(0), s->text(1), static_cast<int>(s->integer(2)), s->text(3),
                     static_cast<int>(s->integer(4))});
    }));
    return out;
  }

  static void bind_one(Statement& s, int index, const std::string& v) { s.bind(index, v); }
  static void bind_one(Statement& s, int index, std::int64_t v) { s.bind(index, v); }
  static void bind_one(Statement& s, int index, int v) { s.bind(index, std::int64_t{v}); }

  // Runs `sql` with the arguments bound in order.
  template <class... Args>
  Status run(const std::string& sql, const Args&... args) {
    auto s = db_.prepare(sql);
    if (!s.ok()) return s.error();
    int index = 0;
    (bind_one(*s, ++index, args), ...);
    return s->run();
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<RecordsStore>> open_records_store(const ArchiveStore& archive, const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<RecordsStore>(std::make_unique<SqliteRecordsStore>(std::move(db).value(), clock));
}

}  // namespace dosar
