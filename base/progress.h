// Rate and time left of a long run (ingest, derivations), for the progress
// line on a terminal, the plain log otherwise, and `dosar jobs --json`. Time
// comes from a Clock, so that tests fix it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"

namespace dosar {

struct ProgressEstimate {
  double pages_per_minute = 0;        // 0 until a page is done
  std::optional<double> eta_seconds;  // none until a rate is known (and 0 when all is done)
};

// From `done` of `total` units (pages, or files) done in `elapsed`, with
// `pages` pages among them: the page rate, and the time the units left take
// at the rate of units so far.
ProgressEstimate estimate_progress(std::int64_t done, std::int64_t total, std::int64_t pages,
                                   std::chrono::duration<double> elapsed);

// "5 min 17 s", "2 h 03 min", "40 s".
std::string format_duration(double seconds);

// Progress of one run, measured from its construction.
class ProgressMeter {
 public:
  // `unit` names what is counted ("pages", "files").
  ProgressMeter(const Clock& clock, std::string unit);
  void update(std::int64_t done, std::int64_t total, std::int64_t pages);
  ProgressEstimate estimate() const;
  // "pages 12/40, 5.3 pages/min, ETA 5 min 17 s" (with "files 3/9, 7 pages, …" for files;
  // other units without pages at their own rate: "rows 500/2000, 250 rows/s, ETA 6 s").
  std::string line() const;
  // True when `every` has passed since it last returned true (the first call
  // is true): how often a line is shown.
  bool due(std::chrono::milliseconds every);

 private:
  const Clock& clock_;
  std::string unit_;
  std::chrono::system_clock::time_point start_;
  std::optional<std::chrono::system_clock::time_point> last_shown_;
  std::int64_t done_ = 0, total_ = 0, pages_ = 0;
};

}  // namespace dosar
