#include "ingest/archive_index.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <thread>

#include "base/clock.h"
#include "base/file_system.h"
#include "storage/archive_config.h"

namespace dosar {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBatch = 500;

// One record per version; the current one marked.
Result<std::vector<IndexRecord>> records_of(const ArchiveStore& archive, DocumentId id) {
  auto document = archive.catalog().document(id);
  if (!document.ok()) return document.error();
  std::vector<IndexRecord> out;
  // A document disposed of (records/) has no content left to find.
  if (document->status == "disposed") return out;
  auto versions = archive.catalog().versions(id);
  if (!versions.ok()) return versions.error();
  for (const Version& v : *versions) {
    IndexRecord r;
    r.document_id = id;
    r.version = v.number;
    r.current = v.number == document->current_version;
    r.title = document->title;
    r.file_name = v.original_name;
    r.registry_number = document->registry_number.value_or("");
    r.document_type = document->document_type;
    r.department = document->department;
    r.confidentiality = document->confidentiality;
    r.status = document->status;
    r.date = bucharest_date(document->created_at);
    for (const DerivedBlob& b : v.derived) {
      if (b.kind != "text") continue;
      auto text = archive.blobs().read(b.blob_id, Verify::hash);
      if (!text.ok()) return text.error();
      r.body = std::move(text).value();
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::unique_ptr<SearchIndex>> open_for_writing(const IndexLocation& location, IndexAccess access,
                                                      std::chrono::seconds lock_wait) {
  auto deadline = std::chrono::steady_clock::now() + lock_wait;
  auto delay = std::chrono::milliseconds(50);
  for (;;) {
    auto index = open_search_index(location, access);
    if (index.ok() || index.error().code != ErrorCode::conflict ||
        std::chrono::steady_clock::now() >= deadline)
      return index;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

Status drain_queue(ArchiveStore& archive, SearchIndex& index, const Progress& progress,
                   std::int64_t up_to_seq) {
  std::size_t done = 0;
  for (;;) {
    auto work = archive.catalog().pending_index_work(kBatch);
    if (!work.ok()) return work.error();
    std::vector<IndexWork> batch;
    for (const IndexWork& w : *work)
      if (up_to_seq == 0 || w.seq <= up_to_seq) batch.push_back(w);
    if (batch.empty()) return {};
    std::map<DocumentId, bool> documents;
    for (const IndexWork& w : batch) documents[w.document_id] = true;
    std::vector<IndexRecord> records;
    for (const auto& [id, unused] : documents) {
      auto r = records_of(archive, id);
      if (!r.ok()) return r.error();
      if (r->empty()) DOSAR_TRY(index.remove_document(id));
      for (auto& record : *r) records.push_back(std::move(record));
    }
    DOSAR_TRY(index.put(records));
    DOSAR_TRY(archive.catalog().mark_indexed(batch.back().seq));
    done += documents.size();
    if (progress) progress(done, done);
  }
}

}  // namespace

Status sync_search_index(ArchiveStore& archive, const Progress& progress, std::chrono::seconds lock_wait) {
  auto pending = archive.catalog().pending_index_work(1);
  if (!pending.ok()) return pending.error();
  if (pending->empty()) return {};
  auto location = index_location(archive);
  if (!location.ok()) return location.error();
  auto index = open_for_writing(*location, IndexAccess::write, lock_wait);
  if (!index.ok()) return index.error();
  return drain_queue(archive, **index, progress, 0);
}

namespace {

// Puts every version of every document of the catalogue; returns the ids of
// the documents put (disposed ones have nothing to put), ascending.
Result<std::vector<std::int64_t>> put_all(ArchiveStore& archive, SearchIndex& index,
                                          const Progress& progress) {
  auto documents = archive.catalog().documents();
  if (!documents.ok()) return documents.error();
  std::size_t total = documents->size(), done = 0;
  std::vector<IndexRecord> batch;
  std::vector<std::int64_t> ids;
  for (const Document& d : *documents) {
    auto records = records_of(archive, d.id);
    if (!records.ok()) return records.error();
    if (!records->empty()) ids.push_back(d.id);
    for (auto& r : *records) batch.push_back(std::move(r));
    ++done;
    if (batch.size() >= kBatch || done == total) {
      DOSAR_TRY(index.put(batch));
      batch.clear();
      if (progress) progress(done, total);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Puts the index `fresh` in the place of `current` (if any), which goes to
// `old`: two renames in one directory, so a search opens one or the other.
Status swap_in(const fs::path& fresh, const fs::path& current, const fs::path& old) {
  std::error_code ec;
  if (fs::exists(current, ec)) {
    fs::rename(current, old, ec);
    if (ec)
      return make_error(ErrorCode::io, current.string(), "cannot move the old index aside: " + ec.message());
  }
  fs::rename(fresh, current, ec);
  if (ec)
    return make_error(ErrorCode::io, current.string(), "cannot put the new index in place: " + ec.message());
  return {};
}

// A local index is built beside the old one, compacted (built by a commit
// per batch, it is about twice as big in its postings as it needs to be)
// and swapped in by rename.
Status rebuild_local(ArchiveStore& archive, const fs::path& current, const Progress& progress) {
  const std::string pid = std::to_string(::getpid());
  fs::path building = current.parent_path() / (current.filename().string() + ".building-" + pid);
  fs::path fresh = current.parent_path() / (current.filename().string() + ".new-" + pid);
  fs::path old = current.parent_path() / (current.filename().string() + ".old-" + pid);
  std::error_code ec;
  fs::remove_all(building, ec);
  fs::remove_all(fresh, ec);
  {
    auto index = open_search_index(IndexLocation{building, {}}, IndexAccess::rebuild);
    if (!index.ok()) return index.error();
    auto put = put_all(archive, **index, progress);
    if (!put.ok()) return put.error();
  }
  auto compacted = compact_xapian_index(building, fresh);
  fs::remove_all(building, ec);
  if (!compacted.ok()) return compacted.error();
  DOSAR_TRY(swap_in(fresh, current, old));
  fs::remove_all(old, ec);
  return {};
}

// Remote shards cannot be swapped: every document is put again over the old
// index (searches keep answering meanwhile), then whatever the catalogue no
// longer has, or that sits on a shard no longer its own, is removed.
Status rebuild_in_place(ArchiveStore& archive, const IndexLocation& location, const Progress& progress) {
  auto index = open_for_writing(location, IndexAccess::write, std::chrono::seconds(30));
  if (!index.ok()) return index.error();
  auto put = put_all(archive, **index, progress);
  if (!put.ok()) return put.error();
  return (*index)->remove_documents_except(*put);
}

}  // namespace

Status rebuild_search_index(ArchiveStore& archive, const Progress& progress) {
  auto location = index_location(archive);
  if (!location.ok()) return location.error();
  // Everything committed before now is in the catalogue; queue it all and
  // build the new index from the queue, up to the last row queued here.
  DOSAR_TRY(archive.catalog().queue_all_for_indexing());
  auto last = archive.catalog().pending_index_work(SIZE_MAX);
  if (!last.ok()) return last.error();
  std::int64_t up_to = last->empty() ? 0 : last->back().seq;
  DOSAR_TRY(location->remote() ? rebuild_in_place(archive, *location, progress)
                               : rebuild_local(archive, location->dir, progress));
  if (up_to > 0) DOSAR_TRY(archive.catalog().mark_indexed(up_to));
  // Changes made while rebuilding are still queued.
  return sync_search_index(archive, nullptr);
}

Result<IndexCompaction> compact_search_index(ArchiveStore& archive, std::chrono::seconds lock_wait) {
  auto location = index_location(archive);
  if (!location.ok()) return location.error();
  if (location->remote())
    return make_error(
        ErrorCode::invalid_argument, "index shards",
        "are compacted on their servers (xapian-compact, with the shard's xapian-tcpsrv stopped)");
  const fs::path current = location->dir;
  std::error_code ec;
  if (!fs::exists(current, ec))
    return make_error(ErrorCode::not_found, current.string(), "no search index yet; run `dosar reindex`");
  const std::string pid = std::to_string(::getpid());
  fs::path fresh = current.parent_path() / (current.filename().string() + ".new-" + pid);
  fs::path old = current.parent_path() / (current.filename().string() + ".old-" + pid);
  fs::remove_all(fresh, ec);
  IndexCompaction done;
  done.bytes_before = bytes_on_disk(current);
  // Compacted without the write lock, so that ingest goes on meanwhile, and
  // swapped in under it only when nothing was committed since. After two
  // such misses, compacted under the lock: whatever is stored then stays
  // queued in the catalogue (ingest waits for the lock, then leaves it
  // queued) and goes into the new index below.
  constexpr int kAttemptsUnlocked = 2;
  for (int attempt = 0;; ++attempt) {
    const bool locked_throughout = attempt == kAttemptsUnlocked;
    Result<std::unique_ptr<SearchIndex>> writer = std::unique_ptr<SearchIndex>();
    if (locked_throughout) {
      writer = open_for_writing(*location, IndexAccess::write, lock_wait);
      if (!writer.ok()) return writer.error();
    }
    fs::remove_all(fresh, ec);
    auto compacted = compact_xapian_index(current, fresh);
    if (!compacted.ok()) {
      fs::remove_all(fresh, ec);
      if (locked_throughout) return compacted.error();
      continue;  // (a reader can lose its revision to two commits in a row)
    }
    if (!locked_throughout) {
      writer = open_for_writing(*location, IndexAccess::write, lock_wait);
      auto revision = writer.ok() ? xapian_index_revision(current) : Result<std::uint64_t>(writer.error());
      if (!revision.ok()) {
        fs::remove_all(fresh, ec);
        return revision.error();
      }
      if (*revision != *compacted) continue;  // committed to meanwhile: once more
    }
    Status swapped = swap_in(fresh, current, old);
    if (!swapped.ok()) {
      fs::remove_all(fresh, ec);
      return swapped.error();
    }
    break;
  }
  fs::remove_all(old, ec);
  done.bytes_after = bytes_on_disk(current);
  DOSAR_TRY(sync_search_index(archive, nullptr, lock_wait));
  return done;
}

Result<IndexLocation> index_location(const ArchiveStore& archive) {
  if (archive.index_locator()) return parse_index_locator(*archive.index_locator());
  auto config = read_archive_config(archive.root());
  if (!config.ok()) return config.error();
  auto configured = config->get("index");
  if (!configured) return IndexLocation{archive.index_dir(), {}};
  auto location = parse_index_locator(*configured);
  if (!location.ok())
    return make_error(ErrorCode::invalid_argument, config->file().string(),
                      "key 'index': " + location.error().to_string());
  // A directory in the archive's configuration is relative to the archive.
  if (!location->remote() && location->dir.is_relative()) location->dir = archive.root() / location->dir;
  return location;
}

Visibility visibility_of(const std::optional<User>& user) {
  if (!user) return Visibility::everything();
  return Visibility{user->all_departments, user->departments, user->restricted_access};
}

Result<SearchResult> search_archive(const ArchiveStore& archive, SearchRequest request,
                                    const std::optional<std::string>& as_user) {
  std::optional<User> user;
  if (as_user) {
    auto found = archive.catalog().user(*as_user);
    if (!found.ok()) return found.error();
    user = std::move(found).value();
  }
  request.visibility = visibility_of(user);
  auto location = index_location(archive);
  if (!location.ok()) return location.error();
  auto index = open_search_index(*location, IndexAccess::read);
  if (!index.ok()) return index.error();
  return (*index)->search(request);
}

}  // namespace dosar
