// The blob half of a migration (backend_migration.h): copy_blobs, and
// opening the store a BlobsSetting names.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <set>
#include <thread>

#include "cloud/s3_client.h"
#include "storage/backend_migration.h"
#include "storage/s3_blob_store.h"

namespace dosar {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBlobBatch = 64;
constexpr unsigned kVerifyThreads = 4;

// Runs work(i) for i in [0, count) on up to `threads` threads; the first
// failure in index order is returned.
Status for_each_parallel(std::size_t count, unsigned threads,
                         const std::function<Status(std::size_t)>& work) {
  std::vector<std::optional<Error>> failures(count);
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      Status status = work(i);
      if (!status.ok()) failures[i] = status.error();
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads && t < count; ++t) workers.emplace_back(run);
  run();
  for (auto& w : workers) w.join();
  for (const auto& f : failures)
    if (f) return *f;
  return {};
}

// A file in `staging_dir` holding the blob: a hard link to the source's own
// file where it has one on this file system, else a copy.
Result<fs::path> stage_blob(const BlobStore& from, const std::string& id, const fs::path& staging_dir) {
  fs::path staged = new_staging_path(staging_dir);
  auto local = from.local_file(id);
  if (!local.ok()) return local.error();
  if (::link(local->path().c_str(), staged.c_str()) == 0) return staged;
  int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::io, staged.string(), "cannot be created: " + errno_text(errno));
  Status copied = from.read_to(id, Verify::none, [&](std::string_view chunk) -> Status {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(ErrorCode::io, staged.string(), "write failed: " + errno_text(errno));
      chunk.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  });
  ::close(fd);
  if (!copied.ok()) {
    ::unlink(staged.c_str());
    return copied.error();
  }
  return staged;
}

// Rehashes a blob as `to` holds it.
Status check_arrived(const BlobStore& to, const std::string& to_name, const std::string& id) {
  Status verified = to.verify(id);
  if (verified.ok() || verified.error().code == ErrorCode::io) return verified;
  return make_error(ErrorCode::corrupt, to_name,
                    "blob " + id + " does not arrive intact: " + verified.error().to_string() +
                        "; remove that object and run migrate again");
}

// Every blob id of `store`, sorted.
Result<std::vector<std::string>> sorted_ids(const BlobStore& store) {
  std::vector<std::string> ids;
  DOSAR_TRY(store.for_each(
      [&](const std::string& id) -> Status {
        ids.push_back(id);
        return {};
      },
      nullptr));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A copy of another size than the source's (an upload cut off, on a server
// that keeps what it got) is sent again: the store's put replaces it. One of
// the right size is kept, to be rehashed.
Status sort_out_truncated(const BlobStore& from, const BlobStore& to, std::vector<std::string>& present,
                          std::vector<std::string>& missing) {
  std::vector<char> resend(present.size(), 0);
  DOSAR_TRY(for_each_parallel(present.size(), kVerifyThreads, [&](std::size_t i) -> Status {
    auto there = to.size(present[i]);
    if (!there.ok()) return there.error();
    auto here = from.size(present[i]);
    if (!here.ok()) return here.error();
    resend[i] = *there != *here;
    return {};
  }));
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < present.size(); ++i) (resend[i] ? missing : kept).push_back(present[i]);
  present = std::move(kept);
  return {};
}

}  // namespace

Result<BlobCopyReport> copy_blobs(const BlobStore& from, BlobStore& to, const std::string& to_name,
                                  const fs::path& staging_dir, const MigrationProgress& progress) {
  auto listed = sorted_ids(from);
  if (!listed.ok()) return listed.error();
  const std::vector<std::string>& ids = *listed;
  auto there_listed = sorted_ids(to);
  if (!there_listed.ok()) return there_listed.error();
  const std::set<std::string> there(there_listed->begin(), there_listed->end());
  std::vector<std::string> foreign;
  for (const std::string& id : there)
    if (!std::binary_search(ids.begin(), ids.end(), id)) foreign.push_back(id);
  if (!foreign.empty())
    return make_error(ErrorCode::conflict, to_name,
                      "holds " + std::to_string(foreign.size()) + " blobs this archive does not have (e.g. " +
                          foreign.front() + "): another archive's? choose an empty prefix");

  BlobCopyReport report;
  report.blobs = static_cast<std::int64_t>(ids.size());
  for (std::size_t start = 0; start < ids.size(); start += kBlobBatch) {
    const std::size_t end = std::min(ids.size(), start + kBlobBatch);
    std::vector<std::string> present, missing;
    for (std::size_t i = start; i < end; ++i) (there.count(ids[i]) ? present : missing).push_back(ids[i]);
    DOSAR_TRY(sort_out_truncated(from, to, present, missing));
    std::vector<BlobStore::Staged> staged;
    auto unstage = [&] {
      for (const auto& s : staged) ::unlink(s.file.c_str());
    };
    for (const std::string& id : missing) {
      auto file = stage_blob(from, id, staging_dir);
      if (!file.ok()) {
        unstage();
        return file.error();
      }
      staged.push_back({*file, id});
    }
    if (!staged.empty()) {
      auto stored = to.put_staged_files(staged);
      if (!stored.ok()) {
        unstage();
        Error why = stored.error();
        // The store rehashes what it sends: a mismatch is the source's damage.
        if (why.code == ErrorCode::invalid_argument)
          return make_error(ErrorCode::corrupt, "source blob", why.message + " (run `dosar check`)");
        return why;
      }
      for (const BlobInfo& info : *stored) report.bytes_copied += info.size;
    }
    std::vector<std::string> to_verify = present;
    to_verify.insert(to_verify.end(), missing.begin(), missing.end());
    DOSAR_TRY(for_each_parallel(to_verify.size(), kVerifyThreads,
                                [&](std::size_t i) { return check_arrived(to, to_name, to_verify[i]); }));
    report.copied += static_cast<std::int64_t>(missing.size());
    report.already_there += static_cast<std::int64_t>(present.size());
    if (progress) progress(static_cast<std::int64_t>(end), report.blobs);
  }
  return report;
}

namespace {

// The S3 credentials: the environment's, else config.json's blobs_s3 keys.
Result<cloud::S3Credentials> s3_credentials(const ArchiveConfig& config) {
  if (!std::getenv("AWS_ACCESS_KEY_ID") && !std::getenv("AWS_SECRET_ACCESS_KEY")) {
    auto id = config.get("blobs_s3.access_key_id");
    auto secret = config.get("blobs_s3.secret_access_key");
    if (id && secret && !id->empty() && !secret->empty()) return cloud::S3Credentials{*id, *secret};
  }
  auto credentials = cloud::credentials_from_environment();
  if (!credentials.ok()) {
    Error why = credentials.error();
    why.message +=
        " (or put blobs_s3.access_key_id and blobs_s3.secret_access_key in " + config.file().string() + ")";
    return why;
  }
  return credentials;
}

}  // namespace

Result<std::unique_ptr<BlobStore>> open_blob_store(const fs::path& root, const BlobsSetting& setting,
                                                   const ArchiveConfig& config, FileSystem& file_system) {
  if (setting.kind == BlobsSetting::Kind::file)
    return open_file_blob_store(setting.dir.empty() ? root / "blobs" : setting.dir, root / "spool",
                                file_system);
  auto location = cloud::parse_s3_url(setting.s3_url);
  if (!location.ok()) return location.error();
  auto credentials = s3_credentials(config);
  if (!credentials.ok()) return credentials.error();
  S3BlobStoreOptions options;
  options.s3.endpoint = setting.s3_endpoint;
  options.s3.region = setting.s3_region;
  options.s3.bucket = location->bucket;
  options.s3.credentials = *credentials;
  options.prefix = location->prefix;
  options.spool = root / "spool";
  return open_s3_blob_store(std::move(options));
}

}  // namespace dosar
