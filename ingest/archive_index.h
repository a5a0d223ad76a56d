// Keeping the search index in step with the archive, and searching it with a
// user's permissions. The catalogue queues every change in the transaction
// that makes it (storage/catalog.h, IndexWork); these functions carry queued
// changes into the index, so a crash between the two loses nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "index/search_index.h"
#include "storage/archive_store.h"

namespace dosar {

using Progress = std::function<void(std::size_t done, std::size_t total)>;

// Indexes every queued change. Waits up to `lock_wait` for another process
// that holds the index's write lock. Errors: conflict (still locked), io, corrupt.
Status sync_search_index(ArchiveStore& archive, const Progress& progress = nullptr,
                         std::chrono::seconds lock_wait = std::chrono::seconds(30));

// Builds a new index from the catalogue and blobs beside the old one and
// swaps it in; searches keep working on the old one meanwhile. Remote
// shards are rebuilt in place: every document put again, then the rest
// removed (documents moved by a changed list of shards answer twice until
// then).
Status rebuild_search_index(ArchiveStore& archive, const Progress& progress = nullptr);

struct IndexCompaction {
  std::uint64_t bytes_before = 0, bytes_after = 0;
};

// Rewrites the local index compacted (Xapian's compaction, as
// `xapian-compact`) and swaps it in, without reading the catalogue or the
// blobs: an index grown by ingest holds its postings in half-full blocks,
// about twice the room, and is slower to search. Minutes where a rebuild
// takes an hour. Searches and writers go on meanwhile; the copy is swapped
// in under the index's write lock (waiting up to `lock_wait` for it) when
// no commit came in between, else compacted again, the third time under the
// lock (changes stored then stay queued and are indexed after). Errors:
// invalid_argument (remote shards, compacted on their servers), not_found
// (no index yet), conflict (still locked), io, corrupt.
Result<IndexCompaction> compact_search_index(ArchiveStore& archive,
                                             std::chrono::seconds lock_wait = std::chrono::seconds(30));

// Where the archive's index lives: the locator a front end set on the
// archive (`--index`), else the `index` key of ARCHIVE/config.json (a
// relative `xapian:DIR` is relative to the archive), else ARCHIVE/index.
// Errors: invalid_argument (a malformed locator, naming where it came from),
// and those of read_archive_config.
Result<IndexLocation> index_location(const ArchiveStore& archive);

// What `user` may see; with no user (the archive's owner at the command
// line) everything.
Visibility visibility_of(const std::optional<User>& user);

// Searches with the permissions of `as_user` (none: everything). Errors:
// not_found (unknown user, or no index yet), and those of SearchIndex::search.
Result<SearchResult> search_archive(const ArchiveStore& archive, SearchRequest request,
                                    const std::optional<std::string>& as_user);

}  // namespace dosar
