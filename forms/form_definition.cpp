#include "forms/form_definition.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "forms/shipped_forms.h"

namespace dosar::forms {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::pair<FieldType, const char*> kTypeNames[] = {
    {FieldType::text, "text"},        {FieldType::textarea, "textarea"}, {FieldType::email, "email"},
    {FieldType::tel, "tel"},          {FieldType::date, "date"},         {FieldType::select, "select"},
    {FieldType::checkbox, "checkbox"}};

std::size_t default_max_length(FieldType type) {
  switch (type) {
    case FieldType::textarea:
      return 10000;
    case FieldType::tel:
      return 20;
    case FieldType::date:
      return 10;
    default:
      return 500;
  }
}

// Reads one definition, recording the first problem as "path: reason".
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Error fail(const std::string& where, const std::string& why) const {
    return make_error(ErrorCode::invalid_argument, source_, "field '" + where + "': " + why);
  }

  // Checks that `object` has only `allowed` keys (a typo is an error, not a silent default).
  Status only_keys(const json& object, const std::string& where, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : object.items())
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
        return fail(where.empty() ? key : where + "." + key, "unknown key");
    return {};
  }

  Result<std::string> text(const json& object, const std::string& where, const char* key, bool required) {
    std::string path = where.empty() ? key : where + "." + key;
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) return fail(path, "is required");
      return std::string();
    }
    if (!it->is_string()) return fail(path, "must be a string");
    std::string value = it->get<std::string>();
    if (required && value.find_first_not_of(" \t\n") == std::string::npos)
      return fail(path, "must not be empty");
    return value;
  }

  Result<bool> boolean(const json& object, const std::string& where, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return false;
    if (!it->is_boolean()) return fail(where + "." + key, "must be true or false");
    return it->get<bool>();
  }

  Result<long long> integer(const json& object, const std::string& where, const char* key, long long min,
                            long long max, long long fallback) {
    std::string path = where.empty() ? key : where + "." + key;
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_number_integer()) return fail(path, "must be a whole number");
    long long n = it->get<long long>();
    if (n < min || n > max)
      return fail(path,
                  std::to_string(n) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    return n;
  }

 private:
  std::string source_;
};

Result<FormField> read_field(Reader& r, const json& object, const std::string& where) {
  if (!object.is_object()) return r.fail(where, "must be an object");
  DOSAR_TRY(
      r.only_keys(object, where, {"name", "type", "label", "required", "help", "options", "max_length"}));
  FormField f;
  auto name = r.text(object, where, "name", true);
  if (!name.ok()) return name.error();
  static const std::regex name_shape("[a-z][a-z0-9_]{0,39}");
  if (!std::regex_match(*name, name_shape))
    return r.fail(where + ".name", "'" + *name + "' must be lower-case letters, digits and _ (at most 40)");
  for (const char* reserved : kReservedPartNames)
    if (*name == reserved)
      return r.fail(where + ".name", "'" + *name + "' is reserved for the submission itself");
  f.name = *name;
  auto type = r.text(object, where, "type", true);
  if (!type.ok()) return type.error();
  auto known = std::find_if(std::begin(kTypeNames), std::end(kTypeNames),
                            [&](const auto& t) { return *type == t.second; });
  if (known == std::end(kTypeNames))
    return r.fail(where + ".type",
                  "'" + *type + "' is not one of text, textarea, email, tel, date, select, checkbox");
  f.type = known->first;
  auto label = r.text(object, where, "label", true);
  if (!label.ok()) return label.error();
  f.label = *label;
  auto required = r.boolean(object, where, "required");
  if (!required.ok()) return required.error();
  f.required = *required;
  auto help = r.text(object, where, "help", false);
  if (!help.ok()) return help.error();
  f.help = *help;
  auto max_length =
      r.integer(object, where, "max_length", 1, 100000, static_cast<long long>(default_max_length(f.type)));
  if (!max_length.ok()) return max_length.error();
  f.max_length = static_cast<std::size_t>(*max_length);
  auto options = object.find("options");
  if (f.type == FieldType::select) {
    if (options == object.end() || !options->is_array() || options->empty())
      return r.fail(where + ".options", "a select needs a non-empty list of options");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < options->size(); ++i) {
      std::string at = where + ".options[" + std::to_string(i) + "]";
      const json& o = (*options)[i];
      if (!o.is_object()) return r.fail(at, "must be an object {\"value\", \"label\"}");
      DOSAR_TRY(r.only_keys(o, at, {"value", "label"}));
      auto value = r.text(o, at, "value", true);
      if (!value.ok()) return value.error();
      auto option_label = r.text(o, at, "label", true);
      if (!option_label.ok()) return option_label.error();
      if (!seen.insert(*value).second) return r.fail(at + ".value", "'" + *value + "' appears twice");
      f.options.push_back({*value, *option_label});
    }
  } else if (options != object.end()) {
    return r.fail(where + ".options", "only a select has options");
  }
  return f;
}

Result<AttachmentRules> read_attachments(Reader& r, const json& object) {
  AttachmentRules a;
  if (!object.is_object()) return r.fail("attachments", "must be an object");
  DOSAR_TRY(r.only_keys(object, "attachments",
                        {"label", "help", "max_files", "required", "accept", "confidentiality"}));
  auto label = r.text(object, "attachments", "label", false);
  if (!label.ok()) return label.error();
  a.label = label->empty() ? "Documente anexate" : *label;
  auto help = r.text(object, "attachments", "help", false);
  if (!help.ok()) return help.error();
  a.help = *help;
  auto max_files = r.integer(object, "attachments", "max_files", 0, 10, 10);
  if (!max_files.ok()) return max_files.error();
  a.max_files = static_cast<int>(*max_files);
  auto required = r.boolean(object, "attachments", "required");
  if (!required.ok()) return required.error();
  a.required = *required;
  if (a.required && a.max_files == 0) return r.fail("attachments.required", "needs max_files of at least 1");
  auto confidentiality = r.text(object, "attachments", "confidentiality", false);
  if (!confidentiality.ok()) return confidentiality.error();
  if (!confidentiality->empty()) {
    if (*confidentiality != "public" && *confidentiality != "internal" &&
        *confidentiality != "restricted-personal-data")
      return r.fail("attachments.confidentiality",
                    "'" + *confidentiality + "' is not one of public, internal, restricted-personal-data");
    a.confidentiality = *confidentiality;
  }
  auto accept = object.find("accept");
  if (accept != object.end()) {
    if (!accept->is_array()) return r.fail("attachments.accept", "must be a list of mime types");
    static const std::regex mime("[a-z]+/[a-z0-9.+-]+");
    for (const json& m : *accept) {
      if (!m.is_string() || !std::regex_match(m.get<std::string>(), mime))
        return r.fail("attachments.accept", "must be a list of mime types such as application/pdf");
      a.accept.push_back(m.get<std::string>());
    }
  }
  if (a.accept.empty()) a.accept = {"application/pdf", "image/jpeg", "image/png", "image/tiff"};
  return a;
}

Result<std::string> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, file.string(), "cannot read the form definition");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return make_error(ErrorCode::io, file.string(), "cannot read the form definition");
  return text.str();
}

}  // namespace

const char* field_type_name(FieldType type) {
  for (const auto& [t, name] : kTypeNames)
    if (t == type) return name;
  return "text";
}

const FormField* FormDefinition::field(std::string_view name) const {
  for (const FormField& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

Result<FormDefinition> parse_form_definition(std::string_view text, const std::string& source) {
  Reader r(source);
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return make_error(ErrorCode::invalid_argument, source, "is not valid JSON");
  if (!doc.is_object()) return r.fail("(top)", "must be a JSON object");
  DOSAR_TRY(
      r.only_keys(doc, "",
                  {"id", "version", "title", "description", "register", "kind", "notice_version", "notice",
                   "sender_field", "contact_field", "subject_field", "fields", "attachments"}));
  FormDefinition d;
  d.source = source;
  auto id = r.text(doc, "", "id", true);
  if (!id.ok()) return id.error();
  static const std::regex id_shape("[a-z0-9][a-z0-9-]{0,39}");
  if (!std::regex_match(*id, id_shape))
    return r.fail("id", "'" + *id + "' must be lower-case letters, digits and dashes (at most 40)");
  d.id = *id;
  if (!doc.contains("version"))
    return r.fail("version", "is required (a whole number, raised at each change)");
  auto version = r.integer(doc, "", "version", 1, 1000000, 1);
  if (!version.ok()) return version.error();
  d.version = static_cast<int>(*version);
  for (auto [key, target, required] :
       {std::tuple{"title", &d.title, true}, std::tuple{"description", &d.description, false},
        std::tuple{"register", &d.register_name, true}, std::tuple{"kind", &d.kind, true},
        std::tuple{"notice_version", &d.notice_version, true}, std::tuple{"notice", &d.notice, true},
        std::tuple{"sender_field", &d.sender_field, true},
        std::tuple{"contact_field", &d.contact_field, false},
        std::tuple{"subject_field", &d.subject_field, false}}) {
    auto value = r.text(doc, "", key, required);
    if (!value.ok()) return value.error();
    *target = *value;
  }
  auto fields = doc.find("fields");
  if (fields == doc.end() || !fields->is_array() || fields->empty())
    return r.fail("fields", "must be a non-empty list of fields");
  std::set<std::string> names;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    std::string where = "fields[" + std::to_string(i) + "]";
    auto f = read_field(r, (*fields)[i], where);
    if (!f.ok()) return f.error();
    if (!names.insert(f->name).second) return r.fail(where + ".name", "'" + f->name + "' appears twice");
    d.fields.push_back(std::move(f).value());
  }
  auto sender = d.field(d.sender_field);
  if (!sender) return r.fail("sender_field", "'" + d.sender_field + "' is not one of the fields");
  if (!sender->required) return r.fail("sender_field", "'" + d.sender_field + "' must be a required field");
  for (auto [key, name] :
       {std::pair{"contact_field", &d.contact_field}, std::pair{"subject_field", &d.subject_field}})
    if (!name->empty() && !d.field(*name)) return r.fail(key, "'" + *name + "' is not one of the fields");
  auto attachments = doc.find("attachments");
  if (attachments != doc.end()) {
    auto a = read_attachments(r, *attachments);
    if (!a.ok()) return a.error();
    d.attachments = std::move(a).value();
  } else {
    d.attachments.accept = {"application/pdf", "image/jpeg", "image/png", "image/tiff"};
  }
  return d;
}

Result<std::vector<FormDefinition>> load_forms(const std::optional<fs::path>& override_dir,
                                               OverrideFolder folder) {
  std::vector<FormDefinition> forms;
  for (const ShippedFormFile& file : shipped_form_files()) {
    auto d = parse_form_definition(file.bytes, "shipped:" + std::string(file.name));
    if (!d.ok()) return d.error();
    forms.push_back(std::move(d).value());
  }
  if (!override_dir) return forms;
  std::error_code ec;
  if (!fs::is_directory(*override_dir, ec)) {
    if (folder == OverrideFolder::optional && !fs::exists(*override_dir, ec)) return forms;
    return make_error(ErrorCode::not_found, override_dir->string(), "is not a folder of form definitions");
  }
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(*override_dir, ec))
    if (item.path().extension() == ".json") files.push_back(item.path());
  if (ec) return make_error(ErrorCode::io, override_dir->string(), "cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  std::set<std::string> overridden;
  for (const fs::path& file : files) {
    auto text = read_file(file);
    if (!text.ok()) return text.error();
    auto d = parse_form_definition(*text, file.string());
    if (!d.ok()) return d.error();
    if (!overridden.insert(d->id).second)
      return make_error(ErrorCode::conflict, file.string(),
                        "another file of the folder also defines form '" + d->id + "'");
    auto same =
        std::find_if(forms.begin(), forms.end(), [&](const FormDefinition& f) { return f.id == d->id; });
    if (same != forms.end())
      *same = std::move(d).value();
    else
      forms.push_back(std::move(d).value());
  }
  return forms;
}

}  // namespace dosar::forms
