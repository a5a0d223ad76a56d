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
      {"--visible", "PAGE:X,Y", "a visible stamp on PAGE with its lower-left corner at X,Y points (default: invisible)"},
      {"--digest", "D", "sha256 (default), sha384 or sha512"},
      {"--pss", "", "RSA-PSS instead of PKCS#1 v1.5 for RSA keys"}};
  if (to_file) options.insert(options.begin(), {"-o", "OUT", "the signed PDF, or a .p7s for a detached signature"});
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
         {"--once", "", "take what is complete now, then exit"}},
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
         {"--restricted", "", "also sees restricted personal data of those departments"}},
        1,
        1,
        false},
       run_user_add},
      {{"user list", "", "list users", {}, 0, 0, true}, run_user_list},
      {{"sign-file", "IN", "sign a PDF into a new PDF (PAdES, invisible), or any file into OUT.p7s (CAdES detached)",
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
