#include "base/clock.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

// dosar verify --at (issue 5): a time a person writes, with its offset.
TEST(Clock, ParsesIso8601WithZOrAnOffsetAndRefusesTheRest) {
  const auto utc = parse_iso8601("2026-03-01T12:00:00Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(format_utc(*utc), "2026-03-01T12:00:00.000000Z");
  EXPECT_EQ(parse_iso8601("2026-03-01T14:00:00+02:00"), utc);
  EXPECT_EQ(parse_iso8601("2026-03-01T09:30-0230"), utc);
  EXPECT_EQ(format_utc(*parse_iso8601("2026-03-01T12:00:00.25Z")), "2026-03-01T12:00:00.250000Z");
  for (const char* bad :
       {"", "2026-03-01", "2026-03-01T12:00:00", "2026-02-30T12:00:00Z", "2026-03-01T24:00:00Z",
        "2026-03-01 12:00:00Z", "2026-03-01T12:00:00+2", "2026-03-01T12:00:00Zjunk", "yesterday"})
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
}

TEST(Clock, ShowsWinterTimeAsUtcPlusTwo) {
  EXPECT_EQ(format_bucharest("2026-11-23T09:28:38.000000Z"), "23.11.2026 11:28:38");
}

TEST(Clock, ShowsSummerTimeAsUtcPlusThree) {
  EXPECT_EQ(format_bucharest("2026-07-01T21:30:00.000000Z"), "02.07.2026 00:30:00");
}

TEST(Clock, SwitchesToSummerTimeOnLastSundayOfMarchAtOneUtc) {
  // 29 March 2026 is the last Sunday of March.
  EXPECT_EQ(format_bucharest("2026-03-29T00:59:59Z"), "29.03.2026 02:59:59");
  EXPECT_EQ(format_bucharest("2026-03-29T01:00:00Z"), "29.03.2026 04:00:00");
}

TEST(Clock, FormatsUtcWithMicrosecondsAndZ) {
  std::chrono::system_clock::time_point epoch{};
  EXPECT_EQ(format_utc(epoch + std::chrono::microseconds(1500001)), "1970-01-01T00:00:01.500001Z");
}

}  // namespace
}  // namespace dosar

namespace dosar {
namespace {

TEST(Clock, AddsCalendarDaysAcrossMonthsYearsAndDaylightSaving) {
  EXPECT_EQ(add_calendar_days("2026-11-22", 30), "2026-12-22");
  EXPECT_EQ(add_calendar_days("2026-12-22", 10), "2027-01-01");
  EXPECT_EQ(add_calendar_days("2028-02-20", 10), "2028-03-01");  // leap year
  EXPECT_EQ(add_calendar_days("2026-03-20", 30), "2026-04-19");  // over the switch to summer time
  EXPECT_EQ(add_calendar_days("2026-02-30", 1), "");
}

TEST(Clock, RecognisesOnlyRealIsoDates) {
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2026-02-29"));
  EXPECT_FALSE(is_iso_date("2026-13-01"));
  EXPECT_FALSE(is_iso_date("22.11.2026"));
  EXPECT_FALSE(is_iso_date("2026-11-2"));
  EXPECT_FALSE(is_iso_date("2026-11-22x"));
}

}  // namespace
}  // namespace dosar
