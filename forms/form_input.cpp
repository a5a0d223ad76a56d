#include "forms/form_input.h"

#include <algorithm>
#include <map>
#include <regex>
#include <vector>

#include "base/clock.h"

namespace dosar::forms {

namespace {

Error invalid(const std::string& subject, const std::string& message) {
  return make_error(ErrorCode::invalid_argument, subject, message);
}

// Decodes UTF-8; false on any malformed, overlong or surrogate sequence.
bool decode_utf8(std::string_view text, std::vector<char32_t>& out) {
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    int length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + static_cast<std::size_t>(length) > text.size()) return false;
    char32_t cp = length == 1 ? c : c & (0x7f >> length);
    for (int k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3f);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    out.push_back(cp);
    i += static_cast<std::size_t>(length);
  }
  return true;
}

std::string encode_utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

// Characters that reorder text when shown (a name that reads "fdp.exe" but is "exe.pdf").
bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
         cp == 0x061c;
}

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string trimmed(const std::string& s) {
  std::size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

Result<std::string> check_value(const FormField& f, const std::string& raw) {
  std::vector<char32_t> cps;
  if (!decode_utf8(raw, cps)) return invalid(f.name, "is not valid UTF-8 text");
  for (char32_t cp : cps) {
    bool line_break = cp == '\n' || cp == '\r' || cp == '\t';
    if ((is_control(cp) && !(line_break && f.type == FieldType::textarea)) || is_bidi_control(cp))
      return invalid(f.name, "contains control characters");
  }
  if (cps.size() > f.max_length)
    return invalid(f.name, "is longer than " + std::to_string(f.max_length) + " characters");
  std::string value = f.type == FieldType::textarea ? raw : trimmed(raw);
  if (is_blank(value)) {
    if (f.required) return invalid(f.name, "is required (" + f.label + ")");
    return std::string();
  }
  switch (f.type) {
    case FieldType::email: {
      static const std::regex email(R"([^@\s]+@[^@\s]+\.[^@\s]+)");
      if (!std::regex_match(value, email)) return invalid(f.name, "is not an e-mail address");
      break;
    }
    case FieldType::tel: {
      static const std::regex tel(R"(\+?[0-9 ()./-]{6,20})");
      if (!std::regex_match(value, tel)) return invalid(f.name, "is not a telephone number");
      break;
    }
    case FieldType::date:
      if (!is_iso_date(value)) return invalid(f.name, "is not a date (YYYY-MM-DD)");
      break;
    case FieldType::select:
      if (std::none_of(f.options.begin(), f.options.end(),
                       [&](const FieldOption& o) { return o.value == value; }))
        return invalid(f.name, "is not one of the choices offered");
      break;
    case FieldType::checkbox:
      if (value != "on" && value != "true" && value != "1") return invalid(f.name, "must be on or empty");
      value = "on";
      break;
    default:
      break;
  }
  return value;
}

}  // namespace

Result<std::string> attachment_name(std::string_view raw, std::size_t max_bytes) {
  std::vector<char32_t> cps;
  bool utf8 = decode_utf8(raw, cps);
  // The name as an answer may show it: valid UTF-8, nothing that hides or reorders text.
  std::string shown;
  for (std::size_t i = 0; utf8 && i < cps.size() && i < 60; ++i)
    shown += is_control(cps[i]) || is_bidi_control(cps[i]) ? std::string("?") : encode_utf8(cps[i]);
  auto refuse = [&](const std::string& why) {
    return invalid(utf8 ? "file name '" + shown + (cps.size() > 60 ? "…'" : "'") : "file name", why);
  };
  if (raw.empty()) return refuse("is empty");
  if (raw.size() > max_bytes) return refuse("is longer than " + std::to_string(max_bytes) + " bytes");
  if (!utf8) return refuse("is not valid UTF-8");
  for (char32_t cp : cps) {
    if (cp == 0) return refuse("contains a NUL character");
    if (is_control(cp)) return refuse("contains control characters");
    if (is_bidi_control(cp)) return refuse("contains right-to-left or other direction overrides");
    if (cp == '/' || cp == '\\') return refuse("contains a path (/ or \\); send the file's name only");
  }
  std::string name(raw);
  if (name.front() == '.') return refuse("starts with a dot");
  if (name.size() >= 2 && name[1] == ':') return refuse("is a drive path");
  // Windows reserved device names, with or without an extension (CON, nul.txt).
  std::string stem = name.substr(0, name.find('.'));
  while (!stem.empty() && stem.back() == ' ') stem.pop_back();
  std::transform(stem.begin(), stem.end(), stem.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static const std::regex reserved("CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]");
  if (std::regex_match(stem, reserved)) return refuse("is a name Windows reserves for devices");
  if (name.back() == ' ' || name.back() == '.') return refuse("ends with a space or a dot");
  return name;
}

Result<std::map<std::string, std::string>> validate_fields(const FormDefinition& form,
                                                           const std::map<std::string, std::string>& parts) {
  for (const auto& [name, value] : parts)
    if (!form.field(name)) {
      bool plain = name.size() <= 40 &&
                   name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
      return invalid(plain ? name : "a part", "is not a field of form " + form.id);
    }
  std::map<std::string, std::string> out;
  for (const FormField& f : form.fields) {
    auto it = parts.find(f.name);
    auto value = check_value(f, it == parts.end() ? std::string() : it->second);
    if (!value.ok()) return value.error();
    if (!value->empty()) out[f.name] = std::move(value).value();
  }
  return out;
}

std::string status_label(const std::string& status) {
  static const std::map<std::string, std::string> labels = {
      {"to-verify", "de verificat"}, {"registered", "înregistrată"}, {"assigned", "repartizată"},
      {"in-progress", "în lucru"},   {"answered", "s-a răspuns"},    {"closed", "închisă"},
      {"archived", "arhivată"},      {"annulled", "anulată"},        {"accepted", "acceptată"},
      {"spam", "anulată (spam)"}};
  auto it = labels.find(status);
  return it == labels.end() ? status : it->second;
}

}  // namespace dosar::forms
