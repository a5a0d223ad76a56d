// Data access of fixity over time: which blob was verified when, with what
// outcome. Each check run is stored with one event per blob and summarised by
// ONE audit row whose detail carries the Merkle root of the run's results, so
// that every event is bound to the audit chain without one audit row per blob.
// Format of the results root and its proofs: docs/formats/fixity.md. A second
// backend (PostgreSQL) implements this header and nothing else changes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

class ArchiveStore;

// Outcomes of verifying one blob: "ok", "corrupt" (bytes no longer hash to
// the name), "missing" (referenced but absent).
struct BlobFixity {
  std::string blob_id;
  std::string outcome;
};

struct FixityRun {
  std::int64_t id = 0;
  std::string kind;  // "check" (dosar check) or "sample" (the background sampler)
  std::string started_at;
  std::string finished_at;
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::string results_root;  // Merkle root (hex) over the run's results
  std::int64_t audit_seq = 0;
};

struct FixityEvent {
  std::int64_t run_id = 0;
  std::string blob_id;
  std::string verified_at;  // UTC ISO 8601 (the run's end)
  std::string outcome;
};

// One step of a Merkle inclusion proof: the sibling's hash and on which side it sits.
struct MerkleStep {
  std::string sibling;  // hex
  bool sibling_on_left = false;
};

// Hex hash of one result: SHA-256 of 0x00 "dosar-fixity-v1\n" BLOB " " OUTCOME.
std::string fixity_leaf_hash(const BlobFixity& result);
// Merkle root (hex) over the results sorted by blob id; an inner node is
// SHA-256 of 0x01 LEFT RIGHT (raw digests); an odd last node is carried up.
// REQUIRES: sorted by blob id, each blob once.
std::string fixity_results_root(const std::vector<BlobFixity>& sorted_results);
// The proof that sorted_results[index] is under the root.
std::vector<MerkleStep> fixity_inclusion_proof(const std::vector<BlobFixity>& sorted_results,
                                               std::size_t index);
// The root that `leaf_hash` and `proof` lead to (hex); "" when a hash is malformed.
std::string fixity_root_from_proof(const std::string& leaf_hash, const std::vector<MerkleStep>& proof);

class FixityStore {
 public:
  virtual ~FixityStore() = default;

  // Records a run: one event per result, each blob's latest verification,
  // and one audit row "fixity.check" (detail: run, kind, ok, failed,
  // results_root) in one transaction. Errors: invalid_argument (a blob
  // twice, a malformed id or outcome), io.
  virtual Result<FixityRun> record_run(const std::string& kind, const std::string& started_at,
                                       std::vector<BlobFixity> results, const std::string& actor) = 0;

  // The latest verification of a blob, if any.
  virtual Result<std::optional<FixityEvent>> last_verified(const std::string& blob_id) const = 0;
  // The least recent of the latest verifications of every blob of the
  // document's versions (originals and derived): the document as a whole was
  // verified then. nullopt when one of them was never verified. Errors:
  // not_found, io.
  virtual Result<std::optional<std::string>> last_verified(DocumentId document) const = 0;
  // Every verification of a blob, oldest first.
  virtual Result<std::vector<FixityEvent>> history(const std::string& blob_id) const = 0;

  virtual Result<FixityRun> run(std::int64_t id) const = 0;  // not_found, io
  // The run's results sorted by blob id (the order of the Merkle tree).
  virtual Result<std::vector<BlobFixity>> run_results(std::int64_t id) const = 0;
  // When the last run of `kind` finished, if any.
  virtual Result<std::optional<std::string>> last_run_at(const std::string& kind) const = 0;

  // Blobs the catalogue references whose latest verification is before
  // `before` (UTC ISO 8601), oldest first, at most `limit`; a blob never
  // verified counts as verified when its version was admitted (ingest hashed it).
  virtual Result<std::vector<std::string>> due_blobs(const std::string& before, std::size_t limit) const = 0;
  // How many distinct blobs the catalogue references.
  virtual Result<std::size_t> referenced_blob_count() const = 0;
};

// The SQLite fixity store of an archive (a second connection to its
// catalogue; migration 8 made the tables). Errors: io, corrupt.
Result<std::unique_ptr<FixityStore>> open_fixity_store(const ArchiveStore& archive,
                                                       const Clock& clock = system_clock());

}  // namespace dosar
