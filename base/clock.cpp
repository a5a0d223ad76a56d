#include "base/clock.h"

#include <cstdio>
#include <ctime>

namespace dosar {
namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};

// Offset of Europe/Bucharest from UTC at the given UTC instant (EET/EEST, EU
// rule: summer time from the last Sunday of March 01:00 UTC to the last Sunday
// of October 01:00 UTC). Computed here so that display does not depend on the
// machine's tzdata or TZ variable.
int bucharest_offset_hours(std::time_t utc) {
  std::tm t{};
  gmtime_r(&utc, &t);
  auto last_sunday_0100 = [&](int month) {
    std::tm m{};
    m.tm_year = t.tm_year;
    m.tm_mon = month + 1;  // first day of the next month, then step back
    m.tm_mday = 1;
    m.tm_hour = 1;
    std::time_t first_next = timegm(&m);
    std::time_t day = first_next - 24 * 3600;
    std::tm d{};
    gmtime_r(&day, &d);
    return day - static_cast<std::time_t>(d.tm_wday) * 24 * 3600;
  };
  std::time_t start = last_sunday_0100(2);  // March
  std::time_t end = last_sunday_0100(9);    // October
  return (utc >= start && utc < end) ? 3 : 2;
}

}  // namespace

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

std::string format_utc(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  long fraction = static_cast<long>(micros % 1000000);
  std::tm t{};
  gmtime_r(&seconds, &t);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, fraction);
  return buffer;
}

namespace {

bool to_bucharest(const std::string& utc_iso, std::tm& local_out) {
  std::tm t{};
  if (std::sscanf(utc_iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour,
                  &t.tm_min, &t.tm_sec) != 6)
    return false;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  std::time_t utc = timegm(&t);
  std::time_t local = utc + bucharest_offset_hours(utc) * 3600;
  gmtime_r(&local, &local_out);
  return true;
}

}  // namespace

std::string bucharest_date(const std::string& utc_iso) {
  std::tm l{};
  if (!to_bucharest(utc_iso, l)) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", l.tm_year + 1900, l.tm_mon + 1, l.tm_mday);
  return buffer;
}

bool is_iso_date(const std::string& date) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
  if (date[4] != '-' || date[7] != '-') return false;
  std::tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = m - 1;
  t.tm_mday = d;
  t.tm_hour = 12;
  std::time_t when = timegm(&t);
  std::tm back{};
  gmtime_r(&when, &back);
  // timegm normalises 30 February to 2 March; a real date survives the round trip.
  return back.tm_year == y - 1900 && back.tm_mon == m - 1 && back.tm_mday == d;
}

std::string add_calendar_days(const std::string& iso_date, int days) {
  if (!is_iso_date(iso_date)) return "";
  std::tm t{};
  std::sscanf(iso_date.c_str(), "%4d-%2d-%2d", &t.tm_year, &t.tm_mon, &t.tm_mday);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  t.tm_hour = 12;  // noon: no daylight-saving edge can move the date
  std::time_t when = timegm(&t) + static_cast<std::time_t>(days) * 24 * 3600;
  std::tm out{};
  gmtime_r(&when, &out);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", out.tm_year + 1900, out.tm_mon + 1, out.tm_mday);
  return buffer;
}

std::string format_bucharest(const std::string& utc_iso) {
  std::tm l{};
  if (!to_bucharest(utc_iso, l)) return utc_iso;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%02d.%02d.%04d %02d:%02d:%02d", l.tm_mday, l.tm_mon + 1,
                l.tm_year + 1900, l.tm_hour, l.tm_min, l.tm_sec);
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& utc_iso) {
  std::tm t{};
  long fraction = 0;
  int fields = std::sscanf(utc_iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%6ld", &t.tm_year, &t.tm_mon, &t.tm_mday,
                           &t.tm_hour, &t.tm_min, &t.tm_sec, &fraction);
  if (fields < 6) return std::nullopt;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  std::time_t seconds = timegm(&t);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds) +
         std::chrono::microseconds(fields == 7 ? fraction : 0);
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(const std::string& text) {
  // YYYY-MM-DDTHH:MM[:SS[.fraction]] then Z, +HH:MM, -HH:MM, +HHMM or -HHMM.
  if (text.size() < 17 || text[10] != 'T' || !is_iso_date(text.substr(0, 10))) return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int& value) {
    if (at + n > text.size()) return false;
    value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    return true;
  };
  int hour = 0, minute = 0, second = 0;
  if (!digits(11, 2, hour) || text[13] != ':' || !digits(14, 2, minute) || hour > 23 || minute > 59)
    return std::nullopt;
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    if (!digits(at + 1, 2, second) || second > 59) return std::nullopt;
    at += 3;
  }
  std::chrono::microseconds fraction{0};
  if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
    std::size_t end = at + 1;
    long micros = 0, scale = 100000;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
      micros += (text[end] - '0') * scale;
      scale /= 10;
      ++end;
    }
    if (end == at + 1) return std::nullopt;
    fraction = std::chrono::microseconds(micros);
    at = end;
  }
  long offset = 0;
  const std::string zone = text.substr(at);
  if (zone != "Z") {
    int oh = 0, om = 0;
    const bool colon = zone.size() == 6 && zone[3] == ':';
    if ((zone.size() != 5 && !colon) || (zone[0] != '+' && zone[0] != '-') || !digits(at + 1, 2, oh) ||
        !digits(at + (colon ? 4 : 3), 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = (zone[0] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
  }
  std::tm t{};
  std::sscanf(text.c_str(), "%4d-%2d-%2d", &t.tm_year, &t.tm_mon, &t.tm_mday);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&t) - offset) + fraction;
}

std::string romanian_date(const std::string& iso_date) {
  if (!is_iso_date(iso_date)) return iso_date;
  return iso_date.substr(8, 2) + "." + iso_date.substr(5, 2) + "." + iso_date.substr(0, 4);
}

}  // namespace dosar
