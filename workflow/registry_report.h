// The registry report (`dosar report registry --from D --to D`, issue 11):
// volumes of a period by register, channel, department and kind, and what
// is overdue. A pure function of the entries, so that the command line, the
// web and the tests share it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "storage/registry_store.h"

namespace dosar::workflow {

struct RegistryReport {
  std::string from, to;  // YYYY-MM-DD, Bucharest dates of registration, inclusive
  std::string today;     // what "overdue" was judged against
  int total = 0;
  std::map<std::string, int> by_register, by_channel, by_department, by_kind, by_status;
  int open = 0;                      // registered, assigned or in progress
  std::vector<std::string> overdue;  // "intrare 12/03.11.2026": open past the deadline
  int answered_late = 0;             // answered (or closed) after the deadline
};

// Entries registered from `from` to `to` (Bucharest dates, inclusive);
// departments left empty count as "(nerepartizat)". REQUIRES: ISO dates.
RegistryReport registry_report(const std::vector<RegistryEntry>& entries, const std::string& from,
                               const std::string& to, const std::string& today);

// "dimension,key,count" lines after a header, then "overdue,NUMBER,1" lines.
std::string registry_report_csv(const RegistryReport& report);

}  // namespace dosar::workflow
