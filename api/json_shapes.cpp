#include "api/json_shapes.h"

#include "base/clock.h"
#include "ingest/derivation_runner.h"

namespace dosar {

nlohmann::json to_json(const Document& d) {
  return {{"id", d.id},
          {"registry_number", d.registry_number ? nlohmann::json(*d.registry_number) : nlohmann::json()},
          {"title", d.title},
          {"type", d.document_type},
          {"department", d.department},
          {"confidentiality", d.confidentiality},
          {"retention_class", d.retention_class ? nlohmann::json(*d.retention_class) : nlohmann::json()},
          {"status", d.status},
          {"created_at", d.created_at},
          {"updated_at", d.updated_at},
          {"current_version", d.current_version}};
}

nlohmann::json to_json(const Version& v) {
  nlohmann::json pages = nlohmann::json::array();
  for (const PageInfo& p : v.pages)
    pages.push_back(
        {{"page", p.page},
         {"text_source", p.text_source},
         {"ocr_confidence", p.ocr_confidence ? nlohmann::json(*p.ocr_confidence) : nlohmann::json()},
         {"rotated_degrees", p.rotated_degrees},
         {"deskew_degrees", p.deskew_degrees}});
  nlohmann::json derived = nlohmann::json::array();
  for (const auto& b : v.derived)
    derived.push_back({{"kind", b.kind}, {"blob", b.blob_id}, {"size", b.size}, {"mime_type", b.mime_type}});
  return {{"document_id", v.document_id},
          {"number", v.number},
          {"original_blob", v.original_blob_id},
          {"original_name", v.original_name},
          {"mime_type", v.mime_type},
          {"size", v.size},
          {"page_count", v.page_count ? nlohmann::json(*v.page_count) : nlohmann::json()},
          {"ocr_confidence", v.ocr_confidence ? nlohmann::json(*v.ocr_confidence) : nlohmann::json()},
          {"author", v.author},
          {"created_at", v.created_at},
          {"comment", v.comment},
          {"derived", derived},
          {"warnings", v.warnings},
          {"pages", pages},
          {"derivation", v.derivation_state ? nlohmann::json(*v.derivation_state) : nlohmann::json()}};
}

nlohmann::json to_json(const Derivation& d) {
  ProgressEstimate e = derivation_estimate(d, system_clock());
  auto optional = [](const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json();
  };
  return {{"document_id", d.document_id},
          {"version", d.version_number},
          {"state", d.state},
          {"attempts", d.attempts},
          {"queued_at", d.queued_at},
          {"worker", optional(d.worker)},
          {"heartbeat_at", optional(d.heartbeat_at)},
          {"finished_at", optional(d.finished_at)},
          {"pages_done", d.pages_done},
          {"pages_total", d.pages_total},
          {"claimed_at", optional(d.claimed_at)},
          {"pages_at_claim", d.pages_at_claim},
          {"pages_recognized", d.pages_recognized},
          {"error", optional(d.error)},
          {"pages_per_minute", d.state == "running" ? nlohmann::json(e.pages_per_minute) : nlohmann::json()},
          {"eta_seconds", e.eta_seconds ? nlohmann::json(*e.eta_seconds) : nlohmann::json()}};
}

nlohmann::json to_json(const AuditRecord& r) {
  nlohmann::json detail = nlohmann::json::parse(r.detail, nullptr, false);
  return {{"seq", r.seq},
          {"at", r.at},
          {"actor", r.actor},
          {"action", r.action},
          {"document_id", r.document_id ? nlohmann::json(*r.document_id) : nlohmann::json()},
          {"detail", detail.is_discarded() ? nlohmann::json(r.detail) : detail},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

nlohmann::json to_json(const Error& e) {
  return {{"code", error_code_name(e.code)}, {"subject", e.subject}, {"message", e.message}};
}

nlohmann::json to_json(const SearchResult& result) {
  nlohmann::json hits = nlohmann::json::array();
  for (const SearchHit& h : result.hits)
    hits.push_back({{"id", h.document_id},
                    {"version", h.version},
                    {"title", h.title},
                    {"registry_number",
                     h.registry_number.empty() ? nlohmann::json() : nlohmann::json(h.registry_number)},
                    {"type", h.document_type},
                    {"department", h.department},
                    {"date", h.date},
                    {"score", h.score},
                    {"snippet", h.snippet}});
  nlohmann::json facets = nlohmann::json::object();
  for (const auto& [name, values] : result.facets) {
    nlohmann::json list = nlohmann::json::array();
    for (const FacetValue& v : values) list.push_back({{"value", v.value}, {"count", v.count}});
    facets[name] = list;
  }
  return {{"total", result.total},
          {"exact", result.exact},
          {"hits", hits},
          {"facets", facets},
          {"suggestion", result.suggestion ? nlohmann::json(*result.suggestion) : nlohmann::json()},
          {"relaxed", result.relaxed}};
}

nlohmann::json to_json(const RegistryEntry& e, bool personal) {
  nlohmann::json history = nlohmann::json::array();
  for (const RegistryEvent& ev : e.history)
    history.push_back({{"at", ev.at},
                       {"at_local", format_bucharest(ev.at)},
                       {"actor", ev.actor},
                       {"event", ev.event},
                       {"status", ev.status},
                       {"department", ev.department},
                       {"assignee", ev.assignee},
                       {"deadline", ev.deadline},
                       {"note", ev.note}});
  nlohmann::json dispositions = nlohmann::json::array();
  for (const Disposition& d : e.dispositions)
    dispositions.push_back(
        {{"kind", d.kind},
         {"target_entry", d.target_entry ? nlohmann::json(*d.target_entry) : nlohmann::json()},
         {"target", d.target},
         {"text", d.text},
         {"at", d.at},
         {"actor", d.actor},
         {"late", d.late},
         {"late_justification", d.late_justification}});
  nlohmann::json exchanges = nlohmann::json::array();
  for (const Exchange& x : e.exchanges)
    exchanges.push_back({{"package", x.package_id},
                         {"direction", x.direction},
                         {"peer", x.peer},
                         {"state", x.state},
                         {"peer_number", x.peer_number},
                         {"peer_date", x.peer_date},
                         {"at", x.at},
                         {"acknowledged_at", x.acknowledged_at},
                         {"acknowledgement", x.ack_package_id}});
  nlohmann::json j = {
      {"id", e.id},
      {"register", e.register_name},
      {"year", e.year},
      {"seq", e.seq},
      {"number", e.number},
      {"registered_at", e.registered_at},
      {"registered_at_local", format_bucharest(e.registered_at)},
      {"channel", e.channel},
      {"subject", e.subject},
      {"kind", e.kind},
      {"document_date", e.document_date ? nlohmann::json(*e.document_date) : nlohmann::json()},
      {"documents", e.documents},
      {"department", e.department},
      {"assignee", e.assignee},
      {"deadline", e.deadline},
      {"status", e.status},
      {"annul_reason", e.annul_reason},
      {"answers", e.answers ? nlohmann::json(*e.answers) : nlohmann::json()},
      {"answered_by", e.answered_by},
      {"joined", e.joined},
      {"dispositions", dispositions},
      {"exchanges", exchanges},
      {"history", history}};
  if (personal) {
    j["sender"] = {{"name", e.sender_name}, {"contact", e.sender_contact}};
  } else {
    j["sender"] = "restricted";
  }
  return j;
}

nlohmann::json to_json(const Flow& f) {
  nlohmann::json steps = nlohmann::json::array();
  for (const FlowStep& s : f.steps)
    steps.push_back(
        {{"position", s.position},
         {"label", s.label},
         {"users", s.approvers.users},
         {"role", s.approvers.role},
         {"department", s.approvers.department},
         {"status", s.status},
         {"decided_by", s.decided_by},
         {"on_behalf_of", s.on_behalf_of},
         {"decided_at", s.decided_at},
         {"comment", s.comment},
         {"signed_version", s.signed_version ? nlohmann::json(*s.signed_version) : nlohmann::json()}});
  nlohmann::json events = nlohmann::json::array();
  for (const FlowEvent& e : f.events)
    events.push_back({{"at", e.at},
                      {"actor", e.actor},
                      {"on_behalf_of", e.on_behalf_of},
                      {"event", e.event},
                      {"step", e.step},
                      {"version", e.version},
                      {"comment", e.comment}});
  return {{"id", f.id},
          {"document", f.document},
          {"kind", f.kind},
          {"author", f.author},
          {"version", f.version},
          {"status", f.status},
          {"started_at", f.started_at},
          {"steps", steps},
          {"events", events}};
}

nlohmann::json to_json(const signing::ValidationReport& report) {
  nlohmann::json signatures = nlohmann::json::array();
  for (const auto& s : report.signatures) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& ch : s.changes_after)
      changes.push_back({{"revision", ch.revision}, {"change", ch.description}, {"allowed", ch.allowed}});
    signatures.push_back({{"field", s.field},
                          {"sub_filter", s.sub_filter},
                          {"indication", signing::indication_name(s.indication)},
                          {"subindication", s.subindication},
                          {"signer", s.signer},
                          {"qualified", s.qualified},
                          {"qscd", s.qscd},
                          {"signing_time", s.signing_time},
                          {"timestamp_time", s.timestamp_time},
                          {"level", s.level},
                          {"revision", s.revision},
                          {"revisions", s.revisions_total},
                          {"certification", s.certification},
                          {"changes_after", changes},
                          {"message", s.message}});
  }
  return {{"valid", report.valid}, {"validation_time", report.validation_time}, {"signatures", signatures}};
}

nlohmann::json to_json(const persons::PersonFile& f) {
  nlohmann::json households = nlohmann::json::array();
  for (const Household& h : f.households) {
    nlohmann::json members = nlohmann::json::array();
    for (const HouseholdMember& m : h.members) {
      auto name = f.member_names.find(m.person_id);
      members.push_back({{"person", m.person_id},
                         {"name", name == f.member_names.end() ? "" : name->second},
                         {"role", m.role}});
    }
    households.push_back({{"id", h.id}, {"label", h.label}, {"members", members}});
  }
  nlohmann::json assigned = nlohmann::json::array();
  for (const Assignment& a : f.assignments)
    assigned.push_back({{"department", a.department},
                        {"user", a.user},
                        {"assigned_at", a.assigned_at},
                        {"assigned_by", a.assigned_by}});
  nlohmann::json history = nlohmann::json::array();
  for (const PersonChange& h : f.history)
    history.push_back({{"revision", h.revision},
                       {"field", h.field},
                       {"old", h.old_value},
                       {"new", h.new_value},
                       {"reason", h.reason},
                       {"at", h.at},
                       {"actor", h.actor}});
  nlohmann::json j = persons::to_json(f.person);
  j["households"] = households;
  j["representative"] = f.person.representative_id == 0
                            ? nlohmann::json()
                            : nlohmann::json{{"person", f.person.representative_id},
                                             {"name", f.representative_name},
                                             {"role", f.person.representative_role}};
  nlohmann::json represents = nlohmann::json::array();
  for (const Represented& r : f.represents)
    represents.push_back({{"person", r.id}, {"name", r.name}, {"role", r.role}});
  j["represents"] = represents;
  j["assignments"] = assigned;
  j["history"] = history;
  return j;
}

nlohmann::json to_json(const persons::PersonMatch& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"cnp", m.masked_cnp},
          {"id_type", m.id_type},
          {"birth_date", m.birth_date}};
}

nlohmann::json to_json(const PersonLink& l) {
  return {{"kind", l.kind},   {"id", l.target_id},        {"date", l.date},
          {"title", l.title}, {"linked_at", l.linked_at}, {"linked_by", l.linked_by}};
}

nlohmann::json to_json(const AccessRecord& r) {
  return {{"user", r.user}, {"at", r.at}, {"purpose", r.purpose}, {"what", r.what}};
}

}  // namespace dosar
