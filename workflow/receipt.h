// The registration receipt handed to the citizen: one printable A4 page.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace dosar::workflow {

struct Receipt {
  std::string institution;  // may be empty
  std::string register_label;
  std::string number;         // "12/22.11.2026"
  std::string registered_at;  // Bucharest time, "22.11.2026 10:15:00"
  std::string subject;
  std::string kind;
  std::string deadline;  // DD.MM.YYYY
  std::string access_code;
};

// Writes a one-page PDF (cairo, DejaVu Sans embedded as a subset, so that
// ă â î ș ț print and copy as themselves). Errors: io.
Status write_receipt_pdf(const Receipt& receipt, const std::filesystem::path& file);

// A printable A4 document of lines (a report), in the receipt's fonts, on as
// many pages as it takes; a line starting with "# " is a heading. Errors: io.
Status write_lines_pdf(const std::string& title, const std::vector<std::string>& lines,
                       const std::filesystem::path& file);

// A printable A4 table (an inventory, a list): title, subtitle, then rows
// under a repeated header, over as many pages as needed. `widths` are the
// columns' shares of the line (summing to at most 1); cells wrap.
struct PrintableTable {
  std::string title;
  std::string subtitle;
  std::vector<std::string> header;
  std::vector<double> widths;
  std::vector<std::vector<std::string>> rows;
};

// Writes the table as PDF with the receipt's embedded font. Errors: io, not_found (font).
Status write_table_pdf(const PrintableTable& table, const std::filesystem::path& file);

}  // namespace dosar::workflow
