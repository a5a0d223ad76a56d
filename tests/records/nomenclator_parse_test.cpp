// The nomenclator parsers (records/nomenclator_parse.cpp): good CSV and XML,
// the export round trip, every hostile file of tests/data/bad-nomenclator/
// against its row in expected.tsv, and each NomenclatorLimits field at limit + 1.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "records/records.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::records {
namespace {

namespace fs = std::filesystem;
const fs::path kBadDir = fs::path(DOSAR_TEST_DATA) / "bad-nomenclator";

TEST(NomenclatorCsv, ParsesQuotedCommasQuotesAndNewlines) {
  auto entries = parse_nomenclator_csv(
      "department,code,title,retention,remarks\r\n"
      "Secretariat,I-1,\"Hotărâri, dispoziții\",permanent,\"zis \"\"registrul\"\"\"\r\n"
      "\r\n"
      "Asistență socială,II-3,\"Anchete\nsociale\",10,\n",
      "n.csv");
  ASSERT_TRUE(entries.ok()) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].title, "Hotărâri, dispoziții");
  EXPECT_EQ((*entries)[0].remarks, "zis \"registrul\"");
  EXPECT_FALSE((*entries)[0].retention_years);
  EXPECT_EQ((*entries)[0].line, 2);
  EXPECT_EQ((*entries)[1].department, "Asistență socială");
  EXPECT_EQ((*entries)[1].title, "Anchete\nsociale");
  EXPECT_EQ((*entries)[1].retention_years, 10);
  EXPECT_EQ((*entries)[1].line, 4);
}

TEST(NomenclatorCsv, AcceptsColumnsInAnyOrderAfterABom) {
  auto entries = parse_nomenclator_csv(
      "\xEF\xBB\xBFremarks,retention,title,code,department\n,5,Registre,I-2,Registratură\n", "n.csv");
  ASSERT_TRUE(entries.ok()) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].code, "I-2");
  EXPECT_EQ((*entries)[0].department, "Registratură");
  EXPECT_EQ((*entries)[0].retention_years, 5);
}

TEST(NomenclatorCsv, ExportReadsBackToTheSameEntries) {
  std::vector<NomenclatorEntry> entries = {
      {"Secretariat", "I-1", "Hotărâri, dispoziții", std::nullopt, "zis \"registrul\"", 2},
      {"Juridic", "III-1", "Contracte\ncu terți", 10, "", 3},
      {"Juridic", "III-2", " spațiu la început", 3, "a,b", 4}};
  auto back = parse_nomenclator_csv(nomenclator_csv(entries), "export.csv");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_EQ(back->size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ((*back)[i].department, entries[i].department);
    EXPECT_EQ((*back)[i].code, entries[i].code);
    EXPECT_EQ((*back)[i].title,
              entries[i].title == " spațiu la început" ? "spațiu la început" : entries[i].title);
    EXPECT_EQ((*back)[i].retention_years, entries[i].retention_years);
    EXPECT_EQ((*back)[i].remarks, entries[i].remarks);
  }
}

TEST(NomenclatorXml, ParsesEntries) {
  auto entries = parse_nomenclator_xml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<nomenclator format=\"1\" year=\"2025\">\n"
      "  <!-- secretariat -->\n"
      "  <entry department=\"Secretariat\" code=\"I-1\" title=\"Hotărâri &amp; dispoziții\" "
      "retention=\"permanent\"/>\n"
      "  <entry department=\"Juridic\" code=\"III-1\" title=\"Contracte\" retention=\"10\" remarks=\"după "
      "expirare\"/>\n"
      "</nomenclator>\n",
      "n.xml", 2025);
  ASSERT_TRUE(entries.ok()) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].title, "Hotărâri & dispoziții");
  EXPECT_EQ((*entries)[0].line, 4);
  EXPECT_EQ((*entries)[1].retention_years, 10);
  EXPECT_EQ((*entries)[1].remarks, "după expirare");
}

TEST(NomenclatorLimits, RefusesEachLimitPlusOne) {
  NomenclatorLimits limits;
  limits.max_entries = 2;
  limits.max_field_bytes = 10;
  limits.max_bytes = 200;
  limits.max_retention_years = 50;
  const std::string header = "department,code,title,retention,remarks\n";
  EXPECT_TRUE(parse_nomenclator_csv(header + "S,1,T,5,\nS,2,T,5,\n", "f", limits).ok());
  auto entries = parse_nomenclator_csv(header + "S,1,T,5,\nS,2,T,5,\nS,3,T,5,\n", "f", limits);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code, ErrorCode::limit_exceeded);
  EXPECT_TRUE(parse_nomenclator_csv(header + "S,1,0123456789,5,\n", "f", limits).ok());
  auto field = parse_nomenclator_csv(header + "S,1,0123456789a,5,\n", "f", limits);
  ASSERT_FALSE(field.ok());
  EXPECT_EQ(field.error().code, ErrorCode::limit_exceeded);
  auto bytes = parse_nomenclator_csv(header + std::string(200 - header.size() + 1, '\n'), "f", limits);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().code, ErrorCode::limit_exceeded);
  EXPECT_TRUE(parse_nomenclator_csv(header + "S,1,T,50,\n", "f", limits).ok());
  auto years = parse_nomenclator_csv(header + "S,1,T,51,\n", "f", limits);
  ASSERT_FALSE(years.ok());
  EXPECT_EQ(years.error().code, ErrorCode::invalid_argument);
  std::string xml = "<nomenclator>";
  for (int i = 0; i < 3; ++i)
    xml += "<entry department=\"S\" code=\"" + std::to_string(i) + "\" title=\"T\" retention=\"5\"/>";
  xml += "</nomenclator>";
  limits.max_bytes = 1000;
  auto xml_entries = parse_nomenclator_xml(xml, "f.xml", 2025, limits);
  ASSERT_FALSE(xml_entries.ok());
  EXPECT_EQ(xml_entries.error().code, ErrorCode::limit_exceeded);
}

// Golden files of format 1 (docs/formats/nomenclator.md): the CSV exports to
// itself byte for byte, and the XML form holds the same entries.
TEST(NomenclatorFormat1, GoldenFilesReadAndExportByteForByte) {
  const fs::path formats = fs::path(DOSAR_TEST_DATA) / "formats";
  const std::string csv = testing::read_file(formats / "nomenclator-1.csv");
  auto from_csv = parse_nomenclator_csv(csv, "nomenclator-1.csv");
  ASSERT_TRUE(from_csv.ok()) << from_csv.error().to_string();
  ASSERT_EQ(from_csv->size(), 4u);
  EXPECT_EQ(nomenclator_csv(*from_csv), csv);
  auto from_xml =
      parse_nomenclator_xml(testing::read_file(formats / "nomenclator-1.xml"), "nomenclator-1.xml", 2026);
  ASSERT_TRUE(from_xml.ok()) << from_xml.error().to_string();
  EXPECT_EQ(nomenclator_csv(*from_xml), csv);
}

struct BadNomenclator {
  std::string file;
  std::string code;
  std::string fragment;
};

void PrintTo(const BadNomenclator& b, std::ostream* os) {
  *os << b.file;
}

std::vector<BadNomenclator> bad_table() {
  std::vector<BadNomenclator> rows;
  std::ifstream in(kBadDir / "expected.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    BadNomenclator row;
    std::getline(fields, row.file, '\t');
    std::getline(fields, row.code, '\t');
    std::getline(fields, row.fragment);
    rows.push_back(row);
  }
  return rows;
}

TEST(BadNomenclatorTable, NamesEveryFileOfTheFolder) {
  auto rows = bad_table();
  ASSERT_GE(rows.size(), 15u);
  std::set<std::string> named;
  for (const auto& r : rows) named.insert(r.file);
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    std::string name = entry.path().filename().string();
    if (name != "expected.tsv") {
      EXPECT_EQ(named.count(name), 1u) << name << " has no row";
    }
  }
}

class BadNomenclatorFile : public ::testing::TestWithParam<BadNomenclator> {};

TEST_P(BadNomenclatorFile, IsRefusedWithFileLineAndReason) {
  const BadNomenclator& row = GetParam();
  const std::string bytes = testing::read_file(kBadDir / row.file);
  const std::string name = (kBadDir / row.file).string();
  auto entries = fs::path(row.file).extension() == ".xml" ? parse_nomenclator_xml(bytes, name, 2025)
                                                          : parse_nomenclator_csv(bytes, name);
  ASSERT_FALSE(entries.ok()) << row.file << " was accepted";
  EXPECT_STREQ(error_code_name(entries.error().code), row.code.c_str()) << entries.error().to_string();
  EXPECT_EQ(entries.error().subject, name);
  EXPECT_NE(entries.error().message.find(row.fragment), std::string::npos) << entries.error().to_string();
}

std::string test_name_for(const ::testing::TestParamInfo<BadNomenclator>& info) {
  std::string name;
  for (char c : info.param.file) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(BadNomenclator, BadNomenclatorFile, ::testing::ValuesIn(bad_table()), test_name_for);

}  // namespace
}  // namespace dosar::records
