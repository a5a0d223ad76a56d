// Folding of text for matching that ignores diacritics (and case): one
// folding for every place that compares what a person typed with what is
// stored — the search index's terms, the registry book's filter over stored
// folded columns, person names. Shared vocabulary, so that storage/ (which
// stores folded copies) and index/ fold alike without knowing each other.
#pragma once

#include <string>
#include <string_view>

namespace dosar {

// Diacritics folded (ă â → a, î → i, ș ş → s, ț ţ → t, and the other Latin
// letters with marks of U+00C0..U+017F: é → e, ö ő → o, ü → u, ł → l, ß → s),
// for matching; case is kept. Bytes that are not valid UTF-8 are kept.
std::string fold_diacritics(std::string_view text);

// fold_diacritics, then lower case: the form stored beside a column that a
// text filter matches (e.g. registry_entries.subject_folded) and the form of
// the text looked for in it. Letters outside Latin keep their case. Folding
// folded text changes nothing.
std::string fold_for_matching(std::string_view text);

}  // namespace dosar
