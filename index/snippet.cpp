#include "index/snippet.h"

#include <xapian.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "index/romanian_text.h"

namespace dosar {
namespace {

struct Word {
  std::size_t begin, end;  // byte offsets into the text
  int term = -1;           // index of the distinct matched term, -1 when not matched
};

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string make_snippet(std::string_view text, const std::set<std::string>& matching_terms,
                         std::size_t window_words) {
  // Snowball stemmers keep state while stemming: one per thread.
  thread_local const Xapian::Stem stem = romanian::stemmer();
  // A stem keeps the first letters of its word (the stemmer and Dosar's
  // rewrites change endings only): a word that starts with none of the
  // matching stems' first two letters is not stemmed, which is most words
  // of a long text (a third of the time of a search whose hits are long
  // documents, before).
  std::vector<std::string> stem_starts;
  for (const std::string& term : matching_terms)
    if (term.size() > 1 && term[0] == 'Z') stem_starts.push_back(term.substr(1, 2));
  auto may_stem_to_a_match = [&](const std::string& norm) {
    return std::any_of(stem_starts.begin(), stem_starts.end(),
                       [&](const std::string& start) { return norm.compare(0, start.size(), start) == 0; });
  };
  std::vector<Word> words;
  words.reserve(text.size() / 6);  // about one word in six bytes of Romanian text
  std::vector<std::string> distinct;
  // Words as Xapian's TermGenerator sees them (Unicode word characters),
  // read byte by byte where the text is ASCII, which most of it is.
  auto word_char_at = [&](std::size_t i, std::size_t* length) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      *length = 1;
      return std::isalnum(c) || c == '_';
    }
    Xapian::Utf8Iterator it(text.data() + i, text.size() - i);
    const bool word = Xapian::Unicode::is_wordchar(*it);
    ++it;
    *length =
        it == Xapian::Utf8Iterator() ? text.size() - i : static_cast<std::size_t>(it.raw() - text.data()) - i;
    return word;
  };
  for (std::size_t i = 0, length = 0; i < text.size();) {
    if (!word_char_at(i, &length)) {
      i += length;
      continue;
    }
    const std::size_t begin = i;
    while (i < text.size() && word_char_at(i, &length)) i += length;
    Word w{begin, i, -1};
    const std::string norm = romanian::normalize(text.substr(begin, i - begin));
    std::string key;
    if (matching_terms.count(norm))
      key = norm;
    else if (may_stem_to_a_match(norm))
      if (std::string z = std::string("Z").append(stem(norm)); matching_terms.count(z)) key = z;
    if (!key.empty()) {
      auto found = std::find(distinct.begin(), distinct.end(), key);
      w.term = static_cast<int>(found - distinct.begin());
      if (found == distinct.end()) distinct.push_back(key);
    }
    words.push_back(w);
  }
  if (words.empty()) return "";

  // Best window: most distinct matched terms, then most matches, earliest.
  // Windows start at a match (or at the top); one pass, the window's counts
  // kept as it slides.
  std::size_t best_start = 0;
  long best_score = -1;
  std::vector<int> in_window(distinct.size(), 0);
  long distinct_in = 0, matches_in = 0;
  std::size_t window_end = 0;
  for (std::size_t start = 0; start < words.size(); ++start) {
    for (; window_end < std::min(words.size(), start + window_words); ++window_end)
      if (int term = words[window_end].term; term >= 0) {
        distinct_in += in_window[static_cast<std::size_t>(term)]++ == 0;
        ++matches_in;
      }
    if (start == 0 || words[start].term >= 0) {
      long score = distinct_in * 1000 + matches_in;
      if (score > best_score) {
        best_score = score;
        best_start = start;
      }
    }
    if (int term = words[start].term; term >= 0) {
      distinct_in -= --in_window[static_cast<std::size_t>(term)] == 0;
      --matches_in;
    }
  }
  // Show a little context before the first match.
  std::size_t lead = std::min<std::size_t>(best_start, 3);
  std::size_t first = best_start - lead;
  std::size_t last = std::min(words.size(), first + window_words) - 1;

  std::string out;
  if (first > 0) out += "… ";
  std::size_t cursor = words[first].begin;
  auto append_plain = [&](std::size_t from, std::size_t to) {
    std::string piece;
    bool space = false;
    for (std::size_t i = from; i < to; ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c <= ' ') {
        space = true;
        continue;
      }
      if (space && !piece.empty())
        piece += ' ';
      else if (space && piece.empty() && !out.empty() && out.back() != ' ')
        piece += ' ';
      space = false;
      piece += static_cast<char>(c);
    }
    if (space) piece += ' ';
    out += html_escape(piece);
  };
  for (std::size_t k = first; k <= last; ++k) {
    append_plain(cursor, words[k].begin);
    std::string_view word = text.substr(words[k].begin, words[k].end - words[k].begin);
    if (words[k].term >= 0)
      out += "<mark>" + html_escape(word) + "</mark>";
    else
      out += html_escape(word);
    cursor = words[k].end;
  }
  if (last + 1 < words.size()) {
    // Keep trailing punctuation of the last word, e.g. "copiilor."
    std::size_t to = cursor;
    while (to < text.size() && static_cast<unsigned char>(text[to]) > ' ' && to < words[last + 1].begin) ++to;
    append_plain(cursor, to);
    out += " …";
  } else {
    append_plain(cursor, text.size());
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace dosar
