#include "index/query_parsing.h"

#include <cctype>
#include <cstdio>
#include <regex>

#include "base/cnp.h"
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

// Accepts ISO dates (2023-01-31), Romanian dates (31.01.2023) and bare years
// (2023, meaning the whole year) at either end of `data:A..B`.
class DateRange : public Xapian::RangeProcessor {
 public:
  DateRange() : Xapian::RangeProcessor(slots::date, "data:") {}

  Xapian::Query operator()(const std::string& begin, const std::string& end) override {
    std::string from = begin.empty() ? "" : normalize(begin, false);
    std::string to = end.empty() ? "" : normalize(end, true);
    if (!from.empty() && !to.empty() && from > to)
      throw Xapian::QueryParserError("the date range data:" + begin + ".." + end + " ends before it starts");
    if (from.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_LE, slots::date, to);
    if (to.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slots::date, from);
    return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slots::date, from, to);
  }

 private:
  static std::string normalize(const std::string& text, bool is_end) {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    char buffer[32];
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 ||
        std::sscanf(text.c_str(), "%2d.%2d.%4d%c", &d, &m, &y, &tail) == 3) {
      if (y < 1000 || m < 1 || m > 12 || d < 1 || d > 31)
        throw Xapian::QueryParserError("'" + text + "' is not a date (use 2023-01-31 or 31.01.2023)");
      std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", y, m, d);
      return buffer;
    }
    if (text.size() == 4 && std::sscanf(text.c_str(), "%4d%c", &y, &tail) == 1) {
      std::snprintf(buffer, sizeof buffer, is_end ? "%04d-12-31" : "%04d-01-01", y);
      return buffer;
    }
    throw Xapian::QueryParserError("'" + text + "' is not a date (use 2023-01-31, 31.01.2023 or 2023)");
  }
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

bool is_plain_words(const std::string& query) {
  static const std::regex special(R"re(["*:+()]|(^|\s)-|\b(AND|OR|NOT|XOR|NEAR|ADJ)\b)re");
  if (std::regex_search(query, special)) return false;
  static const std::regex word(R"re(\S+)re");
  return std::distance(std::sregex_iterator(query.begin(), query.end(), word), std::sregex_iterator()) >= 2;
}

Result<Xapian::Query> parse_query(const std::string& query, const Xapian::Database& db,
                                  std::string* corrected, WordMatch words) {
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
  DateRange dates;
  parser.add_rangeprocessor(&dates);
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
