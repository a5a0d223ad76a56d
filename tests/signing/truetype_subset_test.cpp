// The TrueType subsetter behind the visible stamp's embedded font (issue 5),
// checked by FreeType: the subset must draw every glyph exactly as the full
// font does.
#include "signing/truetype_subset.h"

#include <ft2build.h>
#include <gtest/gtest.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include <array>
#include <memory>
#include <string_view>

#include "base/fonts.h"
#include "tests/support/temp_dir.h"

namespace dosar::signing {
namespace {

struct FreeTypeDone {
  void operator()(FT_Library l) const { FT_Done_FreeType(l); }
  void operator()(FT_Face f) const { FT_Done_Face(f); }
};

class TrueTypeSubsetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    font_ = dosar::testing::read_file(dejavu_font_path("DejaVuSans.ttf"));
    ASSERT_FALSE(font_.empty()) << "install fonts-dejavu-core";
    FT_Library library = nullptr;
    ASSERT_EQ(FT_Init_FreeType(&library), 0);
    library_.reset(library);
    full_ = open(font_);
    ASSERT_NE(full_, nullptr);
  }

  FT_Face open(const std::string& bytes) {
    FT_Face face = nullptr;
    if (FT_New_Memory_Face(library_.get(), reinterpret_cast<const FT_Byte*>(bytes.data()),
                           static_cast<FT_Long>(bytes.size()), 0, &face) != 0)
      return nullptr;
    faces_.emplace_back(face);
    return face;
  }

  std::uint16_t glyph(char32_t c) { return static_cast<std::uint16_t>(FT_Get_Char_Index(full_, c)); }

  // The unhinted outline's box and the advance, in font units.
  static std::array<FT_Pos, 5> shape(FT_Face face, unsigned id) {
    EXPECT_EQ(FT_Load_Glyph(face, id, FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING), 0);
    FT_BBox box{};
    FT_Outline_Get_CBox(&face->glyph->outline, &box);
    return {box.xMin, box.yMin, box.xMax, box.yMax, face->glyph->advance.x};
  }

  std::string font_;
  std::unique_ptr<FT_LibraryRec_, FreeTypeDone> library_;
  std::vector<std::unique_ptr<FT_FaceRec_, FreeTypeDone>> faces_;
  FT_Face full_ = nullptr;
};

TEST_F(TrueTypeSubsetTest, SubsetDrawsEachGlyphAsTheFullFontDoes) {
  // Ș Ț ș ț (comma below) and Ă are composites in DejaVu Sans: their
  // components must come along, renumbered.
  std::vector<std::uint16_t> asked;
  for (char32_t c : std::u32string_view(U"ȘȚșțşţĂâîA ")) asked.push_back(glyph(c));
  auto subset = subset_truetype(font_, asked);
  ASSERT_TRUE(subset.ok()) << subset.error().to_string();
  EXPECT_EQ(subset->old_glyph[0], 0);
  EXPECT_GT(subset->old_glyph.size(), asked.size()) << "no components added";
  EXPECT_LT(subset->font.size(), 20000u) << "not a subset";
  EXPECT_EQ(subset->units_per_em, 2048);

  FT_Face small = open(subset->font);
  ASSERT_NE(small, nullptr) << "FreeType cannot read the subset";
  ASSERT_EQ(small->num_glyphs, static_cast<FT_Long>(subset->old_glyph.size()));
  for (std::size_t id = 0; id < subset->old_glyph.size(); ++id) {
    SCOPED_TRACE("glyph " + std::to_string(subset->old_glyph[id]));
    EXPECT_EQ(shape(small, static_cast<unsigned>(id)), shape(full_, subset->old_glyph[id]));
    EXPECT_EQ(subset->advance[id], shape(full_, subset->old_glyph[id])[4]);
  }
}

TEST_F(TrueTypeSubsetTest, RefusesAGlyphTheFontLacksAndABrokenFont) {
  auto missing = subset_truetype(font_, {static_cast<std::uint16_t>(full_->num_glyphs)});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_argument);

  auto truncated = subset_truetype(std::string_view(font_).substr(0, 400), {glyph(U'A')});
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::corrupt);
  auto empty = subset_truetype("", {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::corrupt);
}

}  // namespace
}  // namespace dosar::signing
