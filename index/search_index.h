// Full-text search over document records: Xapian, Romanian stemming,
// matching insensitive to case and diacritics (ş ș ţ ț included), facets,
// snippets in the original spelling, and permissions applied inside the query
// so that totals, facets and snippets only cover what the caller may see.
// index/'s public header; it knows nothing of storage. Terms and value slots
// are documented in docs/formats/search-index.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace dosar {

// One version of one document, as the index sees it.
struct IndexRecord {
  std::int64_t document_id = 0;
  int version = 0;
  bool current = true;  // the document's current version
  std::string title;
  std::string body;  // extracted or recognised text, UTF-8
  std::string file_name;
  std::string registry_number;
  std::string document_type;
  std::string department;
  std::string confidentiality;  // public, internal, restricted-personal-data
  std::string sender;
  std::string status;
  std::string date;  // YYYY-MM-DD: registration date, else creation date (Bucharest)
};

// Who may see what. A document is visible when it is public; when it is
// internal and its department is one of `departments` (or `all_departments`,
// or it has no department); when it is restricted-personal-data and, in
// addition, `restricted` is set.
struct Visibility {
  bool all_departments = false;
  std::vector<std::string> departments;
  bool restricted = false;

  static Visibility everything() { return {true, {}, true}; }
  // The rule the search filter applies, for one document: public is seen by
  // all; internal by its department (or all departments); restricted
  // personal data only with `restricted` as well. Department names compare
  // folded (case and diacritics); a document without department is
  // everyone's.
  bool allows(const std::string& department, const std::string& confidentiality) const;
};

enum class SortOrder { relevance, newest_first, oldest_first };

struct SearchRequest {
  std::string query;
  std::size_t offset = 0;
  std::size_t limit = 10;
  bool all_versions = false;
  SortOrder sort = SortOrder::relevance;
  Visibility visibility;
};

struct SearchHit {
  std::int64_t document_id = 0;
  int version = 0;
  std::string title;
  std::string registry_number;
  std::string document_type;
  std::string department;
  std::string date;
  int score = 0;  // percent, 0..100
  // HTML-escaped excerpt of the body (or title) in its original spelling,
  // with matched words between <mark> and </mark>.
  std::string snippet;
};

struct FacetValue {
  std::string value;
  std::uint64_t count = 0;
};

struct SearchResult {
  std::uint64_t total = 0;  // Xapian's estimate, exact for small result sets
  // False when more matched than were examined (IndexLimits::
  // facet_check_at_least): `total` is then an estimate, and the facet counts,
  // taken from the matches examined, are scaled up to it.
  bool exact = true;
  std::vector<SearchHit> hits;
  // "tip", "dep", "an" -> values by descending count.
  std::map<std::string, std::vector<FacetValue>> facets;
  std::optional<std::string> suggestion;  // corrected query, when a word is unknown
  // No document has all the words of a plain-words query; these have most of
  // them (an OCR-damaged or misspelt word no longer hides a document).
  bool relaxed = false;
};

struct IndexLimits {
  std::size_t max_query_bytes = 1024;
  std::size_t max_indexed_text_bytes = 16u << 20;  // per version
  std::size_t max_stored_text_bytes = 256u << 10;  // kept for snippets
  std::size_t max_limit = 1000;                    // results per page
  // Matches examined for facet counts; counts are exact below this, and
  // scaled to the estimated total above (SearchResult::exact). No time
  // limit on examining them: Xapian 1.4's Enquire::set_time_limit arms a
  // POSIX timer whose thread may still write into a search's stack after
  // the search returned (`dosar serve` crashed within seconds under 16
  // concurrent searches of a 100,000-document archive, bench/RESULTS.md).
  std::size_t facet_check_at_least = 20000;
  // Local indexes of at least this many versions count the facets from
  // memory (index/facet_table.h: a table by docid, read in the background
  // after each commit, about 0.2 s at 1,000,000 versions); smaller ones,
  // remote shards, and searches while the table is being read, read the
  // values of each match from the index, which costs three times as much.
  std::size_t facet_table_at_least = 20000;
  // How long a remote shard may take to accept a connection or to answer
  // a search before it counts as gone (milliseconds).
  unsigned shard_timeout_ms = 10000;
};

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;

  // Adds or replaces the given versions and commits. Errors: io, permission
  // (read-only index), conflict (another process holds the write lock).
  virtual Status put(const std::vector<IndexRecord>& records) = 0;
  // Removes every version of a document and commits.
  virtual Status remove_document(std::int64_t document_id) = 0;

  // Errors: invalid_argument (malformed query, with the reason),
  // limit_exceeded (query too long), corrupt, io.
  virtual Result<SearchResult> search(const SearchRequest& request) const = 0;

  virtual Result<std::uint64_t> version_count() const = 0;

  // Removes every document whose id is not in `keep` (sorted ascending), and
  // every document kept on a shard that is not its own, then commits: the
  // end of a rebuild in place (remote shards cannot be swapped like a
  // directory). Errors: those of put.
  virtual Status remove_documents_except(const std::vector<std::int64_t>& keep) = 0;
};

enum class IndexAccess { read, write, rebuild };

// Opens (and for write/rebuild creates) the Xapian database in `dir`.
// `rebuild` starts from an empty database. Errors: not_found (read, no
// index), conflict (write lock held), corrupt, io.
Result<std::unique_ptr<SearchIndex>> open_xapian_index(const std::filesystem::path& dir, IndexAccess access,
                                                       const IndexLimits& limits = {});

// Writes a compacted copy of the local index `from` into the directory `to`
// (which must not exist yet), as `xapian-compact` does: every table
// rewritten full, in order. An index built by many commits is about half
// as big in its postings and a third quicker to search (bench/RESULTS.md).
// Returns the revision of `from` that was compacted (Xapian's commit
// count): a writer may commit meanwhile. Errors: io, corrupt.
Result<std::uint64_t> compact_xapian_index(const std::filesystem::path& from,
                                           const std::filesystem::path& to);

// The revision (commit count) of the local index `dir`. Errors: not_found, io, corrupt.
Result<std::uint64_t> xapian_index_revision(const std::filesystem::path& dir);

// Where an index lives, as written in `--index` and the `index` key of
// ARCHIVE/config.json:
//   xapian:DIR                          a local Xapian database
//   xapian-tcp://HOST:PORT[,HOST:PORT…]  shards served by `xapian-tcpsrv`
//                                        (`--writable` for put and remove)
struct IndexShard {
  std::string host;
  unsigned port = 0;
  std::string name() const;  // "host:port", "[::1]:port"
};
struct IndexLocation {
  std::filesystem::path dir;       // local, when `shards` is empty
  std::vector<IndexShard> shards;  // remote, in the order given
  bool remote() const { return !shards.empty(); }
};
inline constexpr std::size_t kMaxIndexShards = 64;
// Errors: invalid_argument naming the locator and what is wrong (unknown
// scheme, empty directory, bad or repeated host:port, more than
// kMaxIndexShards shards).
Result<IndexLocation> parse_index_locator(const std::string& locator);

// The shard that holds every version of a document: its id modulo the
// number of shards, counting from 0 in the locator's order. Stable as long
// as the list is; a changed list needs `dosar reindex`, which moves each
// document to its new shard.
std::size_t shard_of(std::int64_t document_id, std::size_t shard_count);

// Opens the index at `location`. Remote shards are combined into one Xapian
// database for searching, so ranking statistics, totals, facets, sorting,
// paging and collapsing are computed over all of them as over one local
// database; each version is written to shard_of(its document). `rebuild`
// empties every shard. A shard that cannot be reached, at open or during a
// search, fails the call with io naming it ("index shard HOST:PORT"): a
// search never answers without a shard's documents. Errors: as
// open_xapian_index, and io for an unreachable shard.
Result<std::unique_ptr<SearchIndex>> open_search_index(const IndexLocation& location, IndexAccess access,
                                                       const IndexLimits& limits = {});

}  // namespace dosar
