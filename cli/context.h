// What every subcommand gets (internal to cli/).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/result.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "storage/archive_store.h"

namespace dosar::cli {

struct Context {
  const ParsedCommand& command;
  std::ostream& out;
  std::ostream& err;
  std::filesystem::path archive_dir;
  bool json = false;
  bool err_is_terminal = false;  // progress bars only on a terminal

  // Opens the archive or prints why not.
  Result<std::unique_ptr<ArchiveStore>> open_archive() const;
  // Prints "dosar: subject: message" and returns ExitCode::failed.
  ExitCode fail(const Error& error) const;
  // The person recorded as author and in the audit trail.
  std::string actor() const;
  // Parses a positional document id. Errors: invalid_argument.
  Result<DocumentId> document_id(std::size_t position) const;
};

// The archive opened and the document named by the first positional argument.
struct OpenedDocument {
  std::unique_ptr<ArchiveStore> archive;
  Document document;
};
Result<OpenedDocument> open_document(const Context& c);

using CommandFunction = ExitCode (*)(Context&);

ExitCode run_init(Context& c);
ExitCode run_ingest(Context& c);
ExitCode run_watch(Context& c);
ExitCode run_list(Context& c);
ExitCode run_show(Context& c);
ExitCode run_versions(Context& c);
ExitCode run_add_version(Context& c);
ExitCode run_export(Context& c);
ExitCode run_check(Context& c);
ExitCode run_audit(Context& c);
ExitCode run_audit_verify(Context& c);
ExitCode run_search(Context& c);
ExitCode run_reindex(Context& c);
ExitCode run_user_add(Context& c);
ExitCode run_user_list(Context& c);
ExitCode run_sign_file(Context& c);
ExitCode run_sign(Context& c);
ExitCode run_verify(Context& c);

// JSON shapes shared by several commands.
nlohmann::json to_json(const Document& d);
nlohmann::json to_json(const Version& v);
nlohmann::json to_json(const AuditRecord& r);
nlohmann::json to_json(const Error& e);

}  // namespace dosar::cli
