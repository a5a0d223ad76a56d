#include "cli/cli.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/context.h"

namespace dosar::cli {
namespace {

struct Entry {
  CommandSpec spec;
  CommandFunction function;
};

std::vector<OptionSpec> sign_options(bool to_file) {
  std::vector<OptionSpec> options = {
      {"--key", "KEY", "the signer's key: a PKCS#12 file, or a token object 'pkcs11:token=T;object=O'"},
      {"--pin-env", "VAR", "environment variable holding the PKCS#12 password or the token PIN"},
      {"--chain", "FILE", "PEM certificates to embed with a token key (its CA chain)"},
      {"--level", "L",
       "B-B (default), B-T (timestamp from --tsa), B-LT (also certificates and --crls in a DSS), "
       "B-LTA (then a document timestamp)"},
      {"--tsa", "URL", "RFC 3161 timestamp authority"},
      {"--crls", "DIR", "folder of CRLs (PEM) embedded for B-LT"},
      {"--reason", "R", "reason written in the signature"},
      {"--visible", "PAGE:X,Y",
       "a visible stamp on PAGE with its lower-left corner at X,Y points (default: invisible)"},
      {"--digest", "D", "sha256 (default), sha384 or sha512"},
      {"--pss", "", "RSA-PSS instead of PKCS#1 v1.5 for RSA keys"}};
  if (to_file)
    options.insert(options.begin(), {"-o", "OUT", "the signed PDF, or a .p7s for a detached signature"});
  return options;
}

const std::vector<Entry>& command_table() {
  static const std::vector<Entry> table = {
      {{"init", "", "create an empty archive", {}, 0, 0, false}, run_init},
      {{"ingest",
        "PATH...",
        "store files and folders (recursively) as new documents",
        {{"--title", "T", "title of the new documents (default: the file name)"},
         {"--type", "T", "document type"},
         {"--department", "D", "department"},
         {"--confidentiality", "C", "public, internal (default) or restricted-personal-data"},
         {"--jobs", "N", "files prepared in parallel (default: number of cores)"},
         {"--languages", "L", "OCR languages, Tesseract names (default ron+eng)"},
         {"--no-ocr", "", "do not OCR scanned pages"}},
        1,
        SIZE_MAX,
        true},
       run_ingest},
      {{"watch",
        "DIR",
        "ingest files that land in DIR (a scanner's hot folder); move them to DIR/done or DIR/failed",
        {{"--type", "T", "document type"},
         {"--department", "D", "department"},
         {"--confidentiality", "C", "public, internal (default) or restricted-personal-data"},
         {"--languages", "L", "OCR languages, Tesseract names (default ron+eng)"},
         {"--no-ocr", "", "do not OCR scanned pages"},
         {"--settle", "S", "seconds a file must stay unchanged before it is taken (default 5)"},
         {"--once", "", "take what is complete now, then exit"},
         {"--fixity-period", "DAYS",
          "re-verify every blob at least once in DAYS (default 90; 0: no sampler)"},
         {"--fixity-max-blobs", "N", "most blobs one daily fixity run verifies (default 20000)"}},
        1,
        1,
        true},
       run_watch},
      {{"list", "", "list documents", {}, 0, 0, true}, run_list},
      {{"show", "ID", "show a document and its current version", {}, 1, 1, true}, run_show},
      {{"versions", "ID", "list every version of a document", {}, 1, 1, true}, run_versions},
      {{"add-version",
        "ID FILE",
        "add a new version of a document",
        {{"--comment", "C", "why this version was made"}},
        2,
        2,
        true},
       run_add_version},
      {{"export",
        "ID",
        "write a stored version, byte for byte",
        {{"--version", "N", "version number (default: current)"},
         {"--what", "W", "original (default), text, or pdf (the searchable PDF of a scan)"},
         {"-o", "FILE", "output file ('-' for standard output)"}},
        1,
        1,
        false},
       run_export},
      {{"check",
        "",
        "fixity check: rehash blobs, check references and the audit chain",
        {{"--quick", "", "skip rehashing blob contents"}},
        0,
        0,
        true},
       run_check},
      {{"audit", "[ID]", "show the audit trail, of one document or of the archive", {}, 0, 1, true},
       run_audit},
      {{"audit verify", "", "verify the audit hash chain", {}, 0, 0, true}, run_audit_verify},
      {{"search",
        "QUERY...",
        "full-text search (see README for the query language)",
        {{"--limit", "N", "results per page (default 10)"},
         {"--offset", "N", "results to skip"},
         {"--as", "USER", "search with USER's permissions"},
         {"--all-versions", "", "also search old versions"},
         {"--sort", "S", "relevance (default), newest or oldest"}},
        1,
        SIZE_MAX,
        true},
       run_search},
      {{"reindex", "", "rebuild the search index from the catalogue", {}, 0, 0, false}, run_reindex},
      {{"user add",
        "NAME",
        "add a user who may search the archive",
        {{"--display-name", "N", "full name"},
         {"--departments", "D,D", "departments whose internal documents the user sees"},
         {"--all-departments", "", "sees internal documents of every department"},
         {"--restricted", "", "also sees restricted personal data of those departments"},
         {"--password-env", "VAR", "environment variable holding the password for the web pages"}},
        1,
        1,
        false},
       run_user_add},
      {{"user list", "", "list users", {}, 0, 0, true}, run_user_list},
      {{"user passwd",
        "NAME",
        "set a user's password for the web pages (ends their sessions' lock-out)",
        {{"--password-env", "VAR", "environment variable holding the new password (required)"}},
        1,
        1,
        false},
       run_user_passwd},
      {{"user disable", "NAME", "stop a user from signing in; ends their sessions", {}, 1, 1, false},
       run_user_disable},
      {{"user enable", "NAME", "let a disabled user sign in again", {}, 1, 1, false}, run_user_enable},
      {{"user signing-key",
        "NAME",
        "keep NAME's signing key on the server, for approving from the web pages (the PIN is never stored)",
        {{"--key", "FILE|URI", "a .p12 file (copied, still encrypted) or a pkcs11: URI"},
         {"--chain", "FILE", "PEM certificates of the chain, for a token key"}},
        1,
        1,
        false},
       run_user_signing_key},
      {{"serve",
        "",
        "serve the web pages and the HTTP API",
        {{"--listen", "ADDR:PORT", "where to listen (default 127.0.0.1:8080)"},
         {"--max-upload-mb", "N", "largest upload accepted (default 512)"},
         {"--threads", "N", "requests served at once (default 8)"},
         {"--tls-cert", "FILE", "PEM certificate: serve HTTPS directly"},
         {"--tls-key", "FILE", "PEM private key of --tls-cert"},
         {"--no-ocr", "", "do not OCR uploaded scans"},
         {"--trust", "DIR", "trusted roots (and CRLs) for signature verdicts (default $DOSAR_TRUST_DIR)"},
         {"--fixity-period", "DAYS",
          "re-verify every blob at least once in DAYS (default 90; 0: no sampler)"},
         {"--fixity-max-blobs", "N", "most blobs one daily fixity run verifies (default 20000)"}},
        0,
        0,
        false},
       run_serve},
      {{"records evidence",
        "ID",
        "write a self-contained report that document ID is unchanged since admission (sealed with the "
        "institution key when one is configured)",
        {{"-o", "FILE", "the JSON report (the seal goes to FILE.p7s)"},
         {"--key", "KEY",
          "the institution key: a PKCS#12 file or a pkcs11: URI (default: records.seal_key of "
          "ARCHIVE/config.json)"},
         {"--pin-env", "VAR",
          "environment variable holding its password or PIN (default: records.seal_pin_env)"},
         {"--chain", "FILE", "PEM certificates to embed with a token key"},
         {"--trust", "DIR", "trusted roots for the validation of the document's signatures"}},
        1,
        1,
        false},
       run_records_evidence},
      {{"records verify-evidence",
        "FILE",
        "check an evidence report offline: every audit link, fixity proof and, with --seal, its seal",
        {{"--seal", "FILE.p7s", "the CAdES seal (default: FILE.p7s when it exists)"},
         {"--trust", "DIR", "trusted roots for the seal"}},
        1,
        1,
        true},
       run_records_verify_evidence},
      {{"records export-bag",
        "",
        "write a BagIt preservation package (RFC 8493) with one METS document per dossier",
        {{"-o", "DIR", "the bag (a new directory)"},
         {"--document", "ID", "a document to include, as its own dossier doc-ID (repeatable)"},
         {"--trust", "DIR", "trusted roots for the validation of signatures recorded in the METS"}},
        0,
        0,
        false},
       run_records_export_bag},
      {{"records import-bag",
        "DIR",
        "read a bag made by export-bag into an empty archive, with identical bytes and history",
        {},
        1,
        1,
        false},
       run_records_import_bag},
      {{"records provenance",
        "ID",
        "the history a document brought from the bag it was imported from (audit rows, fixity, signatures)",
        {},
        1,
        1,
        true},
       run_records_provenance},
      {{"registry add",
        "",
        "register a document: next number of the register, deadline from its kind, citizen access code",
        {{"--register", "R", "register (default intrare; see `registry registers`)"},
         {"--kind", "K", "document kind (see `registry kinds`); sets the deadline"},
         {"--sender", "NAME", "sender: person or institution (restricted personal data)"},
         {"--contact", "C", "sender's address or e-mail (restricted personal data)"},
         {"--subject", "T", "what the document is about"},
         {"--channel", "C", "ghiseu (default), posta, email or online"},
         {"--doc", "ID", "attached document (repeatable); must exist"},
         {"--date", "DATE", "date written on the document, not in the future"},
         {"--answers", "NR", "the request this document answers (marks it answered)"},
         {"--as", "USER", "acting user"}},
        0,
        0,
        true},
       run_registry_add},
      {{"registry assign",
        "NR",
        "route an entry to a department and optionally a person of it",
        {{"--department", "D", "department"},
         {"--to", "USER", "person of that department"},
         {"--register", "R", "register, when NR exists in several"},
         {"--as", "USER", "acting user"}},
        1,
        1,
        true},
       run_registry_assign},
      {{"registry status",
        "NR STATUS",
        "move an entry on: in-progress, answered, closed, archived",
        {{"--note", "N", "comment kept in the history"},
         {"--register", "R", "register, when NR exists in several"},
         {"--as", "USER", "acting user"}},
        2,
        2,
        true},
       run_registry_status},
      {{"registry annul",
        "NR",
        "annul an entry; its number stays taken",
        {{"--reason", "R", "why (required)"},
         {"--register", "R", "register, when NR exists in several"},
         {"--as", "USER", "acting user"}},
        1,
        1,
        true},
       run_registry_annul},
      {{"registry extend",
        "NR",
        "extend an entry's deadline, with a justification",
        {{"--until", "DATE", "new deadline"},
         {"--reason", "J", "justification (required)"},
         {"--register", "R", "register, when NR exists in several"},
         {"--as", "USER", "acting user"}},
        1,
        1,
        true},
       run_registry_extend},
      {{"registry show",
        "NR",
        "show an entry and its history",
        {{"--register", "R", "register, when NR exists in several"},
         {"--as", "USER", "show with USER's rights (sender hidden without restricted access)"}},
        1,
        1,
        true},
       run_registry_show},
      {{"registry list",
        "",
        "list entries",
        {{"--register", "R", "only this register"},
         {"--year", "Y", "only this year"},
         {"--as", "USER", "show with USER's rights"}},
        0,
        0,
        true},
       run_registry_list},
      {{"registry overdue",
        "",
        "open entries that are late or due within N days",
        {{"--within", "N", "days ahead (default 0: late or due today)"},
         {"--department", "D", "only entries assigned to department D"},
         {"--as", "USER", "show with USER's rights"}},
        0,
        0,
        true},
       run_registry_overdue},
      {{"registry lookup",
        "NUMBER CODE",
        "what a citizen sees: route and status, nothing personal; wrong codes are limited and logged",
        {},
        2,
        2,
        true},
       run_registry_lookup},
      {{"registry receipt",
        "NR",
        "write the one-page PDF receipt for the citizen",
        {{"-o", "FILE", "output PDF"},
         {"--code", "CODE", "the entry's access code; without it a new code replaces the old one"},
         {"--institution", "NAME", "institution printed at the top"},
         {"--register", "R", "register, when NR exists in several"},
         {"--as", "USER", "acting user"}},
        1,
        1,
        false},
       run_registry_receipt},
      {{"registry registers", "", "list registers", {}, 0, 0, true}, run_registry_registers},
      {{"registry register-add",
        "NAME",
        "add a register",
        {{"--label", "L", "what it holds"}, {"--as", "USER", "acting user"}},
        1,
        1,
        false},
       run_registry_register_add},
      {{"registry kinds", "", "list document kinds and their deadlines", {}, 0, 0, true}, run_registry_kinds},
      {{"registry kind-set",
        "NAME",
        "add a document kind or change its deadline (entries already registered keep theirs)",
        {{"--days", "N", "deadline in calendar days"},
         {"--label", "L", "name shown to people"},
         {"--basis", "B", "legal basis of the deadline"},
         {"--as", "USER", "acting user"}},
        1,
        1,
        false},
       run_registry_kind_set},
      {{"flow template",
        "KIND",
        "set the approval template of a document kind",
        {{"--step", "SPEC",
          "one position, in order (repeatable): LABEL=USER,USER or LABEL=@ROLE/DEPARTMENT; "
          "parallel steps joined with '+'"},
         {"--as", "USER", "acting user"}},
        1,
        1,
        false},
       run_flow_template},
      {{"flow role",
        "USER ROLE DEPARTMENT",
        "give USER a role in a department (e.g. sef Juridic)",
        {{"--as", "USER", "acting user"}},
        3,
        3,
        false},
       run_flow_role},
      {{"flow start",
        "DOC",
        "start approving a document's current version",
        {{"--kind", "K", "template (default: the document's type)"}, {"--as", "USER", "author"}},
        1,
        1,
        true},
       run_flow_start},
      {{"flow approve",
        "FLOW",
        "approve your pending step; with --key the document is signed (PAdES, a new version)",
        {{"--version", "N", "the version you reviewed (refused when superseded)"},
         {"--as", "USER", "approver"},
         {"--key", "FILE|URI",
          "your signing key: a .p12 file or a pkcs11: URI (without: recorded, not signed)"},
         {"--pin-env", "VAR", "environment variable holding the key's PIN or password"},
         {"--chain", "FILE", "PEM certificates of the chain, for a token key"},
         {"--level", "L", "B-B (default), B-T, B-LT or B-LTA"},
         {"--tsa", "URL", "time-stamping authority, for B-T and above"},
         {"--crls", "DIR", "CRLs to embed, for B-LT and B-LTA"},
         {"--visible", "PAGE:X,Y", "a visible stamp there"}},
        1,
        1,
        true},
       run_flow_approve},
      {{"flow reject",
        "FLOW",
        "return the document to its author",
        {{"--comment", "C", "what to change (required)"}, {"--as", "USER", "approver"}},
        1,
        1,
        true},
       run_flow_reject},
      {{"flow resubmit",
        "FLOW [FILE]",
        "after a rejection: submit a new version (FILE, or one already added); restarts at the rejecting "
        "step",
        {{"--comment", "C", "what changed"}, {"--as", "USER", "author"}},
        1,
        2,
        true},
       run_flow_resubmit},
      {{"flow cancel",
        "FLOW",
        "cancel a running flow",
        {{"--reason", "R", "why (required)"}, {"--as", "USER", "author"}},
        1,
        1,
        true},
       run_flow_cancel},
      {{"flow inbox",
        "",
        "steps waiting for you (also as a deputy)",
        {{"--as", "USER", "whose inbox"}},
        0,
        0,
        true},
       run_flow_inbox},
      {{"flow show", "FLOW", "a flow, its steps and its history", {}, 1, 1, true}, run_flow_show},
      {{"delegate",
        "FROM TO",
        "TO approves on FROM's behalf between two dates",
        {{"--from", "DATE", "first day (YYYY-MM-DD)"},
         {"--until", "DATE", "last day (YYYY-MM-DD)"},
         {"--as", "USER", "acting user"}},
        2,
        2,
        false},
       run_delegate},
      {{"backup",
        "",
        "encrypted, incremental backup to S3-compatible storage (credentials: AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY)",
        {{"--to", "s3://BUCKET/PREFIX", "where the backup goes"},
         {"--endpoint", "URL", "S3 server (default https://s3.REGION.amazonaws.com); path-style requests"},
         {"--region", "R", "region for request signing (default us-east-1)"},
         {"--key-file", "FILE", "key made by `dosar backup keygen`"},
         {"--passphrase-env", "VAR", "environment variable holding a passphrase (scrypt)"},
         {"--jobs", "N", "parallel uploads (default 4)"},
         {"--keep", "N", "keep the newest N generations; delete older ones and what only they use"}},
        0,
        0,
        true},
       run_backup},
      {{"backup keygen",
        "FILE",
        "write a new random backup key (mode 0600; never overwrites)",
        {},
        1,
        1,
        false},
       run_backup_keygen},
      {{"backup verify",
        "",
        "check that every object of a backup generation exists (and with --read-data decrypts and hashes "
        "right)",
        {{"--from", "s3://BUCKET/PREFIX", "the backup"},
         {"--endpoint", "URL", "S3 server"},
         {"--region", "R", "region for request signing (default us-east-1)"},
         {"--key-file", "FILE", "the backup's key file"},
         {"--passphrase-env", "VAR", "environment variable holding the passphrase"},
         {"--jobs", "N", "parallel downloads (default 4)"},
         {"--at", "GENERATION", "generation to check (default: the newest)"},
         {"--read-data", "", "download, decrypt and rehash every object"}},
        0,
        0,
        true},
       run_backup_verify},
      {{"restore",
        "",
        "rebuild an archive from a backup into an empty directory",
        {{"--from", "s3://BUCKET/PREFIX", "the backup"},
         {"--to", "DIR", "an empty or new directory"},
         {"--endpoint", "URL", "S3 server"},
         {"--region", "R", "region for request signing (default us-east-1)"},
         {"--key-file", "FILE", "the backup's key file"},
         {"--passphrase-env", "VAR", "environment variable holding the passphrase"},
         {"--jobs", "N", "parallel downloads (default 4)"},
         {"--at", "GENERATION", "generation to restore (default: the newest)"}},
        0,
        0,
        true},
       run_restore},
      {{"sign-file", "IN",
        "sign a PDF into a new PDF (PAdES, invisible), or any file into OUT.p7s (CAdES detached)",
        sign_options(true), 1, 1, true},
       run_sign_file},
      {{"sign", "ID", "sign the current version of a document; the signed PDF becomes a new version",
        sign_options(false), 1, 1, true},
       run_sign},
      {{"verify",
        "FILE|ID",
        "validate every signature of a PDF file or of a document's current version, or a .p7s",
        {{"--trust", "DIR", "folder of trusted CA certificates and CRLs in PEM (default $DOSAR_TRUST_DIR)"},
         {"--content", "FILE", "FILE|ID is a .p7s: the file it signs"},
         {"--online", "", "also ask each signer certificate's OCSP responder (network)"}},
        1,
        1,
        true},
       run_verify},
  };
  return table;
}

std::vector<CommandSpec> specs() {
  std::vector<CommandSpec> out;
  for (const auto& e : command_table()) out.push_back(e.spec);
  return out;
}

}  // namespace

Result<std::unique_ptr<ArchiveStore>> Context::open_archive() const {
  return ArchiveStore::open(archive_dir);
}

ExitCode Context::fail(const Error& error) const {
  err << "dosar: " << error.to_string() << '\n';
  return ExitCode::failed;
}

std::string Context::actor() const {
  if (const char* user = std::getenv("DOSAR_USER"); user && *user) return user;
  if (struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "uid:" + std::to_string(::geteuid());
}

Result<DocumentId> Context::document_id(std::size_t position) const {
  const std::string& text = command.positionals.at(position);
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value <= 0)
    return make_error(ErrorCode::invalid_argument, text, "is not a document id (a positive number)");
  return static_cast<DocumentId>(value);
}

Result<OpenedDocument> open_document(const Context& c) {
  auto id = c.document_id(0);
  if (!id.ok()) return id.error();
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  auto document = (*archive)->catalog().document(*id);
  if (!document.ok()) return document.error();
  return OpenedDocument{std::move(archive).value(), std::move(document).value()};
}

Result<std::string> acting_user(const Context& c, const Catalog& catalog) {
  auto as = c.command.get("--as");
  if (!as) return c.actor();
  auto user = catalog.user(*as);
  if (!user.ok()) return user.error();
  return *as;
}

ExitCode run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const auto all = specs();
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << usage_text(all);
    return args.empty() ? ExitCode::usage : ExitCode::ok;
  }
  if (args[0] == "--version") {
    out << "dosar " << DOSAR_VERSION << '\n';
    return ExitCode::ok;
  }
  auto parsed = parse_command_line(args, all);
  if (!parsed.ok()) {
    err << "dosar: " << parsed.error().message << "\n\n" << usage_text(all);
    return ExitCode::usage;
  }
  if (parsed->has("--help")) {
    out << command_help(*parsed->spec);
    return ExitCode::ok;
  }
  std::filesystem::path archive = "archive";
  if (const char* env = std::getenv("DOSAR_ARCHIVE"); env && *env) archive = env;
  if (auto a = parsed->get("--archive")) archive = *a;

  Context context{
      *parsed, out, err, archive, parsed->has("--json"), &err == &std::cerr && ::isatty(STDERR_FILENO) == 1};
  for (const auto& e : command_table())
    if (e.spec.name == parsed->spec->name) return e.function(context);
  return ExitCode::usage;
}

}  // namespace dosar::cli
