#include "base/base64.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

TEST(Base64, EncodesWithPaddingAsRfc4648Says) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, RoundTripsBinaryBytesOfEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>((i * 37) & 0xff));
    auto back = unbase64(base64(bytes));
    ASSERT_TRUE(back) << i;
    EXPECT_EQ(*back, bytes) << i;
  }
  bytes.assign(3, '\0');
  EXPECT_EQ(*unbase64(base64(bytes)), bytes) << "NUL bytes survive";
}

TEST(Base64, RejectsWhatIsNotBase64) {
  EXPECT_FALSE(unbase64("Zg="));     // length not a multiple of 4
  EXPECT_FALSE(unbase64("Z!=="));    // outside the alphabet
  EXPECT_FALSE(unbase64("12.pdf"));  // a file name
}

}  // namespace
}  // namespace dosar
