// The audit hash chain: each row's hash covers the previous row's hash and
// the row's own fields, so that changing, inserting or removing a row in the
// middle is detectable. Format: docs/formats/audit-chain.md.
#pragma once

#include <string>

#include "storage/catalog.h"

namespace dosar {

inline constexpr const char* kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The exact bytes hashed for a row (format version 1); `record.hash` is ignored.
std::string audit_hash_input(const AuditRecord& record);
// SHA-256 hex of audit_hash_input(record).
std::string audit_row_hash(const AuditRecord& record);

}  // namespace dosar
