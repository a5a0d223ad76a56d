// What every subcommand gets (internal to cli/).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "api/json_shapes.h"
#include "base/result.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "ingest/derivation_runner.h"
#include "records/preservation.h"
#include "storage/archive_store.h"

namespace dosar::persons {
class Persons;
}

namespace dosar::cli {

struct Context {
  const ParsedCommand& command;
  std::ostream& out;
  std::ostream& err;
  std::filesystem::path archive_dir;
  bool json = false;
  bool err_is_terminal = false;  // progress bars only on a terminal
  // --blobs/--s3-endpoint: where `init` puts the blobs; any other command
  // checks that the archive's config.json says the same.
  std::optional<BlobsSetting> blobs;
  std::optional<CatalogLocation> catalog;  // --catalog: where init puts it, what open expects
  // --index: where the search index lives, set on every archive opened
  // (ingest/archive_index.h index_location); none: the archive's config.json.
  std::optional<std::string> index_locator;

  // Opens the archive or prints why not.
  Result<std::unique_ptr<ArchiveStore>> open_archive() const;
  // Prints "dosar: subject: message" and returns ExitCode::failed.
  ExitCode fail(const Error& error) const;
  // The person recorded as author and in the audit trail.
  std::string actor() const;
  // Parses a positional document id. Errors: invalid_argument.
  Result<DocumentId> document_id(std::size_t position) const;
};

// Parses the numeric option `name`, if given, into `out`: true when absent
// or a number in [low, high]; otherwise prints the usage error, false.
bool number_option(const Context& c, const std::string& name, std::uint64_t low, std::uint64_t high,
                   std::optional<std::uint64_t>& out);

// "12.3 MB" (decimal megabytes, as disks and `du --si` count).
std::string megabytes(std::uint64_t bytes);

// The archive opened and the document named by the first positional argument.
struct OpenedDocument {
  std::unique_ptr<ArchiveStore> archive;
  Document document;
};
Result<OpenedDocument> open_document(const Context& c);

// The user acting: `--as USER`, who must exist in the archive, else the
// account running dosar (Context::actor). Errors: not_found.
Result<std::string> acting_user(const Context& c, const Catalog& catalog);

using CommandFunction = ExitCode (*)(Context&);

ExitCode run_init(Context& c);
ExitCode run_ingest(Context& c);
ExitCode run_watch(Context& c);
ExitCode run_jobs(Context& c);
ExitCode run_jobs_run(Context& c);
ExitCode run_worker(Context& c);
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
ExitCode run_migrate(Context& c);
ExitCode run_user_add(Context& c);
ExitCode run_user_list(Context& c);
ExitCode run_user_passwd(Context& c);
ExitCode run_user_disable(Context& c);
ExitCode run_user_enable(Context& c);
ExitCode run_user_signing_key(Context& c);
ExitCode run_serve(Context& c);
ExitCode run_registry_add(Context& c);
ExitCode run_registry_assign(Context& c);
ExitCode run_registry_status(Context& c);
ExitCode run_registry_annul(Context& c);
ExitCode run_registry_extend(Context& c);
ExitCode run_registry_join(Context& c);
ExitCode run_registry_file(Context& c);
ExitCode run_registry_forward(Context& c);
ExitCode run_registry_forward_package(Context& c);  // forward with -o: the sealed package (issue 12)
ExitCode run_registry_receive(Context& c);
ExitCode run_registry_send(Context& c);
ExitCode run_registry_extend_544(Context& c);
ExitCode run_registry_refuse(Context& c);
ExitCode run_registry_show(Context& c);
ExitCode run_registry_list(Context& c);
ExitCode run_registry_overdue(Context& c);
ExitCode run_registry_lookup(Context& c);
ExitCode run_registry_receipt(Context& c);
ExitCode run_report_registry(Context& c);
ExitCode run_report_petitii(Context& c);
ExitCode run_report_l544(Context& c);
ExitCode run_registry_registers(Context& c);
ExitCode run_registry_register_add(Context& c);
ExitCode run_registry_kinds(Context& c);
ExitCode run_registry_kind_set(Context& c);
ExitCode run_flow_template(Context& c);
ExitCode run_flow_role(Context& c);
ExitCode run_flow_start(Context& c);
ExitCode run_flow_approve(Context& c);
ExitCode run_flow_reject(Context& c);
ExitCode run_flow_resubmit(Context& c);
ExitCode run_flow_cancel(Context& c);
ExitCode run_flow_inbox(Context& c);
ExitCode run_flow_show(Context& c);
ExitCode run_delegate(Context& c);
ExitCode run_backup(Context& c);
ExitCode run_backup_keygen(Context& c);
ExitCode run_backup_verify(Context& c);
ExitCode run_restore(Context& c);
ExitCode run_sign_file(Context& c);
ExitCode run_sign(Context& c);
ExitCode run_verify(Context& c);
ExitCode run_records_evidence(Context& c);
ExitCode run_records_verify_evidence(Context& c);
ExitCode run_records_export_bag(Context& c);
ExitCode run_records_import_bag(Context& c);
ExitCode run_records_provenance(Context& c);

// Starts the sampler of `dosar serve` / `dosar watch` from --fixity-period
// DAYS (default 90; 0: no sampler) and --fixity-max-blobs N; null when off.
// Errors: invalid_argument (a bad value).
Result<std::unique_ptr<records::FixitySampler>> start_fixity_sampler(const Context& c);

// The trusted roots of --trust DIR (default $DOSAR_TRUST_DIR; none: an empty
// store), asking OCSP responders when the command has --online.
Result<signing::TrustStorePtr> trust_from(const Context& c);
// The institution key (a seal) from --key/--pin-env, else records.seal_key
// and records.seal_pin_env of ARCHIVE/config.json; nullopt when none is set.
Result<std::optional<signing::SigningKey>> institution_key(const Context& c);

// The whole of a (small) file. Errors: not_found, io.
Result<std::string> read_whole(const std::filesystem::path& path);
// Writes next to `path` and renames, so that a failed write leaves no half file. Errors: io.
Status write_whole(const std::filesystem::path& path, const std::string& bytes);

ExitCode run_nomenclator_import(Context& c);
ExitCode run_nomenclator_approve(Context& c);
ExitCode run_nomenclator_list(Context& c);
ExitCode run_nomenclator_export(Context& c);
ExitCode run_records_assign(Context& c);
ExitCode run_records_close_year(Context& c);
ExitCode run_records_reopen(Context& c);
ExitCode run_records_dossiers(Context& c);
ExitCode run_records_due(Context& c);
ExitCode run_records_hold_add(Context& c);
ExitCode run_records_hold_remove(Context& c);
ExitCode run_records_hold_list(Context& c);
ExitCode run_records_dispose(Context& c);
ExitCode run_records_sheet(Context& c);
ExitCode run_records_inventory(Context& c);

// person … (cli/person_commands.cpp).
ExitCode run_person_add(Context& c);
ExitCode run_person_show(Context& c);
ExitCode run_person_find(Context& c);
ExitCode run_person_link(Context& c);
ExitCode run_person_unlink(Context& c);
ExitCode run_person_timeline(Context& c);
ExitCode run_person_assign(Context& c);
ExitCode run_person_access_report(Context& c);
ExitCode run_person_rectify(Context& c);
ExitCode run_person_household(Context& c);
ExitCode run_person_scan(Context& c);
ExitCode run_person_suggestions(Context& c);
ExitCode run_person_confirm(Context& c);
ExitCode run_person_export(Context& c);
ExitCode run_person_erasure_report(Context& c);
// A read at the command line of document `id`'s content (`show`,
// `versions`, `export`, a search snippet): when the document is in a
// person's file, `--purpose P` from persons::purposes() is required and the
// read goes into each linked person's access records, as the web's reads
// do; documents in no one's file need nothing. The reader is `--as USER`,
// else the account running dosar. Errors: invalid_argument (no purpose or
// one not in the list, naming the purposes), io.
Status record_person_read(const Context& c, ArchiveStore& archive, DocumentId id, const std::string& what);
// The same with the persons store already open (a search's hits: one
// connection for all of them).
Status record_person_read(const Context& c, persons::Persons& persons, DocumentId id,
                          const std::string& what);
// The same for anything a person link names (`kind` as PersonLink::kind, a
// registry entry's `registry show`), `subject` naming it in the message and
// the access records.
Status record_linked_person_read(const Context& c, persons::Persons& persons, const std::string& kind,
                                 std::int64_t target, const std::string& subject, const std::string& what);
// After `ingest` and `jobs run`: looks for CNPs and names of known persons in
// the text of `documents` and says how many link suggestions it stored. A
// failure is a warning: the documents are stored whatever it finds.
void suggest_person_links(const Context& c, ArchiveStore& archive, const std::vector<DocumentId>& documents);

// Records management seen from other commands (cli/records_commands.cpp).
// Files each stored document under `--file-code` (ingest, watch); empty
// without the option. Errors: not_found (the code is not in the approved
// nomenclator of this year), checked before anything is stored.
using FileCodeAssigner = std::function<Status(DocumentId)>;
Result<FileCodeAssigner> file_code_assigner(const Context& c, ArchiveStore& archive);
// `registry add --file-code`: checked before registering, stored after.
Status check_registry_file_code(const Context& c, ArchiveStore& archive);
Status store_registry_file_code(const Context& c, ArchiveStore& archive, const RegistryEntry& entry,
                                const std::string& actor);
// not_found "disposed on DATE by decision …" for a document disposed of.
Status check_not_disposed(ArchiveStore& archive, DocumentId id);
// Completes the blob removals of an interrupted disposal; returns how many.
Result<std::size_t> finish_disposals(ArchiveStore& archive);

// The scrypt hash of the password held in environment variable `variable`
// (never on the command line, where other users could read it).
// Errors: invalid_argument (unset, or too short).
Result<std::string> password_hash_from_env(const std::string& variable);

}  // namespace dosar::cli
