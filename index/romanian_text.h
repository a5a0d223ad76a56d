// Romanian text handling shared by indexing, querying and snippets
// (internal to index/). Everything is folded (diacritics removed) before
// Xapian sees it, so that "anchetă", "ancheta" and "ANCHETĂ" are one word and
// ş/ș ţ/ț never differ; the Snowball Romanian stemmer then works on folded words.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>

namespace dosar::romanian {

// Lowercased and folded: the form of every term in the index.
std::string normalize(std::string_view text);

// The stemmer and stop words used for both indexing and query parsing.
Xapian::Stem stemmer();
const Xapian::Stopper& stopper();

}  // namespace dosar::romanian
