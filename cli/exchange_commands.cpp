// dosar registry forward … --key … -o PACKAGE, registry receive, registry
// send: forwarding requests between institutions (exchange/exchange.h).
#include <csignal>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "exchange/exchange.h"
#include "storage/registry_store.h"
#include "workflow/registry.h"

namespace dosar::cli {
namespace {

namespace fs = std::filesystem;

Result<exchange::ClientTls> client_tls(const Context& c) {
  exchange::ClientTls tls;
  for (auto [option, target] :
       {std::pair{"--tls-ca", &tls.ca_file}, std::pair{"--client-cert", &tls.client_cert},
        std::pair{"--client-key", &tls.client_key}}) {
    auto value = c.command.get(option);
    if (!value || value->empty())
      return make_error(ErrorCode::invalid_argument, option, "is required to send over mutual TLS");
    *target = *value;
  }
  return tls;
}

void print_received(Context& c, const exchange::Received& r, const std::optional<fs::path>& ack_out) {
  const RegistryEntry& e = r.entry;
  if (c.json) {
    nlohmann::json j{{"kind", r.kind},     {"package", r.package_id},
                     {"from", r.from},     {"register", e.register_name},
                     {"number", e.number}, {"deadline", e.deadline}};
    if (r.kind == "request") {
      j["access_code"] = r.access_code;
      j["acknowledgement"] = r.ack_package_id;
      if (ack_out) j["acknowledgement_dir"] = ack_out->string();
    } else {
      for (const Exchange& x : e.exchanges)
        if (x.direction == "out" && x.ack_package_id == r.package_id)
          j["registered_there"] = {{"institution", x.peer}, {"number", x.peer_number}, {"date", x.peer_date}};
    }
    c.out << j.dump(2) << '\n';
    return;
  }
  if (r.kind == "request") {
    c.out << "registered " << e.register_name << " " << e.number << "  from " << r.from
          << "\n  deadline:    " << romanian_date(e.deadline) << "\n  access code: " << r.access_code
          << "  (for the citizen; it is not shown again)\n  acknowledgement " << r.ack_package_id
          << " written to " << (ack_out ? ack_out->string() : std::string("?")) << '\n';
    return;
  }
  for (const Exchange& x : e.exchanges)
    if (x.direction == "out" && x.ack_package_id == r.package_id)
      c.out << e.register_name << " " << e.number << ": forwarded to " << x.peer << ", registered there as "
            << x.peer_number << '\n';
}

// Reads and checks the package in `dir` and receives it into the archive.
ExitCode receive(Context& c, const fs::path& dir, const std::optional<fs::path>& ack_out) {
  auto trust = trust_from(c);
  if (!trust.ok()) return c.fail(trust.error());
  auto package = exchange::read_package(dir, **trust);
  if (!package.ok()) return c.fail(package.error());
  std::optional<signing::SigningKey> key;
  if (package->kind == "request") {
    auto loaded = institution_key(c);
    if (!loaded.ok()) return c.fail(loaded.error());
    key = std::move(loaded).value();
  }
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto actor = acting_user(c, (*archive)->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  exchange::ReceiveOptions options;
  options.register_name = c.command.get("--register").value_or("intrare");
  options.ocr = !c.command.has("--no-ocr");
  auto received =
      exchange::receive_package(**archive, *package, dir, key ? &*key : nullptr, ack_out, options, *actor);
  if (!received.ok()) return c.fail(received.error());
  print_received(c, *received, ack_out);
  return ExitCode::ok;
}

// Posts the package in `dir`, then records the acknowledgement of the answer.
ExitCode send(Context& c, const fs::path& dir, const std::string& url) {
  auto tls = client_tls(c);
  if (!tls.ok()) return c.fail(tls.error());
  auto ack = c.command.get("--ack");
  const fs::path ack_dir = ack && !ack->empty() ? fs::path(*ack) : fs::path(dir.string() + ".ack");
  // A server that refuses our certificate closes the connection while the
  // body is being written: that must be an error message, not SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  Status sent = exchange::send_package(url, *tls, dir, ack_dir);
  if (!sent.ok()) return c.fail(sent.error());
  return receive(c, ack_dir, std::nullopt);
}

}  // namespace

ExitCode run_registry_forward_package(Context& c) {
  auto output = c.command.get("-o");
  if (!output || output->empty())
    return c.fail(make_error(ErrorCode::invalid_argument, "-o", "the package needs an output directory"));
  auto key = institution_key(c);
  if (!key.ok()) return c.fail(key.error());
  if (!*key)
    return c.fail(make_error(ErrorCode::invalid_argument, "--key",
                             "the package is sealed with the institution's key (--key and --pin-env)"));
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto store = open_registry_store(**archive);
  if (!store.ok()) return c.fail(store.error());
  workflow::Registry registry((*archive)->catalog(), **store);
  auto actor = acting_user(c, (*archive)->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  exchange::ForwardRequest request{{c.command.positionals.at(0), c.command.get("--register").value_or("")},
                                   c.command.get("--to").value_or(""),
                                   c.command.get("--notice").value_or(""),
                                   c.command.get("--late")};
  auto forwarded = exchange::forward_with_package(**archive, registry, request, **key, *output, *actor);
  if (!forwarded.ok()) return c.fail(forwarded.error());
  const RegistryEntry& e = forwarded->entry;
  if (!c.json)
    c.out << e.register_name << " " << e.number << " forwarded to " << request.institution << "; package "
          << forwarded->package_id << " written to " << *output << '\n';
  if (auto url = c.command.get("--send")) return send(c, *output, *url);
  if (c.json)
    c.out << nlohmann::json{{"register", e.register_name},
                            {"number", e.number},
                            {"status", e.status},
                            {"package", forwarded->package_id},
                            {"package_dir", *output}}
                 .dump(2)
          << '\n';
  return ExitCode::ok;
}

ExitCode run_registry_receive(Context& c) {
  std::optional<fs::path> ack_out;
  if (auto o = c.command.get("-o"); o && !o->empty()) ack_out = *o;
  return receive(c, c.command.positionals.at(0), ack_out);
}

ExitCode run_registry_send(Context& c) {
  auto url = c.command.get("--url");
  if (!url || url->empty())
    return c.fail(make_error(ErrorCode::invalid_argument, "--url", "is required (https://HOST:PORT)"));
  return send(c, c.command.positionals.at(0), *url);
}

}  // namespace dosar::cli
