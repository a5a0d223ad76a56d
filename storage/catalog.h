// The catalogue: documents, their versions and the audit trail. It is the
// truth of the archive together with the blobs; the index is derived from it.
// Every state change is committed in one transaction with its audit row, and
// audit rows form a SHA-256 hash chain (docs/formats/audit-chain.md).
#pragma once

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
  // processes. Errors: invalid_argument, io.
  virtual Result<CreateOutcome> create_document_unless_duplicate(const NewDocument& document,
                                                                 const std::string& actor) = 0;

  // The first document not disposed of having a version whose original is `blob_id`, if any.
  virtual Result<std::optional<DocumentId>> find_document_with_original(const std::string& blob_id) const = 0;

  // Appends a version and makes it current. Errors: not_found, conflict (the
  // document was disposed of), io.
  virtual Result<Version> add_version(DocumentId id, const NewVersion& version, const std::string& actor) = 0;

  virtual Result<Document> document(DocumentId id) const = 0;  // Errors: not_found, io
  virtual Result<std::vector<Document>> documents() const = 0;
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

  // Errors: conflict (name taken), invalid_argument.
  virtual Status add_user(const User& user, const std::string& actor) = 0;
  virtual Result<User> user(const std::string& name) const = 0;  // not_found
  virtual Result<std::vector<User>> users() const = 0;

  virtual Status for_each_blob_reference(const std::function<Status(const BlobReference&)>& visit) const = 0;

  // Structural self-check of the database engine (SQLite: integrity_check or
  // quick_check, foreign_key_check). Returns the problems found.
  virtual Result<std::vector<std::string>> check_structure(bool quick) const = 0;
};

// SQLite catalogue in WAL mode with synchronous=FULL and foreign keys on.
// Creates the file and schema when `create` is true, else requires them.
// Applies pending migrations. Errors: not_found, corrupt, unsupported (made by
// a newer Dosar), io.
enum class OpenMode { create, existing };
Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const std::filesystem::path& file, OpenMode mode,
                                                     const Clock& clock = system_clock());

}  // namespace dosar
