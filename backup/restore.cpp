// run_restore: catalogue, blobs (each rehashed), then the search index.
#include <atomic>

#include "backup/backup.h"
#include "backup/bucket.h"
#include "backup/transfer.h"
#include "ingest/archive_index.h"

namespace dosar::backup {
namespace fs = std::filesystem;

namespace {

Result<RestoreReport> restore_into(BackupBucket& bucket, const Manifest* manifest, const fs::path& directory,
                                   int jobs, const ProgressCallback& progress);

}  // namespace

Result<RestoreReport> run_restore(const Remote& remote, const fs::path& directory,
                                  std::optional<std::uint64_t> at, const ProgressCallback& progress) {
  std::error_code ec;
  bool existed = fs::exists(directory, ec);
  if (existed && (!fs::is_directory(directory, ec) || !fs::is_empty(directory, ec)))
    return make_error(ErrorCode::conflict, directory.string(),
                      "is not an empty directory; restore only into an empty or new one");
  auto opened = BackupBucket::open(remote, OpenBucket::existing);
  if (!opened.ok()) return opened.error();
  auto generation = (*opened)->pick_generation(at);
  if (!generation.ok()) return generation.error();
  auto manifest = (*opened)->read_manifest(*generation);
  if (!manifest.ok()) return manifest.error();

  fs::create_directories(directory, ec);
  if (ec) return make_error(ErrorCode::io, directory.string(), ec.message());
  auto report = restore_into(**opened, &*manifest, directory, remote.jobs, progress);
  if (!report.ok()) {
    // The directory was empty or absent: put it back that way, so that the
    // restore can simply be run again once the cause is fixed.
    if (existed) {
      for (const auto& entry : fs::directory_iterator(directory, ec)) fs::remove_all(entry.path(), ec);
    } else {
      fs::remove_all(directory, ec);
    }
    Error error = report.error();
    error.message += " (restore abandoned; " + directory.string() + " left empty)";
    return error;
  }
  return report;
}

namespace {

Result<RestoreReport> restore_into(BackupBucket& bucket, const Manifest* manifest, const fs::path& directory,
                                   int jobs, const ProgressCallback& progress) {
  std::error_code ec;
  // Our temporaries live inside the target, on its file system, and go at the end.
  const fs::path work = directory / ".dosar-restore";
  fs::create_directories(work, ec);
  if (ec) return make_error(ErrorCode::io, work.string(), ec.message());

  const fs::path catalog_file = work / "catalog.sqlite";
  auto catalog =
      download_object(bucket.s3(), bucket.keys().encryption, bucket.data_key(manifest->catalog.name),
                      work / "catalog.enc", &catalog_file, "catalogue object " + manifest->catalog.name);
  if (!catalog.ok()) return catalog.error();
  if (catalog->sha256 != manifest->catalog.sha256)
    return make_error(
        ErrorCode::corrupt, "catalogue object " + manifest->catalog.name,
        "decrypts to SHA-256 " + catalog->sha256 + ", the manifest says " + manifest->catalog.sha256);
  auto archive = ArchiveStore::create_from_catalog(directory, catalog_file);
  if (!archive.ok()) return archive.error();

  RestoreReport report;
  report.generation = manifest->generation;
  report.created_at = manifest->created_at;
  std::uint64_t total = 0;
  for (const auto& b : manifest->blobs) total += b.size;
  ProgressTracker tracker(progress, total, manifest->blobs.size());
  std::atomic<std::uint64_t> bytes{0};
  const fs::path spool = (*archive)->spool_dir();
  DOSAR_TRY(for_each_parallel(manifest->blobs.size(), jobs, [&](std::size_t i) -> Status {
    const ManifestObject& object = manifest->blobs[i];
    const std::string subject = "blob " + object.sha256 + " (object " + object.name + ")";
    const fs::path plain = new_staging_path(spool);
    auto got = download_object(bucket.s3(), bucket.keys().encryption, bucket.data_key(object.name),
                               new_staging_path(spool), &plain, subject);
    if (!got.ok()) {
      fs::remove(plain, ec);
      return got.error();
    }
    if (got->sha256 != object.sha256) {
      std::error_code ignored;
      fs::remove(plain, ignored);
      return make_error(ErrorCode::corrupt, subject, "decrypts to SHA-256 " + got->sha256);
    }
    auto stored = (*archive)->blobs().put_staged_file(plain, object.sha256);
    if (!stored.ok()) return stored.error();
    bytes += got->size;
    tracker.done(got->size);
    return {};
  }));
  report.blobs_restored = manifest->blobs.size();
  report.bytes_restored = bytes.load();
  fs::remove_all(work, ec);
  DOSAR_TRY(rebuild_search_index(**archive));
  return report;
}

}  // namespace

}  // namespace dosar::backup
