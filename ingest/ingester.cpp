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

// A file read, typed and staged in the spool, not yet in the archive.
struct Prepared {
  IngestItem item;
  std::string original_name;
  fs::path staged;  // empty unless the file was accepted
  std::string blob_id;
  fs::path text_staged;  // extracted or recognised text, staged in the spool
  std::string text_id;
  std::optional<double> ocr_confidence;  // mean over the OCRed pages
  std::vector<PageInfo> pages;
  std::optional<Error> archive_error;  // the spool, not the input, failed

  fs::path searchable_pdf;  // staged OCR output, when every page was scanned
  std::string searchable_pdf_id;

  // Removes whatever this file left in the spool.
  void discard() {
    for (fs::path* file : {&staged, &text_staged, &searchable_pdf}) {
      if (!file->empty()) ::unlink(file->c_str());
      file->clear();
    }
  }

  void reject(Error error) {
    item.status = IngestStatus::rejected;
    item.error = std::move(error);
    discard();
  }
};

// What one worker thread reuses from file to file: a libmagic cookie and,
// created on first need, a Tesseract engine.
struct WorkerTools {
  TypeDetector& detector;
  std::unique_ptr<Recognizer> recognizer;
  std::optional<Error> recognizer_error;

  Recognizer* recognizer_for(const std::string& languages) {
    if (!recognizer && !recognizer_error) {
      auto created = Recognizer::create(languages);
      if (created.ok())
        recognizer = std::move(created).value();
      else
        recognizer_error = created.error();
    }
    return recognizer.get();
  }
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

Result<std::string> hash_file(const fs::path& path) {
  FileDescriptor in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return make_error(ErrorCode::io, path.string(), "cannot open: " + errno_text(errno));
  Sha256 hasher;
  std::string buffer(kChunk, '\0');
  for (;;) {
    ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return make_error(ErrorCode::io, path.string(), "read failed: " + errno_text(errno));
    if (got == 0) return to_hex(hasher.finish());
    hasher.update(buffer.data(), static_cast<std::size_t>(got));
  }
}

bool is_blank(const std::string& text) {
  for (unsigned char c : text)
    if (c > ' ') return false;
  return true;
}

// Page texts from Poppler's form-feed-separated text, padded to `count`.
std::vector<std::string> split_pages(const std::string& text, int count) {
  std::vector<std::string> pages(1);
  for (char c : text) {
    if (c == '\f')
      pages.emplace_back();
    else
      pages.back() += c;
  }
  pages.resize(static_cast<std::size_t>(std::max(count, 1)));
  return pages;
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
  Prepared prepare(const fs::path& path, WorkerTools& tools) const {
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

    std::vector<std::string> pages;  // text per page; empty where OCR should read it
    bool is_pdf = type.mime_type == "application/pdf";
    if (is_pdf) {
      PdfLimits limits{options.limits.max_pdf_pages, options.limits.max_text_bytes,
                       options.limits.max_pdf_object_number};
      auto pdf = extract_pdf_text(p.staged, name, limits);
      if (!pdf.ok()) {
        p.reject(pdf.error());
        return p;
      }
      p.item.page_count = pdf->page_count;
      for (const std::string& w : pdf->warnings) p.item.warnings.push_back(w);
      pages = split_pages(pdf->text, pdf->page_count);
    } else {
      auto count = count_image_pages(p.staged, type.mime_type, name, options.ocr_limits);
      if (!count.ok()) {
        p.reject(count.error());
        return p;
      }
      p.item.page_count = *count;
      pages.assign(static_cast<std::size_t>(*count), "");
    }
    p.pages.resize(pages.size());
    for (std::size_t i = 0; i < pages.size(); ++i) {
      p.pages[i].page = static_cast<int>(i + 1);
      if (!is_blank(pages[i])) p.pages[i].text_source = "text-layer";
    }
    if (options.ocr) {
      auto read = recognize_blank_pages(p, pages, is_pdf, name, tools);
      if (!read.ok()) {
        p.reject(read.error());
        return p;
      }
    }
    // Made durable here, on the worker, once the file is known to be
    // accepted, so that the committing thread (the bottleneck) finds the data
    // already on disk.
    if (::fsync(out.get()) != 0) {
      p.archive_error = make_error(ErrorCode::io, p.staged.string(), "fsync failed: " + errno_text(errno));
      p.discard();
      return p;
    }
    std::string text;
    for (std::size_t i = 0; i < pages.size(); ++i) text += (i ? "\f" : "") + pages[i];
    if (!is_blank(text)) {
      // Staged and synced on the worker too, like the original.
      p.text_staged = p.staged.string() + "-text";
      p.text_id = sha256_hex(text);
      Status written = real_file_system().write_new_file(p.text_staged, text);
      if (written.ok()) written = real_file_system().sync_file(p.text_staged);
      if (!written.ok()) {
        p.archive_error = written.error();
        p.discard();
        return p;
      }
    }
    p.item.status = IngestStatus::stored;
    return p;
  }

  // OCRs every page whose text is blank (all pages of an image; the scanned
  // pages of a PDF). A page that cannot be read is a warning: the original
  // is still worth keeping. Errors: an image whose pages cannot be decoded at all.
  Status recognize_blank_pages(Prepared& p, std::vector<std::string>& pages, bool is_pdf,
                               const std::string& name, WorkerTools& tools) const {
    double confidence_sum = 0;
    int recognized = 0;
    // Every page scanned: the version also gets a searchable PDF.
    bool all_scanned =
        std::all_of(pages.begin(), pages.end(), [](const std::string& t) { return is_blank(t); });
    std::unique_ptr<SearchablePdf> pdf;
    if (all_scanned) {
      if (Recognizer* recognizer = tools.recognizer_for(options.ocr_languages)) {
        fs::path file = p.staged.string() + "-searchable.pdf";
        auto begun = SearchablePdf::begin(file, strip_extension(p.original_name), *recognizer);
        if (begun.ok()) {
          pdf = std::move(begun).value();
          p.searchable_pdf = file;
        } else {
          p.item.warnings.push_back("no searchable PDF: " + begun.error().message);
        }
      }
    }
    for (std::size_t i = 0; i < pages.size(); ++i) {
      if (!is_blank(pages[i])) continue;
      Recognizer* recognizer = tools.recognizer_for(options.ocr_languages);
      if (!recognizer) {
        p.item.warnings.push_back("not OCRed: " + tools.recognizer_error->to_string());
        return {};
      }
      int index = static_cast<int>(i);
      auto image = is_pdf ? render_pdf_page(p.staged, index, name, options.ocr_limits)
                          : load_image_page(p.staged, p.item.mime_type, index, name, options.ocr_limits);
      if (!image.ok()) {
        if (!is_pdf && pages.size() == 1) return image.error();
        p.item.warnings.push_back("page " + std::to_string(i + 1) + " not OCRed: " + image.error().message);
        continue;
      }
      auto page = recognizer->recognize(*image, name, options.ocr_limits, pdf.get());
      if (!page.ok()) {
        p.item.warnings.push_back("page " + std::to_string(i + 1) + " not OCRed: " + page.error().message);
        continue;
      }
      pages[i] = std::move(page->text);
      PageInfo& info = p.pages[i];
      info.text_source = "ocr";
      info.ocr_confidence = page->mean_confidence;
      info.rotated_degrees = page->rotated_degrees;
      info.deskew_degrees = page->deskew_degrees;
      confidence_sum += page->mean_confidence;
      ++recognized;
    }
    if (recognized > 0) p.ocr_confidence = confidence_sum / recognized;
    if (pdf) {
      Status ended = pdf->end();
      bool complete = ended.ok() && pdf->pages() == static_cast<int>(pages.size());
      pdf.reset();
      auto digest = complete ? hash_file(p.searchable_pdf)
                             : Result<std::string>(ended.ok() ? make_error(ErrorCode::io, name,
                                                                           "some pages could not be read")
                                                              : ended.error());
      if (digest.ok()) {
        p.searchable_pdf_id = *digest;
      } else {
        p.item.warnings.push_back("no searchable PDF: " + digest.error().message);
        ::unlink(p.searchable_pdf.c_str());
        p.searchable_pdf.clear();
      }
    }
    return {};
  }

  // Makes the staged blobs durable; returns the new version's description.
  Result<NewVersion> store_blobs(Prepared& p, const std::string& comment) {
    NewVersion v;
    v.original_name = p.original_name;
    v.mime_type = p.item.mime_type;
    v.size = p.item.size;
    v.page_count = p.item.page_count;
    v.ocr_confidence = p.ocr_confidence;
    v.pages = p.pages;
    v.comment = comment;
    v.warnings = p.item.warnings;
    if (!p.text_staged.empty()) {
      auto text = archive.blobs().put_staged_file(p.text_staged, p.text_id);
      if (!text.ok()) return text.error();
      p.text_staged.clear();
      v.derived.push_back({"text", text->id, text->size, "text/plain; charset=utf-8"});
    }
    if (!p.searchable_pdf.empty()) {
      auto pdf = archive.blobs().put_staged_file(p.searchable_pdf, p.searchable_pdf_id);
      if (!pdf.ok()) return pdf.error();
      p.searchable_pdf.clear();
      v.derived.push_back({"searchable-pdf", pdf->id, pdf->size, "application/pdf"});
    }
    auto original = archive.blobs().put_staged_file(p.staged, p.blob_id);
    if (!original.ok()) return original.error();
    p.staged.clear();
    v.original_blob_id = original->id;
    return v;
  }

  Status commit(Prepared& p) {
    if (p.archive_error) return *p.archive_error;
    if (p.item.status == IngestStatus::rejected) return {};
    auto existing = archive.catalog().find_document_with_original(p.blob_id);
    if (!existing.ok()) return existing.error();
    if (*existing) {
      p.discard();
      p.item.status = IngestStatus::duplicate;
      p.item.document_id = **existing;
      return {};
    }
    auto version = store_blobs(p, "");
    if (!version.ok()) return version.error();
    NewDocument d;
    d.title = options.title.value_or(strip_extension(p.original_name));
    d.document_type = options.document_type;
    d.department = options.department;
    d.confidentiality = options.confidentiality;
    d.first_version = std::move(version).value();
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
                        const std::function<void(const IngestItem&)>& report) {
  std::vector<InputFile> files = expand_inputs(inputs, impl_->options.limits.max_folder_depth);
  const std::size_t count = files.size();
  const std::size_t jobs = std::min<std::size_t>(static_cast<std::size_t>(impl_->options.jobs), count);
  // Workers prepare files ahead of the committer, at most `window` ahead, so
  // that the spool holds a bounded number of staged files.
  const std::size_t window = jobs * 4;
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
    return impl_->prepare(files[i].path, tools);
  };

  auto worker = [&]() {
    auto detector = TypeDetector::create();
    std::optional<WorkerTools> tools;
    if (detector.ok()) tools.emplace(WorkerTools{**detector, nullptr, std::nullopt});
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
  for (std::size_t t = 0; t < jobs; ++t) threads.emplace_back(worker);

  Status result;
  for (std::size_t i = 0; i < count; ++i) {
    Prepared p;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return slots[i].has_value(); });
      p = std::move(*slots[i]);
      slots[i].reset();
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
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  space.notify_all();
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
  WorkerTools tools{**detector, nullptr, std::nullopt};
  Prepared p = impl_->prepare(file, tools);
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
