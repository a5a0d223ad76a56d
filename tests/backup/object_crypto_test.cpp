// The encrypted object format (docs/formats/backup.md): round trip, and every
// kind of damage is refused as corrupt.
#include "backup/object_crypto.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar::backup {
namespace {

constexpr std::uint32_t kChunk = 64;  // small chunks, so that tests span many

Key key_of(std::uint8_t seed) {
  Key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed + i);
  return k;
}

std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i * 31 + 7);
  return s;
}

std::string encrypt(const Key& key, std::string_view plain, std::size_t piece = 13) {
  std::string out;
  ObjectEncryptor e(
      key,
      [&](std::string_view b) -> Status {
        out.append(b);
        return {};
      },
      kChunk);
  for (std::size_t i = 0; i < plain.size(); i += piece) EXPECT_TRUE(e.update(plain.substr(i, piece)).ok());
  EXPECT_TRUE(e.finish().ok());
  return out;
}

Result<std::string> decrypt(const Key& key, std::string_view cipher, std::size_t piece = 17) {
  std::string out;
  ObjectDecryptor d(
      key,
      [&](std::string_view b) -> Status {
        out.append(b);
        return {};
      },
      "object x");
  for (std::size_t i = 0; i < cipher.size(); i += piece) DOSAR_TRY(d.update(cipher.substr(i, piece)));
  DOSAR_TRY(d.finish());
  return out;
}

std::size_t record_size() {
  return kChunk + kChunkOverhead;
}

class RoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RoundTrip, DecryptsToThePlaintextWithThePredictedSize) {
  std::string plain = pattern(GetParam());
  std::string cipher = encrypt(key_of(1), plain);
  EXPECT_EQ(cipher.size(), encrypted_size(plain.size(), kChunk));
  auto back = decrypt(key_of(1), cipher);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back, plain);
}

INSTANTIATE_TEST_SUITE_P(ObjectCrypto, RoundTrip,
                         ::testing::Values(0, 1, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk, 3 * kChunk + 5,
                                           1000));

TEST(ObjectCrypto, DefaultChunkSizeRoundTripThroughWholeBuffers) {
  std::string plain = pattern((2u << 20) + 3);
  std::string cipher = encrypt_bytes(key_of(2), plain);
  EXPECT_EQ(cipher.size(), encrypted_size(plain.size()));
  auto back = decrypt_bytes(key_of(2), cipher, "x");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == plain);
}

TEST(ObjectCrypto, SamePlaintextEncryptsDifferentlyEachTime) {
  std::string plain = pattern(100);
  std::string a = encrypt(key_of(1), plain), b = encrypt(key_of(1), plain);
  EXPECT_NE(a, b) << "nonces must be random";
  EXPECT_EQ(a.substr(0, kHeaderSize), b.substr(0, kHeaderSize));
  EXPECT_EQ(a.find(plain.substr(0, 16)), std::string::npos) << "plaintext visible in the object";
}

TEST(ObjectCrypto, WrongKeyFailsAtTheFirstChunkSayingSo) {
  std::string cipher = encrypt(key_of(1), pattern(200));
  auto back = decrypt(key_of(9), cipher);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::corrupt);
  EXPECT_EQ(back.error().subject, "object x");
  EXPECT_NE(back.error().message.find("wrong key"), std::string::npos);
}

TEST(ObjectCrypto, EveryFlippedByteIsDetected) {
  std::string cipher = encrypt(key_of(1), pattern(3 * kChunk + 10));
  for (std::size_t i = 0; i < cipher.size(); ++i) {
    std::string damaged = cipher;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    auto back = decrypt(key_of(1), damaged);
    ASSERT_FALSE(back.ok()) << "flipped byte " << i << " not detected";
    EXPECT_EQ(back.error().code, ErrorCode::corrupt);
  }
}

TEST(ObjectCrypto, TruncationAnywhereIsDetected) {
  std::string cipher = encrypt(key_of(1), pattern(3 * kChunk + 10));
  for (std::size_t length = 0; length < cipher.size(); ++length) {
    auto back = decrypt(key_of(1), cipher.substr(0, length));
    ASSERT_FALSE(back.ok()) << "cut at " << length << " not detected";
    EXPECT_EQ(back.error().code, ErrorCode::corrupt);
  }
}

TEST(ObjectCrypto, CutAtAChunkBoundaryIsReportedAsTruncated) {
  std::string cipher = encrypt(key_of(1), pattern(2 * kChunk + 10));
  auto back = decrypt(key_of(1), cipher.substr(0, kHeaderSize + 2 * record_size()));
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("truncated"), std::string::npos) << back.error().message;
}

TEST(ObjectCrypto, ReorderedDroppedOrRepeatedChunksAreDetected) {
  std::string cipher = encrypt(key_of(1), pattern(3 * kChunk + 10));
  std::string header = cipher.substr(0, kHeaderSize);
  auto chunk = [&](int i) { return cipher.substr(kHeaderSize + i * record_size(), record_size()); };
  std::string last = cipher.substr(kHeaderSize + 3 * record_size());
  for (const std::string& variant : {header + chunk(1) + chunk(0) + chunk(2) + last,             // swapped
                                     header + chunk(0) + chunk(2) + last,                        // dropped
                                     header + chunk(0) + chunk(0) + chunk(1) + chunk(2) + last,  // repeated
                                     header + chunk(0) + chunk(1) + chunk(2) + last + last}) {   // trailing
    auto back = decrypt(key_of(1), variant);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code, ErrorCode::corrupt);
  }
}

TEST(ObjectCrypto, UnknownVersionAndForeignBytesAreNamed) {
  std::string cipher = encrypt(key_of(1), pattern(10));
  std::string v2 = cipher;
  v2[7] = 2;
  auto back = decrypt(key_of(1), v2);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("version 2"), std::string::npos);
  auto foreign = decrypt(key_of(1), "%PDF-1.7 this is not a backup object at all");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("bad magic"), std::string::npos);
}

TEST(ObjectCrypto, PlaintextReachesTheSinkOnlyOnceAuthenticated) {
  std::string cipher = encrypt(key_of(1), pattern(3 * kChunk));
  cipher[kHeaderSize + record_size() + 20] ^= 1;  // damage chunk 1
  std::string seen;
  ObjectDecryptor d(
      key_of(1),
      [&](std::string_view b) -> Status {
        seen.append(b);
        return {};
      },
      "x");
  Status status = d.update(cipher);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(seen, pattern(kChunk)) << "only chunk 0 was authentic";
}

// Format 1 must stay readable: the golden object of docs/formats/backup.md.
TEST(ObjectCrypto, ReadsTheGoldenObjectOfFormat1) {
  Key master{};
  for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<std::uint8_t>(i);
  std::string golden = testing::read_file(std::string(DOSAR_TEST_DATA) + "/formats/backup-object-v1.bin");
  auto plain = decrypt_bytes(derive_keys(master).encryption, golden, "golden");
  ASSERT_TRUE(plain.ok()) << plain.error().to_string();
  EXPECT_EQ(*plain, "Dosar backup object, format 1: chunked AES-256-GCM.\n");
  EXPECT_EQ(golden.size(), encrypted_size(plain->size(), 16));
}

}  // namespace
}  // namespace dosar::backup
