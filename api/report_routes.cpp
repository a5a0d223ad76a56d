// The legal reports in the web admin (issue 11): GET /api/v1/reports/
// {petitii|l544|registry}, as JSON, CSV or PDF — the very figures, CSV and
// PDF of `dosar report …` (api/report_shapes.h). Read by administrators and
// heads of department: the OG 27/2002 report is the head of the authority's
// (art. 15), the Law 544/2001 report is published yearly by the authority,
// and both count the whole institution by department; they carry no
// sender and no subject, only registration numbers of late or refused
// requests.
#include "api/http_support.h"
#include "api/report_shapes.h"
#include "base/clock.h"
#include "workflow/receipt.h"

namespace dosar::api {
namespace {

Result<std::pair<std::string, std::string>> period(const httplib::Request& req) {
  std::string from = req.get_param_value("from"), to = req.get_param_value("to");
  for (auto [name, value] : {std::pair{"from", &from}, std::pair{"to", &to}})
    if (!is_iso_date(*value))
      return make_error(ErrorCode::invalid_argument, name, "must be a date YYYY-MM-DD, not '" + *value + "'");
  if (to < from) return make_error(ErrorCode::invalid_argument, "to", to + " is before from " + from);
  return std::pair{from, to};
}

void report(const App&, ArchiveStore& archive, const Caller& caller, const httplib::Request& req,
            httplib::Response& res) {
  if (!require_role(archive, caller, {kAdminRole, kHeadRole}, res)) return;
  const std::string name = req.matches[1];
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  if (format != "json" && format != "csv" && format != "pdf")
    return send_error(res, Error{ErrorCode::invalid_argument, "format", "must be json, csv or pdf"});
  ReportOutput out;
  std::string file = name;
  if (name == "l544") {
    const std::string year = req.get_param_value("year");
    if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos)
      return send_error(res, Error{ErrorCode::invalid_argument, "year", "must be a year such as 2026"});
    auto data = load_registry_data(archive);
    if (!data.ok()) return send_error(res, data.error());
    out = public_information_report_output(*data, std::stoi(year));
    file += "-" + year;
  } else {
    auto dates = period(req);
    if (!dates.ok()) return send_error(res, dates.error());
    auto data = load_registry_data(archive);
    if (!data.ok()) return send_error(res, data.error());
    out = name == "petitii" ? petition_report_output(*data, dates->first, dates->second)
                            : registry_report_output(*data, dates->first, dates->second);
    file += "-" + dates->first + "-" + dates->second;
  }
  if (format == "json") {
    nlohmann::json body = out.json;
    body["title"] = out.title;
    body["lines"] = out.lines;
    return send_json(res, 200, body);
  }
  res.set_header("Content-Disposition", "attachment; filename=\"raport-" + file + "." + format + "\"");
  if (format == "csv") return res.set_content(out.csv, "text/csv; charset=utf-8");
  auto pdf = spooled_file(archive, [&](const std::filesystem::path& spool_file) {
    return workflow::write_lines_pdf(out.title, out.lines, spool_file);
  });
  if (!pdf.ok()) return send_error(res, pdf.error());
  res.set_content(*pdf, "application/pdf");
}

}  // namespace

void add_report_routes(httplib::Server& server, const App& app) {
  server.Get(R"(/api/v1/reports/(petitii|l544|registry))", signed_in(app, report));
}

}  // namespace dosar::api
