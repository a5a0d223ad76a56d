// What a submitter sends, checked against a form's definition: field values
// and attachment names (kept only as metadata, never as paths). Pure
// functions of untrusted input, fuzzed by fuzz/form_input_fuzz.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "forms/form_definition.h"

namespace dosar::forms {

// Limits on what one submission may carry; each has a test at limit + 1.
struct SubmissionLimits {
  int max_files = 10;
  std::uint64_t max_file_bytes = 20ull << 20;   // per attachment
  std::uint64_t max_total_bytes = 50ull << 20;  // the whole request
  std::size_t max_part_bytes = 100000;          // any non-file part, before the field's own limit
  int max_parts = 64;
  std::size_t max_file_name_bytes = 255;
};

// A file name from a submitter, checked to be kept as metadata (it is never
// used as a path). Refused, with the reason: empty, more than `max_bytes`
// bytes, invalid UTF-8, control characters (NUL included), bidirectional
// overrides, path separators or "..", a leading dot, and the Windows
// reserved names (CON, NUL, COM1…). Errors: invalid_argument.
Result<std::string> attachment_name(std::string_view raw, std::size_t max_bytes = 255);

// The form's fields from the parts received, checked against the
// definition: required, length in characters, valid UTF-8 with no control
// characters (line breaks only in a textarea), type (e-mail, telephone, date,
// select option), and no part the form does not have. Errors:
// invalid_argument with the field's name as the subject.
Result<std::map<std::string, std::string>> validate_fields(const FormDefinition& form,
                                                           const std::map<std::string, std::string>& parts);

// The Romanian label of a status or check state ("to-verify" -> "de verificat").
std::string status_label(const std::string& status);

}  // namespace dosar::forms
