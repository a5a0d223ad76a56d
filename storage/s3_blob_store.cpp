#include "storage/s3_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "base/sha256.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kChunk = 1 << 20;
constexpr std::string_view kScheme = "sha256/";

Status check_id(const std::string& id) {
  if (!is_sha256_hex(id)) return make_error(ErrorCode::invalid_argument, id, "not a SHA-256 blob id");
  return {};
}

// SHA-256 of a whole local file. Errors: io naming it.
Result<std::string> hash_file(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io, file.string(), "cannot be read: " + errno_text(errno));
  Sha256 hasher;
  std::string buffer(kChunk, '\0');
  for (;;) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int e = errno;
      ::close(fd);
      return make_error(ErrorCode::io, file.string(), "read failed: " + errno_text(e));
    }
    if (got == 0) break;
    hasher.update(buffer.data(), static_cast<std::size_t>(got));
  }
  ::close(fd);
  return to_hex(hasher.finish());
}

// Fetched copies for local_file, in a folder of their own under the spool.
struct LocalCache {
  struct Entry {
    std::uint64_t size = 0;
    std::uint64_t last_used = 0;
    std::weak_ptr<const void> held;  // alive while a LocalBlobFile holds the copy
  };
  std::mutex mutex;
  fs::path dir;  // made at the first fetch
  std::map<std::string, Entry> entries;
  std::uint64_t bytes = 0;
  std::uint64_t tick = 0;
  std::uint64_t fetches = 0;

  ~LocalCache() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  // REQUIRES: mutex held.
  LocalBlobFile hand_out(const std::string& id, Entry& entry) {
    entry.last_used = ++tick;
    std::shared_ptr<const void> hold = entry.held.lock();
    if (!hold) {
      hold = std::make_shared<int>(0);
      entry.held = hold;
    }
    return LocalBlobFile(dir / id, std::move(hold));
  }

  // Removes least recently used copies nobody holds until the cache fits
  // `limit`, sparing `keep`. REQUIRES: mutex held.
  void evict(std::uint64_t limit, const std::string& keep) {
    while (bytes > limit) {
      auto victim = entries.end();
      for (auto it = entries.begin(); it != entries.end(); ++it)
        if (it->first != keep && it->second.held.expired() &&
            (victim == entries.end() || it->second.last_used < victim->second.last_used))
          victim = it;
      if (victim == entries.end()) return;  // everything left is held: over the limit until released
      ::unlink((dir / victim->first).c_str());
      bytes -= victim->second.size;
      entries.erase(victim);
    }
  }
};

class S3BlobStore final : public BlobStore {
 public:
  explicit S3BlobStore(S3BlobStoreOptions options)
      : options_(std::move(options)),
        s3_(std::make_unique<cloud::S3Client>(options_.s3)),
        cache_(std::make_unique<LocalCache>()) {}

  Result<BlobInfo> put(std::string_view bytes) override {
    std::string id = sha256_hex(bytes);
    auto present = present_with_size(id, bytes.size());
    if (!present.ok()) return present.error();
    if (*present) return BlobInfo{id, bytes.size(), true};
    Status put = s3_->put_bytes(key_of(id), bytes);
    if (!put.ok()) return about(id, put.error());
    return BlobInfo{id, bytes.size(), false};
  }

  Result<BlobInfo> put_staged_file(const fs::path& staged, const std::string& id) override {
    DOSAR_TRY(check_id(id));
    auto info = upload(staged, id);
    if (!info.ok()) return info.error();
    ::unlink(staged.c_str());
    return info;
  }

  // Uploads on up to options.upload_connections threads. An object appears
  // under its key only once its PUT completed, so a failed batch leaves
  // complete blobs or none; the staged files are then all left to the caller.
  Result<std::vector<BlobInfo>> put_staged_files(const std::vector<Staged>& files) override {
    std::vector<std::size_t> first_of(files.size());
    std::vector<std::size_t> to_upload;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!is_sha256_hex(files[i].sha256_hex))
        return make_error(ErrorCode::invalid_argument, files[i].sha256_hex, "not a SHA-256 blob id");
      first_of[i] = i;
      for (std::size_t j = 0; j < i; ++j)
        if (files[j].sha256_hex == files[i].sha256_hex) {
          first_of[i] = j;
          break;
        }
      if (first_of[i] == i) to_upload.push_back(i);
    }
    std::vector<BlobInfo> infos(files.size());
    std::vector<std::optional<Error>> failures(files.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (std::size_t n = next++; n < to_upload.size() && !failed; n = next++) {
        std::size_t i = to_upload[n];
        auto info = upload(files[i].file, files[i].sha256_hex);
        if (info.ok()) {
          infos[i] = *info;
        } else {
          failures[i] = info.error();
          failed = true;
        }
      }
    };
    std::size_t connections = std::max(1, options_.upload_connections);
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < connections && t < to_upload.size(); ++t) workers.emplace_back(work);
    work();
    for (auto& w : workers) w.join();
    for (const auto& f : failures)
      if (f) return *f;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (first_of[i] != i) {
        infos[i] = infos[first_of[i]];
        struct stat st {};
        if (::stat(files[i].file.c_str(), &st) == 0) infos[i].size = static_cast<std::uint64_t>(st.st_size);
      }
    }
    for (const Staged& f : files) ::unlink(f.file.c_str());
    return infos;
  }

  Result<LocalBlobFile> local_file(const std::string& id) const override {
    DOSAR_TRY(check_id(id));
    LocalCache& cache = *cache_;
    fs::path temp;
    {
      std::lock_guard lock(cache.mutex);
      if (auto it = cache.entries.find(id); it != cache.entries.end()) return cache.hand_out(id, it->second);
      if (cache.dir.empty()) {
        fs::path dir = new_staging_path(options_.spool);
        std::error_code ec;
        if (!fs::create_directories(dir, ec))
          return make_error(ErrorCode::io, dir.string(), "cannot create the blob cache: " + ec.message());
        cache.dir = dir;
      }
      temp = cache.dir / ("fetch-" + std::to_string(++cache.fetches));
    }
    // Fetched outside the lock, so that other threads' copies do not wait.
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return make_error(ErrorCode::io, temp.string(), errno_text(errno));
    std::uint64_t size = 0;
    Status fetched = read_to(id, Verify::hash, [&](std::string_view chunk) -> Status {
      while (!chunk.empty()) {
        ssize_t n = ::write(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return make_error(ErrorCode::io, temp.string(), "write failed: " + errno_text(errno));
        chunk.remove_prefix(static_cast<std::size_t>(n));
        size += static_cast<std::uint64_t>(n);
      }
      return {};
    });
    if (::close(fd) != 0 && fetched.ok())
      fetched = make_error(ErrorCode::io, temp.string(), "close failed: " + errno_text(errno));
    if (!fetched.ok()) {
      ::unlink(temp.c_str());
      return fetched.error();
    }
    ::chmod(temp.c_str(), 0444);
    std::lock_guard lock(cache.mutex);
    if (auto it = cache.entries.find(id); it != cache.entries.end()) {  // another thread was faster
      ::unlink(temp.c_str());
      return cache.hand_out(id, it->second);
    }
    if (::rename(temp.c_str(), (cache.dir / id).c_str()) != 0) {
      int e = errno;
      ::unlink(temp.c_str());
      return make_error(ErrorCode::io, (cache.dir / id).string(), errno_text(e));
    }
    LocalCache::Entry& entry = cache.entries[id];
    entry.size = size;
    cache.bytes += size;
    LocalBlobFile file = cache.hand_out(id, entry);
    cache.evict(options_.cache_bytes, id);
    return file;
  }

  Result<bool> contains(const std::string& id) const override {
    DOSAR_TRY(check_id(id));
    auto head = s3_->head(key_of(id));
    if (!head.ok()) return about(id, head.error());
    return head->has_value();
  }

  Result<std::uint64_t> size(const std::string& id) const override {
    DOSAR_TRY(check_id(id));
    auto head = s3_->head(key_of(id));
    if (!head.ok()) return about(id, head.error());
    if (!*head) return missing(id);
    return (*head)->size;
  }

  Result<std::string> read(const std::string& id, Verify verify) const override {
    std::string bytes;
    DOSAR_TRY(read_to(id, verify, [&](std::string_view chunk) -> Status {
      bytes.append(chunk);
      return {};
    }));
    return bytes;
  }

  Status read_to(const std::string& id, Verify verify,
                 const std::function<Status(std::string_view)>& sink) const override {
    DOSAR_TRY(check_id(id));
    Sha256 hasher;
    bool sink_failed = false;
    Status got = s3_->get_to(key_of(id), [&](std::string_view chunk) -> Status {
      if (verify == Verify::hash) hasher.update(chunk);
      Status taken = sink(chunk);
      sink_failed = !taken.ok();
      return taken;
    });
    if (!got.ok()) {
      if (sink_failed) return got;
      if (got.error().code == ErrorCode::not_found) return missing(id);
      return about(id, got.error());
    }
    if (verify == Verify::hash) {
      std::string actual = to_hex(hasher.finish());
      if (actual != id)
        return make_error(
            ErrorCode::corrupt, "blob " + id,
            "content no longer matches its name (bytes hash to " + actual + ") in " + where(id));
    }
    return {};
  }

  Status verify(const std::string& id) const override {
    return read_to(id, Verify::hash, [](std::string_view) -> Status { return {}; });
  }

  Status remove_disposed(const std::string& id) override {
    DOSAR_TRY(check_id(id));
    Status removed = s3_->remove(key_of(id));
    if (!removed.ok()) return about(id, removed.error());
    return {};
  }

  Status for_each(const std::function<Status(const std::string&)>& visit,
                  const std::function<void(const std::string&)>& stray) const override {
    const std::string top = options_.prefix + std::string(kScheme);
    bool visit_failed = false;
    Status listed = s3_->for_each_object(top, [&](const cloud::ObjectInfo& object) -> Status {
      std::string name = object.key.substr(top.size());
      if (is_sha256_hex(name)) {
        Status visited = visit(name);
        visit_failed = !visited.ok();
        return visited;
      }
      if (stray) stray("s3://" + options_.s3.bucket + "/" + object.key);
      return {};
    });
    if (!listed.ok() && !visit_failed) {
      Error e = listed.error();
      e.message += " (listing at " + options_.s3.endpoint + ")";
      return e;
    }
    return listed;
  }

 private:
  std::string key_of(const std::string& id) const { return s3_blob_key(options_.prefix, id); }

  std::string where(const std::string& id) const {
    return "s3://" + options_.s3.bucket + "/" + key_of(id) + " at " + options_.s3.endpoint;
  }

  // The client names the object; the archive's callers want the blob, and
  // an operator the endpoint that failed.
  Error about(const std::string& id, Error e) const {
    e.message += " (" + where(id) + ")";
    e.subject = "blob " + id;
    return e;
  }

  Error missing(const std::string& id) const {
    return make_error(ErrorCode::not_found, "blob " + id, "missing from " + where(id));
  }

  // True when the object exists with this size. One that exists with
  // another size is damaged: it is uploaded again, which repairs it.
  Result<bool> present_with_size(const std::string& id, std::uint64_t size) const {
    auto head = s3_->head(key_of(id));
    if (!head.ok()) return about(id, head.error());
    return head->has_value() && (*head)->size == size;
  }

  // Rehashes the staged file (so that what goes up is what its name says)
  // and uploads it unless the bucket holds it already. The staged file stays.
  Result<BlobInfo> upload(const fs::path& staged, const std::string& id) const {
    struct stat st {};
    if (::stat(staged.c_str(), &st) != 0)
      return make_error(ErrorCode::io, staged.string(), "staged file vanished: " + errno_text(errno));
    auto size = static_cast<std::uint64_t>(st.st_size);
    auto present = present_with_size(id, size);
    if (!present.ok()) return present.error();
    if (*present) return BlobInfo{id, size, true};
    auto actual = hash_file(staged);
    if (!actual.ok()) return actual.error();
    if (*actual != id)
      return make_error(
          ErrorCode::invalid_argument, staged.string(),
          "hashes to " + *actual + ", not to the blob id " + id + " it was staged as; not uploaded");
    Status put = s3_->put_file(key_of(id), staged);
    if (!put.ok()) return about(id, put.error());
    return BlobInfo{id, size, false};
  }

  S3BlobStoreOptions options_;
  std::unique_ptr<cloud::S3Client> s3_;
  std::unique_ptr<LocalCache> cache_;
};

}  // namespace

std::string s3_blob_key(const std::string& prefix, const std::string& id) {
  return prefix + std::string(kScheme) + id;
}

std::unique_ptr<BlobStore> open_s3_blob_store(S3BlobStoreOptions options) {
  return std::make_unique<S3BlobStore>(std::move(options));
}

}  // namespace dosar
