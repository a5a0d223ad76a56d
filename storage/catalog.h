// The catalogue: documents, their versions and the audit trail. It is the
// truth of the archive together with the blobs; the index is derived from it.
// Every state change is committed in one transaction with its audit row, and
// audit rows form a SHA-256 hash chain (docs/formats/audit-chain.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace dosar {

using DocumentId = std::int64_t;

// Confidentiality levels; stored as their lowercase names.
inline constexpr const char* kConfidentialityLevels[] = {"public", "internal", "restricted-personal-data"};

struct Document {
  DocumentId id = 0;
  std::optional<std::string> registry_number;  // e.g. "1234/22.11.2026"
  std::string title;
  std::string document_type;
  std::string department;
  std::string confidentiality = "internal";
  std::optional<std::string> retention_class;
  std::string status = "active";
  std::string created_at;  // UTC ISO 8601
  std::string updated_at;
  int current_version = 0;
};

// A file derived from a version's original: extracted text, searchable PDF, thumbnail.
struct DerivedBlob {
  std::string kind;  // "text", "searchable-pdf", "thumbnail"
  std::string blob_id;
  std::uint64_t size = 0;
  std::string mime_type;
};

// One page of a version: whether its text came from the PDF's text layer or
// from OCR (or neither), and what OCR did and how sure it was.
struct PageInfo {
  int page = 0;                      // 1-based
  std::string text_source = "none";  // "text-layer", "ocr", "none"
  std::optional<double> ocr_confidence;
  int rotated_degrees = 0;
  double deskew_degrees = 0;
};

struct Version {
  DocumentId document_id = 0;
  int number = 0;
  std::string original_blob_id;
  std::string original_name;  // the file name as it arrived, exact bytes
  std::string mime_type;      // detected from content
  std::uint64_t size = 0;
  std::optional<int> page_count;
  std::optional<double> ocr_confidence;
  std::string author;
  std::string created_at;
  std::string comment;
  std::vector<DerivedBlob> derived;
  std::vector<std::string> warnings;  // recoverable oddities found on the way in
  std::vector<PageInfo> pages;
  // Set when the version was stored before its text was extracted: "queued",
  // "running", "done" or "failed" (see Derivation).
  std::optional<std::string> derivation_state;
};

// What a caller supplies for a new version; the catalogue numbers and dates it.
struct NewVersion {
  std::string original_blob_id;
  std::string original_name;
  std::string mime_type;
  std::uint64_t size = 0;
  std::optional<int> page_count;
  std::optional<double> ocr_confidence;
  std::string comment;
  std::vector<DerivedBlob> derived;
  std::vector<std::string> warnings;
  std::vector<PageInfo> pages;
  // Stored now, text and derived files made later by a derivation worker
  // (`derived` and `pages` are then empty).
  bool derivation_pending = false;
};

struct NewDocument {
  std::string title;
  std::string document_type;
  std::string department;
  std::string confidentiality = "internal";
  NewVersion first_version;
};

struct AuditRecord {
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;  // "document.create", "version.add", ...
  std::optional<DocumentId> document_id;
  std::string detail;  // JSON object
  std::string prev_hash;
  std::string hash;
};

struct AuditProblem {
  std::int64_t seq = 0;
  std::string message;
};

struct CreateOutcome {
  Document document;
  bool created = false;  // false: a version with the same original already existed
};

// A reference from the catalogue to a blob, for fixity checks.
struct BlobReference {
  std::string blob_id;
  std::uint64_t size = 0;
  std::string where;      // "document 12 version 3 original"
  bool disposed = false;  // of a document lawfully disposed of: the blob is expected absent
};

// A change waiting to reach the search index.
struct IndexWork {
  std::int64_t seq = 0;
  DocumentId document_id = 0;
};

// The derivation of a version stored with derivation_pending: extracting its
// text, OCR of its scanned pages, its searchable PDF. A worker claims it under
// a lease and renews the lease with each progress report; a worker that dies
// lets its lease run out and the derivation is claimed again.
struct Derivation {
  DocumentId document_id = 0;
  int version_number = 0;
  std::string state;  // "queued", "running", "done", "failed"
  int attempts = 0;   // claims so far
  std::string queued_at;
  std::optional<std::string> worker;  // the one that claimed it last
  std::optional<std::string> heartbeat_at;
  std::optional<std::string> finished_at;
  int pages_done = 0;
  int pages_total = 0;
  std::optional<std::string> error;       // of the last failed attempt
  std::optional<std::string> claimed_at;  // when the last claim began
  int pages_at_claim = 0;                 // pages already recorded then (resumed, not read again)
  int pages_recognized = 0;               // page recognitions recorded over all attempts
};

// A page of a running derivation that OCR has read, recorded at once so that
// a derivation taken over after its worker died resumes at the next page.
struct DerivationPage {
  int index = 0;  // 0-based
  std::string text;
  std::optional<double> ocr_confidence;
  int rotated_degrees = 0;
  double deskew_degrees = 0;
  std::string page_pdf;  // its one-page searchable PDF (bytes), kept in the catalogue; "" when none
  std::string worker;    // who read it
  std::string recorded_at;
};

// What a derivation made of a version.
struct DerivedData {
  std::optional<int> page_count;
  std::optional<double> ocr_confidence;
  std::vector<DerivedBlob> derived;
  std::vector<std::string> warnings;
  std::vector<PageInfo> pages;
};

// Someone who reads the archive; decides what searches show them.
struct User {
  std::string name;  // login name
  std::string display_name;
  bool all_departments = false;  // sees internal documents of every department
  std::vector<std::string> departments;
  bool restricted_access = false;  // may see restricted-personal-data of those departments
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Creates the document with its first version and audit row, unless a
  // version whose original is the same blob exists already; then returns that
  // document with created=false and changes nothing. Atomic also across
  // processes. Errors: invalid_argument, io; not_found when a blob it
  // references was removed by a lawful disposal after the caller stored it
  // (nothing is created; store the bytes again). The writers below (add_version,
  // complete_derivations) give the same not_found for the same reason.
  virtual Result<CreateOutcome> create_document_unless_duplicate(const NewDocument& document,
                                                                 const std::string& actor) = 0;

  // create_document_unless_duplicate for many documents in one transaction
  // (one durable commit for the batch). Outcomes in input order; a document
  // duplicating an earlier one of the same batch is reported as not created.
  // Errors: invalid_argument, not_found (nothing created), io.
  virtual Result<std::vector<CreateOutcome>> create_documents_unless_duplicate(
      const std::vector<NewDocument>& documents, const std::string& actor) = 0;

  // The first document not disposed of having a version whose original is `blob_id`, if any.
  virtual Result<std::optional<DocumentId>> find_document_with_original(const std::string& blob_id) const = 0;

  // Appends a version and makes it current. Errors: not_found, conflict (the
  // document was disposed of), io.
  virtual Result<Version> add_version(DocumentId id, const NewVersion& version, const std::string& actor) = 0;

  virtual Result<Document> document(DocumentId id) const = 0;  // Errors: not_found, io
  virtual Result<std::vector<Document>> documents() const = 0;
  // A page of documents, newest (highest id) first: at most `limit` of those
  // whose id is below `before` (from the newest when none). Costs one indexed
  // range read, whatever the catalogue's size. Errors: io.
  virtual Result<std::vector<Document>> documents_before(std::optional<DocumentId> before,
                                                         std::size_t limit) const = 0;
  virtual Result<std::vector<Version>> versions(DocumentId id) const = 0;  // not_found, io
  // Errors: not_found (document or version), io.
  virtual Result<Version> version(DocumentId id, int number) const = 0;

  // Audit rows in order; for one document when `id` is given.
  virtual Result<std::vector<AuditRecord>> audit_trail(std::optional<DocumentId> id) const = 0;
  // Recomputes every row's hash and link; an empty list means the chain is intact.
  virtual Result<std::vector<AuditProblem>> verify_audit_chain() const = 0;

  // Documents changed since the index last caught up, oldest first.
  virtual Result<std::vector<IndexWork>> pending_index_work(std::size_t limit) const = 0;
  // Forgets queued work up to and including `seq`, once the index has it.
  virtual Status mark_indexed(std::int64_t up_to_seq) = 0;
  // Queues every document (for a rebuild of the index).
  virtual Status queue_all_for_indexing() = 0;

  // Claims up to `limit` derivations for `worker`, oldest first: queued ones,
  // and running ones whose heartbeat is older than `lease` (their worker
  // died). A derivation claimed `max_attempts` times without finishing gets
  // one last try alone: it is claimed only by a worker that holds nothing
  // else, as the only derivation of the answer, and that worker is given
  // nothing more until it is over. If that try does not finish either, the
  // derivation is marked failed instead of claimed again: a file that
  // crashes its worker must not crash every worker after it, nor make the
  // derivations claimed with it fail. Claims running at once (other
  // connections, processes, machines) never take the same derivation; on
  // PostgreSQL they wait neither for each other nor for other writers, each
  // skipping what another is taking.
  virtual Result<std::vector<Derivation>> claim_derivations(const std::string& worker, std::size_t limit,
                                                            std::chrono::seconds lease, int max_attempts) = 0;
  // Records progress and renews the lease. Errors: conflict (the derivation
  // is no longer this worker's: its lease ran out and another took it).
  virtual Status record_derivation_progress(DocumentId id, int version, const std::string& worker,
                                            int pages_done, int pages_total) = 0;
  // Records pages OCR has read for a derivation `worker` holds, with the
  // progress, renewing the lease, in one transaction; each page's PDF is
  // stored with its row, for any worker to resume from. Errors: conflict (no longer this
  // worker's, or a page recorded already: nothing recorded), io.
  virtual Status record_derivation_pages(DocumentId id, int version, const std::string& worker,
                                         const std::vector<DerivationPage>& pages, int pages_done,
                                         int pages_total) = 0;
  // The pages recorded for a derivation not yet done, by index. Errors: io.
  virtual Result<std::vector<DerivationPage>> derivation_pages(DocumentId id, int version) const = 0;
  // Stores what derivations made (derived blobs, pages, warnings, OCR
  // confidence) with an audit row each, marks them done, forgets their
  // recorded pages and queues their documents for the index, in one
  // transaction. One outcome per entry: conflict for a derivation no longer
  // this worker's, not_found for one whose blob a disposal removed meanwhile
  // (give it back to be derived again); the others are stored. Errors: io
  // (nothing stored).
  struct CompletedDerivation {
    DocumentId document_id = 0;
    int version_number = 0;
    DerivedData data;
    int pages_resumed = 0;  // pages taken from earlier attempts (in the audit row)
    int pages_read = 0;     // pages OCR read in this attempt (in the audit row)
  };
  virtual Result<std::vector<Status>> complete_derivations(const std::vector<CompletedDerivation>& completed,
                                                           const std::string& worker,
                                                           const std::string& actor) = 0;
  // Gives the derivation back with the reason. Errors: conflict (no longer
  // this worker's), io.
  enum class GiveBack {
    retry,     // queued again; the attempt counts
    released,  // queued again; the attempt does not count (the worker was asked to stop)
    failed,    // failed for good (the file's own problem), with an audit row; its recorded pages go
  };
  virtual Status fail_derivation(DocumentId id, int version, const std::string& worker,
                                 const std::string& error, GiveBack how, const std::string& actor) = 0;
  // The derivation of one version; none when the version was derived as it
  // was stored. Errors: io.
  virtual Result<std::optional<Derivation>> derivation(DocumentId id, int version) const = 0;
  // Derivations, oldest first; only those not done when `unfinished_only`.
  virtual Result<std::vector<Derivation>> derivations(bool unfinished_only) const = 0;

  // Errors: conflict (name taken), invalid_argument.
  virtual Status add_user(const User& user, const std::string& actor) = 0;
  virtual Result<User> user(const std::string& name) const = 0;  // not_found
  virtual Result<std::vector<User>> users() const = 0;
  // Replaces the display name and what the user sees (departments, all
  // departments, restricted access); the name stays. Writes an audit row
  // "user.update" with the old and new values. Errors: not_found, io.
  virtual Status update_user(const User& user, const std::string& actor) = 0;

  // Departments (compartimente) known to the archive: those added, and those
  // named by users and documents; sorted, each once. Errors: io.
  virtual Result<std::vector<std::string>> departments() const = 0;
  // Errors: invalid_argument (empty, or over 200 bytes), conflict (known already), io.
  virtual Status add_department(const std::string& name, const std::string& actor) = 0;

  virtual Status for_each_blob_reference(const std::function<Status(const BlobReference&)>& visit) const = 0;

  // Structural self-check of the database engine (SQLite: integrity_check or
  // quick_check, foreign_key_check). Returns the problems found.
  virtual Result<std::vector<std::string>> check_structure(bool quick) const = 0;
};

// Where the catalogue lives: a SQLite file (the default, ARCHIVE/catalog.sqlite)
// or a PostgreSQL database shared by several machines. Written "sqlite:PATH"
// or as a libpq URI "postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE?…" (the
// global option --catalog, the key "catalog" of ARCHIVE/config.json).
struct CatalogLocation {
  enum class Engine { sqlite, postgresql } engine = Engine::sqlite;
  std::string target;  // the file, or the URI
  // Errors: invalid_argument (neither form).
  static Result<CatalogLocation> parse(const std::string& text);
  std::string to_string() const;  // as parse reads it
};

// Whether the blob store holds a blob (BlobStore::contains).
using BlobPresence = std::function<Result<bool>(const std::string& blob_id)>;

// SQLite catalogue in WAL mode with synchronous=FULL and foreign keys on.
// Creates the file and schema when `create` is true, else requires them.
// Applies pending migrations. `blob_present` lets writers check, under the
// write lock, that a blob a disposal meant to remove still exists before
// they reference it (ArchiveStore passes its blob store's; without it that
// check is skipped). Errors: not_found, corrupt, unsupported (made by a newer
// Dosar), io.
enum class OpenMode { create, existing };
Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const std::filesystem::path& file, OpenMode mode,
                                                     const Clock& clock = system_clock(),
                                                     BlobPresence blob_present = {});

// The same catalogue on a PostgreSQL database (same tables, same SQL): with
// OpenMode::create the database must hold no catalogue yet (conflict), with
// OpenMode::existing it must hold one (not_found). Writers are serialised by
// a transaction-scoped advisory lock, so several processes on several
// machines may share it. check_structure checks what SQL can (current
// versions exist); the server's own files are its administrator's. Errors:
// not_found (no such database), permission, conflict, unsupported (newer
// schema), io (server unreachable; named in the error).
Result<std::unique_ptr<Catalog>> open_postgresql_catalog(const std::string& uri, OpenMode mode,
                                                         const Clock& clock = system_clock(),
                                                         BlobPresence blob_present = {});

// open_sqlite_catalog or open_postgresql_catalog, as `where` says.
Result<std::unique_ptr<Catalog>> open_catalog(const CatalogLocation& where, OpenMode mode,
                                              const Clock& clock = system_clock(),
                                              BlobPresence blob_present = {});

}  // namespace dosar
