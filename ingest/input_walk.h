// Expands the paths given to `dosar ingest` into the files to ingest
// (internal to ingest/).
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "base/result.h"

namespace dosar {

struct InputFile {
  std::filesystem::path path;
  std::optional<Error> error;  // set when the path could not be walked (loop, unreadable, missing)
};

// Files in the given order; folders recursively in name order, following
// symbolic links, reporting a link back to an enclosing folder as a loop and
// folders deeper than `max_depth` as limit_exceeded.
std::vector<InputFile> expand_inputs(const std::vector<std::filesystem::path>& inputs, int max_depth);

}  // namespace dosar
