// The blob half of a migration (backend_migration.h): copy_blobs, and
// opening the store a BlobsSetting names.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include "cloud/s3_client.h"
#include "storage/backend_migration.h"
#include "storage/s3_blob_store.h"
#include "storage/sql_db.h"

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

// Blobs already at the destination with their source's size: those an
// earlier run rehashed there (`verified` records them with that size) move
// from `present` to `trusted`.
Status sort_out_verified(const BlobStore& from, const VerifiedBlobs* verified,
                         std::vector<std::string>& present, std::vector<std::string>& trusted) {
  if (!verified) return {};
  std::vector<std::string> unverified;
  for (std::string& id : present) {
    auto size = from.size(id);
    if (!size.ok()) return size.error();
    (verified->size_verified(id) == *size ? trusted : unverified).push_back(std::move(id));
  }
  present = std::move(unverified);
  return {};
}

// Why a record rather than a cheaper look at the destination: an S3
// object's ETag is the MD5 of its bytes only for a single-part upload
// without server-side encryption, and S3-compatible servers differ; the
// BlobStore interface gives sizes, not digests. What a run read back and
// rehashed itself is exact, and costs a row per blob in the database that
// already holds the migration's state.
class MigrationVerifiedBlobs final : public VerifiedBlobs {
 public:
  MigrationVerifiedBlobs(sql::Database db, std::string to_name, std::map<std::string, std::uint64_t> sizes)
      : db_(std::move(db)), to_name_(std::move(to_name)), sizes_(std::move(sizes)) {}

  std::optional<std::uint64_t> size_verified(const std::string& id) const override {
    auto at = sizes_.find(id);
    if (at == sizes_.end()) return std::nullopt;
    return at->second;
  }

  Status record(const std::vector<BlobInfo>& verified) override {
    if (verified.empty()) return {};
    auto tx = sql::Transaction::begin(db_);
    if (!tx.ok()) return tx.error();
    for (const BlobInfo& blob : verified) {
      auto s = db_.prepare(
          "INSERT INTO dosar_migration(item, value) VALUES (?, ?) "
          "ON CONFLICT (item) DO UPDATE SET value = excluded.value");
      if (!s.ok()) return s.error();
      DOSAR_TRY(s->bind(1, kItemPrefix + blob.id).bind(2, std::to_string(blob.size) + " " + to_name_).run());
    }
    DOSAR_TRY(tx->commit());
    for (const BlobInfo& blob : verified) sizes_[blob.id] = blob.size;
    return {};
  }

  static constexpr const char* kItemPrefix = "blob:";

 private:
  sql::Database db_;
  std::string to_name_;
  std::map<std::string, std::uint64_t> sizes_;
};

}  // namespace

Result<std::unique_ptr<VerifiedBlobs>> open_verified_blobs(const std::string& target_uri,
                                                           const std::string& to_name) {
  auto db = sql::Database::open_postgresql(target_uri);
  if (!db.ok()) return db.error();
  auto marker = db->prepare(
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND "
      "table_name = 'dosar_migration'");
  if (!marker.ok()) return marker.error();
  auto row = marker->step();
  if (!row.ok()) return row.error();
  if (!*row || marker->integer(0) == 0)
    return make_error(ErrorCode::conflict, db->path(),
                      "holds no migration record (table dosar_migration); copy the catalogue first");
  DOSAR_TRY(marker->run());
  // Items `blob:ID` with the value `SIZE DESTINATION`.
  auto s = db->prepare("SELECT item, value FROM dosar_migration WHERE item LIKE 'blob:%'");
  if (!s.ok()) return s.error();
  std::map<std::string, std::uint64_t> sizes;
  const std::string prefix = MigrationVerifiedBlobs::kItemPrefix;
  DOSAR_TRY(s->for_each_row([&] {
    const std::string item = s->text(0), value = s->text(1);
    const auto space = value.find(' ');
    if (space == std::string::npos || value.substr(space + 1) != to_name) return;
    sizes[item.substr(prefix.size())] = std::strtoull(value.c_str(), nullptr, 10);
  }));
  return std::unique_ptr<VerifiedBlobs>(
      std::make_unique<MigrationVerifiedBlobs>(std::move(db).value(), to_name, std::move(sizes)));
}

Result<BlobCopyReport> copy_blobs(const BlobStore& from, BlobStore& to, const std::string& to_name,
                                  const fs::path& staging_dir, VerifiedBlobs* verified,
                                  const MigrationProgress& progress) {
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
    std::vector<std::string> present, missing, trusted;
    for (std::size_t i = start; i < end; ++i) (there.count(ids[i]) ? present : missing).push_back(ids[i]);
    DOSAR_TRY(sort_out_truncated(from, to, present, missing));
    DOSAR_TRY(sort_out_verified(from, verified, present, trusted));
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
    if (verified) {
      std::vector<BlobInfo> rehashed;
      for (const std::string& id : to_verify) {
        auto size = from.size(id);
        if (!size.ok()) return size.error();
        rehashed.push_back({id, *size, false});
      }
      DOSAR_TRY(verified->record(rehashed));
    }
    report.copied += static_cast<std::int64_t>(missing.size());
    report.already_there += static_cast<std::int64_t>(present.size() + trusted.size());
    report.verified_before += static_cast<std::int64_t>(trusted.size());
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
