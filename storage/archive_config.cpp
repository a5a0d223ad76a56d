#include "storage/archive_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/file_system.h"

namespace dosar {
namespace {

constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;

Status flatten(const nlohmann::json& node, const std::string& prefix, std::map<std::string, std::string>& out,
               const std::string& file) {
  for (const auto& [key, value] : node.items()) {
    std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      DOSAR_TRY(flatten(value, path, out, file));
    } else if (value.is_string()) {
      out[path] = value.get<std::string>();
    } else {
      return make_error(ErrorCode::corrupt, file, "'" + path + "' must be a string or an object");
    }
  }
  return {};
}

}  // namespace

std::optional<std::string> ArchiveConfig::get(const std::string& dotted_path) const {
  auto it = values_.find(dotted_path);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Status set_archive_config_value(const std::filesystem::path& archive_root, const std::string& key,
                                const std::string& value) {
  auto checked = read_archive_config(archive_root);  // mode, size and shape
  if (!checked.ok()) return checked.error();
  const std::filesystem::path file = archive_root / "config.json";
  nlohmann::json json = nlohmann::json::object();
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file, std::ios::binary);
    json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
      return make_error(ErrorCode::corrupt, file.string(), "is not a JSON object");
  }
  json[key] = value;
  const std::string bytes = json.dump(2) + "\n";
  const std::filesystem::path temporary = file.string() + ".part" + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::io, temporary.string(), "cannot be created: " + errno_text(errno));
  bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  int error = errno;
  bool synced = written && ::fsync(fd) == 0;
  if (written && !synced) error = errno;
  ::close(fd);
  if (!synced || std::rename(temporary.c_str(), file.c_str()) != 0) {
    if (synced) error = errno;
    std::filesystem::remove(temporary, ec);
    return make_error(ErrorCode::io, file.string(), "cannot be written: " + errno_text(error));
  }
  return real_file_system().sync_dir(archive_root);
}

Result<ArchiveConfig> read_archive_config(const std::filesystem::path& archive_root) {
  ArchiveConfig config;
  config.file_ = archive_root / "config.json";
  const std::string file = config.file_.string();
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    if (errno == ENOENT) return config;
    return make_error(ErrorCode::io, file, std::string("cannot be read: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return make_error(ErrorCode::corrupt, file, "is not a regular file");
  if ((info.st_mode & 077) != 0)
    return make_error(ErrorCode::permission, file,
                      "may hold secrets but others may read or change it; run: chmod 600 " + file);
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxConfigBytes)
    return make_error(ErrorCode::limit_exceeded, file, "is larger than 1 MiB");
  std::ifstream in(config.file_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return make_error(ErrorCode::io, file, "cannot be read");
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return make_error(ErrorCode::corrupt, file, "is not a JSON object");
  DOSAR_TRY(flatten(json, "", config.values_, file));
  return config;
}

}  // namespace dosar
