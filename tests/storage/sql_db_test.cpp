// The SQL layer shared by both catalogue engines (storage/sql_db.h).
#include "storage/sql_db.h"

#include <gtest/gtest.h>

namespace dosar::sql {
namespace {

TEST(NumberedPlaceholders, NumbersBarePlaceholdersInOrder) {
  EXPECT_EQ(numbered_placeholders("SELECT a FROM t WHERE b = ? AND c = ? LIMIT ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 LIMIT $3");
}

TEST(NumberedPlaceholders, KeepsExplicitNumbersAndContinuesAfterTheLargestAsSqliteDoes) {
  EXPECT_EQ(numbered_placeholders("UPDATE t SET a = ?2, b = ?1 WHERE c = ?3 OR d = ?"),
            "UPDATE t SET a = $2, b = $1 WHERE c = $3 OR d = $4");
}

TEST(NumberedPlaceholders, LeavesQuestionMarksInLiteralsQuotedNamesAndCommentsAlone) {
  EXPECT_EQ(numbered_placeholders("SELECT '?', 'it''s ?', \"a?\" FROM t -- why?\nWHERE x = ?"),
            "SELECT '?', 'it''s ?', \"a?\" FROM t -- why?\nWHERE x = $1");
}

}  // namespace
}  // namespace dosar::sql
