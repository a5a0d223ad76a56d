#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "storage/archive_store.h"
#include "storage/fixity_store.h"
#include "storage/sql_db.h"
#include "storage/sqlite_audit.h"

namespace dosar {
namespace {

using sql::Database;
using sql::Statement;
using sql::Transaction;

Sha256Digest from_hex(const std::string& hex, bool& ok) {
  Sha256Digest out{};
  ok = is_sha256_hex(hex);
  if (!ok) return out;
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return out;
}

Sha256Digest inner_node(const Sha256Digest& left, const Sha256Digest& right) {
  Sha256 hasher;
  const std::uint8_t tag = 1;
  hasher.update(&tag, 1);
  hasher.update(left.data(), left.size());
  hasher.update(right.data(), right.size());
  return hasher.finish();
}

Sha256Digest leaf_digest(const BlobFixity& result) {
  std::string input(1, '\0');
  input += "dosar-fixity-v1\n" + result.blob_id + " " + result.outcome;
  return sha256(input);
}

// Every level of the tree, leaves first.
std::vector<std::vector<Sha256Digest>> tree_levels(const std::vector<BlobFixity>& sorted) {
  std::vector<std::vector<Sha256Digest>> levels(1);
  for (const BlobFixity& r : sorted) levels[0].push_back(leaf_digest(r));
  while (levels.back().size() > 1) {
    const auto& below = levels.back();
    std::vector<Sha256Digest> above;
    for (std::size_t i = 0; i < below.size(); i += 2)
      above.push_back(i + 1 < below.size() ? inner_node(below[i], below[i + 1]) : below[i]);
    levels.push_back(std::move(above));
  }
  return levels;
}

bool valid_outcome(const std::string& outcome) {
  return outcome == "ok" || outcome == "corrupt" || outcome == "missing";
}

// Blobs of lawful disposals (records/) are expected absent, not verified.
constexpr const char* kReferencedBlobs =
    "SELECT blob FROM (SELECT original_blob AS blob FROM versions UNION SELECT blob FROM derived_blobs) AS r "
    "WHERE blob NOT IN (SELECT blob FROM disposed_blobs)";

class SqliteFixityStore final : public FixityStore {
 public:
  SqliteFixityStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Result<FixityRun> record_run(const std::string& kind, const std::string& started_at,
                               std::vector<BlobFixity> results, const std::string& actor) override {
    std::sort(results.begin(), results.end(),
              [](const BlobFixity& a, const BlobFixity& b) { return a.blob_id < b.blob_id; });
    FixityRun run;
    run.kind = kind;
    run.started_at = started_at;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const BlobFixity& r = results[i];
      if (!is_sha256_hex(r.blob_id))
        return make_error(ErrorCode::invalid_argument, r.blob_id, "is not a blob id");
      if (!valid_outcome(r.outcome))
        return make_error(ErrorCode::invalid_argument, r.blob_id,
                          "unknown fixity outcome '" + r.outcome + "'");
      if (i > 0 && results[i - 1].blob_id == r.blob_id)
        return make_error(ErrorCode::invalid_argument, r.blob_id, "appears twice in one fixity run");
      (r.outcome == "ok" ? run.ok : run.failed) += 1;
    }
    run.results_root = fixity_results_root(results);

    auto tx = Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    run.finished_at = format_utc(clock_.now());
    nlohmann::json detail = {
        {"kind", kind},         {"started_at", started_at}, {"ok", run.ok},
        {"failed", run.failed}, {"blobs", results.size()},  {"results_root", run.results_root}};
    auto next = db_.prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM fixity_runs");
    if (!next.ok()) return next.error();
    if (auto row = next->step(); !row.ok()) return row.error();
    run.id = next->integer(0);
    detail["run"] = run.id;
    DOSAR_TRY(sql::append_audit(db_, run.finished_at, actor, "fixity.check", std::nullopt, detail.dump()));
    auto seq = db_.prepare("SELECT MAX(seq) FROM audit");
    if (!seq.ok()) return seq.error();
    if (auto row = seq->step(); !row.ok()) return row.error();
    run.audit_seq = seq->integer(0);

    auto insert_run = db_.prepare(
        "INSERT INTO fixity_runs(id, kind, started_at, finished_at, ok_count, failed_count, results_root, "
        "audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert_run.ok()) return insert_run.error();
    DOSAR_TRY(insert_run->bind(1, run.id)
                  .bind(2, kind)
                  .bind(3, started_at)
                  .bind(4, run.finished_at)
                  .bind(5, static_cast<std::int64_t>(run.ok))
                  .bind(6, static_cast<std::int64_t>(run.failed))
                  .bind(7, run.results_root)
                  .bind(8, run.audit_seq)
                  .run());
    for (const BlobFixity& r : results) {
      auto event =
          db_.prepare("INSERT INTO fixity_events(run_id, blob, verified_at, outcome) VALUES (?, ?, ?, ?)");
      if (!event.ok()) return event.error();
      DOSAR_TRY(event->bind(1, run.id).bind(2, r.blob_id).bind(3, run.finished_at).bind(4, r.outcome).run());
      auto latest = db_.prepare(
          "INSERT INTO fixity_latest(blob, verified_at, outcome) VALUES (?, ?, ?) "
          "ON CONFLICT(blob) DO UPDATE SET verified_at = excluded.verified_at, outcome = excluded.outcome");
      if (!latest.ok()) return latest.error();
      DOSAR_TRY(latest->bind(1, r.blob_id).bind(2, run.finished_at).bind(3, r.outcome).run());
    }
    DOSAR_TRY(tx->commit());
    return run;
  }

  Result<std::optional<FixityEvent>> last_verified(const std::string& blob_id) const override {
    auto s = db_.prepare(
        "SELECT run_id, blob, verified_at, outcome FROM fixity_events WHERE blob = ? "
        "ORDER BY verified_at DESC, run_id DESC LIMIT 1");
    if (!s.ok()) return s.error();
    s->bind(1, blob_id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<FixityEvent>{};
    return std::optional<FixityEvent>{read_event(*s)};
  }

  Result<std::optional<std::string>> last_verified(DocumentId document) const override {
    auto exists = db_.prepare("SELECT 1 FROM documents WHERE id = ?");
    if (!exists.ok()) return exists.error();
    exists->bind(1, document);
    auto found = exists->step();
    if (!found.ok()) return found.error();
    if (!*found)
      return make_error(ErrorCode::not_found, "document " + std::to_string(document), "no such document");
    // NULL (never verified) sorts first, so MIN over a CASE keeps it.
    auto s = db_.prepare(
        "SELECT COUNT(*), COUNT(l.verified_at), MIN(l.verified_at) FROM ("
        "SELECT original_blob AS blob FROM versions WHERE document_id = ?1 "
        "UNION SELECT blob FROM derived_blobs WHERE document_id = ?1) b "
        "LEFT JOIN fixity_latest l ON l.blob = b.blob");
    if (!s.ok()) return s.error();
    s->bind(1, document);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (s->integer(0) == 0 || s->integer(0) != s->integer(1)) return std::optional<std::string>{};
    return std::optional<std::string>{s->text(2)};
  }

  Result<std::vector<FixityEvent>> history(const std::string& blob_id) const override {
    auto s = db_.prepare(
        "SELECT run_id, blob, verified_at, outcome FROM fixity_events WHERE blob = ? ORDER BY verified_at, "
        "run_id");
    if (!s.ok()) return s.error();
    s->bind(1, blob_id);
    std::vector<FixityEvent> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(read_event(*s)); }));
    return out;
  }

  Result<FixityRun> run(std::int64_t id) const override {
    auto s = db_.prepare(
        "SELECT id, kind, started_at, finished_at, ok_count, failed_count, results_root, audit_seq "
        "FROM fixity_runs WHERE id = ?");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) return make_error(ErrorCode::not_found, "fixity run " + std::to_string(id), "no such run");
    FixityRun r;
    r.id = s->integer(0);
    r.kind = s->text(1);
    r.started_at = s->text(2);
    r.finished_at = s->text(3);
    r.ok = static_cast<std::size_t>(s->integer(4));
    r.failed = static_cast<std::size_t>(s->integer(5));
    r.results_root = s->text(6);
    r.audit_seq = s->integer(7);
    return r;
  }

  Result<std::vector<BlobFixity>> run_results(std::int64_t id) const override {
    auto s = db_.prepare("SELECT blob, outcome FROM fixity_events WHERE run_id = ? ORDER BY blob");
    if (!s.ok()) return s.error();
    s->bind(1, id);
    std::vector<BlobFixity> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back({s->text(0), s->text(1)}); }));
    return out;
  }

  Result<std::optional<std::string>> last_run_at(const std::string& kind) const override {
    auto s = db_.prepare("SELECT MAX(finished_at) FROM fixity_runs WHERE kind = ?");
    if (!s.ok()) return s.error();
    s->bind(1, kind);
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (s->is_null(0)) return std::optional<std::string>{};
    return std::optional<std::string>{s->text(0)};
  }

  Result<std::vector<std::string>> due_blobs(const std::string& before, std::size_t limit) const override {
    // A blob never verified counts as verified when it was admitted (ingest hashed it).
    auto s = db_.prepare(
        "SELECT b.blob, COALESCE(l.verified_at, b.since) AS last FROM (SELECT blob, MIN(since) AS since FROM "
        "("
        "SELECT original_blob AS blob, created_at AS since FROM versions UNION ALL "
        "SELECT d.blob, v.created_at FROM derived_blobs d JOIN versions v "
        "ON v.document_id = d.document_id AND v.number = d.version_number) AS a GROUP BY blob) AS b "
        "LEFT JOIN fixity_latest l ON l.blob = b.blob WHERE COALESCE(l.verified_at, b.since) < ? "
        "AND b.blob NOT IN (SELECT blob FROM disposed_blobs) "
        "ORDER BY 2, 1 LIMIT ?");
    if (!s.ok()) return s.error();
    s->bind(1, before).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<std::string> out;
    DOSAR_TRY(s->for_each_row([&] { out.push_back(s->text(0)); }));
    return out;
  }

  Result<std::size_t> referenced_blob_count() const override {
    auto s = db_.prepare(std::string("SELECT COUNT(*) FROM (") + kReferencedBlobs + ") AS b");
    if (!s.ok()) return s.error();
    auto row = s->step();
    if (!row.ok()) return row.error();
    return static_cast<std::size_t>(s->integer(0));
  }

 private:
  static FixityEvent read_event(const Statement& s) {
    return {s.integer(0), s.text(1), s.text(2), s.text(3)};
  }

  mutable Database db_;
  const Clock& clock_;
};

}  // namespace

std::string fixity_leaf_hash(const BlobFixity& result) {
  return to_hex(leaf_digest(result));
}

std::string fixity_results_root(const std::vector<BlobFixity>& sorted_results) {
  if (sorted_results.empty()) return sha256_hex("");
  return to_hex(tree_levels(sorted_results).back().front());
}

std::vector<MerkleStep> fixity_inclusion_proof(const std::vector<BlobFixity>& sorted_results,
                                               std::size_t index) {
  std::vector<MerkleStep> proof;
  auto levels = tree_levels(sorted_results);
  for (std::size_t level = 0; level + 1 < levels.size(); ++level) {
    const auto& nodes = levels[level];
    std::size_t sibling = index ^ 1U;
    if (sibling < nodes.size()) proof.push_back({to_hex(nodes[sibling]), sibling < index});
    index /= 2;
  }
  return proof;
}

std::string fixity_root_from_proof(const std::string& leaf_hash, const std::vector<MerkleStep>& proof) {
  bool ok = false;
  Sha256Digest node = from_hex(leaf_hash, ok);
  if (!ok) return "";
  for (const MerkleStep& step : proof) {
    Sha256Digest sibling = from_hex(step.sibling, ok);
    if (!ok) return "";
    node = step.sibling_on_left ? inner_node(sibling, node) : inner_node(node, sibling);
  }
  return to_hex(node);
}

Result<std::unique_ptr<FixityStore>> open_fixity_store(const ArchiveStore& archive, const Clock& clock) {
  auto db = sql::open_catalog_connection(archive.catalog_location());
  if (!db.ok()) return db.error();
  return std::unique_ptr<FixityStore>(std::make_unique<SqliteFixityStore>(std::move(db).value(), clock));
}

}  // namespace dosar
