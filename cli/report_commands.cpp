// dosar report registry: the registry's volumes over a period (issue 11).
#include <fstream>

#include "base/clock.h"
#include "cli/context.h"
#include "storage/registry_store.h"
#include "workflow/receipt.h"
#include "workflow/registry.h"
#include "workflow/registry_report.h"

namespace dosar::cli {

ExitCode run_report_registry(Context& c) {
  std::string from = c.command.get("--from").value_or("");
  std::string to = c.command.get("--to").value_or("");
  for (auto [option, value] : {std::pair{"--from", &from}, std::pair{"--to", &to}})
    if (!is_iso_date(*value)) {
      c.err << "dosar: " << option << " must be a date YYYY-MM-DD, not '" << *value << "'\n";
      return ExitCode::usage;
    }
  if (to < from) {
    c.err << "dosar: --to " << to << " is before --from " << from << "\n";
    return ExitCode::usage;
  }
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto store = open_registry_store(**archive);
  if (!store.ok()) return c.fail(store.error());
  workflow::Registry registry((*archive)->catalog(), **store);
  auto entries = registry.list("", 0);
  if (!entries.ok()) return c.fail(entries.error());
  auto report = workflow::registry_report(*entries, from, to, registry.today());
  if (auto csv = c.command.get("--csv")) {
    std::ofstream out(*csv, std::ios::binary);
    out << workflow::registry_report_csv(report);
    if (!out.flush()) return c.fail(Error{ErrorCode::io, *csv, "cannot write the CSV file"});
  }
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
  if (auto pdf = c.command.get("--pdf")) {
    Status written = workflow::write_lines_pdf(title, lines, *pdf);
    if (!written.ok()) return c.fail(written.error());
  }
  if (c.json) {
    c.out << nlohmann::json{{"from", report.from},
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
                            {"overdue", report.overdue}}
                 .dump(2)
          << '\n';
    return ExitCode::ok;
  }
  c.out << title << "\n";
  for (const std::string& line : lines)
    c.out << (line.rfind("# ", 0) == 0 ? "\n" + line.substr(2) + ":" : "  " + line) << "\n";
  return ExitCode::ok;
}

}  // namespace dosar::cli
