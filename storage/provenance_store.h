// Data access of imported provenance: the history (audit rows, PREMIS
// events) a document brought with it from another archive in a preservation
// package, kept readable beside the audit row that records the import. A
// second backend implements this header.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

class ArchiveStore;

struct ImportedProvenance {
  DocumentId document_id = 0;
  std::string imported_at;
  std::string source;          // the package it came from
  DocumentId original_id = 0;  // its id in the archive it came from
  std::string provenance;      // JSON: {"audit": [...], "fixity": [...], ...}
};

class ProvenanceStore {
 public:
  virtual ~ProvenanceStore() = default;
  // Keeps the provenance and appends the audit row "records.import" (detail:
  // source, original id, SHA-256 of the provenance) in one transaction.
  // Errors: not_found (document), conflict (already has one), io.
  virtual Status record_import(const ImportedProvenance& provenance, const std::string& actor) = 0;
  virtual Result<std::optional<ImportedProvenance>> imported(DocumentId document) const = 0;
};

// The store of an archive: another connection to its catalogue, SQLite or
// PostgreSQL (migration 8 made the table). Errors: not_found, permission, io,
// corrupt.
Result<std::unique_ptr<ProvenanceStore>> open_provenance_store(const ArchiveStore& archive,
                                                               const Clock& clock = system_clock());

}  // namespace dosar
