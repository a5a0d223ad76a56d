#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>

#include "base/sha256.h"
#include "storage/blob_store.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kChunk = 1 << 20;

class FileBlobStore final : public BlobStore {
 public:
  FileBlobStore(fs::path root, fs::path staging, FileSystem& file_system)
      : root_(std::move(root)), staging_(std::move(staging)), fs_(file_system) {}

  Result<BlobInfo> put(std::string_view bytes) override {
    std::string id = sha256_hex(bytes);
    fs::path final_path = path_of(id);
    if (::access(final_path.c_str(), F_OK) == 0) return BlobInfo{id, bytes.size(), true};
    fs::path staged = new_staging_path(staging_);
    DOSAR_TRY(fs_.write_new_file(staged, bytes));
    auto stored = publish(staged, id, bytes.size());
    if (!stored.ok()) ::unlink(staged.c_str());
    return stored;
  }

  Result<BlobInfo> put_staged_file(const fs::path& staged, const std::string& id) override {
    if (!is_sha256_hex(id)) return make_error(ErrorCode::invalid_argument, id, "not a SHA-256 blob id");
    struct stat st {};
    if (::stat(staged.c_str(), &st) != 0)
      return make_error(ErrorCode::io, staged.string(), "staged file vanished: " + errno_text(errno));
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (::access(path_of(id).c_str(), F_OK) == 0) {
      ::unlink(staged.c_str());
      return BlobInfo{id, size, true};
    }
    ::chmod(staged.c_str(), 0444);
    return publish(staged, id, size);
  }

  // Contents first (one syncfs for the staged files), then names (renames,
  // and one more syncfs): a crash leaves either a staged file or a complete
  // blob under its name, never a name whose bytes are not yet on disk.
  Result<std::vector<BlobInfo>> put_staged_files(const std::vector<Staged>& files) override {
    std::vector<BlobInfo> infos(files.size());
    std::vector<bool> to_publish(files.size(), false);
    for (std::size_t i = 0; i < files.size(); ++i) {
      const Staged& f = files[i];
      if (!is_sha256_hex(f.sha256_hex))
        return make_error(ErrorCode::invalid_argument, f.sha256_hex, "not a SHA-256 blob id");
      struct stat st {};
      if (::stat(f.file.c_str(), &st) != 0)
        return make_error(ErrorCode::io, f.file.string(), "staged file vanished: " + errno_text(errno));
      infos[i] = BlobInfo{f.sha256_hex, static_cast<std::uint64_t>(st.st_size), false};
      bool duplicate_in_batch = false;
      for (std::size_t j = 0; j < i && !duplicate_in_batch; ++j)
        duplicate_in_batch = to_publish[j] && files[j].sha256_hex == f.sha256_hex;
      if (duplicate_in_batch || ::access(path_of(f.sha256_hex).c_str(), F_OK) == 0) {
        infos[i].already_present = !duplicate_in_batch;
        continue;
      }
      ::chmod(f.file.c_str(), 0444);
      to_publish[i] = true;
    }
    if (std::find(to_publish.begin(), to_publish.end(), true) != to_publish.end())
      DOSAR_TRY(fs_.sync_file_system(staging_));
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!to_publish[i]) continue;
      fs::path final_path = path_of(files[i].sha256_hex);
      DOSAR_TRY(fs_.make_dirs_unsynced(final_path.parent_path()));
      Status renamed = fs_.rename_no_replace(files[i].file, final_path);
      if (!renamed.ok()) {
        if (renamed.error().code != ErrorCode::conflict) return renamed.error();
        infos[i].already_present = true;  // another writer stored the same bytes first
      }
    }
    DOSAR_TRY(fs_.sync_file_system(root_));
    // Staged files not renamed (already stored) are consumed too.
    for (std::size_t i = 0; i < files.size(); ++i) ::unlink(files[i].file.c_str());
    return infos;
  }

  Result<LocalBlobFile> local_file(const std::string& id) const override {
    DOSAR_TRY(check_id(id));
    fs::path path = path_of(id);
    if (::access(path.c_str(), R_OK) != 0) return missing_or_io(id, errno);
    return LocalBlobFile(path);
  }

  Status remove_disposed(const std::string& id) override {
    DOSAR_TRY(check_id(id));
    fs::path path = path_of(id);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return {};
      return make_error(ErrorCode::io, path.string(), "cannot remove: " + errno_text(errno));
    }
    return fs_.sync_dir(path.parent_path());
  }

  Result<bool> contains(const std::string& id) const override {
    DOSAR_TRY(check_id(id));
    if (::access(path_of(id).c_str(), F_OK) == 0) return true;
    if (errno == ENOENT) return false;
    return make_error(ErrorCode::io, path_of(id).string(), errno_text(errno));
  }

  Result<std::uint64_t> size(const std::string& id) const override {
    DOSAR_TRY(check_id(id));
    struct stat st {};
    if (::stat(path_of(id).c_str(), &st) != 0) return missing_or_io(id, errno);
    return static_cast<std::uint64_t>(st.st_size);
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
    fs::path path = path_of(id);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return missing_or_io(id, errno);
    // Read ahead aggressively: blobs are read start to end (check, export).
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    Sha256 hasher;
    std::string buffer(kChunk, '\0');
    Status status;
    for (;;) {
      ssize_t got = ::read(fd, buffer.data(), buffer.size());
      if (got < 0) {
        if (errno == EINTR) continue;
        status = make_error(ErrorCode::io, path.string(), "read failed: " + errno_text(errno));
        break;
      }
      if (got == 0) break;
      std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
      if (verify == Verify::hash) hasher.update(chunk);
      status = sink(chunk);
      if (!status.ok()) break;
    }
    ::close(fd);
    if (!status.ok()) return status;
    if (verify == Verify::hash) {
      std::string actual = to_hex(hasher.finish());
      if (actual != id)
        return make_error(ErrorCode::corrupt, "blob " + id,
                          "content no longer matches its name (bytes hash to " + actual + ")");
    }
    return {};
  }

  Status verify(const std::string& id) const override {
    return read_to(id, Verify::hash, [](std::string_view) -> Status { return {}; });
  }

  Status for_each(const std::function<Status(const std::string&)>& visit,
                  const std::function<void(const std::string&)>& stray) const override {
    fs::path top = root_ / "sha256";
    std::error_code ec;
    if (!fs::exists(top, ec)) return {};
    fs::recursive_directory_iterator it(top, fs::directory_options::none, ec), end;
    if (ec) return make_error(ErrorCode::io, top.string(), ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) return make_error(ErrorCode::io, top.string(), ec.message());
      const fs::directory_entry& entry = *it;
      if (entry.is_directory(ec)) {
        if (it.depth() >= 2 && stray) stray(entry.path().string());
        continue;
      }
      std::string name = entry.path().filename().string();
      if (it.depth() == 2 && is_sha256_hex(name) && path_of(name) == entry.path()) {
        DOSAR_TRY(visit(name));
      } else if (stray) {
        stray(entry.path().string());
      }
    }
    return {};
  }

 private:
  fs::path path_of(const std::string& id) const {
    return root_ / "sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
  }

  static Status check_id(const std::string& id) {
    if (!is_sha256_hex(id)) return make_error(ErrorCode::invalid_argument, id, "not a SHA-256 blob id");
    return {};
  }

  Error missing_or_io(const std::string& id, int error_number) const {
    if (error_number == ENOENT)
      return make_error(ErrorCode::not_found, "blob " + id, "missing from " + path_of(id).string());
    return make_error(ErrorCode::io, path_of(id).string(), errno_text(error_number));
  }

  // temp file + fsync + rename + fsync of the directory: after this returns,
  // the blob survives a crash; before it, the final name does not exist.
  Result<BlobInfo> publish(const fs::path& staged, const std::string& id, std::uint64_t size) {
    fs::path final_path = path_of(id);
    DOSAR_TRY(fs_.sync_file(staged));
    DOSAR_TRY(fs_.make_dirs(final_path.parent_path()));
    Status renamed = fs_.rename_no_replace(staged, final_path);
    if (!renamed.ok()) {
      if (renamed.error().code != ErrorCode::conflict) return renamed.error();
      ::unlink(staged.c_str());  // another writer stored the same bytes first
      return BlobInfo{id, size, true};
    }
    DOSAR_TRY(fs_.sync_dir(final_path.parent_path()));
    return BlobInfo{id, size, false};
  }

  fs::path root_;
  fs::path staging_;
  FileSystem& fs_;
};

}  // namespace

std::unique_ptr<BlobStore> open_file_blob_store(const fs::path& root, const fs::path& staging_dir,
                                                FileSystem& file_system) {
  return std::make_unique<FileBlobStore>(root, staging_dir, file_system);
}

fs::path new_staging_path(const fs::path& staging_dir) {
  static std::atomic<unsigned> counter{0};
  static const unsigned long salt = std::random_device{}();
  return staging_dir / ("stage-" + std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" +
                        std::to_string(counter.fetch_add(1)));
}

std::size_t remove_abandoned_staging_files(const fs::path& staging_dir) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(staging_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("stage-", 0) != 0) continue;
    long pid = std::strtol(name.c_str() + 6, nullptr, 10);
    if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) continue;
    if (fs::remove_all(entry.path(), ec) > 0) ++removed;  // a staged file, or a folder (uploads)
  }
  return removed;
}

}  // namespace dosar
