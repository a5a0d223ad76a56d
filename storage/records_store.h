// Data access of records management: the yearly nomenclator (nomenclator
// arhivistic) and its versions, dossiers (unități arhivistice), the file code
// of each document and registry entry, legal holds, electronic-sheet fields
// and lawful disposals. The rules (which code is valid, when a dossier may be
// closed or disposed of) live in records/; this interface only stores and
// audits, each change in one transaction with its audit row. A second backend
// (PostgreSQL) implements this header and nothing else changes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

class ArchiveStore;

// One line of a nomenclator: a file code of a department and how long its
// dossiers are kept (no retention_years: permanently).
struct NomenclatorEntry {
  std::string department;
  std::string code;
  std::string title;
  std::optional<int> retention_years;
  std::string remarks;
  int line = 0;  // line of the source file, for messages
};

// One version of a year's nomenclator. An approved version never changes;
// importing again makes the next version (a draft).
struct Nomenclator {
  int year = 0;
  int version = 0;
  std::string state;   // draft, approved
  std::string source;  // the imported file's name
  std::string imported_by;
  std::string imported_at;  // UTC ISO 8601
  std::string approved_by;
  std::string approved_at;
  std::string reference;  // e.g. the National Archives' confirmation number
  std::vector<NomenclatorEntry> entries;
};

// A dossier: the documents of one file code in one year.
struct Dossier {
  std::string code;
  int year = 0;
  std::string title;
  std::string department;
  std::optional<int> retention_years;  // none: permanent
  std::string state;                   // open, closed, disposed
  std::string opened_at;
  std::string closed_at;   // empty while open
  std::string first_date;  // extreme dates (YYYY-MM-DD, Bucharest), set at closing
  std::string last_date;
  int documents = 0;
  int pages = 0;
  std::string reopen_reason;
  std::optional<std::int64_t> disposal_id;
};

// What records knows of one document.
struct DocumentRecord {
  DocumentId document_id = 0;
  std::string code;  // empty: no file code yet
  int year = 0;
  bool permanent = false;   // kept for ever whatever its dossier (a disposal protocol)
  std::string disposed_at;  // empty: not disposed
  std::optional<std::int64_t> disposal_id;
};

struct Hold {
  std::int64_t id = 0;
  std::optional<DocumentId> document_id;  // a document, or
  std::string code;                       // a dossier CODE/YEAR
  int year = 0;
  std::string reason;
  std::string added_by;
  std::string added_at;
};

// One line of a destruction list (kept for ever).
struct DisposedDocument {
  DocumentId document_id = 0;
  std::string code;
  int year = 0;
  std::string title;
  int versions = 0;
};

struct Disposal {
  std::int64_t id = 0;
  std::string decision;
  DocumentId protocol_document = 0;
  std::string at;
  std::string actor;
  std::vector<std::string> dossiers;  // "CODE/YEAR"
  std::vector<DisposedDocument> documents;
};

// A document of a dossier, with what closing and inventories need.
struct DossierDocument {
  DocumentId document_id = 0;
  std::string created_at;
  int pages = 0;
};

class RecordsStore {
 public:
  virtual ~RecordsStore() = default;

  // Stores `entries` as the draft of `year`: replaces an existing draft, else
  // starts the next version after the last approved one. Errors: io.
  virtual Result<Nomenclator> put_nomenclator_draft(int year, const std::vector<NomenclatorEntry>& entries,
                                                    const std::string& source, const std::string& actor) = 0;
  // Approves the draft of `year`. Errors: not_found (no draft), io.
  virtual Result<Nomenclator> approve_nomenclator(int year, const std::string& reference,
                                                  const std::string& actor) = 0;
  // A version of `year`'s nomenclator; the latest when `version` is 0. Errors: not_found, io.
  virtual Result<Nomenclator> nomenclator(int year, int version) const = 0;
  // The latest approved version of `year`. Errors: not_found, io.
  virtual Result<Nomenclator> approved_nomenclator(int year) const = 0;

  // Puts document `id` into dossier (code, year), opening it from `entry` when
  // it does not exist yet. Errors: not_found (document), conflict (the
  // dossier, or the document's present dossier, is not open; the document is
  // disposed of), io.
  virtual Status assign(DocumentId id, const NomenclatorEntry& entry, int year, const std::string& actor) = 0;
  // Records `id` as permanent (a disposal protocol). Errors: not_found, io.
  virtual Status mark_permanent(DocumentId id, const std::string& reason, const std::string& actor) = 0;
  // Errors: io. An unknown document is an empty record.
  virtual Result<DocumentRecord> document_record(DocumentId id) const = 0;

  virtual Result<std::vector<Dossier>> dossiers(int year) const = 0;             // every year when 0
  virtual Result<Dossier> dossier(const std::string& code, int year) const = 0;  // not_found, io
  virtual Result<std::vector<DossierDocument>> dossier_documents(const std::string& code, int year) const = 0;
  // Closes an open dossier with its extreme dates and counts. Errors:
  // not_found, conflict (not open), io.
  virtual Status close_dossier(const Dossier& closed, const std::string& actor) = 0;
  // Opens a closed dossier again. Errors: not_found, conflict (not closed), io.
  virtual Status reopen_dossier(const std::string& code, int year, const std::string& reason,
                                const std::string& actor) = 0;

  // Errors: not_found (document or dossier), conflict (already held), io.
  virtual Result<Hold> add_hold(const Hold& hold, const std::string& actor) = 0;
  // Errors: not_found (no such hold), io.
  virtual Status remove_hold(const Hold& target, const std::string& reason, const std::string& actor) = 0;
  virtual Result<std::vector<Hold>> holds() const = 0;

  // Disposes of the documents of `dossiers` in one transaction: marks them
  // and their dossiers disposed, keeps their destruction list, records as
  // expected-absent every blob of theirs that no other document references,
  // queues them for the index and writes the audit rows. The blobs are
  // unlinked afterwards (pending_unlinks). REQUIRES: the caller checked that
  // each dossier is eligible. Errors: conflict (a hold appeared meanwhile), io.
  virtual Result<Disposal> dispose(const std::vector<std::pair<std::string, int>>& dossiers,
                                   const std::string& decision, DocumentId protocol,
                                   const std::string& actor) = 0;
  virtual Result<std::vector<Disposal>> disposals() const = 0;
  virtual Result<Disposal> disposal(std::int64_t id) const = 0;  // not_found, io
  // Disposed blobs not yet unlinked.
  virtual Result<std::vector<std::string>> pending_unlinks() const = 0;
  // Under the catalogue's write lock: when no document that is not disposed
  // of references `blob`, calls `unlink` and records the blob unlinked;
  // otherwise (a live document took the same bytes since) forgets it as
  // disposed, and the blob stays. Holding the lock is what makes this safe
  // against a writer that found the blob present and is about to reference
  // it: the catalogue's writers re-check, under the same lock, that a blob
  // recorded here still exists (Catalog, "disposed meanwhile"). Returns
  // whether `unlink` ran. Errors: io, or unlink's.
  virtual Result<bool> unlink_unless_referenced(const std::string& blob,
                                                const std::function<Status()>& unlink) = 0;
  // Every blob recorded as expected-absent after a disposal.
  virtual Result<std::set<std::string>> disposed_blobs() const = 0;

  // Settable fields of the electronic sheet. Errors: not_found (document), io.
  virtual Result<std::map<std::string, std::string>> sheet_fields(DocumentId id) const = 0;
  virtual Status set_sheet_field(DocumentId id, const std::string& field, const std::string& value,
                                 const std::string& actor) = 0;

  // The file code of a registry entry. Errors: not_found (entry), io.
  virtual Status set_entry_file_code(std::int64_t entry_id, const std::string& code, int year,
                                     const std::string& actor) = 0;
};

// The SQLite records store of an archive: a second connection to its
// catalogue (migration 7 made the tables). Errors: io, corrupt.
Result<std::unique_ptr<RecordsStore>> open_records_store(const ArchiveStore& archive,
                                                         const Clock& clock = system_clock());

}  // namespace dosar
