// Changing ARCHIVE/config.json in place (internal to storage/): the writer
// behind set_archive_config_value and the switch of backends at the end of a
// migration (backend_migration.h).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace dosar {

// Sets each dotted path ("blobs_s3.endpoint") to its string, or removes it
// when nullopt, keeping every other key, in one replacement of the file:
// written beside with mode 600, synced, renamed over, the folder synced. A
// reader sees the old file or the new one, never a mix. Errors: those of
// read_archive_config, corrupt (a path crosses a string), io.
Status update_archive_config(const std::filesystem::path& archive_root,
                             const std::vector<std::pair<std::string, std::optional<std::string>>>& changes);

}  // namespace dosar
