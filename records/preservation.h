// Preservation of the archive's content over time (records/): fixity checks
// recorded blob by blob and sampled in the background, evidence that a
// document is unchanged since admission (sealed with the institution's key),
// and BagIt/METS preservation packages out of and into an archive.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "signing/pades.h"
#include "storage/archive_store.h"
#include "storage/fixity_store.h"

namespace dosar::records {

// ---- Fixity over time (issue 10, item 8) ----

struct FixityCheckOutcome {
  CheckReport report;
  std::optional<FixityRun> run;  // recorded for a full check
};

// `dosar check`: check_archive, and for CheckDepth::full one fixity event per
// blob rehashed (kind "check"), summarised by one audit row. Errors: as
// check_archive, and io when the record cannot be written.
Result<FixityCheckOutcome> check_and_record(const ArchiveStore& archive, FixityStore& fixity,
                                            CheckDepth depth,
                                            const std::function<void(std::size_t, std::size_t)>& progress,
                                            const std::string& actor, unsigned threads = 2);

// The background sampler. Each run verifies, oldest-verified first, the
// blobs that would otherwise be older than `period` at the next run, and at
// least a 1/(period/interval) share of all blobs, so that every blob is
// verified at least once per period; never more than the two bounds.
struct SamplerOptions {
  std::chrono::hours period{24 * 90};  // every blob verified at least this often
  std::chrono::hours interval{24};     // time between runs
  std::size_t max_blobs_per_run = 20000;
  std::uint64_t max_bytes_per_run = std::uint64_t{16} << 30;
};

struct SampleOutcome {
  std::size_t verified = 0;
  std::size_t failed = 0;
  std::optional<FixityRun> run;  // none when nothing was due
};

// One run of the sampler (kind "sample"). Errors: io.
Result<SampleOutcome> sample_fixity(const ArchiveStore& archive, FixityStore& fixity,
                                    const SamplerOptions& options, const Clock& clock,
                                    const std::string& actor);

// Runs sample_fixity in a thread of its own (its own archive connections)
// whenever the last sample run is at least `interval` old, looking every
// `poll`; `report` gets each run's outcome or error (from that thread).
// Stops and joins when destroyed.
class FixitySampler {
 public:
  using Report = std::function<void(const Result<SampleOutcome>&)>;
  FixitySampler(std::filesystem::path archive_dir, SamplerOptions options, std::string actor, Report report,
                std::chrono::milliseconds poll = std::chrono::minutes(1));
  ~FixitySampler();
  FixitySampler(const FixitySampler&) = delete;
  FixitySampler& operator=(const FixitySampler&) = delete;

 private:
  void loop();
  std::filesystem::path archive_dir_;
  SamplerOptions options_;
  std::string actor_;
  Report report_;
  std::chrono::milliseconds poll_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---- Evidence of integrity (item 9); format in docs/formats/evidence.md ----

// The JSON report that document `id` is unchanged from admission to now:
// versions and blob hashes (each rehashed now), every audit row touching it
// with the links to check them, the chain head, its fixity history with
// Merkle proofs binding each event to its run's audit row, and the
// validation of the signatures of its PDF versions. Errors: not_found, io,
// corrupt (a blob no longer matches: no evidence of integrity can be given).
Result<std::string> build_evidence(const ArchiveStore& archive, DocumentId id,
                                   const signing::TrustStore& trust, const Clock& clock = system_clock());

// A CAdES detached signature (DER) over the report's bytes.
Result<std::string> seal_evidence(std::string_view report, const signing::SigningKey& key);

// The report as a printable PDF (Romanian, DejaVu embedded) with the JSON
// report attached as the embedded file "evidence.json", so that the PDF alone
// can be checked offline; `scratch` is a free path for the printing. Seal it
// with signing::sign_pdf (PAdES) rather than seal_evidence. Errors:
// invalid_argument (not a report of this format), io.
Result<std::string> evidence_pdf(std::string_view report, const std::filesystem::path& scratch);

// The JSON report attached to an evidence PDF. Errors: corrupt (`name` is not
// a readable PDF, or carries no report, or one beyond the size limit).
Result<std::string> evidence_from_pdf(std::string_view pdf, const std::string& name);

struct EvidenceCheck {
  std::vector<std::string> problems;  // empty: every link recomputes
  std::optional<signing::ValidationReport> seal;
  bool ok() const { return problems.empty() && (!seal || seal->valid); }
};

// Checks a report offline: recomputes every audit row hash and link, every
// fixity proof against its run's audit row, and with `seal` the CAdES seal.
// Errors: corrupt (not a report of this format).
Result<EvidenceCheck> verify_evidence(std::string_view report, const std::optional<std::string>& seal,
                                      const signing::TrustStore& trust);

// ---- Preservation packages (item 7); format in docs/formats/bag.md ----

// A dossier (unitate arhivistică) as it goes into a bag: one METS document each.
struct BagDossier {
  std::string id;  // "doc-12", or a file code and year; its folder name is made safe
  std::string title;
  std::vector<DocumentId> documents;
};

// Limits on what import reads from an untrusted bag.
struct BagLimits {
  std::size_t max_tag_file_bytes = 64u << 20;  // a manifest, a METS or a document.json
  std::size_t max_files = 1'000'000;           // manifest entries
  std::size_t max_path_bytes = 4096;
};

struct BagOutcome {
  std::size_t documents = 0;
  std::size_t files = 0;    // payload files
  std::uint64_t bytes = 0;  // payload bytes
};

// Writes a BagIt 1.0 bag (RFC 8493) into `dir` (new or empty): every
// version's original and derived files, a document.json per document (its
// metadata, audit rows, fixity history, signatures) and a mets.xml per
// dossier whose PREMIS events record them. Blobs are rehashed while they are
// copied (`threads` at once); a blob that no longer matches stops the export
// (corrupt). Errors: conflict (dir not empty), not_found, corrupt, io.
Result<BagOutcome> export_bag(const ArchiveStore& archive, const std::vector<BagDossier>& dossiers,
                              const std::filesystem::path& dir, const signing::TrustStore& trust,
                              unsigned threads = 2);

// Reads a bag made by export_bag into an archive without documents: the same
// blobs, the documents and versions in their order, and each document's
// original audit rows kept as imported provenance with one "records.import"
// audit row. Everything is checked before anything is stored; a bad bag is
// refused naming the file and the reason (checksum, path escaping the bag,
// symlink, file not in the manifest, manifest entry missing, malformed or
// hostile METS/JSON). Errors: conflict (archive not empty), corrupt,
// limit_exceeded, io.
Result<BagOutcome> import_bag(ArchiveStore& archive, const std::filesystem::path& dir,
                              const std::string& actor, const BagLimits& limits = {});

// Parsers of untrusted bag files, exposed for the fuzz targets.
struct ManifestEntry {
  std::string sha256;
  std::string path;  // decoded, relative to the bag, checked not to escape it
};
// Errors: corrupt (naming `file` and the line), limit_exceeded.
Result<std::vector<ManifestEntry>> parse_bag_manifest(std::string_view text, const std::string& file,
                                                      const BagLimits& limits = {});

struct MetsFile {
  std::string id;
  std::string href;  // relative to the METS document
  std::string sha256;
  std::uint64_t size = 0;
};
struct MetsSummary {
  std::string objid;
  std::vector<MetsFile> files;
  std::size_t events = 0;
  std::size_t struct_pointers = 0;  // fptr elements of the structMap
};
// Reads a METS document: refuses a DTD (entities, XXE), malformed XML, and a
// fileSec without checksums. Errors: corrupt, limit_exceeded.
Result<MetsSummary> read_mets(std::string_view xml, const std::string& file, const BagLimits& limits = {});

}  // namespace dosar::records
