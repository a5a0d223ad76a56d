// Pages per minute and ETA of long runs (issue 3), with the clock fixed.
#include "base/progress.h"

#include <gtest/gtest.h>

#include "ingest/derivation_runner.h"

namespace dosar {
namespace {

using std::chrono::seconds;

class SettableClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return at; }
  std::chrono::system_clock::time_point at = std::chrono::system_clock::time_point{} + seconds(1795000000);
};

TEST(ProgressEstimate, RateAndTimeLeftFollowThePagesDoneSoFar) {
  // 12 of 40 pages in 2 minutes: 6 pages/min, 28 pages left take 4 min 40 s.
  ProgressEstimate e = estimate_progress(12, 40, 12, seconds(120));
  EXPECT_DOUBLE_EQ(e.pages_per_minute, 6.0);
  ASSERT_TRUE(e.eta_seconds);
  EXPECT_DOUBLE_EQ(*e.eta_seconds, 280.0);
  EXPECT_EQ(format_duration(*e.eta_seconds), "4 min 40 s");
}

TEST(ProgressEstimate, NothingDoneYetHasNoTimeLeftAndAllDoneHasNone) {
  EXPECT_FALSE(estimate_progress(0, 40, 0, seconds(30)).eta_seconds);
  EXPECT_EQ(estimate_progress(0, 40, 0, seconds(30)).pages_per_minute, 0);
  EXPECT_FALSE(estimate_progress(5, 40, 5, std::chrono::milliseconds(300)).eta_seconds) << "under a second";
  EXPECT_EQ(estimate_progress(40, 40, 40, seconds(60)).eta_seconds, 0.0);
}

TEST(ProgressEstimate, FilesGiveTheTimeLeftAndPagesTheRate) {
  // 3 of 9 files (7 pages) in 70 s: 6 files left at 3 files per 70 s.
  ProgressEstimate e = estimate_progress(3, 9, 7, seconds(70));
  EXPECT_DOUBLE_EQ(e.pages_per_minute, 6.0);
  EXPECT_DOUBLE_EQ(*e.eta_seconds, 140.0);
  EXPECT_EQ(format_duration(7300), "2 h 01 min");
  EXPECT_EQ(format_duration(42), "42 s");
}

TEST(ProgressMeter, LineShowsPagesRateAndEtaOnTheInjectedClock) {
  SettableClock clock;
  ProgressMeter meter(clock, "pages");
  EXPECT_TRUE(meter.due(std::chrono::milliseconds(250)));
  meter.update(0, 30, 0);
  EXPECT_EQ(meter.line(), "pages 0/30, 0.0 pages/min, ETA ?");
  clock.at += seconds(90);
  meter.update(10, 30, 10);
  EXPECT_EQ(meter.line(), "pages 10/30, 6.7 pages/min, ETA 3 min 00 s");
  EXPECT_TRUE(meter.due(std::chrono::milliseconds(250)));
  EXPECT_FALSE(meter.due(std::chrono::milliseconds(250))) << "no new line within the period";

  ProgressMeter files(clock, "files");
  clock.at += seconds(60);
  files.update(2, 4, 5);
  EXPECT_EQ(files.line(), "files 2/4, 5 pages, 5.0 pages/min, ETA 1 min 00 s");
}

TEST(ProgressMeter, UnitsWithoutPagesShowTheirOwnRate) {
  SettableClock clock;
  ProgressMeter rows(clock, "rows");
  rows.update(0, 2000, 0);
  EXPECT_EQ(rows.line(), "rows 0/2000, 0 rows/s, ETA ?");
  clock.at += seconds(2);
  rows.update(500, 2000, 0);
  EXPECT_EQ(rows.line(), "rows 500/2000, 250 rows/s, ETA 6 s");
}

TEST(DerivationEstimate, CountsOnlyPagesReadSinceTheClaim) {
  SettableClock clock;
  Derivation d;
  d.state = "running";
  d.claimed_at = format_utc(clock.at);
  d.pages_at_claim = 4;  // resumed from a dead worker: not read by this one
  d.pages_done = 7;
  d.pages_total = 10;
  clock.at += seconds(60);
  ProgressEstimate e = derivation_estimate(d, clock);
  EXPECT_DOUBLE_EQ(e.pages_per_minute, 3.0);
  ASSERT_TRUE(e.eta_seconds);
  EXPECT_DOUBLE_EQ(*e.eta_seconds, 60.0);
  d.state = "queued";
  EXPECT_FALSE(derivation_estimate(d, clock).eta_seconds);
}

}  // namespace
}  // namespace dosar
