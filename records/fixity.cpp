#include <algorithm>

#include "records/preservation.h"

namespace dosar::records {

Result<FixityCheckOutcome> check_and_record(const ArchiveStore& archive, FixityStore& fixity,
                                            CheckDepth depth,
                                            const std::function<void(std::size_t, std::size_t)>& progress,
                                            const std::string& actor, unsigned threads) {
  const std::string started_at = format_utc(std::chrono::system_clock::now());
  auto report = check_archive(archive, depth, progress, threads);
  if (!report.ok()) return report.error();
  FixityCheckOutcome outcome{std::move(report).value(), std::nullopt};
  if (depth == CheckDepth::full) {
    auto run = fixity.record_run("check", started_at, outcome.report.fixity, actor);
    if (!run.ok()) return run.error();
    outcome.run = std::move(run).value();
  }
  return outcome;
}

Result<SampleOutcome> sample_fixity(const ArchiveStore& archive, FixityStore& fixity,
                                    const SamplerOptions& options, const Clock& clock,
                                    const std::string& actor) {
  const auto now = clock.now();
  const std::string started_at = format_utc(now);
  auto total = fixity.referenced_blob_count();
  if (!total.ok()) return total.error();
  const auto runs_per_period =
      std::max<std::int64_t>(1, options.period.count() / std::max<std::int64_t>(1, options.interval.count()));
  const std::size_t share =
      (*total + static_cast<std::size_t>(runs_per_period) - 1) / static_cast<std::size_t>(runs_per_period);
  const std::size_t cap = std::max<std::size_t>(1, options.max_blobs_per_run);
  // Blobs that would be older than the period before the next run...
  auto due = fixity.due_blobs(format_utc(now - options.period + options.interval), cap);
  if (!due.ok()) return due.error();
  // ...and at least an even share, oldest first, so the work stays spread.
  if (due->size() < std::min(share, cap)) {
    due = fixity.due_blobs(started_at, std::min(share, cap));
    if (!due.ok()) return due.error();
  }
  SampleOutcome outcome;
  if (due->empty()) return outcome;
  std::vector<BlobFixity> results;
  std::uint64_t bytes = 0;
  for (const std::string& id : *due) {
    auto size = archive.blobs().size(id);
    if (size.ok()) {
      if (!results.empty() && bytes + *size > options.max_bytes_per_run) break;
      bytes += *size;
    }
    Status verified = size.ok() ? archive.blobs().verify(id) : Status(size.error());
    std::string result = "ok";
    if (!verified.ok()) {
      if (verified.error().code == ErrorCode::io) return verified.error();
      result = verified.error().code == ErrorCode::not_found ? "missing" : "corrupt";
      ++outcome.failed;
    }
    results.push_back({id, result});
  }
  outcome.verified = results.size();
  auto run = fixity.record_run("sample", started_at, std::move(results), actor);
  if (!run.ok()) return run.error();
  outcome.run = std::move(run).value();
  return outcome;
}

FixitySampler::FixitySampler(std::filesystem::path archive_dir, SamplerOptions options, std::string actor,
                             Report report, std::chrono::milliseconds poll)
    : archive_dir_(std::move(archive_dir)),
      options_(options),
      actor_(std::move(actor)),
      report_(std::move(report)),
      poll_(poll),
      thread_([this] { loop(); }) {}

FixitySampler::~FixitySampler() {
  stop_ = true;
  thread_.join();
}

void FixitySampler::loop() {
  auto last_check = std::chrono::steady_clock::time_point{};
  bool first = true;
  while (!stop_) {
    if (first || std::chrono::steady_clock::now() - last_check >= poll_) {
      first = false;
      last_check = std::chrono::steady_clock::now();
      auto run_once = [&]() -> Result<std::optional<SampleOutcome>> {
        auto archive = ArchiveStore::open(archive_dir_);
        if (!archive.ok()) return archive.error();
        auto fixity = open_fixity_store(**archive);
        if (!fixity.ok()) return fixity.error();
        auto last = (*fixity)->last_run_at("sample");
        if (!last.ok()) return last.error();
        if (*last) {
          auto when = parse_utc(**last);
          if (when && std::chrono::system_clock::now() - *when < options_.interval)
            return std::optional<SampleOutcome>{};
        }
        auto outcome = sample_fixity(**archive, **fixity, options_, system_clock(), actor_);
        if (!outcome.ok()) return outcome.error();
        return std::optional<SampleOutcome>{std::move(outcome).value()};
      };
      auto ran = run_once();
      if (!ran.ok())
        report_(ran.error());
      else if (*ran)
        report_(std::move(**ran));
    }
    std::this_thread::sleep_for(std::min(poll_, std::chrono::milliseconds(200)));
  }
}

}  // namespace dosar::records
