// The scanner's hot folder: files that land in a folder become documents
// without anyone touching them. A file is taken once it is complete (its
// size and modification time unchanged for a settling time), ingested, and
// moved to DIR/done/, or to DIR/failed/ with a NAME.error.txt beside it that
// says why. A crash between the ingest and the move is harmless: the next
// run finds the file already stored (duplicate) and moves it to done/.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>

#include "base/result.h"
#include "ingest/ingester.h"

namespace dosar {

struct HotFolderOptions {
  std::chrono::milliseconds settle{5000};  // unchanged this long = complete
  std::chrono::milliseconds poll{1000};    // how often the folder is looked at
  bool once = false;                       // process what is complete now, then return
};

// Watches `folder` until `stop()` returns true (checked every poll), or with
// `once` until nothing more is pending. Each processed file is reported.
// Errors: not_found (no such folder), io (cannot move files), and archive
// failures (which stop the watch; the file stays where it was).
Status watch_folder(Ingester& ingester, const std::filesystem::path& folder, const HotFolderOptions& options,
                    const std::function<void(const IngestItem&)>& report, const std::function<bool()>& stop);

}  // namespace dosar
