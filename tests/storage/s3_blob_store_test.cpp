// S3 blob-store specifics: the key scheme, the local-file cache, and an
// endpoint that fails (500s, stalls). The BlobStore contract itself runs on
// this backend in blob_store_test.cpp.
#include "storage/s3_blob_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/sha256.h"
#include "tests/support/fault_server.h"
#include "tests/support/s3rver.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

S3BlobStoreOptions options_for(const std::string& endpoint, const fs::path& spool) {
  S3BlobStoreOptions options;
  options.s3.endpoint = endpoint;
  options.s3.bucket = "dosar-test";
  options.s3.credentials = {"S3RVER", "S3RVER"};
  options.s3.first_backoff = std::chrono::milliseconds(5);
  options.prefix = testing::S3rver::unique_prefix();
  options.spool = spool;
  fs::create_directories(spool);
  return options;
}

TEST(S3BlobStore, KeysEachBlobBySha256UnderThePrefix) {
  TempDir dir;
  auto options = options_for(testing::S3rver::shared().endpoint(), dir / "spool");
  options.prefix = "arhiva/";
  auto store = open_s3_blob_store(options);
  ASSERT_TRUE(store->put("abc").ok());
  EXPECT_EQ(s3_blob_key("arhiva/", sha256_hex("abc")),
            "arhiva/sha256/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      testing::read_file(testing::S3rver::shared().object_file(
          "dosar-test", "arhiva/sha256/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
      "abc");
}

TEST(S3BlobStore, RefusesAStagedFileWhoseBytesAreNotItsName) {
  TempDir dir;
  auto store = open_s3_blob_store(options_for(testing::S3rver::shared().endpoint(), dir / "spool"));
  testing::write_file(dir / "staged", "altceva");
  auto put = store->put_staged_file(dir / "staged", sha256_hex("ce s-a cerut"));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(put.error().message.find("not uploaded"), std::string::npos) << put.error().message;
  EXPECT_FALSE(*store->contains(sha256_hex("ce s-a cerut")));
  EXPECT_FALSE(*store->contains(sha256_hex("altceva")));
}

TEST(S3BlobStore, LocalFileRefusesADamagedObjectAndKeepsNoCopy) {
  TempDir dir;
  auto options = options_for(testing::S3rver::shared().endpoint(), dir / "spool");
  auto store = open_s3_blob_store(options);
  auto info = store->put("original content");
  ASSERT_TRUE(info.ok());
  testing::write_file(
      testing::S3rver::shared().object_file("dosar-test", s3_blob_key(options.prefix, info->id)),
      "tampered content");
  auto local = store->local_file(info->id);
  ASSERT_FALSE(local.ok());
  EXPECT_EQ(local.error().code, ErrorCode::corrupt);
  for (const auto& entry : fs::recursive_directory_iterator(dir / "spool"))
    EXPECT_TRUE(entry.is_directory()) << entry.path() << " left behind";
}

TEST(S3BlobStore, CacheEvictsOnlyCopiesNobodyHolds) {
  TempDir dir;
  auto options = options_for(testing::S3rver::shared().endpoint(), dir / "spool");
  options.cache_bytes = 10;
  auto store = open_s3_blob_store(options);
  std::vector<std::string> ids;
  for (std::string bytes : {"aaaaaaaa", "bbbbbbbb", "cccccccc"}) ids.push_back(store->put(bytes)->id);
  auto a = store->local_file(ids[0]);
  auto b = store->local_file(ids[1]);
  ASSERT_TRUE(a.ok() && b.ok());
  fs::path a_path = a->path(), b_path = b->path();
  EXPECT_TRUE(fs::exists(a_path)) << "held copies stay even over the limit";
  EXPECT_EQ(testing::read_file(b_path), "bbbbbbbb");
  a = LocalBlobFile();  // released
  auto c = store->local_file(ids[2]);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(fs::exists(a_path)) << "the released copy made room";
  EXPECT_TRUE(fs::exists(b_path)) << "the held one did not";
  EXPECT_EQ(testing::read_file(c->path()), "cccccccc");
  fs::path cache = c->path().parent_path();
  store.reset();
  EXPECT_FALSE(fs::exists(cache)) << "closing the store removes its cache";
}

// An endpoint that answers 500 to everything, as a failing S3 gateway does.
struct FailingEndpoint : testing::FaultServer {
  std::atomic<int> calls{0};
  FailingEndpoint() {
    auto fail = [this](const httplib::Request&, httplib::Response& res) {
      ++calls;
      res.status = 500;
      res.set_content("<Error><Code>InternalError</Code><Message>disk array offline</Message></Error>",
                      "application/xml");
    };
    server.Get(".*", fail);
    server.Put(".*", fail);
    server.Delete(".*", fail);
    server.Post(".*", fail);
    start();
  }
};

TEST(S3BlobStoreFaults, PersistentServerErrorNamesTheBlobAndTheEndpointAfterRetries) {
  TempDir dir;
  FailingEndpoint endpoint;
  auto options = options_for(endpoint.endpoint(), dir / "spool");
  options.s3.retries = 2;
  auto store = open_s3_blob_store(options);
  auto put = store->put("cerere");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::io);
  EXPECT_EQ(put.error().subject, "blob " + sha256_hex("cerere"));
  EXPECT_NE(put.error().message.find("HTTP 500"), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find("3 attempts"), std::string::npos);
  EXPECT_NE(put.error().message.find(endpoint.endpoint()), std::string::npos);
  EXPECT_EQ(endpoint.calls.load(), 3);
  auto read = store->read(sha256_hex("cerere"), Verify::hash);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::io) << "a failing endpoint is not a missing blob";
  EXPECT_NE(read.error().message.find("disk array offline"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find(endpoint.endpoint()), std::string::npos);
}

TEST(S3BlobStoreFaults, FailedBatchLeavesEveryStagedFileToTheCaller) {
  TempDir dir;
  FailingEndpoint endpoint;
  auto options = options_for(endpoint.endpoint(), dir / "spool");
  options.s3.retries = 1;
  auto store = open_s3_blob_store(options);
  std::vector<BlobStore::Staged> staged;
  for (std::string bytes : {"unu", "doi", "trei"}) {
    fs::path file = dir / "stage" / bytes;
    testing::write_file(file, bytes);
    staged.push_back({file, sha256_hex(bytes)});
  }
  auto stored = store->put_staged_files(staged);
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.error().code, ErrorCode::io);
  for (const auto& s : staged) EXPECT_TRUE(fs::exists(s.file)) << s.file;
}

TEST(S3BlobStoreFaults, StalledEndpointTimesOutAsAnIoErrorNamingTheBlob) {
  TempDir dir;
  testing::FaultServer endpoint;
  std::atomic<int> calls{0};
  endpoint.server.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    res.set_content("too late", "application/octet-stream");
  });
  endpoint.start();
  auto options = options_for(endpoint.endpoint(), dir / "spool");
  options.s3.retries = 1;
  options.s3.stall_timeout = std::chrono::seconds(1);
  auto store = open_s3_blob_store(options);
  Status verified = store->verify(sha256_hex("dosar"));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, ErrorCode::io);
  EXPECT_EQ(verified.error().subject, "blob " + sha256_hex("dosar"));
  EXPECT_NE(verified.error().message.find("network error"), std::string::npos) << verified.error().message;
  EXPECT_NE(verified.error().message.find(endpoint.endpoint()), std::string::npos);
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace dosar
