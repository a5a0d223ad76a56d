// Facets counted from memory (index/facet_table.h): the table read from the
// value streams, and never used for a state of the index it does not
// describe. (The whole SearchIndexContract also runs with it.)
#include "index/facet_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "index/search_index.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

using testing::TempDir;

IndexRecord version_of(std::int64_t id, std::string department, std::string type = "cerere",
                       std::string date = "2026-11-23") {
  IndexRecord r;
  r.document_id = id;
  r.version = 1;
  r.title = "Dosar " + std::to_string(id);
  r.body = "dosar social numarul " + std::to_string(id);
  r.department = std::move(department);
  r.document_type = std::move(type);
  r.date = std::move(date);
  r.confidentiality = "public";
  return r;
}

class FacetTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IndexLimits limits;
    limits.facet_table_at_least = 0;
    index_ = std::move(open_xapian_index(dir(), IndexAccess::rebuild, limits)).value();
  }
  std::filesystem::path dir() const { return tmp_ / "index"; }
  void put(const std::vector<IndexRecord>& records) {
    Status status = index_->put(records);
    ASSERT_TRUE(status.ok()) << status.error().to_string();
  }
  std::map<std::string, std::uint64_t> departments(const std::string& query) {
    SearchRequest request;
    request.query = query;
    auto result = index_->search(request);
    EXPECT_TRUE(result.ok()) << result.error().to_string();
    std::map<std::string, std::uint64_t> out;
    if (result.ok())
      for (const FacetValue& v : result->facets["dep"]) out[v.value] = v.count;
    return out;
  }
  TempDir tmp_;
  std::unique_ptr<SearchIndex> index_;
};

TEST_F(FacetTableTest, CodesEveryVersionByItsValues) {
  put({version_of(1, "DGASPC"), version_of(2, "Juridic", "decizie", "2025-03-01"), version_of(3, ""),
       version_of(4, "DGASPC", "decizie")});
  Xapian::Database db(dir().string());
  std::atomic<bool> stop{false};
  auto table = FacetTable::read(db, stop);
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(table->describes(db));
  EXPECT_EQ(table->revision(), db.get_revision());
  for (Xapian::docid docid = 1; docid <= db.get_lastdocid(); ++docid) {
    Xapian::Document doc = db.get_document(docid);
    for (std::size_t facet = 0; facet < FacetTable::kFacets; ++facet)
      EXPECT_EQ(table->values(facet).at(table->code(facet, docid)), doc.get_value(FacetTable::kSlots[facet]))
          << "docid " << docid << ", slot " << FacetTable::kSlots[facet];
  }
  EXPECT_EQ(table->values(0).size(), 3u) << "no value, cerere, decizie";
  EXPECT_EQ(table->code(1, db.get_lastdocid() + 1), 0u) << "a docid past the table has no value";
}

TEST_F(FacetTableTest, StopsReadingWhenAskedTo) {
  std::vector<IndexRecord> records;
  for (int i = 1; i <= 4200; ++i) records.push_back(version_of(i, i % 2 ? "DGASPC" : "Juridic"));
  put(records);
  std::atomic<bool> stop{true};
  EXPECT_EQ(FacetTable::read(Xapian::Database(dir().string()), stop), nullptr);
}

// A commit (here a document moved to another department) leaves the table
// behind: the next search counts from the index itself, the one after the
// new table, and both say the same.
TEST_F(FacetTableTest, ACommitMakesANewTableAndCountsAreNeverStale) {
  put({version_of(1, "DGASPC"), version_of(2, "DGASPC"), version_of(3, "DGASPC"), version_of(4, "Juridic"),
       version_of(5, "Juridic")});
  auto before = wait_for_facet_table(dir(), Xapian::Database(dir().string()), 10000);
  ASSERT_NE(before, nullptr);
  const std::map<std::string, std::uint64_t> three_two{{"DGASPC", 3}, {"Juridic", 2}};
  EXPECT_EQ(departments("dosar"), three_two);

  put({version_of(1, "Juridic")});
  Xapian::Database now(dir().string());
  EXPECT_FALSE(before->describes(now));
  const std::map<std::string, std::uint64_t> two_three{{"DGASPC", 2}, {"Juridic", 3}};
  EXPECT_EQ(departments("dosar"), two_three) << "right away, before a new table";
  auto after = wait_for_facet_table(dir(), now, 10000);
  ASSERT_NE(after, nullptr);
  EXPECT_NE(after->revision(), before->revision());
  EXPECT_EQ(departments("dosar"), two_three) << "from the new table";
  EXPECT_EQ(departments("dosar numarul 4"), (std::map<std::string, std::uint64_t>{{"Juridic", 1}}));
}

}  // namespace
}  // namespace dosar
