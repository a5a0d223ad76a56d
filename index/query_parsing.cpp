#include "index/query_parsing.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <regex>
#include <vector>

#include "base/cnp.h"
#include "base/text_folding.h"
#include "index/romanian_text.h"
#include "index/search_index.h"

namespace dosar {
namespace {

struct Field {
  const char* name;
  const char* prefix;
};
// Free-text fields users may name in a query.
constexpr Field kFields[] = {
    {"titlu", "S"}, {"nr", "XNR"}, {"tip", "XTIP"}, {"dep", "XDEP"}, {"expeditor", "XEXP"}, {"fisier", "XFN"},
};

struct Day {
  int y = 0, m = 0, d = 0;
  auto operator<=>(const Day&) const = default;
};

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::string year_term(int y) {
  return std::string("XY").append(std::to_string(y));  // not "XY" + …: GCC 12 bug 105329
}
std::string month_term(int y, int m) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "XM%04d-%02d", y, m);
  return buffer;
}
// "2026-11-23", as the date slot holds it.
std::string iso_date(const Day& day) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", day.y, day.m, day.d);
  return buffer;
}
std::string day_term(const Day& day) {
  return std::string("XZ").append(iso_date(day));
}

// A term no version has, for a range that covers no date: MatchNothing
// would empty the whole query, which parse_query reports as having no words.
// (Made for each use: Xapian's reference counts are not atomic.)
Xapian::Query no_date() {
  return Xapian::Query("XY");
}

// The OR of the fewest year, month and day terms covering [from, to], within
// the years the index holds (so that data:1000..9999 costs a term per year
// present, not nine thousand).
Xapian::Query date_terms_query(Day from, Day to, const Xapian::Database& db) {
  int first = 0, last = 0;
  for (auto t = db.allterms_begin("XY"); t != db.allterms_end("XY"); ++t) {
    int y = std::atoi((*t).c_str() + 2);
    if (y <= 0) continue;
    if (first == 0 || y < first) first = y;
    last = std::max(last, y);
  }
  if (first == 0) return no_date();
  from = std::max(from, Day{first, 1, 1});
  to = std::min(to, Day{last, 12, 31});
  std::vector<Xapian::Query> terms;
  for (Day at = from; at <= to;) {
    if (at.d > days_in_month(at.y, at.m)) {  // past a month's end (a bound such as 2023-02-30)
      at = at.m == 12 ? Day{at.y + 1, 1, 1} : Day{at.y, at.m + 1, 1};
    } else if (at.m == 1 && at.d == 1 && Day{at.y, 12, 31} <= to) {
      terms.emplace_back(year_term(at.y));
      at = Day{at.y + 1, 1, 1};
    } else if (at.d == 1 && Day{at.y, at.m, days_in_month(at.y, at.m)} <= to) {
      terms.emplace_back(month_term(at.y, at.m));
      at = Day{at.y, at.m, 32};
    } else {
      terms.emplace_back(day_term(at));
      ++at.d;
    }
  }
  if (terms.empty()) return no_date();
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

// Accepts ISO dates (2023-01-31), Romanian dates (31.01.2023) and bare years
// (2023, meaning the whole year) at either end of `data:A..B`.
class DateRange : public Xapian::RangeProcessor {
 public:
  DateRange(const Xapian::Database& db, DateMatch match)
      : Xapian::RangeProcessor(slots::date, "data:"), db_(db), match_(match) {}

  Xapian::Query operator()(const std::string& begin, const std::string& end) override {
    std::optional<Day> from, to;
    if (!begin.empty()) from = parse(begin, false);
    if (!end.empty()) to = parse(end, true);
    if (from && to && *from > *to)
      throw Xapian::QueryParserError("the date range data:" + begin + ".." + end + " ends before it starts");
    if (match_ == DateMatch::terms)
      return date_terms_query(from.value_or(Day{1, 1, 1}), to.value_or(Day{9999, 12, 31}), db_);
    if (!from) return Xapian::Query(Xapian::Query::OP_VALUE_LE, slots::date, iso_date(*to));
    if (!to) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slots::date, iso_date(*from));
    return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slots::date, iso_date(*from), iso_date(*to));
  }

 private:
  static Day parse(const std::string& text, bool is_end) {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 ||
        std::sscanf(text.c_str(), "%2d.%2d.%4d%c", &d, &m, &y, &tail) == 3) {
      if (y < 1000 || m < 1 || m > 12 || d < 1 || d > 31)
        throw Xapian::QueryParserError("'" + text + "' is not a date (use 2023-01-31 or 31.01.2023)");
      return Day{y, m, d};
    }
    if (text.size() == 4 && std::sscanf(text.c_str(), "%4d%c", &y, &tail) == 1 && y >= 1000)
      return is_end ? Day{y, 12, 31} : Day{y, 1, 1};
    throw Xapian::QueryParserError("'" + text + "' is not a date (use 2023-01-31, 31.01.2023 or 2023)");
  }

  const Xapian::Database& db_;
  DateMatch match_;
};

// Names a field that does not exist ("autor:x"): an error, not a silent word search.
Status check_fields(const std::string& folded) {
  static const std::regex field(R"((^|[\s(+\-])([A-Za-z]+):)");
  bool in_quotes = false;
  std::string outside;
  for (char c : folded) {
    if (c == '"') in_quotes = !in_quotes;
    outside += in_quotes ? ' ' : c;
  }
  for (std::sregex_iterator it(outside.begin(), outside.end(), field), end; it != end; ++it) {
    std::string name = (*it)[2].str();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool known = name == "data" || name == "cnp";
    for (const Field& f : kFields) known = known || name == f.name;
    if (!known)
      return make_error(
          ErrorCode::invalid_argument, "query",
          "unknown field '" + name + ":' (fields: titlu, nr, tip, dep, expeditor, fisier, data, cnp)");
  }
  return {};
}

// Lowercases everything but the operators AND OR NOT XOR NEAR ADJ: the
// parser leaves capitalised words unstemmed (as proper names), and a clerk
// who writes "Hotărârea consiliului" means any form of the word.
std::string lowercase_words(const std::string& query) {
  static const std::regex word(R"re([^\s()"]+)re");
  std::string out;
  std::size_t last = 0;
  for (std::sregex_iterator it(query.begin(), query.end(), word), end; it != end; ++it) {
    out.append(query, last, static_cast<std::size_t>(it->position()) - last);
    std::string token = it->str();
    bool is_operator = token == "AND" || token == "OR" || token == "NOT" || token == "XOR" ||
                       token == "NEAR" || token == "ADJ" || token.rfind("NEAR/", 0) == 0 ||
                       token.rfind("ADJ/", 0) == 0;
    out += is_operator ? token : Xapian::Unicode::tolower(token);
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  out.append(query, last, std::string::npos);
  return out;
}

// Optimal string alignment distance (a swap of neighbours is one edit), or
// `limit` + 1 once it is certain to exceed `limit`.
std::size_t edit_distance(const std::string& a, const std::string& b, std::size_t limit) {
  std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return limit + 1;
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    std::size_t row_min = current[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > limit) return limit + 1;
    before.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

// The index word nearest to `word`, or "" when none is within 2 edits.
std::string nearest_word(const std::string& word, const Xapian::Database& db) {
  const std::string prefix = word.substr(0, 2);
  std::string best;
  std::size_t best_distance = 3;
  Xapian::doccount best_frequency = 0;
  std::size_t examined = 0;
  for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
    if (++examined > kMaxSpellingCandidates) break;
    const std::string& term = *t;
    std::size_t distance = edit_distance(word, term, 2);
    if (distance > 2) continue;
    Xapian::doccount frequency = t.get_termfreq();
    if (distance < best_distance || (distance == best_distance && frequency > best_frequency)) {
      best = term;
      best_distance = distance;
      best_frequency = frequency;
    }
  }
  return best;
}

// Checks every `cnp:VALUE` (outside quotes) and writes each bare word that
// is a valid CNP as `cnp:WORD`, so that a CNP is only ever the exact boolean
// term: never a stem, a prefix, a wildcard or a spelling suggestion.
Result<std::string> cnp_terms(const std::string& folded) {
  static const std::regex token(R"re(([^\s()"]+)|"[^"]*"?)re");
  std::string out;
  std::size_t last = 0;
  for (std::sregex_iterator it(folded.begin(), folded.end(), token), end; it != end; ++it) {
    out.append(folded, last, static_cast<std::size_t>(it->position()) - last);
    last = static_cast<std::size_t>(it->position() + it->length());
    std::string word = it->str();
    if (!(*it)[1].matched) {  // a phrase: left as written
      out += word;
      continue;
    }
    std::size_t sign = word.find_first_not_of("+-");
    std::string body = word.substr(sign == std::string::npos ? word.size() : sign);
    if (body.rfind("cnp:", 0) == 0) {
      auto valid = validate_cnp(body.substr(4));
      if (!valid.ok())
        return make_error(ErrorCode::invalid_argument, "query",
                          "'" + body + "' is not a CNP: " + valid.error().message +
                              " (a CNP is searched exactly, all 13 digits)");
    } else if (body.size() == 13 && validate_cnp(body).ok()) {
      word = word.substr(0, word.size() - body.size()) + "cnp:" + body;
    }
    out += word;
  }
  out.append(folded, last, std::string::npos);
  return out;
}

}  // namespace

namespace {

// Calls `visit(token, at, after)` for each word of the folded query that a
// spelling suggestion may replace: letters only, three or more, not a field
// name (before ':'), a field value (after ':') or a wildcard (before '*');
// operators are uppercase, so never seen.
template <typename Visit>
void for_each_correctable_word(const std::string& folded, Visit visit) {
  static const std::regex word(R"re([a-z0-9]+)re");
  for (std::sregex_iterator it(folded.begin(), folded.end(), word), end; it != end; ++it) {
    std::size_t at = static_cast<std::size_t>(it->position());
    std::size_t after = at + static_cast<std::size_t>(it->length());
    std::string token = it->str();
    bool correctable = token.size() >= 3 && token.find_first_of("0123456789") == std::string::npos &&
                       (at == 0 || folded[at - 1] != ':') &&
                       (after == folded.size() || (folded[after] != ':' && folded[after] != '*'));
    if (correctable) visit(token, at, after);
  }
}

}  // namespace

std::vector<std::string> date_terms(std::string_view date) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  const std::string text(date.substr(0, 10));
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1000 || m < 1 || m > 12 ||
      d < 1 || d > days_in_month(y, m))
    return {};
  return {year_term(y), month_term(y, m), day_term(Day{y, m, d})};
}

std::string correct_spelling_from_terms(const std::string& query, const Xapian::Database& db) {
  std::string folded = lowercase_words(fold_diacritics(query));
  std::string out;
  std::size_t last = 0;
  for_each_correctable_word(folded, [&](const std::string& token, std::size_t at, std::size_t after) {
    if (db.get_termfreq(token) != 0) return;
    std::string nearest = nearest_word(token, db);
    if (nearest.empty()) return;
    out.append(folded, last, at - last);
    out += nearest;
    last = after;
  });
  if (last == 0) return std::string();
  out.append(folded, last, std::string::npos);
  return out;
}

bool has_unknown_word(const std::string& query, const Xapian::Database& db) {
  bool unknown = false;
  for_each_correctable_word(lowercase_words(fold_diacritics(query)),
                            [&](const std::string& token, std::size_t, std::size_t) {
                              if (!unknown && db.get_termfreq(token) == 0) unknown = true;
                            });
  return unknown;
}

bool is_plain_words(const std::string& query) {
  static const std::regex special(R"re(["*:+()]|(^|\s)-|\b(AND|OR|NOT|XOR|NEAR|ADJ)\b)re");
  if (std::regex_search(query, special)) return false;
  static const std::regex word(R"re(\S+)re");
  return std::distance(std::sregex_iterator(query.begin(), query.end(), word), std::sregex_iterator()) >= 2;
}

Result<Xapian::Query> parse_query(const std::string& query, const Xapian::Database& db,
                                  std::string* corrected, WordMatch words, DateMatch dates) {
  auto folded = cnp_terms(lowercase_words(fold_diacritics(query)));
  if (!folded.ok()) return folded.error();
  DOSAR_TRY(check_fields(*folded));
  Xapian::QueryParser parser;
  parser.set_database(db);
  parser.set_stemmer(romanian::stemmer());
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_stopper(&romanian::stopper());
  parser.set_default_op(words == WordMatch::all ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
  for (const Field& f : kFields) parser.add_prefix(f.name, f.prefix);
  parser.add_boolean_prefix("cnp", cnp_term(""));
  DateRange ranges(db, dates);
  parser.add_rangeprocessor(&ranges);
  unsigned flags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                   Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                   Xapian::QueryParser::FLAG_PURE_NOT | Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
  // Only uppercase AND OR NOT are operators: lowercase they are ordinary words.
  try {
    parser.set_max_expansion(200, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    Xapian::Query parsed = parser.parse_query(*folded, flags);
    if (corrected) *corrected = parser.get_corrected_query_string();
    if (parsed.empty())
      return make_error(ErrorCode::invalid_argument, "query",
                        "has no words to search for (only punctuation or very common words)");
    return parsed;
  } catch (const Xapian::QueryParserError& e) {
    return make_error(ErrorCode::invalid_argument, "query", "malformed: " + e.get_msg());
  } catch (const Xapian::Error& e) {
    return make_error(ErrorCode::io, "query", e.get_description());
  }
}

}  // namespace dosar
