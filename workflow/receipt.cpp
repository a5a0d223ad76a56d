#include "workflow/receipt.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <functional>
#include <sstream>
#include <vector>

#include "base/fonts.h"

namespace dosar::workflow {
namespace {

constexpr double kPageWidth = 595.0;  // A4 in PostScript points
constexpr double kPageHeight = 842.0;
constexpr double kMargin = 60.0;

// The font is loaded from its file through FreeType rather than looked up by
// fontconfig: the receipt then looks the same on every machine, and the
// process does not keep fontconfig's never-freed configuration.
FT_Library freetype() {
  static FT_Library library = [] {
    FT_Library l = nullptr;
    return FT_Init_FreeType(&l) == 0 ? l : nullptr;
  }();
  return library;
}

const cairo_user_data_key_t kFaceKey{};

// A cairo font face owning its FreeType face. Errors: not_found.
Result<cairo_font_face_t*> load_font(const std::string& file_name) {
  std::string path = dejavu_font_path(file_name);
  FT_Face face = nullptr;
  if (freetype() == nullptr || FT_New_Face(freetype(), path.c_str(), 0, &face) != 0)
    return make_error(ErrorCode::not_found, path, "cannot load the receipt font; install fonts-dejavu-core");
  cairo_font_face_t* font = cairo_ft_font_face_create_for_ft_face(face, 0);
  if (cairo_font_face_set_user_data(font, &kFaceKey, face, [](void* f) {
        FT_Done_Face(static_cast<FT_Face>(f));
      }) != CAIRO_STATUS_SUCCESS) {
    cairo_font_face_destroy(font);
    FT_Done_Face(face);
    return make_error(ErrorCode::io, path, "cannot attach the font to cairo");
  }
  return font;
}

// Splits `text` into lines no wider than `width` at the current font.
std::vector<std::string> wrap(cairo_t* cr, const std::string& text, double width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string line;
  for (std::string word; words >> word;) {
    std::string candidate = line.empty() ? word : line + " " + word;
    cairo_text_extents_t extents;
    cairo_text_extents(cr, candidate.c_str(), &extents);
    if (!line.empty() && extents.x_advance > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

class Page {
 public:
  Page(cairo_t* cr, cairo_font_face_t* regular, cairo_font_face_t* bold)
      : cr_(cr), regular_(regular), bold_(bold) {}
  void text(const std::string& s, double size, bool bold = false) {
    font(size, bold);
    for (const std::string& line : wrap(cr_, s, kPageWidth - 2 * kMargin)) {
      if (y_ + size * 1.4 > kPageHeight - kMargin) {  // the next page
        cairo_show_page(cr_);
        y_ = kMargin;
      }
      y_ += size * 1.4;
      cairo_move_to(cr_, kMargin, y_);
      cairo_show_text(cr_, line.c_str());
    }
  }
  void field(const std::string& name, const std::string& value) {
    font(11, true);
    y_ += 11 * 1.9;
    cairo_move_to(cr_, kMargin, y_);
    cairo_show_text(cr_, name.c_str());
    font(11, false);
    double x = kMargin + 150;
    for (const std::string& line : wrap(cr_, value, kPageWidth - kMargin - x)) {
      cairo_move_to(cr_, x, y_);
      cairo_show_text(cr_, line.c_str());
      y_ += 11 * 1.4;
    }
    y_ -= 11 * 1.4;
  }
  void space(double points) { y_ += points; }

 private:
  void font(double size, bool bold) {
    cairo_set_font_face(cr_, bold ? bold_ : regular_);
    cairo_set_font_size(cr_, size);
  }
  cairo_t* cr_;
  cairo_font_face_t* regular_;
  cairo_font_face_t* bold_;
  double y_ = kMargin;
};

// Writes an A4 PDF at `file`: loads the two faces, lets `draw` fill the pages
// (it calls cairo_show_page after each), then finishes and checks the surface.
// Errors: not_found (font), io.
Status write_pdf(
    const std::filesystem::path& file, const std::string& title,
    const std::function<void(cairo_t*, cairo_font_face_t* regular, cairo_font_face_t* bold)>& draw) {
  auto regular = load_font("DejaVuSans.ttf");
  if (!regular.ok()) return regular.error();
  auto bold = load_font("DejaVuSans-Bold.ttf");
  if (!bold.ok()) {
    cairo_font_face_destroy(*regular);
    return bold.error();
  }
  cairo_surface_t* surface = cairo_pdf_surface_create(file.c_str(), kPageWidth, kPageHeight);
  cairo_t* cr = cairo_create(surface);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw(cr, *regular, *bold);
  cairo_destroy(cr);
  cairo_font_face_destroy(*regular);
  cairo_font_face_destroy(*bold);
  cairo_surface_finish(surface);
  cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS)
    return make_error(ErrorCode::io, file.string(),
                      std::string("cannot write the PDF: ") + cairo_status_to_string(status));
  return {};
}

}  // namespace

Status write_lines_pdf(const std::string& title, const std::vector<std::string>& lines,
                       const std::filesystem::path& file) {
  return write_pdf(file, title, [&](cairo_t* cr, cairo_font_face_t* regular, cairo_font_face_t* bold) {
    Page page(cr, regular, bold);
    page.text(title, 16, true);
    page.space(6);
    for (const std::string& line : lines) {
      if (line.rfind("# ", 0) == 0) {
        page.space(6);
        page.text(line.substr(2), 12, true);
      } else {
        page.text(line.empty() ? " " : line, 10);
      }
    }
    cairo_show_page(cr);
  });
}

Status write_receipt_pdf(const Receipt& r, const std::filesystem::path& file) {
  return write_pdf(
      file, "Dovadă de înregistrare " + r.number,
      [&](cairo_t* cr, cairo_font_face_t* regular, cairo_font_face_t* bold) {
        Page page(cr, regular, bold);
        if (!r.institution.empty()) page.text(r.institution, 12);
        page.text("Dovadă de înregistrare", 20, true);
        page.space(10);
        page.field("Număr de înregistrare:", r.number);
        page.field("Registru:", r.register_label);
        page.field("Data și ora:", r.registered_at);
        page.field("Tip document:", r.kind);
        page.field("Obiect:", r.subject);
        page.field("Termen de răspuns:", r.deadline);
        page.field("Cod de acces:", r.access_code);
        page.space(24);
        page.text(
            "Cu numărul de înregistrare și codul de acces puteți afla în orice moment traseul și "
            "stadiul solicitării dumneavoastră. Păstrați codul: nu îl comunicați altor persoane.",
            10);
        cairo_show_page(cr);
      });
}

Status write_table_pdf(const PrintableTable& t, const std::filesystem::path& file) {
  return write_pdf(file, t.title, [&](cairo_t* cr, cairo_font_face_t* regular, cairo_font_face_t* bold) {
    constexpr double kTableMargin = 40.0, kSize = 9.0, kLine = kSize * 1.35;
    const double usable = kPageWidth - 2 * kTableMargin;
    double y = kTableMargin;
    // One row: each cell wrapped to its column; returns the row's height.
    auto row = [&](const std::vector<std::string>& cells, bool header, bool draw) {
      cairo_set_font_face(cr, header ? bold : regular);
      cairo_set_font_size(cr, kSize);
      std::size_t height = 1;
      double x = kTableMargin;
      for (std::size_t k = 0; k < cells.size() && k < t.widths.size(); ++k) {
        auto lines = wrap(cr, cells[k], t.widths[k] * usable - 4);
        height = std::max(height, lines.size());
        if (draw)
          for (std::size_t i = 0; i < lines.size(); ++i) {
            cairo_move_to(cr, x, y + kLine * static_cast<double>(i + 1));
            cairo_show_text(cr, lines[i].c_str());
          }
        x += t.widths[k] * usable;
      }
      return kLine * static_cast<double>(height) + 4;
    };
    auto heading = [&] {
      cairo_set_font_face(cr, bold);
      cairo_set_font_size(cr, 14);
      y += 16;
      cairo_move_to(cr, kTableMargin, y);
      cairo_show_text(cr, t.title.c_str());
      cairo_set_font_face(cr, regular);
      cairo_set_font_size(cr, 10);
      y += 16;
      cairo_move_to(cr, kTableMargin, y);
      cairo_show_text(cr, t.subtitle.c_str());
      y += 12;
      y += row(t.header, true, true);
      cairo_set_line_width(cr, 0.5);
      cairo_move_to(cr, kTableMargin, y);
      cairo_line_to(cr, kPageWidth - kTableMargin, y);
      cairo_stroke(cr);
    };
    heading();
    for (const auto& cells : t.rows) {
      double height = row(cells, false, false);
      if (y + height > kPageHeight - kTableMargin) {
        cairo_show_page(cr);
        y = kTableMargin;
        heading();
      }
      row(cells, false, true);
      y += height;
    }
    cairo_show_page(cr);
  });
}

}  // namespace dosar::workflow
