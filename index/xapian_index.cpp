#include <xapian.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/cnp.h"
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

// An index made by another format version is refused, not misread.
Status check_format(const Xapian::Database& db, const fs::path& dir) {
  std::string format = db.get_metadata(kFormatKey);
  if (format != kFormat && !(format.empty() && db.get_doccount() == 0))
    return make_error(
        ErrorCode::unsupported, dir.string(),
        "search index has format '" + format + "', this Dosar needs '" + kFormat + "'; run `dosar reindex`");
  return {};
}

class XapianIndex final : public SearchIndex {
 public:
  XapianIndex(fs::path dir, IndexLimits limits, std::optional<Xapian::WritableDatabase> writer,
              Xapian::Database reader)
      : dir_(std::move(dir)), limits_(limits), writer_(std::move(writer)), reader_(std::move(reader)) {}

  Status put(const std::vector<IndexRecord>& records) override {
    if (!writer_) return make_error(ErrorCode::permission, dir_.string(), "index opened read-only");
    try {
      Xapian::TermGenerator generator;
      generator.set_stemmer(romanian::stemmer());
      generator.set_stopper(&romanian::stopper());
      generator.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
      generator.set_database(*writer_);
      generator.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
      for (const IndexRecord& r : records) {
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
        if (r.current) doc.add_boolean_term(kCurrentTerm);
        doc.add_boolean_term(confidentiality_term(r.confidentiality));
        doc.add_boolean_term(department_term(r.department));
        doc.add_value(slots::document_id, Xapian::sortable_serialise(static_cast<double>(r.document_id)));
        doc.add_value(slots::type, r.document_type);
        doc.add_value(slots::department, r.department);
        if (r.date.size() >= 4) doc.add_value(slots::year, r.date.substr(0, 4));
        doc.add_value(slots::date, r.date);
        nlohmann::json data = {
            {"id", r.document_id},     {"version", r.version},
            {"title", r.title},        {"nr", r.registry_number},
            {"type", r.document_type}, {"department", r.department},
            {"date", r.date},          {"body", truncate_utf8(r.body, limits_.max_stored_text_bytes)}};
        doc.set_data(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        if (r.current) clear_current_mark(r.document_id);
        writer_->replace_document(unique_term(r.document_id, r.version), doc);
      }
      writer_->set_metadata(kFormatKey, kFormat);
      writer_->commit();
      reader_ = *writer_;
      return {};
    } catch (const Xapian::Error& e) {
      return translate(e, dir_.string());
    }
  }

  // The document's previous current version loses its mark.
  void clear_current_mark(std::int64_t document_id) {
    std::vector<Xapian::docid> ids;
    const std::string term = document_term(document_id);
    for (auto it = writer_->postlist_begin(term); it != writer_->postlist_end(term); ++it) ids.push_back(*it);
    for (Xapian::docid id : ids) {
      Xapian::Document old = writer_->get_document(id);
      auto t = old.termlist_begin();
      t.skip_to(kCurrentTerm);
      if (t == old.termlist_end() || *t != kCurrentTerm) continue;
      old.remove_term(kCurrentTerm);
      writer_->replace_document(id, old);
    }
  }

  Status remove_document(std::int64_t document_id) override {
    if (!writer_) return make_error(ErrorCode::permission, dir_.string(), "index opened read-only");
    try {
      writer_->delete_document(document_term(document_id));
      writer_->commit();
      return {};
    } catch (const Xapian::Error& e) {
      return translate(e, dir_.string());
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
      auto parsed = parse_query(request.query, reader_, &corrected);
      if (!parsed.ok()) return parsed.error();
      Xapian::Query query = Xapian::Query(Xapian::Query::OP_FILTER, *parsed, filter(request));
      bool relaxed = false;
      if (is_plain_words(request.query) && count(query) == 0) {
        auto any = parse_query(request.query, reader_, nullptr, WordMatch::any);
        if (any.ok()) {
          query = Xapian::Query(Xapian::Query::OP_FILTER, *any, filter(request));
          relaxed = true;
        }
      }

      Xapian::Enquire enquire(reader_);
      enquire.set_query(query);
      if (request.all_versions) enquire.set_collapse_key(slots::document_id);
      if (request.sort == SortOrder::newest_first)
        enquire.set_sort_by_value_then_relevance(slots::date, true);
      if (request.sort == SortOrder::oldest_first)
        enquire.set_sort_by_value_then_relevance(slots::date, false);
      Xapian::ValueCountMatchSpy types(slots::type), departments(slots::department), years(slots::year);
      enquire.add_matchspy(&types);
      enquire.add_matchspy(&departments);
      enquire.add_matchspy(&years);
      Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(request.offset),
                                           static_cast<Xapian::doccount>(request.limit),
                                           static_cast<Xapian::doccount>(limits_.facet_check_at_least));
      SearchResult result;
      result.relaxed = relaxed;
      result.total = mset.get_matches_estimated();
      for (auto it = mset.begin(); it != mset.end(); ++it) result.hits.push_back(make_hit(enquire, it));
      result.facets["tip"] = facet(types);
      result.facets["dep"] = facet(departments);
      result.facets["an"] = facet(years);
      if (!corrected.empty() && corrected != request.query) {
        // Offer the correction only when it would find more than the query as typed.
        auto alternative = parse_query(corrected, reader_, nullptr);
        if (alternative.ok()) {
          Xapian::Enquire probe(reader_);
          probe.set_query(Xapian::Query(Xapian::Query::OP_FILTER, *alternative, filter(request)));
          if (probe.get_mset(0, 0, 1000).get_matches_estimated() > result.total)
            result.suggestion = corrected;
        }
      }
      return result;
    } catch (const Xapian::Error& e) {
      return translate(e, dir_.string());
    }
  }

  Result<std::uint64_t> version_count() const override {
    try {
      reader_.reopen();
      return static_cast<std::uint64_t>(reader_.get_doccount());
    } catch (const Xapian::Error& e) {
      return translate(e, dir_.string());
    }
  }

 private:
  // Number of matches, exact up to a thousand.
  Xapian::doccount count(const Xapian::Query& query) const {
    Xapian::Enquire probe(reader_);
    probe.set_query(query);
    return probe.get_mset(0, 0, 1000).get_matches_estimated();
  }

  // Permissions and version scope as a boolean filter inside the query.
  static Xapian::Query filter(const SearchRequest& request) {
    const Visibility& v = request.visibility;
    std::vector<Xapian::Query> visible{Xapian::Query(confidentiality_term("public"))};
    Xapian::Query departments;
    if (!v.all_departments) {
      std::vector<Xapian::Query> allowed{Xapian::Query(department_term(""))};
      for (const std::string& d : v.departments) allowed.emplace_back(department_term(d));
      departments = Xapian::Query(Xapian::Query::OP_OR, allowed.begin(), allowed.end());
    }
    auto within = [&](const std::string& level) {
      Xapian::Query q(confidentiality_term(level));
      return v.all_departments ? q : Xapian::Query(Xapian::Query::OP_FILTER, q, departments);
    };
    visible.push_back(within("internal"));
    if (v.restricted) visible.push_back(within("restricted-personal-data"));
    Xapian::Query allowed(Xapian::Query::OP_OR, visible.begin(), visible.end());
    if (request.all_versions) return allowed;
    return Xapian::Query(Xapian::Query::OP_FILTER, allowed, Xapian::Query(kCurrentTerm));
  }

  static std::vector<FacetValue> facet(const Xapian::ValueCountMatchSpy& spy) {
    std::vector<FacetValue> out;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it)
      if (!(*it).empty()) out.push_back({*it, it.get_termfreq()});
    std::stable_sort(out.begin(), out.end(),
                     [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
    return out;
  }

  SearchHit make_hit(const Xapian::Enquire& enquire, const Xapian::MSetIterator& it) const {
    auto data = nlohmann::json::parse(it.get_document().get_data(), nullptr, false);
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
    std::string body = data.value("body", "");
    hit.snippet = make_snippet(body.empty() ? hit.title : body, terms);
    if (hit.snippet.find("<mark>") == std::string::npos && !hit.title.empty()) {
      std::string title_snippet = make_snippet(hit.title, terms);
      if (title_snippet.find("<mark>") != std::string::npos && body.empty()) hit.snippet = title_snippet;
    }
    return hit;
  }

  fs::path dir_;
  IndexLimits limits_;
  std::optional<Xapian::WritableDatabase> writer_;
  mutable Xapian::Database reader_;
};

}  // namespace

Result<std::unique_ptr<SearchIndex>> open_xapian_index(const fs::path& dir, IndexAccess access,
                                                       const IndexLimits& limits) {
  try {
    if (access == IndexAccess::read) {
      std::error_code ec;
      if (!fs::exists(dir, ec))
        return make_error(ErrorCode::not_found, dir.string(), "no search index yet; run `dosar reindex`");
      Xapian::Database reader(dir.string());
      DOSAR_TRY(check_format(reader, dir));
      return std::unique_ptr<SearchIndex>(new XapianIndex(dir, limits, std::nullopt, reader));
    }
    int flags = access == IndexAccess::rebuild ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN;
    Xapian::WritableDatabase writer(dir.string(), flags);
    // Adding to an index of another format would label it with this one.
    if (access == IndexAccess::write) DOSAR_TRY(check_format(writer, dir));
    Xapian::Database reader = writer;
    return std::unique_ptr<SearchIndex>(new XapianIndex(dir, limits, writer, reader));
  } catch (const Xapian::Error& e) {
    return translate(e, dir.string());
  }
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
