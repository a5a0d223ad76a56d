// Approval flows (circuitul de avizare): a document goes through the ordered
// steps of its kind's template; approving a step signs the document through
// a DocumentSigner (a new version); rejecting returns it to the author, who
// resubmits a new version and the flow restarts at the rejecting step.
// Deputies approve on a head's behalf during a delegation. Data access is
// behind storage/flow_store.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"
#include "storage/flow_store.h"
#include "workflow/document_signer.h"

namespace dosar::workflow {

struct Approval {
  Flow flow;
  std::string step;
  std::string on_behalf_of;  // empty unless a deputy approved
  SignedVersion signed_version;
};

// A step waiting for a user, directly or as someone's deputy.
struct InboxItem {
  Flow flow;
  FlowStep step;
  std::string on_behalf_of;
};

class ApprovalFlows {
 public:
  // REQUIRES: every argument outlives the ApprovalFlows.
  ApprovalFlows(const Catalog& catalog, FlowStore& store, DocumentSigner& signer,
                const Clock& clock = system_clock());

  // Checks and stores a template: positions 1..n without gaps, each step
  // with a label and approvers who exist. Errors: invalid_argument, not_found.
  Status put_template(const FlowTemplate& t, const std::string& actor);
  // Starts the document's current version on the template of `kind` (default:
  // the document's type); the actor is the author. Errors: not_found, conflict.
  Result<Flow> start(DocumentId document, const std::optional<std::string>& kind, const std::string& actor);
  // Approves the actor's pending step and signs. `version`, when given, is the
  // version the approver reviewed and must be the one under approval.
  // Errors: conflict (flow not pending, superseded version, double approval),
  // permission (actor not an approver of a pending step, nor their deputy).
  Result<Approval> approve(FlowId id, std::optional<int> version, const std::string& actor);
  // Errors: invalid_argument (no comment), conflict, permission.
  Result<Flow> reject(FlowId id, const std::string& comment, const std::string& actor);
  // After a rejection, the author submits the document's newer current version;
  // the rejecting position (all its parallel steps) becomes pending again and
  // later positions wait. Errors: permission (not the author), conflict, invalid_argument.
  Result<Flow> resubmit(FlowId id, const std::string& comment, const std::string& actor);
  // Errors: invalid_argument (no reason), permission (not the author), conflict.
  Result<Flow> cancel(FlowId id, const std::string& reason, const std::string& actor);
  // Pending steps the user may decide now.
  Result<std::vector<InboxItem>> inbox(const std::string& user) const;
  Result<Flow> flow(FlowId id) const;
  // FROM's approvals may be given by TO between the two dates (inclusive).
  // Errors: not_found (user), invalid_argument (dates, same person).
  Status delegate(const Delegation& d, const std::string& actor);

 private:
  // Whether `user` may decide `step` today; sets `on_behalf_of` when as a deputy.
  Result<bool> may_decide(const std::string& user, const FlowStep& step, std::string& on_behalf_of) const;
  Result<bool> is_approver(const std::string& user, const Approvers& approvers) const;
  std::string today() const;

  const Catalog& catalog_;
  FlowStore& store_;
  DocumentSigner& signer_;
  const Clock& clock_;
};

}  // namespace dosar::workflow
