// Contract suite for BlobStore: every backend is one more instantiation.
#include "storage/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>
#include <set>

#include "base/sha256.h"
#include "cloud/s3_client.h"
#include "storage/s3_blob_store.h"
#include "tests/support/s3rver.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct BlobBackend {
  std::string name;
  std::function<std::unique_ptr<BlobStore>(const fs::path& dir)> open;
  // Overwrites the stored bytes of a blob behind the store's back (bit rot).
  std::function<void(const fs::path& dir, const std::string& id, const std::string& bytes)> damage;
  // Puts an entry that is not a blob where the store keeps its blobs.
  std::function<void(const fs::path& dir)> add_stray;
};

void PrintTo(const BlobBackend& backend, std::ostream* os) {
  *os << backend.name;
}

fs::path file_blob_path(const fs::path& dir, const std::string& id) {
  return dir / "blobs" / "sha256" / id.substr(0, 2) / id.substr(2, 2) / id;
}

BlobBackend file_backend() {
  return {"file",
          [](const fs::path& dir) {
            fs::create_directories(dir / "spool");
            return open_file_blob_store(dir / "blobs", dir / "spool");
          },
          [](const fs::path& dir, const std::string& id, const std::string& bytes) {
            fs::path p = file_blob_path(dir, id);
            ::chmod(p.c_str(), 0644);
            testing::write_file(p, bytes);
          },
          [](const fs::path& dir) { testing::write_file(dir / "blobs/sha256/ab/cd/notes.txt", "x"); }};
}

// The S3 backend against a real s3rver (started once for the process), each
// test under a key prefix of its own.
cloud::S3Config s3rver_config() {
  cloud::S3Config config;
  config.endpoint = testing::S3rver::shared().endpoint();
  config.bucket = "dosar-test";
  config.credentials = {"S3RVER", "S3RVER"};
  config.first_backoff = std::chrono::milliseconds(5);
  return config;
}

std::string prefix_for(const fs::path& dir) {
  return dir.filename().string() + "/";
}

BlobBackend s3_backend() {
  return {"s3",
          [](const fs::path& dir) {
            fs::create_directories(dir / "spool");
            S3BlobStoreOptions options;
            options.s3 = s3rver_config();
            options.prefix = prefix_for(dir);
            options.spool = dir / "spool";
            return open_s3_blob_store(options);
          },
          [](const fs::path& dir, const std::string& id, const std::string& bytes) {
            testing::write_file(
                testing::S3rver::shared().object_file("dosar-test", s3_blob_key(prefix_for(dir), id)), bytes);
          },
          [](const fs::path& dir) {
            cloud::S3Client client(s3rver_config());
            ASSERT_TRUE(client.put_bytes(prefix_for(dir) + "sha256/notes.txt", "x").ok());
          }};
}

class BlobStoreContract : public ::testing::TestWithParam<BlobBackend> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path()); }
  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobStoreContract, NamesBlobBySha256OfItsBytes) {
  auto info = store_->put("dosar");
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->id, sha256_hex("dosar"));
  EXPECT_EQ(info->size, 5u);
  EXPECT_FALSE(info->already_present);
}

TEST_P(BlobStoreContract, ReadsBackExactBytesIncludingNulAndHighBytes) {
  std::string bytes("\0\xff\x01 ș", 7);
  auto info = store_->put(bytes);
  ASSERT_TRUE(info.ok());
  auto read = store_->read(info->id, Verify::hash);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(*read, bytes);
}

TEST_P(BlobStoreContract, StoresIdenticalBytesOnce) {
  ASSERT_TRUE(store_->put("same").ok());
  auto second = store_->put("same");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->already_present);
  std::size_t count = 0;
  ASSERT_TRUE(store_
                  ->for_each(
                      [&](const std::string&) -> Status {
                        ++count;
                        return {};
                      },
                      nullptr)
                  .ok());
  EXPECT_EQ(count, 1u);
}

TEST_P(BlobStoreContract, MovesStagedFileIntoStore) {
  fs::path staged = new_staging_path(dir_ / "spool");
  testing::write_file(staged, "staged bytes");
  auto info = store_->put_staged_file(staged, sha256_hex("staged bytes"));
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_EQ(*store_->read(info->id, Verify::hash), "staged bytes");
}

TEST_P(BlobStoreContract, ReportsMissingBlobAsNotFound) {
  auto read = store_->read(sha256_hex("never stored"), Verify::hash);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::not_found);
  EXPECT_EQ(*store_->contains(sha256_hex("never stored")), false);
}

TEST_P(BlobStoreContract, RejectsIdsThatAreNotSha256) {
  for (const std::string& id :
       std::vector<std::string>{"../../etc/passwd", "", std::string(64, 'A'), std::string(63, 'a')}) {
    auto read = store_->read(id, Verify::none);
    ASSERT_FALSE(read.ok()) << id;
    EXPECT_EQ(read.error().code, ErrorCode::invalid_argument) << id;
  }
}

TEST_P(BlobStoreContract, RefusesToServeBlobWhoseBytesChanged) {
  auto info = store_->put("original content");
  ASSERT_TRUE(info.ok());
  GetParam().damage(dir_.path(), info->id, "tampered content");
  auto read = store_->read(info->id, Verify::hash);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::corrupt);
  EXPECT_NE(read.error().subject.find(info->id), std::string::npos);
  Status verified = store_->verify(info->id);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::corrupt);
}

TEST_P(BlobStoreContract, ListsEveryStoredBlob) {
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.insert(store_->put("blob " + std::to_string(i))->id);
  std::set<std::string> listed;
  ASSERT_TRUE(store_
                  ->for_each(
                      [&](const std::string& id) -> Status {
                        listed.insert(id);
                        return {};
                      },
                      nullptr)
                  .ok());
  EXPECT_EQ(listed, ids);
}

TEST_P(BlobStoreContract, AnswersPresenceAndSizeOfABlob) {
  auto info = store_->put("unsprezece");
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(*store_->contains(info->id), true);
  EXPECT_EQ(*store_->size(info->id), 10u);
  auto absent = store_->size(sha256_hex("absent"));
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::not_found);
  EXPECT_NE(absent.error().subject.find(sha256_hex("absent")), std::string::npos);
}

TEST_P(BlobStoreContract, RemovesADisposedBlobAndToleratesAnAbsentOne) {
  auto info = store_->put("de eliminat");
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(store_->put("de păstrat").ok());
  ASSERT_TRUE(store_->remove_disposed(info->id).ok());
  EXPECT_EQ(*store_->contains(info->id), false);
  EXPECT_EQ(store_->read(info->id, Verify::none).error().code, ErrorCode::not_found);
  EXPECT_TRUE(store_->remove_disposed(info->id).ok()) << "already gone is not an error";
  EXPECT_TRUE(store_->verify(sha256_hex("de păstrat")).ok()) << "the others stay";
  EXPECT_EQ(store_->remove_disposed("../x").error().code, ErrorCode::invalid_argument);
}

TEST_P(BlobStoreContract, ListsStraysApartFromBlobs) {
  auto info = store_->put("blob");
  GetParam().add_stray(dir_.path());
  std::vector<std::string> ids, strays;
  ASSERT_TRUE(store_
                  ->for_each(
                      [&](const std::string& id) -> Status {
                        ids.push_back(id);
                        return {};
                      },
                      [&](const std::string& path) { strays.push_back(path); })
                  .ok());
  EXPECT_EQ(ids, std::vector<std::string>{info->id});
  ASSERT_EQ(strays.size(), 1u);
  EXPECT_NE(strays[0].find("notes.txt"), std::string::npos) << strays[0];
}

TEST_P(BlobStoreContract, StreamsABlobInChunksAndStopsAtTheSinksError) {
  std::string bytes(3 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 253);
  auto info = store_->put(bytes);
  ASSERT_TRUE(info.ok());
  std::string got;
  std::size_t chunks = 0;
  ASSERT_TRUE(store_
                  ->read_to(info->id, Verify::hash,
                            [&](std::string_view chunk) -> Status {
                              got.append(chunk);
                              ++chunks;
                              return {};
                            })
                  .ok());
  EXPECT_TRUE(got == bytes);
  EXPECT_GT(chunks, 1u) << "streamed, not read whole";
  Status stopped = store_->read_to(info->id, Verify::hash, [](std::string_view) -> Status {
    return make_error(ErrorCode::io, "sink", "disk full");
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().subject, "sink") << "the sink's own error comes back";
}

TEST_P(BlobStoreContract, LocalFileHoldsTheBlobsBytes) {
  auto info = store_->put("pentru Poppler");
  ASSERT_TRUE(info.ok());
  auto local = store_->local_file(info->id);
  ASSERT_TRUE(local.ok()) << local.error().to_string();
  EXPECT_EQ(testing::read_file(local->path()), "pentru Poppler");
  auto missing = store_->local_file(sha256_hex("nicăieri"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreContract, ::testing::Values(file_backend(), s3_backend()),
                         [](const auto& param_info) { return param_info.param.name; });

// File-backend specifics: the on-disk scheme and crash-safe publication.

TEST(FileBlobStore, UsesDocumentedPathScheme) {
  TempDir dir;
  auto store = file_backend().open(dir.path());
  auto info = store->put("abc");
  EXPECT_TRUE(fs::exists(
      dir / "blobs/sha256/ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  struct stat st {};
  ASSERT_EQ(::stat(file_blob_path(dir.path(), info->id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0222, 0u) << "blobs are read-only on disk";
}

// Wraps the real file system and fails the Nth call of one operation.
class FailingFileSystem : public FileSystem {
 public:
  FailingFileSystem(std::string operation, int fail_at)
      : operation_(std::move(operation)), fail_at_(fail_at) {}
  Status write_new_file(const fs::path& p, std::string_view b) override {
    DOSAR_TRY(maybe_fail("write", p));
    return real_file_system().write_new_file(p, b);
  }
  Status sync_file(const fs::path& p) override {
    DOSAR_TRY(maybe_fail("sync_file", p));
    return real_file_system().sync_file(p);
  }
  Status sync_dir(const fs::path& p) override {
    DOSAR_TRY(maybe_fail("sync_dir", p));
    return real_file_system().sync_dir(p);
  }
  Status rename_no_replace(const fs::path& a, const fs::path& b) override {
    DOSAR_TRY(maybe_fail("rename", b));
    return real_file_system().rename_no_replace(a, b);
  }
  Status make_dirs(const fs::path& p) override {
    DOSAR_TRY(maybe_fail("make_dirs", p));
    return real_file_system().make_dirs(p);
  }
  Status make_dirs_unsynced(const fs::path& p) override {
    DOSAR_TRY(maybe_fail("make_dirs", p));
    return real_file_system().make_dirs_unsynced(p);
  }
  Status sync_file_system(const fs::path& p) override {
    DOSAR_TRY(maybe_fail("sync_file_system", p));
    return real_file_system().sync_file_system(p);
  }

 private:
  Status maybe_fail(const char* operation, const fs::path& p) {
    if (operation_ == operation && ++calls_ == fail_at_)
      return make_error(ErrorCode::io, p.string(), std::string("injected failure of ") + operation);
    return {};
  }
  std::string operation_;
  int fail_at_;
  int calls_ = 0;
};

class FileBlobStoreFault : public ::testing::TestWithParam<std::string> {};

TEST_P(FileBlobStoreFault, FailedPutLeavesNoBlobAndNoStagingFile) {
  TempDir dir;
  fs::create_directories(dir / "spool");
  FailingFileSystem failing(GetParam(), 1);
  auto store = open_file_blob_store(dir / "blobs", dir / "spool", failing);
  auto info = store->put("bytes that must not half-appear");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::io);
  EXPECT_NE(info.error().message.find("injected"), std::string::npos);
  // Nothing visible under the final name unless the rename itself succeeded
  // (failing sync_dir after rename is reported, and the blob is complete).
  if (GetParam() != "sync_dir") {
    EXPECT_FALSE(*store->contains(sha256_hex("bytes that must not half-appear")));
  }
  EXPECT_TRUE(fs::is_empty(dir / "spool"));
  // The next attempt, with the fault gone, stores it.
  auto healthy = open_file_blob_store(dir / "blobs", dir / "spool");
  ASSERT_TRUE(healthy->put("bytes that must not half-appear").ok());
  EXPECT_TRUE(healthy->verify(sha256_hex("bytes that must not half-appear")).ok());
}

TEST_P(BlobStoreContract, StoresABatchOfStagedFilesOnceEach) {
  fs::create_directories(dir_ / "stage");
  ASSERT_TRUE(store_->put("already").ok());
  std::vector<BlobStore::Staged> staged;
  for (std::string bytes : {"unu", "doi", "unu", "already"}) {
    fs::path file = dir_ / "stage" / std::to_string(staged.size());
    testing::write_file(file, bytes);
    staged.push_back({file, sha256_hex(bytes)});
  }
  auto infos = store_->put_staged_files(staged);
  ASSERT_TRUE(infos.ok()) << infos.error().to_string();
  ASSERT_EQ(infos->size(), 4u);
  EXPECT_FALSE((*infos)[0].already_present);
  EXPECT_FALSE((*infos)[2].already_present) << "stored by this batch, not before it";
  EXPECT_TRUE((*infos)[3].already_present);
  EXPECT_EQ((*infos)[1].size, 3u);
  for (std::string bytes : {"unu", "doi", "already"}) EXPECT_TRUE(store_->verify(sha256_hex(bytes)).ok());
  EXPECT_TRUE(fs::is_empty(dir_ / "stage")) << "every staged file consumed";
  auto local = store_->local_file(sha256_hex("doi"));
  if (local.ok())
    EXPECT_EQ(testing::read_file(local->path()), "doi");
  else
    EXPECT_EQ(local.error().code, ErrorCode::unsupported);
}

TEST(FileBlobStore, FailedBatchBarrierPublishesNoName) {
  TempDir dir;
  fs::create_directories(dir / "spool");
  FailingFileSystem failing("sync_file_system", 1);
  auto store = open_file_blob_store(dir / "blobs", dir / "spool", failing);
  fs::path staged = new_staging_path(dir / "spool");
  testing::write_file(staged, "batch");
  auto infos = store->put_staged_files({{staged, sha256_hex("batch")}});
  ASSERT_FALSE(infos.ok());
  EXPECT_FALSE(*store->contains(sha256_hex("batch"))) << "no name before its bytes are durable";
  EXPECT_TRUE(fs::exists(staged)) << "left to the caller";
}

INSTANTIATE_TEST_SUITE_P(EachDurabilityStep, FileBlobStoreFault,
                         ::testing::Values("write", "sync_file", "make_dirs", "rename", "sync_dir"));

TEST(FileBlobStore, RemovesOnlyStagingFilesOfDeadProcesses) {
  TempDir dir;
  fs::create_directories(dir / "spool");
  testing::write_file(dir / "spool/stage-999999999-1-1", "abandoned");
  fs::path live = new_staging_path(dir / "spool");
  testing::write_file(live, "in use");
  EXPECT_EQ(remove_abandoned_staging_files(dir / "spool"), 1u);
  EXPECT_TRUE(fs::exists(live));
  EXPECT_FALSE(fs::exists(dir / "spool/stage-999999999-1-1"));
}

}  // namespace
}  // namespace dosar
