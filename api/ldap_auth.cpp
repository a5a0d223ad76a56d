#include "api/ldap_auth.h"

#include <ldap.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace dosar::api {
namespace {

constexpr const char* kUserPlaceholder = "{user}";

std::string replace_user(const std::string& pattern, const std::string& escaped) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit; (hit = pattern.find(kUserPlaceholder, at)) != std::string::npos;
       at = hit + std::char_traits<char>::length(kUserPlaceholder))
    out += pattern.substr(at, hit - at) + escaped;
  return out + pattern.substr(at);
}

std::string hex_escape(unsigned char c) {
  char buffer[4];
  std::snprintf(buffer, sizeof buffer, "\\%02x", c);
  return buffer;
}

struct Unbind {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using Handle = std::unique_ptr<LDAP, Unbind>;

// The directory could not be asked: why, in words, for the log and the 503.
Error unavailable(LDAP* ld, const std::string& url, const std::string& doing, int rc) {
  std::string message = doing + ": " + ldap_err2string(rc);
  char* diagnostic = nullptr;
  if (ld && ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS && diagnostic) {
    if (*diagnostic) message += std::string(" (") + diagnostic + ")";
    ldap_memfree(diagnostic);
  }
  return Error{ErrorCode::io, "LDAP " + url, message};
}

// Answers from the directory that mean "these credentials do not sign in",
// as opposed to "the directory could not be asked".
bool is_refusal(int rc) {
  return rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX || rc == LDAP_NO_SUCH_OBJECT ||
         rc == LDAP_UNWILLING_TO_PERFORM || rc == LDAP_INAPPROPRIATE_AUTH;
}

// A connection with TLS established (or about to be, for ldaps://): the
// server's certificate must chain to the CA file and name the host.
Result<Handle> connect(const LdapOptions& o) {
  LDAP* raw = nullptr;
  int rc = ldap_initialize(&raw, o.url.c_str());
  Handle ld(raw);
  if (rc != LDAP_SUCCESS) return unavailable(nullptr, o.url, "cannot use the URL", rc);
  int version = LDAP_VERSION3;
  timeval timeout{o.timeout_seconds, 0};
  int require = LDAP_OPT_X_TLS_HARD;
  int new_context = 0;
  // The CA file alone decides: no directory of system CAs from ldap.conf.
  if (ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_TIMEOUT, &timeout) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_X_TLS_CACERTFILE, o.ca_file.c_str()) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_X_TLS_CACERTDIR, nullptr) != LDAP_OPT_SUCCESS ||
      ldap_set_option(raw, LDAP_OPT_X_TLS_NEWCTX, &new_context) != LDAP_OPT_SUCCESS)
    return make_error(ErrorCode::io, "LDAP " + o.url, "libldap refused the TLS settings");
  if (o.url.rfind("ldap://", 0) == 0) {
    rc = ldap_start_tls_s(raw, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return unavailable(raw, o.url, "StartTLS failed, so nothing was sent", rc);
  }
  return ld;
}

int simple_bind(LDAP* ld, const std::string& dn, const std::string& password) {
  berval credentials{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
  return ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
}

// The DN of the one entry `filter` finds, searched as the service account;
// nullopt when none or several match.
Result<std::optional<std::string>> find_user_dn(LDAP* ld, const LdapOptions& o, const std::string& user) {
  int rc = simple_bind(ld, o.service_dn, o.service_password);
  if (rc != LDAP_SUCCESS)
    return unavailable(ld, o.url, "the service account " + o.service_dn + " was refused", rc);
  std::string filter = replace_user(o.filter, escape_filter_value(user));
  char no_attributes[] = "1.1";  // RFC 4511: return no attributes
  char* attributes[] = {no_attributes, nullptr};
  timeval timeout{o.timeout_seconds, 0};
  LDAPMessage* found = nullptr;
  rc = ldap_search_ext_s(ld, o.search_base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attributes, 0,
                         nullptr, nullptr, &timeout, 2, &found);
  std::unique_ptr<LDAPMessage, int (*)(LDAPMessage*)> owned(found, ldap_msgfree);
  if (rc == LDAP_SIZELIMIT_EXCEEDED || rc == LDAP_NO_SUCH_OBJECT || rc == LDAP_FILTER_ERROR)
    return std::optional<std::string>();
  if (rc != LDAP_SUCCESS) return unavailable(ld, o.url, "the search for the user failed", rc);
  if (ldap_count_entries(ld, found) != 1) return std::optional<std::string>();
  char* dn = ldap_get_dn(ld, ldap_first_entry(ld, found));
  if (!dn) return std::optional<std::string>();
  std::string result = dn;
  ldap_memfree(dn);
  return std::optional<std::string>(result);
}

}  // namespace

std::string escape_dn_value(const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    bool special = c == '\0' || c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
                   c == ';' || c == '=' || ((c == '#' || c == ' ') && i == 0) ||
                   (c == ' ' && i + 1 == value.size());
    if (special)
      out += hex_escape(c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

std::string escape_filter_value(const std::string& value) {
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\0' || c == '*' || c == '(' || c == ')' || c == '\\')
      out += hex_escape(c);
    else
      out += ch;
  }
  return out;
}

Status check_ldap_options(const LdapOptions& o) {
  if (o.url.rfind("ldaps://", 0) != 0 && o.url.rfind("ldap://", 0) != 0)
    return make_error(ErrorCode::invalid_argument, "LDAP URL",
                      "'" + o.url + "' must start with ldaps:// (TLS) or ldap:// (then StartTLS)");
  if (o.url.find_first_of(" \t,") != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "LDAP URL", "give one server, not a list");
  if (o.ca_file.empty() || ::access(o.ca_file.c_str(), R_OK) != 0)
    return make_error(ErrorCode::invalid_argument, "LDAP CA file",
                      "'" + o.ca_file + "' cannot be read; the server's certificate is always verified");
  bool by_template = !o.bind_dn.empty(), by_search = !o.search_base.empty();
  if (by_template == by_search)
    return make_error(ErrorCode::invalid_argument, "LDAP",
                      "give either a bind DN template or a search base (with a service account), not both or "
                      "neither");
  if (by_template && o.bind_dn.find(kUserPlaceholder) == std::string::npos)
    return make_error(ErrorCode::invalid_argument, "LDAP bind DN", "'" + o.bind_dn + "' must contain {user}");
  if (by_search && o.filter.find(kUserPlaceholder) == std::string::npos)
    return make_error(ErrorCode::invalid_argument, "LDAP filter", "'" + o.filter + "' must contain {user}");
  if (by_search && (o.service_dn.empty() || o.service_password.empty()))
    return make_error(ErrorCode::invalid_argument, "LDAP service account",
                      "a search needs the service account's DN and password");
  if (o.timeout_seconds < 1)
    return make_error(ErrorCode::invalid_argument, "LDAP timeout", "must be at least 1 second");
  return {};
}

Result<LdapVerdict> ldap_authenticate(const LdapOptions& o, const std::string& user,
                                      const std::string& password) {
  DOSAR_TRY(check_ldap_options(o));
  // An empty password is an unauthenticated bind (RFC 4513 5.1.2), which
  // many servers accept: it proves nothing.
  if (user.empty() || password.empty()) return LdapVerdict::refused;
  auto ld = connect(o);
  if (!ld.ok()) return ld.error();
  std::string dn;
  if (!o.bind_dn.empty()) {
    dn = replace_user(o.bind_dn, escape_dn_value(user));
  } else {
    auto found = find_user_dn(ld->get(), o, user);
    if (!found.ok()) return found.error();
    if (!*found) return LdapVerdict::refused;
    dn = **found;
  }
  int rc = simple_bind(ld->get(), dn, password);
  if (rc == LDAP_SUCCESS) return LdapVerdict::accepted;
  if (is_refusal(rc)) return LdapVerdict::refused;
  return unavailable(ld->get(), o.url, "the bind failed", rc);
}

}  // namespace dosar::api
