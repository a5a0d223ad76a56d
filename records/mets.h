// METS documents with PREMIS events, written with libxml2 (internal to records/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "records/preservation.h"

namespace dosar::records {

struct PremisEvent {
  std::string identifier_type;  // "dosar-audit-seq", "dosar-fixity-run", "dosar-signature-validation"
  std::string identifier;
  std::string type;  // PREMIS event type: ingestion, fixity check, digital signature validation, ...
  std::string at;    // UTC ISO 8601
  std::string detail;
  std::string outcome;
  std::vector<std::string> objects;  // SHA-256 of the files it concerns
};

struct MetsFileEntry {
  std::string id;
  std::string use;   // "original", "derived"
  std::string href;  // relative to the METS document
  std::string sha256;
  std::string mime_type;
  std::uint64_t size = 0;
};

struct MetsDocumentPart {
  DocumentId id = 0;
  std::string title;
  std::string metadata_href;  // document.json, relative to the METS document
  std::string metadata_sha256;
  std::vector<PremisEvent> events;
  std::vector<MetsFileEntry> files;
  std::vector<std::vector<std::string>> versions;  // file ids of each version, in order
};

// The METS document of one dossier (UTF-8, indented).
std::string write_mets(const BagDossier& dossier, const std::vector<MetsDocumentPart>& documents,
                       const std::string& created_at, const std::string& agent);

}  // namespace dosar::records
