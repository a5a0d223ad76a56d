// Folding for matching (base/text_folding.cpp).
#include "base/text_folding.h"

#include <gtest/gtest.h>

namespace dosar {
namespace {

TEST(TextFolding, FoldsRomanianAndCommonLatinLetters) {
  EXPECT_EQ(fold_diacritics("Ăă Ââ Îî Șș Şş Țț Ţţ"), "Aa Aa Ii Ss Ss Tt Tt");
  EXPECT_EQ(fold_diacritics("Müller café"), "Muller cafe");
  EXPECT_EQ(fold_diacritics("1234/22.11.2026 €"), "1234/22.11.2026 €");
  EXPECT_EQ(fold_diacritics(std::string("\xff\xfe", 2)), std::string("\xff\xfe", 2)) << "bad UTF-8 kept";
}

// What the registry book stores beside a subject and folds a typed filter
// to (issue 7): the Hungarian and German names of a Romanian city hall's
// petitioners match typed without their marks, in any case.
TEST(TextFolding, ForMatchingFoldsAndLowersLatinLettersAndIsIdempotent) {
  EXPECT_EQ(fold_for_matching("Cerere Kovács Péter — ajutor ÎNCĂLZIRE"),
            "cerere kovacs peter — ajutor incalzire");
  EXPECT_EQ(fold_for_matching("MÜLLER Őrs Łukasz Straße"), "muller ors lukasz strase");
  EXPECT_EQ(fold_for_matching("Ωμέγα"), "Ωμέγα") << "letters outside Latin kept as they are";
  const std::string once = fold_for_matching("Șoseaua Ştefan cel Mare 50%");
  EXPECT_EQ(once, "soseaua stefan cel mare 50%");
  EXPECT_EQ(fold_for_matching(once), once);
}

}  // namespace
}  // namespace dosar
