// migrate: an embedded archive onto PostgreSQL, S3 and Xapian shards (issue 13).
#include <fstream>
#include <iostream>

#include "cli/context.h"
#include "cli/progress_printer.h"
#include "ingest/archive_index.h"
#include "storage/backend_migration.h"

namespace dosar::cli {
namespace {

struct MigrateOptions {
  CatalogLocation catalog;
  std::optional<BlobsSetting> blobs;
  std::optional<std::string> index;
};

// The targets from the options; prints why not (a usage error).
std::optional<MigrateOptions> migrate_options(const Context& c) {
  MigrateOptions options;
  auto usage = [&](const std::string& message) {
    c.err << "dosar: migrate: " << message << '\n';
    return std::nullopt;
  };
  auto catalog = CatalogLocation::parse(c.command.get("--to-catalog").value_or(""));
  if (!catalog.ok() || catalog->engine != CatalogLocation::Engine::postgresql)
    return usage("--to-catalog postgresql://USER@HOST:PORT/DATABASE is required (an empty database)");
  options.catalog = *catalog;
  if (auto blobs = c.command.get("--to-blobs")) {
    auto setting = parse_blobs_setting(*blobs, c.command.get("--s3-endpoint").value_or(""));
    if (!setting.ok()) return usage(setting.error().to_string());
    if (setting->kind != BlobsSetting::Kind::s3) return usage("--to-blobs takes s3://BUCKET/PREFIX");
    options.blobs = *setting;
  }
  if (auto index = c.command.get("--to-index")) {
    auto location = parse_index_locator(*index);
    if (!location.ok()) return usage("--to-index: " + location.error().to_string());
    // As `init --index`: a directory given relative to here is kept absolute.
    options.index =
        location->remote() ? *index : "xapian:" + std::filesystem::absolute(location->dir).string();
  }
  return options;
}

// The SQLite catalogue being migrated: the archive's own while config.json
// names it, else (a rerun after the switch) the one the kept file named.
std::filesystem::path embedded_catalog(const Context& c, const ArchiveStore& archive) {
  if (archive.catalog_location().engine == CatalogLocation::Engine::sqlite)
    return archive.catalog_location().target;
  std::ifstream kept(c.archive_dir / "config.json.before-migrate");
  auto json = nlohmann::json::parse(kept, nullptr, false);
  if (kept && json.is_object() && json.contains("catalog") && json["catalog"].is_string()) {
    auto where = CatalogLocation::parse(json["catalog"].get<std::string>());
    if (where.ok() && where->engine == CatalogLocation::Engine::sqlite) return where->target;
  }
  return c.archive_dir / "catalog.sqlite";
}

}  // namespace

// Steps, each resumable: catalogue, blobs, audit chain, config.json, index,
// check, finish. A rerun after config.json was switched starts at the index.
ExitCode run_migrate(Context& c) {
  auto options = migrate_options(c);
  if (!options) return ExitCode::usage;
  const std::string& uri = options->catalog.target;
  nlohmann::json summary = nlohmann::json::object();

  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  const std::filesystem::path sqlite_file = embedded_catalog(c, **archive);
  bool switched = false;
  if ((*archive)->catalog_location().engine == CatalogLocation::Engine::postgresql) {
    auto state = (*archive)->catalog_location().target == uri
                     ? migration_target_state(sqlite_file, uri)
                     : Result<MigrationTargetState>(MigrationTargetState::finished);
    if (!state.ok()) return c.fail(state.error());
    if (*state == MigrationTargetState::finished)
      return c.fail(make_error(ErrorCode::conflict, c.archive_dir.string(),
                               "is already migrated: its config.json names a PostgreSQL catalogue"));
    switched = true;  // interrupted after the switch: what is left is derived or checks
  }

  if (!switched) {
    ProgressPrinter rows(c, "rows");
    auto copied =
        copy_catalog_to_postgresql(sqlite_file, uri, c.actor(),
                                   [&](std::int64_t done, std::int64_t total) { rows.show(done, total, 0); });
    rows.end();
    if (!copied.ok()) return c.fail(copied.error());
    summary["catalog"] = {{"tables", copied->tables},
                          {"tables_resumed", copied->tables_resumed},
                          {"rows", copied->rows_total},
                          {"rows_copied", copied->rows_copied}};
    if (!c.json)
      c.out << "catalogue: " << copied->tables << " tables, " << copied->rows_total
            << " rows copied to PostgreSQL"
            << (copied->tables_resumed ? " (" + std::to_string(copied->tables_resumed) +
                                             " tables already copied by an interrupted run)"
                                       : "")
            << '\n';

    if (options->blobs && !(*options->blobs == (*archive)->blobs_setting())) {
      auto config = read_archive_config(c.archive_dir);
      if (!config.ok()) return c.fail(config.error());
      auto target = open_blob_store(c.archive_dir, *options->blobs, *config);
      if (!target.ok()) return c.fail(target.error());
      const std::string to_name = describe(*options->blobs);
      auto verified = open_verified_blobs(uri, to_name);
      if (!verified.ok()) return c.fail(verified.error());
      ProgressPrinter blobs(c, "blobs");
      auto sent = copy_blobs((*archive)->blobs(), **target, to_name, (*archive)->spool_dir(), verified->get(),
                             [&](std::int64_t done, std::int64_t total) { blobs.show(done, total, 0); });
      blobs.end();
      if (!sent.ok()) return c.fail(sent.error());
      summary["blobs"] = {{"blobs", sent->blobs},
                          {"copied", sent->copied},
                          {"already_there", sent->already_there},
                          {"verified_before", sent->verified_before},
                          {"bytes_copied", sent->bytes_copied}};
      if (!c.json)
        c.out << "blobs: " << sent->blobs << " in " << to_name << ", each rehashed there (" << sent->copied
              << " copied now, " << sent->bytes_copied << " bytes; " << sent->already_there
              << " already there, " << sent->verified_before
              << " of them rehashed there by an interrupted run and not read again)\n";
    }

    // Anything the archive recorded while being copied would be lost by the
    // switch: every change writes an audit row, so its head must not have moved.
    auto unchanged = migration_target_state(sqlite_file, uri);
    if (!unchanged.ok()) return c.fail(unchanged.error());
    auto target = open_postgresql_catalog(uri, OpenMode::existing);
    if (!target.ok()) return c.fail(target.error());
    auto problems = (*target)->verify_audit_chain();
    if (!problems.ok()) return c.fail(problems.error());
    if (!problems->empty())
      return c.fail(make_error(ErrorCode::corrupt, "audit row " + std::to_string(problems->front().seq),
                               "the copied audit chain is broken: " + problems->front().message +
                                   "; config.json still names the embedded archive"));
    archive->reset();
    Status switched_now =
        switch_archive_backends(c.archive_dir, options->catalog, options->blobs, options->index);
    if (!switched_now.ok()) return c.fail(switched_now.error());
  }

  auto migrated = ArchiveStore::open(c.archive_dir);
  if (!migrated.ok()) return c.fail(migrated.error());
  if (options->index) {
    ProgressPrinter documents(c, "documents");
    Status rebuilt = rebuild_search_index(**migrated, [&](std::size_t done, std::size_t total) {
      documents.show(static_cast<std::int64_t>(done), static_cast<std::int64_t>(total), 0);
    });
    documents.end();
    if (!rebuilt.ok()) return c.fail(rebuilt.error());
    summary["index"] = *options->index;
    if (!c.json) c.out << "search index rebuilt on " << *options->index << '\n';
  }
  auto checked = check_archive(**migrated, CheckDepth::quick, nullptr);
  if (!checked.ok()) return c.fail(checked.error());
  for (const CheckFinding& f : checked->findings)
    if (f.severity == CheckFinding::Severity::error)
      c.err << "ERROR " << f.subject << ": " << f.message << '\n';
  if (checked->has_errors())
    return c.fail(
        make_error(ErrorCode::corrupt, c.archive_dir.string(),
                   "the migrated archive does not pass `dosar check --quick`; config.json.before-migrate "
                   "names the untouched embedded archive"));
  Status finished = finish_catalog_migration(uri);
  if (!finished.ok()) return c.fail(finished.error());

  const std::string fallback =
      "the old catalogue (catalog.sqlite) and blobs are left untouched as a fallback; to go back, put "
      "config.json.before-migrate back in place of config.json (or remove config.json when there is none)";
  if (c.json) {
    summary["ok"] = true;
    summary["audit_rows_checked"] = checked->audit_rows_checked;
    summary["references_checked"] = checked->references_checked;
    summary["fallback"] = fallback;
    c.out << summary.dump(2) << '\n';
  } else {
    c.out << "audit chain verified on the target: " << checked->audit_rows_checked << " rows; "
          << checked->references_checked << " blob references checked\n"
          << "migrated: config.json now names the new backends; " << fallback << '\n';
  }
  return ExitCode::ok;
}

}  // namespace dosar::cli
