// Signing a stored document (orchestration of signing/ and the archive):
// the current version's PDF is signed and the result stored as a new version
// through the ingester, so the audit trail records it; the signed version
// never replaces the one it was made from.
#pragma once

#include <string>

#include "base/result.h"
#include "signing/pades.h"
#include "storage/archive_store.h"

namespace dosar {

// Returns the new version. Errors: those of the catalogue and blob store,
// unsupported (the current version is not a PDF), and those of
// signing::sign_pdf with the document and version as subject.
Result<Version> sign_current_version(ArchiveStore& archive, DocumentId id, const signing::SigningKey& key,
                                     const signing::SignOptions& options, const std::string& actor);

// Renews the archive timestamp of the current version (signing::extend_lta)
// and stores the result as a new version. Errors: as sign_current_version,
// with signing::extend_lta's.
Result<Version> extend_current_version(ArchiveStore& archive, DocumentId id,
                                       const signing::SignOptions& options, const std::string& actor);

}  // namespace dosar
