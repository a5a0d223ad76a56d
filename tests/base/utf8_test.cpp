#include "base/utf8.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

TEST(ValidUtf8, KeepsWellFormedTextAsItIs) {
  const std::string text = "Cerere privind școala și ținuta — 𝄞 €";
  EXPECT_EQ(valid_utf8(text), text);
  EXPECT_EQ(valid_utf8(""), "");
}

TEST(ValidUtf8, ReplacesEachByteOfAMalformedSequence) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(valid_utf8("a\xFF"
                       "b"),
            "a" + replacement + "b");
  EXPECT_EQ(valid_utf8("\xC3"), replacement) << "truncated at the end";
  EXPECT_EQ(valid_utf8("\xC3(a"), replacement + "(a") << "continuation missing";
  EXPECT_EQ(valid_utf8("\xC0\xAF"), replacement + replacement) << "overlong '/'";
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), replacement + replacement + replacement) << "surrogate U+D800";
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80").substr(0, 3), replacement) << "above U+10FFFF";
  EXPECT_EQ(valid_utf8("ș\x80ț"), "ș" + replacement + "ț");
}

}  // namespace
}  // namespace dosar
