// Time: stored in UTC as ISO 8601 with a trailing Z; shown in Europe/Bucharest.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace dosar {

// Source of the current time; tests substitute a fixed clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

const Clock& system_clock();

// "2026-11-23T09:28:38.123456Z".
std::string format_utc(std::chrono::system_clock::time_point when);
// The instant of a timestamp written by format_utc (fraction optional);
// nullopt when it does not parse.
std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& utc_iso);
// A time written in full by a person: "2026-03-01T12:00:00Z",
// "2026-03-01T14:00:00+02:00" (or +0200), seconds optional, a fraction
// allowed; the offset is required. nullopt when it is not such a time or not
// a real one (no 30 February, no hour 24).
std::optional<std::chrono::system_clock::time_point> parse_iso8601(const std::string& text);
// An ISO 8601 UTC timestamp shown as Bucharest local time, "23.11.2026 11:28:38".
// Returns the input unchanged when it does not parse.
std::string format_bucharest(const std::string& utc_iso);

// The Bucharest calendar date of a UTC timestamp, "2026-11-23"; "" when it does not parse.
std::string bucharest_date(const std::string& utc_iso);
// A calendar date as Romanian readers write it: "2026-12-22" -> "22.12.2026";
// anything else is returned unchanged.
std::string romanian_date(const std::string& iso_date);

// True when `date` is a real calendar date written "YYYY-MM-DD" (no 30 February).
bool is_iso_date(const std::string& date);
// The calendar date `days` after an ISO date (negative: before); "" when it is not a date.
std::string add_calendar_days(const std::string& iso_date, int days);

}  // namespace dosar
