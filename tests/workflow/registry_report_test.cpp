// The registry report over a fixture of known entries (issue 11).
#include "workflow/registry_report.h"

#include <gtest/gtest.h>

namespace dosar::workflow {
namespace {

RegistryEntry entry(const std::string& number, const std::string& at, const std::string& channel,
                    const std::string& department, const std::string& status, const std::string& deadline,
                    const std::string& settled_at = "") {
  RegistryEntry e;
  e.register_name = "intrare";
  e.number = number;
  e.registered_at = at;
  e.channel = channel;
  e.department = department;
  e.kind = "petitie";
  e.status = status;
  e.deadline = deadline;
  e.history.push_back({1, at, "ana", "registered", "registered", "", "", deadline, ""});
  if (!settled_at.empty())
    e.history.push_back({2, settled_at, "ana", "status", status, department, "", deadline, ""});
  return e;
}

TEST(RegistryReport, CountsThePeriodByRegisterChannelDepartmentAndOverdue) {
  std::vector<RegistryEntry> entries = {
      entry("1/31.10.2026", "2026-10-31T10:00:00Z", "ghiseu", "Urbanism", "registered",
            "2026-11-30"),  // before
      entry("1/01.11.2026", "2026-10-31T22:30:00Z", "online", "", "registered",
            "2026-11-20"),  // 1 Nov in Bucharest
      entry("2/02.11.2026", "2026-11-02T09:00:00Z", "online", "Urbanism", "assigned", "2026-12-02"),
      entry("3/03.11.2026", "2026-11-03T09:00:00Z", "posta", "Urbanism", "answered", "2026-11-10",
            "2026-11-12T09:00:00Z"),
      entry("4/04.11.2026", "2026-11-04T09:00:00Z", "ghiseu", "Asistență socială", "annulled", "2026-12-04"),
      entry("5/01.12.2026", "2026-12-01T09:00:00Z", "online", "", "registered", "2026-12-31"),  // after
  };
  RegistryReport r = registry_report(entries, "2026-11-01", "2026-11-30", "2026-11-23");
  EXPECT_EQ(r.total, 4);
  EXPECT_EQ(r.by_channel.at("online"), 2);
  EXPECT_EQ(r.by_channel.at("posta"), 1);
  EXPECT_EQ(r.by_channel.at("ghiseu"), 1);
  EXPECT_EQ(r.by_department.at("Urbanism"), 2);
  EXPECT_EQ(r.by_department.at("(nerepartizat)"), 1);
  EXPECT_EQ(r.by_register.at("intrare"), 4);
  EXPECT_EQ(r.open, 2);
  EXPECT_EQ(r.overdue, std::vector<std::string>{"intrare 1/01.11.2026"});
  EXPECT_EQ(r.answered_late, 1);
  std::string csv = registry_report_csv(r);
  EXPECT_NE(csv.find("channel,online,2\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("overdue,intrare 1/01.11.2026,1\n"), std::string::npos);
  EXPECT_NE(csv.find("department,Asistență socială,1\n"), std::string::npos);
}

}  // namespace
}  // namespace dosar::workflow
