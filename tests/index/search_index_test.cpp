// Contract suite for SearchIndex: every backend is one more instantiation.
#include "index/search_index.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "index/facet_table.h"
#include "index/romanian_text.h"
#include "tests/support/temp_dir.h"
#include "tests/support/xapian_server.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

using testing::XapianServer;

// A backend: a local database, or `shards` databases each served by its own
// xapian-tcpsrv, started for the test and killed at its end. A local one
// counts facets from the values of each match (as small indexes do) or,
// with `facet_table`, from memory (as large ones do, index/facet_table.h):
// each search then waits for the table that describes the index.
struct IndexBackend {
  std::string name;
  std::size_t shards = 0;
  bool facet_table = false;
};
void PrintTo(const IndexBackend& backend, std::ostream* os) {
  *os << backend.name;
}

IndexBackend xapian_backend() {
  return {"xapian", 0};
}
IndexBackend remote_shards_backend() {
  return {"xapian_tcp_2_shards", 2};
}
IndexBackend facet_table_backend() {
  return {"xapian_facets_from_memory", 0, true};
}

std::vector<std::unique_ptr<XapianServer>> start_servers(const fs::path& dir, std::size_t count) {
  std::vector<std::unique_ptr<XapianServer>> servers;
  for (std::size_t i = 0; i < count; ++i)
    servers.push_back(std::make_unique<XapianServer>(dir / ("shard-" + std::to_string(i))));
  return servers;
}

std::string locator_of(const std::vector<std::unique_ptr<XapianServer>>& servers) {
  std::string locator = "xapian-tcp://";
  for (std::size_t i = 0; i < servers.size(); ++i) locator += (i ? "," : "") + servers[i]->address();
  return locator;
}

IndexLocation location_of(const std::vector<std::unique_ptr<XapianServer>>& servers) {
  auto location = parse_index_locator(locator_of(servers));
  EXPECT_TRUE(location.ok());
  return location.ok() ? *location : IndexLocation{};
}

IndexRecord record(std::int64_t id, std::string title, std::string body, std::string department = "DGASPC",
                   std::string confidentiality = "internal") {
  IndexRecord r;
  r.document_id = id;
  r.version = 1;
  r.title = std::move(title);
  r.body = std::move(body);
  r.department = std::move(department);
  r.confidentiality = std::move(confidentiality);
  r.document_type = "cerere";
  r.date = "2026-11-23";
  return r;
}

class SearchIndexContract : public ::testing::TestWithParam<IndexBackend> {
 protected:
  void SetUp() override {
    servers_ = start_servers(dir_.path(), GetParam().shards);
    open({});
  }
  void open(IndexLimits limits) {
    index_.reset();
    limits.facet_table_at_least = GetParam().facet_table ? 0 : SIZE_MAX;
    auto opened = servers_.empty() ? open_xapian_index(dir_ / "index", IndexAccess::rebuild, limits)
                                   : open_search_index(location_of(servers_), IndexAccess::rebuild, limits);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    index_ = std::move(opened).value();
  }
  void put(std::vector<IndexRecord> records) {
    Status status = index_->put(records);
    ASSERT_TRUE(status.ok()) << status.error().to_string();
  }
  SearchResult search(const std::string& query, Visibility visibility = Visibility::everything(),
                      bool all_versions = false) {
    SearchRequest request;
    request.query = query;
    request.visibility = visibility;
    request.all_versions = all_versions;
    auto result = run(request);
    EXPECT_TRUE(result.ok()) << query << ": " << result.error().to_string();
    return result.ok() ? *result : SearchResult{};
  }
  Result<SearchResult> run(const SearchRequest& request) {
    if (GetParam().facet_table) {
      EXPECT_NE(wait_for_facet_table(dir_ / "index", Xapian::Database((dir_ / "index").string()), 10000),
                nullptr);
    }
    return index_->search(request);
  }
  std::vector<std::int64_t> ids(const std::string& query, Visibility visibility = Visibility::everything()) {
    std::vector<std::int64_t> out;
    for (const auto& hit : search(query, visibility).hits) out.push_back(hit.document_id);
    return out;
  }
  TempDir dir_;
  std::vector<std::unique_ptr<XapianServer>> servers_;  // stopped after index_ closes
  std::unique_ptr<SearchIndex> index_;
};

TEST_P(SearchIndexContract, MatchesWithoutDiacriticsAndAcrossCedillaAndCommaBelow) {
  put({record(1, "Anchetă socială", "Anchetă socială la domiciliul familiei din strada Baicului"),
       record(2, "Şedinţă", "Procesul-verbal al şedinţei consiliului local"),
       record(3, "Ședință", "Procesul-verbal al ședinței comisiei")});
  EXPECT_EQ(ids("ancheta sociala"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("ANCHETĂ SOCIALĂ"), std::vector<std::int64_t>{1});
  auto sedinta = ids("sedintei");
  std::sort(sedinta.begin(), sedinta.end());
  EXPECT_EQ(sedinta, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(ids("şedinţei comisiei"), std::vector<std::int64_t>{3}) << "cedilla query finds comma-below text";
}

TEST_P(SearchIndexContract, MatchesInflectedForms) {
  put({record(1, "Cerere", "Solicit efectuarea anchetei sociale pentru copiii mei."),
       record(2, "Alt document", "Raport privind bugetul local.")});
  EXPECT_EQ(ids("ancheta sociala"), std::vector<std::int64_t>{1});
}

TEST_P(SearchIndexContract, SnippetShowsOriginalSpellingWithMarkedWords) {
  put({record(1, "Cerere", "Subsemnata solicit efectuarea anchetei sociale pentru copiii mei & familia.")});
  auto result = search("ancheta sociala");
  ASSERT_EQ(result.hits.size(), 1u);
  EXPECT_NE(result.hits[0].snippet.find("<mark>anchetei</mark> <mark>sociale</mark>"), std::string::npos)
      << result.hits[0].snippet;
  EXPECT_NE(result.hits[0].snippet.find("&amp;"), std::string::npos) << "snippets are HTML-escaped";
}

TEST_P(SearchIndexContract, PhraseMatchesOnlyAdjacentWords) {
  put({record(1, "A", "Direcția generală de asistență socială a sectorului"),
       record(2, "B", "Asistență pentru direcția socială generală")});
  EXPECT_EQ(ids("\"directia generala de asistenta sociala\""), std::vector<std::int64_t>{1});
}

TEST_P(SearchIndexContract, BooleanOperatorsAndExclusion) {
  put({record(1, "A", "contract de închiriere"), record(2, "B", "contract de vânzare"),
       record(3, "C", "proces-verbal de recepție")});
  auto both = ids("inchiriere OR vanzare");
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ids("contract -vanzare"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("contract NOT inchiriere"), std::vector<std::int64_t>{2});
  EXPECT_EQ(ids("recep*"), std::vector<std::int64_t>{3});
}

TEST_P(SearchIndexContract, FieldQueries) {
  IndexRecord a = record(1, "Dispoziție privind comisia", "text despre arhivă");
  a.registry_number = "1234/22.11.2026";
  a.document_type = "dispoziție";
  a.department = "Juridic";
  IndexRecord b = record(2, "Cerere de informații", "dispoziție menționată în text");
  b.registry_number = "77/01.02.2026";
  put({a, b});
  EXPECT_EQ(ids("titlu:dispozitie"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("nr:1234"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("tip:dispozitie"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("dep:juridic"), std::vector<std::int64_t>{1});
}

TEST_P(SearchIndexContract, DateRangesInIsoAndRomanianFormats) {
  IndexRecord a = record(1, "A", "raport anual"), b = record(2, "B", "raport anual");
  a.date = "2023-03-15";
  b.date = "2024-07-01";
  put({a, b});
  EXPECT_EQ(ids("raport data:2023-01-01..2023-06-30"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("raport data:01.01.2024..31.12.2024"), std::vector<std::int64_t>{2});
  EXPECT_EQ(ids("raport data:2024..2024"), std::vector<std::int64_t>{2});
}

// Ranges are matched by year, month and day terms: every range, however it
// falls on month and year boundaries (leap days, a bound past a month's end,
// open ends, years the index does not hold), matches exactly the versions
// whose date lies in it, as a comparison of the dates says.
TEST_P(SearchIndexContract, DateRangesMatchExactlyTheDatesInsideThem) {
  const std::vector<std::string> dates = {"2019-12-31", "2020-01-01", "2020-02-28", "2020-02-29",
                                          "2020-03-01", "2020-06-15", "2020-12-31", "2021-01-01",
                                          "2021-02-28", "2021-03-01", "2022-07-31", "2022-08-01",
                                          "2023-11-30", "2024-02-29", "2024-12-31"};
  std::vector<IndexRecord> records;
  for (std::size_t i = 0; i < dates.size(); ++i) {
    IndexRecord r = record(static_cast<std::int64_t>(i + 1), "Raport", "raport lunar");
    r.date = dates[i];
    records.push_back(r);
  }
  IndexRecord undated = record(100, "Raport", "raport lunar");
  undated.date = "";
  records.push_back(undated);
  put(records);
  struct Range {
    std::string query, from, to;  // from/to: ISO bounds for the oracle ("" open)
  };
  const std::vector<Range> ranges = {
      {"2020..2020", "2020-01-01", "2020-12-31"},
      {"2020-02-29..2021-02-28", "2020-02-29", "2021-02-28"},
      {"2020-02-01..2020-02-30", "2020-02-01", "2020-02-30"},
      {"2019-12-31..2020-01-01", "2019-12-31", "2020-01-01"},
      {"2020-03-01..2022-07-31", "2020-03-01", "2022-07-31"},
      {"2020-02-28..2020-02-28", "2020-02-28", "2020-02-28"},
      {"2021-03-02..2022-07-30", "2021-03-02", "2022-07-30"},
      {"29.02.2020..31.12.2020", "2020-02-29", "2020-12-31"},
      {"..2020-02-29", "", "2020-02-29"},
      {"2022-08-01..", "2022-08-01", ""},
      {"1000..9999", "1000-01-01", "9999-12-31"},
      {"2030..2031", "2030-01-01", "2031-12-31"},
      {"1990-05-05..2019-12-30", "1990-05-05", "2019-12-30"},
  };
  for (const Range& range : ranges) {
    std::vector<std::int64_t> expected;
    for (std::size_t i = 0; i < dates.size(); ++i)
      if ((range.from.empty() || dates[i] >= range.from) && (range.to.empty() || dates[i] <= range.to))
        expected.push_back(static_cast<std::int64_t>(i + 1));
    SearchRequest request;
    request.query = "raport data:" + range.query;
    request.visibility = Visibility::everything();
    request.limit = 100;
    auto result = run(request);
    ASSERT_TRUE(result.ok()) << request.query << ": " << result.error().to_string();
    std::vector<std::int64_t> found;
    for (const auto& hit : result->hits) found.push_back(hit.document_id);
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, expected) << request.query;
    EXPECT_EQ(result->total, expected.size()) << request.query;
  }
}

TEST_P(SearchIndexContract, MalformedQueriesGetClearErrors) {
  put({record(1, "A", "text")});
  SearchRequest request;
  request.visibility = Visibility::everything();
  for (const std::string& bad : {std::string("text AND"), std::string("autor:popescu"),
                                 std::string("data:2024-13-45..2024-12-31 text"), std::string("...")}) {
    request.query = bad;
    auto result = run(request);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::invalid_argument) << bad;
    EXPECT_FALSE(result.error().message.empty());
  }
  request.query = std::string(2000, 'a');
  EXPECT_EQ(run(request).error().code, ErrorCode::limit_exceeded);
}

TEST_P(SearchIndexContract, FacetsCountTypeDepartmentAndYear) {
  IndexRecord a = record(1, "A", "dosar social"), b = record(2, "B", "dosar social"),
              c = record(3, "C", "dosar social");
  b.department = "Juridic";
  c.date = "2025-01-10";
  c.document_type = "decizie";
  put({a, b, c});
  auto result = search("dosar");
  EXPECT_EQ(result.total, 3u);
  ASSERT_EQ(result.facets["dep"].size(), 2u);
  EXPECT_EQ(result.facets["dep"][0].value, "DGASPC");
  EXPECT_EQ(result.facets["dep"][0].count, 2u);
  ASSERT_EQ(result.facets["an"].size(), 2u);
  ASSERT_EQ(result.facets["tip"].size(), 2u);
}

// The permission test the issue asks for: a restricted document never shows
// up — not in hits, totals, facets or snippets — for a caller without the
// right, whatever the query (words, nr:, phrases, wildcards, OR).
// Beyond the matches examined the counts are estimates, and say so; the
// facet counts are scaled to the estimated total, not left at the sample's.
TEST_P(SearchIndexContract, CountsBeyondTheMatchesExaminedAreScaledAndMarkedApproximate) {
  IndexLimits limits;
  limits.facet_check_at_least = 20;
  open(limits);
  std::vector<IndexRecord> records;
  // The first twenty rank above all others can (most occurrences in the
  // shortest text), ten on each of two shards, so that Xapian stops
  // examining once it has enough.
  std::string filler;
  for (int w = 0; w < 40; ++w) filler += " cuvant" + std::to_string(w);
  for (int i = 1; i <= 300; ++i) {
    IndexRecord r =
        record(i, "Dosar " + std::to_string(i), i <= 20 ? "comun comun comun comun" : "comun" + filler);
    r.department = i % 3 == 0 ? "Juridic" : "DGASPC";
    records.push_back(r);
  }
  put(records);
  SearchResult few = search("comun titlu:7");
  EXPECT_TRUE(few.exact);
  EXPECT_EQ(few.total, 1u);
  SearchResult many = search("comun");
  EXPECT_FALSE(many.exact);
  std::uint64_t in_departments = 0;
  for (const FacetValue& v : many.facets["dep"]) in_departments += v.count;
  EXPECT_NEAR(static_cast<double>(in_departments), static_cast<double>(many.total), 2.0)
      << "facet counts scaled to the estimated total " << many.total;
  EXPECT_GT(in_departments, 100u) << "not the 20 or so examined";
  ASSERT_EQ(many.facets["dep"].size(), 2u);
  EXPECT_EQ(many.facets["dep"][0].value, "DGASPC");
}

TEST_P(SearchIndexContract, RestrictedDocumentNeverVisibleWithoutTheRight) {
  IndexRecord secret =
      record(1, "Anchetă socială confidențială", "Minorul Ionescu Andrei, CNP 5121212123456, strada Baicului",
             "DGASPC", "restricted-personal-data");
  secret.registry_number = "999/01.02.2026";
  secret.document_type = "anchetă";
  IndexRecord other_department = record(2, "Contract Baicului", "Contract pentru strada Baicului", "Juridic");
  IndexRecord visible = record(3, "Anunț public Baicului", "Lucrări pe strada Baicului", "Tehnic", "public");
  IndexRecord mine = record(4, "Cerere Baicului", "Cerere din strada Baicului", "DGASPC");
  put({secret, other_department, visible, mine});

  Visibility social_worker{false, {"DGASPC"}, false};
  for (const std::string& query :
       {std::string("Baicului"), std::string("ionescu"), std::string("nr:999"),
        std::string("\"strada baicului\""), std::string("baic*"), std::string("5121212123456"),
        std::string("ancheta OR contract OR lucrari OR cerere"), std::string("tip:ancheta"),
        std::string("confidentiala")}) {
    SearchResult result = search(query, social_worker);
    for (const auto& hit : result.hits) {
      EXPECT_NE(hit.document_id, 1) << query;
      EXPECT_NE(hit.document_id, 2) << query << ": other department's internal document";
      EXPECT_EQ(hit.snippet.find("Ionescu"), std::string::npos) << query;
    }
    EXPECT_LE(result.total, 2u) << query;
    for (const auto& [name, values] : result.facets)
      for (const auto& v : values) {
        EXPECT_NE(v.value, "anchetă") << query << ": facet " << name;
        EXPECT_NE(v.value, "Juridic") << query << ": facet " << name;
      }
    EXPECT_FALSE(result.suggestion && result.suggestion->find("ionescu") != std::string::npos) << query;
  }
  EXPECT_EQ(search("Baicului", social_worker).total, 2u);  // the public one and their department's

  Visibility with_right{false, {"DGASPC"}, true};
  EXPECT_EQ(ids("nr:999", with_right), std::vector<std::int64_t>{1});
  Visibility other{false, {"Juridic"}, true};
  EXPECT_TRUE(ids("ionescu", other).empty()) << "the right covers only the user's departments";
  EXPECT_EQ(search("Baicului", Visibility::everything()).total, 4u);
}

// Search hides by excluding what the caller may not see: the result must be
// exactly what Visibility::allows grants, for every level and department.
TEST_P(SearchIndexContract, EveryCallerSeesExactlyWhatTheRuleAllows) {
  const std::vector<std::string> levels{"public", "internal", "restricted-personal-data"};
  const std::vector<std::string> departments{"DGASPC", "Juridic", ""};
  std::vector<IndexRecord> records;
  for (const std::string& level : levels)
    for (const std::string& department : departments)
      records.push_back(record(static_cast<std::int64_t>(records.size() + 1), "Dosar comun", "text comun",
                               department, level));
  put(records);
  const std::vector<Visibility> callers{Visibility::everything(),   {true, {}, false},
                                        {false, {}, false},         {false, {}, true},
                                        {false, {"dgaspc"}, false}, {false, {"DGASPC", "Juridic"}, true},
                                        {false, {"Juridic"}, true}};
  for (const Visibility& caller : callers) {
    std::vector<std::int64_t> expected;
    for (const IndexRecord& r : records)
      if (caller.allows(r.department, r.confidentiality)) expected.push_back(r.document_id);
    std::string who = std::to_string(caller.all_departments) + "/" +
                      std::to_string(caller.departments.size()) + "/" + std::to_string(caller.restricted);
    SearchRequest request;
    request.query = "comun";
    request.visibility = caller;
    request.limit = 50;
    auto result = run(request);
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    std::vector<std::int64_t> found;
    for (const auto& hit : result->hits) found.push_back(hit.document_id);
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, expected) << who;
    EXPECT_EQ(result->total, expected.size()) << who;
    std::size_t in_facet = 0;
    for (const auto& v : result->facets["an"]) in_facet += v.count;
    EXPECT_EQ(in_facet, expected.size()) << who;
  }
}

TEST_P(SearchIndexContract, AnUnknownConfidentialityLevelIsNotIndexed) {
  put({record(1, "Contract", "text")});
  Status status =
      index_->put({record(2, "Contract secret", "text"), record(3, "Alt", "text", "DGASPC", "secret")});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(status.error().to_string().find("document 3"), std::string::npos) << status.error().to_string();
  EXPECT_NE(status.error().message.find("'secret'"), std::string::npos) << status.error().to_string();
  EXPECT_EQ(*index_->version_count(), 1u) << "nothing of the refused batch is written";
}

TEST_P(SearchIndexContract, SearchesCurrentVersionUnlessAllVersionsAsked) {
  IndexRecord v1 = record(1, "Contract", "versiunea inițială cu clauza penală");
  v1.current = false;
  IndexRecord v2 = record(1, "Contract", "versiunea corectată fără clauza");
  v2.version = 2;
  put({v1, v2});
  EXPECT_TRUE(ids("penala").empty());
  auto all = search("penala", Visibility::everything(), true);
  ASSERT_EQ(all.hits.size(), 1u);
  EXPECT_EQ(all.hits[0].version, 1);
  auto both = search("clauza", Visibility::everything(), true);
  EXPECT_EQ(both.hits.size(), 1u) << "versions of one document collapse into one hit";
}

TEST_P(SearchIndexContract, NewCurrentVersionReplacesTheOldMark) {
  put({record(1, "Contract", "text vechi")});
  IndexRecord v2 = record(1, "Contract", "text nou");
  v2.version = 2;
  IndexRecord v1 = record(1, "Contract", "text vechi");
  v1.current = false;
  put({v1, v2});
  EXPECT_TRUE(ids("vechi").empty());
  EXPECT_EQ(ids("nou"), std::vector<std::int64_t>{1});
  EXPECT_EQ(*index_->version_count(), 2u);
}

TEST_P(SearchIndexContract, SuggestsSpellingOnlyWhenItFindsMore) {
  put({record(1, "Proces-verbal", "comisia de selecționare a documentelor")});
  auto result = search("selectionre");
  EXPECT_EQ(result.total, 0u);
  ASSERT_TRUE(result.suggestion.has_value());
  EXPECT_EQ(*result.suggestion, "selectionare");
  EXPECT_FALSE(search("selectionare").suggestion.has_value());
}

// Xapian's own corrector offers a more frequent neighbour even for words it
// knows ("ajutor" -> "ajutoare"); a word in the index is not a typo, and asking
// whether the neighbour finds more costs a second search.
TEST_P(SearchIndexContract, KnownWordsAreNotCorrectedTowardsMoreFrequentOnes) {
  std::vector<IndexRecord> records;
  for (int i = 1; i <= 6; ++i)
    records.push_back(record(i, "Decizie " + std::to_string(i), "ajutoare de urgenta"));
  records.push_back(record(7, "Cerere", "ajutor pentru incalzire"));
  put(records);
  auto known = search("ajutor");
  EXPECT_EQ(known.total, 1u);
  EXPECT_FALSE(known.suggestion.has_value()) << "suggested " << known.suggestion.value_or("");
  auto typo = search("ajutoarw");
  ASSERT_TRUE(typo.suggestion.has_value());
  EXPECT_EQ(*typo.suggestion, "ajutoare");
}

// When no document has all the words of a plain-words query (an OCR slip,
// a word misspelt in the document), those with most of them are shown,
// marked as such; facets count what is shown.
TEST_P(SearchIndexContract, PlainWordsThatNeverOccurTogetherFallBackToAnyWord) {
  put({record(1, "Cerere", "ajutor de incalzire pentru familia Popescu"),
       record(2, "Decizie", "ajutor de urgenta aprobat"), record(3, "Nota", "alt subiect")});
  auto together = search("ajutor incalzire");
  EXPECT_FALSE(together.relaxed);
  EXPECT_EQ(together.total, 1u);
  auto apart = search("ajutor incalzire urgenta");
  EXPECT_TRUE(apart.relaxed);
  EXPECT_EQ(apart.total, 2u);
  EXPECT_EQ(apart.hits.size(), 2u);
  ASSERT_EQ(apart.facets["tip"].size(), 1u);
  EXPECT_EQ(apart.facets["tip"][0].count, 2u);
  auto phrase = search("\"ajutor urgenta\"");
  EXPECT_FALSE(phrase.relaxed) << "a phrase is asked as written";
  EXPECT_EQ(phrase.total, 0u);
}

// Paging and sorting cut one ranking of all documents, whichever shard
// holds them.
TEST_P(SearchIndexContract, PagesAndSortsAcrossAllDocuments) {
  std::vector<IndexRecord> records;
  for (int i = 1; i <= 9; ++i) {
    IndexRecord r = record(i, "Raport " + std::to_string(i), "raport de activitate");
    r.date = "2026-0" + std::to_string(i) + "-15";
    records.push_back(r);
  }
  put(records);
  SearchRequest request;
  request.query = "raport";
  request.visibility = Visibility::everything();
  request.sort = SortOrder::newest_first;
  request.limit = 4;
  std::vector<std::int64_t> seen;
  for (request.offset = 0; request.offset < 12; request.offset += 4) {
    auto page = run(request);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    EXPECT_EQ(page->total, 9u);
    for (const auto& hit : page->hits) seen.push_back(hit.document_id);
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{9, 8, 7, 6, 5, 4, 3, 2, 1}));
}

// The end of `dosar reindex` in place: whatever the catalogue no longer has goes.
TEST_P(SearchIndexContract, RemoveDocumentsExceptKeepsOnlyThoseNamed) {
  put({record(1, "A", "dosar unu"), record(2, "B", "dosar doi"), record(3, "C", "dosar trei")});
  Status removed = index_->remove_documents_except({1, 3});
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  auto found = ids("dosar");
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(*index_->version_count(), 2u);
}

// Issue 12: a CNP is searched exactly (`cnp:` or the bare 13 digits) and
// nothing else reaches it: no prefix, wildcard, partial number, stem or
// spelling suggestion; a CNP that does not check out is a query error.
TEST_P(SearchIndexContract, CnpMatchesExactlyAndOnlyExactly) {
  IndexRecord ion =
      record(1, "Cerere ajutor", "Subsemnatul Ion Popescu, CNP 1800101400016, solicit sprijin.");
  IndexRecord other = record(2, "Cerere", "Subsemnata, CNP 2850322420014, domiciliată în sector 2.");
  IndexRecord in_title = record(3, "Anchetă 5000229520034", "raport de anchetă socială");
  IndexRecord not_a_cnp = record(4, "Factură", "Cod client 1800101400017 (nu este CNP)");
  put({ion, other, in_title, not_a_cnp});

  EXPECT_EQ(ids("cnp:1800101400016"), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("1800101400016"), std::vector<std::int64_t>{1}) << "a bare CNP is the exact term";
  EXPECT_EQ(ids("CNP:5000229520034"), std::vector<std::int64_t>{3}) << "found in the title too";
  EXPECT_EQ(ids("cnp:1800101400016 OR cnp:2850322420014").size(), 2u);
  EXPECT_EQ(ids("cerere cnp:2850322420014"), std::vector<std::int64_t>{2});
  EXPECT_TRUE(ids("cnp:1951231701239").empty()) << "a valid CNP written nowhere";
  // An ordinary 13-digit number stays an ordinary word.
  EXPECT_EQ(ids("1800101400017"), std::vector<std::int64_t>{4});

  for (const std::string& near :
       {std::string("180010140001*"), std::string("1800101400*"), std::string("18001014*"),
        std::string("180010140001"), std::string("800101400016"), std::string("\"1800101400016\""),
        std::string("titlu:5000229520034")}) {
    SearchResult result = search(near);
    for (const auto& hit : result.hits)
      EXPECT_TRUE(hit.document_id != 1 && hit.document_id != 3) << near << " reached a CNP";
    // A suggestion may name an ordinary number (1800101400017), never a CNP.
    for (const char* cnp : {"1800101400016", "5000229520034"})
      EXPECT_EQ(result.suggestion.value_or("").find(cnp), std::string::npos) << near << " suggested " << cnp;
  }
  // A near miss (one digit off, so not a valid CNP) is never corrected to one.
  for (const std::string& slip : {std::string("1800101400015"), std::string("1800101400116")}) {
    SearchResult result = search(slip);
    for (const auto& hit : result.hits) EXPECT_NE(hit.document_id, 1) << slip;
    EXPECT_EQ(result.suggestion.value_or("").find("1800101400016"), std::string::npos) << slip;
  }

  SearchRequest request;
  request.visibility = Visibility::everything();
  for (const std::string& bad :
       {std::string("cnp:18001014"), std::string("cnp:1800101400017"), std::string("cnp:1800230400013"),
        std::string("cnp:18001014*"), std::string("cnp:")}) {
    request.query = bad;
    auto result = run(request);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::invalid_argument) << bad;
    EXPECT_NE(result.error().message.find("is not a CNP"), std::string::npos) << result.error().message;
  }
}

// The snippet of a CNP hit is around the CNP (marked), in the stored text;
// masking it is the front ends' job (persons/), since only they know who
// is assigned to whom.
TEST_P(SearchIndexContract, CnpHitSnippetMarksTheCnp) {
  put({record(1, "Cerere", "Subsemnatul Ion Popescu, CNP 1800101400016, solicit sprijin.")});
  auto result = search("cnp:1800101400016");
  ASSERT_EQ(result.hits.size(), 1u);
  EXPECT_NE(result.hits[0].snippet.find("<mark>1800101400016</mark>"), std::string::npos)
      << result.hits[0].snippet;
}

// Hits of a CNP search are only what the caller may see, like any search.
TEST_P(SearchIndexContract, CnpSearchKeepsThePermissionFilter) {
  put({record(1, "Anchetă", "CNP 1800101400016", "DGASPC", "restricted-personal-data"),
       record(2, "Cerere", "CNP 1800101400016", "Urbanism")});
  EXPECT_TRUE(ids("cnp:1800101400016", Visibility{false, {"DGASPC"}, false}).empty());
  EXPECT_EQ(ids("cnp:1800101400016", Visibility{false, {"DGASPC"}, true}), std::vector<std::int64_t>{1});
  EXPECT_EQ(ids("cnp:1800101400016", Visibility{false, {"Urbanism"}, false}), std::vector<std::int64_t>{2});
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchIndexContract,
                         ::testing::Values(xapian_backend(), remote_shards_backend(), facet_table_backend()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(XapianIndex, ReadingAMissingIndexSaysHowToBuildIt) {
  TempDir dir;
  auto opened = open_xapian_index(dir / "index", IndexAccess::read);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::not_found);
  EXPECT_NE(opened.error().message.find("reindex"), std::string::npos);
}

// Remote shards (issue 13): placement, combined ranking, and shards that go away.
class RemoteShards : public ::testing::Test {
 protected:
  void SetUp() override { servers_ = start_servers(dir_.path(), 2); }
  std::unique_ptr<SearchIndex> open(IndexAccess access) {
    auto opened = open_search_index(location_of(servers_), access);
    EXPECT_TRUE(opened.ok()) << opened.error().to_string();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  // The versions a shard's own directory holds, read without the server.
  std::uint64_t versions_on(std::size_t shard) {
    auto local = open_xapian_index(servers_[shard]->dir(), IndexAccess::read);
    EXPECT_TRUE(local.ok()) << local.error().to_string();
    return local.ok() ? *(*local)->version_count() : 0;
  }
  std::vector<std::int64_t> ids_on(std::size_t shard, const std::string& query) {
    auto local = open_xapian_index(servers_[shard]->dir(), IndexAccess::read);
    EXPECT_TRUE(local.ok());
    SearchRequest request;
    request.query = query;
    request.visibility = Visibility::everything();
    request.all_versions = true;
    std::vector<std::int64_t> out;
    auto result = (*local)->search(request);
    EXPECT_TRUE(result.ok());
    if (result.ok())
      for (const auto& hit : result->hits) out.push_back(hit.document_id);
    std::sort(out.begin(), out.end());
    return out;
  }
  TempDir dir_;
  std::vector<std::unique_ptr<XapianServer>> servers_;
};

TEST_F(RemoteShards, EachDocumentLivesOnTheShardOfItsId) {
  auto index = open(IndexAccess::rebuild);
  ASSERT_TRUE(index);
  std::vector<IndexRecord> records;
  for (int id = 1; id <= 6; ++id) records.push_back(record(id, "Cerere", "cerere de ajutor"));
  ASSERT_TRUE(index->put(records).ok());
  EXPECT_EQ(ids_on(0, "cerere"), (std::vector<std::int64_t>{2, 4, 6}));
  EXPECT_EQ(ids_on(1, "cerere"), (std::vector<std::int64_t>{1, 3, 5}));

  // A new version and a removal reach the shard that holds the document.
  IndexRecord v2 = record(3, "Cerere", "cerere completată");
  v2.version = 2;
  IndexRecord v1 = record(3, "Cerere", "cerere de ajutor");
  v1.current = false;
  ASSERT_TRUE(index->put({v1, v2}).ok());
  EXPECT_EQ(versions_on(0), 3u);
  EXPECT_EQ(versions_on(1), 4u);
  SearchRequest request;
  request.query = "ajutor";
  request.visibility = Visibility::everything();
  auto current = index->search(request);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->total, 5u) << "document 3's old version lost its current mark on its own shard";
  ASSERT_TRUE(index->remove_document(4).ok());
  ASSERT_TRUE(index->remove_document(3).ok());
  EXPECT_EQ(ids_on(0, "cerere"), (std::vector<std::int64_t>{2, 6}));
  EXPECT_EQ(ids_on(1, "cerere"), (std::vector<std::int64_t>{1, 5}));
}

// Ranking uses the statistics of all shards together: the same documents
// rank and score as in one local database.
TEST_F(RemoteShards, RankAndScoreAsOneLocalDatabase) {
  std::vector<IndexRecord> records;
  const char* bodies[] = {"ajutor social ajutor ajutor",
                          "ajutor pentru încălzire",
                          "social social ajutor",
                          "locuință socială ajutor de urgență",
                          "ajutor ajutor ajutor ajutor ajutor social",
                          "cerere ajutor încălzire locuință",
                          "social"};
  for (int i = 0; i < 7; ++i) records.push_back(record(i + 1, "Dosar " + std::to_string(i + 1), bodies[i]));
  auto local = open_xapian_index(dir_ / "local", IndexAccess::rebuild);
  ASSERT_TRUE(local.ok());
  ASSERT_TRUE((*local)->put(records).ok());
  auto remote = open(IndexAccess::rebuild);
  ASSERT_TRUE(remote);
  ASSERT_TRUE(remote->put(records).ok());
  auto reader = open(IndexAccess::read);
  ASSERT_TRUE(reader);
  for (const std::string& query : {std::string("ajutor"), std::string("ajutor social"),
                                   std::string("social OR incalzire"), std::string("locuinta")}) {
    SearchRequest request;
    request.query = query;
    request.visibility = Visibility::everything();
    auto a = (*local)->search(request);
    auto b = reader->search(request);
    ASSERT_TRUE(a.ok() && b.ok()) << query;
    EXPECT_EQ(a->total, b->total) << query;
    ASSERT_EQ(a->hits.size(), b->hits.size()) << query;
    for (std::size_t i = 0; i < a->hits.size(); ++i) {
      EXPECT_EQ(a->hits[i].document_id, b->hits[i].document_id) << query << " rank " << i;
      EXPECT_EQ(a->hits[i].score, b->hits[i].score) << query << " rank " << i;
      EXPECT_EQ(a->hits[i].snippet, b->hits[i].snippet) << query << " rank " << i;
    }
  }
}

TEST_F(RemoteShards, ShardDownAtOpenIsNamed) {
  { ASSERT_TRUE(open(IndexAccess::rebuild)); }
  const std::string gone = servers_[1]->address();
  servers_[1]->kill();
  for (IndexAccess access : {IndexAccess::read, IndexAccess::write}) {
    auto opened = open_search_index(location_of(servers_), access);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::io);
    EXPECT_EQ(opened.error().subject, "index shard " + gone);
  }
}

// Issue 13's fault: a shard that goes away during a search. The search fails
// naming it; it never answers with the other shard's documents alone.
TEST_F(RemoteShards, ShardGoneDuringSearchFailsNamingIt) {
  {
    auto writer = open(IndexAccess::rebuild);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->put({record(1, "A", "proces verbal"), record(2, "B", "proces verbal")}).ok());
  }
  auto reader = open(IndexAccess::read);
  ASSERT_TRUE(reader);
  SearchRequest request;
  request.query = "proces";
  request.visibility = Visibility::everything();
  auto before = reader->search(request);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->total, 2u);
  const std::string gone = servers_[0]->address();
  servers_[0]->kill();
  auto after = reader->search(request);
  ASSERT_FALSE(after.ok()) << "answered with " << after->total << " of 2 documents";
  EXPECT_EQ(after.error().code, ErrorCode::io);
  EXPECT_EQ(after.error().subject, "index shard " + gone);
  EXPECT_NE(after.error().message.find("cannot be reached"), std::string::npos) << after.error().message;
}

TEST_F(RemoteShards, WritingToAReadOnlyServerSaysHowToServeIt) {
  ASSERT_TRUE(open_xapian_index(dir_ / "readonly", IndexAccess::rebuild).ok());
  XapianServer server(dir_ / "readonly", testing::ServerAccess::read_only);
  auto location = parse_index_locator("xapian-tcp://" + server.address());
  ASSERT_TRUE(location.ok());
  EXPECT_TRUE(open_search_index(*location, IndexAccess::read).ok());
  auto writer = open_search_index(*location, IndexAccess::write);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code, ErrorCode::permission);
  EXPECT_EQ(writer.error().subject, "index shard " + server.address());
  EXPECT_NE(writer.error().message.find("--writable"), std::string::npos) << writer.error().message;
}

// `dosar reindex` after the list of shards changed: put everything again,
// then drop what sits on a shard that is no longer its own.
TEST_F(RemoteShards, RebuildInPlaceMovesDocumentsToTheirNewShard) {
  std::vector<IndexRecord> records;
  for (int id = 1; id <= 4; ++id) records.push_back(record(id, "Dosar", "dosar de arhivă"));
  {
    auto index = open(IndexAccess::rebuild);
    ASSERT_TRUE(index);
    ASSERT_TRUE(index->put(records).ok());
  }
  std::swap(servers_[0], servers_[1]);  // the same servers, listed the other way round
  auto index = open(IndexAccess::write);
  ASSERT_TRUE(index);
  ASSERT_TRUE(index->put(records).ok());
  ASSERT_TRUE(index->remove_documents_except({1, 2, 3, 4}).ok());
  EXPECT_EQ(*index->version_count(), 4u);
  EXPECT_EQ(ids_on(0, "dosar"), (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(ids_on(1, "dosar"), (std::vector<std::int64_t>{1, 3}));
}

// An index written before superseded versions carried XOLD is searched by
// its XCUR marks, and gets the XOLD marks when next opened for writing.
TEST(XapianIndex, AnIndexWithoutSupersededMarksIsMarkedAtTheNextWrite) {
  TempDir dir;
  {
    auto index = open_xapian_index(dir / "index", IndexAccess::rebuild);
    ASSERT_TRUE(index.ok());
    IndexRecord v1 = record(1, "Contract", "versiunea veche");
    v1.current = false;
    IndexRecord v2 = record(1, "Contract", "versiunea noua");
    v2.version = 2;
    ASSERT_TRUE((*index)->put({v1, v2, record(2, "Cerere", "versiunea unica")}).ok());
  }
  {  // as the Dosar before XOLD left it
    Xapian::WritableDatabase db((dir / "index").string(), Xapian::DB_OPEN);
    for (auto it = db.postlist_begin("XOLD"); it != db.postlist_end("XOLD"); it = db.postlist_begin("XOLD")) {
      Xapian::Document doc = db.get_document(*it);
      doc.remove_term("XOLD");
      db.replace_document(*it, doc);
    }
    db.set_metadata("dosar.superseded-marked", "");
    db.commit();
    ASSERT_EQ(db.get_termfreq("XOLD"), 0u);
  }
  auto current_hits = [&](IndexAccess access) {
    auto index = open_xapian_index(dir / "index", access);
    EXPECT_TRUE(index.ok());
    SearchRequest request;
    request.query = "versiunea";
    request.visibility = Visibility::everything();
    auto result = (*index)->search(request);
    EXPECT_TRUE(result.ok());
    std::vector<int> versions;
    for (const auto& hit : result->hits) versions.push_back(hit.version);
    std::sort(versions.begin(), versions.end());
    return versions;
  };
  EXPECT_EQ(current_hits(IndexAccess::read), (std::vector<int>{1, 2})) << "document 2 v1 and document 1 v2";
  EXPECT_EQ(current_hits(IndexAccess::write), (std::vector<int>{1, 2}));
  Xapian::Database db((dir / "index").string());
  EXPECT_EQ(db.get_metadata("dosar.superseded-marked"), "1");
  ASSERT_EQ(db.get_termfreq("XOLD"), 1u);
  EXPECT_EQ(*db.postlist_begin("XOLD"), *db.postlist_begin("Q1.1")) << "the superseded version is marked";
}

// An index written before date terms matches its ranges by values, also
// after more versions are added; rebuilt, by terms.
TEST(XapianIndex, AnIndexWithoutDateTermsMatchesRangesByValuesUntilRebuilt) {
  TempDir dir;
  IndexRecord a = record(1, "Raport", "raport anual"), b = record(2, "Raport", "raport anual");
  a.date = "2023-03-15";
  b.date = "2024-02-29";
  {
    auto index = open_xapian_index(dir / "index", IndexAccess::rebuild);
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE((*index)->put({a, b}).ok());
  }
  {  // as the Dosar before date terms left it
    Xapian::WritableDatabase db((dir / "index").string(), Xapian::DB_OPEN);
    ASSERT_EQ(db.get_metadata("dosar.date-terms"), "1") << "a new index is marked at once";
    ASSERT_EQ(db.get_termfreq("XZ2024-02-29"), 1u);
    for (Xapian::docid id : {1u, 2u}) {
      Xapian::Document doc = db.get_document(id);
      std::vector<std::string> dated;
      for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
        if ((*t).rfind("XY", 0) == 0 || (*t).rfind("XM", 0) == 0 || (*t).rfind("XZ", 0) == 0)
          dated.push_back(*t);
      ASSERT_EQ(dated.size(), 3u);
      for (const std::string& term : dated) doc.remove_term(term);
      db.replace_document(id, doc);
    }
    db.set_metadata("dosar.date-terms", "");
    db.commit();
  }
  auto in_range = [&](SearchIndex& index, const std::string& range) {
    SearchRequest request;
    request.query = "raport data:" + range;
    request.visibility = Visibility::everything();
    auto result = index.search(request);
    EXPECT_TRUE(result.ok()) << range;
    std::vector<std::int64_t> ids;
    if (result.ok())
      for (const auto& hit : result->hits) ids.push_back(hit.document_id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto open = [&](IndexAccess access) {
    auto index = open_xapian_index(dir / "index", access);
    EXPECT_TRUE(index.ok());
    return std::move(index).value();
  };
  EXPECT_EQ(in_range(*open(IndexAccess::read), "2024..2024"), std::vector<std::int64_t>{2});
  EXPECT_EQ(in_range(*open(IndexAccess::read), "..2023-03-15"), std::vector<std::int64_t>{1});
  {
    auto index = open(IndexAccess::write);
    IndexRecord c = record(3, "Raport", "raport anual");
    c.date = "2024-03-01";
    ASSERT_TRUE(index->put({c}).ok());
    EXPECT_EQ(in_range(*index, "2023-03-15..2024-02-29"), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(in_range(*index, "2024..2024"), (std::vector<std::int64_t>{2, 3}));
  }
  EXPECT_EQ(Xapian::Database((dir / "index").string()).get_metadata("dosar.date-terms"), "")
      << "not marked while some versions lack the terms";
  {
    auto index = open(IndexAccess::rebuild);
    IndexRecord c = record(3, "Raport", "raport anual");
    c.date = "2024-03-01";
    ASSERT_TRUE(index->put({a, b, c}).ok());
  }
  Xapian::Database db((dir / "index").string());
  EXPECT_EQ(db.get_metadata("dosar.date-terms"), "1");
  EXPECT_EQ(db.get_termfreq("XY2024"), 2u);
  EXPECT_EQ(in_range(*open(IndexAccess::read), "2024..2024"), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(in_range(*open(IndexAccess::read), "2023-03-16..2024-02-28"), std::vector<std::int64_t>{});
}

// Indexes written before the body was stored after the JSON fields hold it
// inside the JSON: their snippets still come from it.
TEST(XapianIndex, SnippetsOfAnIndexThatKeepsTheBodyInsideTheJson) {
  TempDir dir;
  {
    auto index = open_xapian_index(dir / "index", IndexAccess::rebuild);
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE((*index)->put({record(1, "Contract", "text nou, nefolosit")}).ok());
  }
  {
    Xapian::WritableDatabase db((dir / "index").string(), Xapian::DB_OPEN);
    Xapian::docid id = *db.postlist_begin("Q1.1");
    Xapian::Document doc = db.get_document(id);
    const std::string stored = doc.get_data();
    ASSERT_NE(stored.find('\0'), std::string::npos);
    nlohmann::json fields = nlohmann::json::parse(stored.substr(0, stored.find('\0')));
    fields["body"] = "Ancheta socială din strada Baicului";
    doc.set_data(fields.dump());
    doc.add_term("Z" + romanian::stemmer()("baicului"));
    db.replace_document(id, doc);
    db.commit();
  }
  auto index = open_xapian_index(dir / "index", IndexAccess::read);
  ASSERT_TRUE(index.ok());
  SearchRequest request;
  request.query = "baicului";
  request.visibility = Visibility::everything();
  auto result = (*index)->search(request);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->hits.size(), 1u);
  EXPECT_EQ(result->hits[0].title, "Contract");
  EXPECT_NE(result->hits[0].snippet.find("strada <mark>Baicului</mark>"), std::string::npos)
      << result->hits[0].snippet;
}

TEST(XapianIndex, MalformedUtf8InTheTextIsReplacedInSnippets) {
  TempDir dir;
  auto index = open_xapian_index(dir / "index", IndexAccess::rebuild);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->put({record(1, "Scan", "cerere \xFF\xFE de ajutor \xC3")}).ok());
  SearchRequest request;
  request.query = "ajutor";
  request.visibility = Visibility::everything();
  auto result = (*index)->search(request);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->hits.size(), 1u);
  const std::string& snippet = result->hits[0].snippet;
  EXPECT_NE(snippet.find("\xEF\xBF\xBD\xEF\xBF\xBD de <mark>ajutor</mark>"), std::string::npos) << snippet;
  EXPECT_EQ(valid_utf8(snippet), snippet);
}

// Format 2 keeps CNPs out of word terms: an index of format 1 must be
// rebuilt, and is not silently relabelled by the next write.
TEST(XapianIndex, AnIndexOfAnotherFormatIsRefusedForReadingAndWriting) {
  TempDir dir;
  {
    Xapian::WritableDatabase old((dir / "index").string(), Xapian::DB_CREATE_OR_OPEN);
    Xapian::Document doc;
    doc.add_term("1800101400016");
    old.add_document(doc);
    old.set_metadata("dosar.index-format", "1 romanian-folded-1");
    old.commit();
  }
  for (IndexAccess access : {IndexAccess::read, IndexAccess::write}) {
    auto opened = open_xapian_index(dir / "index", access);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::unsupported);
    EXPECT_NE(opened.error().message.find("reindex"), std::string::npos);
  }
  EXPECT_TRUE(open_xapian_index(dir / "index", IndexAccess::rebuild).ok());
}

}  // namespace
}  // namespace dosar
