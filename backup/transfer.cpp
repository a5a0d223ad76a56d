#include "backup/transfer.h"

#include <atomic>
#include <cstdio>
#include <thread>

#include "backup/object_crypto.h"
#include "base/file_system.h"

namespace dosar::backup {
namespace fs = std::filesystem;

namespace {

// Blobs up to this size are encrypted in memory (jobs x this bound the memory).
constexpr std::uint64_t kInMemoryLimit = 16ull << 20;
constexpr std::size_t kReadBuffer = 1 << 20;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Removes a temporary file when it goes out of scope.
struct TempFile {
  fs::path path;
  ~TempFile() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

Sink file_sink(std::FILE* f, const fs::path& path) {
  return [f, path](std::string_view bytes) -> Status {
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
      return make_error(ErrorCode::io, path.string(), errno_text(errno));
    return {};
  };
}

// Streams an open file to `sink` in chunks of kReadBuffer.
Status read_in_chunks(std::FILE* in, const fs::path& path, const Sink& sink) {
  std::string buffer(kReadBuffer, '\0');
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), in)) > 0)
    DOSAR_TRY(sink(std::string_view(buffer.data(), n)));
  if (std::ferror(in)) return make_error(ErrorCode::io, path.string(), "read failed");
  return {};
}

// Encrypts what `feed` gives the encryptor into `temp`, then uploads it under `key`.
Status encrypt_and_upload(cloud::S3Client& s3, const Key& encryption_key, const fs::path& temp,
                          const std::string& key, const std::function<Status(ObjectEncryptor&)>& feed) {
  File out(std::fopen(temp.c_str(), "wb"));
  if (!out) return make_error(ErrorCode::io, temp.string(), errno_text(errno));
  ObjectEncryptor encryptor(encryption_key, file_sink(out.get(), temp));
  DOSAR_TRY(feed(encryptor));
  DOSAR_TRY(encryptor.finish());
  if (std::fclose(out.release()) != 0) return make_error(ErrorCode::io, temp.string(), errno_text(errno));
  return s3.put_file(key, temp);
}

}  // namespace

Result<std::uint64_t> upload_blob(cloud::S3Client& s3, const Key& encryption_key, const BlobStore& blobs,
                                  const std::string& id, std::uint64_t size, const std::string& key,
                                  const fs::path& staging_dir) {
  if (size <= kInMemoryLimit) {
    auto bytes = blobs.read(id, Verify::hash);
    if (!bytes.ok()) return bytes.error();
    std::string encrypted = encrypt_bytes(encryption_key, *bytes);
    DOSAR_TRY(s3.put_bytes(key, encrypted));
    return static_cast<std::uint64_t>(encrypted.size());
  }
  TempFile temp{new_staging_path(staging_dir)};
  DOSAR_TRY(encrypt_and_upload(s3, encryption_key, temp.path, key, [&](ObjectEncryptor& encryptor) {
    return blobs.read_to(id, Verify::hash, [&](std::string_view chunk) { return encryptor.update(chunk); });
  }));
  return encrypted_size(size);
}

Result<std::uint64_t> upload_file(cloud::S3Client& s3, const Key& encryption_key, const fs::path& file,
                                  const std::string& key, const fs::path& staging_dir) {
  File in(std::fopen(file.c_str(), "rb"));
  if (!in) return make_error(ErrorCode::io, file.string(), errno_text(errno));
  TempFile temp{new_staging_path(staging_dir)};
  DOSAR_TRY(encrypt_and_upload(s3, encryption_key, temp.path, key, [&](ObjectEncryptor& encryptor) {
    return read_in_chunks(in.get(), file, [&](std::string_view chunk) { return encryptor.update(chunk); });
  }));
  std::error_code ec;
  return static_cast<std::uint64_t>(fs::file_size(temp.path, ec));
}

Result<Downloaded> download_object(cloud::S3Client& s3, const Key& encryption_key, const std::string& key,
                                   const fs::path& encrypted_temp, const fs::path* plaintext_out,
                                   const std::string& subject) {
  TempFile temp{encrypted_temp};
  DOSAR_TRY(s3.get_to_file(key, encrypted_temp));
  File in(std::fopen(encrypted_temp.c_str(), "rb"));
  if (!in) return make_error(ErrorCode::io, encrypted_temp.string(), errno_text(errno));
  File out;
  if (plaintext_out) {
    out.reset(std::fopen(plaintext_out->c_str(), "wb"));
    if (!out) return make_error(ErrorCode::io, plaintext_out->string(), errno_text(errno));
  }
  Sha256 hasher;
  Downloaded result;
  Sink write = out ? file_sink(out.get(), *plaintext_out) : Sink();
  ObjectDecryptor decryptor(
      encryption_key,
      [&](std::string_view plain) -> Status {
        hasher.update(plain);
        result.size += plain.size();
        return write ? write(plain) : Status();
      },
      subject);
  DOSAR_TRY(read_in_chunks(in.get(), encrypted_temp,
                           [&](std::string_view chunk) { return decryptor.update(chunk); }));
  DOSAR_TRY(decryptor.finish());
  if (out && std::fclose(out.release()) != 0)
    return make_error(ErrorCode::io, plaintext_out->string(), errno_text(errno));
  result.sha256 = to_hex(hasher.finish());
  return result;
}

Status for_each_parallel(std::size_t count, int jobs, const std::function<Status(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  Status first;
  auto worker = [&] {
    for (;;) {
      if (failed.load()) return;
      std::size_t i = next.fetch_add(1);
      if (i >= count) return;
      Status status = work(i);
      if (!status.ok()) {
        std::lock_guard lock(mutex);
        if (!failed.exchange(true)) first = status;
        return;
      }
    }
  };
  std::size_t threads = std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, jobs)));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace dosar::backup
