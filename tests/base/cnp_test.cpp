// The CNP check, masking and the scanner of extracted text (base/cnp.cpp).
#include "base/cnp.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

TEST(Cnp, AcceptsValidCodesOfEveryKind) {
  for (const char* cnp : {"1800101400016",   // man, 1980, Bucharest
                          "2850322420014",   // woman, 1985, sector 2
                          "5000229520034",   // 29 February 2000 (leap), Giurgiu (52)
                          "2800229400129",   // 29 February 1980 (leap)
                          "1951231701239",   // county 70: new codes, any county
                          "7000101701230",   // resident foreigner
                          "9000101400327"})  // foreigner
    EXPECT_TRUE(validate_cnp(cnp).ok()) << cnp << ": " << validate_cnp(cnp).error().to_string();
}

TEST(Cnp, ReadsTheBirthDateAndCounty) {
  auto info = validate_cnp("5000229520034");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->birth_year, 2000);
  EXPECT_EQ(info->birth_month, 2);
  EXPECT_EQ(info->birth_day, 29);
  EXPECT_EQ(info->county, 52);
  EXPECT_EQ(validate_cnp("7000101701230")->birth_year, 0);  // century not encoded
}

void expect_refused(const std::string& cnp, const std::string& fragment) {
  auto r = validate_cnp(cnp);
  ASSERT_FALSE(r.ok()) << cnp;
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(r.error().subject, "CNP");
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

TEST(Cnp, RefusesAWrongControlDigit) {
  expect_refused("1800101400017", "control digit is 7, the other digits give 6");
}

TEST(Cnp, RefusesImpossibleDates) {
  expect_refused("1800230400013", "not a calendar date");  // 30 February 1980
  expect_refused("1900230400052", "not a calendar date");  // 30 February 1990
  expect_refused("1810229400010", "not a calendar date");  // 29 February 1981
  expect_refused("1801301400014", "not a calendar date");  // month 13
}

TEST(Cnp, RefusesUnknownCountyCodes) {
  expect_refused("1800101000018", "county code 00");
  expect_refused("1800101990014", "county code 99");
  expect_refused("1800101490011", "county code 49");
}

TEST(Cnp, RefusesWrongShapes) {
  expect_refused("180010140001", "13 digits");
  expect_refused("18001014000160", "13 digits");
  expect_refused("18001014000a6", "only digits");
  expect_refused("0800101400016", "cannot be 0");
  expect_refused("", "13 digits");
}

TEST(Cnp, MasksAllButTheSexDigitAndTheLastFour) {
  EXPECT_EQ(mask_cnp("1800101400016"), "1********0016");
  EXPECT_EQ(mask_cnp(""), "");
  EXPECT_EQ(mask_cnp("12345"), "*****");
}

TEST(CnpScan, FindsValidCodesOnlyAsWholeNumbers) {
  const std::string text =
      "Subsemnatul Ion Popescu, CNP 1800101400016, domiciliat ... fiul 5000229520034; "
      "greșit 1800101400017; lung 91800101400016; iar 1800101400016 din nou.";
  auto found = find_cnps(text);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "1800101400016");
  EXPECT_EQ(found[1], "5000229520034");
}

TEST(CnpScan, MasksValidCodesInSnippetsOnly) {
  EXPECT_EQ(mask_cnps("CNP <b>1800101400016</b>, tel. 0721000000, nr. 1800101400017"),
            "CNP <b>1********0016</b>, tel. 0721000000, nr. 1800101400017");
}

TEST(CnpScan, StopsAtItsLimits) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += "1800101400016 5000229520034 ";
  EXPECT_EQ(find_cnps(text, {1u << 20, 1}).size(), 1u);
  EXPECT_TRUE(find_cnps(text, {10, 100}).empty());  // the first code is cut by max_bytes
}

}  // namespace
}  // namespace dosar
