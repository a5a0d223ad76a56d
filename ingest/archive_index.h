// Keeping the search index in step with the archive, and searching it with a
// user's permissions. The catalogue queues every change in the transaction
// that makes it (storage/catalog.h, IndexWork); these functions carry queued
// changes into the index, so a crash between the two loses nothing.
#pragma once

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
// swaps it in; searches keep working on the old one meanwhile.
Status rebuild_search_index(ArchiveStore& archive, const Progress& progress = nullptr);

// What `user` may see; with no user (the archive's owner at the command
// line) everything.
Visibility visibility_of(const std::optional<User>& user);

// Searches with the permissions of `as_user` (none: everything). Errors:
// not_found (unknown user, or no index yet), and those of SearchIndex::search.
Result<SearchResult> search_archive(const ArchiveStore& archive, SearchRequest request,
                                    const std::optional<std::string>& as_user);

}  // namespace dosar
