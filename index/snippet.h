// Excerpts of a document's text around the words that matched a query
// (internal to index/).
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace dosar {

// Returns an HTML-escaped excerpt of `text` of about `window_words` words,
// chosen to contain the most distinct matching words, with each matching
// word wrapped in <mark></mark> and "…" where the text was cut. A word
// matches when its normalized form or "Z" + its stem is in `matching_terms`
// (the unprefixed terms Xapian reports as matching the document).
std::string make_snippet(std::string_view text, const std::set<std::string>& matching_terms,
                         std::size_t window_words = 28);

std::string html_escape(std::string_view text);

}  // namespace dosar
