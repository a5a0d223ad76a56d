// The query language of `dosar search` and the API (internal to index/):
// words, "phrases", AND OR NOT, -word, +word, prefix*, fields and date ranges,
// parsed by Xapian's QueryParser over folded text. Documented in README.md.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar {

// Value slots and term prefixes (docs/formats/search-index.md).
namespace slots {
inline constexpr Xapian::valueno document_id = 0;  // sortable-serialised document id
inline constexpr Xapian::valueno type = 1;         // document type, original spelling
inline constexpr Xapian::valueno department = 2;   // department, original spelling
inline constexpr Xapian::valueno year = 3;         // "2026"
inline constexpr Xapian::valueno date = 4;         // "2026-11-23"
}  // namespace slots

// The boolean term of a CNP written in a document (query field `cnp:`).
inline std::string cnp_term(std::string_view cnp) {
  return std::string("XPN").append(cnp);
}

// The boolean terms of a version dated `date` ("2026-11-23"): its year
// (XY2026), month (XM2026-11) and day (XZ2026-11-23); none for a date of
// another form. `data:` ranges are matched by them (DateMatch::terms).
std::vector<std::string> date_terms(std::string_view date);

// How `data:A..B` is matched: by the date value of every candidate (an index
// written before date terms), or by the OR of the fewest year, month and day
// terms that cover the range (a filter as cheap as a word's).
enum class DateMatch { values, terms };

// Parses `query` (already within the length limit) against `db`. A CNP is
// matched exactly or not at all: `cnp:` and a bare 13-digit word that is a
// valid CNP become its boolean term; a malformed `cnp:` value is an error.
// Errors: invalid_argument with a sentence for the user.
// `words` decides how plain words combine: all of them, or any of them
// (ranked by how many and how rare).
enum class WordMatch { all, any };
Result<Xapian::Query> parse_query(const std::string& query, const Xapian::Database& db,
                                  std::string* corrected, WordMatch words = WordMatch::all,
                                  DateMatch dates = DateMatch::values);

// The query as parse_query sees it (folded, lowercased) with each plain
// word the index does not hold replaced by the nearest word it does (edit
// distance at most 2, the same first two letters, the more frequent on a
// tie); empty when no word changes. For databases whose spelling data cannot
// be read, as remote ones in Xapian 1.4. Costs one walk of the index's words
// sharing the first two letters (at most kMaxSpellingCandidates) per
// unknown word.
inline constexpr std::size_t kMaxSpellingCandidates = 50000;
std::string correct_spelling_from_terms(const std::string& query, const Xapian::Database& db);

// True when a word of the query that a suggestion could replace is in no
// document: only then is a spelling suggestion offered (Xapian's own
// corrector also "corrects" known words towards more frequent ones).
bool has_unknown_word(const std::string& query, const Xapian::Database& db);

// True for a query of plain words only (no phrases, fields, operators,
// wildcards or exclusions), the kind that may be relaxed to WordMatch::any.
bool is_plain_words(const std::string& query);

}  // namespace dosar
