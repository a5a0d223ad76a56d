#include "index/ranking.h"

#include <algorithm>

namespace dosar::ranking {
namespace {

void add_counts(const Xapian::ValueCountMatchSpy& spy, Counts& into) {
  for (auto it = spy.values_begin(); it != spy.values_end(); ++it) into[*it] += it.get_termfreq();
}

// Each docid of [first, last] in turn; the other lists of the query decide
// which exist and match. termfreq_min is 0: deleted documents leave gaps.
class DocidRange final : public Xapian::PostingSource {
 public:
  DocidRange(Xapian::docid first, Xapian::docid last) : first_(first), last_(last) {}

  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return std::min(size(), doccount_); }
  Xapian::doccount get_termfreq_max() const override { return std::min(size(), doccount_); }

  void init(const Xapian::Database& db) override {
    doccount_ = db.get_doccount();
    current_ = 0;
  }
  void next(double) override { current_ = current_ == 0 ? first_ : current_ + 1; }
  void skip_to(Xapian::docid did, double) override { current_ = std::max({current_, did, first_}); }
  bool at_end() const override { return current_ > last_ || first_ > last_; }
  Xapian::docid get_docid() const override { return current_; }
  PostingSource* clone() const override { return new DocidRange(first_, last_); }

 private:
  Xapian::doccount size() const { return first_ > last_ ? 0 : last_ - first_ + 1; }

  Xapian::docid first_, last_;
  Xapian::docid current_ = 0;
  Xapian::doccount doccount_ = 0;
};

// The MSet of `query` restricted to one document by its unique term: its
// percentages are scaled as in a search of the whole index whose best match
// this document is. Without a unique term, the pass's own MSet.
Xapian::MSet best_alone(const Pass& pass, Xapian::docid docid, const Xapian::Query& query) {
  Xapian::TermIterator term = pass.database().termlist_begin(docid);
  term.skip_to("Q");
  if (term == pass.database().termlist_end(docid) || (*term).rfind('Q', 0) != 0) return pass.mset();
  Xapian::Enquire alone(pass.database());
  alone.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(*term)));
  Xapian::MSet mset = alone.get_mset(0, 1);
  return mset.empty() ? pass.mset() : mset;
}

}  // namespace

Pass::Pass(const Xapian::Database& db, Xapian::valueno type_slot, Xapian::valueno department_slot,
           Xapian::valueno year_slot)
    : db_(db), enquire_(db), types_(type_slot), departments_(department_slot), years_(year_slot) {
  enquire_.add_matchspy(&types_);
  enquire_.add_matchspy(&departments_);
  enquire_.add_matchspy(&years_);
}

void Pass::run(const Xapian::Query& query, Xapian::doccount first, Xapian::doccount count,
               Xapian::doccount check_at_least) {
  enquire_.set_query(query);
  mset_ = enquire_.get_mset(first, count, check_at_least);
}

Matches single(const Pass& pass) {
  Matches m;
  const Xapian::MSet& mset = pass.mset();
  for (auto it = mset.begin(); it != mset.end(); ++it)
    m.page.push_back({&pass.enquire(), it, it.get_percent()});
  m.estimated = mset.get_matches_estimated();
  m.lower_bound = mset.get_matches_lower_bound();
  m.upper_bound = mset.get_matches_upper_bound();
  m.examined = pass.types().get_total();
  add_counts(pass.types(), m.types);
  add_counts(pass.departments(), m.departments);
  add_counts(pass.years(), m.years);
  return m;
}

Matches merge(const std::vector<const Pass*>& passes, const Xapian::Query& query, std::size_t offset,
              std::size_t limit) {
  struct Ranked {
    const Pass* pass;
    Xapian::MSetIterator it;
    double weight;
    Xapian::docid docid;
  };
  std::vector<Ranked> all;
  Matches m;
  for (const Pass* pass : passes) {
    const Xapian::MSet& mset = pass->mset();
    for (auto it = mset.begin(); it != mset.end(); ++it) all.push_back({pass, it, it.get_weight(), *it});
    m.estimated += mset.get_matches_estimated();
    m.lower_bound += mset.get_matches_lower_bound();
    m.upper_bound += mset.get_matches_upper_bound();
    m.examined += pass->types().get_total();
    add_counts(pass->types(), m.types);
    add_counts(pass->departments(), m.departments);
    add_counts(pass->years(), m.years);
  }
  std::sort(all.begin(), all.end(), [](const Ranked& a, const Ranked& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.docid < b.docid;
  });
  if (all.empty()) return m;
  const Xapian::MSet scale = best_alone(*all.front().pass, all.front().docid, query);
  for (std::size_t i = offset; i < all.size() && i < offset + limit; ++i)
    m.page.push_back({&all[i].pass->enquire(), all[i].it, scale.convert_to_percent(all[i].weight)});
  return m;
}

Xapian::Query docid_range(Xapian::docid first, Xapian::docid last) {
  return Xapian::Query((new DocidRange(first, last))->release());
}

}  // namespace dosar::ranking
