#include <thread>

#include "cli/context.h"
#include "ingest/ingester.h"

namespace dosar::cli {

ExitCode run_ingest(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
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
      return ExitCode::usage;
    }
    options.jobs = static_cast<int>(n);
  }
  bool known_level = false;
  for (const char* level : kConfidentialityLevels)
    known_level = known_level || options.confidentiality == level;
  if (!known_level) {
    c.err << "dosar: --confidentiality must be public, internal or restricted-personal-data\n";
    return ExitCode::usage;
  }
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
  });
  if (!c.json) c.err << stored << " stored, " << duplicates << " duplicate, " << rejected << " rejected\n";
  if (!status.ok()) return c.fail(status.error());
  return rejected == 0 ? ExitCode::ok : ExitCode::failed;
}

}  // namespace dosar::cli
