#include "storage/audit_chain.h"

#include "base/sha256.h"

namespace dosar {
namespace {

// Length-prefixed so that no choice of field contents can make two different
// rows produce the same input.
void append_field(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ' ';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

}  // namespace

std::string audit_hash_input(const AuditRecord& record) {
  std::string out = "dosar-audit-v1\n";
  append_field(out, "prev", record.prev_hash);
  append_field(out, "seq", std::to_string(record.seq));
  append_field(out, "at", record.at);
  append_field(out, "actor", record.actor);
  append_field(out, "action", record.action);
  append_field(out, "document", record.document_id ? std::to_string(*record.document_id) : "");
  append_field(out, "detail", record.detail);
  return out;
}

std::string audit_row_hash(const AuditRecord& record) {
  return sha256_hex(audit_hash_input(record));
}

}  // namespace dosar
