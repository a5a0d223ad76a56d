#include "ingest/ingester.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/file_system.h"
#include "base/sha256.h"
#include "ingest/archive_index.h"
#include "ingest/derivation.h"
#include "ingest/file_type.h"
#include "ingest/input_walk.h"
#include "ingest/pdf_text.h"
#include "ocr/recognizer.h"

namespace dosar {
namespace fs = std::filesystem;

const char* ingest_status_name(IngestStatus status) {
  switch (status) {
    case IngestStatus::stored:
      return "stored";
    case IngestStatus::duplicate:
      return "duplicate";
    case IngestStatus::rejected:
      return "rejected";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kMagicBytes = 64 << 10;  // what libmagic looks at
// A batch of deferred files ends at this many files or bytes.
constexpr std::size_t kBatchFiles = 1024;
constexpr std::uint64_t kBatchBytes = 1024ull << 20;

// A file read, typed and staged in the spool, not yet in the archive.
struct Prepared {
  IngestItem item;
  std::string original_name;
  fs::path staged;  // empty unless the file was accepted
  std::string blob_id;
  DerivedFiles derived;                // empty when deferred
  std::optional<Error> archive_error;  // the spool, not the input, failed

  // Removes whatever this file left in the spool.
  void discard() {
    if (!staged.empty()) ::unlink(staged.c_str());
    staged.clear();
    derived.discard();
  }

  void reject(Error error) {
    item.status = IngestStatus::rejected;
    item.error = std::move(error);
    discard();
  }
};

// What one worker thread reuses from file to file: a libmagic cookie, and
// the threads that read the pages of every file with Tesseract.
struct WorkerTools {
  TypeDetector& detector;
  PageReaders& readers;
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status write_all(int fd, const char* data, std::size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::io, path.string(), "cannot write to the spool: " + errno_text(errno));
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return {};
}

std::string strip_extension(const std::string& name) {
  auto dot = name.rfind('.');
  return (dot == std::string::npos || dot == 0) ? name : name.substr(0, dot);
}

}  // namespace

struct Ingester::Impl {
  ArchiveStore& archive;
  IngestOptions options;
  PdfLibrary pdf_library;  // Poppler's global state, kept for the whole run

  Impl(ArchiveStore& a, IngestOptions o) : archive(a), options(std::move(o)) {}

  bool accepted(const std::string& mime) const {
    return std::find(options.accepted_types.begin(), options.accepted_types.end(), mime) !=
           options.accepted_types.end();
  }

  // Reads, types and stages one file. Everything wrong with the file itself
  // becomes a rejection; only spool failures are archive errors.
  // `order` ranks its pages among those of the other files (see PageReaders).
  Prepared prepare(const fs::path& path, WorkerTools& tools, std::uint64_t order) const {
    Prepared p;
    p.item.path = path.string();
    p.original_name = path.filename().string();
    const std::string name = path.string();

    FileDescriptor in(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (in.get() < 0) {
      p.reject(make_error(errno == ENOENT ? ErrorCode::not_found : ErrorCode::io, name,
                          "cannot open: " + errno_text(errno)));
      return p;
    }
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) {
      p.reject(make_error(ErrorCode::io, name, "cannot stat: " + errno_text(errno)));
      return p;
    }
    if (!S_ISREG(st.st_mode)) {
      p.reject(make_error(ErrorCode::unsupported, name, "not a regular file"));
      return p;
    }
    ::fcntl(in.get(), F_SETFL, ::fcntl(in.get(), F_GETFL) & ~O_NONBLOCK);
    if (st.st_size == 0) {
      p.reject(make_error(ErrorCode::invalid_argument, name, "empty file (0 bytes)"));
      return p;
    }
    const std::uint64_t max_bytes = options.limits.max_file_bytes;
    auto too_large = [&](std::uint64_t size) {
      return make_error(
          ErrorCode::limit_exceeded, name,
          "file has " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(max_bytes));
    };
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
      p.reject(too_large(static_cast<std::uint64_t>(st.st_size)));
      return p;
    }

    std::string buffer(kChunk, '\0');
    auto read_chunk = [&]() -> Result<std::size_t> {
      for (;;) {
        ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno != EINTR) return make_error(ErrorCode::io, name, "read failed: " + errno_text(errno));
      }
    };
    auto first = read_chunk();
    if (!first.ok()) {
      p.reject(first.error());
      return p;
    }
    std::string_view head(buffer.data(), *first);
    DetectedType type = tools.detector.detect(head.substr(0, kMagicBytes));
    p.item.mime_type = type.mime_type;
    std::string claimed = mime_type_claimed_by_name(p.original_name);
    if (!accepted(type.mime_type)) {
      type.description = tools.detector.describe(head.substr(0, kMagicBytes));
      std::string message = "content is " + type.mime_type +
                            (type.description.empty() ? "" : " (" + type.description + ")") +
                            ", which is not an accepted type";
      if (!claimed.empty() && claimed != type.mime_type) message += ", although the name suggests " + claimed;
      p.reject(make_error(ErrorCode::unsupported, name, message));
      return p;
    }
    if (!claimed.empty() && claimed != type.mime_type)
      p.item.warnings.push_back("the name suggests " + claimed + " but the content is " + type.mime_type +
                                "; stored as " + type.mime_type);

    // Copy into the spool while hashing: the archive keeps exactly the bytes read.
    p.staged = new_staging_path(archive.spool_dir());
    FileDescriptor out(::open(p.staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) {
      p.archive_error =
          make_error(ErrorCode::io, p.staged.string(), "cannot create in the spool: " + errno_text(errno));
      p.staged.clear();
      return p;
    }
    Sha256 hasher;
    std::uint64_t total = 0;
    std::size_t got = *first;
    while (got > 0) {
      total += got;
      if (total > max_bytes) {
        p.reject(too_large(total));  // the file grew while being read
        return p;
      }
      hasher.update(buffer.data(), got);
      Status written = write_all(out.get(), buffer.data(), got, p.staged);
      if (!written.ok()) {
        p.archive_error = written.error();
        ::unlink(p.staged.c_str());
        p.staged.clear();
        return p;
      }
      auto next = read_chunk();
      if (!next.ok()) {
        p.reject(next.error());
        return p;
      }
      got = *next;
    }
    p.blob_id = to_hex(hasher.finish());
    p.item.size = total;

    PdfLimits pdf_limits{options.limits.max_pdf_pages, options.limits.max_text_bytes,
                         options.limits.max_pdf_object_number};
    if (options.defer_derivation) {
      // Only what proves the file is what it claims (it opens, its pages
      // are within the limits); text and OCR come later, from the blob.
      if (type.mime_type == "application/pdf") {
        auto pdf = extract_pdf_text(p.staged, name, pdf_limits, PdfRead::structure);
        if (!pdf.ok()) {
          p.reject(pdf.error());
          return p;
        }
        p.item.page_count = pdf->page_count;
        for (const std::string& w : pdf->warnings) p.item.warnings.push_back(w);
      } else {
        auto count = count_image_pages(p.staged, type.mime_type, name, options.ocr_limits);
        if (!count.ok()) {
          p.reject(count.error());
          return p;
        }
        p.item.page_count = *count;
      }
      // Not synced here: the committer syncs a whole batch at once.
      p.item.status = IngestStatus::stored;
      return p;
    }
    DeriveOptions derive{options.ocr, options.ocr_languages, options.ocr_limits, pdf_limits};
    PdfDescription description{strip_extension(p.original_name),
                               options.department.empty() ? options.actor : options.department,
                               format_utc(system_clock().now())};
    if (options.title) description.title = *options.title;
    auto derived = derive_files(p.staged, type.mime_type, name, description, p.staged, derive, tools.readers,
                                order, nullptr, nullptr);
    if (!derived.ok()) {
      p.reject(derived.error());
      return p;
    }
    p.derived = std::move(derived).value();
    if (p.derived.archive_error) {
      p.archive_error = p.derived.archive_error;
      p.discard();
      return p;
    }
    p.item.page_count = p.derived.page_count;
    for (const std::string& w : p.derived.warnings) p.item.warnings.push_back(w);
    // Made durable here, on the worker, once the file is known to be
    // accepted, so that the committing thread (the bottleneck) finds the data
    // already on disk.
    if (::fsync(out.get()) != 0) {
      p.archive_error = make_error(ErrorCode::io, p.staged.string(), "fsync failed: " + errno_text(errno));
      p.discard();
      return p;
    }
    p.item.status = IngestStatus::stored;
    return p;
  }

  // The new version's description, blobs named but not yet stored.
  NewVersion describe(const Prepared& p, const std::string& comment) const {
    NewVersion v;
    v.original_blob_id = p.blob_id;
    v.original_name = p.original_name;
    v.mime_type = p.item.mime_type;
    v.size = p.item.size;
    v.page_count = p.item.page_count;
    v.ocr_confidence = p.derived.ocr_confidence;
    v.pages = p.derived.pages;
    v.comment = comment;
    v.warnings = p.item.warnings;
    v.derivation_pending = options.defer_derivation;
    return v;
  }

  // Makes the staged blobs durable; returns the new version's description.
  Result<NewVersion> store_blobs(Prepared& p, const std::string& comment) {
    NewVersion v = describe(p, comment);
    if (!p.derived.text_staged.empty()) {
      auto text = archive.blobs().put_staged_file(p.derived.text_staged, p.derived.text_id);
      if (!text.ok()) return text.error();
      p.derived.text_staged.clear();
      v.derived.push_back({"text", text->id, text->size, "text/plain; charset=utf-8"});
    }
    if (!p.derived.searchable_pdf.empty()) {
      auto pdf = archive.blobs().put_staged_file(p.derived.searchable_pdf, p.derived.searchable_pdf_id);
      if (!pdf.ok()) return pdf.error();
      p.derived.searchable_pdf.clear();
      v.derived.push_back({"searchable-pdf", pdf->id, pdf->size, "application/pdf"});
    }
    auto original = archive.blobs().put_staged_file(p.staged, p.blob_id);
    if (!original.ok()) return original.error();
    p.staged.clear();
    v.original_blob_id = original->id;
    return v;
  }

  NewDocument new_document(const Prepared& p, NewVersion version) const {
    NewDocument d;
    d.title = options.title.value_or(strip_extension(p.original_name));
    d.document_type = options.document_type;
    d.department = options.department;
    d.confidentiality = options.confidentiality;
    d.first_version = std::move(version);
    return d;
  }

  // True when `p` needs no commit: rejected, or its original is archived
  // already (then it is reported as a duplicate of that document). Errors:
  // the spool's failure while preparing it, the catalogue's.
  Result<bool> settled_before_commit(Prepared& p) {
    if (p.archive_error) return *p.archive_error;
    if (p.item.status == IngestStatus::rejected) return true;
    auto existing = archive.catalog().find_document_with_original(p.blob_id);
    if (!existing.ok()) return existing.error();
    if (!*existing) return false;
    p.discard();
    p.item.status = IngestStatus::duplicate;
    p.item.document_id = **existing;
    return true;
  }

  // Stores a batch of deferred files with one durability barrier for all
  // their blobs and one catalogue transaction: what makes `ingest --defer`
  // as fast as copying. Rejected items pass through untouched.
  Status commit_batch(std::vector<Prepared>& batch) {
    std::vector<BlobStore::Staged> staged;
    std::vector<Prepared*> accepted;
    for (Prepared& p : batch) {
      auto settled = settled_before_commit(p);
      if (!settled.ok()) return settled.error();
      if (*settled) continue;
      staged.push_back({p.staged, p.blob_id});
      accepted.push_back(&p);
    }
    if (accepted.empty()) return {};
    auto stored = archive.blobs().put_staged_files(staged);
    if (!stored.ok()) return stored.error();
    std::vector<NewDocument> documents;
    for (Prepared* p : accepted) {
      p->staged.clear();  // consumed by the store
      documents.push_back(new_document(*p, describe(*p, "")));
    }
    auto outcomes = archive.catalog().create_documents_unless_duplicate(documents, options.actor);
    if (!outcomes.ok()) return outcomes.error();
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      accepted[i]->item.status = (*outcomes)[i].created ? IngestStatus::stored : IngestStatus::duplicate;
      accepted[i]->item.document_id = (*outcomes)[i].document.id;
    }
    return {};
  }

  Status commit(Prepared& p) {
    auto settled = settled_before_commit(p);
    if (!settled.ok()) return settled.error();
    if (*settled) return {};
    auto version = store_blobs(p, "");
    if (!version.ok()) return version.error();
    NewDocument d = new_document(p, std::move(version).value());
    auto outcome = archive.catalog().create_document_unless_duplicate(d, options.actor);
    if (!outcome.ok()) return outcome.error();
    p.item.status = outcome->created ? IngestStatus::stored : IngestStatus::duplicate;
    p.item.document_id = outcome->document.id;
    return {};
  }
};

Ingester::Ingester(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ingester::~Ingester() = default;

Result<std::unique_ptr<Ingester>> Ingester::create(ArchiveStore& archive, IngestOptions options) {
  auto probe = TypeDetector::create();  // fail early when libmagic is unusable
  if (!probe.ok()) return probe.error();
  if (options.jobs < 1) options.jobs = 1;
  remove_abandoned_staging_files(archive.spool_dir());
  return std::unique_ptr<Ingester>(new Ingester(std::make_unique<Impl>(archive, std::move(options))));
}

Status Ingester::ingest(const std::vector<fs::path>& inputs,
                        const std::function<void(const IngestItem&)>& report,
                        const std::function<void(std::size_t)>& found) {
  std::vector<InputFile> files = expand_inputs(inputs, impl_->options.limits.max_folder_depth);
  const std::size_t count = files.size();
  if (found) found(count);
  const std::size_t jobs = std::min<std::size_t>(static_cast<std::size_t>(impl_->options.jobs), count);
  // Workers prepare files ahead of the committer, at most `window` ahead, so
  // that the spool holds a bounded number of staged files.
  const std::size_t window = impl_->options.defer_derivation ? kBatchFiles * 2 : jobs * 4;
  // OCR reads pages on `jobs` threads, one engine each, pages of all files
  // alike; twice as many file workers keep them fed with the next file's
  // pages while one waits for its last page.
  const bool reading = impl_->options.ocr && !impl_->options.defer_derivation;
  PageReaders readers(reading ? static_cast<int>(jobs) : 0);
  const std::size_t file_workers = reading ? std::min<std::size_t>(jobs * 2, count) : jobs;
  std::vector<std::optional<Prepared>> slots(count);
  std::mutex mutex;
  std::condition_variable ready, space;
  std::size_t next_to_prepare = 0, next_to_commit = 0;
  bool stopping = false;

  auto prepare_one = [&](std::size_t i, WorkerTools& tools) {
    if (files[i].error) {
      Prepared p;
      p.item.path = files[i].path.string();
      p.item.status = IngestStatus::rejected;
      p.item.error = files[i].error;
      return p;
    }
    return impl_->prepare(files[i].path, tools, i);
  };

  auto worker = [&]() {
    auto detector = TypeDetector::create();
    std::optional<WorkerTools> tools;
    if (detector.ok()) tools.emplace(WorkerTools{**detector, readers});
    for (;;) {
      std::size_t i;
      {
        std::unique_lock lock(mutex);
        space.wait(lock, [&] { return stopping || next_to_prepare < next_to_commit + window; });
        if (stopping || next_to_prepare >= count) return;
        i = next_to_prepare++;
      }
      Prepared p;
      if (!tools) {
        p.item.path = files[i].path.string();
        p.archive_error = detector.error();
      } else {
        p = prepare_one(i, *tools);
      }
      {
        std::lock_guard lock(mutex);
        slots[i] = std::move(p);
      }
      ready.notify_all();
    }
  };

  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < file_workers; ++t) threads.emplace_back(worker);

  // Deferred files are committed in batches (one sync, one transaction);
  // the others one by one, as each is derived.
  const bool batched = impl_->options.defer_derivation;
  std::vector<Prepared> batch;
  std::uint64_t batch_bytes = 0;
  auto flush = [&](std::size_t committed_up_to) -> Status {
    Status committed = impl_->commit_batch(batch);
    for (Prepared& p : batch) {
      if (!committed.ok()) {
        p.discard();
        continue;
      }
      report(p.item);
    }
    batch.clear();
    batch_bytes = 0;
    {
      std::lock_guard lock(mutex);
      next_to_commit = committed_up_to;
    }
    space.notify_all();
    return committed;
  };
  Status result;
  for (std::size_t i = 0; i < count; ++i) {
    Prepared p;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return slots[i].has_value(); });
      p = std::move(*slots[i]);
      slots[i].reset();
    }
    if (batched) {
      batch_bytes += p.item.size;
      batch.push_back(std::move(p));
      if (batch.size() >= kBatchFiles || batch_bytes >= kBatchBytes || i + 1 == count) {
        result = flush(i + 1);
        if (!result.ok()) break;
      }
      continue;
    }
    Status committed = impl_->commit(p);
    if (!committed.ok()) {
      p.discard();
      result = committed;
      break;
    }
    report(p.item);
    {
      std::lock_guard lock(mutex);
      next_to_commit = i + 1;
    }
    space.notify_all();
  }
  for (Prepared& p : batch) p.discard();
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  space.notify_all();
  readers.stop();  // after a failure: pages not started are not read
  for (auto& t : threads) t.join();
  for (auto& slot : slots)
    if (slot) slot->discard();
  if (!result.ok()) return result;
  return update_search_index();
}

Status Ingester::update_search_index() {
  Status indexed = sync_search_index(impl_->archive);
  if (indexed.ok()) return {};
  // The documents are stored and their changes stay queued for the next run.
  Error e = indexed.error();
  e.message = "documents stored, but the search index was not updated (" + e.message +
              "); the next ingest or `dosar reindex` will catch up";
  return e;
}

Result<Version> Ingester::add_version(DocumentId id, const fs::path& file, const std::string& comment) {
  auto current = impl_->archive.catalog().document(id);
  if (!current.ok()) return current.error();
  auto detector = TypeDetector::create();
  if (!detector.ok()) return detector.error();
  std::error_code ec;
  if (fs::is_directory(file, ec))
    return make_error(ErrorCode::invalid_argument, file.string(), "is a folder; a version is one file");
  PageReaders readers(0);  // the pages are read on this thread
  WorkerTools tools{**detector, readers};
  Prepared p = impl_->prepare(file, tools, 0);
  if (p.archive_error) return *p.archive_error;
  if (p.item.status == IngestStatus::rejected) return *p.item.error;
  auto latest = impl_->archive.catalog().version(id, current->current_version);
  if (!latest.ok()) {
    p.discard();
    return latest.error();
  }
  if (latest->original_blob_id == p.blob_id) {
    p.discard();
    return make_error(ErrorCode::conflict, file.string(),
                      "identical to the current version " + std::to_string(latest->number) + " of document " +
                          std::to_string(id));
  }
  auto version = impl_->store_blobs(p, comment);
  if (!version.ok()) {
    p.discard();
    return version.error();
  }
  auto added = impl_->archive.catalog().add_version(id, *version, impl_->options.actor);
  if (!added.ok()) return added;
  DOSAR_TRY(update_search_index());
  return added;
}

}  // namespace dosar
