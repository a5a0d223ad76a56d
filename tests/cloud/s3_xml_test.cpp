// Parsing of S3 answers, which come from a server Dosar does not trust.
#include "cloud/s3_xml.h"

#include <gtest/gtest.h>

namespace dosar::cloud {
namespace {

const char* kListing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>p/a b&amp;c</Key><LastModified>2026-11-23T13:13:48.000Z</LastModified>
<ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size></Contents>
<Contents><Key>p/z</Key><Size>18446744073709551615</Size></Contents>
<NextContinuationToken>dG9r+ZW4=</NextContinuationToken></ListBucketResult>)";

TEST(S3Xml, ParsesListObjectsV2Page) {
  auto page = parse_list_objects_v2(kListing, "s3://b/p/");
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a b&c");
  EXPECT_EQ(page->objects[0].size, 6u);
  EXPECT_EQ(page->objects[1].size, 18446744073709551615ull);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "dG9r+ZW4=");
}

TEST(S3Xml, ParsesLastEmptyPage) {
  auto page =
      parse_list_objects_v2("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", "s");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->truncated);
}

TEST(S3Xml, RejectsTruncatedListingWithoutToken) {
  auto page = parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
                                    "s3://b/p/");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::corrupt);
  EXPECT_EQ(page.error().subject, "s3://b/p/");
}

TEST(S3Xml, RejectsSizeThatIsNotANumber) {
  auto page = parse_list_objects_v2(
      "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>", "s");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::corrupt);
  EXPECT_NE(page.error().message.find("not a number"), std::string::npos);
}

TEST(S3Xml, RejectsMalformedAndForeignDocuments) {
  for (const char* xml : {"", "<ListBucketResult>", "not xml at all", "<Other/>",
                          "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>"}) {
    auto page = parse_list_objects_v2(xml, "s");
    ASSERT_FALSE(page.ok()) << xml;
    EXPECT_EQ(page.error().code, ErrorCode::corrupt) << xml;
  }
}

TEST(S3Xml, RefusesEntityExpansionBomb) {
  std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
      "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>"
      "<ListBucketResult><Contents><Key>&e;</Key><Size>1</Size></Contents></ListBucketResult>";
  auto page = parse_list_objects_v2(bomb, "s3://b/");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::corrupt);
}

TEST(S3Xml, RefusesExternalEntityAndReadsNoFile) {
  std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<InitiateMultipartUploadResult><UploadId>&x;</UploadId></InitiateMultipartUploadResult>";
  auto id = parse_upload_id(xxe, "s3://b/k");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::corrupt);
}

TEST(S3Xml, UndeclaredEntityIsCorruptNotEmpty) {
  auto id = parse_upload_id(
      "<InitiateMultipartUploadResult><UploadId>&x;</UploadId></InitiateMultipartUploadResult>", "s3://b/k");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::corrupt);
}

TEST(S3Xml, RefusesAnswerBeyondTheLimit) {
  S3XmlLimits limits;
  limits.max_bytes = 1000;
  std::string huge = "<ListBucketResult>" + std::string(limits.max_bytes, ' ') + "</ListBucketResult>";
  auto page = parse_list_objects_v2(huge, "s3://b/", limits);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::limit_exceeded);
  // At the limit it parses.
  std::string fits = "<ListBucketResult>" + std::string(limits.max_bytes - 37, ' ') + "</ListBucketResult>";
  ASSERT_EQ(fits.size(), limits.max_bytes);
  EXPECT_TRUE(parse_list_objects_v2(fits, "s3://b/", limits).ok());
}

TEST(S3Xml, DeeplyNestedInputIsRefusedNotACrash) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  auto page = parse_list_objects_v2(deep, "s");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::corrupt);
}

TEST(S3Xml, ParsesUploadIdAndErrorSummary) {
  auto id = parse_upload_id(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>abc123</UploadId>"
      "</InitiateMultipartUploadResult>",
      "s");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "abc123");
  EXPECT_EQ(parse_error_summary("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist."
                                "</Message></Error>"),
            "NoSuchKey: The specified key does not exist.");
  EXPECT_EQ(parse_error_summary("<html>502 Bad Gateway</html>"), "");
  EXPECT_EQ(parse_error_summary(""), "");
}

}  // namespace
}  // namespace dosar::cloud
