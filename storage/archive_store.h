// The archive on disk: blobs + catalogue + spool under one directory
// (DESIGN.md, "The archive on disk"). This is storage/'s public header; the
// blob store and catalogue interfaces it hands out are in blob_store.h and
// catalog.h.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file_system.h"
#include "base/result.h"
#include "storage/accounts.h"
#include "storage/archive_config.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"
#include "storage/fixity_store.h"

namespace dosar {

class ArchiveStore {
 public:
  // Creates ARCHIVE/{catalog.sqlite,blobs,spool}; refuses a directory that
  // already holds an archive (conflict) or other files (conflict). With
  // `blobs` other than the default, the blobs go to that folder or bucket
  // (which must hold no blobs yet: conflict; a bucket must answer: io); with
  // `catalog` elsewhere than ARCHIVE/catalog.sqlite (a PostgreSQL database,
  // which must hold no catalogue yet), the catalogue is made there; either
  // way ARCHIVE/config.json records where, so that later opens find them.
  static Result<std::unique_ptr<ArchiveStore>> create(const std::filesystem::path& root, const Clock& clock,
                                                      const BlobsSetting& blobs,
                                                      const std::optional<CatalogLocation>& catalog);
  static Result<std::unique_ptr<ArchiveStore>> create(const std::filesystem::path& root,
                                                      const Clock& clock = system_clock()) {
    return create(root, clock, BlobsSetting{}, std::nullopt);
  }
  static Result<std::unique_ptr<ArchiveStore>> create(const std::filesystem::path& root, const Clock& clock,
                                                      const BlobsSetting& blobs) {
    return create(root, clock, blobs, std::nullopt);
  }
  static Result<std::unique_ptr<ArchiveStore>> create(const std::filesystem::path& root, const Clock& clock,
                                                      const std::optional<CatalogLocation>& catalog) {
    return create(root, clock, BlobsSetting{}, catalog);
  }
  // Opens an existing archive with the catalogue ARCHIVE/config.json names,
  // else ARCHIVE/catalog.sqlite, and its blobs where config.json says; the
  // S3 credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else
  // from config.json's blobs_s3.access_key_id/secret_access_key. `catalog`
  // (the --catalog option), when given, must be the configured one: an
  // archive's blobs belong to its catalogue.
  // Errors: not_found, corrupt, unsupported, permission (config.json's mode),
  // conflict (another catalogue), io.
  static Result<std::unique_ptr<ArchiveStore>> open(const std::filesystem::path& root,
                                                    const Clock& clock = system_clock(),
                                                    FileSystem& file_system = real_file_system(),
                                                    const std::optional<CatalogLocation>& catalog = {});

  // Creates an archive at `root` around a catalogue file made by
  // snapshot_catalog (moved in, or copied across file systems) with an empty
  // blob store: the first step of a restore. `root` may hold other files (the
  // caller's temporaries) but no catalogue. Errors: conflict, corrupt,
  // unsupported, io.
  static Result<std::unique_ptr<ArchiveStore>> create_from_catalog(
      const std::filesystem::path& root, const std::filesystem::path& catalog_snapshot,
      const Clock& clock = system_clock());

  // Copies the catalogue into `destination` (which must not exist) with
  // SQLite's online backup API in one read transaction: a consistent
  // snapshot, while other connections and processes keep reading and writing
  // (WAL). The copy is synced. Errors: conflict, io; unsupported for a
  // PostgreSQL catalogue (its server's own backup, pg_dump, is the way).
  Status snapshot_catalog(const std::filesystem::path& destination) const;

  const std::filesystem::path& root() const { return root_; }
  // Where the blobs are (for messages and `dosar check`).
  const BlobsSetting& blobs_setting() const { return blobs_setting_; }
  // Where the catalogue is: every store beside the Catalog connects there.
  const CatalogLocation& catalog_location() const { return catalog_location_; }
  std::filesystem::path spool_dir() const { return root_ / "spool"; }
  // The search index (derived data; rebuilt from the catalogue and blobs):
  // by default a local database in index_dir(). A front end given `--index`
  // sets its locator here (`xapian:DIR`, `xapian-tcp://HOST:PORT,…`, parsed
  // by index/); without it, ingest/ reads the `index` key of config.json.
  std::filesystem::path index_dir() const { return root_ / "index"; }
  const std::optional<std::string>& index_locator() const { return index_locator_; }
  void set_index_locator(std::optional<std::string> locator) { index_locator_ = std::move(locator); }
  BlobStore& blobs() { return *blobs_; }
  const BlobStore& blobs() const { return *blobs_; }
  Catalog& catalog() { return *catalog_; }
  const Catalog& catalog() const { return *catalog_; }
  // Passwords, lock-out and web sessions (for front ends that sign people in).
  AccountStore& accounts() { return *accounts_; }
  const AccountStore& accounts() const { return *accounts_; }

 private:
  ArchiveStore(std::filesystem::path root, BlobsSetting blobs_setting, CatalogLocation catalog_location,
               std::unique_ptr<BlobStore> blobs, std::unique_ptr<Catalog> catalog,
               std::unique_ptr<AccountStore> accounts)
      : root_(std::move(root)),
        blobs_setting_(std::move(blobs_setting)),
        catalog_location_(std::move(catalog_location)),
        blobs_(std::move(blobs)),
        catalog_(std::move(catalog)),
        accounts_(std::move(accounts)) {}
  std::filesystem::path root_;
  BlobsSetting blobs_setting_;
  CatalogLocation catalog_location_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<AccountStore> accounts_;
  std::optional<std::string> index_locator_;
};

enum class CheckDepth {
  quick,  // catalogue structure, referenced blobs exist with the right size, audit chain
  full,   // also rehash every blob, referenced or not, and run integrity_check
};

struct CheckFinding {
  enum class Severity { error, note } severity;
  std::string subject;
  std::string message;
};

struct CheckReport {
  std::vector<CheckFinding> findings;
  std::size_t blobs_checked = 0;
  std::size_t references_checked = 0;
  std::size_t expected_absent = 0;  // references of documents disposed of, whose blobs are gone by law
  std::size_t audit_rows_checked = 0;
  // With CheckDepth::full: the outcome for every blob rehashed and every
  // referenced blob found missing, for the fixity record (fixity_store.h).
  std::vector<BlobFixity> fixity;
  bool has_errors() const;
};

// Fixity check of the whole archive. Errors only when the check itself could
// not run (io); everything wrong with the archive is a finding. Blobs are
// rehashed by `threads` threads (at least 1). `progress` is called with
// (done, total) while blobs are rehashed, from the calling thread; may be null.
Result<CheckReport> check_archive(const ArchiveStore& archive, CheckDepth depth,
                                  const std::function<void(std::size_t, std::size_t)>& progress,
                                  unsigned threads = 2);

}  // namespace dosar
