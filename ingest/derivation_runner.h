// Derivation workers: the text, OCR and searchable PDF of versions that
// `ingest --defer` stored first (storage/catalog.h, Derivation). The queue
// lives in the catalogue, so it survives crashes and restarts: a derivation
// whose worker died is taken again when its lease runs out, and one that
// keeps killing its worker is given up after a few attempts.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/progress.h"
#include "base/result.h"
#include "ingest/ingester.h"
#include "storage/archive_store.h"

namespace dosar {

// Pages of a run so far, for a progress display: pages of finished
// versions, plus the pages read of those in hand, of the pages the queue
// held when the run began.
struct DerivationProgress {
  std::int64_t pages_done = 0;
  std::int64_t pages_total = 0;
  std::size_t versions_done = 0;
};

struct DerivationRunOptions {
  int jobs = 1;  // derivations run in parallel, one OCR engine each
  bool ocr = true;
  std::string ocr_languages = "ron+eng";
  IngestLimits limits;
  OcrLimits ocr_limits;
  std::string actor;  // recorded in the audit rows
  std::chrono::seconds lease{300};
  int max_attempts = 3;
  // Most derivations held at once. 0: enough that results are stored in
  // batches (one process working through a backlog). A worker beside others
  // sets `jobs`: what it claims and cannot start yet, they could.
  std::size_t claim_limit = 0;
  // Called on the runner's thread when pages were done (may be null).
  std::function<void(const DerivationProgress&)> progress;
};

// The options of `ingest` that also govern deriving (jobs, OCR, limits, actor).
DerivationRunOptions derivation_options(const IngestOptions& ingest);

// One derivation finished (done or not).
struct DerivationEvent {
  DocumentId document_id = 0;
  int version_number = 0;
  bool done = false;                  // false: failed or given back
  std::optional<Error> error;         // why not done
  std::vector<std::string> warnings;  // pages not read, repairs
};

// Runs queued derivations until the queue is empty or `keep_going` (may be
// null) returns false, then brings the search index up to date. Each page
// OCR reads is recorded in the catalogue with its one-page PDF as soon as
// it is read, so that a derivation taken over from a dead worker, on this
// machine or another, resumes at the next page (ARCHIVE/spool/pages/ holds
// only this worker's scratch copies); the
// pages are forgotten when the version is done or fails for good. Reports each
// to `report` (may be null). Returns how many were done. Errors: io when the
// archive itself fails (the derivation in hand is given back to the queue).
Result<std::size_t> run_derivations(ArchiveStore& archive, const DerivationRunOptions& options,
                                    const std::function<void(const DerivationEvent&)>& report,
                                    const std::function<bool()>& keep_going = nullptr);

// Derivations in the background of a long-running command (`serve`,
// `watch --defer`): a thread with its own connection to the archive that
// works through the queue, then looks again every `poll`.
class BackgroundDerivations {
 public:
  // `report` and `on_error` (may be null) are called from the thread;
  // `index_locator` is set on the archive it opens (ArchiveStore). Errors:
  // those of ArchiveStore::open.
  static Result<std::unique_ptr<BackgroundDerivations>> start(
      const std::filesystem::path& archive_dir, const std::optional<std::string>& index_locator,
      DerivationRunOptions options, std::chrono::milliseconds poll,
      std::function<void(const DerivationEvent&)> report, std::function<void(const Error&)> on_error);
  // Stops; derivations in hand go back to the queue.
  ~BackgroundDerivations();

 private:
  struct State;
  explicit BackgroundDerivations(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Pages per minute and time left of a running derivation, measured from
// its claim (pages resumed from earlier attempts are not counted as read);
// an empty estimate when it is not running.
ProgressEstimate derivation_estimate(const Derivation& derivation, const Clock& clock);

// Who is running: "pid@host", with a random tag so that a restarted process
// with the same pid is another worker.
std::string derivation_worker_name();

}  // namespace dosar
