#include "ingest/derivation_runner.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "ingest/archive_index.h"
#include "ingest/derivation.h"

namespace dosar {
namespace fs = std::filesystem;

namespace {

// A claimed derivation handed to a worker thread, and what it made.
struct Task {
  Derivation claim;
  Version version;
  LocalBlobFile original;  // a local file with the original's bytes, held until the task ends
  fs::path stage_prefix;
  PdfDescription description;
  PageJournal journal;      // pages recorded by earlier attempts; its callback fills `read`
  std::uint64_t order = 0;  // claimed first, read first
  // Filled by the worker.
  std::optional<Result<DerivedFiles>> outcome;
  int pages_done = 0, pages_total = 0;  // guarded by the runner's mutex
  bool progress_changed = false;
  std::vector<DerivationPage> read;  // pages read, not yet recorded; guarded by the runner's mutex
};

// The folder of a derivation's one-page PDFs, kept across attempts.
fs::path pages_dir_of(const fs::path& spool, DocumentId id, int version) {
  return spool / "pages" / (std::to_string(id) + "-" + std::to_string(version));
}

// The pages the queue holds: of every version waiting, for the progress display.
std::int64_t queued_pages(const Catalog& catalog) {
  auto waiting = catalog.derivations(true);
  if (!waiting.ok()) return 0;
  std::int64_t pages = 0;
  for (const Derivation& d : *waiting) {
    if (d.state == "failed") continue;
    auto v = catalog.version(d.document_id, d.version_number);
    if (v.ok() && v->page_count) pages += *v->page_count;
  }
  return pages;
}

std::string title_of(const Version& v) {
  auto dot = v.original_name.rfind('.');
  return (dot == std::string::npos || dot == 0) ? v.original_name : v.original_name.substr(0, dot);
}

std::string host_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

// Derivations held by workers of this machine whose process is gone go back
// to the queue at once, instead of waiting for their lease to run out.
Status release_dead_local_workers(Catalog& catalog, const std::string& actor) {
  auto held = catalog.derivations(true);
  if (!held.ok()) return held.error();
  const std::string here = "@" + host_name() + "#";
  for (const Derivation& d : *held) {
    if (d.state != "running" || !d.worker) continue;
    auto at = d.worker->find(here);
    if (at == std::string::npos || at == 0) continue;
    long pid = std::strtol(d.worker->c_str(), nullptr, 10);
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;
    Status released = catalog.fail_derivation(d.document_id, d.version_number, *d.worker,
                                              "worker process " + std::to_string(pid) + " died",
                                              Catalog::GiveBack::retry, actor);
    if (!released.ok() && released.error().code != ErrorCode::conflict) return released;
  }
  return {};
}

// Page folders of derivations that are no longer waiting (given up after
// too many attempts, or removed) are left by nobody else: removed here.
void remove_orphan_page_folders(const Catalog& catalog, const fs::path& spool) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(spool / "pages", ec)) {
    std::string name = entry.path().filename().string();
    char* end = nullptr;
    long long id = std::strtoll(name.c_str(), &end, 10);
    if (!end || *end != '-') continue;
    long version = std::strtol(end + 1, nullptr, 10);
    auto d = catalog.derivation(id, static_cast<int>(version));
    if (!d.ok()) continue;
    if (!*d || (*d)->state == "done" || (*d)->state == "failed") fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

DerivationRunOptions derivation_options(const IngestOptions& ingest) {
  DerivationRunOptions run;
  run.jobs = ingest.jobs;
  run.ocr = ingest.ocr;
  run.ocr_languages = ingest.ocr_languages;
  run.limits = ingest.limits;
  run.ocr_limits = ingest.ocr_limits;
  run.actor = ingest.actor;
  return run;
}

ProgressEstimate derivation_estimate(const Derivation& d, const Clock& clock) {
  if (d.state != "running" || !d.claimed_at) return {};
  auto claimed = parse_utc(*d.claimed_at);
  if (!claimed) return {};
  std::int64_t read = std::max(d.pages_done - d.pages_at_claim, 0);
  std::int64_t to_read = std::max(d.pages_total - d.pages_at_claim, 0);
  return estimate_progress(read, to_read, read, clock.now() - *claimed);
}

std::string derivation_worker_name() {
  static const unsigned tag = std::random_device{}();
  return std::to_string(::getpid()) + "@" + host_name() + "#" + std::to_string(tag % 100000);
}

Result<std::size_t> run_derivations(ArchiveStore& archive, const DerivationRunOptions& options,
                                    const std::function<void(const DerivationEvent&)>& report,
                                    const std::function<bool()>& keep_going) {
  const std::string worker = derivation_worker_name();
  const std::size_t jobs = static_cast<std::size_t>(std::max(options.jobs, 1));
  // Results are stored in batches of up to kBatch; `window` derivations are
  // claimed at a time so that a batch can fill while the threads work.
  constexpr std::size_t kBatch = 32;
  const std::size_t window =
      options.claim_limit > 0 ? options.claim_limit : std::max<std::size_t>(2 * jobs, kBatch);
  DeriveOptions derive{options.ocr, options.ocr_languages, options.ocr_limits,
                       PdfLimits{options.limits.max_pdf_pages, options.limits.max_text_bytes,
                                 options.limits.max_pdf_object_number}};
  DOSAR_TRY(release_dead_local_workers(archive.catalog(), options.actor));
  // A first claim before anything is set up: an idle queue (the background
  // worker of `serve` looks every second) costs one query, no threads.
  auto first_claim = archive.catalog().claim_derivations(worker, window, options.lease, options.max_attempts);
  if (!first_claim.ok()) return first_claim.error();
  if (first_claim->empty()) {
    DOSAR_TRY(sync_search_index(archive));
    return std::size_t{0};
  }
  std::optional<std::vector<Derivation>> pre_claimed = std::move(first_claim).value();
  remove_orphan_page_folders(archive.catalog(), archive.spool_dir());
  PdfLibrary pdf_library;

  std::mutex mutex;
  std::condition_variable work_ready, result_ready;
  std::deque<Task*> waiting;  // claimed, not yet taken by a thread
  bool stopping = false;
  std::map<std::pair<DocumentId, int>, std::unique_ptr<Task>> in_flight;
  // Pages of all derivations in hand are read on `jobs` threads, one engine
  // each; twice as many derivation threads keep them fed.
  PageReaders readers(static_cast<int>(jobs));
  std::uint64_t claimed_count = 0;  // the order of each task's pages

  auto thread_main = [&]() {
    for (;;) {
      Task* task;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return stopping || !waiting.empty(); });
        if (waiting.empty()) return;
        task = waiting.front();
        waiting.pop_front();
      }
      std::string name = "document " + std::to_string(task->claim.document_id) + " version " +
                         std::to_string(task->claim.version_number) + " (" + task->version.original_name +
                         ")";
      task->journal.recorded = [&](const DerivationPage& page) {
        {
          std::lock_guard lock(mutex);
          task->read.push_back(page);
        }
        result_ready.notify_all();
      };
      auto outcome = derive_files(task->original.path(), task->version.mime_type, name, task->description,
                                  task->stage_prefix, derive, readers, task->order, &task->journal,
                                  [&](int done, int total) {
                                    std::lock_guard lock(mutex);
                                    task->pages_done = done;
                                    task->pages_total = total;
                                    task->progress_changed = true;
                                  });
      {
        std::lock_guard lock(mutex);
        task->outcome = std::move(outcome);
      }
      result_ready.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2 * jobs; ++t) threads.emplace_back(thread_main);
  auto stop_threads = [&] {
    {
      std::lock_guard lock(mutex);
      stopping = true;
      waiting.clear();
    }
    readers.stop();  // pages not started are not read: their derivations go back to the queue
    work_ready.notify_all();
    for (auto& t : threads)
      if (t.joinable()) t.join();
  };
  // Whatever way this function leaves, no thread is left running (a
  // joinable std::thread destroyed would terminate the process).
  struct JoinOnExit {
    std::function<void()> stop;
    ~JoinOnExit() { stop(); }
  } join_on_exit{stop_threads};

  // Everything below runs on this thread: the catalogue connection and the
  // blob store are used from here only.
  Catalog& catalog = archive.catalog();
  std::size_t done_count = 0;
  DerivationProgress progress;
  if (options.progress) progress.pages_total = queued_pages(catalog);
  auto forget_pages = [&](const Task& task) {
    std::error_code ec;
    fs::remove_all(task.journal.pages_dir, ec);
  };
  bool exhausted = false;
  bool exhausted_when_idle = false;  // the empty answer came while nothing was in hand
  Status failure;

  auto give_back = [&](Task& task, const Error& error) {
    (void)catalog.fail_derivation(task.claim.document_id, task.claim.version_number, worker,
                                  error.to_string(), Catalog::GiveBack::retry, options.actor);
  };

  // Stores what workers made (all their blobs behind one durability
  // barrier) and closes each derivation.
  auto finish = [&](const std::vector<Task*>& tasks) -> Status {
    std::vector<BlobStore::Staged> staged;
    for (Task* task : tasks) {
      if (!task->outcome->ok()) continue;
      DerivedFiles& files = task->outcome->value();
      if (files.archive_error) continue;
      if (!files.text_staged.empty()) staged.push_back({files.text_staged, files.text_id});
      if (!files.searchable_pdf.empty()) staged.push_back({files.searchable_pdf, files.searchable_pdf_id});
    }
    auto stored = archive.blobs().put_staged_files(staged);
    if (!stored.ok()) {
      for (Task* task : tasks) {
        if (task->outcome->ok()) task->outcome->value().discard();
        give_back(*task, stored.error());
      }
      return stored.error();
    }
    std::size_t k = 0;
    Status archive_failure;
    std::vector<Catalog::CompletedDerivation> completed;
    std::vector<Task*> completed_tasks;
    for (Task* task : tasks) {
      Result<DerivedFiles>& outcome = *task->outcome;
      if (!outcome.ok()) {
        // The file's own problem: deterministic, so not worth another attempt.
        DOSAR_TRY(catalog.fail_derivation(task->claim.document_id, task->claim.version_number, worker,
                                          outcome.error().to_string(), Catalog::GiveBack::failed,
                                          options.actor));
        forget_pages(*task);
        if (report) report({task->claim.document_id, task->claim.version_number, false, outcome.error(), {}});
        continue;
      }
      DerivedFiles& files = *outcome;
      if (files.archive_error) {
        give_back(*task, *files.archive_error);
        archive_failure = *files.archive_error;
        continue;
      }
      Catalog::CompletedDerivation c{task->claim.document_id,
                                     task->claim.version_number,
                                     {},
                                     files.pages_resumed,
                                     files.pages_recognized};
      c.data.page_count = files.page_count;
      c.data.ocr_confidence = files.ocr_confidence;
      c.data.pages = files.pages;
      c.data.warnings = files.warnings;
      if (!files.text_staged.empty()) {
        c.data.derived.push_back({"text", (*stored)[k].id, (*stored)[k].size, "text/plain; charset=utf-8"});
        ++k;
      }
      if (!files.searchable_pdf.empty()) {
        c.data.derived.push_back({"searchable-pdf", (*stored)[k].id, (*stored)[k].size, "application/pdf"});
        ++k;
      }
      completed.push_back(std::move(c));
      completed_tasks.push_back(task);
    }
    if (completed.empty()) return archive_failure;
    auto outcomes = catalog.complete_derivations(completed, worker, options.actor);
    if (!outcomes.ok()) {
      for (Task* task : completed_tasks) give_back(*task, outcomes.error());
      return outcomes.error();
    }
    for (std::size_t i = 0; i < completed_tasks.size(); ++i) {
      const Status& outcome = (*outcomes)[i];
      DerivationEvent event{completed[i].document_id, completed[i].version_number, outcome.ok(), std::nullopt,
                            completed[i].data.warnings};
      if (!outcome.ok()) event.error = outcome.error();  // another worker took it over, or:
      // a disposal removed a blob of it meanwhile: derive it again later.
      if (!outcome.ok() && outcome.error().code == ErrorCode::not_found)
        give_back(*completed_tasks[i], outcome.error());
      if (event.done) {
        ++done_count;
        forget_pages(*completed_tasks[i]);
      }
      if (report) report(event);
    }
    return archive_failure;
  };

  auto last_heartbeat = std::chrono::steady_clock::now();
  auto last_index_sync = last_heartbeat;
  const auto heartbeat_every = std::max(options.lease / 4, std::chrono::seconds(1));
  for (;;) {
    bool more_wanted = !keep_going || keep_going();
    // Keep every thread busy, with enough waiting behind them that results
    // can be stored in batches.
    // A derivation on its last try is run alone (see claim_derivations).
    const bool last_try_in_hand = std::any_of(in_flight.begin(), in_flight.end(), [&](const auto& entry) {
      return entry.second->claim.attempts > options.max_attempts;
    });
    if (more_wanted && !exhausted && in_flight.size() < window && !last_try_in_hand) {
      auto claimed = pre_claimed ? Result<std::vector<Derivation>>(std::move(*pre_claimed))
                                 : catalog.claim_derivations(worker, window - in_flight.size(), options.lease,
                                                             options.max_attempts);
      pre_claimed.reset();
      if (!claimed.ok()) {
        failure = claimed.error();
        break;
      }
      if (claimed->empty()) {
        exhausted = true;
        exhausted_when_idle = in_flight.empty();
      }
      for (Derivation& d : *claimed) {
        // Ours already: its heartbeat fell behind the lease (a long wait
        // for the index lock) and the claim renewed it; it is being read.
        if (in_flight.count({d.document_id, d.version_number})) continue;
        if (!failure.ok()) {  // the catalogue failed for an earlier one: give the rest back
          (void)catalog.fail_derivation(d.document_id, d.version_number, worker, failure.error().to_string(),
                                        Catalog::GiveBack::released, options.actor);
          continue;
        }
        auto task = std::make_unique<Task>();
        task->claim = d;
        task->order = claimed_count++;
        auto version = catalog.version(d.document_id, d.version_number);
        auto original = version.ok() ? archive.blobs().local_file(version->original_blob_id)
                                     : Result<LocalBlobFile>(version.error());
        if (!original.ok()) {
          Error e = original.error();
          failure = catalog.fail_derivation(
              d.document_id, d.version_number, worker, e.to_string(),
              e.code == ErrorCode::not_found ? Catalog::GiveBack::failed : Catalog::GiveBack::retry,
              options.actor);
          if (!failure.ok()) break;
          if (report) report({d.document_id, d.version_number, false, e, {}});
          continue;
        }
        auto recorded = catalog.derivation_pages(d.document_id, d.version_number);
        auto document = catalog.document(d.document_id);
        if (!recorded.ok() || !document.ok()) {
          failure = recorded.ok() ? document.error() : recorded.error();
          (void)catalog.fail_derivation(d.document_id, d.version_number, worker, failure.error().to_string(),
                                        Catalog::GiveBack::released, options.actor);
          break;
        }
        task->version = std::move(version).value();
        task->original = *original;
        task->stage_prefix = new_staging_path(archive.spool_dir());
        task->description = {title_of(task->version),
                             document->department.empty() ? task->version.author : document->department,
                             task->version.created_at};
        task->journal.pages_dir = pages_dir_of(archive.spool_dir(), d.document_id, d.version_number);
        for (DerivationPage& page : *recorded) task->journal.done[page.index] = std::move(page);
        Task* raw = task.get();
        in_flight[{d.document_id, d.version_number}] = std::move(task);
        {
          std::lock_guard lock(mutex);
          waiting.push_back(raw);
        }
        work_ready.notify_one();
      }
      if (!failure.ok()) break;
    }
    // Asked to stop: no new work; what the threads hold now is finished by
    // stop_threads below and given back to the queue, not stored.
    if (!more_wanted) break;
    if (in_flight.empty() && exhausted) {
      if (exhausted_when_idle) break;
      // Nothing to claim while derivations were in hand may only have
      // meant that one waits for a last try alone: asked once more now.
      exhausted = false;
      continue;
    }

    std::vector<Task*> finished, progressed;
    struct PagesRead {
      Task* task;
      std::vector<DerivationPage> pages;
      int done, total;
    };
    std::vector<PagesRead> to_record;
    {
      std::unique_lock lock(mutex);
      // Until a batch is ready or everything in hand is finished; at most
      // 200 ms, so that progress and leases are kept up to date.
      result_ready.wait_for(lock, std::chrono::milliseconds(200), [&] {
        std::size_t ready = 0;
        for (auto& [key, task] : in_flight) {
          if (task->outcome) ++ready;
          if (!task->read.empty()) return true;  // pages to record at once
        }
        return ready >= kBatch || ready == in_flight.size();
      });
      for (auto& [key, task] : in_flight) {
        if (task->outcome)
          finished.push_back(task.get());
        else if (task->progress_changed)
          progressed.push_back(task.get());
        task->progress_changed = false;
        if (!task->read.empty()) {
          to_record.push_back({task.get(), std::move(task->read), task->pages_done, task->pages_total});
          task->read.clear();
        }
      }
    }
    // Pages read are recorded at once (their PDFs are already durable): a
    // worker killed now loses at most the page it is reading.
    for (PagesRead& r : to_record) {
      Status recorded = catalog.record_derivation_pages(
          r.task->claim.document_id, r.task->claim.version_number, worker, r.pages, r.done, r.total);
      // conflict: the lease was lost; finishing will tell.
      if (!recorded.ok() && recorded.error().code != ErrorCode::conflict) {
        failure = recorded;
        break;
      }
    }
    if (!failure.ok()) break;
    if (options.progress) {
      std::int64_t in_hand = 0;
      {
        std::lock_guard lock(mutex);
        for (auto& [key, task] : in_flight)
          if (!task->outcome) in_hand += task->pages_done;
      }
      DerivationProgress now = progress;
      now.pages_done += in_hand;
      now.pages_total = std::max(now.pages_total, now.pages_done);
      options.progress(now);
    }
    // Progress, and the lease of long derivations, renewed now and then.
    if (std::chrono::steady_clock::now() - last_heartbeat >= std::chrono::seconds(1)) {
      bool renew_all = std::chrono::steady_clock::now() - last_heartbeat >= heartbeat_every;
      for (auto& [key, task] : in_flight) {
        if (task->outcome) continue;
        bool changed = std::find(progressed.begin(), progressed.end(), task.get()) != progressed.end();
        if (!changed && !renew_all) continue;
        int done, total;
        {
          std::lock_guard lock(mutex);
          done = task->pages_done;
          total = task->pages_total;
        }
        // conflict: the lease was lost, finishing will tell. io: the
        // catalogue is gone (a database restarting): the lease cannot be
        // renewed, so the derivations go back and the caller hears why
        // (issue 13: a lost connection is reported, not hidden by the
        // reconnection of the next statement).
        Status renewed = catalog.record_derivation_progress(key.first, key.second, worker, done, total);
        if (!renewed.ok() && renewed.error().code == ErrorCode::io) {
          failure = renewed;
          break;
        }
      }
      if (!failure.ok()) break;
      last_heartbeat = std::chrono::steady_clock::now();
    }
    if (!finished.empty()) {
      for (Task* task : finished)
        progress.pages_done += task->outcome->ok() ? task->outcome->value().page_count : task->pages_total;
      progress.versions_done += finished.size();
      Status finished_ok = finish(finished);
      for (Task* task : finished) in_flight.erase({task->claim.document_id, task->claim.version_number});
      if (!finished_ok.ok()) {
        failure = finished_ok;
        break;
      }
      // A long queue makes documents searchable as it goes, not only at its end.
      if (std::chrono::steady_clock::now() - last_index_sync >= std::chrono::seconds(5)) {
        Status indexed = sync_search_index(archive);
        if (!indexed.ok()) {
          failure = indexed;
          break;
        }
        last_index_sync = std::chrono::steady_clock::now();
      }
    }
  }
  stop_threads();
  if (pre_claimed)  // stopped before they were even handed out
    for (const Derivation& d : *pre_claimed)
      (void)catalog.fail_derivation(d.document_id, d.version_number, worker,
                                    "the worker stopped before starting", Catalog::GiveBack::released,
                                    options.actor);
  // Derivations claimed but not finished go back to the queue at once.
  for (auto& [key, task] : in_flight) {
    if (task->outcome && task->outcome->ok()) task->outcome->value().discard();
    (void)catalog.fail_derivation(key.first, key.second, worker, "the worker stopped before finishing",
                                  Catalog::GiveBack::released, options.actor);
  }
  if (!failure.ok()) return failure.error();
  Status indexed = sync_search_index(archive);
  if (!indexed.ok()) {
    Error e = indexed.error();
    e.message = "text extracted, but the search index was not updated (" + e.message +
                "); the next ingest or `dosar reindex` will catch up";
    return e;
  }
  return done_count;
}

struct BackgroundDerivations::State {
  std::unique_ptr<ArchiveStore> archive;
  DerivationRunOptions options;
  std::chrono::milliseconds poll;
  std::function<void(const DerivationEvent&)> report;
  std::function<void(const Error&)> on_error;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  void run() {
    auto keep_going = [this] {
      std::lock_guard lock(mutex);
      return !stopping;
    };
    while (keep_going()) {
      auto done = run_derivations(*archive, options, report, keep_going);
      if (!done.ok() && on_error) on_error(done.error());
      std::unique_lock lock(mutex);
      wake.wait_for(lock, poll, [this] { return stopping; });
    }
  }
};

BackgroundDerivations::BackgroundDerivations(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<BackgroundDerivations>> BackgroundDerivations::start(
    const fs::path& archive_dir, const std::optional<std::string>& index_locator,
    DerivationRunOptions options, std::chrono::milliseconds poll,
    std::function<void(const DerivationEvent&)> report, std::function<void(const Error&)> on_error) {
  auto archive = ArchiveStore::open(archive_dir);
  if (!archive.ok()) return archive.error();
  (*archive)->set_index_locator(index_locator);
  auto state = std::make_unique<State>();
  state->archive = std::move(archive).value();
  state->options = std::move(options);
  state->poll = poll;
  state->report = std::move(report);
  state->on_error = std::move(on_error);
  State* raw = state.get();
  raw->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<BackgroundDerivations>(new BackgroundDerivations(std::move(state)));
}

BackgroundDerivations::~BackgroundDerivations() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
}

}  // namespace dosar
