// dosar flow …, dosar delegate: approval flows that end in signatures.
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "base/clock.h"
#include "cli/context.h"
#include "cli/signing_options.h"
#include "ingest/approval_signing.h"
#include "ingest/ingester.h"
#include "storage/flow_store.h"
#include "workflow/approval_flow.h"
#include "workflow/document_signer.h"

namespace dosar::cli {
namespace {

using workflow::ApprovalFlows;

struct OpenedFlows {
  std::unique_ptr<ArchiveStore> archive;
  std::unique_ptr<FlowStore> store;
  std::unique_ptr<workflow::DocumentSigner> signer;
  std::unique_ptr<ApprovalFlows> flows;
  std::string actor;
};

// With --key, approvals are PAdES signatures by that key; without, they are
// recorded as new versions WITHOUT a signature, and the output says so.
Result<OpenedFlows> open_flows(const Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  auto actor = acting_user(c, (*archive)->catalog());
  if (!actor.ok()) return actor.error();
  auto store = open_flow_store(**archive);
  if (!store.ok()) return store.error();
  std::unique_ptr<workflow::DocumentSigner> signer;
  if (c.command.has("--key")) {
    auto request = sign_request(c);
    if (!request.ok()) return request.error();
    signer = std::make_unique<PadesApprovalSigner>(**archive, std::move(request->key), request->options);
  } else {
    signer = std::make_unique<workflow::UnsignedApprovalRecorder>((*archive)->catalog());
  }
  auto flows = std::make_unique<ApprovalFlows>((*archive)->catalog(), **store, *signer);
  return OpenedFlows{std::move(archive).value(), std::move(store).value(), std::move(signer),
                     std::move(flows), std::move(actor).value()};
}

Result<std::int64_t> positive(const std::string& what, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value <= 0)
    return make_error(ErrorCode::invalid_argument, text, "is not a " + what + " (a positive number)");
  return static_cast<std::int64_t>(value);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, separator);)
    if (!part.empty()) out.push_back(part);
  return out;
}

// "verificare=ana,ion+aviz=@jurist/Juridic" → two parallel steps at `position`.
Result<std::vector<TemplateStep>> parse_position(const std::string& spec, int position) {
  std::vector<TemplateStep> out;
  for (const std::string& part : split(spec, '+')) {
    auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size())
      return make_error(ErrorCode::invalid_argument, "--step " + spec,
                        "each step is LABEL=USER,USER or LABEL=@ROLE/DEPARTMENT");
    TemplateStep step;
    step.position = position;
    step.label = part.substr(0, eq);
    std::string who = part.substr(eq + 1);
    if (who[0] == '@') {
      auto slash = who.find('/');
      if (slash == std::string::npos || slash == 1 || slash + 1 == who.size())
        return make_error(ErrorCode::invalid_argument, "--step " + spec,
                          "a role is written @ROLE/DEPARTMENT");
      step.approvers.role = who.substr(1, slash - 1);
      step.approvers.department = who.substr(slash + 1);
    } else {
      step.approvers.users = split(who, ',');
    }
    out.push_back(step);
  }
  return out;
}

void print_flow(std::ostream& out, const Flow& f) {
  out << "flow " << f.id << "  document " << f.document << " v" << f.version << "  " << f.kind << "  "
      << f.status << "  author " << f.author << '\n';
  for (const FlowStep& s : f.steps) {
    out << "  " << s.position << ". " << s.label << "  " << s.status;
    if (!s.decided_by.empty()) out << "  by " << s.decided_by;
    if (!s.on_behalf_of.empty()) out << " on behalf of " << s.on_behalf_of;
    if (s.signed_version) out << "  → v" << *s.signed_version;
    if (!s.comment.empty()) out << "  \"" << s.comment << "\"";
    out << '\n';
  }
}

ExitCode print(Context& c, const Flow& f) {
  if (c.json)
    c.out << to_json(f).dump(2) << '\n';
  else
    print_flow(c.out, f);
  return ExitCode::ok;
}

template <class Action>
ExitCode run_on_flow(Context& c, Action action) {
  auto id = positive("flow id", c.command.positionals.at(0));
  if (!id.ok()) return c.fail(id.error());
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  Result<Flow> done = action(*opened->flows, *id, opened->actor);
  if (!done.ok()) return c.fail(done.error());
  return print(c, *done);
}

}  // namespace

ExitCode run_flow_template(Context& c) {
  FlowTemplate t{c.command.positionals.at(0), {}};
  int position = 0;
  for (const std::string& spec : c.command.get_all("--step")) {
    auto steps = parse_position(spec, ++position);
    if (!steps.ok()) return c.fail(steps.error());
    t.steps.insert(t.steps.end(), steps->begin(), steps->end());
  }
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  Status put = opened->flows->put_template(t, opened->actor);
  if (!put.ok()) return c.fail(put.error());
  c.out << "template " << t.kind << ": " << position << " positions, " << t.steps.size() << " steps\n";
  return ExitCode::ok;
}

ExitCode run_flow_role(Context& c) {
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  const auto& p = c.command.positionals;
  auto user = opened->archive->catalog().user(p[0]);
  if (!user.ok()) return c.fail(user.error());
  Status added = opened->store->add_role(p[0], p[1], p[2], opened->actor);
  if (!added.ok()) return c.fail(added.error());
  c.out << p[0] << " is " << p[1] << " in " << p[2] << '\n';
  return ExitCode::ok;
}

ExitCode run_flow_start(Context& c) {
  auto document = c.document_id(0);
  if (!document.ok()) return c.fail(document.error());
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto flow = opened->flows->start(*document, c.command.get("--kind"), opened->actor);
  if (!flow.ok()) return c.fail(flow.error());
  return print(c, *flow);
}

ExitCode run_flow_approve(Context& c) {
  std::optional<int> version;
  if (auto v = c.command.get("--version")) {
    auto parsed = positive("version", *v);
    if (!parsed.ok()) return c.fail(parsed.error());
    version = static_cast<int>(*parsed);
  }
  auto id = positive("flow id", c.command.positionals.at(0));
  if (!id.ok()) return c.fail(id.error());
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto approval = opened->flows->approve(*id, version, opened->actor);
  if (!approval.ok()) return c.fail(approval.error());
  if (!approval->signed_version.cryptographic)
    c.err << "dosar: warning: " << approval->signed_version.note << '\n';
  if (c.json) {
    nlohmann::json j = to_json(approval->flow);
    j["approved_step"] = approval->step;
    j["on_behalf_of"] = approval->on_behalf_of;
    j["signed_version"] = approval->signed_version.version;
    j["cryptographic_signature"] = approval->signed_version.cryptographic;
    j["note"] = approval->signed_version.note;
    c.out << j.dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << "approved «" << approval->step << "»"
        << (approval->on_behalf_of.empty() ? "" : " on behalf of " + approval->on_behalf_of) << ": "
        << approval->signed_version.note << '\n';
  print_flow(c.out, approval->flow);
  return ExitCode::ok;
}

ExitCode run_flow_reject(Context& c) {
  return run_on_flow(c, [&](ApprovalFlows& f, FlowId id, const std::string& actor) {
    return f.reject(id, c.command.get("--comment").value_or(""), actor);
  });
}

ExitCode run_flow_resubmit(Context& c) {
  return run_on_flow(c, [&](ApprovalFlows& f, FlowId id, const std::string& actor) -> Result<Flow> {
    if (c.command.positionals.size() < 2)
      return f.resubmit(id, c.command.get("--comment").value_or(""), actor);
    // Checked before the new version is stored, so that a refused resubmit adds nothing.
    auto current = f.flow(id);
    if (!current.ok()) return current.error();
    if (current->author != actor)
      return make_error(ErrorCode::permission, "flow " + std::to_string(id),
                        "only its author " + current->author + " resubmits");
    if (current->status != "rejected")
      return make_error(ErrorCode::conflict, "flow " + std::to_string(id),
                        "is " + current->status + ", not rejected; nothing changed");
    auto archive = c.open_archive();
    if (!archive.ok()) return archive.error();
    IngestOptions options;
    options.actor = actor;
    auto ingester = Ingester::create(**archive, options);
    if (!ingester.ok()) return ingester.error();
    auto version = (*ingester)->add_version(current->document, c.command.positionals[1],
                                            c.command.get("--comment").value_or("retrimis spre aprobare"));
    if (!version.ok()) return version.error();
    return f.resubmit(id, c.command.get("--comment").value_or(""), actor);
  });
}

ExitCode run_flow_cancel(Context& c) {
  return run_on_flow(c, [&](ApprovalFlows& f, FlowId id, const std::string& actor) {
    return f.cancel(id, c.command.get("--reason").value_or(""), actor);
  });
}

ExitCode run_flow_show(Context& c) {
  return run_on_flow(c, [&](ApprovalFlows& f, FlowId id, const std::string&) { return f.flow(id); });
}

ExitCode run_flow_inbox(Context& c) {
  if (!c.command.has("--as"))
    return c.fail(make_error(ErrorCode::invalid_argument, "--as", "name whose inbox to show"));
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto items = opened->flows->inbox(opened->actor);
  if (!items.ok()) return c.fail(items.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : *items)
      list.push_back({{"flow", item.flow.id},
                      {"document", item.flow.document},
                      {"version", item.flow.version},
                      {"kind", item.flow.kind},
                      {"author", item.flow.author},
                      {"step", item.step.label},
                      {"on_behalf_of", item.on_behalf_of}});
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const auto& item : *items)
    c.out << "flow " << item.flow.id << "  document " << item.flow.document << " v" << item.flow.version
          << "  " << item.flow.kind << "  step «" << item.step.label << "»"
          << (item.on_behalf_of.empty() ? "" : "  (on behalf of " + item.on_behalf_of + ")") << '\n';
  return ExitCode::ok;
}

ExitCode run_delegate(Context& c) {
  auto opened = open_flows(c);
  if (!opened.ok()) return c.fail(opened.error());
  Delegation d{c.command.positionals[0], c.command.positionals[1], c.command.get("--from").value_or(""),
               c.command.get("--until").value_or("")};
  Status added = opened->flows->delegate(d, opened->actor);
  if (!added.ok()) return c.fail(added.error());
  c.out << d.to_user << " approves on behalf of " << d.from_user << " from " << d.valid_from << " until "
        << d.valid_until << '\n';
  return ExitCode::ok;
}

}  // namespace dosar::cli
