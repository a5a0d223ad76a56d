// Centralized sign-in through an LDAP directory (issue 7): a simple bind as
// the user, always over TLS (ldaps://, or ldap:// with StartTLS), with the
// server's certificate verified against a configured CA file. Only the
// password is checked there; who the user is in Dosar (roles, departments)
// stays in Dosar, on an account marked LDAP-authenticated.
#pragma once

#include <string>

#include "base/result.h"

namespace dosar::api {

struct LdapOptions {
  // ldaps://host[:636] (TLS from the first byte) or ldap://host[:389]
  // (StartTLS is then required; a bind is never sent in plaintext).
  std::string url;
  std::string ca_file;  // PEM CA certificates the server's certificate must chain to
  // Either a DN template, "{user}" replaced by the user name escaped as an
  // RFC 4514 attribute value: "uid={user},ou=people,dc=primarie,dc=ro" ...
  std::string bind_dn;
  // ... or a search for the user's entry under `search_base` with `filter`,
  // "{user}" escaped as an RFC 4515 value ("(uid={user})"), done by a
  // service account (its DN and password); exactly one entry must match.
  std::string search_base;
  std::string filter = "(uid={user})";
  std::string service_dn;
  std::string service_password;
  int timeout_seconds = 5;  // connect and each operation
};

// Checks the options' shape (URL scheme, CA file readable, one of the two
// ways to find the DN). Errors: invalid_argument naming the setting.
Status check_ldap_options(const LdapOptions& options);

enum class LdapVerdict { accepted, refused };

// Binds as `user` with `password`. refused: wrong password, no such entry
// (or several), an empty password (which LDAP would take as an anonymous
// bind). Errors: io when the directory cannot be asked — unreachable, TLS
// refused (certificate not trusted, StartTLS not offered), the service
// account refused — with the reason; the caller must then not sign anyone in.
Result<LdapVerdict> ldap_authenticate(const LdapOptions& options, const std::string& user,
                                      const std::string& password);

// "{user}" in `pattern` replaced by the escaped value. DN values escape
// RFC 4514's specials (, + " \ < > ; = leading # or space, trailing space,
// NUL) as \XX; filter values escape * ( ) \ NUL as \XX (RFC 4515).
std::string escape_dn_value(const std::string& value);
std::string escape_filter_value(const std::string& value);

}  // namespace dosar::api
