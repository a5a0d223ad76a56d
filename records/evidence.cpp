// Evidence of integrity: the report, its seal and its offline check
// (docs/formats/evidence.md).
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "records/preservation.h"
#include "records/report_json.h"
#include "storage/audit_chain.h"

namespace dosar::records {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "dosar-evidence-v1";

json blob_json(const BlobStore& blobs, const std::string& id, std::uint64_t size, Status& rehash) {
  rehash = blobs.verify(id);
  return {{"sha256", id}, {"size", size}, {"rehashed", rehash.ok() ? "ok" : "FAILED"}};
}

}  // namespace

Result<std::string> build_evidence(const ArchiveStore& archive, DocumentId id,
                                   const signing::TrustStore& trust, const Clock& clock) {
  auto document = archive.catalog().document(id);
  if (!document.ok()) return document.error();
  auto versions = archive.catalog().versions(id);
  if (!versions.ok()) return versions.error();
  auto fixity = open_fixity_store(archive, clock);
  if (!fixity.ok()) return fixity.error();
  auto all_rows = archive.catalog().audit_trail(std::nullopt);
  if (!all_rows.ok()) return all_rows.error();

  json report;
  report["format"] = kFormat;
  report["generated_at"] = format_utc(clock.now());
  report["document"] = {
      {"id", document->id},
      {"title", document->title},
      {"type", document->document_type},
      {"department", document->department},
      {"confidentiality", document->confidentiality},
      {"registry_number", document->registry_number ? json(*document->registry_number) : json()},
      {"created_at", document->created_at},
      {"current_version", document->current_version}};

  std::set<std::string> blob_ids;
  json versions_json = json::array();
  json signatures = json::array();
  for (const Version& v : *versions) {
    Status rehash;
    json original = blob_json(archive.blobs(), v.original_blob_id, v.size, rehash);
    if (!rehash.ok()) return rehash.error();
    original["name"] = v.original_name;
    original["mime_type"] = v.mime_type;
    json derived = json::array();
    for (const DerivedBlob& d : v.derived) {
      json one = blob_json(archive.blobs(), d.blob_id, d.size, rehash);
      if (!rehash.ok()) return rehash.error();
      one["kind"] = d.kind;
      one["mime_type"] = d.mime_type;
      derived.push_back(std::move(one));
      blob_ids.insert(d.blob_id);
    }
    blob_ids.insert(v.original_blob_id);
    versions_json.push_back({{"number", v.number},
                             {"created_at", v.created_at},
                             {"author", v.author},
                             {"original", original},
                             {"derived", derived}});
    if (v.mime_type == "application/pdf") {
      auto bytes = archive.blobs().read(v.original_blob_id, Verify::hash);
      if (!bytes.ok()) return bytes.error();
      auto validation = validate_at_signing_time(*bytes, trust, v.created_at);
      if (!validation.ok()) {
        signatures.push_back({{"version", v.number}, {"error", validation.error().to_string()}});
      } else if (!validation->empty()) {
        bool valid = true;
        json each = json::array();
        for (const auto& one : *validation) {
          valid &= one.report.indication == signing::Indication::total_passed;
          each.push_back(signature_json(one));
        }
        signatures.push_back({{"version", v.number}, {"valid", valid}, {"signatures", each}});
      }
    }
  }
  report["versions"] = versions_json;
  report["signatures"] = signatures;

  // Fixity history of every blob, each event with its Merkle proof.
  std::set<std::int64_t> runs_needed;
  std::map<std::int64_t, std::vector<BlobFixity>> run_results;
  json fixity_json = json::array();
  for (const std::string& blob : blob_ids) {
    auto history = (*fixity)->history(blob);
    if (!history.ok()) return history.error();
    for (const FixityEvent& e : *history) {
      auto run = (*fixity)->run(e.run_id);
      if (!run.ok()) return run.error();
      auto& results = run_results[e.run_id];
      if (results.empty()) {
        auto read = (*fixity)->run_results(e.run_id);
        if (!read.ok()) return read.error();
        results = std::move(read).value();
      }
      std::size_t index = 0;
      while (index < results.size() && results[index].blob_id != blob) ++index;
      if (index == results.size())
        return make_error(ErrorCode::corrupt, "fixity run " + std::to_string(e.run_id),
                          "lost the event of " + blob);
      json proof = json::array();
      for (const MerkleStep& step : fixity_inclusion_proof(results, index))
        proof.push_back({{"sibling", step.sibling}, {"side", step.sibling_on_left ? "left" : "right"}});
      fixity_json.push_back({{"blob", blob},
                             {"run", e.run_id},
                             {"kind", run->kind},
                             {"verified_at", e.verified_at},
                             {"outcome", e.outcome},
                             {"audit_seq", run->audit_seq},
                             {"proof", proof}});
      runs_needed.insert(run->audit_seq);
    }
  }
  report["fixity"] = fixity_json;
  auto last = (*fixity)->last_verified(id);
  if (!last.ok()) return last.error();
  report["last_verified"] = *last ? json(**last) : json();

  json rows = json::array();
  for (const AuditRecord& r : *all_rows)
    if ((r.document_id && *r.document_id == id) || runs_needed.count(r.seq))
      rows.push_back(audit_row_json(r));
  report["audit"] = {{"hash_format", "dosar-audit-v1 (docs/formats/audit-chain.md)"}, {"rows", rows}};
  if (!all_rows->empty())
    report["chain_head"] = {{"seq", all_rows->back().seq}, {"hash", all_rows->back().hash}};
  return report.dump(2) + "\n";
}

Result<std::string> seal_evidence(std::string_view report, const signing::SigningKey& key) {
  signing::SignOptions options;
  return signing::sign_detached(report, key, options);
}

Result<EvidenceCheck> verify_evidence(std::string_view report, const std::optional<std::string>& seal,
                                      const signing::TrustStore& trust) {
  EvidenceCheck check;
  json j = json::parse(report, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kFormat)
    return make_error(ErrorCode::corrupt, "evidence", std::string("is not a report of format ") + kFormat);
  try {
    auto problem = [&](std::string text) { check.problems.push_back(std::move(text)); };
    const DocumentId id = j.at("document").at("id").get<DocumentId>();
    std::map<std::int64_t, AuditRecord> rows;
    for (const json& row : j.at("audit").at("rows")) {
      AuditRecord r = audit_row_from_json(row);
      if (audit_row_hash(r) != r.hash)
        problem("audit row " + std::to_string(r.seq) + ": hash does not recompute");
      if (r.seq == 1 && r.prev_hash != kAuditGenesisHash) problem("audit row 1: does not start the chain");
      rows[r.seq] = r;
    }
    for (const auto& [seq, r] : rows) {
      auto before = rows.find(seq - 1);
      if (before != rows.end() && before->second.hash != r.prev_hash)
        problem("audit row " + std::to_string(seq) + ": does not link to row " + std::to_string(seq - 1));
      if (r.action != "fixity.check" && (!r.document_id || *r.document_id != id))
        problem("audit row " + std::to_string(seq) + ": concerns another document");
    }
    if (j.contains("chain_head")) {
      auto head = rows.find(j["chain_head"].at("seq").get<std::int64_t>());
      if (head != rows.end() && head->second.hash != j["chain_head"].at("hash").get<std::string>())
        problem("chain head: hash differs from its row");
    }
    // Each version's original is the blob its admission row names.
    std::set<std::string> blobs;
    for (const json& v : j.at("versions")) {
      const int number = v.at("number").get<int>();
      const std::string original = v.at("original").at("sha256").get<std::string>();
      blobs.insert(original);
      for (const json& d : v.at("derived")) blobs.insert(d.at("sha256").get<std::string>());
      bool admitted = false;
      for (const auto& [seq, r] : rows) {
        if (r.action != "document.create" && r.action != "version.add") continue;
        json detail = json::parse(r.detail, nullptr, false);
        if (detail.is_object() && detail.value("version", 0) == number &&
            detail.value("original", "") == original)
          admitted = true;
      }
      if (!admitted)
        problem("version " + std::to_string(number) + ": no audit row admits original " + original);
      if (v.at("original").at("rehashed").get<std::string>() != "ok")
        problem("version " + std::to_string(number) + ": original did not rehash");
    }
    for (const json& e : j.at("fixity")) {
      const std::string blob = e.at("blob").get<std::string>();
      const std::int64_t audit_seq = e.at("audit_seq").get<std::int64_t>();
      const std::string where =
          "fixity of " + blob + " in run " + std::to_string(e.at("run").get<std::int64_t>());
      if (!blobs.count(blob)) problem(where + ": not a blob of this document");
      auto row = rows.find(audit_seq);
      if (row == rows.end() || row->second.action != "fixity.check") {
        problem(where + ": its audit row " + std::to_string(audit_seq) + " is not in the report");
        continue;
      }
      if (e.at("verified_at").get<std::string>() != row->second.at)
        problem(where + ": its time is not that of the run's audit row");
      std::vector<MerkleStep> proof;
      for (const json& step : e.at("proof"))
        proof.push_back(
            {step.at("sibling").get<std::string>(), step.at("side").get<std::string>() == "left"});
      json detail = json::parse(row->second.detail, nullptr, false);
      const std::string leaf = fixity_leaf_hash({blob, e.at("outcome").get<std::string>()});
      if (!detail.is_object() || detail.value("results_root", "") != fixity_root_from_proof(leaf, proof) ||
          detail.value("run", std::int64_t{0}) != e.at("run").get<std::int64_t>())
        problem(where + ": its proof does not lead to the run's audit row");
    }
  } catch (const json::exception& e) {
    return make_error(ErrorCode::corrupt, "evidence", std::string("malformed report: ") + e.what());
  }
  if (seal) {
    auto validation = signing::verify_detached(report, *seal, trust);
    if (!validation.ok()) return validation.error();
    check.seal = std::move(validation).value();
  }
  return check;
}

}  // namespace dosar::records
