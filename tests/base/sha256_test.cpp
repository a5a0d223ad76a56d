#include "base/sha256.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

TEST(Sha256, MatchesKnownDigestOfAbc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 hasher;
  hasher.update("ab");
  hasher.update("c");
  EXPECT_EQ(to_hex(hasher.finish()), sha256_hex("abc"));
}

TEST(Sha256, RecognisesOnlyLowercaseHexOfLength64) {
  EXPECT_TRUE(is_sha256_hex(sha256_hex("")));
  EXPECT_FALSE(is_sha256_hex("ABC"));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
  EXPECT_FALSE(is_sha256_hex("../" + std::string(61, 'a')));
}

}  // namespace
}  // namespace dosar
