#include "forms/mail.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstring>
#include <memory>

#include "base/clock.h"
#include "base/sha256.h"
#include "forms/form_input.h"
#include "storage/registry_store.h"
#include "storage/submission_store.h"

namespace dosar::forms {
namespace {

std::string base64(std::string_view bytes, bool wrap) {
  std::string out;
  for (std::size_t at = 0; at < bytes.size(); at += 57) {  // 57 bytes: a 76-character line
    std::size_t n = std::min<std::size_t>(57, bytes.size() - at);
    std::string line(4 * ((n + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(line.data()),
                    reinterpret_cast<const unsigned char*>(bytes.data() + at), static_cast<int>(n));
    out += line;
    if (wrap) out += "\r\n";
  }
  return out;
}

// A header value in UTF-8 (RFC 2047 encoded-word).
std::string header_text(const std::string& text) {
  return "=?UTF-8?B?" + base64(text, false) + "?=";
}

bool plausible_address(const std::string& a) {
  auto at = a.find('@');
  return at != std::string::npos && at > 0 && at + 1 < a.size() && a.size() <= 254 &&
         a.find_first_of(" \t\r\n<>,;\"") == std::string::npos;
}

struct Upload {
  std::string data;
  std::size_t sent = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, upload->data.size() - upload->sent);
  std::memcpy(buffer, upload->data.data() + upload->sent, n);
  upload->sent += n;
  return n;
}

const char* event_label(const std::string& event, const std::string& status) {
  if (event == "verified") return "a fost verificată la registratură";
  if (event == "assigned") return "a fost repartizată";
  if (event == "documents-added") return "a primit documente noi";
  if (event == "annulled" || event == "spam") return "a fost anulată";
  if (event == "extended" || event == "extended-544") return "are un termen nou";
  if (event == "joined") return "a fost conexată la o cerere anterioară";
  if (event == "filed") return "a fost clasată";
  if (event == "forwarded") return "a fost redirecționată instituției competente";
  if (event == "refused") return "a primit un refuz motivat";
  if (status == "answered") return "a primit răspuns";
  if (status == "closed") return "a fost închisă";
  return "și-a schimbat starea";
}

}  // namespace

std::string mime_message(const std::string& from, const Mail& mail) {
  unsigned char random[12];
  RAND_bytes(random, sizeof random);
  std::string boundary =
      "dosar-" + to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  char date[64];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string domain = from.substr(from.find('@') + 1);
  std::string m = "Date: " + std::string(date) + "\r\nFrom: <" + from + ">\r\nTo: <" + mail.to +
                  ">\r\nSubject: " + header_text(mail.subject) + "\r\nMessage-ID: <" + boundary + "@" +
                  domain + ">\r\nMIME-Version: 1.0\r\n";
  std::string text_part =
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
      base64(mail.text, true);
  if (mail.attachment.empty()) return m + text_part;
  return m + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary + "\r\n" +
         text_part + "--" + boundary + "\r\nContent-Type: " + mail.attachment_type +
         "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" +
         mail.attachment_name + "\"\r\n\r\n" + base64(mail.attachment, true) + "--" + boundary + "--\r\n";
}

Status send_mail(const SmtpSettings& smtp, const Mail& mail) {
  if (!plausible_address(mail.to))
    return make_error(ErrorCode::invalid_argument, "e-mail",
                      "'" + mail.to + "' is not an address to send to");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return make_error(ErrorCode::io, smtp.url, "cannot start libcurl");
  Upload upload{mime_message(smtp.from, mail)};
  std::string from = "<" + smtp.from + ">", to = "<" + mail.to + ">";
  curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(recipients, curl_slist_free_all);
  char why[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_USE_SSL,
                   static_cast<long>(smtp.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  if (!smtp.user.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, smtp.user.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, smtp.password.c_str());
  }
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, why);
  CURLcode done = curl_easy_perform(curl.get());
  if (done != CURLE_OK)
    return make_error(ErrorCode::io, smtp.url,
                      std::string("the mail was not sent: ") + (*why ? why : curl_easy_strerror(done)));
  return {};
}

Result<int> mail_status_changes(ArchiveStore& archive, const SmtpSettings& smtp) {
  auto submissions = open_submission_store(archive);
  if (!submissions.ok()) return submissions.error();
  auto registry = open_registry_store(archive);
  if (!registry.ok()) return registry.error();
  auto pending = (*submissions)->to_notify();
  if (!pending.ok()) return pending.error();
  int sent = 0;
  for (const OnlineSubmission& s : *pending) {
    auto entry = (*registry)->entry(s.entry_id);
    if (!entry.ok()) return entry.error();
    if (!plausible_address(entry->sender_contact)) continue;
    std::string text;
    int last = s.notified_seq;
    for (const RegistryEvent& e : entry->history) {
      if (e.seq <= s.notified_seq || e.event == "code-reissued") continue;
      text += format_bucharest(e.at) + ": cererea " + event_label(e.event, e.status) +
              (e.department.empty() ? "" : " (" + e.department + ")") + ".\n";
      last = e.seq;
    }
    if (last == s.notified_seq) continue;
    Mail mail{
        entry->sender_contact,
        "Cererea nr. " + entry->number + ": " + status_label(entry->status),
        "Bună ziua,\n\n" + text + "\nStarea de acum: " + status_label(entry->status) +
            ".\nO puteți urmări pe pagina „Stadiul cererii”, cu numărul și codul de acces de pe recipisă.\n",
        "",
        "",
        ""};
    if (!send_mail(smtp, mail).ok()) continue;  // retried next time
    DOSAR_TRY((*submissions)->set_notified(s.entry_id, last));
    ++sent;
  }
  return sent;
}

}  // namespace dosar::forms
