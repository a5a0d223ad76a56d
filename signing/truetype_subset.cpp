#include "signing/truetype_subset.h"

#include <algorithm>
#include <array>
#include <map>

namespace dosar::signing {
namespace {

std::uint16_t u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(b[at]) << 8) |
                                    static_cast<unsigned char>(b[at + 1]));
}
std::int16_t i16(std::string_view b, std::size_t at) {
  return static_cast<std::int16_t>(u16(b, at));
}
std::uint32_t u32(std::string_view b, std::size_t at) {
  return (std::uint32_t{u16(b, at)} << 16) | u16(b, at + 2);
}
void put16(std::string& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<char>((v >> 8) & 0xFF);
  b[at + 1] = static_cast<char>(v & 0xFF);
}
void put32(std::string& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xFFFF);
}
void append16(std::string& b, std::uint32_t v) {
  b.append(2, '\0');
  put16(b, b.size() - 2, v);
}
void append32(std::string& b, std::uint32_t v) {
  b.append(4, '\0');
  put32(b, b.size() - 4, v);
}

Error corrupt(const std::string& what) {
  return make_error(ErrorCode::corrupt, "font", what);
}

// The table directory: tag -> bytes, each inside the file.
Result<std::map<std::string, std::string_view>> read_tables(std::string_view font) {
  if (font.size() < 12) return corrupt("is shorter than an sfnt header");
  const std::size_t count = u16(font, 4);
  if (12 + 16 * count > font.size()) return corrupt("has a table directory past its end");
  std::map<std::string, std::string_view> tables;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t record = 12 + 16 * i;
    const std::size_t offset = u32(font, record + 8);
    const std::size_t length = u32(font, record + 12);
    if (offset > font.size() || length > font.size() - offset) return corrupt("has a table outside the file");
    tables.emplace(std::string(font.substr(record, 4)), font.substr(offset, length));
  }
  return tables;
}

// Calls `visit(offset of the component's glyph id)` for each component of a
// composite glyph; false when the glyph's bytes end too early.
template <class Visit>
bool for_each_component(std::string_view glyph, Visit visit) {
  if (glyph.size() < 10 || i16(glyph, 0) >= 0) return true;  // empty or simple
  constexpr std::uint16_t kWords = 0x0001, kScale = 0x0008, kMore = 0x0020, kXyScale = 0x0040,
                          kTwoByTwo = 0x0080;
  std::size_t at = 10;
  for (;;) {
    if (at + 4 > glyph.size()) return false;
    const std::uint16_t flags = u16(glyph, at);
    visit(at + 2);
    at += 4 + ((flags & kWords) ? 4 : 2);
    at += (flags & kScale) ? 2 : (flags & kXyScale) ? 4 : (flags & kTwoByTwo) ? 8 : 0;
    if (!(flags & kMore)) return true;
  }
}

std::uint32_t checksum(std::string_view data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < data.size(); i += 4) {
    std::uint32_t word = 0;
    for (std::size_t k = 0; k < 4; ++k)
      word = (word << 8) | (i + k < data.size() ? static_cast<unsigned char>(data[i + k]) : 0u);
    sum += word;
  }
  return sum;
}

// The sfnt file of `tables` (sorted by tag, as a map is), with head's
// checkSumAdjustment set.
std::string assemble(const std::map<std::string, std::string>& tables) {
  const auto count = static_cast<std::uint32_t>(tables.size());
  std::uint32_t power = 1, log2 = 0;
  while (power * 2 <= count) power *= 2, ++log2;
  std::string out;
  append32(out, 0x00010000);
  append16(out, count);
  append16(out, power * 16);
  append16(out, log2);
  append16(out, count * 16 - power * 16);
  std::size_t offset = 12 + 16 * tables.size();
  std::size_t head_at = 0;
  std::string data;
  for (const auto& [tag, bytes] : tables) {
    out += tag;
    append32(out, checksum(bytes));
    append32(out, static_cast<std::uint32_t>(offset + data.size()));
    append32(out, static_cast<std::uint32_t>(bytes.size()));
    if (tag == "head") head_at = offset + data.size();
    data += bytes;
    data.append((4 - data.size() % 4) % 4, '\0');
  }
  out += data;
  put32(out, head_at + 8, 0xB1B0AFBA - checksum(out));
  return out;
}

}  // namespace

Result<FontSubset> subset_truetype(std::string_view font, const std::vector<std::uint16_t>& glyphs) {
  auto tables_or = read_tables(font);
  if (!tables_or.ok()) return tables_or.error();
  auto& tables = *tables_or;
  for (const char* tag : {"head", "hhea", "maxp", "hmtx", "loca", "glyf"})
    if (!tables.count(tag)) return corrupt(std::string("has no ") + tag + " table");
  const std::string_view head = tables["head"], hhea = tables["hhea"], maxp = tables["maxp"],
                         hmtx = tables["hmtx"], loca = tables["loca"], glyf = tables["glyf"];
  if (head.size() < 54 || hhea.size() < 36 || maxp.size() < 6) return corrupt("has a truncated header table");
  const std::size_t glyph_count = u16(maxp, 4);
  const bool long_loca = i16(head, 50) == 1;
  const std::size_t metrics = u16(hhea, 34);
  if (glyph_count == 0 || loca.size() < (glyph_count + 1) * (long_loca ? 4 : 2))
    return corrupt("has a loca table shorter than its glyph count");
  if (metrics == 0 || metrics > glyph_count || hmtx.size() < 4 * metrics + 2 * (glyph_count - metrics))
    return corrupt("has an hmtx table shorter than its glyph count");

  auto glyph_bytes = [&](std::size_t id) -> std::string_view {
    const std::size_t begin = long_loca ? u32(loca, 4 * id) : 2 * std::size_t{u16(loca, 2 * id)};
    const std::size_t end = long_loca ? u32(loca, 4 * id + 4) : 2 * std::size_t{u16(loca, 2 * id + 2)};
    if (begin > end || end > glyf.size()) return {};
    return glyf.substr(begin, end - begin);
  };

  FontSubset subset;
  std::map<std::uint16_t, std::uint16_t> new_id;
  auto keep = [&](std::uint16_t old) {
    if (new_id.count(old)) return;
    new_id[old] = static_cast<std::uint16_t>(subset.old_glyph.size());
    subset.old_glyph.push_back(old);
  };
  keep(0);
  for (std::uint16_t g : glyphs) {
    if (g >= glyph_count)
      return make_error(ErrorCode::invalid_argument, "glyph " + std::to_string(g),
                        "is not in the font (" + std::to_string(glyph_count) + " glyphs)");
    keep(g);
  }
  // Components join the list as they are found, so that their own
  // components are visited too; each glyph once, whatever the nesting.
  for (std::size_t i = 0; i < subset.old_glyph.size(); ++i) {
    const std::string_view bytes = glyph_bytes(subset.old_glyph[i]);
    bool in_range = true;
    if (!for_each_component(bytes,
                            [&](std::size_t at) {
                              const std::uint16_t component = u16(bytes, at);
                              if (component >= glyph_count || subset.old_glyph.size() >= 0xFFFF)
                                in_range = false;
                              else
                                keep(component);
                            }) ||
        !in_range)
      return corrupt("has a broken composite glyph " + std::to_string(subset.old_glyph[i]));
  }

  std::map<std::string, std::string> out;
  std::string new_glyf, new_loca, new_hmtx;
  for (std::uint16_t old : subset.old_glyph) {
    append32(new_loca, static_cast<std::uint32_t>(new_glyf.size()));
    std::string bytes(glyph_bytes(old));
    for_each_component(bytes, [&](std::size_t at) { put16(bytes, at, new_id[u16(bytes, at)]); });
    new_glyf += bytes;
    new_glyf.append((4 - new_glyf.size() % 4) % 4, '\0');
    const std::uint16_t advance = u16(hmtx, 4 * std::min<std::size_t>(old, metrics - 1));
    const std::uint16_t lsb = old < metrics ? u16(hmtx, 4 * std::size_t{old} + 2)
                                            : u16(hmtx, 4 * metrics + 2 * (std::size_t{old} - metrics));
    append16(new_hmtx, advance);
    append16(new_hmtx, lsb);
    subset.advance.push_back(advance);
  }
  append32(new_loca, static_cast<std::uint32_t>(new_glyf.size()));
  const auto count = static_cast<std::uint32_t>(subset.old_glyph.size());
  std::string new_head(head), new_hhea(hhea), new_maxp(maxp);
  put32(new_head, 8, 0);   // checkSumAdjustment, set over the whole file at the end
  put16(new_head, 50, 1);  // long loca offsets
  put16(new_hhea, 34, count);
  put16(new_maxp, 4, count);
  out["glyf"] = std::move(new_glyf);
  out["loca"] = std::move(new_loca);
  out["hmtx"] = std::move(new_hmtx);
  out["head"] = std::move(new_head);
  out["hhea"] = std::move(new_hhea);
  out["maxp"] = std::move(new_maxp);
  for (const char* tag : {"cvt ", "fpgm", "prep"})
    if (tables.count(tag)) out[tag] = std::string(tables[tag]);
  subset.font = assemble(out);
  subset.units_per_em = u16(head, 18);
  subset.x_min = i16(head, 36);
  subset.y_min = i16(head, 38);
  subset.x_max = i16(head, 40);
  subset.y_max = i16(head, 42);
  subset.ascent = i16(hhea, 4);
  subset.descent = i16(hhea, 6);
  if (subset.units_per_em == 0) return corrupt("has zero units per em");
  return subset;
}

}  // namespace dosar::signing
