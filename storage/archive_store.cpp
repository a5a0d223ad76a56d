#include "storage/archive_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "storage/archive_config.h"
#include "storage/backend_migration.h"

namespace dosar {
namespace fs = std::filesystem;

namespace {
constexpr const char* kCatalogFile = "catalog.sqlite";

// The catalogue asks the blob store whether a blob still exists before a
// writer references one that a disposal meant to remove. The store outlives
// the catalogue: both belong to the ArchiveStore.
BlobPresence presence_of(const BlobStore& blobs) {
  return [&blobs](const std::string& id) { return blobs.contains(id); };
}

CatalogLocation default_catalog(const fs::path& root) {
  return {CatalogLocation::Engine::sqlite, (root / kCatalogFile).string()};
}

bool same_catalog(const CatalogLocation& a, const CatalogLocation& b) {
  if (a.engine != b.engine) return false;
  if (a.engine == CatalogLocation::Engine::postgresql) return a.target == b.target;
  std::error_code ec;
  return fs::weakly_canonical(a.target, ec) == fs::weakly_canonical(b.target, ec);
}

// For messages: the location without a password ("postgresql://user:…@host").
std::string redacted(const CatalogLocation& where) {
  std::string text = where.to_string();
  const auto scheme = text.find("://");
  const auto at = text.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return text;
  const auto colon = text.find(':', scheme + 3);
  if (colon != std::string::npos && colon < at) text.replace(colon + 1, at - colon - 1, "…");
  return text;
}

Result<CatalogLocation> configured_catalog(const fs::path& root) {
  auto config = read_archive_config(root);
  if (!config.ok()) return config.error();
  auto text = config->get("catalog");
  if (!text) return default_catalog(root);
  auto parsed = CatalogLocation::parse(*text);
  if (!parsed.ok())
    return make_error(ErrorCode::corrupt, config->file().string(), "'catalog': " + parsed.error().message);
  return parsed;
}

}  // namespace

namespace {

// A new archive's blobs go to an empty place: blobs already there belong to
// another archive, whose `check` and disposals this one would confuse.
Status check_blobs_empty(const BlobStore& blobs, const BlobsSetting& setting) {
  return blobs.for_each(
      [&](const std::string&) -> Status {
        return make_error(ErrorCode::conflict, describe(setting),
                          "already holds blobs (of another archive?); choose an empty folder or prefix");
      },
      nullptr);
}

// file:DIR must be where spool files can be renamed to.
Status check_same_file_system(const fs::path& dir, const fs::path& spool) {
  struct stat a {
  }, b{};
  if (::stat(dir.c_str(), &a) != 0 || ::stat(spool.c_str(), &b) != 0)
    return make_error(ErrorCode::io, dir.string(), errno_text(errno));
  if (a.st_dev != b.st_dev)
    return make_error(ErrorCode::invalid_argument, dir.string(),
                      "is on another file system than " + spool.string() +
                          "; blobs are renamed into place from the spool, so both must share one");
  return {};
}

}  // namespace

Result<std::unique_ptr<ArchiveStore>> ArchiveStore::create(const fs::path& root, const Clock& clock,
                                                           const BlobsSetting& blobs_setting,
                                                           const std::optional<CatalogLocation>& catalog) {
  std::error_code ec;
  if (fs::exists(root / kCatalogFile, ec))
    return make_error(ErrorCode::conflict, root.string(), "already holds an archive");
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return make_error(ErrorCode::conflict, root.string(),
                      "exists and is not empty; choose an empty or new directory");
  const CatalogLocation location = catalog.value_or(default_catalog(root));
  FileSystem& file_system = real_file_system();
  const bool s3 = blobs_setting.kind == BlobsSetting::Kind::s3;
  fs::path blob_dir = blobs_setting.dir.empty() ? root / "blobs" : blobs_setting.dir;
  if (!s3 && !blobs_setting.dir.empty() && fs::exists(blob_dir, ec) && !fs::is_empty(blob_dir, ec))
    return make_error(ErrorCode::conflict, blob_dir.string(), "is not empty; choose an empty or new folder");
  // A bucket is asked first (it answers, it holds no blobs), so that a
  // wrong endpoint or bucket leaves no half-made archive behind.
  auto no_config = read_archive_config(root);  // root is empty: the defaults
  if (!no_config.ok()) return no_config.error();
  std::unique_ptr<BlobStore> blobs;
  if (s3) {
    auto opened = open_blob_store(root, blobs_setting, *no_config, file_system);
    if (!opened.ok()) return opened.error();
    DOSAR_TRY(check_blobs_empty(**opened, blobs_setting));
    blobs = std::move(opened).value();
  }
  DOSAR_TRY(file_system.make_dirs(root / "spool"));
  if (!s3) {
    DOSAR_TRY(file_system.make_dirs(blob_dir / "sha256"));
    DOSAR_TRY(check_same_file_system(blob_dir, root / "spool"));
    blobs = open_file_blob_store(blob_dir, root / "spool", file_system);
  }
  auto opened = open_catalog(location, OpenMode::create, clock, presence_of(*blobs));
  if (!opened.ok()) return opened.error();
  auto accounts = open_accounts(location, clock);
  if (!accounts.ok()) return accounts.error();
  // One config.json says where both are, written once they exist.
  auto config_values = blobs_config_values(blobs_setting);
  if (location.to_string() != default_catalog(root).to_string())
    config_values.emplace_back("catalog", location.to_string());
  if (!config_values.empty()) DOSAR_TRY(write_new_archive_config(root, config_values));
  DOSAR_TRY(file_system.sync_dir(root));
  return std::unique_ptr<ArchiveStore>(new ArchiveStore(root, blobs_setting, location, std::move(blobs),
                                                        std::move(opened).value(),
                                                        std::move(accounts).value()));
}

Result<std::unique_ptr<ArchiveStore>> ArchiveStore::open(const fs::path& root, const Clock& clock,
                                                         FileSystem& file_system,
                                                         const std::optional<CatalogLocation>& catalog) {
  std::error_code ec;
  auto configured = configured_catalog(root);
  if (!configured.ok()) return configured.error();
  const CatalogLocation location = std::move(configured).value();
  // An archive is bound to its catalogue: its blobs are what that catalogue
  // references. Naming another one is a mistake, not a switch.
  if (catalog && !same_catalog(*catalog, location))
    return make_error(ErrorCode::conflict, root.string(),
                      "its catalogue is " + redacted(location) + ", not " + redacted(*catalog) +
                          " (moving an archive to another catalogue is a migration)");
  if (location.engine == CatalogLocation::Engine::sqlite && !fs::exists(location.target, ec))
    return make_error(ErrorCode::not_found, root.string(),
                      "is not a Dosar archive (no " + fs::path(location.target).filename().string() +
                          "); run `dosar init` first");
  auto config = read_archive_config(root);
  if (!config.ok()) return config.error();
  auto setting = dosar::blobs_setting(*config);
  if (!setting.ok()) return setting.error();
  DOSAR_TRY(file_system.make_dirs(root / "spool"));
  auto blobs = open_blob_store(root, *setting, *config, file_system);
  if (!blobs.ok()) return blobs.error();
  auto opened = open_catalog(location, OpenMode::existing, clock, presence_of(**blobs));
  if (!opened.ok()) return opened.error();
  auto accounts = open_accounts(location, clock);
  if (!accounts.ok()) return accounts.error();
  return std::unique_ptr<ArchiveStore>(new ArchiveStore(root, std::move(setting).value(), location,
                                                        std::move(blobs).value(), std::move(opened).value(),
                                                        std::move(accounts).value()));
}

namespace {

// Rehashes `ids` with `threads` workers taking the next blob from a shared
// counter; findings and outcomes are gathered in the order of `ids`.
Status rehash_all(const BlobStore& blobs, const std::vector<std::string>& ids, unsigned threads,
                  CheckReport& report, const std::function<void(std::size_t, std::size_t)>& progress) {
  std::vector<std::optional<Error>> outcome(ids.size());
  std::atomic<std::size_t> next{0}, done{0};
  auto work = [&] {
    for (std::size_t i = next++; i < ids.size(); i = next++) {
      Status verified = blobs.verify(ids[i]);
      if (!verified.ok()) outcome[i] = verified.error();
      ++done;
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads && t < ids.size(); ++t) workers.emplace_back(work);
  // The calling thread reports progress while the workers hash.
  while (progress && done.load() < ids.size()) {
    progress(done.load(), ids.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& w : workers) w.join();
  if (progress) progress(ids.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ++report.blobs_checked;
    if (!outcome[i]) {
      report.fixity.push_back({ids[i], "ok"});
      continue;
    }
    if (outcome[i]->code == ErrorCode::io) return *outcome[i];
    report.findings.push_back({CheckFinding::Severity::error, outcome[i]->subject, outcome[i]->message});
    report.fixity.push_back({ids[i], outcome[i]->code == ErrorCode::not_found ? "missing" : "corrupt"});
  }
  return {};
}

}  // namespace

bool CheckReport::has_errors() const {
  for (const CheckFinding& f : findings)
    if (f.severity == CheckFinding::Severity::error) return true;
  return false;
}

Result<CheckReport> check_archive(const ArchiveStore& archive, CheckDepth depth,
                                  const std::function<void(std::size_t, std::size_t)>& progress,
                                  unsigned threads) {
  CheckReport report;
  auto error = [&](std::string subject, std::string message) {
    report.findings.push_back({CheckFinding::Severity::error, std::move(subject), std::move(message)});
  };
  auto note = [&](std::string subject, std::string message) {
    report.findings.push_back({CheckFinding::Severity::note, std::move(subject), std::move(message)});
  };

  auto structure = archive.catalog().check_structure(depth == CheckDepth::quick);
  if (!structure.ok()) return structure.error();
  for (const std::string& problem : *structure) error("catalogue", problem);

  // Every blob the catalogue names must exist with the recorded size.
  std::set<std::string> referenced, disposed;
  std::set<std::string> missing;
  const BlobStore& blobs = archive.blobs();
  DOSAR_TRY(archive.catalog().for_each_blob_reference([&](const BlobReference& ref) -> Status {
    ++report.references_checked;
    if (ref.disposed) {
      // Lawful disposal removed it (records/): expected absent.
      disposed.insert(ref.blob_id);
      ++report.expected_absent;
      return {};
    }
    referenced.insert(ref.blob_id);
    auto size = blobs.size(ref.blob_id);
    if (!size.ok()) {
      if (size.error().code == ErrorCode::io) return size.error();
      error(ref.where, size.error().to_string());
      if (size.error().code == ErrorCode::not_found) missing.insert(ref.blob_id);
    } else if (*size != ref.size) {
      error(ref.where, "blob " + ref.blob_id + " has " + std::to_string(*size) +
                           " bytes, the catalogue recorded " + std::to_string(ref.size));
    }
    return {};
  }));

  auto problems = archive.catalog().verify_audit_chain();
  if (!problems.ok()) return problems.error();
  for (const AuditProblem& p : *problems) error("audit row " + std::to_string(p.seq), p.message);
  auto trail = archive.catalog().audit_trail(std::nullopt);
  if (!trail.ok()) return trail.error();
  report.audit_rows_checked = trail->size();

  std::vector<std::string> stored;
  DOSAR_TRY(blobs.for_each(
      [&](const std::string& id) -> Status {
        stored.push_back(id);
        return {};
      },
      [&](const std::string& path) { note(path, "unexpected entry in the blob store"); }));
  for (const std::string& id : stored)
    if (!referenced.count(id) && disposed.count(id))
      note("blob " + id,
           "belongs only to documents disposed of; its removal is pending (`dosar check` completes it)");
    else if (!referenced.count(id))
      note("blob " + id, "not referenced by the catalogue (left by an interrupted ingest)");

  if (depth == CheckDepth::full) {
    DOSAR_TRY(rehash_all(blobs, stored, std::max(threads, 1U), report, progress));
    for (const std::string& id : missing) report.fixity.push_back({id, "missing"});
  }

  auto pending = archive.catalog().pending_index_work(1);
  if (!pending.ok()) return pending.error();
  if (!pending->empty())
    note("search index", "has changes waiting to be indexed (the next ingest or `dosar reindex` catches up)");

  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(archive.spool_dir(), ec))
    note(entry.path().string(), "staged file not yet committed (an ingest is running or was interrupted)");
  return report;
}

}  // namespace dosar
