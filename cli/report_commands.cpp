// dosar report registry | petitii | l544: the registry's volumes over a
// period, the OG 27/2002 petitions report and the Law 544/2001 annual
// report (issue 11).
#include <fstream>

#include "api/report_shapes.h"
#include "base/clock.h"
#include "cli/context.h"
#include "workflow/receipt.h"

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

// Writes --csv and --pdf when asked, then the JSON or the lines on the terminal.
ExitCode emit_report(Context& c, const ReportOutput& report) {
  const std::string& title = report.title;
  const std::vector<std::string>& lines = report.lines;
  if (auto csv = c.command.get("--csv")) {
    std::ofstream out(*csv, std::ios::binary);
    out << report.csv;
    if (!out.flush()) return c.fail(Error{ErrorCode::io, *csv, "cannot write the CSV file"});
  }
  if (auto pdf = c.command.get("--pdf")) {
    Status written = workflow::write_lines_pdf(title, lines, *pdf);
    if (!written.ok()) return c.fail(written.error());
  }
  if (c.json) {
    c.out << report.json.dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << title << "\n";
  for (const std::string& line : lines)
    c.out << (line.rfind("# ", 0) == 0 ? "\n" + line.substr(2) + ":" : "  " + line) << "\n";
  return ExitCode::ok;
}

// The registry of the archive, for the reports.
Result<RegistryData> load_registry(const Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  return load_registry_data(**archive);
}

}  // namespace

ExitCode run_report_petitii(Context& c) {
  std::string from, to;
  if (!read_period(c, from, to)) return ExitCode::usage;
  auto data = load_registry(c);
  if (!data.ok()) return c.fail(data.error());
  return emit_report(c, petition_report_output(*data, from, to));
}

ExitCode run_report_l544(Context& c) {
  auto year_text = c.command.get("--year").value_or("");
  if (year_text.size() != 4 || year_text.find_first_not_of("0123456789") != std::string::npos) {
    c.err << "dosar: --year must be a year like 2026, not '" << year_text << "'\n";
    return ExitCode::usage;
  }
  auto data = load_registry(c);
  if (!data.ok()) return c.fail(data.error());
  return emit_report(c, public_information_report_output(*data, std::stoi(year_text)));
}

ExitCode run_report_registry(Context& c) {
  std::string from, to;
  if (!read_period(c, from, to)) return ExitCode::usage;
  auto data = load_registry(c);
  if (!data.ok()) return c.fail(data.error());
  return emit_report(c, registry_report_output(*data, from, to));
}

}  // namespace dosar::cli
