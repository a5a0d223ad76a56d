// JSON of audit rows and signature validations, shared by the evidence
// report and the bag's document.json (internal to records/).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "records/signature_validation.h"
#include "storage/catalog.h"

namespace dosar::records {

// seq, at, actor, action, document, detail (the exact string hashed), prev_hash, hash.
nlohmann::json audit_row_json(const AuditRecord& row);
// The inverse. Throws nlohmann::json::exception on a malformed row.
AuditRecord audit_row_from_json(const nlohmann::json& row);

// field, indication, subindication, message, signer, qualified, signing_time,
// timestamp_time, validated_as_of, level, revision.
nlohmann::json signature_json(const SignatureAtSigning& signature);

}  // namespace dosar::records
