// user passwd, user disable, user enable, serve.
#include <csignal>
#include <cstdlib>
#include <thread>
#include <tuple>

#include "api/passwords.h"
#include "api/server.h"
#include "cli/context.h"
#include "ingest/approval_signing.h"
#include "storage/archive_config.h"

namespace dosar::cli {

Result<std::string> password_hash_from_env(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (!value || !*value)
    return make_error(ErrorCode::invalid_argument, "--password-env " + variable,
                      "the environment variable is not set or empty");
  return api::hash_password(value);
}

ExitCode run_user_passwd(Context& c) {
  auto variable = c.command.get("--password-env");
  if (!variable) {
    c.err << "dosar: user passwd needs --password-env VAR\n";
    return ExitCode::usage;
  }
  auto hash = password_hash_from_env(*variable);
  if (!hash.ok()) return c.fail(hash.error());
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  const std::string& name = c.command.positionals[0];
  Status set = (*archive)->accounts().set_password_hash(name, *hash, c.actor());
  if (!set.ok()) return c.fail(set.error());
  c.out << "password of " << name << " set\n";
  return ExitCode::ok;
}

namespace {

ExitCode set_disabled(Context& c, bool disabled) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  const std::string& name = c.command.positionals[0];
  Status set = (*archive)->accounts().set_disabled(name, disabled, c.actor());
  if (!set.ok()) return c.fail(set.error());
  c.out << "user " << name << (disabled ? " disabled; their sessions ended\n" : " enabled\n");
  return ExitCode::ok;
}

api::WebServer* running_server = nullptr;

extern "C" void stop_serving(int) {
  // httplib's stop() only shuts the listening socket and sets a flag.
  if (running_server) running_server->stop();
}

}  // namespace

ExitCode run_user_disable(Context& c) {
  return set_disabled(c, true);
}

ExitCode run_user_signing_key(Context& c) {
  auto key = c.command.get("--key");
  if (!key || key->empty()) {
    c.err << "dosar: user signing-key needs --key FILE.p12 or --key 'pkcs11:…'\n";
    return ExitCode::usage;
  }
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  const std::string& name = c.command.positionals[0];
  Status stored =
      store_user_signing_key(**archive, name, *key, c.command.get("--chain").value_or(""), c.actor());
  if (!stored.ok()) return c.fail(stored.error());
  c.out << "signing key of " << name << " kept on the server; they approve from the web pages with its PIN\n";
  return ExitCode::ok;
}
ExitCode run_user_enable(Context& c) {
  return set_disabled(c, false);
}

namespace {

// ADDRESS:PORT of `option` into host and port; false (with the message) when malformed.
bool parse_listen(Context& c, const char* option, const std::string& listen, std::string& host, int& port) {
  std::size_t colon = listen.rfind(':');
  char* end = nullptr;
  long number = colon == std::string::npos ? -1 : std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (colon == std::string::npos || colon == 0 || *end != '\0' || number < 0 || number > 65535) {
    c.err << "dosar: " << option << " must be ADDRESS:PORT, e.g. 127.0.0.1:8080, not '" << listen << "'\n";
    return false;
  }
  host = listen.substr(0, colon);
  port = static_cast<int>(number);
  return true;
}

// --exchange-listen and what it needs: the client CA and the seal.
Status exchange_options(Context& c, api::ServerOptions& options) {
  auto listen = c.command.get("--exchange-listen");
  if (!listen) return {};
  std::string host;
  if (!parse_listen(c, "--exchange-listen", *listen, host, options.exchange_port))
    return make_error(ErrorCode::invalid_argument, "--exchange-listen", "malformed");
  options.exchange_host = host;
  if (auto ca = c.command.get("--exchange-ca")) options.exchange_client_ca = *ca;
  auto key_file = c.command.get("--exchange-key");
  auto pin_env = c.command.get("--exchange-pin-env");
  if (!key_file || !pin_env)
    return make_error(ErrorCode::invalid_argument, "--exchange-key/--exchange-pin-env",
                      "the exchange listener seals acknowledgements: give both");
  const char* pin = std::getenv(pin_env->c_str());
  if (!pin) return make_error(ErrorCode::invalid_argument, *pin_env, "is not set in the environment");
  auto key = key_file->rfind("pkcs11:", 0) == 0 ? signing::SigningKey::from_pkcs11(*key_file, pin)
                                                : signing::SigningKey::from_pkcs12(*key_file, pin);
  if (!key.ok()) return key.error();
  options.exchange_key = std::make_shared<const signing::SigningKey>(std::move(key).value());
  return {};
}

// LDAP sign-in: the "ldap" object of ARCHIVE/config.json (which may hold
// the service account's password: the file must be private), each key
// overridden by its --ldap-* option. Nothing set: no LDAP.
Status ldap_options(Context& c, api::ServerOptions& options) {
  auto config = read_archive_config(c.archive_dir);
  if (!config.ok()) return config.error();
  api::LdapOptions ldap;
  for (auto [key, option, target] :
       {std::tuple{"url", "--ldap-url", &ldap.url}, std::tuple{"ca_file", "--ldap-ca", &ldap.ca_file},
        std::tuple{"bind_dn", "--ldap-bind-dn", &ldap.bind_dn},
        std::tuple{"search_base", "--ldap-search-base", &ldap.search_base},
        std::tuple{"filter", "--ldap-filter", &ldap.filter},
        std::tuple{"service_dn", "--ldap-service-dn", &ldap.service_dn},
        std::tuple{"service_password", "", &ldap.service_password}}) {
    if (auto value = config->get(std::string("ldap.") + key)) *target = *value;
    if (*option)
      if (auto value = c.command.get(option)) *target = *value;
  }
  if (auto variable = c.command.get("--ldap-service-password-env")) {
    const char* password = std::getenv(variable->c_str());
    if (!password || !*password)
      return make_error(ErrorCode::invalid_argument, "--ldap-service-password-env " + *variable,
                        "the environment variable is not set or empty");
    ldap.service_password = password;
  }
  if (ldap.url.empty()) return {};
  DOSAR_TRY(api::check_ldap_options(ldap));
  options.ldap = std::move(ldap);
  return {};
}

}  // namespace

ExitCode run_serve(Context& c) {
  api::ServerOptions options;
  options.archive_dir = c.archive_dir;
  options.index_locator = c.index_locator;
  if (!parse_listen(c, "--listen", c.command.get("--listen").value_or("127.0.0.1:8080"), options.host,
                    options.port))
    return ExitCode::usage;
  char* end = nullptr;
  for (auto [option, target] :
       {std::pair{"--max-upload-mb", 0}, std::pair{"--threads", 1}, std::pair{"--submissions-per-hour", 2},
        std::pair{"--submissions-per-minute", 3}, std::pair{"--mail-interval", 4}}) {
    auto value = c.command.get(option);
    if (!value) continue;
    long n = std::strtol(value->c_str(), &end, 10);
    if (value->empty() || *end != '\0' || n < 1 || n > 1'000'000) {
      c.err << "dosar: " << option << " must be a positive number, not '" << *value << "'\n";
      return ExitCode::usage;
    }
    if (target == 0)
      options.max_upload_bytes = static_cast<std::uint64_t>(n) << 20;
    else if (target == 1)
      options.threads = static_cast<int>(n);
    else if (target == 2)
      options.forms.per_address_per_hour = static_cast<int>(n);
    else if (target == 3)
      options.forms.per_minute = static_cast<int>(n);
    else
      options.forms.mail_interval_seconds = static_cast<int>(n);
  }
  if (auto cert = c.command.get("--tls-cert")) options.tls_cert = *cert;
  if (auto key = c.command.get("--tls-key")) options.tls_key = *key;
  options.ocr = !c.command.has("--no-ocr");
  options.derive_in_workers = c.command.has("--no-derivations");
  if (auto trust = c.command.get("--trust"))
    options.trust_dir = *trust;
  else if (const char* env = std::getenv("DOSAR_TRUST_DIR"); env && *env)
    options.trust_dir = env;
  if (auto forms = c.command.get("--forms")) options.forms.forms_dir = *forms;
  options.forms.proof_of_work = !c.command.has("--no-proof-of-work");
  options.trusted_proxies = c.command.get_all("--trusted-proxy");
  if (auto institution = c.command.get("--institution")) options.forms.institution = *institution;
  if (auto smtp = c.command.get("--smtp")) options.forms.smtp_url = *smtp;
  if (auto from = c.command.get("--smtp-from")) options.forms.smtp_from = *from;
  if (auto user = c.command.get("--smtp-user")) options.forms.smtp_user = *user;
  if (const char* password = std::getenv("DOSAR_SMTP_PASSWORD")) options.forms.smtp_password = password;
  options.forms.smtp_require_tls = c.command.has("--smtp-require-tls");
  Status exchange = exchange_options(c, options);
  if (!exchange.ok()) return c.fail(exchange.error());
  Status ldap = ldap_options(c, options);
  if (!ldap.ok()) return c.fail(ldap.error());
  auto server = api::WebServer::create(options);
  if (!server.ok()) return c.fail(server.error());
  auto sampler = start_fixity_sampler(c);
  if (!sampler.ok())
    return sampler.error().code == ErrorCode::invalid_argument ? (c.fail(sampler.error()), ExitCode::usage)
                                                               : c.fail(sampler.error());
  running_server = server->get();
  std::signal(SIGINT, stop_serving);
  std::signal(SIGTERM, stop_serving);
  c.err << "dosar: serving " << c.archive_dir.string() << " at " << (*server)->url() << "/ (Ctrl-C stops)\n";
  if ((*server)->exchange_port() != 0)
    c.err << "dosar: exchange between institutions (mutual TLS) at https://" << *options.exchange_host << ":"
          << (*server)->exchange_port() << "/api/v1/exchange/packages\n";
  c.err.flush();
  Status ran = (*server)->run();
  running_server = nullptr;
  if (!ran.ok()) return c.fail(ran.error());
  c.err << "dosar: stopped\n";
  return ExitCode::ok;
}

}  // namespace dosar::cli
