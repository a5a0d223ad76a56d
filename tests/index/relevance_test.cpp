// Relevance test set: the documents of tests/data/search/documents.tsv (the
// ground truth of the shared scans, one document per page for s08 and s09,
// and short synthetic registry documents) go into one index, and each row of
// tests/data/search/queries.tsv is one test: its expected documents must all
// be among the first 5 hits — or, for category `absent`, must not be found at
// all. Queries are typed as a clerk would: without diacritics, in another
// inflected form, against OCR-damaged text, as phrases, fields, booleans,
// date ranges and prefixes. RelevanceSet.PrintsHitRatePerCategory sums up.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/text_folding.h"
#include "index/search_index.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;

const fs::path kSearchData = fs::path(DOSAR_TEST_DATA) / "search";
constexpr std::size_t kTopHits = 5;
const std::string kAbsent = "absent";

// A TSV table: '#' lines and blank lines are comments, the first other line
// names the columns, every row has exactly that many tab-separated fields.
struct Table {
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;
  std::vector<std::string> problems;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  return fields;
}

Table read_table(const fs::path& path, const std::vector<std::string>& header) {
  Table table;
  std::ifstream in(path);
  if (!in) {
    table.problems.push_back(path.string() + ": cannot be read");
    return table;
  }
  bool seen_header = false;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = split_tabs(line);
    std::string where = path.filename().string() + ":" + std::to_string(line_number);
    if (!seen_header) {
      seen_header = true;
      if (fields != header) table.problems.push_back(where + ": unexpected header '" + line + "'");
      continue;
    }
    if (fields.size() != header.size()) {
      table.problems.push_back(where + ": " + std::to_string(fields.size()) + " fields, expected " +
                               std::to_string(header.size()));
      continue;
    }
    table.rows.push_back(std::move(fields));
    table.line_numbers.push_back(line_number);
  }
  return table;
}

bool parse_id(const std::string& text, std::int64_t& id) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, id);
  return ec == std::errc() && ptr == end && id > 0;
}

// One row of queries.tsv.
struct RelevanceQuery {
  int line = 0;
  std::string query;
  std::vector<std::int64_t> expected;  // must be in the top 5; for `absent`, must not be found
  std::string category;
};
void PrintTo(const RelevanceQuery& q, std::ostream* os) {
  *os << "queries.tsv:" << q.line << " [" << q.category << "] " << q.query;
}

struct QuerySet {
  std::vector<RelevanceQuery> queries;
  std::vector<std::string> problems;
};

const QuerySet& query_set() {
  static const QuerySet set = [] {
    QuerySet out;
    Table table = read_table(kSearchData / "queries.tsv", {"query", "expected", "category"});
    out.problems = table.problems;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
      const auto& row = table.rows[i];
      RelevanceQuery q{table.line_numbers[i], row[0], {}, row[2]};
      std::stringstream ids(row[1]);
      for (std::string id_text; std::getline(ids, id_text, ',');) {
        std::int64_t id = 0;
        if (parse_id(id_text, id))
          q.expected.push_back(id);
        else
          out.problems.push_back("queries.tsv:" + std::to_string(q.line) + ": bad id '" + id_text + "'");
      }
      out.queries.push_back(std::move(q));
    }
    return out;
  }();
  return set;
}

// The indexed documents, built once for the whole suite.
class Corpus {
 public:
  static const Corpus& get() {
    static const Corpus corpus;
    return corpus;
  }
  // Empty when the index was built; otherwise why not.
  const std::vector<std::string>& problems() const { return problems_; }
  const std::map<std::int64_t, std::string>& titles() const { return titles_; }

  Result<SearchResult> search(const std::string& query, std::size_t limit) const {
    if (!index_) return make_error(ErrorCode::not_found, "relevance corpus", "index not built");
    SearchRequest request;
    request.query = query;
    request.limit = limit;
    request.visibility = Visibility::everything();
    return index_->search(request);
  }

 private:
  Corpus() {
    Table table = read_table(kSearchData / "documents.tsv",
                             {"file", "id", "title", "registry_number", "type", "department",
                              "confidentiality", "date", "sender", "original_file"});
    problems_ = table.problems;
    std::vector<IndexRecord> records;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
      const auto& row = table.rows[i];
      IndexRecord r;
      fs::path body = kSearchData / "docs" / row[0];
      if (!parse_id(row[1], r.document_id) || titles_.count(r.document_id) || !fs::exists(body)) {
        problems_.push_back("documents.tsv:" + std::to_string(table.line_numbers[i]) +
                            ": bad or duplicate id, or missing docs/" + row[0]);
        continue;
      }
      r.version = 1;
      r.current = true;
      r.title = row[2];
      r.body = testing::read_file(body);
      r.registry_number = row[3];
      r.document_type = row[4];
      r.department = row[5];
      r.confidentiality = row[6];
      r.date = row[7];
      r.sender = row[8];
      r.file_name = row[9];
      titles_[r.document_id] = r.title;
      records.push_back(std::move(r));
    }
    auto opened = open_xapian_index(dir_ / "index", IndexAccess::rebuild);
    if (!opened.ok()) {
      problems_.push_back(opened.error().to_string());
      return;
    }
    index_ = std::move(opened).value();
    Status status = index_->put(records);
    if (!status.ok()) problems_.push_back(status.error().to_string());
  }

  testing::TempDir dir_;  // declared first: outlives the index
  std::unique_ptr<SearchIndex> index_;
  std::vector<std::string> problems_;
  std::map<std::int64_t, std::string> titles_;
};

struct Outcome {
  bool passed = false;
  std::string explanation;  // what went wrong, with the hits actually returned
};

std::string describe_hits(const SearchResult& result, std::size_t shown) {
  std::ostringstream out;
  out << "  got " << result.total << " match(es)";
  out << (result.hits.empty() ? "" : ", top " + std::to_string(std::min(shown, result.hits.size())) + ":");
  out << "\n";
  for (std::size_t i = 0; i < result.hits.size() && i < shown; ++i) {
    const SearchHit& hit = result.hits[i];
    out << "    " << i + 1 << ". #" << hit.document_id << "  score " << hit.score << "  " << hit.title
        << "\n";
  }
  if (result.suggestion) out << "  suggestion: " << *result.suggestion << "\n";
  return out.str();
}

std::string title_of(std::int64_t id) {
  auto it = Corpus::get().titles().find(id);
  std::ostringstream out;
  out << "#" << id << " (" << (it == Corpus::get().titles().end() ? "unknown" : it->second) << ")";
  return out.str();
}

Outcome evaluate(const RelevanceQuery& q) {
  const bool absent = q.category == kAbsent;
  // `absent` asks about every match, not just the first page.
  auto result = Corpus::get().search(q.query, absent ? IndexLimits{}.max_limit : kTopHits);
  if (!result.ok()) return {false, "  search failed: " + result.error().to_string() + "\n"};
  std::map<std::int64_t, std::size_t> rank;
  for (std::size_t i = 0; i < result->hits.size(); ++i) rank.emplace(result->hits[i].document_id, i + 1);
  std::string wrong;
  for (std::int64_t id : q.expected) {
    auto found = rank.find(id);
    if (absent && found != rank.end())
      wrong +=
          "  " + title_of(id) + " should not be found, but is hit " + std::to_string(found->second) + "\n";
    if (!absent && found == rank.end()) wrong += "  " + title_of(id) + " is not in the top 5\n";
  }
  if (wrong.empty()) return {true, ""};
  return {false, wrong + describe_hits(*result, kTopHits)};
}

class RelevanceQueryTest : public ::testing::TestWithParam<RelevanceQuery> {};

TEST_P(RelevanceQueryTest, MeetsExpectation) {
  const Corpus& corpus = Corpus::get();
  ASSERT_TRUE(corpus.problems().empty()) << corpus.problems().front();
  const RelevanceQuery& q = GetParam();
  Outcome outcome = evaluate(q);
  EXPECT_TRUE(outcome.passed) << "queries.tsv:" << q.line << " [" << q.category << "] " << q.query << "\n"
                              << outcome.explanation;
}

// "q07_no_diacritics_sedinta_extraordinara_consiliul": row number, category, words.
std::string test_name(const ::testing::TestParamInfo<RelevanceQuery>& info) {
  std::string raw = fold_diacritics(info.param.category + " " + info.param.query);
  std::string words;
  for (char c : raw) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum)
      words += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    else if (!words.empty() && words.back() != '_')
      words += '_';
    if (words.size() >= 48) break;
  }
  while (!words.empty() && words.back() == '_') words.pop_back();
  char number[8];
  std::snprintf(number, sizeof number, "q%02zu_", info.index + 1);
  return number + words;
}

INSTANTIATE_TEST_SUITE_P(Relevance, RelevanceQueryTest, ::testing::ValuesIn(query_set().queries), test_name);

TEST(RelevanceSet, TablesAreWellFormed) {
  const QuerySet& set = query_set();
  for (const std::string& problem : set.problems) ADD_FAILURE() << problem;
  for (const std::string& problem : Corpus::get().problems()) ADD_FAILURE() << problem;
  EXPECT_GE(set.queries.size(), 45u);
  const std::vector<std::string> categories = {"no-diacritics", "inflected", "ocr-damaged", "phrase", "field",
                                               "boolean",       "date",      "prefix",      kAbsent};
  std::map<std::string, int> seen;
  for (const RelevanceQuery& q : set.queries) {
    ++seen[q.category];
    EXPECT_NE(std::find(categories.begin(), categories.end(), q.category), categories.end())
        << "queries.tsv:" << q.line << ": unknown category " << q.category;
    EXPECT_FALSE(q.expected.empty()) << "queries.tsv:" << q.line << ": no expected documents";
    if (q.category != kAbsent) {
      EXPECT_LE(q.expected.size(), kTopHits) << "queries.tsv:" << q.line << ": more than fit in the top 5";
    }
    for (std::int64_t id : q.expected)
      EXPECT_EQ(Corpus::get().titles().count(id), 1u) << "queries.tsv:" << q.line << ": no document #" << id;
  }
  for (const std::string& category : categories) EXPECT_GT(seen[category], 0) << "no query of " << category;
}

// A report, not an assertion: the rows above carry the verdicts.
TEST(RelevanceSet, PrintsHitRatePerCategory) {
  ASSERT_TRUE(Corpus::get().problems().empty()) << Corpus::get().problems().front();
  std::map<std::string, std::pair<int, int>> by_category;  // passed, total
  int passed = 0, total = 0;
  std::ostringstream failures;
  for (const RelevanceQuery& q : query_set().queries) {
    bool ok = evaluate(q).passed;
    auto& [category_passed, category_total] = by_category[q.category];
    category_passed += ok;
    ++category_total;
    passed += ok;
    ++total;
    if (!ok) failures << "  queries.tsv:" << q.line << " [" << q.category << "] " << q.query << "\n";
  }
  std::ostringstream report;
  report << "Relevance: " << passed << "/" << total << " queries meet their expectation\n";
  for (const auto& [category, counts] : by_category) {
    char line[96];
    std::snprintf(line, sizeof line, "  %-14s %3d/%-3d %5.1f%%\n", category.c_str(), counts.first,
                  counts.second, 100.0 * counts.first / counts.second);
    report << line;
  }
  if (passed < total) report << "Failing rows:\n" << failures.str();
  std::cout << report.str();
  RecordProperty("hit_rate", std::to_string(passed) + "/" + std::to_string(total));
}

}  // namespace
}  // namespace dosar
