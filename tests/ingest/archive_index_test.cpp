// Keeping the index in step, wherever it lives (ingest/archive_index.cpp):
// the locator's sources, and ingest, search and rebuild on remote shards.
#include "ingest/archive_index.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "ingest/ingester.h"
#include "storage/archive_config.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/support/xapian_server.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::XapianServer;

class ArchiveIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { archive_ = std::move(ArchiveStore::create(dir_ / "archive")).value(); }
  void configure(const std::string& text) {
    testing::write_file(dir_ / "archive/config.json", text);
    ::chmod((dir_ / "archive/config.json").c_str(), 0600);
  }
  // Ingests `count` PDFs whose text holds "arhivă" and "document N".
  void ingest(int count) {
    for (int i = 1; i <= count; ++i)
      testing::write_file(dir_ / ("in/doc-" + std::to_string(i) + ".pdf"),
                          testing::make_text_pdf({"Document " + std::to_string(i) + " din arhivă"}));
    auto ingester = Ingester::create(*archive_, IngestOptions{});
    ASSERT_TRUE(ingester.ok());
    Status status = (*ingester)->ingest({dir_ / "in"}, [](const IngestItem&) {});
    ASSERT_TRUE(status.ok()) << status.error().to_string();
  }
  std::uint64_t total(const std::string& query) {
    SearchRequest request;
    request.query = query;
    auto result = search_archive(*archive_, request, std::nullopt);
    EXPECT_TRUE(result.ok()) << result.error().to_string();
    return result.ok() ? result->total : 0;
  }
  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
};

TEST_F(ArchiveIndexTest, LocationDefaultsToTheArchivesIndexDirectory) {
  auto location = index_location(*archive_);
  ASSERT_TRUE(location.ok()) << location.error().to_string();
  EXPECT_FALSE(location->remote());
  EXPECT_EQ(location->dir, archive_->index_dir());
}

TEST_F(ArchiveIndexTest, ConfigIndexKeyIsReadRelativeToTheArchive) {
  configure(R"({"index": "xapian:alt/index"})");
  auto location = index_location(*archive_);
  ASSERT_TRUE(location.ok()) << location.error().to_string();
  EXPECT_EQ(location->dir, dir_ / "archive/alt/index");
  configure(R"({"index": "xapian-tcp://idx1:33333,idx2:33333"})");
  location = index_location(*archive_);
  ASSERT_TRUE(location.ok());
  ASSERT_EQ(location->shards.size(), 2u);
  EXPECT_EQ(location->shards[1].name(), "idx2:33333");
}

TEST_F(ArchiveIndexTest, FrontEndLocatorOverridesTheConfig) {
  configure(R"({"index": "xapian-tcp://idx1:33333"})");
  archive_->set_index_locator("xapian:" + (dir_ / "elsewhere").string());
  auto location = index_location(*archive_);
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location->dir, dir_ / "elsewhere");
}

TEST_F(ArchiveIndexTest, MalformedConfigLocatorNamesTheFileAndKey) {
  configure(R"({"index": "tcp://idx1"})");
  auto location = index_location(*archive_);
  ASSERT_FALSE(location.ok());
  EXPECT_EQ(location.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(location.error().subject.find("config.json"), std::string::npos);
  EXPECT_NE(location.error().message.find("'index'"), std::string::npos);
  SearchRequest request;
  request.query = "arhiva";
  EXPECT_FALSE(search_archive(*archive_, request, std::nullopt).ok()) << "never the default index instead";
}

// `dosar reindex --compact`: the same answers from a smaller index put in
// place of the old one, nothing left beside it, queued work indexed after.
TEST_F(ArchiveIndexTest, CompactionKeepsTheAnswersAndLeavesNothingBeside) {
  ingest(40);
  ASSERT_EQ(total("arhiva"), 40u);
  ASSERT_TRUE(archive_->catalog().queue_all_for_indexing().ok());
  auto compacted = compact_search_index(*archive_);
  ASSERT_TRUE(compacted.ok()) << compacted.error().to_string();
  EXPECT_GT(compacted->bytes_before, 0u);
  EXPECT_LT(compacted->bytes_after, compacted->bytes_before);
  EXPECT_EQ(total("arhiva"), 40u);
  EXPECT_EQ(total("\"document 17\""), 1u);
  EXPECT_TRUE(archive_->catalog().pending_index_work(10)->empty()) << "work queued meanwhile indexed after";
  for (const auto& entry : fs::directory_iterator(archive_->index_dir().parent_path()))
    EXPECT_EQ(entry.path().filename().string().rfind("index.", 0), std::string::npos) << entry.path();
  // And the compacted index takes new documents.
  testing::write_file(dir_ / "more/late.pdf", testing::make_text_pdf({"Document tarziu din arhivă"}));
  auto ingester = Ingester::create(*archive_, IngestOptions{});
  ASSERT_TRUE(ingester.ok());
  ASSERT_TRUE((*ingester)->ingest({dir_ / "more"}, [](const IngestItem&) {}).ok());
  EXPECT_EQ(total("arhiva"), 41u);
}

TEST_F(ArchiveIndexTest, CompactionRefusesWhatItCannotDoAndChangesNothing) {
  auto none = compact_search_index(*archive_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
  EXPECT_NE(none.error().message.find("reindex"), std::string::npos);

  ingest(3);
  {
    // Another writer holds the index: refused once the wait is over.
    auto writer = open_xapian_index(archive_->index_dir(), IndexAccess::write);
    ASSERT_TRUE(writer.ok());
    auto locked = compact_search_index(*archive_, std::chrono::seconds(0));
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.error().code, ErrorCode::conflict);
  }
  EXPECT_EQ(total("arhiva"), 3u);

  XapianServer shard(dir_ / "shard-0");
  archive_->set_index_locator("xapian-tcp://" + shard.address());
  auto remote = compact_search_index(*archive_);
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(remote.error().message.find("xapian-compact"), std::string::npos);
}

// Ingest, search and reindex of an archive whose index is two shards.
TEST_F(ArchiveIndexTest, IngestSearchAndRebuildOnTwoShards) {
  XapianServer first(dir_ / "shard-0"), second(dir_ / "shard-1");
  archive_->set_index_locator("xapian-tcp://" + first.address() + "," + second.address());
  ASSERT_TRUE(rebuild_search_index(*archive_).ok());
  ingest(5);
  EXPECT_EQ(total("arhiva"), 5u);
  EXPECT_EQ(total("\"document 3\""), 1u);
  auto local = [&](const fs::path& dir) {
    return *(*open_xapian_index(dir, IndexAccess::read))->version_count();
  };
  EXPECT_EQ(local(dir_ / "shard-0") + local(dir_ / "shard-1"), 5u);
  EXPECT_GT(local(dir_ / "shard-0"), 0u);
  EXPECT_GT(local(dir_ / "shard-1"), 0u);
  ASSERT_TRUE(rebuild_search_index(*archive_).ok());
  EXPECT_EQ(total("arhiva"), 5u);
  EXPECT_EQ(local(dir_ / "shard-0") + local(dir_ / "shard-1"), 5u) << "rebuilt in place, nothing twice";
}

// A shard down while documents come in: they are stored, the index work
// stays queued, and the error names the shard.
TEST_F(ArchiveIndexTest, ShardDownKeepsIndexWorkQueuedAndNamesIt) {
  XapianServer first(dir_ / "shard-0"), second(dir_ / "shard-1");
  archive_->set_index_locator("xapian-tcp://" + first.address() + "," + second.address());
  ASSERT_TRUE(rebuild_search_index(*archive_).ok());
  second.kill();
  testing::write_file(dir_ / "in/doc.pdf", testing::make_text_pdf({"Proces verbal"}));
  auto ingester = Ingester::create(*archive_, IngestOptions{});
  ASSERT_TRUE(ingester.ok());
  Status status = (*ingester)->ingest({dir_ / "in/doc.pdf"}, [](const IngestItem&) {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::io);
  EXPECT_EQ(status.error().subject, "index shard " + second.address());
  EXPECT_EQ(archive_->catalog().documents()->size(), 1u);
  EXPECT_FALSE(archive_->catalog().pending_index_work(10)->empty());
}

}  // namespace
}  // namespace dosar
