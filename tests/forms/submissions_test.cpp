// What a submitter sends is checked against the form's definition, and file
// names are kept only as metadata: every bad name of the "Bad input"
// section is refused with its reason (issue 11).
#include "forms/submissions.h"

#include <gtest/gtest.h>

namespace dosar::forms {
namespace {

const FormDefinition& petitie() {
  static const FormDefinition form = [] {
    auto forms = load_forms(std::nullopt);
    for (FormDefinition& f : forms.value())
      if (f.id == "petitie") return f;
    throw std::runtime_error("no petitie");
  }();
  return form;
}

std::map<std::string, std::string> good() {
  return {{"nume", "Ion Popescu"},
          {"adresa", "Str. Băicului 3, București"},
          {"email", "ion@example.ro"},
          {"obiect", "Iluminat stradal"},
          {"continut", "Vă rog să reparați\nlampa de pe stradă."}};
}

TEST(ValidateFields, AcceptsACompleteForm) {
  auto values = validate_fields(petitie(), good());
  ASSERT_TRUE(values.ok()) << values.error().to_string();
  EXPECT_EQ(values->at("nume"), "Ion Popescu");
  EXPECT_EQ(values->count("telefon"), 0u);  // optional and empty
}

TEST(ValidateFields, NamesAMissingRequiredField) {
  auto parts = good();
  parts.erase("obiect");
  auto values = validate_fields(petitie(), parts);
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().subject, "obiect");
  parts["obiect"] = "   ";
  EXPECT_EQ(validate_fields(petitie(), parts).error().subject, "obiect");
}

TEST(ValidateFields, RefusesOneCharacterPastTheFieldLimit) {
  auto parts = good();
  const std::size_t limit = petitie().field("obiect")->max_length;
  parts["obiect"] = std::string(limit, 'a');
  EXPECT_TRUE(validate_fields(petitie(), parts).ok());
  parts["obiect"] = std::string(limit - 1, 'a') + "ș";  // characters, not bytes
  EXPECT_TRUE(validate_fields(petitie(), parts).ok());
  parts["obiect"] = std::string(limit + 1, 'a');
  auto values = validate_fields(petitie(), parts);
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().subject, "obiect");
}

TEST(ValidateFields, ChecksTypes) {
  for (auto [field, value] :
       {std::pair{"email", "not-an-address"}, std::pair{"telefon", "call me"},
        std::pair{"nume", "Ion\x01Popescu"}, std::pair{"nume", "Ion\nPopescu"}, std::pair{"nume", "\xc3\x28"},
        std::pair{"obiect",
                  "a\xe2\x80\xae"
                  "b"}}) {
    auto parts = good();
    parts[field] = value;
    auto values = validate_fields(petitie(), parts);
    ASSERT_FALSE(values.ok()) << field << "=" << value;
    EXPECT_EQ(values.error().subject, field);
  }
}

TEST(ValidateFields, RefusesAPartTheFormDoesNotHave) {
  auto parts = good();
  parts["admin"] = "1";
  auto values = validate_fields(petitie(), parts);
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().subject, "admin");
}

TEST(ValidateFields, AcceptsOnlyOfferedChoices) {
  auto forms = load_forms(std::nullopt);
  const FormDefinition* social = nullptr;
  for (const FormDefinition& f : *forms)
    if (f.id == "serviciu-social") social = &f;
  ASSERT_NE(social, nullptr);
  std::map<std::string, std::string> parts = {{"tip_cerere", "inscriere"}, {"serviciul", "cantină"},
                                              {"nume", "Maria"},           {"adresa", "Str. X"},
                                              {"telefon", "0721 000 000"}, {"motivul", "Vârsta"}};
  EXPECT_TRUE(validate_fields(*social, parts).ok());
  parts["tip_cerere"] = "<script>";
  EXPECT_EQ(validate_fields(*social, parts).error().subject, "tip_cerere");
}

struct BadName {
  const char* label;
  std::string name;
  const char* reason;
};

class AttachmentNameRefuses : public ::testing::TestWithParam<BadName> {};

TEST_P(AttachmentNameRefuses, WithItsReason) {
  auto name = attachment_name(GetParam().name);
  ASSERT_FALSE(name.ok()) << GetParam().label;
  EXPECT_EQ(name.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(name.error().message.find(GetParam().reason), std::string::npos) << name.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, AttachmentNameRefuses,
    ::testing::Values(
        BadName{"DotDot", "../../etc/passwd", "path"}, BadName{"Absolute", "/etc/passwd", "path"},
        BadName{"WindowsPath", "C:\\Windows\\win.ini", "path"},
        BadName{"DriveRelative", "C:win.ini", "drive"}, BadName{"Nul", std::string("scan\0.pdf", 9), "NUL"},
        BadName{"Control", "scan\x1b[31m.pdf", "control"},
        BadName{"RightToLeftOverride",
                "factura\xe2\x80\xae"
                "exe.pdf",
                "right-to-left"},
        BadName{"ReservedCon", "CON", "reserves"}, BadName{"ReservedNulTxt", "nul.txt", "reserves"},
        BadName{"ReservedCom1", "com1.pdf", "reserves"},
        BadName{"TooLong", std::string(300, 'a') + ".pdf", "longer than 255"},
        BadName{"InvalidUtf8", "scan\xff\xfe.pdf", "UTF-8"}, BadName{"Overlong", "scan\xc0\xaf.pdf", "UTF-8"},
        BadName{"Hidden", ".htaccess", "dot"}, BadName{"Empty", "", "empty"},
        BadName{"TrailingDot", "scan.pdf.", "ends"}),
    [](const auto& param_info) { return param_info.param.label; });

TEST(AttachmentName, KeepsOrdinaryNamesAsTheyAre) {
  for (const char* name :
       {"scan 1.pdf", "Cerere ș ț.jpg", "IMG_20261123_101500.jpg", "console.pdf", "<b>x<i>.png"})
    EXPECT_EQ(attachment_name(name).value(), name);
  EXPECT_TRUE(attachment_name(std::string(251, 'a') + ".pdf").ok());  // 255 bytes: the limit
}

TEST(StatusLabel, ShowsTheRomanianNames) {
  EXPECT_EQ(status_label("to-verify"), "de verificat");
  EXPECT_EQ(status_label("annulled"), "anulată");
}

}  // namespace
}  // namespace dosar::forms
