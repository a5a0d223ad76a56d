// Index locators and the shard rule (index/index_locator.cpp).
#include <gtest/gtest.h>

#include "index/search_index.h"

namespace dosar {
namespace {

TEST(IndexLocator, ReadsALocalDirectory) {
  auto location = parse_index_locator("xapian:/srv/dosar/index");
  ASSERT_TRUE(location.ok()) << location.error().to_string();
  EXPECT_FALSE(location->remote());
  EXPECT_EQ(location->dir, "/srv/dosar/index");
}

TEST(IndexLocator, ReadsShardsInOrder) {
  auto location = parse_index_locator("xapian-tcp://idx1.primarie.local:33333,10.0.0.7:33334,[::1]:8100");
  ASSERT_TRUE(location.ok()) << location.error().to_string();
  ASSERT_EQ(location->shards.size(), 3u);
  EXPECT_EQ(location->shards[0].host, "idx1.primarie.local");
  EXPECT_EQ(location->shards[0].port, 33333u);
  EXPECT_EQ(location->shards[1].name(), "10.0.0.7:33334");
  EXPECT_EQ(location->shards[2].host, "::1");
  EXPECT_EQ(location->shards[2].name(), "[::1]:8100");
}

TEST(IndexLocator, RejectsMalformedLocatorsSayingWhy) {
  const std::pair<std::string, std::string> cases[] = {
      {"/srv/index", "not an index locator"}, {"xapian:", "no directory"},
      {"xapian-tcp://", "no :PORT"},          {"xapian-tcp://host", "no :PORT"},
      {"xapian-tcp://host:0", "port"},        {"xapian-tcp://host:70000", "port"},
      {"xapian-tcp://host:12x", "port"},      {"xapian-tcp://:33333", "no host"},
      {"xapian-tcp://a:1,,b:2", "no :PORT"},  {"xapian-tcp://a:1,a:1", "twice"},
      {"xapian-tcp://::1:8100", "brackets"},  {"xapian-tcp://user@host:1", "not a name"},
  };
  for (const auto& [locator, reason] : cases) {
    auto location = parse_index_locator(locator);
    ASSERT_FALSE(location.ok()) << locator;
    EXPECT_EQ(location.error().code, ErrorCode::invalid_argument) << locator;
    EXPECT_EQ(location.error().subject, locator);
    EXPECT_NE(location.error().message.find(reason), std::string::npos)
        << locator << ": " << location.error().message;
  }
}

TEST(IndexLocator, RefusesMoreShardsThanTheLimit) {
  std::string locator = "xapian-tcp://";
  for (std::size_t i = 0; i <= kMaxIndexShards; ++i)
    locator += (i ? "," : "") + ("h:" + std::to_string(i + 1));
  auto location = parse_index_locator(locator);
  ASSERT_FALSE(location.ok());
  EXPECT_EQ(location.error().code, ErrorCode::invalid_argument);
}

TEST(ShardOf, IsTheIdModuloTheShardCount) {
  EXPECT_EQ(shard_of(7, 1), 0u);
  EXPECT_EQ(shard_of(7, 2), 1u);
  EXPECT_EQ(shard_of(8, 2), 0u);
  EXPECT_EQ(shard_of(10, 4), 2u);
}

}  // namespace
}  // namespace dosar
