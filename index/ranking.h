// Ranking a search's page and counting its facets, in one pass over a
// database or in passes over disjoint docid ranges of it merged into the
// answer one pass would give. Internal to index/ (xapian_index.cpp).
//
// Why halves: at a million documents, ranking the top ten among the 100,000+
// documents that hold every word of a frequent-word query is the slowest
// part of a search (30–45 ms on one core, bench/RESULTS.md); two threads,
// each ranking half of the docids of the same database, share that work.
// Because both passes read one database, every document gets the weight a
// single pass would give it (the statistics are the index's, not a half's),
// so the merged page is the same page, in the same order.
#pragma once

#include <xapian.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dosar::ranking {

// Facet counts of the matches examined, by value.
using Counts = std::map<std::string, Xapian::doccount>;

// An Enquire over one database handle with the facet spies (type,
// department, year) attached; not movable (the Enquire holds the spies).
class Pass {
 public:
  Pass(const Xapian::Database& db, Xapian::valueno type_slot, Xapian::valueno department_slot,
       Xapian::valueno year_slot);
  Pass(const Pass&) = delete;
  Pass& operator=(const Pass&) = delete;

  const Xapian::Database& database() const { return db_; }
  Xapian::Enquire& enquire() { return enquire_; }
  const Xapian::Enquire& enquire() const { return enquire_; }
  // Runs the query: the matches ranked first..first+count-1, examining at
  // least check_at_least matches for the spies (Enquire::get_mset). The
  // spies add up over runs: run again only after a run that matched nothing.
  void run(const Xapian::Query& query, Xapian::doccount first, Xapian::doccount count,
           Xapian::doccount check_at_least);
  const Xapian::MSet& mset() const { return mset_; }
  const Xapian::ValueCountMatchSpy& types() const { return types_; }
  const Xapian::ValueCountMatchSpy& departments() const { return departments_; }
  const Xapian::ValueCountMatchSpy& years() const { return years_; }

 private:
  Xapian::Database db_;
  Xapian::Enquire enquire_;
  Xapian::ValueCountMatchSpy types_, departments_, years_;
  Xapian::MSet mset_;
};

// What a search reports, whichever way it was ranked.
struct Matches {
  struct Hit {
    const Xapian::Enquire* enquire;  // of the pass that ranked it (matching terms)
    Xapian::MSetIterator it;
    int percent;  // relative to the best match of all passes
  };
  std::vector<Hit> page;
  Xapian::doccount estimated = 0, lower_bound = 0, upper_bound = 0;
  std::size_t examined = 0;  // matches the spies saw
  Counts types, departments, years;
};

// The matches of one pass run with (offset, limit).
Matches single(const Pass& pass);

// Passes of `query` filtered by disjoint docid ranges, each run with
// (0, offset + limit) and sorted by relevance (weight, then ascending docid:
// Xapian's order), merged and cut to [offset, offset + limit). Totals and
// counts are summed. Percentages are those one pass would give: Xapian
// scales them by the best match's share of the query's terms, which a
// docid_range filter skews (Xapian 1.4 counts a PostingSource as a matching
// term), so the best match is ranked once more, alone, by `query` itself
// (found by its unique Q-prefixed term, Xapian's convention; without one,
// its pass's percentages stand).
Matches merge(const std::vector<const Pass*>& passes, const Xapian::Query& query, std::size_t offset,
              std::size_t limit);

// The documents whose docids lie in [first, last], as a boolean query (no
// weight): `FILTER docid_range(a, b)` restricts a query to a part of the
// index at the cost of a comparison per candidate. Local databases only
// (not serialisable to remote shards).
Xapian::Query docid_range(Xapian::docid first, Xapian::docid last);

}  // namespace dosar::ranking
