#include "workflow/access_code.h"

#include <gtest/gtest.h>

#include <set>

namespace dosar::workflow {
namespace {

TEST(AccessCode, IsTenCharactersOfTheUnambiguousAlphabet) {
  std::string code = new_access_code().value();
  EXPECT_EQ(code.size(), kAccessCodeLength);
  EXPECT_EQ(code.find_first_not_of(kAccessCodeAlphabet), std::string::npos) << code;
}

TEST(AccessCode, CodesDoNotRepeatAndUseTheWholeAlphabet) {
  std::set<std::string> codes;
  std::set<char> letters;
  for (int i = 0; i < 2000; ++i) {
    std::string code = new_access_code().value();
    codes.insert(code);
    letters.insert(code.begin(), code.end());
  }
  EXPECT_EQ(codes.size(), 2000u);
  EXPECT_EQ(letters.size(), sizeof kAccessCodeAlphabet - 1);
}

TEST(AccessCode, StoredHashIsSaltedAndDoesNotContainTheCode) {
  auto a = protect_access_code("ABCDEFGHJK").value();
  auto b = protect_access_code("ABCDEFGHJK").value();
  EXPECT_NE(a.salt, b.salt);
  EXPECT_NE(a.hash, b.hash);
  EXPECT_EQ(a.hash.find("ABCDEFGHJK"), std::string::npos);
  EXPECT_EQ(a.hash.size(), 64u);
}

TEST(AccessCode, MatchesTheCodeAsRetypedButNotAnAlteredOne) {
  auto secret = protect_access_code("ABCDE23456").value();
  EXPECT_TRUE(access_code_matches("ABCDE23456", secret));
  EXPECT_TRUE(access_code_matches("abcde-23456", secret));
  EXPECT_TRUE(access_code_matches(" ABCDE 23456 ", secret));
  EXPECT_FALSE(access_code_matches("ABCDE23457", secret));
  EXPECT_FALSE(access_code_matches("ABCDE2345", secret));
  EXPECT_FALSE(access_code_matches("", secret));
}

}  // namespace
}  // namespace dosar::workflow
