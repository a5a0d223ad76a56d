#include "workflow/registry_report.h"

#include "base/clock.h"

namespace dosar::workflow {
namespace {

bool is_open(const std::string& status) {
  return status == "registered" || status == "assigned" || status == "in-progress";
}

// When the entry stopped being open, from its history ("" while open).
std::string settled_on(const RegistryEntry& e) {
  for (const RegistryEvent& ev : e.history)
    if (ev.status == "answered" || ev.status == "closed") return bucharest_date(ev.at);
  return "";
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace

RegistryReport registry_report(const std::vector<RegistryEntry>& entries, const std::string& from,
                               const std::string& to, const std::string& today) {
  RegistryReport r;
  r.from = from;
  r.to = to;
  r.today = today;
  for (const RegistryEntry& e : entries) {
    std::string day = bucharest_date(e.registered_at);
    if (day < from || day > to) continue;
    ++r.total;
    ++r.by_register[e.register_name];
    ++r.by_channel[e.channel];
    ++r.by_department[e.department.empty() ? "(nerepartizat)" : e.department];
    ++r.by_kind[e.kind];
    ++r.by_status[e.status];
    if (is_open(e.status)) {
      ++r.open;
      if (e.deadline < today) r.overdue.push_back(e.register_name + " " + e.number);
    }
    std::string settled = settled_on(e);
    if (!settled.empty() && settled > e.deadline) ++r.answered_late;
  }
  return r;
}

std::string registry_report_csv(const RegistryReport& r) {
  std::string out = "dimension,key,count\n";
  out += "period," + r.from + ".." + r.to + "," + std::to_string(r.total) + "\n";
  for (auto [name, counts] : {std::pair{"register", &r.by_register}, std::pair{"channel", &r.by_channel},
                              std::pair{"department", &r.by_department}, std::pair{"kind", &r.by_kind},
                              std::pair{"status", &r.by_status}})
    for (const auto& [key, count] : *counts)
      out += std::string(name) + "," + csv_field(key) + "," + std::to_string(count) + "\n";
  out += "open,," + std::to_string(r.open) + "\n";
  out += "answered-late,," + std::to_string(r.answered_late) + "\n";
  for (const std::string& number : r.overdue) out += "overdue," + csv_field(number) + ",1\n";
  return out;
}

}  // namespace dosar::workflow
