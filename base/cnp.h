// The Romanian personal numeric code (cod numeric personal, CNP): checking
// one, masking it where it must not be read, and finding valid ones in
// extracted or OCR text (untrusted input; fuzz/cnp_scan_fuzz.cpp). Shared
// vocabulary: persons/ keeps CNPs, index/ makes them an exact-match search
// term and keeps them out of the word terms.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar {

// What a valid CNP says: S AA LL ZZ JJ NNN C.
struct CnpInfo {
  int sex_digit = 0;   // 1-8, or 9 (foreigners)
  int birth_year = 0;  // 0 when the century is not encoded (7, 8, 9)
  int birth_month = 0;
  int birth_day = 0;
  int county = 0;  // 01-48, 51, 52, or 70 (new codes, any county)
};

// Checks `text` as a CNP: 13 ASCII digits, sex/century digit 1-9, a real
// calendar date (for 7/8/9, whose century is not encoded, a date valid in
// the 1900s or the 2000s), a county code that exists, and the control digit
// (key 279146358279, remainder 10 counts as 1). Errors: invalid_argument
// with subject "CNP" and the first reason found.
Result<CnpInfo> validate_cnp(std::string_view text);

// "1********3456": the sex digit and the last four; anything that is not 13
// characters long is masked whole. Used in lists, logs and audit rows.
std::string mask_cnp(std::string_view cnp);

// Limits on a text scanned for CNPs (untrusted: OCR output).
struct CnpScanLimits {
  std::size_t max_bytes = 16u << 20;  // text beyond this is not scanned
  std::size_t max_found = 1000;       // distinct CNPs reported at most
};

// The distinct valid CNPs written in `text` as a run of exactly 13 digits
// (not part of a longer number), in order of first appearance. Linear in
// the text; never fails.
std::vector<std::string> find_cnps(std::string_view text, const CnpScanLimits& limits = {});

// `text` with every valid CNP written as a whole 13-digit number replaced by
// what `replace` makes of it; other numbers are left as they are. Linear in
// the text.
std::string replace_cnps(std::string_view text,
                         const std::function<std::string(std::string_view cnp)>& replace);

// `text` with every valid CNP masked (mask_cnp): for search snippets, which
// are read by people not assigned to the person.
std::string mask_cnps(std::string_view text);

}  // namespace dosar
