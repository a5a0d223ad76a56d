// The three registry reports of issue 11 as both front ends show them: the
// title, the printable lines (terminal and PDF), the CSV and the JSON. The
// command line (`dosar report …`) and the web admin
// (GET /api/v1/reports/…) call these, so that both give the same figures,
// the same CSV and the same PDF.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/archive_store.h"
#include "storage/registry_store.h"

namespace dosar {

// Every entry of every register, the document kinds and today's Bucharest date.
struct RegistryData {
  std::vector<RegistryEntry> entries;
  std::vector<DocumentKind> kinds;
  std::string today;
};
Result<RegistryData> load_registry_data(ArchiveStore& archive);  // Errors: io

struct ReportOutput {
  std::string title;
  std::vector<std::string> lines;  // "# " starts a heading
  std::string csv;
  nlohmann::json json;
};

// REQUIRES: ISO dates, from <= to.
ReportOutput petition_report_output(const RegistryData& data, const std::string& from, const std::string& to);
ReportOutput public_information_report_output(const RegistryData& data, int year);
ReportOutput registry_report_output(const RegistryData& data, const std::string& from, const std::string& to);

}  // namespace dosar
