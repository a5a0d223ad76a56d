// E-mail to citizens (issue 11): the receipt of an online submission and
// each later change of its status, sent through libcurl's SMTP client —
// STARTTLS whenever the server offers it (required with `require_tls`),
// TLS from the start with an smtps:// URL.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "storage/archive_store.h"

namespace dosar::forms {

struct SmtpSettings {
  std::string url;   // smtp://mail.primarie.ro:587 or smtps://…:465
  std::string from;  // registratura@primarie.ro
  std::string user;  // empty: no authentication
  std::string password;
  bool require_tls = false;  // refuse to send over a connection STARTTLS did not protect
};

struct Mail {
  std::string to;
  std::string subject;  // UTF-8
  std::string text;     // UTF-8 plain text
  std::string attachment_name;
  std::string attachment;  // bytes; empty: none
  std::string attachment_type = "application/pdf";
};

// The RFC 5322 message (MIME, UTF-8, base64 parts). Exposed for tests.
std::string mime_message(const std::string& from, const Mail& mail);
// Sends one message. Errors: invalid_argument (address), io (the server's or curl's reason).
Status send_mail(const SmtpSettings& smtp, const Mail& mail);

// Mails each online submitter whose contact is an e-mail address the status
// changes of their entry not yet mailed (the registry's events after the
// last one mailed), and records what was sent. Returns how many mails went.
// Errors: io (catalogue); a mail that fails is retried on the next call.
Result<int> mail_status_changes(ArchiveStore& archive, const SmtpSettings& smtp);

}  // namespace dosar::forms
