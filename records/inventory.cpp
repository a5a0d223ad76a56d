// The yearly inventory of dossiers (inventar), as the archival instructions
// ask: order number, file code, contents, extreme dates, sheets, retention.
#include <fstream>

#include "records/records.h"
#include "workflow/receipt.h"

namespace dosar::records {
namespace {

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status write_inventory_pdf(const std::vector<InventoryLine>& lines, int year, const std::string& department,
                           const std::filesystem::path& file) {
  workflow::PrintableTable table;
  table.title = "Inventarul dosarelor pe anul " + std::to_string(year);
  table.subtitle = department.empty() ? "Toate compartimentele" : "Compartimentul: " + department;
  table.header = {"Nr. crt.", "Indicativ", "Conținutul pe scurt", "Date extreme", "File", "Termen"};
  table.widths = {0.07, 0.14, 0.38, 0.21, 0.08, 0.12};
  for (const InventoryLine& l : lines) {
    const Dossier& d = l.dossier;
    table.rows.push_back(
        {std::to_string(l.number), d.code + "/" + std::to_string(d.year),
         d.title + (d.department.empty() || !department.empty() ? "" : " (" + d.department + ")"),
         extreme_dates(d), std::to_string(d.pages),
         d.retention_years ? std::to_string(*d.retention_years) + " ani" : "permanent"});
  }
  return workflow::write_table_pdf(table, file);
}

}  // namespace

std::string extreme_dates(const Dossier& d) {
  if (d.first_date.empty()) return "";
  return romanian_date(d.first_date) + " - " + romanian_date(d.last_date);
}

std::string inventory_csv(const std::vector<InventoryLine>& lines) {
  std::string out =
      "nr_crt,indicativ,continut,compartiment,date_extreme,documente,file,termen_pastrare,stare\n";
  for (const InventoryLine& l : lines) {
    const Dossier& d = l.dossier;
    out += std::to_string(l.number) + "," + csv_field(d.code + "/" + std::to_string(d.year)) + "," +
           csv_field(d.title) + "," + csv_field(d.department) + "," + csv_field(extreme_dates(d)) + "," +
           std::to_string(d.documents) + "," + std::to_string(d.pages) + "," +
           retention_text(d.retention_years) + "," + d.state + "\n";
  }
  return out;
}

Status write_inventory(const std::vector<InventoryLine>& lines, int year, const std::string& department,
                       const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  if (extension == ".pdf") return write_inventory_pdf(lines, year, department, file);
  if (extension != ".csv")
    return make_error(ErrorCode::invalid_argument, file.string(), "the inventory is written as .csv or .pdf");
  std::filesystem::path temp = file.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << inventory_csv(lines);
    out.flush();
    if (!out) return make_error(ErrorCode::io, file.string(), "cannot write the inventory");
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) return make_error(ErrorCode::io, file.string(), "cannot write the inventory: " + ec.message());
  return {};
}

}  // namespace dosar::records
