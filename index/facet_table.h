// The facets of a search counted from memory (internal to index/). Xapian's
// ValueCountMatchSpy reads the type, department and year values of every
// match examined from the index: at 100,000 documents that was three fifths
// of a search's time (bench/RESULTS.md). A FacetTable reads them once, from
// the value streams, into arrays by docid, for one exact state of one local
// database (its UUID and revision); any commit makes a new table necessary.
#pragma once

#include <xapian.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dosar {

class FacetTable {
 public:
  // The value slots counted, in this order: type, department, year.
  static constexpr std::size_t kFacets = 3;
  static const std::array<Xapian::valueno, kFacets> kSlots;

  // Reads the table of `db`, a single local database. Null when `stop`
  // became true meanwhile, or when a slot holds more distinct values than a
  // code can tell apart (a facet of 65,535 values is no facet). Throws
  // Xapian::Error.
  static std::shared_ptr<const FacetTable> read(const Xapian::Database& db, const std::atomic<bool>& stop);

  Xapian::rev revision() const { return revision_; }
  // Whether this table describes exactly what `reader` sees.
  bool describes(const Xapian::Database& reader) const;

  // 0: no value in that slot (or a docid past the table).
  std::uint16_t code(std::size_t facet, Xapian::docid docid) const {
    const std::vector<std::uint16_t>& codes = codes_[facet];
    return docid < codes.size() ? codes[docid] : 0;
  }
  // The values by code (index 0 unused: no value).
  const std::vector<std::string>& values(std::size_t facet) const { return values_[facet]; }

 private:
  std::string uuid_;
  Xapian::rev revision_ = 0;
  std::array<std::vector<std::uint16_t>, kFacets> codes_;  // by docid
  std::array<std::vector<std::string>, kFacets> values_;   // by code
};

// Counts the facets of the matches Xapian shows it, from a table that
// describes the database searched.
class TableFacetSpy : public Xapian::MatchSpy {
 public:
  explicit TableFacetSpy(std::shared_ptr<const FacetTable> table);
  void operator()(const Xapian::Document& doc, double weight) override;

  std::uint64_t total() const { return total_; }
  // (value, count) of each value of `facet` seen at least once, empty values left out.
  std::vector<std::pair<std::string, std::uint64_t>> counts(std::size_t facet) const;

 private:
  std::shared_ptr<const FacetTable> table_;
  std::array<std::vector<std::uint64_t>, FacetTable::kFacets> counts_;  // by code
  std::uint64_t total_ = 0;
};

// The table of the local index in `dir` that describes `reader`, or null
// when there is none yet. Then one is read in the background, with a
// database of its own, for the searches to come: one reading per directory
// at a time, and after a reading of T seconds none for the next 5 T, so
// that an index committed to every second costs at most a fifth of a core.
// Process-wide; thread-safe.
std::shared_ptr<const FacetTable> facet_table_for(const std::filesystem::path& dir,
                                                  const Xapian::Database& reader);

// Waits up to `timeout_ms` for the table of `dir` that describes `reader`
// (asking for one if needed). For tests and benchmarks.
std::shared_ptr<const FacetTable> wait_for_facet_table(const std::filesystem::path& dir,
                                                       const Xapian::Database& reader, unsigned timeout_ms);

}  // namespace dosar
