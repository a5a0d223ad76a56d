// init, check, audit, audit verify.
#include <iostream>

#include "base/clock.h"
#include "cli/context.h"
#include "ingest/archive_index.h"
#include "records/preservation.h"
#include "storage/archive_config.h"

namespace dosar::cli {

ExitCode run_init(Context& c) {
  auto archive =
      ArchiveStore::create(c.archive_dir, system_clock(), c.blobs.value_or(BlobsSetting{}), c.catalog);
  if (!archive.ok()) return c.fail(archive.error());
  if (c.index_locator) {
    // Remembered, so that later commands need no --index; a directory
    // given relative to here is kept absolute (config.json's are relative
    // to the archive).
    auto location = parse_index_locator(*c.index_locator);
    if (!location.ok()) return c.fail(location.error());
    std::string locator = *c.index_locator;
    if (!location->remote()) locator = "xapian:" + std::filesystem::absolute(location->dir).string();
    Status kept = set_archive_config_value(c.archive_dir, "index", locator);
    if (!kept.ok()) return c.fail(kept.error());
    (*archive)->set_index_locator(locator);
  }
  Status index = rebuild_search_index(**archive);  // an empty index, so that search works at once
  if (!index.ok()) return c.fail(index.error());
  c.out << "created an empty archive in " << c.archive_dir.string();
  if (c.blobs) c.out << ", blobs in " << describe(*c.blobs);
  c.out << '\n';
  if (c.index_locator) c.out << "search index: " << *c.index_locator << '\n';
  return ExitCode::ok;
}

ExitCode run_check(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  // A disposal interrupted after its catalogue commit is completed first.
  auto finished = finish_disposals(**archive);
  if (!finished.ok()) return c.fail(finished.error());
  if (*finished > 0) c.err << "completed an interrupted disposal: " << *finished << " blobs removed\n";
  CheckDepth depth = c.command.has("--quick") ? CheckDepth::quick : CheckDepth::full;
  auto progress = [&](std::size_t done, std::size_t total) {
    if (c.err_is_terminal)
      c.err << "\rrehashing blobs: " << done << "/" << total << (done == total ? "\n" : "") << std::flush;
  };
  auto fixity = open_fixity_store(**archive);
  if (!fixity.ok()) return c.fail(fixity.error());
  auto checked = records::check_and_record(**archive, **fixity, depth, progress, c.actor());
  if (!checked.ok()) return c.fail(checked.error());
  const CheckReport* report = &checked->report;
  bool bad = report->has_errors();
  if (c.json) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : report->findings)
      findings.push_back({{"severity", f.severity == CheckFinding::Severity::error ? "error" : "note"},
                          {"subject", f.subject},
                          {"message", f.message}});
    c.out << nlohmann::json{{"ok", !bad},
                            {"depth", depth == CheckDepth::full ? "full" : "quick"},
                            {"blobs_rehashed", report->blobs_checked},
                            {"references_checked", report->references_checked},
                            {"expected_absent", report->expected_absent},
                            {"audit_rows_checked", report->audit_rows_checked},
                            {"fixity_run",
                             checked->run ? nlohmann::json(checked->run->id) : nlohmann::json()},
                            {"findings", findings}}
                 .dump(2)
          << '\n';
  } else {
    for (const auto& f : report->findings)
      (f.severity == CheckFinding::Severity::error ? c.out : c.err)
          << (f.severity == CheckFinding::Severity::error ? "ERROR " : "note  ") << f.subject << ": "
          << f.message << '\n';
    c.out << (bad ? "archive check FAILED: " : "archive ok: ") << report->references_checked
          << " blob references, " << report->blobs_checked << " blobs rehashed, "
          << report->audit_rows_checked << " audit rows verified";
    if (checked->run)
      c.out << "; fixity run " << checked->run->id << " recorded (" << checked->run->ok << " ok, "
            << checked->run->failed << " failed)";
    c.out << '\n';
  }
  return bad ? ExitCode::failed : ExitCode::ok;
}

ExitCode run_audit(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  std::optional<DocumentId> id;
  if (!c.command.positionals.empty()) {
    auto parsed = c.document_id(0);
    if (!parsed.ok()) return c.fail(parsed.error());
    id = *parsed;
  }
  auto trail = (*archive)->catalog().audit_trail(id);
  if (!trail.ok()) return c.fail(trail.error());
  if (c.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : *trail) rows.push_back(to_json(r));
    c.out << rows.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const auto& r : *trail) {
    c.out << r.seq << "  " << format_bucharest(r.at) << "  " << r.actor << "  " << r.action;
    if (r.document_id) c.out << "  document " << *r.document_id;
    c.out << "  " << r.detail << '\n';
  }
  return ExitCode::ok;
}

ExitCode run_audit_verify(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto problems = (*archive)->catalog().verify_audit_chain();
  if (!problems.ok()) return c.fail(problems.error());
  auto trail = (*archive)->catalog().audit_trail(std::nullopt);
  if (!trail.ok()) return c.fail(trail.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : *problems) list.push_back({{"seq", p.seq}, {"message", p.message}});
    c.out << nlohmann::json{{"ok", problems->empty()}, {"rows", trail->size()}, {"problems", list}}.dump(2)
          << '\n';
  } else {
    for (const auto& p : *problems) c.out << "ERROR audit row " << p.seq << ": " << p.message << '\n';
    if (problems->empty())
      c.out << "audit chain intact: " << trail->size() << " rows"
            << (trail->empty() ? "" : ", head " + trail->back().hash) << '\n';
    else
      c.out << "audit chain BROKEN: " << problems->size() << " problems in " << trail->size() << " rows\n";
  }
  return problems->empty() ? ExitCode::ok : ExitCode::failed;
}

}  // namespace dosar::cli
