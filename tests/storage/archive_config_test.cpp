// ARCHIVE/config.json: optional, owner-only, strings in objects only.
#include "storage/archive_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

using testing::TempDir;

Result<ArchiveConfig> read_with(const TempDir& dir, const std::string& text, mode_t mode = 0600) {
  testing::write_file(dir / "config.json", text);
  ::chmod((dir / "config.json").c_str(), mode);
  return read_archive_config(dir.path());
}

TEST(ArchiveConfig, AbsentFileIsEmpty) {
  TempDir dir;
  auto config = read_archive_config(dir.path());
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->get("backup.access_key_id"));
}

TEST(ArchiveConfig, ReadsDottedPaths) {
  TempDir dir;
  auto config = read_with(dir, R"({"backup": {"access_key_id": "cheie", "secret_access_key": "secret"}})");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->get("backup.access_key_id"), "cheie");
  EXPECT_EQ(config->get("backup.secret_access_key"), "secret");
  EXPECT_FALSE(config->get("backup"));
}

TEST(ArchiveConfig, RefusesFilesOthersMayReadOrChange) {
  TempDir dir;
  for (mode_t mode : {0644, 0640, 0602}) {
    auto config = read_with(dir, R"({"backup": {}})", mode);
    ASSERT_FALSE(config.ok()) << std::oct << mode;
    EXPECT_EQ(config.error().code, ErrorCode::permission);
    EXPECT_NE(config.error().subject.find("config.json"), std::string::npos);
  }
}

TEST(ArchiveConfig, RefusesWhatIsNotAnObjectOfStrings) {
  TempDir dir;
  for (const char* text :
       {"", "not json", "[]", R"({"backup": 3})", R"({"backup": {"keys": ["a"]}})", R"({"a": null})"}) {
    auto config = read_with(dir, text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.error().code, ErrorCode::corrupt) << text;
  }
}

TEST(BlobsSetting, ParsesTheTwoKindsAndRoundTripsThroughConfig) {
  TempDir dir;
  auto s3 = parse_blobs_setting("s3://dosar/primaria", "http://127.0.0.1:9000/");
  ASSERT_TRUE(s3.ok()) << s3.error().to_string();
  EXPECT_EQ(s3->kind, BlobsSetting::Kind::s3);
  EXPECT_EQ(s3->s3_url, "s3://dosar/primaria/");
  EXPECT_EQ(s3->s3_endpoint, "http://127.0.0.1:9000");
  ASSERT_TRUE(write_new_archive_config(dir.path(), blobs_config_values(*s3)).ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir / "config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto config = read_archive_config(dir.path());
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  auto read = blobs_setting(*config);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_TRUE(*read == *s3);
  EXPECT_EQ(write_new_archive_config(dir.path(), {}).error().code, ErrorCode::conflict)
      << "never overwritten";

  auto file = parse_blobs_setting("file:relative/blobs", "");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->dir.is_absolute());
  EXPECT_TRUE(blobs_config_values(BlobsSetting{}).empty()) << "the default needs no key";
}

TEST(BlobsSetting, RefusesWhatCannotWorkNamingTheOption) {
  struct Case {
    std::string location, endpoint, subject, fragment;
  };
  for (const Case& c : std::vector<Case>{{"s3://dosar/p", "", "--s3-endpoint", "is required"},
                                         {"s3://dosar/p", "ftp://host", "--s3-endpoint", "not an http"},
                                         {"s3://D/p", "http://h", "--blobs", "no valid bucket"},
                                         {"file:", "", "--blobs", "needs a folder"},
                                         {"file:/x", "http://h", "--s3-endpoint", "only goes with"},
                                         {"/srv/blobs", "", "--blobs", "neither file:DIR"}}) {
    auto parsed = parse_blobs_setting(c.location, c.endpoint);
    ASSERT_FALSE(parsed.ok()) << c.location;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(parsed.error().subject, c.subject) << c.location;
    EXPECT_NE(parsed.error().message.find(c.fragment), std::string::npos) << parsed.error().message;
  }
}

TEST(BlobsSetting, ConfigWithARelativeFolderIsCorrupt) {
  TempDir dir;
  auto config = read_with(dir, R"({"blobs": "file:blobs"})");
  ASSERT_TRUE(config.ok());
  auto setting = blobs_setting(*config);
  ASSERT_FALSE(setting.ok());
  EXPECT_EQ(setting.error().code, ErrorCode::corrupt);
  EXPECT_NE(setting.error().message.find("not absolute"), std::string::npos);
}

TEST(ArchiveConfig, SetValueKeepsOtherKeysAndGivesOthersNothing) {
  TempDir dir;
  ASSERT_TRUE(set_archive_config_value(dir.path(), "index", "xapian:/srv/index").ok());
  struct stat info {};
  ASSERT_EQ(::stat((dir / "config.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_TRUE(read_with(dir, R"({"backup": {"access_key_id": "cheie"}, "index": "xapian:/old"})").ok());
  ASSERT_TRUE(set_archive_config_value(dir.path(), "index", "xapian-tcp://idx1:33333").ok());
  auto config = read_archive_config(dir.path());
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->get("index"), "xapian-tcp://idx1:33333");
  EXPECT_EQ(config->get("backup.access_key_id"), "cheie");
}

TEST(ArchiveConfig, SetValueRefusesAFileOthersMayRead) {
  TempDir dir;
  ASSERT_FALSE(read_with(dir, R"({"backup": {"secret_access_key": "s"}})", 0644).ok());
  Status set = set_archive_config_value(dir.path(), "index", "xapian:/srv/index");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::permission);
  EXPECT_EQ(testing::read_file(dir / "config.json"), R"({"backup": {"secret_access_key": "s"}})");
}

}  // namespace
}  // namespace dosar
