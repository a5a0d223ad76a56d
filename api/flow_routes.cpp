// The head's inbox: /api/v1/flows/inbox, and approving (signing with the key
// the server keeps for them, unlocked by the PIN they type) or rejecting.
#include "api/http_support.h"
#include "api/json_shapes.h"
#include "ingest/approval_signing.h"
#include "storage/flow_store.h"
#include "workflow/approval_flow.h"

namespace dosar::api {
namespace {

Result<FlowId> flow_id(const httplib::Request& req) {
  try {
    return static_cast<FlowId>(std::stoll(std::string(req.matches[1])));
  } catch (...) {
    return make_error(ErrorCode::not_found, "flow " + std::string(req.matches[1]), "no such flow");
  }
}

nlohmann::json body_of(const httplib::Request& req) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  return body.is_object() ? body : nlohmann::json::object();
}

void inbox(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request&,
           httplib::Response& res) {
  auto store = open_flow_store(archive);
  if (!store.ok()) return send_error(res, store.error());
  workflow::UnsignedApprovalRecorder unused(archive.catalog());
  workflow::ApprovalFlows flows(archive.catalog(), **store, unused);
  auto items = flows.inbox(caller.user.name);
  if (!items.ok()) return send_error(res, items.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : *items) {
    auto document = archive.catalog().document(item.flow.document);
    list.push_back({{"flow", item.flow.id},
                    {"document", item.flow.document},
                    {"title", document.ok() ? document->title : ""},
                    {"version", item.flow.version},
                    {"kind", item.flow.kind},
                    {"author", item.flow.author},
                    {"started_at", item.flow.started_at},
                    {"step", item.step.label},
                    {"on_behalf_of", item.on_behalf_of}});
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
  if (!body.contains("pin") || !body["pin"].is_string() || body["pin"].get<std::string>().empty())
    return send_error(res, Error{ErrorCode::invalid_argument, "pin", "type the PIN of your signing key"});
  std::optional<int> version;
  if (body.contains("version") && body["version"].is_number_integer()) version = body["version"].get<int>();
  auto key = load_user_signing_key(archive, caller.user.name, body["pin"].get<std::string>());
  if (!key.ok()) return send_error(res, key.error());
  auto store = open_flow_store(archive);
  if (!store.ok()) return send_error(res, store.error());
  PadesApprovalSigner signer(archive, std::move(key).value(), signing::SignOptions{});
  workflow::ApprovalFlows flows(archive.catalog(), **store, signer);
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
  auto flow = flows.reject(*id, comment, caller.user.name);
  if (!flow.ok()) return send_error(res, flow.error());
  send_json(res, 200, to_json(*flow));
}

}  // namespace

void add_flow_routes(httplib::Server& server, const App& app) {
  server.Get("/api/v1/flows/inbox", signed_in(app, inbox));
  server.Post(R"(/api/v1/flows/(\d+)/approve)", signed_in(app, approve));
  server.Post(R"(/api/v1/flows/(\d+)/reject)", signed_in(app, reject));
}

}  // namespace dosar::api
