#include "base/cnp.h"

#include <algorithm>

namespace dosar {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int two(std::string_view s, std::size_t at) {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool real_date(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  int last = kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  return day <= last;
}

// County codes (JJ): 01-46 counties, Bucharest (40) and its sectors (41-46);
// 47 and 48 the former sectors 7 and 8 (old codes stay valid); 51 Călărași
// and 52 Giurgiu. Since the civil-status system SIIEASC (2024) new CNPs carry
// 70 whatever the county, as the Ministry of Internal Affairs announced.
bool known_county(int code) {
  return (code >= 1 && code <= 48) || code == 51 || code == 52 || code == 70;
}

Error invalid(const std::string& reason) {
  return make_error(ErrorCode::invalid_argument, "CNP", reason);
}

}  // namespace

Result<CnpInfo> validate_cnp(std::string_view text) {
  if (text.size() != 13)
    return invalid("must have 13 digits, not " + std::to_string(text.size()) + " characters");
  if (!std::all_of(text.begin(), text.end(), is_digit)) return invalid("must hold only digits");
  CnpInfo info;
  info.sex_digit = text[0] - '0';
  if (info.sex_digit == 0) return invalid("first digit (sex and century) cannot be 0");
  const int yy = two(text, 1);
  info.birth_month = two(text, 3);
  info.birth_day = two(text, 5);
  switch (info.sex_digit) {
    case 1:
    case 2:
      info.birth_year = 1900 + yy;
      break;
    case 3:
    case 4:
      info.birth_year = 1800 + yy;
      break;
    case 5:
    case 6:
      info.birth_year = 2000 + yy;
      break;
    default:
      info.birth_year = 0;  // 7, 8, 9: residents and foreigners, century not encoded
  }
  bool date_ok = info.birth_year != 0 ? real_date(info.birth_year, info.birth_month, info.birth_day)
                                      : real_date(1900 + yy, info.birth_month, info.birth_day) ||
                                            real_date(2000 + yy, info.birth_month, info.birth_day);
  if (!date_ok)
    return invalid("birth date " + std::string(text.substr(1, 6)) + " (YYMMDD) is not a calendar date");
  info.county = two(text, 7);
  if (!known_county(info.county))
    return invalid("county code " + std::string(text.substr(7, 2)) + " does not exist");
  static constexpr int kKey[12] = {2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9};
  int sum = 0;
  for (int i = 0; i < 12; ++i) sum += (text[static_cast<std::size_t>(i)] - '0') * kKey[i];
  int control = sum % 11;
  if (control == 10) control = 1;
  if (text[12] - '0' != control)
    return invalid("control digit is " + std::string(1, text[12]) + ", the other digits give " +
                   std::to_string(control));
  return info;
}

std::string mask_cnp(std::string_view cnp) {
  if (cnp.size() != 13) return std::string(cnp.size(), '*');
  return std::string(1, cnp[0]) + std::string(8, '*') + std::string(cnp.substr(9));
}

std::vector<std::string> find_cnps(std::string_view text, const CnpScanLimits& limits) {
  std::vector<std::string> found;
  text = text.substr(0, std::min(text.size(), limits.max_bytes));
  std::size_t i = 0;
  while (i < text.size() && found.size() < limits.max_found) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (end - i == 13) {
      std::string_view candidate = text.substr(i, 13);
      if (validate_cnp(candidate).ok() && std::find(found.begin(), found.end(), candidate) == found.end())
        found.emplace_back(candidate);
    }
    i = end;
  }
  return found;
}

std::string replace_cnps(std::string_view text,
                         const std::function<std::string(std::string_view cnp)>& replace) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_digit(text[end])) ++end;
    std::string_view run = text.substr(i, end - i);
    if (run.size() == 13 && validate_cnp(run).ok())
      out += replace(run);
    else
      out += run;
    i = end;
  }
  return out;
}

std::string mask_cnps(std::string_view text) {
  return replace_cnps(text, mask_cnp);
}

}  // namespace dosar
