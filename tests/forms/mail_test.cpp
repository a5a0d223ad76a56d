// The mails to citizens (issue 11): the message's shape here; the sending
// against a real SMTP sink is tests/e2e/forms_mail_test.sh.
#include "forms/mail.h"

#include <gtest/gtest.h>

namespace dosar::forms {
namespace {

TEST(MimeMessage, CarriesUtf8TextAndThePdfAsBase64Parts) {
  Mail mail{"ion@example.ro",     "Cererea nr. 1/23.11.2026: înregistrată",
            "Bună ziua, ăîșț.\n", "recipisa-1.pdf",
            "%PDF-1.7 …",         "application/pdf"};
  std::string m = mime_message("registratura@primarie.example", mail);
  EXPECT_NE(m.find("To: <ion@example.ro>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(m.find("înregistrată"), std::string::npos) << "headers and text travel as base64";
  EXPECT_NE(m.find("multipart/mixed"), std::string::npos);
  EXPECT_NE(m.find("filename=\"recipisa-1.pdf\""), std::string::npos);
  EXPECT_NE(m.find("JVBERi0xLjcg"), std::string::npos);  // base64 of "%PDF-1.7 "
  EXPECT_NE(m.find("@primarie.example>"), std::string::npos);
}

TEST(MimeMessage, WithoutAttachmentIsOnePlainPart) {
  std::string m = mime_message("a@b.ro", Mail{"c@d.ro", "S", "T", "", "", ""});
  EXPECT_EQ(m.find("multipart"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
}

TEST(SendMail, RefusesAnAddressThatCouldInjectHeaders) {
  SmtpSettings smtp{"smtp://127.0.0.1:9", "a@b.ro", "", "", false};
  for (const char* to : {"", "nobody", "x@y.ro\r\nBcc: all@z.ro", "<x@y.ro>", "a@b.ro, c@d.ro"}) {
    Status sent = send_mail(smtp, Mail{to, "S", "T", "", "", ""});
    ASSERT_FALSE(sent.ok()) << to;
    EXPECT_EQ(sent.error().code, ErrorCode::invalid_argument) << to;
  }
}

TEST(SendMail, ReportsAServerThatDoesNotAnswer) {
  SmtpSettings smtp{"smtp://127.0.0.1:9", "a@b.ro", "", "", false};  // discard port: nobody listens
  Status sent = send_mail(smtp, Mail{"c@d.ro", "S", "T", "", "", ""});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::io);
}

}  // namespace
}  // namespace dosar::forms
