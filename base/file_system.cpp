#include "base/file_system.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dosar {
namespace {

Error io_error(const std::filesystem::path& path, const char* what, int error_number) {
  return make_error(ErrorCode::io, path.string(), std::string(what) + ": " + errno_text(error_number));
}

class RealFileSystem final : public FileSystem {
 public:
  Status write_new_file(const std::filesystem::path& path, std::string_view bytes) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return io_error(path, "cannot create", errno);
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      ssize_t written = ::write(fd, data, left);
      if (written < 0) {
        if (errno == EINTR) continue;
        int saved = errno;
        ::close(fd);
        ::unlink(path.c_str());
        return io_error(path, "cannot write", saved);
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
    if (::close(fd) != 0) {
      int saved = errno;
      ::unlink(path.c_str());
      return io_error(path, "cannot close", saved);
    }
    return {};
  }

  Status sync_file(const std::filesystem::path& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(path, "cannot open to sync", errno);
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) return io_error(path, "fsync failed", saved);
    return {};
  }

  Status sync_dir(const std::filesystem::path& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error(path, "cannot open directory to sync", errno);
    int rc = ::fsync(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) return io_error(path, "fsync of directory failed", saved);
    return {};
  }

  Status sync_file_system(const std::filesystem::path& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(path, "cannot open to sync its file system", errno);
    int rc = ::syncfs(fd);
    int saved = errno;
    ::close(fd);
    if (rc != 0) return io_error(path, "syncfs failed", saved);
    return {};
  }

  Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
    if (errno == EEXIST) return make_error(ErrorCode::conflict, to.string(), "already exists");
    if (errno != EINVAL && errno != ENOSYS) return io_error(to, "cannot rename into place", errno);
    // File systems without RENAME_NOREPLACE: link() also refuses to replace.
    if (::link(from.c_str(), to.c_str()) != 0) {
      if (errno == EEXIST) return make_error(ErrorCode::conflict, to.string(), "already exists");
      return io_error(to, "cannot link into place", errno);
    }
    ::unlink(from.c_str());
    return {};
  }

  Status make_dirs(const std::filesystem::path& path) override { return make_dirs(path, true); }
  Status make_dirs_unsynced(const std::filesystem::path& path) override { return make_dirs(path, false); }

 private:
  Status make_dirs(const std::filesystem::path& path, bool sync) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return {};
      return make_error(ErrorCode::io, path.string(), "exists and is not a directory");
    }
    if (path.has_parent_path() && path.parent_path() != path) {
      DOSAR_TRY(make_dirs(path.parent_path(), sync));
    }
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      return io_error(path, "cannot create directory", errno);
    if (sync && path.has_parent_path()) return sync_dir(path.parent_path());
    return {};
  }
};

}  // namespace

FileSystem& real_file_system() {
  static RealFileSystem file_system;
  return file_system;
}

std::string errno_text(int error_number) {
  char buffer[256];
  // GNU strerror_r returns the message pointer, which may not be `buffer`.
  return strerror_r(error_number, buffer, sizeof buffer);
}

std::uint64_t bytes_on_disk(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
  }
  std::uint64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

}  // namespace dosar
