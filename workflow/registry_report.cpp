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

// The date the entry was first answered ("" when never).
std::string answered_on(const RegistryEntry& e) {
  for (const RegistryEvent& ev : e.history)
    if (ev.status == "answered") return bucharest_date(ev.at);
  return "";
}

bool has_disposition(const RegistryEntry& e, const std::string& kind) {
  for (const Disposition& d : e.dispositions)
    if (d.kind == kind) return true;
  return false;
}

// Names of the kinds whose legal basis cites `law` ("27/2002", "544/2001").
std::vector<std::string> kinds_under(const std::vector<DocumentKind>& kinds, const std::string& law) {
  std::vector<std::string> out;
  for (const DocumentKind& k : kinds)
    if (k.legal_basis.find(law) != std::string::npos) out.push_back(k.name);
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  for (const std::string& v : list)
    if (v == value) return true;
  return false;
}

std::string department_of(const RegistryEntry& e) {
  return e.department.empty() ? "(nerepartizat)" : e.department;
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
    ++r.by_department[department_of(e)];
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

PetitionReport petition_report(const std::vector<RegistryEntry>& entries,
                               const std::vector<DocumentKind>& kinds, const std::string& from,
                               const std::string& to, const std::string& today) {
  PetitionReport r;
  r.from = from;
  r.to = to;
  r.today = today;
  const std::vector<std::string> petitions = kinds_under(kinds, "27/2002");
  for (const RegistryEntry& e : entries) {
    std::string day = bucharest_date(e.registered_at);
    if (day < from || day > to || !contains(petitions, e.kind) || e.status == "annulled") continue;
    for (PetitionCounts* c : {&r.by_department[department_of(e)], &r.total}) {
      ++c->received;
      std::string answered = answered_on(e);
      if (has_disposition(e, "forwarded"))
        ++c->forwarded;
      else if (has_disposition(e, "filed"))
        ++c->filed;
      else if (has_disposition(e, "joined"))
        ++c->joined;
      else if (!answered.empty())
        ++(answered <= e.deadline ? c->answered_in_term : c->late);
      else if (is_open(e.status))
        ++(e.deadline < today ? c->late : c->open);
    }
  }
  return r;
}

std::string petition_report_csv(const PetitionReport& r) {
  std::string out = "department,received,answered_in_term,late,forwarded,filed,joined,open\n";
  auto row = [&](const std::string& name, const PetitionCounts& c) {
    out += csv_field(name);
    for (int n : {c.received, c.answered_in_term, c.late, c.forwarded, c.filed, c.joined, c.open})
      out += "," + std::to_string(n);
    out += "\n";
  };
  for (const auto& [department, counts] : r.by_department) row(department, counts);
  row("TOTAL", r.total);
  return out;
}

PublicInformationReport public_information_report(const std::vector<RegistryEntry>& entries,
                                                  const std::vector<DocumentKind>& kinds, int year,
                                                  const std::string& today) {
  PublicInformationReport r;
  r.year = year;
  r.today = today;
  r.unknown = {"subject categories of the official form (subjects are free text; counted by department)",
               "requests made verbally and not registered",
               "administrative complaints and court cases (Law 544/2001 art. 21-22) are not recorded"};
  const std::vector<std::string> requests = kinds_under(kinds, "544/2001");
  for (const RegistryEntry& e : entries) {
    if (e.year != year || !contains(requests, e.kind) || e.status == "annulled") continue;
    ++r.total;
    ++r.by_department[department_of(e)];
    ++r.by_channel[e.channel];
    ++(e.channel == "ghiseu" || e.channel == "posta" ? r.paper : r.electronic);
    if (has_disposition(e, "extended")) ++r.extended;
    std::string answered = answered_on(e);
    bool refused = false;
    for (const Disposition& d : e.dispositions)
      if (d.kind == "refused") {
        refused = true;
        ++r.refused;
        ++r.refused_by_ground[d.target];
        r.refusals.push_back(e.register_name + " " + e.number + " (" + d.target + "): " + d.text);
      }
    if (has_disposition(e, "forwarded")) {
      ++r.forwarded;
      continue;
    }
    if (!answered.empty()) {
      if (!refused) ++r.answered;
      if (answered > e.deadline) ++r.late;
    } else if (is_open(e.status)) {
      ++(e.deadline < today ? r.late : r.open);
    }
  }
  return r;
}

std::string public_information_report_csv(const PublicInformationReport& r) {
  std::string out = "dimension,key,count\n";
  out += "year," + std::to_string(r.year) + "," + std::to_string(r.total) + "\n";
  for (auto [name, counts] : {std::pair{"department", &r.by_department}, std::pair{"channel", &r.by_channel},
                              std::pair{"refused-ground", &r.refused_by_ground}})
    for (const auto& [key, count] : *counts)
      out += std::string(name) + "," + csv_field(key) + "," + std::to_string(count) + "\n";
  for (auto [name, count] :
       {std::pair{"paper", r.paper}, std::pair{"electronic", r.electronic}, std::pair{"answered", r.answered},
        std::pair{"refused", r.refused}, std::pair{"extended", r.extended},
        std::pair{"forwarded", r.forwarded}, std::pair{"late", r.late}, std::pair{"open", r.open}})
    out += std::string(name) + ",," + std::to_string(count) + "\n";
  for (const std::string& what : r.unknown) out += "unknown," + csv_field(what) + ",\n";
  return out;
}

}  // namespace dosar::workflow
