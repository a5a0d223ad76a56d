// Data access of approval flows: templates per document kind, roles of users
// in departments, delegations, and running flows with their steps and events.
// The rules (who may approve, what follows a rejection) live in workflow/;
// this interface stores and audits. A running flow is saved whole under
// optimistic concurrency: save() applies only when the flow's revision is the
// one the caller read, so two approvals racing cannot both count.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "storage/catalog.h"

namespace dosar {

class ArchiveStore;

using FlowId = std::int64_t;

// Who may approve a step: any one of `users`, or anyone holding `role` in
// `department`.
struct Approvers {
  std::vector<std::string> users;
  std::string role;
  std::string department;
};

// Steps sharing a position run in parallel: all must approve before the next position.
struct TemplateStep {
  int position = 1;
  std::string label;
  Approvers approvers;
};

struct FlowTemplate {
  std::string kind;  // the document kind (document type) it applies to
  std::vector<TemplateStep> steps;
};

struct FlowStep {
  int position = 1;
  std::string label;
  Approvers approvers;
  std::string status = "waiting";  // waiting, pending, approved, rejected
  std::string decided_by;
  std::string on_behalf_of;  // set when a deputy decided
  std::string decided_at;
  std::string comment;
  std::optional<int> signed_version;  // the version the approval produced
};

struct FlowEvent {
  int seq = 0;
  std::string at;
  std::string actor;
  std::string on_behalf_of;
  std::string event;  // started, approved, rejected, resubmitted, cancelled, completed
  std::string step;
  int version = 0;
  std::string comment;
};

struct Flow {
  FlowId id = 0;
  DocumentId document = 0;
  std::string kind;
  std::string author;
  int version = 0;                 // the version under approval (the latest one produced by the flow)
  std::string status = "pending";  // pending, approved, rejected, cancelled
  int revision = 0;
  std::string started_at;
  std::vector<FlowStep> steps;
  std::vector<FlowEvent> events;
};

// A role a user holds in a department (`flow role USER ROLE DEPARTMENT`).
struct RoleGrant {
  std::string role;
  std::string department;
};

struct Delegation {
  std::string from_user;
  std::string to_user;
  std::string valid_from;   // YYYY-MM-DD, inclusive
  std::string valid_until;  // YYYY-MM-DD, inclusive
};

class FlowStore {
 public:
  virtual ~FlowStore() = default;

  // Replaces the template of `kind`; running flows keep their copied steps. Errors: io.
  virtual Status put_template(const FlowTemplate& t, const std::string& actor) = 0;
  virtual Result<FlowTemplate> flow_template(const std::string& kind) const = 0;  // not_found, io
  virtual Result<std::vector<FlowTemplate>> templates() const = 0;                // every kind's, by kind

  virtual Status add_role(const std::string& user, const std::string& role, const std::string& department,
                          const std::string& actor) = 0;  // conflict when held already
  virtual Result<bool> has_role(const std::string& user, const std::string& role,
                                const std::string& department) const = 0;
  virtual Result<std::vector<RoleGrant>> roles(const std::string& user) const = 0;  // by role, department
  // Errors: not_found (not held), io. Audited "user.role.remove".
  virtual Status remove_role(const std::string& user, const std::string& role, const std::string& department,
                             const std::string& actor) = 0;

  virtual Status add_delegation(const Delegation& d, const std::string& actor) = 0;
  // Delegations to `user` in force on `date`.
  virtual Result<std::vector<Delegation>> delegations_to(const std::string& user,
                                                         const std::string& date) const = 0;

  // Stores a new flow (steps as given, events empty) with a "started" event.
  // Errors: conflict (the document has a running flow), io.
  virtual Result<Flow> create(const Flow& flow, const std::string& actor) = 0;
  virtual Result<Flow> flow(FlowId id) const = 0;  // not_found, io
  // Flows that are pending or rejected (waiting for the author).
  virtual Result<std::vector<Flow>> open_flows() const = 0;
  // Saves status, version and steps of `updated` and appends `event` when
  // the stored revision is still `updated.revision`. Errors: conflict, io.
  virtual Result<Flow> save(const Flow& updated, const FlowEvent& event) = 0;
};

// The SQLite flow store of an archive (a connection to its catalogue).
Result<std::unique_ptr<FlowStore>> open_flow_store(const ArchiveStore& archive,
                                                   const Clock& clock = system_clock());

}  // namespace dosar
