// Searches from many threads at once, each through its own read handle, as
// the web server does: results must equal those of a lone search (snippet
// stemming once shared a Snowball stemmer between threads and corrupted
// memory under load).
#include <gtest/gtest.h>

#include <thread>

#include "index/search_index.h"
#include "index/snippet.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

TEST(ConcurrentSearch, ThreadsWithTheirOwnHandlesGetTheSameAnswers) {
  testing::TempDir dir;
  {
    auto index = open_xapian_index(dir / "index", IndexAccess::rebuild);
    ASSERT_TRUE(index.ok()) << index.error().to_string();
    std::vector<IndexRecord> records;
    for (int i = 1; i <= 300; ++i) {
      IndexRecord r;
      r.document_id = i;
      r.version = 1;
      r.title = "document " + std::to_string(i);
      for (int s = 0; s < 20; ++s)
        r.body += testing::romanian_sentence(static_cast<std::uint64_t>(i * 100 + s)) + " ";
      r.department = "DGASPC";
      r.confidentiality = "internal";
      r.date = "2026-11-23";
      records.push_back(std::move(r));
    }
    ASSERT_TRUE((*index)->put(records).ok());
  }
  const std::vector<std::string> queries = {"ancheta sociala",    "copiilor beneficiarului",
                                            "hotarare consiliul", "\"consiliul local\"",
                                            "scoala tara",        "dezvolt*"};
  auto answer = [&](const std::string& query) {
    auto index = open_xapian_index(dir / "index", IndexAccess::read);
    if (!index.ok()) return index.error().to_string();
    SearchRequest request;
    request.query = query;
    request.visibility = Visibility::everything();
    auto result = (*index)->search(request);
    if (!result.ok()) return result.error().to_string();
    std::string out = std::to_string(result->total);
    for (const SearchHit& h : result->hits) out += "|" + std::to_string(h.document_id) + ":" + h.snippet;
    return out;
  };
  std::vector<std::string> expected;
  for (const std::string& q : queries) expected.push_back(answer(q));
  for (std::size_t q = 0; q < queries.size(); ++q)
    EXPECT_NE(expected[q].find('|'), std::string::npos) << queries[q] << " finds nothing: " << expected[q];
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round)
        for (std::size_t q = 0; q < queries.size(); ++q) {
          std::size_t which = (q + static_cast<std::size_t>(t)) % queries.size();
          if (answer(queries[which]) != expected[which]) ++mismatches;
        }
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(ConcurrentSearch, SnippetsFromManyThreadsAtOnce) {
  std::string text;
  for (int s = 0; s < 200; ++s) text += testing::romanian_sentence(static_cast<std::uint64_t>(s)) + " ";
  const std::set<std::string> terms = {"Zanchet", "Zsocial", "Zcopil", "Zhotarar", "Zconsiliul", "Zscoal"};
  const std::string expected = make_snippet(text, terms);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i)
        if (make_snippet(text, terms) != expected) ++mismatches;
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace dosar
