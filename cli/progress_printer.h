// The progress line of a long command (ingest, jobs run, migrate) (internal to cli/).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "base/progress.h"
#include "cli/context.h"

namespace dosar::cli {

// The progress of a long command on stderr: a line redrawn in place on a
// terminal, else a plain line every 30 s (logs of scripts and services).
class ProgressPrinter {
 public:
  ProgressPrinter(const Context& c, std::string unit) : c_(c), meter_(system_clock(), std::move(unit)) {
    meter_.due(std::chrono::milliseconds(0));  // the plain log starts after its first period
  }
  void show(std::int64_t done, std::int64_t total, std::int64_t pages) {
    std::lock_guard lock(mutex_);
    meter_.update(done, total, pages);
    if (c_.err_is_terminal) {
      if (!meter_.due(std::chrono::milliseconds(250)) && done < total) return;
      c_.err << "\r" << meter_.line() << "   " << std::flush;
      drawn_ = true;
    } else if (meter_.due(std::chrono::seconds(30))) {
      c_.err << "progress: " << meter_.line() << std::endl;
    }
  }
  // Erases the line drawn on a terminal, before other output.
  void end() {
    std::lock_guard lock(mutex_);
    if (drawn_) c_.err << "\r\033[K" << std::flush;
    drawn_ = false;
  }

 private:
  const Context& c_;
  ProgressMeter meter_;
  std::mutex mutex_;
  bool drawn_ = false;
};

}  // namespace dosar::cli
