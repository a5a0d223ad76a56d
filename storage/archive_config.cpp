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
#include "cloud/s3_client.h"
#include "storage/config_file.h"

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

bool is_http_url(const std::string& url) {
  return (url.rfind("http://", 0) == 0 && url.size() > 7) ||
         (url.rfind("https://", 0) == 0 && url.size() > 8);
}

}  // namespace

std::optional<std::string> ArchiveConfig::get(const std::string& dotted_path) const {
  auto it = values_.find(dotted_path);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Status update_archive_config(const std::filesystem::path& archive_root,
                             const std::vector<std::pair<std::string, std::optional<std::string>>>& changes) {
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
  for (const auto& [dotted, value] : changes) {
    nlohmann::json* node = &json;
    std::string rest = dotted;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      node = &(*node)[rest.substr(0, dot)];
      if (!node->is_object() && !node->is_null())
        return make_error(ErrorCode::corrupt, file.string(), "'" + dotted + "' crosses a string");
      rest = rest.substr(dot + 1);
    }
    if (value)
      (*node)[rest] = *value;
    else if (node->is_object())
      node->erase(rest);
  }
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

Status set_archive_config_value(const std::filesystem::path& archive_root, const std::string& key,
                                const std::string& value) {
  return update_archive_config(archive_root, {{key, value}});
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

namespace dosar {

Status write_new_archive_config(const std::filesystem::path& archive_root,
                                const std::vector<std::pair<std::string, std::string>>& values) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [dotted, value] : values) {
    nlohmann::json* node = &json;
    std::string rest = dotted;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      node = &(*node)[rest.substr(0, dot)];
      rest = rest.substr(dot + 1);
    }
    (*node)[rest] = value;
  }
  const std::filesystem::path file = archive_root / "config.json";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(errno == EEXIST ? ErrorCode::conflict : ErrorCode::io, file.string(),
                      "cannot be created: " + errno_text(errno));
  std::string text = json.dump(2) + "\n";
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  bool synced = written && ::fsync(fd) == 0;
  int e = errno;
  ::close(fd);
  if (!synced) return make_error(ErrorCode::io, file.string(), "cannot be written: " + errno_text(e));
  return real_file_system().sync_dir(archive_root);
}

Result<BlobsSetting> parse_blobs_setting(const std::string& location, const std::string& s3_endpoint) {
  BlobsSetting setting;
  if (location.rfind("file:", 0) == 0) {
    std::string dir = location.substr(5);
    if (dir.empty())
      return make_error(ErrorCode::invalid_argument, "--blobs", "file: needs a folder (file:DIR)");
    if (!s3_endpoint.empty())
      return make_error(ErrorCode::invalid_argument, "--s3-endpoint", "only goes with --blobs s3://…");
    setting.dir = std::filesystem::absolute(dir).lexically_normal();
    return setting;
  }
  if (location.rfind("s3://", 0) == 0) {
    auto parsed = cloud::parse_s3_url(location);
    if (!parsed.ok())
      return make_error(ErrorCode::invalid_argument, "--blobs", location + " " + parsed.error().message);
    if (s3_endpoint.empty())
      return make_error(ErrorCode::invalid_argument, "--s3-endpoint",
                        "is required with --blobs s3://… (e.g. https://s3.eu-central-1.amazonaws.com)");
    if (!is_http_url(s3_endpoint))
      return make_error(ErrorCode::invalid_argument, "--s3-endpoint",
                        "'" + s3_endpoint + "' is not an http:// or https:// address");
    setting.kind = BlobsSetting::Kind::s3;
    setting.s3_url = "s3://" + parsed->bucket + "/" + parsed->prefix;
    setting.s3_endpoint = s3_endpoint;
    while (setting.s3_endpoint.back() == '/') setting.s3_endpoint.pop_back();
    return setting;
  }
  return make_error(ErrorCode::invalid_argument, "--blobs",
                    "'" + location + "' is neither file:DIR nor s3://BUCKET/PREFIX");
}

Result<BlobsSetting> blobs_setting(const ArchiveConfig& config) {
  auto location = config.get("blobs");
  auto endpoint = config.get("blobs_s3.endpoint");
  if (!location) {
    if (endpoint)
      return make_error(ErrorCode::corrupt, config.file().string(), "has blobs_s3.endpoint but no 'blobs'");
    return BlobsSetting{};
  }
  auto setting = parse_blobs_setting(*location, endpoint.value_or(""));
  if (!setting.ok()) {
    std::string key = setting.error().subject == "--s3-endpoint" ? "blobs_s3.endpoint" : "blobs";
    return make_error(ErrorCode::corrupt, config.file().string(),
                      "'" + key + "': " + setting.error().message);
  }
  if (setting->kind == BlobsSetting::Kind::file && !std::filesystem::path(location->substr(5)).is_absolute())
    return make_error(ErrorCode::corrupt, config.file().string(),
                      "'blobs': " + *location + " is not absolute");
  if (auto region = config.get("blobs_s3.region")) setting->s3_region = *region;
  return setting;
}

std::vector<std::pair<std::string, std::string>> blobs_config_values(const BlobsSetting& setting) {
  if (setting.kind == BlobsSetting::Kind::file) {
    if (setting.dir.empty()) return {};
    return {{"blobs", "file:" + setting.dir.string()}};
  }
  std::vector<std::pair<std::string, std::string>> values = {{"blobs", setting.s3_url},
                                                             {"blobs_s3.endpoint", setting.s3_endpoint}};
  if (setting.s3_region != "us-east-1") values.emplace_back("blobs_s3.region", setting.s3_region);
  return values;
}

std::string describe(const BlobsSetting& setting) {
  if (setting.kind == BlobsSetting::Kind::s3) return setting.s3_url + " at " + setting.s3_endpoint;
  if (setting.dir.empty()) return "ARCHIVE/blobs";
  return "file:" + setting.dir.string();
}

}  // namespace dosar
