// ArchiveStore::snapshot_catalog and create_from_catalog: the catalogue's part
// of a backup and of a restore.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "storage/archive_store.h"

namespace dosar {
namespace fs = std::filesystem;

namespace {

constexpr const char* kCatalogFile = "catalog.sqlite";

struct Connection {
  sqlite3* db = nullptr;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { sqlite3_close_v2(db); }
};

Error sqlite_error(const fs::path& file, sqlite3* db, const std::string& what) {
  return make_error(ErrorCode::io, file.string(), what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Status sync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io, path.string(), errno_text(errno));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return make_error(ErrorCode::io, path.string(), errno_text(saved));
  return {};
}

}  // namespace

Status ArchiveStore::snapshot_catalog(const fs::path& destination) const {
  std::error_code ec;
  if (fs::exists(destination, ec))
    return make_error(ErrorCode::conflict, destination.string(), "already exists");
  if (catalog_location_.engine != CatalogLocation::Engine::sqlite)
    return make_error(
        ErrorCode::unsupported, "catalogue",
        "is on a PostgreSQL server; a snapshot uses SQLite's online backup; back up a PostgreSQL "
        "catalogue with its server's tools (pg_dump)");
  const fs::path source_file = catalog_location_.target;
  Connection source, target;
  if (sqlite3_open_v2(source_file.c_str(), &source.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    return sqlite_error(source_file, source.db, "cannot open the catalogue for a snapshot");
  sqlite3_busy_timeout(source.db, 30000);
  if (sqlite3_open_v2(destination.c_str(), &target.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    return sqlite_error(destination, target.db, "cannot create the snapshot");
  sqlite3_backup* backup = sqlite3_backup_init(target.db, "main", source.db, "main");
  if (!backup) return sqlite_error(destination, target.db, "cannot start the online backup");
  // All pages in one step: one read transaction, so the copy is consistent
  // and never restarts; writers go on meanwhile (WAL).
  int rc;
  for (int attempt = 0;; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt == 600) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    Error error = sqlite_error(destination, target.db, "online backup of the catalogue failed");
    sqlite3_close_v2(target.db);
    target.db = nullptr;
    fs::remove(destination, ec);
    return error;
  }
  if (sqlite3_exec(target.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return sqlite_error(destination, target.db, "cannot finish the snapshot");
  sqlite3_close_v2(target.db);
  target.db = nullptr;
  return sync_path(destination, O_RDONLY);
}

Result<std::unique_ptr<ArchiveStore>> ArchiveStore::create_from_catalog(const fs::path& root,
                                                                        const fs::path& catalog_snapshot,
                                                                        const Clock& clock) {
  std::error_code ec;
  if (fs::exists(root / kCatalogFile, ec))
    return make_error(ErrorCode::conflict, root.string(), "already holds an archive");
  FileSystem& file_system = real_file_system();
  DOSAR_TRY(file_system.make_dirs(root / "blobs" / "sha256"));
  DOSAR_TRY(file_system.make_dirs(root / "spool"));
  fs::rename(catalog_snapshot, root / kCatalogFile, ec);
  if (ec) {  // another file system: copy, then sync the copy
    fs::copy_file(catalog_snapshot, root / kCatalogFile, ec);
    if (ec) return make_error(ErrorCode::io, (root / kCatalogFile).string(), ec.message());
    DOSAR_TRY(sync_path(root / kCatalogFile, O_RDONLY));
    fs::remove(catalog_snapshot, ec);
  }
  DOSAR_TRY(file_system.sync_dir(root));
  return open(root, clock, file_system);
}

}  // namespace dosar
