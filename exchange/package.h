// Writing packages (internal to exchange/): ids, package.json, the sealed
// manifest.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "exchange/exchange.h"

namespace dosar::exchange {

bool is_package_id(const std::string& id);

// package.json of `p` (format kPackageFormat).
std::string package_json(const Package& p);

// Writes the manifest of `files` ((sha256, relative path), package.json
// included) into `dir` and its CAdES seal made with `key`. Errors: those of
// sealing, conflict, io.
Status seal_package(const std::filesystem::path& dir,
                    const std::vector<std::pair<std::string, std::string>>& files,
                    const signing::SigningKey& key);

}  // namespace dosar::exchange
