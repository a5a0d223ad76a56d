// A search ranked over two halves of the docids and merged gives the page,
// order, percentages, totals and facet counts of one pass (index/ranking.h).
#include "index/ranking.h"

#include <gtest/gtest.h>

#include "index/query_parsing.h"
#include "index/search_index.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

using testing::TempDir;

// 600 versions: varied Romanian sentences, and every fifth one the same
// text, so that equal weights straddle the two halves.
void build_index(const std::filesystem::path& dir) {
  auto index = open_xapian_index(dir, IndexAccess::rebuild);
  ASSERT_TRUE(index.ok()) << index.error().to_string();
  std::vector<IndexRecord> records;
  const char* departments[] = {"DGASPC", "Juridic", "Urbanism"};
  const char* types[] = {"cerere", "adresa", "decizie"};
  for (int i = 1; i <= 600; ++i) {
    IndexRecord r;
    r.document_id = i;
    r.version = 1;
    r.title = "document " + std::to_string(i);
    if (i % 5 == 0)
      r.body = "ancheta sociala pentru acordarea ajutorului social";
    else
      for (int s = 0; s < 6; ++s)
        r.body += testing::romanian_sentence(static_cast<std::uint64_t>(i * 10 + s)) + " ";
    r.department = departments[i % 3];
    r.document_type = types[i % 7 % 3];
    r.confidentiality = "public";
    r.date = std::to_string(2015 + i % 9) + "-03-15";
    records.push_back(std::move(r));
  }
  ASSERT_TRUE((*index)->put(records).ok());
}

struct Outcome {
  std::vector<std::pair<Xapian::docid, int>> page;  // docid, percent
  Xapian::doccount estimated = 0;
  ranking::Counts types, departments, years;
};

Outcome outcome(const ranking::Matches& m) {
  Outcome o;
  for (const auto& hit : m.page) o.page.emplace_back(*hit.it, hit.percent);
  o.estimated = m.estimated;
  o.types = m.types;
  o.departments = m.departments;
  o.years = m.years;
  return o;
}

TEST(Ranking, TwoHalvesMergedGiveThePageAndCountsOfOnePass) {
  TempDir dir;
  build_index(dir / "index");
  Xapian::Database low_db((dir / "index").string()), high_db((dir / "index").string());
  const Xapian::docid last = low_db.get_lastdocid(), middle = last / 2;
  const std::vector<Xapian::Query> queries = {
      Xapian::Query("social"),
      Xapian::Query(Xapian::Query::OP_OR, Xapian::Query("ancheta"), Xapian::Query("consiliul")),
      Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("ajutorului"), Xapian::Query("social")),
      Xapian::Query(Xapian::Query::OP_PHRASE, Xapian::Query("ancheta"), Xapian::Query("sociala")),
      Xapian::Query("niciunde"),
  };
  int pages_with_both_halves = 0;
  for (const Xapian::Query& query : queries) {
    for (std::size_t offset : {0, 7, 25}) {
      SCOPED_TRACE(query.get_description() + " from " + std::to_string(offset));
      ranking::Pass one(low_db, slots::type, slots::department, slots::year);
      one.run(query, static_cast<Xapian::doccount>(offset), 10, 1000);
      const Outcome expected = outcome(ranking::single(one));

      ranking::Pass low(low_db, slots::type, slots::department, slots::year);
      ranking::Pass high(high_db, slots::type, slots::department, slots::year);
      low.run(Xapian::Query(Xapian::Query::OP_FILTER, query, ranking::docid_range(1, middle)), 0,
              static_cast<Xapian::doccount>(offset + 10), 1000);
      high.run(Xapian::Query(Xapian::Query::OP_FILTER, query, ranking::docid_range(middle + 1, last)), 0,
               static_cast<Xapian::doccount>(offset + 10), 1000);
      const Outcome merged = outcome(ranking::merge({&low, &high}, query, offset, 10));

      EXPECT_EQ(merged.page, expected.page);
      EXPECT_EQ(merged.estimated, expected.estimated);
      EXPECT_EQ(merged.types, expected.types);
      EXPECT_EQ(merged.departments, expected.departments);
      EXPECT_EQ(merged.years, expected.years);
      bool low_half = false, high_half = false;
      for (const auto& [docid, percent] : merged.page) (docid <= middle ? low_half : high_half) = true;
      pages_with_both_halves += low_half && high_half;
    }
  }
  EXPECT_GE(pages_with_both_halves, 5) << "the pages must mix both halves for the merge to be tested";
}

TEST(Ranking, ADocidRangeKeepsExactlyTheDocumentsInsideIt) {
  TempDir dir;
  build_index(dir / "index");
  Xapian::Database db((dir / "index").string());
  for (auto [first, last] :
       {std::pair<Xapian::docid, Xapian::docid>{1, 1}, {10, 19}, {595, 600}, {590, 900}, {7, 3}}) {
    Xapian::Enquire enquire(db);
    enquire.set_query(
        Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query::MatchAll, ranking::docid_range(first, last)));
    Xapian::MSet mset = enquire.get_mset(0, 1000, 1000);
    std::vector<Xapian::docid> got(mset.begin(), mset.end());
    std::vector<Xapian::docid> want;
    for (Xapian::docid d = first; d <= std::min<Xapian::docid>(last, 600); ++d) want.push_back(d);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << first << ".." << last;
  }
}

// Through the index: a search split in two threads answers exactly what the
// same search in one thread does (hits, order, scores, snippets, totals,
// facets), also for a department user, pages further on and a relaxed query.
TEST(Ranking, ASplitSearchAnswersWhatOneThreadAnswers) {
  TempDir dir;
  build_index(dir / "index");
  auto answer = [&](std::size_t split_at_least, const SearchRequest& request) {
    IndexLimits limits;
    limits.split_search_at_least = split_at_least;
    auto index = open_xapian_index(dir / "index", IndexAccess::read, limits);
    EXPECT_TRUE(index.ok());
    auto result = (*index)->search(request);
    EXPECT_TRUE(result.ok()) << result.error().to_string();
    std::string out = std::to_string(result->total) + (result->exact ? " exact" : " approx") +
                      (result->relaxed ? " relaxed" : "");
    for (const SearchHit& h : result->hits)
      out += "\n" + std::to_string(h.document_id) + " " + std::to_string(h.score) + " " + h.snippet;
    for (const auto& [name, values] : result->facets)
      for (const FacetValue& v : values) out += "\n" + name + ":" + v.value + "=" + std::to_string(v.count);
    return out;
  };
  Visibility department;
  department.departments = {"Juridic"};
  for (const char* query : {"ancheta sociala", "\"ajutorului social\"", "consiliul OR scoala",
                            "data:2017..2019 sociala", "ancheta niciundeva"}) {
    for (std::size_t offset : {0, 12}) {
      for (const Visibility& visibility : {Visibility::everything(), department}) {
        SearchRequest request;
        request.query = query;
        request.offset = offset;
        request.visibility = visibility;
        SCOPED_TRACE(std::string(query) + " from " + std::to_string(offset));
        const std::string one_thread = answer(0, request);
        EXPECT_NE(one_thread.find('\n'), std::string::npos) << "finds something";
        EXPECT_EQ(answer(1, request), one_thread);
      }
    }
  }
}

}  // namespace
}  // namespace dosar
