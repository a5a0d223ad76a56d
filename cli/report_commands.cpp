// dosar report registry: the registry's volumes over a period (issue 11).
#include <fstream>

#include "base/clock.h"
#include "cli/context.h"
#include "storage/registry_store.h"
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
  c.out << "Registratură, " << romanian_date(from) << " – " << romanian_date(to) << ": " << report.total
        << " înregistrări\n";
  for (auto [title, counts] :
       {std::pair{"pe registre", &report.by_register}, std::pair{"pe canale", &report.by_channel},
        std::pair{"pe compartimente", &report.by_department}, std::pair{"pe categorii", &report.by_kind},
        std::pair{"pe stări", &report.by_status}}) {
    c.out << "\n" << title << ":\n";
    for (const auto& [key, count] : *counts) c.out << "  " << key << "  " << count << "\n";
  }
  c.out << "\nîn lucru: " << report.open << ", cu termenul depășit: " << report.overdue.size()
        << ", rezolvate după termen: " << report.answered_late << "\n";
  for (const std::string& number : report.overdue) c.out << "  depășit: " << number << "\n";
  return ExitCode::ok;
}

}  // namespace dosar::cli
