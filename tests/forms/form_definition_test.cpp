// Forms as data: the shipped definitions load, an administrator's folder
// overrides them by id, and a definition with errors is refused naming the
// file and the field (issue 11).
#include "forms/form_definition.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace dosar::forms {
namespace {

using nlohmann::json;

json minimal() {
  return json::parse(R"({
    "id": "test", "version": 2, "title": "Formular de test", "register": "intrare", "kind": "petitie",
    "notice_version": "v1", "notice": "Informare.", "sender_field": "nume",
    "fields": [{"name": "nume", "type": "text", "label": "Nume", "required": true},
               {"name": "tip", "type": "select", "label": "Tip", "options": [{"value": "a", "label": "A"}]}]})");
}

TEST(FormDefinition, ShipsTheFourFormsOfTheIssue) {
  auto forms = load_forms(std::nullopt);
  ASSERT_TRUE(forms.ok()) << forms.error().to_string();
  std::vector<std::string> ids;
  for (const FormDefinition& f : *forms) ids.push_back(f.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"documente", "informatii-publice", "petitie", "serviciu-social"}));
  for (const FormDefinition& f : *forms) {
    EXPECT_GE(f.version, 1) << f.id;
    EXPECT_FALSE(f.notice_version.empty()) << f.id;
    EXPECT_NE(f.field(f.sender_field), nullptr) << f.id;
  }
}

TEST(FormDefinition, ReadsFieldsWithTheirRules) {
  auto d = parse_form_definition(minimal().dump(), "test.json");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->version, 2);
  ASSERT_EQ(d->fields.size(), 2u);
  EXPECT_TRUE(d->fields[0].required);
  EXPECT_EQ(d->fields[0].max_length, 500u);  // the type's default
  EXPECT_EQ(d->fields[1].type, FieldType::select);
  EXPECT_EQ(d->fields[1].options.at(0).label, "A");
  EXPECT_EQ(d->attachments.max_files, 10);
}

struct BadDefinition {
  const char* name;
  std::function<void(json&)> spoil;
  const char* field;  // named in the message
};

class FormDefinitionRefuses : public ::testing::TestWithParam<BadDefinition> {};

TEST_P(FormDefinitionRefuses, NamingTheFileAndTheField) {
  json d = minimal();
  GetParam().spoil(d);
  auto parsed = parse_form_definition(d.dump(), "/etc/dosar/forms/test.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(parsed.error().subject, "/etc/dosar/forms/test.json");
  EXPECT_NE(parsed.error().message.find(std::string("'") + GetParam().field + "'"), std::string::npos)
      << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FormDefinitionRefuses,
    ::testing::Values(
        BadDefinition{"NoVersion", [](json& d) { d.erase("version"); }, "version"},
        BadDefinition{"VersionNotANumber", [](json& d) { d["version"] = "2"; }, "version"},
        BadDefinition{"UnknownType", [](json& d) { d["fields"][1]["type"] = "colour"; }, "fields[1].type"},
        BadDefinition{"DuplicateName", [](json& d) { d["fields"][1]["name"] = "nume"; }, "fields[1].name"},
        BadDefinition{"ReservedName", [](json& d) { d["fields"][1]["name"] = "files"; }, "fields[1].name"},
        BadDefinition{"SelectWithoutOptions", [](json& d) { d["fields"][1].erase("options"); },
                      "fields[1].options"},
        BadDefinition{"OptionsOnText", [](json& d) { d["fields"][0]["options"] = json::array(); },
                      "fields[0].options"},
        BadDefinition{"UnknownKey", [](json& d) { d["fields"][0]["requird"] = true; }, "fields[0].requird"},
        BadDefinition{"SenderNotAField", [](json& d) { d["sender_field"] = "email"; }, "sender_field"},
        BadDefinition{"MaxLengthZero", [](json& d) { d["fields"][0]["max_length"] = 0; },
                      "fields[0].max_length"},
        BadDefinition{"NoFields", [](json& d) { d["fields"] = json::array(); }, "fields"},
        BadDefinition{"BadId", [](json& d) { d["id"] = "../x"; }, "id"},
        BadDefinition{"TooManyFiles",
                      [](json& d) {
                        d["attachments"] = {{"max_files", 11}};
                      },
                      "attachments.max_files"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(FormDefinition, RefusesTextThatIsNotJson) {
  auto parsed = parse_form_definition("{\"id\": ", "broken.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().subject, "broken.json");
}

TEST(FormDefinition, AFolderOverridesAShippedFormByIdAndAddsNewOnes) {
  testing::TempDir dir;
  json petitie = minimal();
  petitie["id"] = "petitie";
  petitie["version"] = 7;
  testing::write_file(dir.path() / "petitie.json", petitie.dump());
  testing::write_file(dir.path() / "nou.json", minimal().dump());
  testing::write_file(dir.path() / "README.txt", "not a definition");
  auto forms = load_forms(dir.path(), OverrideFolder::required);
  ASSERT_TRUE(forms.ok()) << forms.error().to_string();
  EXPECT_EQ(forms->size(), 5u);
  for (const FormDefinition& f : *forms)
    if (f.id == "petitie") {
      EXPECT_EQ(f.version, 7);
      EXPECT_EQ(f.source, (dir.path() / "petitie.json").string());
    }
}

TEST(FormDefinition, ABrokenFileInTheFolderStopsTheLoadNamingIt) {
  testing::TempDir dir;
  json bad = minimal();
  bad["fields"][0]["type"] = "number";
  testing::write_file(dir.path() / "b.json", bad.dump());
  auto forms = load_forms(dir.path(), OverrideFolder::required);
  ASSERT_FALSE(forms.ok());
  EXPECT_EQ(forms.error().subject, (dir.path() / "b.json").string());
  EXPECT_NE(forms.error().message.find("fields[0].type"), std::string::npos);
}

TEST(FormDefinition, TwoFilesWithOneIdConflict) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "a.json", minimal().dump());
  testing::write_file(dir.path() / "b.json", minimal().dump());
  auto forms = load_forms(dir.path(), OverrideFolder::required);
  ASSERT_FALSE(forms.ok());
  EXPECT_EQ(forms.error().code, ErrorCode::conflict);
}

TEST(FormDefinition, AMissingFolderIsAnErrorOnlyWhenRequired) {
  testing::TempDir dir;
  EXPECT_TRUE(load_forms(dir.path() / "absent", OverrideFolder::optional).ok());
  auto required = load_forms(dir.path() / "absent", OverrideFolder::required);
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace dosar::forms
