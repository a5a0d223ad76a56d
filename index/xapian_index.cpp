#include <xapian.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "base/cnp.h"
#include "base/utf8.h"
#include "index/facet_table.h"
#include "index/query_parsing.h"
#include "index/romanian_text.h"
#include "index/search_index.h"
#include "index/snippet.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;

// Boolean terms (exact, never shown to users).
std::string unique_term(std::int64_t id, int version) {
  // Built with append: GCC 12 warns falsely on "literal" + std::string (bug 105329).
  return std::string("Q").append(std::to_string(id)).append(".").append(std::to_string(version));
}
std::string document_term(std::int64_t id) {
  return std::string("XID").append(std::to_string(id));
}
constexpr const char* kCurrentTerm = "XCUR";
// The mark of every version that is not its document's current one. Search
// leaves these out with AND_NOT, which costs in proportion to the few
// superseded versions; a FILTER by kCurrentTerm costs a step through a list
// as long as the index for every candidate (half of a one-word query's time
// at 1,000,000 documents, bench/RESULTS.md). Trusted only in an index whose
// kSupersededMarkedKey says every superseded version carries it: indexes
// written before it get their marks when next opened for writing
// (mark_superseded_versions).
constexpr const char* kSupersededTerm = "XOLD";
constexpr const char* kSupersededMarkedKey = "dosar.superseded-marked";
// Set once every version carries its date_terms: `data:` ranges are then
// matched by terms (DateMatch::terms), before by values.
constexpr const char* kDateTermsKey = "dosar.date-terms";
// Bumped whenever terms, stems or slots change meaning: an index of another
// format must be rebuilt, not searched with the wrong assumptions.
constexpr const char* kFormatKey = "dosar.index-format";
// 2: CNPs are boolean terms (XPN), never word terms.
constexpr const char* kFormat = "2 romanian-folded-1";
std::string confidentiality_term(const std::string& level) {
  return "XC" + level;
}
std::string department_term(const std::string& department) {
  return "XD" + (department.empty() ? std::string("_") : romanian::normalize(department));
}

// The levels search can tell apart (the catalogue's kConfidentialityLevels);
// search hides by excluding the other two, so no fourth may be indexed.
bool is_confidentiality_level(const std::string& level) {
  return level == "public" || level == "internal" || level == "restricted-personal-data";
}

// Gives every superseded version of an index written before
// kSupersededTerm existed its mark, once, then records that all have it.
// One walk of the document list beside the current ones': about a second
// per million versions.
void mark_superseded_versions(Xapian::WritableDatabase& writer) {
  if (writer.get_metadata(kSupersededMarkedKey) == "1") return;
  std::vector<Xapian::docid> superseded;
  auto current = writer.postlist_begin(kCurrentTerm);
  const auto current_end = writer.postlist_end(kCurrentTerm);
  for (auto it = writer.postlist_begin(""); it != writer.postlist_end(""); ++it) {
    if (current != current_end) current.skip_to(*it);
    if (current == current_end || *current != *it) superseded.push_back(*it);
  }
  for (Xapian::docid id : superseded) {
    Xapian::Document doc = writer.get_document(id);
    doc.add_boolean_term(kSupersededTerm);
    writer.replace_document(id, doc);
  }
  writer.set_metadata(kSupersededMarkedKey, "1");
  writer.commit();
}

Error translate(const Xapian::Error& e, const std::string& subject) {
  std::string type = e.get_type();
  ErrorCode code = ErrorCode::io;
  if (type == "DatabaseLockError")
    code = ErrorCode::conflict;
  else if (type == "DatabaseCorruptError" || type == "DatabaseVersionError")
    code = ErrorCode::corrupt;
  else if (type == "DatabaseOpeningError" || type == "DatabaseNotFoundError")
    code = ErrorCode::not_found;
  return make_error(code, subject, e.get_description());
}

// "Cerere_incalzire_Popescu-Maria.pdf" -> "Cerere incalzire Popescu Maria pdf":
// scanners and clerks join words with _ - and ., which Xapian keeps inside terms.
std::string file_name_words(std::string name) {
  for (char& c : name)
    if (c == '_' || c == '-' || c == '.' || c == '+') c = ' ';
  return name;
}

// The text with every valid CNP blanked out: a CNP is only ever an exact
// boolean term (cnp_term), never a word that a prefix, wildcard, stem or
// spelling suggestion could reach. The CNPs found are added to `cnps`.
std::string without_cnps(std::string_view text, std::set<std::string>& cnps) {
  return replace_cnps(text, [&](std::string_view cnp) {
    cnps.emplace(cnp);
    return std::string(cnp.size(), ' ');
  });
}

std::string truncate_utf8(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

constexpr unsigned kWriteTimeoutMs = 120000;  // a remote commit of a large batch

std::string shard_subject(const IndexShard& shard) {
  return "index shard " + shard.name();
}

// A shard that is gone: tries a fresh connection to each, so that the error
// names the one that does not answer (Xapian's "connection closed" does not
// say which of the combined databases it came from).
std::optional<std::size_t> unreachable_shard(const IndexLocation& location) {
  for (std::size_t i = 0; i < location.shards.size(); ++i) {
    try {
      Xapian::Remote::open(location.shards[i].host, location.shards[i].port, 2000, 2000).get_doccount();
    } catch (const Xapian::Error&) {
      return i;
    }
  }
  return std::nullopt;
}

bool is_network_error(const Xapian::Error& e) {
  std::string type = e.get_type();
  return type == "NetworkError" || type == "NetworkTimeoutError";
}

Error network_error(const Xapian::Error& e, const std::string& subject) {
  std::string why = e.get_msg();
  if (e.get_error_string()) why += std::string(" (") + e.get_error_string() + ")";
  return make_error(ErrorCode::io, subject, "cannot be reached: " + why);
}

// An index of another format must be rebuilt, not searched with the wrong
// assumptions; an empty one (never written) is any format.
Status check_format(const Xapian::Database& db, const std::string& subject) {
  std::string format = db.get_metadata(kFormatKey);
  if (format != kFormat && !(format.empty() && db.get_doccount() == 0))
    return make_error(
        ErrorCode::unsupported, subject,
        "search index has format '" + format + "', this Dosar needs '" + kFormat + "'; run `dosar reindex`");
  return {};
}

class XapianIndex final : public SearchIndex {
 public:
  XapianIndex(IndexLocation location, IndexLimits limits, std::vector<Xapian::WritableDatabase> writers,
              Xapian::Database reader)
      : location_(std::move(location)),
        limits_(limits),
        writers_(std::move(writers)),
        reader_(std::move(reader)) {}

  Status put(const std::vector<IndexRecord>& records) override {
    if (writers_.empty()) return make_error(ErrorCode::permission, subject(), "index opened read-only");
    for (const IndexRecord& r : records)
      if (!is_confidentiality_level(r.confidentiality))
        return make_error(
            ErrorCode::invalid_argument,
            "document " + std::to_string(r.document_id) + " version " + std::to_string(r.version),
            "confidentiality '" + r.confidentiality +
                "' is not one of public, internal, restricted-personal-data: not indexed");
    std::vector<std::vector<const IndexRecord*>> by_shard(writers_.size());
    for (const IndexRecord& r : records) by_shard[shard_of(r.document_id, writers_.size())].push_back(&r);
    for (std::size_t i = 0; i < writers_.size(); ++i) {
      if (by_shard[i].empty()) continue;
      try {
        write(writers_[i], by_shard[i]);
      } catch (const Xapian::Error& e) {
        return error_of(e, i);
      }
    }
    if (!location_.remote()) reader_ = writers_[0];
    return {};
  }

  // Writes and commits the records of one shard.
  void write(Xapian::WritableDatabase& writer, const std::vector<const IndexRecord*>& records) {
    Xapian::TermGenerator generator;
    generator.set_stemmer(romanian::stemmer());
    generator.set_stopper(&romanian::stopper());
    generator.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
    generator.set_database(writer);
    // Remote shards get no spelling data: Xapian 1.4 cannot read it back
    // over the remote protocol (suggestions come from
    // correct_spelling_from_terms there).
    if (!location_.remote()) generator.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
    for (const IndexRecord* record : records) {
      const IndexRecord& r = *record;
      Xapian::Document doc;
      generator.set_document(doc);
      std::set<std::string> cnps;
      auto text = [&](const std::string& value, const char* prefix) {
        if (value.empty()) return;
        std::string folded = romanian::normalize(without_cnps(value, cnps));
        generator.index_text(folded, 1, prefix);
        generator.increase_termpos();
      };
      // Fields are also searchable without naming them, weighted up.
      text(r.title, "S");  // every word lowercased first, so that every word is stemmed
      generator.index_text(romanian::normalize(without_cnps(r.title, cnps)), 3);
      generator.increase_termpos();
      text(r.registry_number, "XNR");
      text(r.document_type, "XTIP");
      text(r.department, "XDEP");
      text(r.sender, "XEXP");
      text(file_name_words(r.file_name), "XFN");
      const std::string file_words = file_name_words(r.file_name);
      for (const std::string* field : {&r.registry_number, &r.sender, &file_words, &r.document_type}) {
        if (field->empty()) continue;
        generator.index_text(romanian::normalize(without_cnps(*field, cnps)));
        generator.increase_termpos();
      }
      generator.index_text(
          romanian::normalize(without_cnps(truncate_utf8(r.body, limits_.max_indexed_text_bytes), cnps)));
      for (const std::string& cnp : cnps) doc.add_boolean_term(cnp_term(cnp));

      doc.add_boolean_term(unique_term(r.document_id, r.version));
      doc.add_boolean_term(document_term(r.document_id));
      doc.add_boolean_term(r.current ? kCurrentTerm : kSupersededTerm);
      doc.add_boolean_term(confidentiality_term(r.confidentiality));
      doc.add_boolean_term(department_term(r.department));
      for (const std::string& term : date_terms(r.date)) doc.add_boolean_term(term);
      doc.add_value(slots::document_id, Xapian::sortable_serialise(static_cast<double>(r.document_id)));
      doc.add_value(slots::type, r.document_type);
      doc.add_value(slots::department, r.department);
      if (r.date.size() >= 4) doc.add_value(slots::year, r.date.substr(0, 4));
      doc.add_value(slots::date, r.date);
      nlohmann::json fields = {{"id", r.document_id},     {"version", r.version},
                               {"title", r.title},        {"nr", r.registry_number},
                               {"type", r.document_type}, {"department", r.department},
                               {"date", r.date}};
      doc.set_data(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\0' +
                   valid_utf8(truncate_utf8(r.body, limits_.max_stored_text_bytes)));
      if (r.current) clear_current_mark(writer, r.document_id);
      writer.replace_document(unique_term(r.document_id, r.version), doc);
    }
    writer.set_metadata(kFormatKey, kFormat);
    writer.commit();
  }

  // The document's previous current version loses its mark.
  static void clear_current_mark(Xapian::WritableDatabase& writer, std::int64_t document_id) {
    std::vector<Xapian::docid> ids;
    const std::string term = document_term(document_id);
    for (auto it = writer.postlist_begin(term); it != writer.postlist_end(term); ++it) ids.push_back(*it);
    for (Xapian::docid id : ids) {
      Xapian::Document old = writer.get_document(id);
      auto t = old.termlist_begin();
      t.skip_to(kCurrentTerm);
      if (t == old.termlist_end() || *t != kCurrentTerm) continue;
      old.remove_term(kCurrentTerm);
      old.add_boolean_term(kSupersededTerm);
      writer.replace_document(id, old);
    }
  }

  Status remove_document(std::int64_t document_id) override {
    if (writers_.empty()) return make_error(ErrorCode::permission, subject(), "index opened read-only");
    std::size_t shard = shard_of(document_id, writers_.size());
    try {
      writers_[shard].delete_document(document_term(document_id));
      writers_[shard].commit();
      return {};
    } catch (const Xapian::Error& e) {
      return error_of(e, shard);
    }
  }

  Status remove_documents_except(const std::vector<std::int64_t>& keep) override {
    if (writers_.empty()) return make_error(ErrorCode::permission, subject(), "index opened read-only");
    for (std::size_t shard = 0; shard < writers_.size(); ++shard) {
      try {
        Xapian::WritableDatabase& db = writers_[shard];
        const std::string prefix = document_term(0).substr(0, 3);  // "XID"
        std::vector<std::string> stale;
        for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
          std::int64_t id = 0;
          const std::string& term = *t;
          auto [end, ec] = std::from_chars(term.data() + prefix.size(), term.data() + term.size(), id);
          bool kept = ec == std::errc() && end == term.data() + term.size() &&
                      std::binary_search(keep.begin(), keep.end(), id) &&
                      shard_of(id, writers_.size()) == shard;
          if (!kept) stale.push_back(term);
        }
        for (const std::string& term : stale) db.delete_document(term);
        db.commit();
        mark_superseded_versions(db);
      } catch (const Xapian::Error& e) {
        return error_of(e, shard);
      }
    }
    return mark_date_terms_if_empty();
  }

  // An empty index records that all its versions will carry date terms
  // (kDateTermsKey). An index written before them keeps matching ranges by
  // values until it is rebuilt: adding them in place costs more than
  // `dosar reindex` (Xapian rewrites each version's term list: 180,000
  // versions in ten minutes at 1,000,000, nearer an hour than the
  // rebuild's 46 minutes).
  Status mark_date_terms_if_empty() {
    try {
      for (Xapian::WritableDatabase& writer : writers_)
        if (writer.get_doccount() != 0) return {};
      for (std::size_t shard = 0; shard < writers_.size(); ++shard) {
        if (writers_[shard].get_metadata(kDateTermsKey) == "1") continue;
        writers_[shard].set_metadata(kDateTermsKey, "1");
        writers_[shard].commit();
      }
      return {};
    } catch (const Xapian::Error& e) {
      return error_of(e, std::nullopt);
    }
  }

  Result<SearchResult> search(const SearchRequest& request) const override {
    if (request.query.size() > limits_.max_query_bytes)
      return make_error(ErrorCode::limit_exceeded, "query",
                        "is " + std::to_string(request.query.size()) + " bytes, longer than the limit of " +
                            std::to_string(limits_.max_query_bytes));
    if (request.limit > limits_.max_limit)
      return make_error(ErrorCode::limit_exceeded, "limit",
                        "at most " + std::to_string(limits_.max_limit) + " results per page");
    try {
      reader_.reopen();
      std::string corrected;
      if (!date_terms_) date_terms_ = reader_.get_metadata(kDateTermsKey) == "1";
      const DateMatch dates = date_terms_ ? DateMatch::terms : DateMatch::values;
      auto parsed = parse_query(request.query, reader_, &corrected, WordMatch::all, dates);
      if (!parsed.ok()) return parsed.error();
      if (location_.remote())
        corrected = correct_spelling_from_terms(request.query, reader_);
      else if (!corrected.empty() && !has_unknown_word(request.query, reader_))
        corrected.clear();
      Xapian::Enquire enquire(reader_);  // never set_time_limit (IndexLimits says why)
      if (request.all_versions) enquire.set_collapse_key(slots::document_id);
      if (request.sort == SortOrder::newest_first)
        enquire.set_sort_by_value_then_relevance(slots::date, true);
      if (request.sort == SortOrder::oldest_first)
        enquire.set_sort_by_value_then_relevance(slots::date, false);
      // Facets counted from memory when a table describes this state of
      // the index; else (remote shards, a small index, a table being read
      // after a commit) from the values of each match, as Xapian does.
      std::shared_ptr<const FacetTable> table;
      if (!location_.remote() && reader_.get_doccount() >= limits_.facet_table_at_least)
        table = facet_table_for(location_.dir, reader_);
      std::optional<TableFacetSpy> table_spy;
      Xapian::ValueCountMatchSpy types(slots::type), departments(slots::department), years(slots::year);
      if (table) {
        enquire.add_matchspy(&table_spy.emplace(table));
      } else {
        enquire.add_matchspy(&types);
        enquire.add_matchspy(&departments);
        enquire.add_matchspy(&years);
      }
      auto page = [&](const Xapian::Query& query) {
        enquire.set_query(visible_part(query, request));
        return enquire.get_mset(static_cast<Xapian::doccount>(request.offset),
                                static_cast<Xapian::doccount>(request.limit),
                                static_cast<Xapian::doccount>(limits_.facet_check_at_least));
      };
      Xapian::MSet mset = page(*parsed);
      // Asked again, any word sufficing, only when nothing matched: no probe
      // of every query beforehand (a second pass over the postings).
      bool relaxed = false;
      if (mset.get_matches_upper_bound() == 0 && is_plain_words(request.query)) {
        auto any = parse_query(request.query, reader_, nullptr, WordMatch::any, dates);
        if (any.ok()) {
          mset = page(*any);
          relaxed = true;
        }
      }
      SearchResult result;
      result.relaxed = relaxed;
      result.total = mset.get_matches_estimated();
      // Exact when every match was counted and examined for the facets
      // (Xapian may know the count of a one-word query without examining
      // its matches).
      const std::uint64_t examined = table_spy ? table_spy->total() : types.get_total();
      result.exact =
          mset.get_matches_lower_bound() == mset.get_matches_upper_bound() && examined == result.total;
      // Not MSet::fetch() (one request for the page's documents on remote
      // shards): in Xapian 1.4.22 it reads past the items of a page that
      // does not start at 0 (SEGV, SearchIndexContract.PagesAndSorts…).
      for (auto it = mset.begin(); it != mset.end(); ++it) result.hits.push_back(make_hit(enquire, it));
      // Counts of the matches examined, scaled to the estimated total when
      // not all were examined (so that they compare with it).
      const double scale = result.exact || examined == 0 || result.total == 0
                               ? 1.0
                               : static_cast<double>(result.total) / static_cast<double>(examined);
      auto counted = [&](std::size_t which, const Xapian::ValueCountMatchSpy& spy) {
        return table_spy ? table_spy->counts(which) : counts_of(spy);
      };
      result.facets["tip"] = facet(counted(0, types), scale);
      result.facets["dep"] = facet(counted(1, departments), scale);
      result.facets["an"] = facet(counted(2, years), scale);
      if (!corrected.empty() && corrected != request.query) {
        // Offer the correction only when it would find more than the query as typed.
        auto alternative = parse_query(corrected, reader_, nullptr, WordMatch::all, dates);
        if (alternative.ok() && count(visible_part(*alternative, request)) > result.total)
          result.suggestion = corrected;
      }
      return result;
    } catch (const Xapian::Error& e) {
      return error_of(e, std::nullopt);
    }
  }

  Result<std::uint64_t> version_count() const override {
    try {
      reader_.reopen();
      return static_cast<std::uint64_t>(reader_.get_doccount());
    } catch (const Xapian::Error& e) {
      return error_of(e, std::nullopt);
    }
  }

 private:
  // The whole index, for errors that concern no one shard.
  std::string subject() const {
    if (!location_.remote()) return location_.dir.string();
    std::string names;
    for (const IndexShard& shard : location_.shards)
      names.append(names.empty() ? "" : ",").append(shard.name());
    return std::string("index shards ").append(names);  // not "…" + names: GCC 12 bug 105329
  }

  // A Xapian failure as an Error naming the directory or the shard: the
  // shard written to, else the one Xapian names, else the first that does
  // not answer a fresh connection.
  Error error_of(const Xapian::Error& e, std::optional<std::size_t> shard) const {
    if (!location_.remote()) return translate(e, location_.dir.string());
    if (!shard) {
      const std::string context = e.get_context();  // "remote:tcp(HOST:PORT)"
      for (std::size_t i = 0; i < location_.shards.size() && !shard; ++i)
        if (context == "remote:tcp(" + location_.shards[i].name() + ")") shard = i;
    }
    if (!shard && is_network_error(e)) shard = unreachable_shard(location_);
    std::string name = shard ? shard_subject(location_.shards[*shard]) : subject();
    if (is_network_error(e)) return network_error(e, name);
    return translate(e, name);
  }

  // Number of matches, exact up to a thousand.
  Xapian::doccount count(const Xapian::Query& query) const {
    Xapian::Enquire probe(reader_);
    probe.set_query(query);
    return probe.get_mset(0, 0, 1000).get_matches_estimated();
  }

  // What of `query` the caller may see, in the versions asked for:
  // permissions inside the query, so that totals, facets and snippets cover
  // only those. Written as the exclusion of what is hidden (AND_NOT of lists
  // as long as the hidden documents) rather than a FILTER by what is
  // visible: a filter that covers most of the index costs a step through
  // each of its lists for every candidate. Every indexed version carries
  // exactly one of kConfidentialityLevels (put refuses others), so the
  // complement is exact.
  Xapian::Query visible_part(const Xapian::Query& query, const SearchRequest& request) const {
    const Visibility& v = request.visibility;
    std::vector<Xapian::Query> hidden;
    if (!v.restricted) hidden.emplace_back(confidentiality_term("restricted-personal-data"));
    if (!v.all_departments) {
      std::vector<Xapian::Query> own{Xapian::Query(department_term(""))};
      for (const std::string& d : v.departments) own.emplace_back(department_term(d));
      Xapian::Query not_public(confidentiality_term("internal"));
      if (v.restricted)
        not_public = Xapian::Query(Xapian::Query::OP_OR, not_public,
                                   Xapian::Query(confidentiality_term("restricted-personal-data")));
      hidden.emplace_back(Xapian::Query::OP_AND_NOT, not_public,
                          Xapian::Query(Xapian::Query::OP_OR, own.begin(), own.end()));
    }
    Xapian::Query scoped = query;
    if (!request.all_versions) {
      // Once marked, an index stays marked (no request for each search to
      // remote shards).
      if (!superseded_marked_) superseded_marked_ = reader_.get_metadata(kSupersededMarkedKey) == "1";
      if (superseded_marked_)
        hidden.emplace_back(kSupersededTerm);
      else
        scoped = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(kCurrentTerm));
    }
    if (hidden.empty()) return scoped;
    return Xapian::Query(Xapian::Query::OP_AND_NOT, scoped,
                         Xapian::Query(Xapian::Query::OP_OR, hidden.begin(), hidden.end()));
  }

  static std::vector<std::pair<std::string, std::uint64_t>> counts_of(const Xapian::ValueCountMatchSpy& spy) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it)
      if (!(*it).empty()) out.emplace_back(*it, it.get_termfreq());
    return out;
  }

  // Values by descending count, then in byte order (however they were counted).
  static std::vector<FacetValue> facet(const std::vector<std::pair<std::string, std::uint64_t>>& counts,
                                       double scale) {
    std::vector<FacetValue> out;
    for (const auto& [value, count] : counts)
      out.push_back({value, std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(
                                                           scale * static_cast<double>(count))))});
    std::sort(out.begin(), out.end(), [](const FacetValue& a, const FacetValue& b) {
      return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    return out;
  }

  SearchHit make_hit(const Xapian::Enquire& enquire, const Xapian::MSetIterator& it) const {
    const std::string stored = it.get_document().get_data();
    // The fields as JSON, then NUL and the body as it is (parsing a long
    // body out of JSON cost ten times the snippet); indexes written before
    // hold the body in the JSON.
    const std::size_t nul = stored.find('\0');
    auto data = nlohmann::json::parse(std::string_view(stored).substr(0, nul), nullptr, false);
    SearchHit hit;
    if (data.is_discarded()) return hit;
    hit.document_id = data.value("id", std::int64_t{0});
    hit.version = data.value("version", 0);
    hit.title = data.value("title", "");
    hit.registry_number = data.value("nr", "");
    hit.document_type = data.value("type", "");
    hit.department = data.value("department", "");
    hit.date = data.value("date", "");
    hit.score = it.get_percent();
    std::set<std::string> terms;
    for (auto t = enquire.get_matching_terms_begin(it); t != enquire.get_matching_terms_end(it); ++t) {
      const std::string& term = *t;
      // Unprefixed words and Z-stems; field-prefixed terms are stripped to their word.
      if (term.empty()) continue;
      if (std::islower(static_cast<unsigned char>(term[0])) ||
          std::isdigit(static_cast<unsigned char>(term[0])) || term[0] == 'Z') {
        terms.insert(term);
        continue;
      }
      std::size_t p = 0;
      while (p < term.size() && std::isupper(static_cast<unsigned char>(term[p]))) ++p;
      if (p < term.size() && p > 0 && term[0] != 'Q' && term.rfind("XC", 0) != 0 && term.rfind("XD", 0) != 0)
        terms.insert(term.substr(p));
    }
    const std::string body = nul == std::string::npos ? data.value("body", "") : stored.substr(nul + 1);
    hit.snippet = make_snippet(body.empty() ? hit.title : body, terms);
    if (hit.snippet.find("<mark>") == std::string::npos && !hit.title.empty()) {
      std::string title_snippet = make_snippet(hit.title, terms);
      if (title_snippet.find("<mark>") != std::string::npos && body.empty()) hit.snippet = title_snippet;
    }
    return hit;
  }

  IndexLocation location_;
  IndexLimits limits_;
  std::vector<Xapian::WritableDatabase> writers_;  // one per shard; empty when opened for reading
  mutable Xapian::Database reader_;                // the writers, or the shards opened for reading, combined
  mutable bool superseded_marked_ = false;         // kSupersededMarkedKey seen on reader_
  mutable bool date_terms_ = false;                // kDateTermsKey seen on reader_
};

}  // namespace

Result<std::unique_ptr<SearchIndex>> open_xapian_index(const fs::path& dir, IndexAccess access,
                                                       const IndexLimits& limits) {
  IndexLocation location;
  location.dir = dir;
  try {
    if (access == IndexAccess::read) {
      std::error_code ec;
      if (!fs::exists(dir, ec))
        return make_error(ErrorCode::not_found, dir.string(), "no search index yet; run `dosar reindex`");
      Xapian::Database reader(dir.string());
      DOSAR_TRY(check_format(reader, dir.string()));
      return std::unique_ptr<SearchIndex>(new XapianIndex(location, limits, {}, reader));
    }
    int flags = access == IndexAccess::rebuild ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN;
    Xapian::WritableDatabase writer(dir.string(), flags);
    // Adding to an index of another format would label it with this one.
    if (access == IndexAccess::write) DOSAR_TRY(check_format(writer, dir));
    mark_superseded_versions(writer);
    Xapian::Database reader = writer;
    std::vector<Xapian::WritableDatabase> writers;
    writers.push_back(writer);
    auto index = std::make_unique<XapianIndex>(location, limits, std::move(writers), reader);
    DOSAR_TRY(index->mark_date_terms_if_empty());
    return std::unique_ptr<SearchIndex>(std::move(index));
  } catch (const Xapian::Error& e) {
    return translate(e, dir.string());
  }
}

Result<std::uint64_t> compact_xapian_index(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec))
    return make_error(ErrorCode::io, to.string(), "already exists: not compacted into it");
  try {
    Xapian::Database source(from.string());
    DOSAR_TRY(check_format(source, from.string()));
    source.compact(to.string());
    return static_cast<std::uint64_t>(source.get_revision());
  } catch (const Xapian::Error& e) {
    fs::remove_all(to, ec);
    return translate(e, from.string());
  }
}

Result<std::uint64_t> xapian_index_revision(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return make_error(ErrorCode::not_found, dir.string(), "no search index here");
  try {
    return static_cast<std::uint64_t>(Xapian::Database(dir.string()).get_revision());
  } catch (const Xapian::Error& e) {
    return translate(e, dir.string());
  }
}

Result<std::unique_ptr<SearchIndex>> open_search_index(const IndexLocation& location, IndexAccess access,
                                                       const IndexLimits& limits) {
  if (!location.remote()) return open_xapian_index(location.dir, access, limits);
  std::vector<Xapian::WritableDatabase> writers;
  Xapian::Database combined;
  for (const IndexShard& shard : location.shards) {
    const std::string subject = shard_subject(shard);
    try {
      if (access == IndexAccess::read) {
        Xapian::Database db =
            Xapian::Remote::open(shard.host, shard.port, limits.shard_timeout_ms, limits.shard_timeout_ms);
        DOSAR_TRY(check_format(db, subject));
        combined.add_database(db);
      } else {
        Xapian::WritableDatabase db =
            Xapian::Remote::open_writable(shard.host, shard.port, kWriteTimeoutMs, limits.shard_timeout_ms);
        // (A rebuild marks the shards once it has emptied them.)
        if (access == IndexAccess::write) mark_superseded_versions(db);
        combined.add_database(db);
        writers.push_back(db);
      }
    } catch (const Xapian::Error& e) {
      if (is_network_error(e)) return network_error(e, subject);
      if (std::string(e.get_type()) == "InvalidOperationError" &&
          e.get_msg().find("read-only") != std::string::npos)
        return make_error(ErrorCode::permission, subject,
                          "is served read-only; start its xapian-tcpsrv with --writable to index");
      return translate(e, subject);
    }
  }
  auto index = std::make_unique<XapianIndex>(location, limits, std::move(writers), combined);
  if (access == IndexAccess::rebuild) DOSAR_TRY(index->remove_documents_except({}));
  if (access == IndexAccess::write) DOSAR_TRY(index->mark_date_terms_if_empty());
  return std::unique_ptr<SearchIndex>(std::move(index));
}

bool Visibility::allows(const std::string& department, const std::string& confidentiality) const {
  if (confidentiality == "public") return true;
  if (confidentiality == "restricted-personal-data" && !restricted) return false;
  if (confidentiality != "internal" && confidentiality != "restricted-personal-data") return false;
  if (all_departments || department.empty()) return true;
  std::string wanted = department_term(department);
  for (const std::string& d : departments)
    if (department_term(d) == wanted) return true;
  return false;
}

}  // namespace dosar
