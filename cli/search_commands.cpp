// search, reindex, user add, user list.
#include <unistd.h>

#include <regex>
#include <set>
#include <sstream>

#include "cli/context.h"
#include "ingest/archive_index.h"
#include "persons/persons.h"
#include "storage/flow_store.h"

namespace dosar::cli {
namespace {

// Snippets carry HTML (<mark>, entities); on a terminal matched words are
// bold, elsewhere they are bracketed.
std::string render_snippet(const std::string& html, bool terminal) {
  std::string out = std::regex_replace(html, std::regex("<mark>"), terminal ? "\x1b[1m" : "[");
  out = std::regex_replace(out, std::regex("</mark>"), terminal ? "\x1b[0m" : "]");
  for (auto [entity, text] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}})
    out = std::regex_replace(out, std::regex(entity), text);
  return out;
}

Result<std::size_t> parse_count(const Context& c, const std::string& option, std::size_t fallback) {
  auto value = c.command.get(option);
  if (!value) return fallback;
  char* end = nullptr;
  long long n = std::strtoll(value->c_str(), &end, 10);
  if (value->empty() || *end != '\0' || n < 0)
    return make_error(ErrorCode::invalid_argument, option, "must be a number, not '" + *value + "'");
  return static_cast<std::size_t>(n);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    auto begin = item.find_first_not_of(' ');
    auto end = item.find_last_not_of(' ');
    if (begin != std::string::npos) out.push_back(item.substr(begin, end - begin + 1));
  }
  return out;
}

}  // namespace

ExitCode run_search(Context& c) {
  SearchRequest request;
  for (const std::string& word : c.command.positionals)
    request.query += (request.query.empty() ? "" : " ") + word;
  auto limit = parse_count(c, "--limit", 10);
  auto offset = parse_count(c, "--offset", 0);
  for (auto* parsed : {&limit, &offset})
    if (!parsed->ok()) {
      c.err << "dosar: " << parsed->error().to_string() << '\n';
      return ExitCode::usage;
    }
  request.limit = *limit;
  request.offset = *offset;
  request.all_versions = c.command.has("--all-versions");
  std::string sort = c.command.get("--sort").value_or("relevance");
  if (sort == "relevance")
    request.sort = SortOrder::relevance;
  else if (sort == "newest")
    request.sort = SortOrder::newest_first;
  else if (sort == "oldest")
    request.sort = SortOrder::oldest_first;
  else {
    c.err << "dosar: --sort must be relevance, newest or oldest\n";
    return ExitCode::usage;
  }
  if (auto purpose = c.command.get("--purpose"))
    if (Status known = persons::check_purpose(*purpose); !known.ok()) return c.fail(known.error());
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto result = search_archive(**archive, request, c.command.get("--as"));
  if (!result.ok()) {
    if (c.json) c.out << nlohmann::json{{"error", to_json(result.error())}}.dump() << '\n';
    return c.fail(result.error());
  }
  // A snippet shows a document's text: for a document in a person's file it
  // needs --purpose and is recorded (record_person_read), else it is
  // withheld; CNPs, in snippets and titles, stay masked unless the reader is
  // assigned to their person and gave a purpose.
  auto persons = persons::Persons::open(**archive);
  if (!persons.ok()) return c.fail(persons.error());
  const std::string reader = c.command.get("--as").value_or(c.actor());
  const std::string purpose = c.command.get("--purpose").value_or("");
  std::set<DocumentId> withheld;
  for (SearchHit& h : result->hits) {
    auto title = (*persons)->mask_cnps_for(h.title, reader, purpose);
    if (!title.ok()) return c.fail(title.error());
    h.title = std::move(title).value();
    if (h.snippet.empty()) continue;
    Status read = record_person_read(c, **persons, h.document_id, "search hit");
    if (!read.ok()) {
      if (read.error().code != ErrorCode::invalid_argument) return c.fail(read.error());
      h.snippet.clear();
      withheld.insert(h.document_id);
      continue;
    }
    auto snippet = (*persons)->mask_cnps_for(h.snippet, reader, purpose);
    if (!snippet.ok()) return c.fail(snippet.error());
    h.snippet = std::move(snippet).value();
  }
  if (c.json) {
    nlohmann::json j = to_json(*result);
    for (auto& hit : j["hits"]) hit["snippet_withheld"] = withheld.count(hit["id"].get<DocumentId>()) > 0;
    c.out << j.dump(2) << '\n';
    return ExitCode::ok;
  }
  bool terminal = ::isatty(STDOUT_FILENO) == 1;
  if (result->suggestion) c.out << "Ați vrut să spuneți: " << *result->suggestion << "?\n";
  if (result->relaxed)
    c.out << "Niciun document nu conține toate cuvintele; iată cele care conțin cele mai multe.\n";
  const char* about = result->exact ? "" : "aproximativ ";
  c.out << about << result->total << (result->total == 1 ? " document\n" : " documente\n");
  for (const SearchHit& h : result->hits) {
    c.out << "\n" << h.document_id;
    if (h.version > 0 && request.all_versions) c.out << " v" << h.version;
    c.out << "  " << h.title;
    if (!h.registry_number.empty()) c.out << "  nr. " << h.registry_number;
    c.out << "  (" << h.score << "%)\n";
    if (!h.snippet.empty()) c.out << "   " << render_snippet(h.snippet, terminal) << '\n';
    if (withheld.count(h.document_id))
      c.out << "   (fragment ascuns: documentul este în dosarul unei persoane; dați --purpose)\n";
  }
  for (const auto& [name, values] : result->facets) {
    if (values.empty()) continue;
    c.out << "\n" << name << ":";
    for (const FacetValue& v : values) c.out << "  " << v.value << " (" << about << v.count << ")";
  }
  c.out << '\n';
  return ExitCode::ok;
}

ExitCode run_reindex(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  if (c.command.has("--compact")) {
    auto compacted = compact_search_index(**archive);
    if (!compacted.ok()) return c.fail(compacted.error());
    c.out << "search index compacted: " << megabytes(compacted->bytes_before) << " -> "
          << megabytes(compacted->bytes_after) << "\n";
    return ExitCode::ok;
  }
  auto progress = [&](std::size_t done, std::size_t total) {
    if (c.err_is_terminal)
      c.err << "\rindexing: " << done << "/" << total << " documents" << (done == total ? "\n" : "")
            << std::flush;
  };
  Status rebuilt = rebuild_search_index(**archive, progress);
  if (!rebuilt.ok()) return c.fail(rebuilt.error());
  auto documents = (*archive)->catalog().documents();
  c.out << "search index rebuilt: " << (documents.ok() ? documents->size() : 0) << " documents\n";
  return ExitCode::ok;
}

ExitCode run_user_add(Context& c) {
  User user;
  user.name = c.command.positionals[0];
  user.display_name = c.command.get("--display-name").value_or("");
  user.departments = split_list(c.command.get("--departments").value_or(""));
  user.all_departments = c.command.has("--all-departments");
  user.restricted_access = c.command.has("--restricted");
  std::optional<std::string> password_hash;
  bool ldap = c.command.has("--ldap");
  if (ldap && c.command.has("--password-env")) {
    c.err << "dosar: user add: --ldap and --password-env exclude each other (the directory checks the "
             "password)\n";
    return ExitCode::usage;
  }
  if (auto variable = c.command.get("--password-env")) {
    auto hash = password_hash_from_env(*variable);
    if (!hash.ok()) return c.fail(hash.error());
    password_hash = std::move(hash).value();
  }
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  Status added = (*archive)->catalog().add_user(user, c.actor());
  if (!added.ok()) return c.fail(added.error());
  if (password_hash) {
    Status set = (*archive)->accounts().set_password_hash(user.name, *password_hash, c.actor());
    if (!set.ok()) return c.fail(set.error());
  }
  if (ldap) {
    Status set = (*archive)->accounts().set_authentication(user.name, Authentication::ldap, c.actor());
    if (!set.ok()) return c.fail(set.error());
  }
  // --role R: held in each of the user's departments, or in every one ("*").
  if (auto roles = c.command.get_all("--role"); !roles.empty()) {
    auto flows = open_flow_store(**archive);
    if (!flows.ok()) return c.fail(flows.error());
    std::vector<std::string> where =
        user.departments.empty() ? std::vector<std::string>{"*"} : user.departments;
    for (const std::string& role : roles)
      for (const std::string& department : where) {
        Status granted = (*flows)->add_role(user.name, role, department, c.actor());
        if (!granted.ok()) return c.fail(granted.error());
      }
  }
  c.out << "user " << user.name << " added"
        << (ldap            ? " (signs in to the web pages with the LDAP directory's password)"
            : password_hash ? " (may sign in to the web pages)"
                            : "")
        << "\n";
  return ExitCode::ok;
}

ExitCode run_user_list(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto users = (*archive)->catalog().users();
  if (!users.ok()) return c.fail(users.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const User& u : *users)
      list.push_back({{"name", u.name},
                      {"display_name", u.display_name},
                      {"all_departments", u.all_departments},
                      {"departments", u.departments},
                      {"restricted_access", u.restricted_access}});
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const User& u : *users) {
    c.out << u.name << "  " << (u.all_departments ? std::string("toate departamentele") : "");
    for (std::size_t i = 0; i < u.departments.size(); ++i) c.out << (i ? ", " : "") << u.departments[i];
    if (u.restricted_access) c.out << "  (date personale)";
    c.out << '\n';
  }
  return ExitCode::ok;
}

}  // namespace dosar::cli
