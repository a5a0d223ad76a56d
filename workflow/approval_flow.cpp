#include "workflow/approval_flow.h"

#include <algorithm>
#include <cctype>

namespace dosar::workflow {
namespace {

Error invalid(const std::string& subject, const std::string& message) {
  return make_error(ErrorCode::invalid_argument, subject, message);
}

std::string name(const Flow& f) {
  return "flow " + std::to_string(f.id);
}

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

// The lowest position that still has a pending step; 0 when none.
int current_position(const Flow& f) {
  for (const FlowStep& s : f.steps)
    if (s.status == "pending") return s.position;
  return 0;
}

Status require_status(const Flow& f, const std::string& status) {
  if (f.status != status)
    return make_error(ErrorCode::conflict, name(f),
                      "is " + f.status + ", not " + status + "; nothing changed");
  return {};
}

}  // namespace

ApprovalFlows::ApprovalFlows(const Catalog& catalog, FlowStore& store, DocumentSigner& signer,
                             const Clock& clock)
    : catalog_(catalog), store_(store), signer_(signer), clock_(clock) {}

std::string ApprovalFlows::today() const {
  return bucharest_date(format_utc(clock_.now()));
}

Status ApprovalFlows::put_template(const FlowTemplate& t, const std::string& actor) {
  if (is_blank(t.kind)) return invalid("kind", "a template needs the document kind it applies to");
  if (t.steps.empty()) return invalid("flow template " + t.kind, "needs at least one step");
  int expected = 1;
  for (const TemplateStep& s : t.steps) {
    if (s.position != expected && s.position != expected - 1)
      return invalid("flow template " + t.kind, "step positions must run 1, 2, 3… without gaps");
    expected = s.position + 1;
    if (is_blank(s.label)) return invalid("flow template " + t.kind, "every step needs a label");
    const Approvers& a = s.approvers;
    if (a.users.empty() && (a.role.empty() || a.department.empty()))
      return invalid("step " + s.label, "needs users, or a role and a department");
    for (const std::string& u : a.users) DOSAR_TRY(catalog_.user(u));
  }
  return store_.put_template(t, actor);
}

Result<Flow> ApprovalFlows::start(DocumentId document, const std::optional<std::string>& kind,
                                  const std::string& actor) {
  auto doc = catalog_.document(document);
  if (!doc.ok()) return doc.error();
  std::string k = kind.value_or(doc->document_type);
  if (k.empty())
    return invalid("document " + std::to_string(document), "has no type; name the kind with --kind");
  auto t = store_.flow_template(k);
  if (!t.ok()) return t.error();
  Flow f;
  f.document = document;
  f.kind = k;
  f.author = actor;
  f.version = doc->current_version;
  for (const TemplateStep& s : t->steps) {
    FlowStep step;
    step.position = s.position;
    step.label = s.label;
    step.approvers = s.approvers;
    step.status = s.position == 1 ? "pending" : "waiting";
    f.steps.push_back(step);
  }
  return store_.create(f, actor);
}

Result<bool> ApprovalFlows::is_approver(const std::string& user, const Approvers& a) const {
  if (std::find(a.users.begin(), a.users.end(), user) != a.users.end()) return true;
  if (a.role.empty()) return false;
  return store_.has_role(user, a.role, a.department);
}

Result<bool> ApprovalFlows::may_decide(const std::string& user, const FlowStep& step,
                                       std::string& on_behalf_of) const {
  on_behalf_of.clear();
  auto direct = is_approver(user, step.approvers);
  if (!direct.ok() || *direct) return direct;
  auto delegations = store_.delegations_to(user, today());
  if (!delegations.ok()) return delegations.error();
  for (const Delegation& d : *delegations) {
    auto head = is_approver(d.from_user, step.approvers);
    if (!head.ok()) return head.error();
    if (*head) {
      on_behalf_of = d.from_user;
      return true;
    }
  }
  return false;
}

Result<Approval> ApprovalFlows::approve(FlowId id, std::optional<int> version, const std::string& actor) {
  auto f = store_.flow(id);
  if (!f.ok()) return f.error();
  DOSAR_TRY(require_status(*f, "pending"));
  if (version && *version != f->version)
    return make_error(ErrorCode::conflict, name(*f),
                      "version " + std::to_string(*version) + " is superseded; version " +
                          std::to_string(f->version) + " is under approval");
  auto doc = catalog_.document(f->document);
  if (!doc.ok()) return doc.error();
  if (doc->current_version != f->version)
    return make_error(ErrorCode::conflict, name(*f),
                      "document " + std::to_string(f->document) + " has version " +
                          std::to_string(doc->current_version) + ", newer than version " +
                          std::to_string(f->version) + " under approval; the author must resubmit");
  const int position = current_position(*f);
  FlowStep* chosen = nullptr;
  std::string on_behalf_of;
  std::vector<std::string> pending_labels;
  for (FlowStep& s : f->steps) {
    if (s.position != position) continue;
    if (s.status == "approved" && s.decided_by == actor)
      return make_error(ErrorCode::conflict, name(*f),
                        actor + " already approved step «" + s.label + "»; one person approves once");
    if (s.status != "pending") continue;
    pending_labels.push_back(s.label);
    if (chosen) continue;
    auto may = may_decide(actor, s, on_behalf_of);
    if (!may.ok()) return may.error();
    if (*may) chosen = &s;
  }
  if (!chosen) {
    for (const FlowStep& s : f->steps)
      if (s.status == "approved" && s.decided_by == actor)
        return make_error(ErrorCode::conflict, name(*f),
                          actor + " already approved step «" + s.label + "»; the flow now waits for others");
    std::string labels;
    for (const std::string& l : pending_labels) labels += (labels.empty() ? "«" : ", «") + l + "»";
    return make_error(
        ErrorCode::permission, name(*f),
        actor + " is not an approver of the pending step " + labels + " nor anyone's deputy for it");
  }
  auto signed_version =
      signer_.sign({f->document, f->version, actor, on_behalf_of, "aprobare: pasul «" + chosen->label + "»"});
  if (!signed_version.ok()) return signed_version.error();
  chosen->status = "approved";
  chosen->decided_by = actor;
  chosen->on_behalf_of = on_behalf_of;
  chosen->decided_at = format_utc(clock_.now());
  chosen->signed_version = signed_version->version;
  const std::string label = chosen->label;
  f->version = signed_version->version;
  bool position_done = std::none_of(f->steps.begin(), f->steps.end(), [&](const FlowStep& s) {
    return s.position == position && s.status != "approved";
  });
  if (position_done) {
    bool any_next = false;
    for (FlowStep& s : f->steps)
      if (s.position == position + 1) {
        s.status = "pending";
        any_next = true;
      }
    if (!any_next) f->status = "approved";
  }
  FlowEvent event{
      0, "", actor, on_behalf_of, "approve", label, signed_version->version, signed_version->note};
  auto saved = store_.save(*f, event);
  if (!saved.ok()) return saved.error();
  return Approval{std::move(saved).value(), label, on_behalf_of, std::move(signed_version).value()};
}

Result<Flow> ApprovalFlows::reject(FlowId id, const std::string& comment, const std::string& actor) {
  if (is_blank(comment)) return invalid("comment", "a rejection needs a comment for the author");
  auto f = store_.flow(id);
  if (!f.ok()) return f.error();
  DOSAR_TRY(require_status(*f, "pending"));
  const int position = current_position(*f);
  std::string on_behalf_of;
  for (FlowStep& s : f->steps) {
    if (s.position != position || s.status != "pending") continue;
    auto may = may_decide(actor, s, on_behalf_of);
    if (!may.ok()) return may.error();
    if (!*may) continue;
    s.status = "rejected";
    s.decided_by = actor;
    s.on_behalf_of = on_behalf_of;
    s.decided_at = format_utc(clock_.now());
    s.comment = comment;
    f->status = "rejected";
    return store_.save(*f, {0, "", actor, on_behalf_of, "reject", s.label, f->version, comment});
  }
  return make_error(ErrorCode::permission, name(*f), actor + " is not an approver of a pending step");
}

Result<Flow> ApprovalFlows::resubmit(FlowId id, const std::string& comment, const std::string& actor) {
  auto f = store_.flow(id);
  if (!f.ok()) return f.error();
  if (actor != f->author)
    return make_error(ErrorCode::permission, name(*f), "only its author " + f->author + " resubmits");
  DOSAR_TRY(require_status(*f, "rejected"));
  auto doc = catalog_.document(f->document);
  if (!doc.ok()) return doc.error();
  if (doc->current_version <= f->version)
    return invalid(name(*f), "add a new version of document " + std::to_string(f->document) +
                                 " first; version " + std::to_string(f->version) + " was rejected");
  int restart = 0;
  for (const FlowStep& s : f->steps)
    if (s.status == "rejected") restart = s.position;
  for (FlowStep& s : f->steps) {
    if (s.position < restart) continue;
    s.status = s.position == restart ? "pending" : "waiting";
    s.decided_by.clear();
    s.on_behalf_of.clear();
    s.decided_at.clear();
    s.comment.clear();
    s.signed_version.reset();
  }
  f->version = doc->current_version;
  f->status = "pending";
  return store_.save(*f, {0, "", actor, "", "resubmit", "", f->version, comment});
}

Result<Flow> ApprovalFlows::cancel(FlowId id, const std::string& reason, const std::string& actor) {
  if (is_blank(reason)) return invalid("reason", "a cancellation needs a reason");
  auto f = store_.flow(id);
  if (!f.ok()) return f.error();
  if (actor != f->author)
    return make_error(ErrorCode::permission, name(*f), "only its author " + f->author + " cancels");
  if (f->status != "pending" && f->status != "rejected")
    return make_error(ErrorCode::conflict, name(*f),
                      "is " + f->status + "; only a running flow can be cancelled");
  f->status = "cancelled";
  return store_.save(*f, {0, "", actor, "", "cancel", "", f->version, reason});
}

Result<std::vector<InboxItem>> ApprovalFlows::inbox(const std::string& user) const {
  DOSAR_TRY(catalog_.user(user));
  auto flows = store_.open_flows();
  if (!flows.ok()) return flows.error();
  std::vector<InboxItem> out;
  for (const Flow& f : *flows) {
    if (f.status != "pending") continue;
    const int position = current_position(f);
    bool decided_here = std::any_of(f.steps.begin(), f.steps.end(), [&](const FlowStep& s) {
      return s.position == position && s.status == "approved" && s.decided_by == user;
    });
    if (decided_here) continue;
    for (const FlowStep& s : f.steps) {
      if (s.position != position || s.status != "pending") continue;
      std::string on_behalf_of;
      auto may = may_decide(user, s, on_behalf_of);
      if (!may.ok()) return may.error();
      if (*may) out.push_back({f, s, on_behalf_of});
    }
  }
  return out;
}

Result<Flow> ApprovalFlows::flow(FlowId id) const {
  return store_.flow(id);
}

Status ApprovalFlows::delegate(const Delegation& d, const std::string& actor) {
  DOSAR_TRY(catalog_.user(d.from_user));
  DOSAR_TRY(catalog_.user(d.to_user));
  if (d.from_user == d.to_user) return invalid("delegation", "a user cannot delegate to themselves");
  if (!is_iso_date(d.valid_from))
    return invalid("--from", "'" + d.valid_from + "' is not a date (YYYY-MM-DD)");
  if (!is_iso_date(d.valid_until))
    return invalid("--until", "'" + d.valid_until + "' is not a date (YYYY-MM-DD)");
  if (d.valid_until < d.valid_from) return invalid("--until", d.valid_until + " is before " + d.valid_from);
  if (d.valid_until < today())
    return invalid("--until", d.valid_until + " is in the past (today is " + today() + ")");
  return store_.add_delegation(d, actor);
}

}  // namespace dosar::workflow
