#include "ingest/input_walk.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "base/file_system.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;

struct DirKey {
  dev_t dev;
  ino_t ino;
  bool operator==(const DirKey&) const = default;
};

class Walker {
 public:
  Walker(std::vector<InputFile>& out, int max_depth) : out_(out), max_depth_(max_depth) {}

  void visit(const fs::path& path, int depth) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      int saved = errno;
      struct stat link {};
      std::string reason = (saved == ENOENT && ::lstat(path.c_str(), &link) == 0)
                               ? "symbolic link points to nothing"
                               : errno_text(saved);
      reject(path, saved == ENOENT ? ErrorCode::not_found : ErrorCode::io, "cannot open: " + reason);
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      out_.push_back({path, std::nullopt});
      return;
    }
    DirKey key{st.st_dev, st.st_ino};
    if (std::find(ancestors_.begin(), ancestors_.end(), key) != ancestors_.end()) {
      reject(path, ErrorCode::invalid_argument,
             "directory loop: a symbolic link leads back to a folder that contains it");
      return;
    }
    if (depth > max_depth_) {
      reject(path, ErrorCode::limit_exceeded,
             "folders nested deeper than " + std::to_string(max_depth_) + " levels");
      return;
    }
    std::vector<fs::path> children;
    std::error_code ec;
    fs::directory_iterator it(path, ec);
    if (ec) {
      reject(path, ErrorCode::io, "cannot read folder: " + ec.message());
      return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      children.push_back(it->path());
    }
    if (ec) reject(path, ErrorCode::io, "cannot read folder: " + ec.message());
    std::sort(children.begin(), children.end());
    ancestors_.push_back(key);
    for (const fs::path& child : children) visit(child, depth + 1);
    ancestors_.pop_back();
  }

 private:
  void reject(const fs::path& path, ErrorCode code, std::string message) {
    out_.push_back({path, make_error(code, path.string(), std::move(message))});
  }

  std::vector<InputFile>& out_;
  int max_depth_;
  std::vector<DirKey> ancestors_;
};

}  // namespace

std::vector<InputFile> expand_inputs(const std::vector<fs::path>& inputs, int max_depth) {
  std::vector<InputFile> out;
  Walker walker(out, max_depth);
  for (const fs::path& input : inputs) walker.visit(input, 0);
  return out;
}

}  // namespace dosar
