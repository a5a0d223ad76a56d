#include "api/report_shapes.h"

#include "base/clock.h"
#include "workflow/registry.h"
#include "workflow/registry_report.h"

namespace dosar {

namespace {

nlohmann::json to_json(const workflow::PetitionCounts& n) {
  return {{"received", n.received}, {"answered_in_term", n.answered_in_term},
          {"late", n.late},         {"forwarded", n.forwarded},
          {"filed", n.filed},       {"joined", n.joined},
          {"open", n.open}};
}

std::string petition_line(const std::string& name, const workflow::PetitionCounts& n) {
  return name + ": primite " + std::to_string(n.received) + ", rezolvate în termen " +
         std::to_string(n.answered_in_term) + ", cu întârziere " + std::to_string(n.late) +
         ", redirecționate " + std::to_string(n.forwarded) + ", clasate " + std::to_string(n.filed) +
         ", conexate " + std::to_string(n.joined) + ", în termen, nerezolvate " + std::to_string(n.open);
}

}  // namespace

Result<RegistryData> load_registry_data(ArchiveStore& archive) {
  auto store = open_registry_store(archive);
  if (!store.ok()) return store.error();
  workflow::Registry registry(archive.catalog(), **store);
  auto entries = registry.list("", 0);
  if (!entries.ok()) return entries.error();
  auto kinds = (*store)->kinds();
  if (!kinds.ok()) return kinds.error();
  return RegistryData{std::move(entries).value(), std::move(kinds).value(), registry.today()};
}

ReportOutput petition_report_output(const RegistryData& data, const std::string& from,
                                    const std::string& to) {
  auto report = workflow::petition_report(data.entries, data.kinds, from, to, data.today);
  ReportOutput out;
  out.lines = {"# Pe compartimente"};
  nlohmann::json departments = nlohmann::json::object();
  for (const auto& [department, counts] : report.by_department) {
    out.lines.push_back(petition_line(department, counts));
    departments[department] = to_json(counts);
  }
  out.lines.push_back("# Total");
  out.lines.push_back(petition_line("total", report.total));
  out.title = "Petiții (OG 27/2002), " + romanian_date(from) + " – " + romanian_date(to) + ": " +
              std::to_string(report.total.received) + " primite";
  out.csv = workflow::petition_report_csv(report);
  out.json = {{"from", report.from},
              {"to", report.to},
              {"today", report.today},
              {"total", to_json(report.total)},
              {"by_department", departments}};
  return out;
}

ReportOutput public_information_report_output(const RegistryData& data, int year) {
  auto r = workflow::public_information_report(data.entries, data.kinds, year, data.today);
  ReportOutput out;
  for (auto [heading, counts] :
       {std::pair{"Pe compartimente", &r.by_department}, std::pair{"Pe canale", &r.by_channel},
        std::pair{"Refuzuri, pe motive", &r.refused_by_ground}}) {
    out.lines.push_back(std::string("# ") + heading);
    for (const auto& [key, count] : *counts) out.lines.push_back(key + ": " + std::to_string(count));
  }
  out.lines.push_back("# Soluționare");
  out.lines.push_back("pe suport hârtie: " + std::to_string(r.paper) +
                      ", electronic: " + std::to_string(r.electronic));
  out.lines.push_back("rezolvate favorabil: " + std::to_string(r.answered) + ", respinse: " +
                      std::to_string(r.refused) + ", redirecționate: " + std::to_string(r.forwarded));
  out.lines.push_back("prelungite la 30 de zile: " + std::to_string(r.extended) + ", cu întârziere: " +
                      std::to_string(r.late) + ", în termen, nerezolvate: " + std::to_string(r.open));
  out.lines.push_back("# Motivele refuzurilor");
  for (const std::string& refusal : r.refusals) out.lines.push_back(refusal);
  out.lines.push_back("# Ce registrul nu poate ști");
  for (const std::string& what : r.unknown) out.lines.push_back(what);
  out.title = "Legea 544/2001, anul " + std::to_string(year) + ": " + std::to_string(r.total) +
              " solicitări înregistrate";
  out.csv = workflow::public_information_report_csv(r);
  out.json = {{"year", r.year},
              {"today", r.today},
              {"total", r.total},
              {"by_department", r.by_department},
              {"by_channel", r.by_channel},
              {"paper", r.paper},
              {"electronic", r.electronic},
              {"answered", r.answered},
              {"refused", r.refused},
              {"refused_by_ground", r.refused_by_ground},
              {"refusals", r.refusals},
              {"extended", r.extended},
              {"forwarded", r.forwarded},
              {"late", r.late},
              {"open", r.open},
              {"complaints", nullptr},
              {"unknown", r.unknown}};
  return out;
}

ReportOutput registry_report_output(const RegistryData& data, const std::string& from,
                                    const std::string& to) {
  auto report = workflow::registry_report(data.entries, from, to, data.today);
  ReportOutput out;
  for (auto [title, counts] :
       {std::pair{"Pe registre", &report.by_register}, std::pair{"Pe canale", &report.by_channel},
        std::pair{"Pe compartimente", &report.by_department}, std::pair{"Pe categorii", &report.by_kind},
        std::pair{"Pe stări", &report.by_status}}) {
    out.lines.push_back(std::string("# ") + title);
    for (const auto& [key, count] : *counts) out.lines.push_back(key + ": " + std::to_string(count));
  }
  out.lines.push_back("# Termene");
  out.lines.push_back("în lucru: " + std::to_string(report.open) +
                      ", cu termenul depășit: " + std::to_string(report.overdue.size()) +
                      ", rezolvate după termen: " + std::to_string(report.answered_late));
  for (const std::string& number : report.overdue) out.lines.push_back("depășit: " + number);
  out.title = "Registratură, " + romanian_date(from) + " – " + romanian_date(to) + ": " +
              std::to_string(report.total) + " înregistrări";
  out.csv = workflow::registry_report_csv(report);
  out.json = {{"from", report.from},
              {"to", report.to},
              {"today", report.today},
              {"total", report.total},
              {"by_register", report.by_register},
              {"by_channel", report.by_channel},
              {"by_department", report.by_department},
              {"by_kind", report.by_kind},
              {"by_status", report.by_status},
              {"open", report.open},
              {"answered_late", report.answered_late},
              {"overdue", report.overdue}};
  return out;
}

}  // namespace dosar
