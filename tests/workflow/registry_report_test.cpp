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

const std::vector<DocumentKind> kKinds = {{"petitie", "petiție", 30, "OG 27/2002, art. 8"},
                                          {"informatii-publice", "informații", 10, "Legea 544/2001, art. 7"},
                                          {"adresa", "adresă", 30, ""}};

RegistryEntry with_kind(RegistryEntry e, const std::string& kind, int year = 2026) {
  e.kind = kind;
  e.year = year;
  return e;
}

RegistryEntry disposed(RegistryEntry e, const std::string& kind, const std::string& target = "",
                       const std::string& text = "motiv", bool late = false) {
  Disposition d;
  d.kind = kind;
  d.target = target;
  d.text = text;
  d.late = late;
  e.dispositions.push_back(d);
  return e;
}

// Known petitions of November 2026 and what each must count as.
TEST(PetitionReport, CountsPetitionsOfThePeriodByDepartment) {
  std::vector<RegistryEntry> entries = {
      entry("1/31.10.2026", "2026-10-31T10:00:00Z", "ghiseu", "Urbanism", "answered", "2026-11-30",
            "2026-11-02T09:00:00Z"),  // before the period
      entry("1/02.11.2026", "2026-11-02T09:00:00Z", "ghiseu", "Urbanism", "answered", "2026-12-02",
            "2026-12-02T20:00:00Z"),  // answered on the last day (22:00 Bucharest): in term
      entry("2/02.11.2026", "2026-11-02T09:00:00Z", "posta", "Urbanism", "answered", "2026-12-02",
            "2026-12-02T22:30:00Z"),  // 00:30 on 3 December in Bucharest: late
      entry("3/03.11.2026", "2026-11-03T09:00:00Z", "online", "Urbanism", "assigned",
            "2026-11-20"),  // open, late
      entry("4/04.11.2026", "2026-11-04T09:00:00Z", "online", "", "registered",
            "2026-12-04"),  // open in term
      disposed(entry("5/05.11.2026", "2026-11-05T09:00:00Z", "email", "", "closed", "2026-12-05"),
               "forwarded", "ANAF"),
      disposed(entry("6/05.11.2026", "2026-11-05T10:00:00Z", "ghiseu", "", "closed", "2026-12-05"), "filed"),
      disposed(entry("7/06.11.2026", "2026-11-06T10:00:00Z", "ghiseu", "Urbanism", "closed", "2026-12-06"),
               "joined"),
      entry("8/07.11.2026", "2026-11-07T10:00:00Z", "ghiseu", "Urbanism", "annulled", "2026-12-07"),
  };
  entries.push_back(with_kind(
      entry("9/08.11.2026", "2026-11-08T10:00:00Z", "ghiseu", "Urbanism", "registered", "2026-11-18"),
      "informatii-publice"));  // not a petition
  PetitionReport r = petition_report(entries, kKinds, "2026-11-01", "2026-11-30", "2026-11-23");
  EXPECT_EQ(r.total.received, 7);
  EXPECT_EQ(r.total.answered_in_term, 1);
  EXPECT_EQ(r.total.late, 2);
  EXPECT_EQ(r.total.open, 1);
  EXPECT_EQ(r.total.forwarded, 1);
  EXPECT_EQ(r.total.filed, 1);
  EXPECT_EQ(r.total.joined, 1);
  EXPECT_EQ(r.by_department.at("Urbanism").received, 4);
  EXPECT_EQ(r.by_department.at("Urbanism").late, 2);
  EXPECT_EQ(r.by_department.at("(nerepartizat)").received, 3);
  std::string csv = petition_report_csv(r);
  EXPECT_NE(csv.find("Urbanism,4,1,2,0,0,1,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("TOTAL,7,1,2,1,1,1,1\n"), std::string::npos) << csv;
}

// Known Law 544/2001 requests of 2026 and the annual report's figures.
TEST(PublicInformationReport, CountsTheYearsRequestsRefusalsAndWhatItCannotKnow) {
  auto request = [](const std::string& number, const std::string& at, const std::string& channel,
                    const std::string& status, const std::string& deadline, const std::string& settled = "",
                    int year = 2026) {
    return with_kind(entry(number, at, channel, "Juridic", status, deadline, settled), "informatii-publice",
                     year);
  };
  std::vector<RegistryEntry> entries = {
      request("1/05.03.2026", "2026-03-05T09:00:00Z", "online", "answered", "2026-03-15",
              "2026-03-10T09:00:00Z"),  // answered in term
      request("2/05.03.2026", "2026-03-05T10:00:00Z", "ghiseu", "answered", "2026-03-15",
              "2026-03-20T09:00:00Z"),  // answered late
      disposed(request("3/06.03.2026", "2026-03-06T10:00:00Z", "posta", "answered", "2026-03-16",
                       "2026-03-08T09:00:00Z"),
               "refused", "exempted", "art. 12 lit. a"),
      disposed(request("4/06.03.2026", "2026-03-06T11:00:00Z", "email", "answered", "2026-03-16",
                       "2026-03-19T09:00:00Z"),
               "refused", "missing", "nu există", true),  // refused late
      disposed(request("5/07.03.2026", "2026-03-07T11:00:00Z", "email", "registered", "2026-04-06"),
               "extended", "2026-04-06", "notificare"),  // extended, still in term on 2026-03-20
      disposed(request("6/07.03.2026", "2026-03-07T12:00:00Z", "ghiseu", "closed", "2026-03-17"), "forwarded",
               "ANAF"),
      request("7/08.03.2026", "2026-03-08T12:00:00Z", "online", "registered", "2026-03-18"),  // open, late
      request("1/05.01.2025", "2025-01-05T12:00:00Z", "online", "answered", "2025-01-15",
              "2025-01-06T09:00:00Z", 2025),  // another year
  };
  entries.push_back(entry("8/08.03.2026", "2026-03-08T13:00:00Z", "online", "", "registered", "2026-04-07"));
  entries.back().year = 2026;  // a petition, not a request
  PublicInformationReport r = public_information_report(entries, kKinds, 2026, "2026-03-20");
  EXPECT_EQ(r.total, 7);
  EXPECT_EQ(r.by_channel.at("email"), 2);
  EXPECT_EQ(r.paper, 3);
  EXPECT_EQ(r.electronic, 4);
  EXPECT_EQ(r.answered, 2);
  EXPECT_EQ(r.refused, 2);
  EXPECT_EQ(r.refused_by_ground.at("exempted"), 1);
  EXPECT_EQ(r.refused_by_ground.at("missing"), 1);
  EXPECT_EQ(r.extended, 1);
  EXPECT_EQ(r.forwarded, 1);
  EXPECT_EQ(r.late, 3);
  EXPECT_EQ(r.open, 1);
  EXPECT_EQ(r.refusals.at(0), "intrare 3/06.03.2026 (exempted): art. 12 lit. a");
  EXPECT_FALSE(r.unknown.empty());
  std::string csv = public_information_report_csv(r);
  EXPECT_NE(csv.find("refused-ground,missing,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("late,,3\n"), std::string::npos) << csv;
}

}  // namespace
}  // namespace dosar::workflow
