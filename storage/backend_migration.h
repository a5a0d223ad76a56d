// Moving an embedded archive onto the scaled-out engines (issue 13, `dosar
// migrate`): the catalogue's rows into an empty PostgreSQL database, the
// blobs into another store (an S3 bucket), each step resumable after an
// interruption; the source is only read. The front end orders the steps
// (cli/migrate_command.cpp): catalogue, blobs, config.json, index, check,
// finish.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/archive_config.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"

namespace dosar {

// (done, total) of the step in progress: rows, or blobs.
using MigrationProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// What a PostgreSQL database holds, as a migration target.
enum class MigrationTargetState {
  empty,        // no tables: a migration may start
  in_progress,  // an unfinished migration of this same archive: it resumes
  finished,     // this archive, migrated and finished: nothing to do
};

struct CatalogCopyReport {
  std::size_t tables = 0;          // every table of the catalogue
  std::size_t tables_resumed = 0;  // found complete in the target, from an interrupted run
  std::int64_t rows_copied = 0;    // by this run
  std::int64_t rows_total = 0;     // in the catalogue
};

// The state of `target` for a migration of the SQLite catalogue `source`.
// Errors: conflict naming the target when it holds anything else (another
// archive's catalogue or migration, other tables) or when `source` changed
// since the unfinished migration began (its copy there is stale); io
// (server unreachable), not_found (no such database), permission.
Result<MigrationTargetState> migration_target_state(const std::filesystem::path& source,
                                                    const std::string& target_uri);

// Copies every table of the SQLite catalogue file `source` into the
// PostgreSQL database `target_uri`, which must be empty or hold an unfinished
// migration of this catalogue (migration_target_state). The target gets the
// schema through the same migrations first (same version), then each table,
// parents before children, is copied in one transaction and recorded as
// complete in the target's table `dosar_migration`, so that a rerun after an
// interruption skips complete tables and recopies the rest whole: nothing is
// duplicated. Ids are kept; identity sequences are set past the highest id;
// an audit row `archive.migrate` closes the copy. The source is read in one
// read transaction (a snapshot) and never written; it should not change
// during the migration (stop serve and workers), and a change between an
// interrupted run and its rerun is refused (conflict). Errors: those of
// migration_target_state, unsupported (a schema newer than this Dosar's, or
// a column type the copy does not know), corrupt, io.
Result<CatalogCopyReport> copy_catalog_to_postgresql(const std::filesystem::path& source,
                                                     const std::string& target_uri, const std::string& actor,
                                                     const MigrationProgress& progress);

// Records in `target_uri` that the migration is finished: later runs are
// answered "already migrated". Errors: io, conflict.
Status finish_catalog_migration(const std::string& target_uri);

struct BlobCopyReport {
  std::int64_t blobs = 0;            // in the source store
  std::int64_t copied = 0;           // uploaded by this run
  std::int64_t already_there = 0;    // present with the right bytes (an earlier run)
  std::int64_t verified_before = 0;  // of those, rehashed there by an earlier run: not read again
  std::uint64_t bytes_copied = 0;
};

// Which blobs a migration has rehashed at its destination, so that a rerun
// after an interruption does not download them again (copy_blobs).
class VerifiedBlobs {
 public:
  virtual ~VerifiedBlobs() = default;
  // The size the blob had when an earlier run rehashed it there, if one did.
  virtual std::optional<std::uint64_t> size_verified(const std::string& id) const = 0;
  // Records blobs just rehashed there, in one transaction. Errors: io.
  virtual Status record(const std::vector<BlobInfo>& verified) = 0;
};

// The record kept with the rest of an unfinished migration's state, in the
// target database `target_uri` (its table dosar_migration, one `blob:ID`
// item per blob), for the blob destination `to_name`: blobs verified at
// another destination are not counted. REQUIRES: the catalogue copy has
// begun (copy_catalog_to_postgresql). Errors: io, not_found, conflict (no
// migration record in that database).
Result<std::unique_ptr<VerifiedBlobs>> open_verified_blobs(const std::string& target_uri,
                                                           const std::string& to_name);

// Copies every blob of `from` into `to`, through files staged in
// `staging_dir` (hard links to the source's files where possible). Each blob
// is read back from `to` and rehashed once stored, and recorded in
// `verified` (may be null); one `to` already holds is not sent again, so a
// rerun continues where an interrupted one stopped: it is rehashed the same
// way unless `verified` records it with its present size, in which case it
// is not read at all (counted in verified_before). Errors: conflict (`to` holds blobs `from` has
// not: another archive's), corrupt (a source blob whose bytes do not hash to
// its name, or a stored copy that does not: named, with both digests), io.
Result<BlobCopyReport> copy_blobs(const BlobStore& from, BlobStore& to, const std::string& to_name,
                                  const std::filesystem::path& staging_dir, VerifiedBlobs* verified,
                                  const MigrationProgress& progress);

// The blob store `setting` names for the archive at `root`, with the S3
// credentials ArchiveStore::open uses (environment, else config.json).
// Errors: invalid_argument, io.
Result<std::unique_ptr<BlobStore>> open_blob_store(const std::filesystem::path& root,
                                                   const BlobsSetting& setting, const ArchiveConfig& config,
                                                   FileSystem& file_system = real_file_system());

// Rewrites ARCHIVE/config.json to name `catalog`, `blobs` (when given) and
// the `index` locator (when given) in one replacement; the file it replaces
// is kept as config.json.before-migrate (none when there was none). Errors:
// those of read_archive_config, io.
Status switch_archive_backends(const std::filesystem::path& root, const CatalogLocation& catalog,
                               const std::optional<BlobsSetting>& blobs,
                               const std::optional<std::string>& index);

}  // namespace dosar
