#include "backup/manifest.h"

#include <gtest/gtest.h>

namespace dosar::backup {
namespace {

Manifest sample() {
  Manifest m;
  m.generation = 7;
  m.created_at = "2026-11-23T13:00:00.000000Z";
  m.archive = "/srv/dosar/archive";
  m.catalog = {"c0ffee", std::string(64, 'c'), 4096, 4156};
  m.blobs = {{"aa", std::string(64, 'a'), 10, 54}, {"bb", std::string(64, 'b'), 0, 44}};
  return m;
}

Key key_of(std::uint8_t b) {
  Key k{};
  k.fill(b);
  return k;
}

TEST(Manifest, RoundTrips) {
  std::string text = serialize_manifest(sample(), key_of(1));
  auto m = parse_manifest(text, key_of(1), 7, "m");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->generation, 7u);
  EXPECT_EQ(m->catalog.name, "c0ffee");
  ASSERT_EQ(m->blobs.size(), 2u);
  EXPECT_EQ(m->blobs[1].sha256, std::string(64, 'b'));
  EXPECT_EQ(m->blobs[0].stored_size, 54u);
}

TEST(Manifest, AlteredBodyFailsTheHmac) {
  std::string text = serialize_manifest(sample(), key_of(1));
  auto at = text.find("\"size\":10");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 9, "\"size\":11");
  auto m = parse_manifest(text, key_of(1), 7, "manifests/0000000007");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::corrupt);
  EXPECT_EQ(m.error().subject, "manifests/0000000007");
  EXPECT_NE(m.error().message.find("HMAC"), std::string::npos);
}

TEST(Manifest, OtherKeyFailsTheHmac) {
  auto m = parse_manifest(serialize_manifest(sample(), key_of(1)), key_of(2), 7, "m");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::corrupt);
}

TEST(Manifest, ManifestStoredUnderAnotherGenerationIsRefused) {
  auto m = parse_manifest(serialize_manifest(sample(), key_of(1)), key_of(1), 8, "m");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("generation 7"), std::string::npos);
}

TEST(Manifest, GarbageIsCorrupt) {
  for (const char* text : {"", "{", "[]", "{\"body\":{},\"hmac\":1}"}) {
    auto m = parse_manifest(text, key_of(1), 1, "m");
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.error().code, ErrorCode::corrupt) << text;
  }
}

}  // namespace
}  // namespace dosar::backup
