// run_backup: catalogue snapshot and missing blobs first, the manifest last,
// then retention.
#include "backup/backup.h"

#include <atomic>
#include <cstdio>
#include <set>

#include "backup/bucket.h"
#include "backup/object_crypto.h"
#include "backup/transfer.h"
#include "base/clock.h"
#include "base/sha256.h"

namespace dosar::backup {
namespace fs = std::filesystem;

namespace {

Result<std::string> sha256_of_file(const fs::path& file) {
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return make_error(ErrorCode::io, file.string(), errno_text(errno));
  Sha256 hasher;
  std::string buffer(1 << 20, '\0');
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) hasher.update(buffer.data(), n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return make_error(ErrorCode::io, file.string(), "read failed");
  return to_hex(hasher.finish());
}

// Deletes generations beyond the newest `keep`, then every data object that
// no kept generation names. Manifests go first: a crash in between leaves
// unreferenced objects (removed next time), never a manifest naming a
// deleted object.
Status prune(BackupBucket& bucket, int keep, BackupReport& report) {
  auto generations = bucket.list_generations();
  if (!generations.ok()) return generations.error();
  if (generations->size() <= static_cast<std::size_t>(keep)) return {};
  std::size_t drop = generations->size() - static_cast<std::size_t>(keep);
  std::set<std::string> referenced;
  for (std::size_t i = drop; i < generations->size(); ++i) {
    auto manifest = bucket.read_manifest((*generations)[i]);
    if (!manifest.ok()) return manifest.error();  // never delete on a partial picture
    referenced.insert(manifest->catalog.name);
    for (const auto& b : manifest->blobs) referenced.insert(b.name);
  }
  for (std::size_t i = 0; i < drop; ++i) {
    DOSAR_TRY(bucket.delete_manifest((*generations)[i]));
    report.generations_pruned.push_back((*generations)[i]);
  }
  auto present = bucket.list_data();
  if (!present.ok()) return present.error();
  for (const auto& [name, size] : *present) {
    if (referenced.count(name)) continue;
    DOSAR_TRY(bucket.s3().remove(bucket.data_key(name)));
    ++report.objects_deleted;
  }
  return {};
}

}  // namespace

Status generate_key_file(const fs::path& file) {
  return write_new_key_file(file);
}

Result<BackupReport> run_backup(ArchiveStore& archive, const Remote& remote, std::optional<int> keep,
                                const ProgressCallback& progress) {
  if (keep && *keep < 1) return make_error(ErrorCode::invalid_argument, "--keep", "must be at least 1");
  auto opened = BackupBucket::open(remote, OpenBucket::create_if_absent);
  if (!opened.ok()) return opened.error();
  BackupBucket& bucket = **opened;
  BackupReport report;
  Manifest manifest;
  manifest.created_at = format_utc(system_clock().now());
  manifest.archive = fs::absolute(archive.root()).string();
  report.created_at = manifest.created_at;

  auto generations = bucket.list_generations();
  if (!generations.ok()) return generations.error();
  manifest.generation = generations->empty() ? 1 : generations->back() + 1;
  report.generation = manifest.generation;
  // What the bucket holds, listed once: an object is reused when its size is
  // the one its content must have (a partial upload never is).
  auto present = bucket.list_data();
  if (!present.ok()) return present.error();
  auto is_present = [&](const std::string& name, std::uint64_t stored_size) {
    auto it = present->find(name);
    return it != present->end() && it->second == stored_size;
  };

  // The catalogue: a consistent snapshot while the archive stays in use.
  const fs::path snapshot = new_staging_path(archive.spool_dir());
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } remove_snapshot{snapshot};
  DOSAR_TRY(archive.snapshot_catalog(snapshot));
  auto catalog_hash = sha256_of_file(snapshot);
  if (!catalog_hash.ok()) return catalog_hash.error();
  std::error_code ec;
  std::uint64_t catalog_size = fs::file_size(snapshot, ec);
  manifest.catalog = {bucket.object_name(*catalog_hash), *catalog_hash, catalog_size,
                      encrypted_size(catalog_size)};
  if (!is_present(manifest.catalog.name, manifest.catalog.stored_size)) {
    auto sent = upload_file(bucket.s3(), bucket.keys().encryption, snapshot,
                            bucket.data_key(manifest.catalog.name), archive.spool_dir());
    if (!sent.ok()) return sent.error();
    report.bytes_uploaded += *sent;
    report.catalog_uploaded = true;
  }

  // Blobs: every one in the store, uploading those the bucket lacks.
  std::vector<std::string> ids;
  DOSAR_TRY(archive.blobs().for_each(
      [&](const std::string& id) -> Status {
        ids.push_back(id);
        return {};
      },
      nullptr));
  std::vector<std::size_t> missing;
  std::uint64_t bytes_missing = 0;
  for (const std::string& id : ids) {
    auto size = archive.blobs().size(id);
    if (!size.ok()) return size.error();
    ManifestObject object{bucket.object_name(id), id, *size, encrypted_size(*size)};
    if (!is_present(object.name, object.stored_size)) {
      missing.push_back(manifest.blobs.size());
      bytes_missing += object.size;
    }
    manifest.blobs.push_back(std::move(object));
  }
  report.blobs_total = manifest.blobs.size();
  report.blobs_already_there = report.blobs_total - missing.size();

  ProgressTracker tracker(progress, bytes_missing, missing.size());
  std::atomic<std::uint64_t> sent_bytes{0};
  DOSAR_TRY(for_each_parallel(missing.size(), remote.jobs, [&](std::size_t i) -> Status {
    const ManifestObject& object = manifest.blobs[missing[i]];
    auto sent = upload_blob(bucket.s3(), bucket.keys().encryption, archive.blobs(), object.sha256,
                            object.size, bucket.data_key(object.name), archive.spool_dir());
    if (!sent.ok()) return sent.error();
    sent_bytes += *sent;
    tracker.done(object.size);
    return {};
  }));
  report.blobs_uploaded = missing.size();
  report.bytes_uploaded += sent_bytes.load();

  // Last: the manifest, naming only objects now in the bucket.
  DOSAR_TRY(bucket.write_manifest(manifest));
  if (keep) DOSAR_TRY(prune(bucket, *keep, report));
  return report;
}

}  // namespace dosar::backup
