// Online forms as data: each form is a versioned JSON definition (fields,
// register, document kind, personal-data notice) from which both the HTML
// form and the server-side validation are made. The four forms Dosar ships
// live in forms/definitions/ and are compiled in; an administrator overrides
// or adds forms with files in a folder, without rebuilding. The format is
// described in docs/formats/form-definition.md. forms/'s public header for
// definitions.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar::forms {

enum class FieldType { text, textarea, email, tel, date, select, checkbox };
const char* field_type_name(FieldType type);

struct FieldOption {
  std::string value;
  std::string label;
};

struct FormField {
  std::string name;  // [a-z][a-z0-9_]*, also the multipart part's name
  FieldType type = FieldType::text;
  std::string label;
  bool required = false;
  std::string help;
  std::vector<FieldOption> options;  // select only
  std::size_t max_length = 0;        // in characters; 0 in a file means the type's default
};

struct AttachmentRules {
  std::string label;
  std::string help;
  int max_files = 10;
  bool required = false;
  std::vector<std::string> accept;  // mime types detected from content
  std::string confidentiality = "internal";
};

struct FormDefinition {
  std::string id;  // "petitie"; [a-z0-9-]+
  int version = 1;
  std::string title;
  std::string description;
  std::string register_name;   // where submissions are registered
  std::string kind;            // document kind: sets the legal deadline
  std::string notice_version;  // version of the personal-data notice shown
  std::string notice;          // the notice's text
  std::string sender_field;    // field holding the sender's name (required)
  std::string contact_field;   // field holding an e-mail or address (may be empty)
  std::string subject_field;   // field holding the subject (empty: the title)
  std::vector<FormField> fields;
  AttachmentRules attachments;
  std::string source;  // the file it came from ("shipped:petitie.json" when compiled in)

  const FormField* field(std::string_view name) const;
};

// Names that are never form fields: the parts the submission itself uses.
inline constexpr const char* kReservedPartNames[] = {
    "form", "files", "consent", "website", "pow_challenge", "pow_nonce", "code", "idempotency_key"};

// Parses and checks one definition. Errors: invalid_argument with `source`
// as the subject and a message naming the field ("fields[2].type: ...").
Result<FormDefinition> parse_form_definition(std::string_view json, const std::string& source);

// The forms in force: the shipped ones, each replaced (by id) or joined by
// the *.json files of `override_dir` when given. A missing override folder
// is an error only when `required`. Errors: those of parse_form_definition,
// conflict (two files with one id), io.
enum class OverrideFolder { optional, required };
Result<std::vector<FormDefinition>> load_forms(const std::optional<std::filesystem::path>& override_dir,
                                               OverrideFolder folder = OverrideFolder::optional);

}  // namespace dosar::forms
