#include "base/clock.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

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
