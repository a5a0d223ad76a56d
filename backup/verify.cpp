// run_verify: the manifest's HMAC, every object's presence and size, and with
// read_data every object decrypted and rehashed.
#include <cstdlib>
#include <mutex>

#include "backup/backup.h"
#include "backup/bucket.h"
#include "backup/transfer.h"

namespace dosar::backup {
namespace fs = std::filesystem;

namespace {

struct TempDirectory {
  fs::path path;
  ~TempDirectory() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

Result<VerifyReport> run_verify(const Remote& remote, std::optional<std::uint64_t> at, bool read_data,
                                const ProgressCallback& progress) {
  auto opened = BackupBucket::open(remote, OpenBucket::existing);
  if (!opened.ok()) return opened.error();
  BackupBucket& bucket = **opened;
  auto generation = bucket.pick_generation(at);
  if (!generation.ok()) return generation.error();
  auto manifest = bucket.read_manifest(*generation);
  if (!manifest.ok()) return manifest.error();
  auto present = bucket.list_data();
  if (!present.ok()) return present.error();

  VerifyReport report;
  report.generation = manifest->generation;
  report.created_at = manifest->created_at;
  std::vector<const ManifestObject*> objects{&manifest->catalog};
  for (const auto& b : manifest->blobs) objects.push_back(&b);
  auto describe = [&](const ManifestObject& o) {
    return (&o == &manifest->catalog ? "catalogue object " : "blob " + o.sha256 + " object ") + o.name;
  };
  std::vector<const ManifestObject*> readable;
  for (const ManifestObject* o : objects) {
    ++report.objects_checked;
    auto it = present->find(o->name);
    if (it == present->end()) {
      report.problems.push_back({describe(*o), "missing from the bucket"});
    } else if (it->second != o->stored_size) {
      report.problems.push_back({describe(*o), "has " + std::to_string(it->second) + " bytes, expected " +
                                                   std::to_string(o->stored_size)});
    } else {
      readable.push_back(o);
    }
  }
  if (!read_data) return report;

  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / "dosar-verify-XXXXXX").string();
  TempDirectory temp{::mkdtemp(pattern.data()) ? fs::path(pattern) : fs::path()};
  if (temp.path.empty()) return make_error(ErrorCode::io, pattern, "cannot create a temporary directory");
  std::uint64_t total = 0;
  for (const ManifestObject* o : readable) total += o->size;
  ProgressTracker tracker(progress, total, readable.size());
  std::mutex mutex;
  DOSAR_TRY(for_each_parallel(readable.size(), remote.jobs, [&](std::size_t i) -> Status {
    const ManifestObject& o = *readable[i];
    auto got = download_object(bucket.s3(), bucket.keys().encryption, bucket.data_key(o.name),
                               temp.path / std::to_string(i), nullptr, describe(o));
    std::lock_guard lock(mutex);
    ++report.objects_read;
    if (!got.ok()) {
      if (got.error().code != ErrorCode::corrupt && got.error().code != ErrorCode::not_found)
        return got.error();
      report.problems.push_back({got.error().subject, got.error().message});
    } else if (got->sha256 != o.sha256 || got->size != o.size) {
      report.problems.push_back({describe(o), "decrypts to SHA-256 " + got->sha256 + " (" +
                                                  std::to_string(got->size) + " bytes), the manifest says " +
                                                  o.sha256});
    }
    tracker.done(o.size);
    return {};
  }));
  return report;
}

}  // namespace dosar::backup
