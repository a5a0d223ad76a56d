// The excerpt shown under each search hit: which words are marked and which
// part of a long text is shown.
#include "index/snippet.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <set>
#include <string>

#include "index/romanian_text.h"

namespace dosar {
namespace {

// The Z term the index holds for `word` (index/xapian_index.cpp).
std::string stem_term(const std::string& word) {
  return "Z" + romanian::stemmer()(romanian::normalize(word));
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(Snippet, MarksWordsByTheirFoldedFormOrTheirStemInTheOriginalSpelling) {
  const std::string text = "Ancheta socială a copiilor din strada Baicului, întocmită de ȘEFUL serviciului.";
  const std::string snippet =
      make_snippet(text, {stem_term("anchetă"), stem_term("copii"), "baicului", "seful"});
  EXPECT_NE(snippet.find("<mark>Ancheta</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("<mark>copiilor</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("<mark>Baicului</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("<mark>ȘEFUL</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("socială"), std::string::npos) << "unmarked words keep their spelling: " << snippet;
  EXPECT_EQ(count_of(snippet, "<mark>"), 4u) << snippet;
}

TEST(Snippet, WordsWithDiacriticsOrCedillasAreWholeWords) {
  // ş (cedilla) and ţ inside words must not split them, whatever precedes.
  const std::string text = "Consiliul a aprobat hotărârea privind şcoala şi ţinuta elevilor.";
  const std::string snippet = make_snippet(text, {stem_term("hotărâre"), "scoala", "tinuta"});
  EXPECT_NE(snippet.find("<mark>hotărârea</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("<mark>şcoala</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("<mark>ţinuta</mark>"), std::string::npos) << snippet;
}

TEST(Snippet, ShowsThePartOfALongTextWithTheMostDistinctMatchedWords) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "raportul lunar al serviciului tehnic despre lucrari. ";
  text += "Aici cererea de ajutor social pentru familia Popescu. ";
  for (int i = 0; i < 3000; ++i) text += "raportul lunar al serviciului tehnic despre lucrari. ";
  text += "Doar o cerere, mai departe. ";
  const std::string snippet =
      make_snippet(text, {stem_term("cerere"), stem_term("ajutor"), "popescu", stem_term("raport")});
  EXPECT_NE(snippet.find("<mark>cererea</mark> de <mark>ajutor</mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("<mark>Popescu</mark>"), std::string::npos) << snippet;
  EXPECT_EQ(snippet.rfind("… ", 0), 0u) << "cut at the start: " << snippet;
  EXPECT_EQ(snippet.find("Doar"), std::string::npos) << snippet;
}

TEST(Snippet, TextWithoutMatchesStartsAtTheTopAndMarksNothing) {
  const std::string snippet = make_snippet("Primul cuvânt, apoi altele & <mai> multe.", {"Zcerer"});
  EXPECT_EQ(snippet.rfind("Primul cuvânt", 0), 0u) << snippet;
  EXPECT_EQ(snippet.find("<mark>"), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("&amp; &lt;mai&gt;"), std::string::npos) << "escaped: " << snippet;
  EXPECT_EQ(make_snippet("", {"Zcerer"}), "");
  EXPECT_EQ(make_snippet(" , ; ", {"Zcerer"}), "");
}

}  // namespace
}  // namespace dosar
