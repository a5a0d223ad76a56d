#include "storage/archive_config.h"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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
