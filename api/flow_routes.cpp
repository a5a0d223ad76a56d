// The head's inbox: /api/v1/flows/inbox, and approving (signing with the key
// the server keeps for them, unlocked by the PIN they type) one or many
// flows, or rejecting; starting a document's flow from its page.
#include <algorithm>
#include <map>
#include <set>

#include "api/http_support.h"
#include "api/json_shapes.h"
#include "base/cnp.h"
#include "ingest/approval_signing.h"
#include "storage/flow_store.h"
#include "storage/registry_store.h"
#include "workflow/approval_flow.h"
#include "workflow/registry.h"

namespace dosar::api {
namespace {

Result<FlowId> flow_id(const httplib::Request& req) {
  try {
    return static_cast<FlowId>(std::stoll(std::string(req.matches[1])));
  } catch (...) {
    return make_error(ErrorCode::not_found, "flow " + std::string(req.matches[1]), "no such flow");
  }
}

// The flow, unless it is on a document the caller may not see: then, as
// for documents, exactly like a missing flow (404).
Status check_visible(ArchiveStore& archive, const Caller& caller, const workflow::ApprovalFlows& flows,
                     FlowId id) {
  auto flow = flows.flow(id);
  if (!flow.ok()) return flow.error();
  auto document = archive.catalog().document(flow->document);
  if (!document.ok() || !caller.visibility.allows(document->department, document->confidentiality))
    return Error{ErrorCode::not_found, "flow " + std::to_string(id), "no such flow"};
  return {};
}

nlohmann::json body_of(const httplib::Request& req) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  return body.is_object() ? body : nlohmann::json::object();
}

// Approval flows that sign with the caller's key kept on the server,
// unlocked by the body's "pin" for this request only.
struct SigningFlows {
  std::unique_ptr<FlowStore> store;
  std::unique_ptr<PadesApprovalSigner> signer;
  std::unique_ptr<workflow::ApprovalFlows> flows;
};

// Errors: invalid_argument (no PIN), not_found (no key), permission (wrong PIN), io.
Result<SigningFlows> signing_flows(ArchiveStore& archive, const Caller& caller, const nlohmann::json& body) {
  if (!body.contains("pin") || !body["pin"].is_string() || body["pin"].get<std::string>().empty())
    return make_error(ErrorCode::invalid_argument, "pin", "type the PIN of your signing key");
  auto key = load_user_signing_key(archive, caller.user.name, body["pin"].get<std::string>());
  if (!key.ok()) return key.error();
  auto store = open_flow_store(archive);
  if (!store.ok()) return store.error();
  SigningFlows out{
      std::move(store).value(),
      std::make_unique<PadesApprovalSigner>(archive, std::move(key).value(), signing::SignOptions{}),
      nullptr};
  out.flows = std::make_unique<workflow::ApprovalFlows>(archive.catalog(), *out.store, *out.signer);
  return out;
}

// The earliest deadline of an open registry entry due by today, per
// document: what makes an approval overdue (a petition waiting for its
// answer's signature), and today's date.
Result<std::pair<std::map<DocumentId, std::string>, std::string>> due_documents(const App& app,
                                                                                ArchiveStore& archive) {
  auto store = open_registry_store(archive, app.clock());
  if (!store.ok()) return store.error();
  workflow::Registry registry(archive.catalog(), **store, app.clock());
  const std::string today = registry.today();
  auto due = (*store)->due_by(today);
  if (!due.ok()) return due.error();
  std::map<DocumentId, std::string> deadlines;
  for (const RegistryEntry& e : *due)
    for (DocumentId d : e.documents) {
      auto [it, added] = deadlines.emplace(d, e.deadline);
      if (!added && e.deadline < it->second) it->second = e.deadline;
    }
  return std::pair{std::move(deadlines), today};
}

// Oldest and overdue first: past their registry deadline (earliest first),
// then due today, then the rest by when the flow started.
void inbox(const App& app, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
           httplib::Response& res) {
  auto store = open_flow_store(archive);
  if (!store.ok()) return send_error(res, store.error());
  workflow::UnsignedApprovalRecorder unused(archive.catalog());
  workflow::ApprovalFlows flows(archive.catalog(), **store, unused);
  auto items = flows.inbox(caller.user.name);
  if (!items.ok()) return send_error(res, items.error());
  auto due = due_documents(app, archive);
  if (!due.ok()) return send_error(res, due.error());
  const auto& [deadlines, today] = *due;
  auto deadline_of = [&](const workflow::InboxItem& item) {
    auto it = deadlines.find(item.flow.document);
    return it == deadlines.end() ? std::string() : it->second;
  };
  std::stable_sort(items->begin(), items->end(), [&](const auto& a, const auto& b) {
    std::string da = deadline_of(a), db = deadline_of(b);
    if (da.empty() != db.empty()) return !da.empty();
    if (da != db) return da < db;
    return a.flow.started_at < b.flow.started_at;
  });
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : *items) {
    auto document = archive.catalog().document(item.flow.document);
    // A step on a document the caller may not see stays out of sight (the
    // template should name someone who can); `dosar flow` still decides it.
    if (!document.ok() || !caller.visibility.allows(document->department, document->confidentiality))
      continue;
    std::string deadline = deadline_of(item);
    list.push_back({{"flow", item.flow.id},
                    {"document", item.flow.document},
                    {"title", mask_cnps(document->title)},  // a list has no purpose (issue 12)
                    {"version", item.flow.version},
                    {"kind", item.flow.kind},
                    {"author", item.flow.author},
                    {"started_at", item.flow.started_at},
                    {"step", item.step.label},
                    {"on_behalf_of", item.on_behalf_of},
                    {"deadline", deadline.empty() ? nlohmann::json(nullptr) : nlohmann::json(deadline)},
                    {"overdue", !deadline.empty() && deadline < today}});
  }
  send_json(res, 200, {{"items", list}});
}

// Body {"version": N, "pin": "…"}: signs with the caller's key kept on the
// server. The PIN only unlocks the key for this request.
void approve(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
             httplib::Response& res) {
  auto id = flow_id(req);
  if (!id.ok()) return send_error(res, id.error());
  nlohmann::json body = body_of(req);
  std::optional<int> version;
  if (body.contains("version") && body["version"].is_number_integer()) version = body["version"].get<int>();
  auto approvals = signing_flows(archive, caller, body);
  if (!approvals.ok()) return send_error(res, approvals.error());
  workflow::ApprovalFlows& flows = *approvals->flows;
  if (Status visible = check_visible(archive, caller, flows, *id); !visible.ok())
    return send_error(res, visible.error());
  auto approval = flows.approve(*id, version, caller.user.name);
  if (!approval.ok()) return send_error(res, approval.error());
  nlohmann::json answer = to_json(approval->flow);
  answer["approved_step"] = approval->step;
  answer["signed_version"] = approval->signed_version.version;
  answer["cryptographic_signature"] = approval->signed_version.cryptographic;
  answer["note"] = approval->signed_version.note;
  send_json(res, 200, answer);
}

void reject(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
            httplib::Response& res) {
  auto id = flow_id(req);
  if (!id.ok()) return send_error(res, id.error());
  nlohmann::json body = body_of(req);
  std::string comment =
      body.contains("comment") && body["comment"].is_string() ? body["comment"].get<std::string>() : "";
  auto store = open_flow_store(archive);
  if (!store.ok()) return send_error(res, store.error());
  workflow::UnsignedApprovalRecorder unused(archive.catalog());
  workflow::ApprovalFlows flows(archive.catalog(), **store, unused);
  if (Status visible = check_visible(archive, caller, flows, *id); !visible.ok())
    return send_error(res, visible.error());
  auto flow = flows.reject(*id, comment, caller.user.name);
  if (!flow.ok()) return send_error(res, flow.error());
  send_json(res, 200, to_json(*flow));
}

constexpr std::size_t kMaxBatch = 100;

// Body {"items": [{"flow": F, "version": N}, …], "pin": "…"}: unlocks the
// caller's key once, then approves and signs each flow in turn, as the
// single approve does. A wrong PIN signs nothing (403). Each flow is its
// own transaction: one that fails (superseded, not theirs) is reported in
// its result and leaves the others signed. Answers 200 with one result per
// item, in order.
void approve_batch(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                   httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return send_error(res, Error{ErrorCode::invalid_argument, "approve-batch", "expected a JSON object"});
  auto items = body.find("items");
  if (items == body.end() || !items->is_array() || items->empty() || items->size() > kMaxBatch)
    return send_error(res, Error{ErrorCode::invalid_argument, "items",
                                 "give 1 to " + std::to_string(kMaxBatch) + " flows to approve"});
  std::vector<std::pair<FlowId, int>> wanted;
  std::set<FlowId> seen;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    if (!item.is_object() || !item.contains("flow") || !item["flow"].is_number_integer() ||
        !item.contains("version") || !item["version"].is_number_integer())
      return send_error(res, Error{ErrorCode::invalid_argument, "items[" + std::to_string(i) + "]",
                                   "must be {\"flow\": id, \"version\": the version you reviewed}"});
    FlowId flow = item["flow"].get<FlowId>();
    if (!seen.insert(flow).second)
      return send_error(res, Error{ErrorCode::invalid_argument, "items[" + std::to_string(i) + "]",
                                   "flow " + std::to_string(flow) + " is listed twice"});
    wanted.emplace_back(flow, item["version"].get<int>());
  }
  auto approvals = signing_flows(archive, caller, body);
  if (!approvals.ok()) return send_error(res, approvals.error());
  workflow::ApprovalFlows& flows = *approvals->flows;
  nlohmann::json results = nlohmann::json::array();
  int signed_count = 0;
  for (const auto& [flow, version] : wanted) {
    // A flow on a document the caller may not see is answered as missing.
    auto approval = [&, flow = flow, version = version]() -> Result<workflow::Approval> {
      if (Status visible = check_visible(archive, caller, flows, flow); !visible.ok()) return visible.error();
      return flows.approve(flow, version, caller.user.name);
    }();
    if (!approval.ok()) {
      results.push_back({{"flow", flow}, {"ok", false}, {"error", to_json(approval.error())}});
      continue;
    }
    ++signed_count;
    results.push_back({{"flow", flow},
                       {"ok", true},
                       {"document", approval->flow.document},
                       {"status", approval->flow.status},
                       {"signed_version", approval->signed_version.version},
                       {"cryptographic_signature", approval->signed_version.cryptographic}});
  }
  send_json(res, 200,
            {{"signed", signed_count}, {"failed", wanted.size() - signed_count}, {"results", results}});
}

// Body {"kind": "…"} (optional; default the document's type): as
// `dosar flow start DOC [--kind K]`, with the caller as author.
void start_flow(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
                httplib::Response& res) {
  DocumentId id = 0;
  try {
    id = static_cast<DocumentId>(std::stoll(std::string(req.matches[1])));
  } catch (...) {
  }
  auto document = archive.catalog().document(id);
  if (!document.ok() || !caller.visibility.allows(document->department, document->confidentiality))
    return send_error(
        res, Error{ErrorCode::not_found, "document " + std::string(req.matches[1]), "no such document"});
  nlohmann::json body = body_of(req);
  std::optional<std::string> kind;
  if (body.contains("kind") && body["kind"].is_string() && !body["kind"].get<std::string>().empty())
    kind = body["kind"].get<std::string>();
  auto store = open_flow_store(archive);
  if (!store.ok()) return send_error(res, store.error());
  workflow::UnsignedApprovalRecorder unused(archive.catalog());
  workflow::ApprovalFlows flows(archive.catalog(), **store, unused);
  auto flow = flows.start(id, kind, caller.user.name);
  if (!flow.ok()) return send_error(res, flow.error());
  send_json(res, 201, to_json(*flow));
}

}  // namespace

void add_flow_routes(httplib::Server& server, const App& app) {
  server.Get("/api/v1/flows/inbox", signed_in(app, inbox));
  server.Post(R"(/api/v1/flows/(\d+)/approve)", signed_in(app, approve));
  server.Post(R"(/api/v1/flows/(\d+)/reject)", signed_in(app, reject));
  server.Post("/api/v1/flows/approve-batch", signed_in(app, approve_batch));
  server.Post(R"(/api/v1/documents/(\d+)/flow)", signed_in(app, start_flow));
}

}  // namespace dosar::api
