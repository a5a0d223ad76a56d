// The S3 client against a real S3-compatible server (s3rver), and against a
// small local HTTP server that fails on purpose to exercise the retries.
#include "cloud/s3_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/support/fault_server.h"
#include "tests/support/s3rver.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::cloud {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

S3Config config_for(const std::string& endpoint) {
  S3Config config;
  config.endpoint = endpoint;
  config.bucket = "dosar-test";
  config.credentials = {"S3RVER", "S3RVER"};
  config.first_backoff = std::chrono::milliseconds(5);
  return config;
}

class S3ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::S3rver(DOSAR_SOURCE_DIR, {"dosar-test"}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  S3Client client_{config_for(server_->endpoint())};
  TempDir dir_;
  static testing::S3rver* server_;
};
testing::S3rver* S3ClientTest::server_ = nullptr;

TEST_F(S3ClientTest, PutGetHeadDeleteRoundTrip) {
  using namespace std::string_literals;
  std::string bytes = "conținut\0binar"s;
  ASSERT_TRUE(client_.put_bytes("t1/a b", bytes).ok());
  auto got = client_.get_bytes("t1/a b", 1000);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, bytes);
  auto head = client_.head("t1/a b");
  ASSERT_TRUE(head.ok());
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->size, bytes.size());
  ASSERT_TRUE(client_.remove("t1/a b").ok());
  auto gone = client_.head("t1/a b");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(client_.remove("t1/a b").ok()) << "deleting a missing key succeeds";
}

TEST_F(S3ClientTest, MissingObjectIsNotFoundNamingItAndTheStatus) {
  auto got = client_.get_bytes("t2/nope", 1000);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::not_found);
  EXPECT_EQ(got.error().subject, "s3://dosar-test/t2/nope");
  EXPECT_NE(got.error().message.find("HTTP 404"), std::string::npos);
  EXPECT_NE(got.error().message.find("NoSuchKey"), std::string::npos);
}

TEST_F(S3ClientTest, GetRefusesObjectLargerThanAsked) {
  ASSERT_TRUE(client_.put_bytes("t3/big", std::string(5000, 'x')).ok());
  auto got = client_.get_bytes("t3/big", 4999);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::limit_exceeded);
}

TEST_F(S3ClientTest, StreamsFilesBothWays) {
  std::string bytes(3 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  testing::write_file(dir_ / "in", bytes);
  ASSERT_TRUE(client_.put_file("t4/file", dir_ / "in").ok());
  ASSERT_TRUE(client_.get_to_file("t4/file", dir_ / "out").ok());
  EXPECT_EQ(testing::read_file(dir_ / "out"), bytes);
}

TEST_F(S3ClientTest, ListFollowsContinuationTokens) {
  S3Config config = config_for(server_->endpoint());
  config.list_page_size = 3;
  S3Client client(config);
  for (int i = 0; i < 8; ++i)
    ASSERT_TRUE(client.put_bytes("t5/k" + std::to_string(i), std::string(i, 'x')).ok());
  ASSERT_TRUE(client.put_bytes("t5x/other", "x").ok());
  auto listed = client.list("t5/");
  ASSERT_TRUE(listed.ok()) << listed.error().to_string();
  ASSERT_EQ(listed->size(), 8u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ((*listed)[i].key, "t5/k" + std::to_string(i));
    EXPECT_EQ((*listed)[i].size, static_cast<std::uint64_t>(i));
  }
}

TEST_F(S3ClientTest, LargeFileGoesUpInParts) {
  S3Config config = config_for(server_->endpoint());
  config.multipart_threshold = 5 << 20;
  config.part_size = 5 << 20;
  S3Client client(config);
  std::string bytes(12 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); i += 4096) bytes[i] = static_cast<char>(i / 4096);
  testing::write_file(dir_ / "big", bytes);
  ASSERT_TRUE(client.put_file("t6/big", dir_ / "big").ok());
  auto got = client.get_bytes("t6/big", bytes.size());
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_TRUE(*got == bytes);
}

struct FaultServer : testing::FaultServer {
  S3Config config() const { return config_for(endpoint()); }
};

TEST(S3ClientFaults, RetriesServerErrorsWithBackoffThenSucceeds) {
  FaultServer fault;
  httplib::Server& server = fault.server;
  std::atomic<int> calls{0};
  server.Put(".*", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls <= 2) {
      res.status = 503;
      res.set_content("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>",
                      "application/xml");
    } else {
      res.status = 200;
    }
  });
  fault.start();
  S3Client client(fault.config());
  Status put = client.put_bytes("k", "bytes");
  EXPECT_TRUE(put.ok()) << put.error().to_string();
  EXPECT_EQ(calls.load(), 3);
}

TEST(S3ClientFaults, PersistentServerErrorNamesObjectStatusAndAttempts) {
  FaultServer fault;
  httplib::Server& server = fault.server;
  std::atomic<int> calls{0};
  server.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 500;
    res.set_content(
        "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
        "application/xml");
  });
  fault.start();
  S3Config config = fault.config();
  config.retries = 3;
  S3Client client(config);
  auto got = client.get_bytes("dir/obj", 100);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::io);
  EXPECT_EQ(got.error().subject, "s3://dosar-test/dir/obj");
  EXPECT_NE(got.error().message.find("HTTP 500"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("InternalError"), std::string::npos);
  EXPECT_NE(got.error().message.find("4 attempts"), std::string::npos);
  EXPECT_EQ(calls.load(), 4);
}

TEST(S3ClientFaults, ClientErrorsAreNotRetried) {
  FaultServer fault;
  httplib::Server& server = fault.server;
  std::atomic<int> calls{0};
  server.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 403;
    res.set_content("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                    "application/xml");
  });
  fault.start();
  S3Client client(fault.config());
  auto got = client.get_bytes("k", 100);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::permission);
  EXPECT_EQ(calls.load(), 1);
}

// s3rver does not implement AbortMultipartUpload, so the abort is checked here.
TEST(S3ClientFaults, FailedPartAbortsTheMultipartUpload) {
  FaultServer fault;
  std::atomic<int> parts{0};
  std::string aborted;
  fault.server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("uploads"))
      res.set_content(
          "<InitiateMultipartUploadResult><UploadId>u-42</UploadId></InitiateMultipartUploadResult>",
          "application/xml");
  });
  fault.server.Put(".*", [&](const httplib::Request& req, httplib::Response& res) {
    if (++parts == 1) {
      res.set_header("ETag", "\"e1\"");
      return;
    }
    res.status = 400;
    res.set_content("<Error><Code>EntityTooSmall</Code><Message>too small</Message></Error>",
                    "application/xml");
    (void)req;
  });
  fault.server.Delete(".*", [&](const httplib::Request& req, httplib::Response& res) {
    aborted = req.path + "?uploadId=" + req.get_param_value("uploadId");
    res.status = 204;
  });
  fault.start();
  S3Config config = fault.config();
  config.multipart_threshold = 100;
  config.part_size = 100;
  S3Client client(config);
  TempDir dir;
  testing::write_file(dir / "f", std::string(250, 'x'));
  Status put = client.put_file("dir/big", dir / "f");
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.error().message.find("EntityTooSmall"), std::string::npos);
  EXPECT_EQ(parts.load(), 2);
  EXPECT_EQ(aborted, "/dosar-test/dir/big?uploadId=u-42");
}

// S3 checks Content-MD5 and refuses a body that does not match it (BadDigest),
// which is what makes a PUT that succeeded a PUT of the right bytes.
TEST(S3ClientFaults, EveryPutCarriesTheMd5OfItsBody) {
  FaultServer fault;
  std::vector<std::string> md5s;
  std::mutex mutex;
  fault.server.Put(".*", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    md5s.push_back(req.get_header_value("Content-MD5"));
    res.set_header("ETag", "\"e\"");
  });
  fault.server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("uploads"))
      res.set_content("<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>",
                      "application/xml");
  });
  fault.start();
  S3Config config = fault.config();
  config.multipart_threshold = 4;
  config.part_size = 4;
  S3Client client(config);
  ASSERT_TRUE(client.put_bytes("k", "abc").ok());
  TempDir dir;
  testing::write_file(dir / "f", "abcdefg");
  ASSERT_TRUE(client.put_file("big", dir / "f").ok());
  // base64(MD5("abc")), base64(MD5("abcd")), base64(MD5("efg")).
  EXPECT_EQ(md5s, (std::vector<std::string>{
                      "kAFQmDzST7DWlj99KOF/cg==", "4vxxTEcn7pOV8yTNLn8zHw==", "fQmJjhhRHPfAwYFdB3KNIw=="}));
}

// A download broken half-way is resumed from the next byte with a Range
// request: the sink sees every byte once.
TEST(S3ClientFaults, BrokenDownloadResumesFromTheNextByte) {
  FaultServer fault;
  const std::string bytes(300000, 'x');
  std::vector<std::string> ranges;
  fault.server.Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    ranges.push_back(req.get_header_value("Range"));
    if (ranges.size() == 1) {  // promise everything, send 100000 bytes, hang up
      res.set_content_provider(bytes.size(), "application/octet-stream",
                               [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 if (offset >= 100000) return false;
                                 sink.write(bytes.data() + offset, 100000 - offset);
                                 return true;
                               });
      return;
    }
    res.set_content(bytes, "application/octet-stream");  // httplib answers the Range with 206
  });
  fault.start();
  S3Client client(fault.config());
  std::string got;
  Status read = client.get_to("k", [&](std::string_view chunk) -> Status {
    got.append(chunk);
    return {};
  });
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(got.size(), bytes.size());
  EXPECT_TRUE(got == bytes);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  EXPECT_EQ(ranges[1], "bytes=100000-");
}

TEST(S3ClientFaults, StalledServerTimesOutAndIsRetried) {
  FaultServer fault;
  std::atomic<int> calls{0};
  fault.server.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    res.set_content("late", "text/plain");
  });
  fault.start();
  S3Config config = fault.config();
  config.retries = 1;
  config.stall_timeout = std::chrono::seconds(1);
  S3Client client(config);
  auto got = client.get_bytes("k", 100);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::io);
  EXPECT_NE(got.error().message.find("2 attempts"), std::string::npos) << got.error().message;
  EXPECT_EQ(calls.load(), 2);
}

TEST(S3ClientFaults, UnreachableServerIsAnIoErrorAfterRetries) {
  S3Config config = config_for("http://127.0.0.1:1");
  config.retries = 2;
  S3Client client(config);
  auto got = client.head("k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::io);
  EXPECT_NE(got.error().message.find("network error"), std::string::npos);
  EXPECT_NE(got.error().message.find("3 attempts"), std::string::npos);
}

TEST(S3Url, SplitsBucketAndPrefix) {
  auto l = parse_s3_url("s3://backups/primaria/zilnic");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->bucket, "backups");
  EXPECT_EQ(l->prefix, "primaria/zilnic/");
  auto bare = parse_s3_url("s3://backups");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->prefix, "");
  for (const char* bad : {"http://backups/x", "s3://", "s3://B/x", "s3://ab/x", "s3://a_b/x"}) {
    auto r = parse_s3_url(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace dosar::cloud
