#include "ingest/hot_folder.h"

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <thread>

namespace dosar {
namespace fs = std::filesystem;

namespace {

struct Seen {
  std::uintmax_t size = 0;
  fs::file_time_type modified;
  std::chrono::steady_clock::time_point stable_since;
};

// Scanners and copy tools write under temporary names first.
bool is_partial_name(const std::string& name) {
  return name.empty() || name[0] == '.' || name.ends_with(".part") || name.ends_with(".tmp") ||
         name.ends_with(".crdownload") || name.ends_with(".error.txt") || name.ends_with("~");
}

// DIR/done/NAME, or NAME.1, NAME.2 … when a file of that name is already there.
fs::path free_name(const fs::path& dir, const std::string& name) {
  fs::path target = dir / name;
  std::error_code ec;
  for (int n = 1; fs::exists(target, ec); ++n) target = dir / (name + "." + std::to_string(n));
  return target;
}

Status move_to(const fs::path& file, const fs::path& dir, fs::path* moved) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  *moved = free_name(dir, file.filename().string());
  fs::rename(file, *moved, ec);
  if (ec)
    return make_error(ErrorCode::io, file.string(), "cannot move to " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace

Status watch_folder(Ingester& ingester, const fs::path& folder, const HotFolderOptions& options,
                    const std::function<void(const IngestItem&)>& report, const std::function<bool()>& stop) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    return make_error(ErrorCode::not_found, folder.string(), "no such folder");
  const fs::path done = folder / "done", failed = folder / "failed";
  std::map<fs::path, Seen> pending;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    std::map<fs::path, Seen> current;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      // A file may vanish between listing and looking at it: skip it, not the watch.
      std::error_code gone;
      if (!entry.is_regular_file(gone) || is_partial_name(entry.path().filename().string())) continue;
      Seen seen{entry.file_size(gone), entry.last_write_time(gone), now};
      if (gone) continue;
      auto before = pending.find(entry.path());
      if (before != pending.end() && before->second.size == seen.size &&
          before->second.modified == seen.modified)
        seen.stable_since = before->second.stable_since;
      current[entry.path()] = seen;
    }
    if (ec) return make_error(ErrorCode::io, folder.string(), "cannot read folder: " + ec.message());
    pending = std::move(current);

    std::vector<fs::path> ready;
    for (const auto& [path, seen] : pending)
      if (now - seen.stable_since >= options.settle) ready.push_back(path);
    for (const fs::path& file : ready) {
      std::optional<IngestItem> outcome;
      DOSAR_TRY(ingester.ingest({file}, [&](const IngestItem& item) { outcome = item; }));
      if (!outcome) continue;
      fs::path moved;
      if (outcome->status == IngestStatus::rejected) {
        DOSAR_TRY(move_to(file, failed, &moved));
        std::ofstream(moved.string() + ".error.txt") << outcome->error->to_string() << '\n';
      } else {
        DOSAR_TRY(move_to(file, done, &moved));
      }
      pending.erase(file);
      report(*outcome);
    }
    if (options.once && pending.empty()) return {};
    if (stop && stop()) return {};
    std::this_thread::sleep_for(options.once ? std::min(options.poll, options.settle) : options.poll);
  }
}

}  // namespace dosar
