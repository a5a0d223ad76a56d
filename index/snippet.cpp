#include "index/snippet.h"

#include <xapian.h>

#include <algorithm>
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
  std::vector<Word> words;
  std::vector<std::string> distinct;
  const char* base = text.data();
  Xapian::Utf8Iterator it(text.data(), text.size()), end;
  while (it != end) {
    if (!Xapian::Unicode::is_wordchar(*it)) {
      ++it;
      continue;
    }
    std::size_t begin = static_cast<std::size_t>(it.raw() - base);
    while (it != end && Xapian::Unicode::is_wordchar(*it)) ++it;
    std::size_t stop = it == end ? text.size() : static_cast<std::size_t>(it.raw() - base);
    Word w{begin, stop, -1};
    std::string norm = romanian::normalize(text.substr(begin, stop - begin));
    std::string key;
    if (matching_terms.count(norm))
      key = norm;
    else if (std::string z = std::string("Z").append(stem(norm)); matching_terms.count(z))
      key = z;
    if (!key.empty()) {
      auto found = std::find(distinct.begin(), distinct.end(), key);
      w.term = static_cast<int>(found - distinct.begin());
      if (found == distinct.end()) distinct.push_back(key);
    }
    words.push_back(w);
  }
  if (words.empty()) return "";

  // Best window: most distinct matched terms, then most matches, earliest.
  std::size_t best_start = 0;
  long best_score = -1;
  for (std::size_t start = 0; start < words.size(); ++start) {
    if (start > 0 && words[start].term < 0) continue;  // windows start at a match (or at the top)
    std::set<int> seen;
    long matches = 0;
    for (std::size_t k = start; k < std::min(words.size(), start + window_words); ++k)
      if (words[k].term >= 0) {
        seen.insert(words[k].term);
        ++matches;
      }
    long score = static_cast<long>(seen.size()) * 1000 + matches;
    if (score > best_score) {
      best_score = score;
      best_start = start;
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
