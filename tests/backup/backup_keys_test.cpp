#include "backup/backup_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace dosar::backup {
namespace {

using testing::TempDir;

TEST(BackupKeys, KeygenWrites32RandomBytesReadableOnlyByOwner) {
  TempDir dir;
  ASSERT_TRUE(write_new_key_file(dir / "a.key").ok());
  ASSERT_TRUE(write_new_key_file(dir / "b.key").ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir / "a.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto a = read_key_file(dir / "a.key");
  auto b = read_key_file(dir / "b.key");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(BackupKeys, KeygenNeverOverwrites) {
  TempDir dir;
  testing::write_file(dir / "k", "precious");
  Status status = write_new_key_file(dir / "k");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::conflict);
  EXPECT_EQ(testing::read_file(dir / "k"), "precious");
}

TEST(BackupKeys, ReadRefusesWrongSizeAndFilesOthersCanRead) {
  TempDir dir;
  testing::write_file(dir / "short", std::string(31, 'k'));
  ::chmod((dir / "short").c_str(), 0600);
  auto short_key = read_key_file(dir / "short");
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(short_key.error().message.find("31 bytes"), std::string::npos);

  testing::write_file(dir / "open", std::string(32, 'k'));
  ::chmod((dir / "open").c_str(), 0644);
  auto open_key = read_key_file(dir / "open");
  ASSERT_FALSE(open_key.ok());
  EXPECT_EQ(open_key.error().code, ErrorCode::permission);

  auto missing = read_key_file(dir / "none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST(BackupKeys, SubKeysAreDistinctAndDeterministic) {
  Key master{};
  master[0] = 1;
  BackupKeys a = derive_keys(master), b = derive_keys(master);
  EXPECT_EQ(a.encryption, b.encryption);
  EXPECT_NE(a.encryption, a.naming);
  EXPECT_NE(a.naming, a.manifest);
  EXPECT_NE(a.manifest, a.check);
  EXPECT_NE(a.encryption, master);
  master[0] = 2;
  EXPECT_NE(derive_keys(master).naming, a.naming);
}

TEST(BackupKeys, PassphraseKeyDependsOnPassphraseAndSalt) {
  ScryptParams quick{1024, 8, 1};
  auto a = key_from_passphrase("parolă", "salt-1", quick);
  auto again = key_from_passphrase("parolă", "salt-1", quick);
  auto other_salt = key_from_passphrase("parolă", "salt-2", quick);
  auto other_pass = key_from_passphrase("parola", "salt-1", quick);
  ASSERT_TRUE(a.ok() && again.ok() && other_salt.ok() && other_pass.ok());
  EXPECT_EQ(*a, *again);
  EXPECT_NE(*a, *other_salt);
  EXPECT_NE(*a, *other_pass);
  EXPECT_FALSE(key_from_passphrase("", "salt", quick).ok());
  EXPECT_FALSE(key_from_passphrase("p", "salt", ScryptParams{1000, 8, 1}).ok()) << "n must be a power of two";
}

TEST(BackupKeys, HmacMatchesRfc4231TestCase2) {
  // RFC 4231 uses the 4-byte key "Jefe"; HMAC pads keys to the block size, so
  // "Jefe" followed by zeros gives the same MAC.
  Key key{};
  key[0] = 'J', key[1] = 'e', key[2] = 'f', key[3] = 'e';
  EXPECT_EQ(hmac_hex(key, "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace dosar::backup
