#include "cli/command_line.h"

#include <sstream>

namespace dosar::cli {

const std::vector<OptionSpec>& global_options() {
  static const std::vector<OptionSpec> options = {
      {"--archive", "DIR", "archive directory (default $DOSAR_ARCHIVE, else ./archive)"},
      {"--blobs", "file:DIR|s3://BUCKET/PREFIX",
       "where `init` puts the blobs (default ARCHIVE/blobs); later commands read it from "
       "ARCHIVE/config.json"},
      {"--s3-endpoint", "URL",
       "the S3 server of --blobs s3://… (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"},
      {"--catalog", "WHERE",
       "the catalogue: sqlite:PATH (default ARCHIVE/catalog.sqlite) or postgresql://USER@HOST:PORT/DB; "
       "init records it in ARCHIVE/config.json"},
      {"--index", "LOCATOR",
       "search index: xapian:DIR or xapian-tcp://HOST:PORT,HOST:PORT… (default: the archive's config.json, "
       "else "
       "ARCHIVE/index)"},
      {"--help", "", "show help for the command"},
  };
  return options;
}

namespace {

std::vector<std::string> words_of(const std::string& name) {
  std::vector<std::string> words;
  std::istringstream in(name);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  for (const auto& o : spec.options)
    if (o.name == name) return &o;
  for (const auto& o : global_options())
    if (o.name == name) return &o;
  static const OptionSpec json{"--json", "", "print JSON"};
  if (spec.json && name == "--json") return &json;
  return nullptr;
}

Error usage_error(std::string message) {
  return make_error(ErrorCode::invalid_argument, "", std::move(message));
}

}  // namespace

Result<ParsedCommand> parse_command_line(const std::vector<std::string>& args,
                                         const std::vector<CommandSpec>& commands) {
  // Command words are the leading non-option arguments; global options may
  // come before them, so collect those first.
  std::vector<std::string> leading;
  ParsedCommand parsed;
  std::size_t i = 0;
  std::vector<std::string> rest;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0 && a != "--") {
      rest.push_back(a);
      const OptionSpec* global = nullptr;
      std::string name = a.substr(0, a.find('='));
      for (const auto& o : global_options())
        if (o.name == name) global = &o;
      if (global && !global->value_name.empty() && a.find('=') == std::string::npos && i + 1 < args.size())
        rest.push_back(args[++i]);
      continue;
    }
    break;
  }
  std::vector<std::string> remaining(args.begin() + static_cast<long>(i), args.end());

  const CommandSpec* best = nullptr;
  std::size_t best_words = 0;
  for (const auto& c : commands) {
    auto words = words_of(c.name);
    if (words.size() > remaining.size() || words.size() <= best_words) continue;
    bool match = true;
    for (std::size_t w = 0; w < words.size(); ++w) match = match && remaining[w] == words[w];
    if (match) {
      best = &c;
      best_words = words.size();
    }
  }
  if (!best) {
    if (remaining.empty()) return usage_error("no command given");
    return usage_error("unknown command '" + remaining[0] + "'");
  }
  parsed.spec = best;
  rest.insert(rest.end(), remaining.begin() + static_cast<long>(best_words), remaining.end());

  bool options_done = false;
  for (std::size_t k = 0; k < rest.size(); ++k) {
    const std::string& a = rest[k];
    if (!options_done && a == "--") {
      options_done = true;
      continue;
    }
    bool is_option = !options_done && a.size() > 1 && a[0] == '-' &&
                     !(a.size() > 1 && std::isdigit(static_cast<unsigned char>(a[1])));
    if (!is_option || a == "-") {
      parsed.positionals.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const OptionSpec* option = find_option(*best, name);
    if (!option && name == "--purpose")  // issue 12: lists mask every CNP, and say so rather than ignore it
      return usage_error("'" + best->name +
                         "' has no option --purpose: it declares no read of a person's data (lists show "
                         "every CNP masked); see `dosar " +
                         best->name + " --help`");
    if (!option) return usage_error("'" + best->name + "' has no option " + name);
    if (option->value_name.empty()) {
      if (inline_value) return usage_error(name + " takes no value");
    } else if (!inline_value) {
      if (k + 1 >= rest.size()) return usage_error(name + " needs a value (" + option->value_name + ")");
      value = rest[++k];
    }
    parsed.values[name] = value;
    parsed.all_values[name].push_back(value);
  }
  if (parsed.has("--help")) return parsed;
  if (parsed.positionals.size() < best->min_positionals)
    return usage_error("'" + best->name + "' needs " + best->arguments);
  if (parsed.positionals.size() > best->max_positionals)
    return usage_error("'" + best->name + "' takes " +
                       (best->max_positionals == 0 ? std::string("no arguments") : best->arguments) +
                       ", got unexpected '" + parsed.positionals[best->max_positionals] + "'");
  return parsed;
}

std::string usage_text(const std::vector<CommandSpec>& commands) {
  std::ostringstream out;
  out << "usage: dosar [--archive DIR] [--catalog WHERE] [--index LOCATOR] COMMAND [OPTIONS] "
         "[ARGS]\n\ncommands:\n";
  for (const auto& c : commands) {
    std::string head = c.name + (c.arguments.empty() ? "" : " " + c.arguments);
    out << "  " << head;
    for (std::size_t pad = head.size(); pad < 34; ++pad) out << ' ';
    out << ' ' << c.summary << '\n';
  }
  out << "\n'dosar COMMAND --help' describes a command's options.\n";
  return out.str();
}

std::string command_help(const CommandSpec& c) {
  std::ostringstream out;
  out << "usage: dosar " << c.name << (c.arguments.empty() ? "" : " " + c.arguments) << "\n\n"
      << c.summary << "\n\noptions:\n";
  auto line = [&](const OptionSpec& o) {
    std::string head = o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    out << "  " << head;
    for (std::size_t pad = head.size(); pad < 24; ++pad) out << ' ';
    out << ' ' << o.help << '\n';
  };
  for (const auto& o : c.options) line(o);
  if (c.json) line({"--json", "", "print JSON instead of text"});
  for (const auto& o : global_options()) line(o);
  return out.str();
}

}  // namespace dosar::cli
