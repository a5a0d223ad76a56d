#include <atomic>
#include <csignal>
#include <thread>

#include "cli/context.h"
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
  auto ingester = Ingester::create(**archive, *options);
  if (!ingester.ok()) return c.fail(ingester.error());
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  auto sampler = start_fixity_sampler(c);
  if (!sampler.ok())
    return sampler.error().code == ErrorCode::invalid_argument ? (c.fail(sampler.error()), ExitCode::usage)
                                                               : c.fail(sampler.error());
  if (!watch.once) c.err << "watching " << c.command.positionals[0] << " (Ctrl-C stops)\n";
  Status status = watch_folder(
      **ingester, c.command.positionals[0], watch, [&](const IngestItem& item) { print_item(c, item); },
      [] { return stop_requested.load(); });
  if (!status.ok()) return c.fail(status.error());
  return ExitCode::ok;
}

ExitCode run_ingest(Context& c) {
  auto parsed_options = ingest_options(c);
  if (!parsed_options) return ExitCode::usage;
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  const IngestOptions& options = *parsed_options;
  auto ingester = Ingester::create(**archive, options);
  if (!ingester.ok()) return c.fail(ingester.error());

  std::vector<std::filesystem::path> inputs(c.command.positionals.begin(), c.command.positionals.end());
  std::size_t stored = 0, duplicates = 0, rejected = 0;
  Status status = (*ingester)->ingest(inputs, [&](const IngestItem& item) {
    switch (item.status) {
      case IngestStatus::stored:
        ++stored;
        break;
      case IngestStatus::duplicate:
        ++duplicates;
        break;
      case IngestStatus::rejected:
        ++rejected;
        break;
    }
    print_item(c, item);
  });
  if (!c.json) c.err << stored << " stored, " << duplicates << " duplicate, " << rejected << " rejected\n";
  if (!status.ok()) return c.fail(status.error());
  return rejected == 0 ? ExitCode::ok : ExitCode::failed;
}

}  // namespace dosar::cli
