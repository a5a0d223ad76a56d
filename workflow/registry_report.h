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

// The petitions report (`dosar report petitii`, OG 27/2002): petitions are
// entries whose kind's legal basis cites OG 27/2002, counted by the
// department they were routed to. "In term" and "late" judge the answer
// date (the first event that made the entry answered) against the deadline
// as it stands, extensions included; an open entry past it is late too.
struct PetitionCounts {
  int received = 0;
  int answered_in_term = 0;
  int late = 0;  // answered after the deadline, or open past it
  int forwarded = 0;
  int filed = 0;   // without answer (clasate)
  int joined = 0;  // conexate to a first number
  int open = 0;    // still open within the deadline
};

struct PetitionReport {
  std::string from, to, today;
  std::map<std::string, PetitionCounts> by_department;
  PetitionCounts total;
};

PetitionReport petition_report(const std::vector<RegistryEntry>& entries,
                               const std::vector<DocumentKind>& kinds, const std::string& from,
                               const std::string& to, const std::string& today);
// "department,received,answered_in_term,late,forwarded,filed,joined,open" lines, then "TOTAL,…".
std::string petition_report_csv(const PetitionReport& report);

// The Law 544/2001 annual report (`dosar report l544 --year Y`): requests
// are entries whose kind's legal basis cites Law 544/2001, registered in the
// Bucharest calendar year. What the registry cannot know is named in
// `unknown` rather than counted as zero: the subject categories of the
// official form (only free-text subjects are kept: requests are counted by
// department instead), requests made verbally and not registered, and
// complaints (administrative complaints and court cases, art. 21-22).
struct PublicInformationReport {
  int year = 0;
  std::string today;
  int total = 0;
  std::map<std::string, int> by_department, by_channel;
  int paper = 0, electronic = 0;  // ghiseu and posta; email and online
  int answered = 0;               // answered without a refusal
  int refused = 0;
  std::map<std::string, int> refused_by_ground;  // exempted, missing, other
  std::vector<std::string> refusals;             // "intrare 3/05.03.2026 (exempted): reason"
  int extended = 0;                              // to 30 days (art. 7(1))
  int forwarded = 0;
  int late = 0;  // answered or refused after the deadline, or open past it
  int open = 0;  // still open within the deadline
  std::vector<std::string> unknown;
};

PublicInformationReport public_information_report(const std::vector<RegistryEntry>& entries,
                                                  const std::vector<DocumentKind>& kinds, int year,
                                                  const std::string& today);
// "dimension,key,count" lines like registry_report_csv.
std::string public_information_report_csv(const PublicInformationReport& report);

}  // namespace dosar::workflow
