#include "records/report_json.h"

namespace dosar::records {

using nlohmann::json;

json audit_row_json(const AuditRecord& r) {
  return {{"seq", r.seq},
          {"at", r.at},
          {"actor", r.actor},
          {"action", r.action},
          {"document", r.document_id ? json(*r.document_id) : json()},
          {"detail", r.detail},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

AuditRecord audit_row_from_json(const json& j) {
  AuditRecord r;
  r.seq = j.at("seq").get<std::int64_t>();
  r.at = j.at("at").get<std::string>();
  r.actor = j.at("actor").get<std::string>();
  r.action = j.at("action").get<std::string>();
  if (!j.at("document").is_null()) r.document_id = j.at("document").get<DocumentId>();
  r.detail = j.at("detail").get<std::string>();
  r.prev_hash = j.at("prev_hash").get<std::string>();
  r.hash = j.at("hash").get<std::string>();
  return r;
}

json signature_json(const SignatureAtSigning& signature) {
  const signing::SignatureReport& s = signature.report;
  return {{"field", s.field},
          {"indication", signing::indication_name(s.indication)},
          {"subindication", s.subindication},
          {"message", s.message},
          {"signer", s.signer},
          {"qualified", s.qualified},
          {"signing_time", s.signing_time},
          {"timestamp_time", s.timestamp_time},
          {"validated_as_of", signature.validated_as_of},
          {"level", s.level},
          {"revision", s.revision}};
}

}  // namespace dosar::records
