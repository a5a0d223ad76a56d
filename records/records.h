// Records management (Law 16/1996, Law 135/2007): the yearly nomenclator
// arhivistic, dossiers (unități arhivistice) and file codes, retention and
// legal hold, lawful disposal, the electronic sheet of a document and the
// yearly inventory. records/'s public header; the data lives behind
// storage/records_store.h.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/archive_store.h"
#include "storage/records_store.h"

namespace dosar::records {

// Limits on an imported nomenclator file (untrusted input).
struct NomenclatorLimits {
  std::size_t max_bytes = 16u << 20;
  std::size_t max_entries = 100'000;
  std::size_t max_field_bytes = 4096;
  int max_retention_years = 200;
};

// Parses a nomenclator CSV: UTF-8 (a BOM is skipped), header naming the
// columns department, code, title, retention, remarks in any order, RFC 4180
// quoting. Errors name `file`, the line and the reason: invalid_argument
// (missing or unknown column, empty field, bad retention, a code twice in the
// year), corrupt (not UTF-8, unterminated quote), limit_exceeded.
Result<std::vector<NomenclatorEntry>> parse_nomenclator_csv(std::string_view bytes, const std::string& file,
                                                            const NomenclatorLimits& limits = {});
// Parses the XML form (docs/formats/nomenclator-xml.md) with libxml2, no
// network, no entity expansion; any DTD is refused. `year`, when the file
// names one, must match. Errors as parse_nomenclator_csv, and unsupported
// (a DTD or entity, another format version).
Result<std::vector<NomenclatorEntry>> parse_nomenclator_xml(std::string_view bytes, const std::string& file,
                                                            int year, const NomenclatorLimits& limits = {});
// The CSV that parse_nomenclator_csv reads back to the same entries.
std::string nomenclator_csv(const std::vector<NomenclatorEntry>& entries);

// "permanent", or the number of years.
std::string retention_text(const std::optional<int>& years);
// The first day the dossier may be disposed of: 1 January after its year plus
// the term (YYYY-MM-DD); none for a permanent dossier.
std::optional<std::string> retention_end(const Dossier& dossier);
// "CODE/YEAR" -> (code, year). Errors: invalid_argument.
Result<std::pair<std::string, int>> parse_dossier_name(const std::string& name);

enum class CloseMode { year_over, force };

// The electronic sheet of a document (Law 135/2007, art. 5).
struct Sheet {
  DocumentId document_id = 0;
  std::string unique_id;  // "dosar:document:ID:sha256:<original blob>"
  std::string title;
  std::string owner;
  std::string issuer;
  std::string disposal_holder;  // holder of the right of disposal
  std::string document_type;
  std::string classification;
  std::string format;  // "PDF 1.7", "PDF/A-2b", "JPEG", ...
  std::string keywords;
  std::string paper_location;
  std::string issue_date;      // YYYY-MM-DD
  std::string archiving_date;  // YYYY-MM-DD (Bucharest) of admission
  std::string file_code;       // "CODE/YEAR", empty when none
  std::string retention;       // "permanent", "10 years", "" when unknown
  std::string disposed;        // "disposed on DATE by decision …", empty otherwise
  std::string last_verified;   // when every blob of it was last rehashed (fixity), empty when never
  std::vector<AuditRecord> history;
};
// The sheet's fields by name, in the order they are shown.
std::vector<std::pair<std::string, std::string>> sheet_entries(const Sheet& sheet);
// The sheet as XML (<sheet format="1" document="ID">, one element per field,
// then <history>), written with libxml2.
std::string sheet_xml(const Sheet& sheet);
// The free texts of a sheet a CNP may be written in (title, owner, issuer,
// disposal holder, classification, keywords, paper location, and the
// detail of each history event), for masking (persons::mask_cnps_for).
std::vector<std::string*> sheet_texts(Sheet& sheet);
// The fields `records sheet --set` accepts.
const std::vector<std::string>& settable_sheet_fields();

// One line of the yearly inventory.
struct InventoryLine {
  int number = 0;  // consecutive
  Dossier dossier;
};

class Records {
 public:
  // Errors: io, corrupt.
  static Result<std::unique_ptr<Records>> open(ArchiveStore& archive, const Clock& clock = system_clock());

  // Reads FILE (.xml: the XML form, else CSV) and stores it as the draft of
  // `year`. Errors: those of the parsers, io.
  Result<Nomenclator> import_nomenclator(const std::filesystem::path& file, int year,
                                         const std::string& actor);
  Result<Nomenclator> approve_nomenclator(int year, const std::string& reference, const std::string& actor);
  Result<Nomenclator> nomenclator(int year, int version) const;

  // The approved nomenclator entry of `code` for `year`. Errors: not_found
  // (no approved nomenclator, or the code is not in it).
  Result<NomenclatorEntry> approved_code(const std::string& code, int year) const;
  // The year a document belongs to: the Bucharest year it entered the archive.
  Result<int> document_year(DocumentId id) const;
  // Files document `id` under `code` of its year. Errors: not_found, conflict.
  Status assign(DocumentId id, const std::string& code, const std::string& actor);
  Result<std::vector<Dossier>> dossiers(int year) const;
  // Closes every open dossier of `year`, computing extreme dates, documents
  // and pages. Errors: conflict (year not over, without force), io.
  Result<std::vector<Dossier>> close_year(int year, CloseMode mode, const std::string& actor);
  Status reopen(const std::string& dossier, const std::string& reason, const std::string& actor);

  // Closed dossiers whose term has ended on `as_of` (YYYY-MM-DD).
  Result<std::vector<Dossier>> due(const std::string& as_of) const;
  // TARGET: a document id or a dossier CODE/YEAR.
  Result<Hold> add_hold(const std::string& target, const std::string& reason, const std::string& actor);
  Status remove_hold(const std::string& target, const std::string& reason, const std::string& actor);
  Result<std::vector<Hold>> holds() const;

  // Why `dossier` may not be disposed of today; empty when it may.
  Result<std::vector<std::string>> disposal_obstacles(const std::string& dossier) const;
  // Lawful disposal: refused whole (conflict, naming every ineligible dossier
  // and why) unless each is closed, due, not permanent and not held, nor any
  // of its documents. Stores `protocol` as a permanent document, records the
  // disposal in the catalogue, then unlinks the blobs no other document needs
  // and drops the documents from the search index.
  Result<Disposal> dispose(const std::vector<std::string>& dossiers, const std::string& decision,
                           const std::filesystem::path& protocol, const std::string& actor);
  // Unlinks the disposed blobs a crash left behind; returns how many.
  Result<std::size_t> finish_disposals();
  // "disposed on DATE by decision …" when document `id` was disposed of.
  Result<std::optional<std::string>> disposal_note(DocumentId id) const;

  Result<Sheet> sheet(DocumentId id) const;
  // Errors: invalid_argument (unknown field, bad date), not_found.
  Status set_sheet_field(DocumentId id, const std::string& field, const std::string& value,
                         const std::string& actor);

  // Closed and open dossiers of `year` (of one department when not empty).
  Result<std::vector<InventoryLine>> inventory(int year, const std::string& department) const;

  RecordsStore& store() { return *store_; }

 private:
  Records(ArchiveStore& archive, std::unique_ptr<RecordsStore> store, const Clock& clock)
      : archive_(archive), store_(std::move(store)), clock_(clock) {}
  std::string today() const;
  ArchiveStore& archive_;
  std::unique_ptr<RecordsStore> store_;
  const Clock& clock_;
};

// "05.01.2026 - 20.11.2026"; empty before the dossier is closed.
std::string extreme_dates(const Dossier& dossier);
// The inventory as CSV: nr_crt, indicativ (CODE/YEAR), continut, compartiment,
// date_extreme, documente, file (pages), termen_pastrare, stare.
std::string inventory_csv(const std::vector<InventoryLine>& lines);
// Writes the inventory as CSV (.csv) or a printable A4 PDF (.pdf), chosen by
// the extension. Errors: invalid_argument (other extension), io.
Status write_inventory(const std::vector<InventoryLine>& lines, int year, const std::string& department,
                       const std::filesystem::path& file);

}  // namespace dosar::records
