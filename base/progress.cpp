#include "base/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dosar {

ProgressEstimate estimate_progress(std::int64_t done, std::int64_t total, std::int64_t pages,
                                   std::chrono::duration<double> elapsed) {
  ProgressEstimate e;
  double seconds = elapsed.count();
  if (done >= total && total > 0) e.eta_seconds = 0;
  // Under a second, a rate is noise.
  if (seconds < 1.0) return e;
  e.pages_per_minute = static_cast<double>(pages) * 60.0 / seconds;
  if (done > 0 && done < total)
    e.eta_seconds = static_cast<double>(total - done) * seconds / static_cast<double>(done);
  return e;
}

std::string format_duration(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  char text[48];
  if (s < 60)
    std::snprintf(text, sizeof text, "%ld s", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  return text;
}

ProgressMeter::ProgressMeter(const Clock& clock, std::string unit)
    : clock_(clock), unit_(std::move(unit)), start_(clock.now()) {}

void ProgressMeter::update(std::int64_t done, std::int64_t total, std::int64_t pages) {
  done_ = done;
  total_ = total;
  pages_ = pages;
}

ProgressEstimate ProgressMeter::estimate() const {
  return estimate_progress(done_, total_, pages_, clock_.now() - start_);
}

std::string ProgressMeter::line() const {
  ProgressEstimate e = estimate();
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f", e.pages_per_minute);
  std::string out = unit_ + " " + std::to_string(done_) + "/" + std::to_string(total_);
  if (unit_ != "pages" && unit_ != "files") {
    // Units that carry no pages (rows, blobs): their own rate.
    double seconds = std::chrono::duration<double>(clock_.now() - start_).count();
    std::snprintf(rate, sizeof rate, "%.0f", seconds < 1.0 ? 0.0 : static_cast<double>(done_) / seconds);
    out += ", " + std::string(rate) + " " + unit_ + "/s, ETA ";
    return out + (e.eta_seconds ? format_duration(*e.eta_seconds) : "?");
  }
  if (unit_ != "pages") out += ", " + std::to_string(pages_) + " pages";
  out += ", " + std::string(rate) + " pages/min, ETA ";
  out += e.eta_seconds ? format_duration(*e.eta_seconds) : "?";
  return out;
}

bool ProgressMeter::due(std::chrono::milliseconds every) {
  auto now = clock_.now();
  if (last_shown_ && now - *last_shown_ < every) return false;
  last_shown_ = now;
  return true;
}

}  // namespace dosar
