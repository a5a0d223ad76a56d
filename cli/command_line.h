// Table-driven parsing of `dosar` command lines (internal to cli/).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace dosar::cli {

struct OptionSpec {
  std::string name;        // "--title"
  std::string value_name;  // "T"; empty for a flag
  std::string help;
};

struct CommandSpec {
  std::string name;       // "ingest", "audit verify"
  std::string arguments;  // "PATH..." for help
  std::string summary;
  std::vector<OptionSpec> options;
  std::size_t min_positionals = 0;
  std::size_t max_positionals = 0;
  bool json = false;  // accepts --json
};

struct ParsedCommand {
  const CommandSpec* spec = nullptr;
  std::map<std::string, std::string> values;                   // option name -> last value ("" for flags)
  std::map<std::string, std::vector<std::string>> all_values;  // every value of a repeated option
  std::vector<std::string> positionals;

  bool has(const std::string& option) const { return values.count(option) > 0; }
  std::optional<std::string> get(const std::string& option) const {
    auto it = values.find(option);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
  // Every value given for a repeatable option, in order.
  std::vector<std::string> get_all(const std::string& option) const {
    auto it = all_values.find(option);
    return it == all_values.end() ? std::vector<std::string>{} : it->second;
  }
};

// Options valid for every command (--archive, --help).
const std::vector<OptionSpec>& global_options();

// Picks the longest command name matching the leading words, then parses
// options (anywhere, `--name value` or `--name=value`, `--` ends options) and
// positionals. Errors: invalid_argument, with a message for the user.
Result<ParsedCommand> parse_command_line(const std::vector<std::string>& args,
                                         const std::vector<CommandSpec>& commands);

std::string usage_text(const std::vector<CommandSpec>& commands);
std::string command_help(const CommandSpec& command);

}  // namespace dosar::cli
