#include "records/bag_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "base/file_system.h"
#include "base/sha256.h"
#include "records/preservation.h"

namespace dosar::records {
namespace {

constexpr std::size_t kChunk = 1 << 20;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Error file_error(const std::filesystem::path& path, int error_number, const char* what) {
  return make_error(error_number == ENOENT   ? ErrorCode::not_found
                    : error_number == EEXIST ? ErrorCode::conflict
                                             : ErrorCode::io,
                    path.string(), std::string(what) + ": " + errno_text(error_number));
}

Status write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    ssize_t wrote = ::write(fd, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return file_error(path, errno, "cannot be written");
    }
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return {};
}

// Reads `from` to the end in large chunks, handing each to `sink`.
Status read_chunks(const std::filesystem::path& from, const std::function<Status(std::string_view)>& sink) {
  Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (in.fd < 0) return file_error(from, errno, "cannot be opened");
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<char[]> buffer(new char[kChunk]);
  for (;;) {
    ssize_t got = ::read(in.fd, buffer.get(), kChunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      return file_error(from, errno, "cannot be read");
    }
    if (got == 0) return {};
    DOSAR_TRY(sink(std::string_view(buffer.get(), static_cast<std::size_t>(got))));
  }
}

}  // namespace

std::string encode_manifest_path(const std::string& path) {
  std::string out;
  for (char ch : path) {
    if (ch == '%')
      out += "%25";
    else if (ch == '\n')
      out += "%0A";
    else if (ch == '\r')
      out += "%0D";
    else
      out += ch;
  }
  return out;
}

bool is_safe_relative_path(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

Result<std::string> hash_file(const std::filesystem::path& file) {
  Sha256 hasher;
  DOSAR_TRY(read_chunks(file, [&](std::string_view chunk) -> Status {
    hasher.update(chunk);
    return {};
  }));
  return to_hex(hasher.finish());
}

Result<std::string> copy_hashing(const std::filesystem::path& from, const std::filesystem::path& to) {
  Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
  if (out.fd < 0) return file_error(to, errno, "cannot be created");
  Sha256 hasher;
  Status copied = read_chunks(from, [&](std::string_view chunk) -> Status {
    hasher.update(chunk);
    return write_all(out.fd, chunk.data(), chunk.size(), to);
  });
  if (!copied.ok()) return copied.error();
  if (::close(out.fd) != 0) {
    out.fd = -1;
    return file_error(to, errno, "cannot be written");
  }
  out.fd = -1;
  return to_hex(hasher.finish());
}

Status write_new(const std::filesystem::path& path, std::string_view bytes) {
  Fd out{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
  if (out.fd < 0) return file_error(path, errno, "cannot be created");
  DOSAR_TRY(write_all(out.fd, bytes.data(), bytes.size(), path));
  int closed = ::close(out.fd);
  out.fd = -1;
  if (closed != 0) return file_error(path, errno, "cannot be written");
  return {};
}

Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t limit) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return file_error(path, errno, "cannot be read");
  if (S_ISLNK(st.st_mode))
    return make_error(ErrorCode::corrupt, path.string(), "is a symbolic link; refused");
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::corrupt, path.string(), "is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > limit)
    return make_error(ErrorCode::limit_exceeded, path.string(),
                      "is larger than the limit of " + std::to_string(limit) + " bytes");
  std::string out;
  DOSAR_TRY(read_chunks(path, [&](std::string_view chunk) -> Status {
    if (out.size() + chunk.size() > limit)
      return make_error(ErrorCode::limit_exceeded, path.string(), "grew past the limit while read");
    out.append(chunk);
    return {};
  }));
  return out;
}

Result<std::vector<ManifestEntry>> parse_bag_manifest(std::string_view text, const std::string& file,
                                                      const BagLimits& limits) {
  std::vector<ManifestEntry> entries;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    ++line_number;
    std::size_t end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = "line " + std::to_string(line_number) + ": ";
    if (line.empty()) continue;
    if (entries.size() >= limits.max_files)
      return make_error(ErrorCode::limit_exceeded, file,
                        "more than " + std::to_string(limits.max_files) + " entries");
    std::size_t space = line.find_first_of(" \t");
    if (space != 64 || !is_sha256_hex(line.substr(0, 64)))
      return make_error(ErrorCode::corrupt, file,
                        where + "does not start with a lowercase SHA-256 and a space");
    std::string_view raw = line.substr(space);
    while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
    if (raw.size() > limits.max_path_bytes)
      return make_error(ErrorCode::limit_exceeded, file, where + "path too long");
    std::string path;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '%') {
        path += raw[i];
        continue;
      }
      std::string_view code = raw.substr(i + 1, 2);
      if (code == "25")
        path += '%';
      else if (code == "0A" || code == "0a")
        path += '\n';
      else if (code == "0D" || code == "0d")
        path += '\r';
      else
        return make_error(ErrorCode::corrupt, file, where + "bad percent-encoding in the path");
      i += 2;
    }
    if (!is_safe_relative_path(path))
      return make_error(ErrorCode::corrupt, file,
                        where + "path '" + path + "' escapes the bag or is not relative");
    entries.push_back({std::string(line.substr(0, 64)), std::move(path)});
  }
  return entries;
}

}  // namespace dosar::records
