// dosar report registry | petitii | l544: the registry's volumes over a
// period, the OG 27/2002 petitions report and the Law 544/2001 annual
// report (issue 11).
#include <fstream>

#include "base/clock.h"
#include "cli/context.h"
#include "storage/registry_store.h"
#include "workflow/receipt.h"
#include "workflow/registry.h"
#include "workflow/registry_report.h"

namespace dosar::cli {

namespace {

// --from and --to as ISO dates in order; false after printing the usage error.
bool read_period(Context& c, std::string& from, std::string& to) {
  from = c.command.get("--from").value_or("");
  to = c.command.get("--to").value_or("");
  for (auto [option, value] : {std::pair{"--from", &from}, std::pair{"--to", &to}})
    if (!is_iso_date(*value)) {
      c.err << "dosar: " << option << " must be a date YYYY-MM-DD, not '" << *value << "'\n";
      return false;
    }
  if (to < from) {
    c.err << "dosar: --to " << to << " is before --from " << from << "\n";
    return false;
  }
  return true;
}

// Every entry, the document kinds and today's date, from the archive's registry.
struct RegistryData {
  std::vector<RegistryEntry> entries;
  std::vector<DocumentKind> kinds;
  std::string today;
};

Result<RegistryData> load_registry(const Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  auto store = open_registry_store(**archive);
  if (!store.ok()) return store.error();
  workflow::Registry registry((*archive)->catalog(), **store);
  auto entries = registry.list("", 0);
  if (!entries.ok()) return entries.error();
  auto kinds = (*store)->kinds();
  if (!kinds.ok()) return kinds.error();
  return RegistryData{std::move(entries).value(), std::move(kinds).value(), registry.today()};
}

// Writes --csv and --pdf when asked, then the JSON or the lines on the terminal.
ExitCode emit_report(Context& c, const std::string& title, const std::vector<std::string>& lines,
                     const std::string& csv_text, const nlohmann::json& json) {
  if (auto csv = c.command.get("--csv")) {
    std::ofstream out(*csv, std::ios::binary);
    out << csv_text;
    if (!out.flush()) return c.fail(Error{ErrorCode::io, *csv, "cannot write the CSV file"});
  }
  if (auto pdf = c.command.get("--pdf")) {
    Status written = workflow::write_lines_pdf(title, lines, *pdf);
    if (!written.ok()) return c.fail(written.error());
  }
  if (c.json) {
    c.out << json.dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << title << "\n";
  for (const std::string& line : lines)
    c.out << (line.rfind("# ", 0) == 0 ? "\n" + line.substr(2) + ":" : "  " + line) << "\n";
  return ExitCode::ok;
}

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

ExitCode run_report_petitii(Context& c) {
  std::string from, to;
  if (!read_period(c, from, to)) return ExitCode::usage;
  auto data = load_registry(c);
  if (!data.ok()) return c.fail(data.error());
  auto report = workflow::petition_report(data->entries, data->kinds, from, to, data->today);
  std::vector<std::string> lines{"# Pe compartimente"};
  nlohmann::json departments = nlohmann::json::object();
  for (const auto& [department, counts] : report.by_department) {
    lines.push_back(petition_line(department, counts));
    departments[department] = to_json(counts);
  }
  lines.push_back("# Total");
  lines.push_back(petition_line("total", report.total));
  const std::string title = "Petiții (OG 27/2002), " + romanian_date(from) + " – " + romanian_date(to) +
                            ": " + std::to_string(report.total.received) + " primite";
  return emit_report(c, title, lines, workflow::petition_report_csv(report),
                     {{"from", report.from},
                      {"to", report.to},
                      {"today", report.today},
                      {"total", to_json(report.total)},
                      {"by_department", departments}});
}

ExitCode run_report_l544(Context& c) {
  auto year_text = c.command.get("--year").value_or("");
  if (year_text.size() != 4 || year_text.find_first_not_of("0123456789") != std::string::npos) {
    c.err << "dosar: --year must be a year like 2026, not '" << year_text << "'\n";
    return ExitCode::usage;
  }
  const int year = std::stoi(year_text);
  auto data = load_registry(c);
  if (!data.ok()) return c.fail(data.error());
  auto r = workflow::public_information_report(data->entries, data->kinds, year, data->today);
  std::vector<std::string> lines;
  for (auto [heading, counts] :
       {std::pair{"Pe compartimente", &r.by_department}, std::pair{"Pe canale", &r.by_channel},
        std::pair{"Refuzuri, pe motive", &r.refused_by_ground}}) {
    lines.push_back(std::string("# ") + heading);
    for (const auto& [key, count] : *counts) lines.push_back(key + ": " + std::to_string(count));
  }
  lines.push_back("# Soluționare");
  lines.push_back("pe suport hârtie: " + std::to_string(r.paper) +
                  ", electronic: " + std::to_string(r.electronic));
  lines.push_back("rezolvate favorabil: " + std::to_string(r.answered) + ", respinse: " +
                  std::to_string(r.refused) + ", redirecționate: " + std::to_string(r.forwarded));
  lines.push_back("prelungite la 30 de zile: " + std::to_string(r.extended) + ", cu întârziere: " +
                  std::to_string(r.late) + ", în termen, nerezolvate: " + std::to_string(r.open));
  lines.push_back("# Motivele refuzurilor");
  for (const std::string& refusal : r.refusals) lines.push_back(refusal);
  lines.push_back("# Ce registrul nu poate ști");
  for (const std::string& what : r.unknown) lines.push_back(what);
  const std::string title = "Legea 544/2001, anul " + std::to_string(year) + ": " + std::to_string(r.total) +
                            " solicitări înregistrate";
  return emit_report(c, title, lines, workflow::public_information_report_csv(r),
                     {{"year", r.year},
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
                      {"unknown", r.unknown}});
}

ExitCode run_report_registry(Context& c) {
  std::string from, to;
  if (!read_period(c, from, to)) return ExitCode::usage;
  auto data = load_registry(c);
  if (!data.ok()) return c.fail(data.error());
  auto report = workflow::registry_report(data->entries, from, to, data->today);
  // The same lines on the terminal and, with --pdf, on paper.
  std::vector<std::string> lines;
  for (auto [title, counts] :
       {std::pair{"Pe registre", &report.by_register}, std::pair{"Pe canale", &report.by_channel},
        std::pair{"Pe compartimente", &report.by_department}, std::pair{"Pe categorii", &report.by_kind},
        std::pair{"Pe stări", &report.by_status}}) {
    lines.push_back(std::string("# ") + title);
    for (const auto& [key, count] : *counts) lines.push_back(key + ": " + std::to_string(count));
  }
  lines.push_back("# Termene");
  lines.push_back("în lucru: " + std::to_string(report.open) +
                  ", cu termenul depășit: " + std::to_string(report.overdue.size()) +
                  ", rezolvate după termen: " + std::to_string(report.answered_late));
  for (const std::string& number : report.overdue) lines.push_back("depășit: " + number);
  const std::string title = "Registratură, " + romanian_date(from) + " – " + romanian_date(to) + ": " +
                            std::to_string(report.total) + " înregistrări";
  return emit_report(c, title, lines, workflow::registry_report_csv(report),
                     {{"from", report.from},
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
                      {"overdue", report.overdue}});
}

}  // namespace dosar::cli
