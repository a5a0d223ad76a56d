#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

#include "cli/context.h"
#include "cli/progress_printer.h"
#include "ingest/derivation_runner.h"
#include "ingest/hot_folder.h"
#include "ingest/ingester.h"

namespace dosar::cli {

namespace {

std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) {
  stop_requested = true;
}

// The options `ingest` and `watch` share; prints why when they are wrong.
std::optional<IngestOptions> ingest_options(const Context& c) {
  IngestOptions options;
  options.title = c.command.get("--title");
  options.document_type = c.command.get("--type").value_or("");
  options.department = c.command.get("--department").value_or("");
  options.confidentiality = c.command.get("--confidentiality").value_or("internal");
  options.actor = c.actor();
  options.ocr = !c.command.has("--no-ocr");
  options.ocr_languages = c.command.get("--languages").value_or("ron+eng");
  options.defer_derivation = c.command.has("--defer");
  options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto jobs = c.command.get("--jobs")) {
    char* end = nullptr;
    long n = std::strtol(jobs->c_str(), &end, 10);
    if (jobs->empty() || *end != '\0' || n < 1 || n > 256) {
      c.err << "dosar: --jobs must be a number from 1 to 256, not '" << *jobs << "'\n";
      return std::nullopt;
    }
    options.jobs = static_cast<int>(n);
  }
  bool known_level = false;
  for (const char* level : kConfidentialityLevels)
    known_level = known_level || options.confidentiality == level;
  if (!known_level) {
    c.err << "dosar: --confidentiality must be public, internal or restricted-personal-data\n";
    return std::nullopt;
  }
  return options;
}

void print_item(const Context& c, const IngestItem& item) {
  if (c.json) {
    nlohmann::json j = {{"path", item.path}, {"status", ingest_status_name(item.status)}};
    if (item.status != IngestStatus::rejected) j["id"] = item.document_id;
    if (!item.mime_type.empty()) j["mime_type"] = item.mime_type;
    if (item.status == IngestStatus::stored) j["size"] = item.size;
    if (item.page_count) j["pages"] = *item.page_count;
    if (!item.warnings.empty()) j["warnings"] = item.warnings;
    if (item.error) {
      j["reason"] = item.error->message;
      j["code"] = error_code_name(item.error->code);
    }
    c.out << j.dump() << std::endl;
    return;
  }
  if (item.status == IngestStatus::rejected) {
    c.out << "-\trejected\t" << item.path << "\t" << item.error->message << std::endl;
  } else {
    c.out << item.document_id << '\t' << ingest_status_name(item.status) << '\t' << item.path << '\t'
          << item.mime_type;
    if (item.page_count) c.out << ", " << *item.page_count << (*item.page_count == 1 ? " page" : " pages");
    c.out << std::endl;
  }
  for (const auto& w : item.warnings) c.err << "warning: " << item.path << ": " << w << '\n';
}

// Files a stored document under --file-code; a failure makes the item rejected
// (the document stays stored, without a file code).
IngestItem filed(const FileCodeAssigner& file_code, IngestItem item) {
  if (!file_code || item.status == IngestStatus::rejected) return item;
  Status assigned = file_code(item.document_id);
  if (!assigned.ok()) {
    item.status = IngestStatus::rejected;
    item.error = Error{assigned.error().code, assigned.error().subject,
                       "stored as document " + std::to_string(item.document_id) +
                           " but not filed: " + assigned.error().to_string()};
  }
  return item;
}

// Derivations queued by `ingest --defer`, worked through by a background
// thread of `watch --defer` until destroyed (`serve` runs its own).
Result<std::unique_ptr<BackgroundDerivations>> start_background_derivations(Context& c,
                                                                            const IngestOptions& ingest) {
  DerivationRunOptions run = derivation_options(ingest);
  run.jobs = 1;  // beside the folder's own ingest
  static std::mutex log_mutex;
  std::ostream& err = c.err;
  return BackgroundDerivations::start(
      c.archive_dir, c.index_locator, run, std::chrono::seconds(2),
      [&err](const DerivationEvent& e) {
        if (e.done || !e.error) return;
        std::lock_guard lock(log_mutex);
        err << "dosar: text of document " << e.document_id << " version " << e.version_number
            << " not extracted: " << e.error->to_string() << std::endl;
      },
      [&err](const Error& e) {
        std::lock_guard lock(log_mutex);
        err << "dosar: derivations: " << e.to_string() << std::endl;
      });
}

// One line per derivation finished, as it finishes (flushed: a worker's
// log is read while it runs); warnings on stderr.
void print_event(const Context& c, const DerivationEvent& e) {
  if (c.json) {
    nlohmann::json j = {{"id", e.document_id}, {"version", e.version_number}, {"done", e.done}};
    if (e.error) j["reason"] = e.error->to_string();
    if (!e.warnings.empty()) j["warnings"] = e.warnings;
    c.out << j.dump() << std::endl;
    return;
  }
  c.out << e.document_id << '\t' << e.version_number << '\t' << (e.done ? "done" : "failed");
  if (e.error) c.out << '\t' << e.error->to_string();
  c.out << std::endl;
  for (const auto& w : e.warnings)
    c.err << "warning: document " << e.document_id << " version " << e.version_number << ": " << w << '\n';
}

}  // namespace

ExitCode run_watch(Context& c) {
  auto options = ingest_options(c);
  if (!options) return ExitCode::usage;
  options->jobs = 1;  // one file at a time, as the scanner delivers them
  HotFolderOptions watch;
  if (auto settle = c.command.get("--settle")) {
    char* end = nullptr;
    double seconds = std::strtod(settle->c_str(), &end);
    if (settle->empty() || *end != '\0' || seconds < 0 || seconds > 3600) {
      c.err << "dosar: --settle must be a number of seconds from 0 to 3600\n";
      return ExitCode::usage;
    }
    watch.settle = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  }
  watch.once = c.command.has("--once");
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto file_code = file_code_assigner(c, **archive);
  if (!file_code.ok()) return c.fail(file_code.error());
  auto ingester = Ingester::create(**archive, *options);
  if (!ingester.ok()) return c.fail(ingester.error());
  // With --defer, files are stored as they come and read by a second thread.
  std::unique_ptr<BackgroundDerivations> derivations;
  if (options->defer_derivation && !watch.once) {
    auto started = start_background_derivations(c, *options);
    if (!started.ok()) return c.fail(started.error());
    derivations = std::move(started).value();
  }
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  auto sampler = start_fixity_sampler(c);
  if (!sampler.ok())
    return sampler.error().code == ErrorCode::invalid_argument ? (c.fail(sampler.error()), ExitCode::usage)
                                                               : c.fail(sampler.error());
  if (!watch.once) c.err << "watching " << c.command.positionals[0] << " (Ctrl-C stops)\n";
  // A hot folder has no end: files and pages so far, and the rate.
  ProgressPrinter progress(c, "files");
  std::int64_t files = 0, pages = 0;
  Status status = watch_folder(
      **ingester, c.command.positionals[0], watch,
      [&](const IngestItem& item) {
        progress.end();
        print_item(c, filed(*file_code, item));
        ++files;
        if (item.status == IngestStatus::stored) pages += item.page_count.value_or(0);
        progress.show(files, files, pages);
      },
      [] { return stop_requested.load(); });
  progress.end();
  if (!status.ok()) return c.fail(status.error());
  return ExitCode::ok;
}

ExitCode run_ingest(Context& c) {
  auto parsed_options = ingest_options(c);
  if (!parsed_options) return ExitCode::usage;
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  const IngestOptions& options = *parsed_options;
  auto file_code = file_code_assigner(c, **archive);
  if (!file_code.ok()) return c.fail(file_code.error());
  auto ingester = Ingester::create(**archive, options);
  if (!ingester.ok()) return c.fail(ingester.error());

  std::vector<std::filesystem::path> inputs(c.command.positionals.begin(), c.command.positionals.end());
  std::size_t stored = 0, duplicates = 0, rejected = 0;
  ProgressPrinter progress(c, "files");
  std::int64_t files_total = 0, pages = 0;
  std::vector<DocumentId> with_text;  // for the persons' link suggestions
  auto found = [&](std::size_t count) { files_total = static_cast<std::int64_t>(count); };
  Status status = (*ingester)->ingest(
      inputs,
      [&](const IngestItem& stored_item) {
        progress.end();
        IngestItem item = filed(*file_code, stored_item);
        switch (item.status) {
          case IngestStatus::stored:
            ++stored;
            if (!options.defer_derivation) with_text.push_back(item.document_id);
            break;
          case IngestStatus::duplicate:
            ++duplicates;
            break;
          case IngestStatus::rejected:
            ++rejected;
            break;
        }
        print_item(c, item);
        if (item.status == IngestStatus::stored) pages += item.page_count.value_or(0);
        progress.show(static_cast<std::int64_t>(stored + duplicates + rejected), files_total, pages);
      },
      found);
  progress.end();
  if (!c.json) {
    c.err << stored << " stored, " << duplicates << " duplicate, " << rejected << " rejected\n";
    if (options.defer_derivation && stored > 0)
      c.err << "text extraction and OCR queued; `dosar jobs run` (or `serve`, `watch`) does them\n";
  }
  suggest_person_links(c, **archive, with_text);
  if (!status.ok()) return c.fail(status.error());
  return rejected == 0 ? ExitCode::ok : ExitCode::failed;
}

ExitCode run_jobs(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto jobs = (*archive)->catalog().derivations(!c.command.has("--all"));
  if (!jobs.ok()) return c.fail(jobs.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Derivation& d : *jobs) list.push_back(to_json(d));
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const Derivation& d : *jobs) {
    c.out << d.document_id << '\t' << d.version_number << '\t' << d.state << '\t' << d.queued_at;
    if (d.pages_total > 0) c.out << '\t' << d.pages_done << '/' << d.pages_total << " pages";
    if (ProgressEstimate e = derivation_estimate(d, system_clock()); e.eta_seconds)
      c.out << '\t' << static_cast<int>(e.pages_per_minute + 0.5) << " pages/min, ETA "
            << format_duration(*e.eta_seconds);
    if (d.error) c.out << '\t' << *d.error;
    c.out << '\n';
  }
  if (jobs->empty()) c.err << "no derivation waiting\n";
  return ExitCode::ok;
}

ExitCode run_jobs_run(Context& c) {
  auto options = ingest_options(c);
  if (!options) return ExitCode::usage;
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  DerivationRunOptions run = derivation_options(*options);
  ProgressPrinter progress(c, "pages");
  run.progress = [&](const DerivationProgress& p) {
    progress.show(p.pages_done, p.pages_total, p.pages_done);
  };
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  std::size_t failed = 0;
  std::vector<DocumentId> derived;  // for the persons' link suggestions
  auto done = run_derivations(
      **archive, run,
      [&](const DerivationEvent& e) {
        progress.end();
        if (!e.done) ++failed;
        if (e.done) derived.push_back(e.document_id);
        print_event(c, e);
      },
      [] { return !stop_requested.load(); });
  progress.end();
  if (!done.ok()) return c.fail(done.error());
  suggest_person_links(c, **archive, derived);
  if (!c.json) c.err << *done << " done, " << failed << " failed\n";
  return failed == 0 ? ExitCode::ok : ExitCode::failed;
}

// A worker of a scaled-out archive (issue 13): the catalogue, blobs and
// index named by this archive directory's config.json are shared with other
// workers and servers; only the spool is this process's own. Everything it
// needs to resume another worker's derivation (the pages read, with their
// one-page PDFs) is in the catalogue. A failure of the archive (a database
// restarting, a shard away) is logged and the queue looked at again later:
// a worker is run by a service manager and should outlive such moments.
ExitCode run_worker(Context& c) {
  auto options = ingest_options(c);
  if (!options) return ExitCode::usage;
  std::optional<std::uint64_t> poll, lease;
  if (!number_option(c, "--poll", 1, 3600, poll) || !number_option(c, "--lease", 2, 86400, lease))
    return ExitCode::usage;
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  DerivationRunOptions run = derivation_options(*options);
  if (lease) run.lease = std::chrono::seconds(*lease);
  run.claim_limit = static_cast<std::size_t>(run.jobs);
  const auto poll_every = std::chrono::seconds(poll.value_or(5));
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  c.err << "worker " << derivation_worker_name() << ": " << run.jobs << " jobs, lease " << run.lease.count()
        << " s (SIGTERM or Ctrl-C stops)" << std::endl;
  auto keep_going = [] { return !stop_requested.load(); };
  int failures_in_a_row = 0;
  while (keep_going()) {
    auto done = run_derivations(
        **archive, run, [&](const DerivationEvent& e) { print_event(c, e); }, keep_going);
    // The queue is empty: look again after `poll`. The archive failed: again
    // after a back-off doubling up to a minute, so that a database down for
    // long is not hammered; its connection is made again by the next try.
    auto wait = poll_every;
    if (!done.ok()) {
      ++failures_in_a_row;
      wait = std::min<std::chrono::seconds>(poll_every * (1 << std::min(failures_in_a_row - 1, 6)),
                                            std::max(poll_every, std::chrono::seconds(60)));
      c.err << "dosar: worker: " << done.error().to_string() << "; trying again in " << wait.count() << " s"
            << std::endl;
    } else {
      if (failures_in_a_row > 0) c.err << "worker: the archive answers again" << std::endl;
      failures_in_a_row = 0;
    }
    const auto until = std::chrono::steady_clock::now() + wait;
    while (keep_going() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  c.err << "worker stopped; derivations in hand given back" << std::endl;
  return ExitCode::ok;
}

}  // namespace dosar::cli
