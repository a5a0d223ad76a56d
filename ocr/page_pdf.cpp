// One page of a searchable PDF: the page's original image, untouched, under
// the invisible text of its words (ocr/text_layer.h; issue 3, item 4).
#include <leptonica/allheaders.h>
#include <tiffio.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <qpdf/QUtil.hh>

#include "ocr/page_image_pixels.h"
#include "ocr/text_layer.h"

namespace dosar {
namespace {

QPDFObjectHandle image_dictionary(int width, int height, const char* colour_space, int bits) {
  QPDFObjectHandle dict = QPDFObjectHandle::newDictionary();
  dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
  dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Image"));
  dict.replaceKey("/Width", QPDFObjectHandle::newInteger(width));
  dict.replaceKey("/Height", QPDFObjectHandle::newInteger(height));
  dict.replaceKey("/ColorSpace", QPDFObjectHandle::newName(colour_space));
  dict.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(bits));
  return dict;
}

std::string read_whole(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A JPEG file as it is (DCTDecode), when PDF shows it as Leptonica decoded
// it: grey or RGB, not CMYK/YCCK (whose inversion conventions differ).
QPDFObjectHandle jpeg_as_is(QPDF& pdf, const PageImage::Pixels& page) {
  std::string bytes = read_whole(page.file);
  l_int32 w = 0, h = 0, spp = 0, ycck = 0, cmyk = 0;
  if (bytes.empty() || readHeaderMemJpeg(reinterpret_cast<const l_uint8*>(bytes.data()), bytes.size(), &w, &h,
                                         &spp, &ycck, &cmyk) != 0)
    return {};
  if (ycck || cmyk || (spp != 1 && spp != 3) || w != pixGetWidth(page.pix) || h != pixGetHeight(page.pix))
    return {};
  QPDFObjectHandle dict = image_dictionary(w, h, spp == 1 ? "/DeviceGray" : "/DeviceRGB", 8);
  dict.replaceKey("/Filter", QPDFObjectHandle::newName("/DCTDecode"));
  QPDFObjectHandle image = QPDFObjectHandle::newStream(&pdf);
  image.replaceDict(dict);
  image.replaceStreamData(bytes, dict.getKey("/Filter"), QPDFObjectHandle::newNull());
  return image;
}

// A bilevel image of G4 (CCITT T.6) data.
QPDFObjectHandle ccitt_image(QPDF& pdf, std::string data, int w, int h, bool black_is_1) {
  QPDFObjectHandle dict = image_dictionary(w, h, "/DeviceGray", 1);
  dict.replaceKey("/Filter", QPDFObjectHandle::newName("/CCITTFaxDecode"));
  QPDFObjectHandle parms = QPDFObjectHandle::newDictionary();
  parms.replaceKey("/K", QPDFObjectHandle::newInteger(-1));
  parms.replaceKey("/Columns", QPDFObjectHandle::newInteger(w));
  parms.replaceKey("/Rows", QPDFObjectHandle::newInteger(h));
  parms.replaceKey("/BlackIs1", QPDFObjectHandle::newBool(black_is_1));
  dict.replaceKey("/DecodeParms", parms);
  QPDFObjectHandle image = QPDFObjectHandle::newStream(&pdf);
  image.replaceDict(dict);
  image.replaceStreamData(data, dict.getKey("/Filter"), parms);
  return image;
}

// A G4 TIFF page in one strip, its bytes as they are (CCITTFaxDecode).
QPDFObjectHandle g4_as_is(QPDF& pdf, const PageImage::Pixels& page) {
  TIFFSetWarningHandler(nullptr);
  TIFFSetErrorHandler(nullptr);
  std::unique_ptr<TIFF, void (*)(TIFF*)> tiff(TIFFOpen(page.file.c_str(), "r"), TIFFClose);
  if (!tiff || !TIFFSetDirectory(tiff.get(), static_cast<tdir_t>(page.index)) || TIFFIsTiled(tiff.get()))
    return {};
  uint32_t w = 0, h = 0;
  uint16_t compression = 0, bits = 0, samples = 1, photometric = 0, fill = FILLORDER_MSB2LSB;
  TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &h);
  TIFFGetField(tiff.get(), TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_FILLORDER, &fill);
  if (!TIFFGetField(tiff.get(), TIFFTAG_PHOTOMETRIC, &photometric)) return {};
  if (compression != COMPRESSION_CCITTFAX4 || bits != 1 || samples != 1 || fill != FILLORDER_MSB2LSB ||
      TIFFNumberOfStrips(tiff.get()) != 1 ||
      (photometric != PHOTOMETRIC_MINISWHITE && photometric != PHOTOMETRIC_MINISBLACK) ||
      static_cast<int>(w) != pixGetWidth(page.pix) || static_cast<int>(h) != pixGetHeight(page.pix))
    return {};
  uint64_t* counts = nullptr;
  if (!TIFFGetField(tiff.get(), TIFFTAG_STRIPBYTECOUNTS, &counts) || !counts || counts[0] == 0 ||
      counts[0] > (1u << 30))
    return {};
  std::string data(counts[0], '\0');
  tmsize_t got = TIFFReadRawStrip(tiff.get(), 0, data.data(), static_cast<tmsize_t>(data.size()));
  if (got <= 0) return {};
  data.resize(static_cast<std::size_t>(got));
  // The codes say white and black; MinIsBlack shows coded white as black.
  return ccitt_image(pdf, std::move(data), static_cast<int>(w), static_cast<int>(h),
                     photometric == PHOTOMETRIC_MINISBLACK);
}

// Bilevel pixels in another form (a G4 TIFF in strips, G3, LZW, PNG):
// encoded anew as G4 by Leptonica, which is lossless.
QPDFObjectHandle g4_encoded(QPDF& pdf, PIX* pix) {
  L_COMP_DATA* cid = nullptr;
  if (pixGetDepth(pix) != 1 || pixGetColormap(pix) || pixGenerateCIData(pix, L_G4_ENCODE, 0, 0, &cid) != 0 ||
      !cid)
    return {};
  std::string data(reinterpret_cast<const char*>(cid->datacomp), cid->nbytescomp);
  const int w = cid->w, h = cid->h;
  const bool black_is_1 = cid->minisblack != 0;
  l_CIDataDestroy(&cid);
  if (data.empty()) return {};
  return ccitt_image(pdf, std::move(data), w, h, black_is_1);
}

// The decoded pixels, losslessly (the writer compresses them with Flate):
// bilevel as 1 bit (PDF's 0 is black, Leptonica's 1), grey as 8 bits,
// colour as 8-bit RGB; a palette becomes the grey or colour it shows.
QPDFObjectHandle pixels_lossless(QPDF& pdf, PIX* source) {
  struct PixDeleter {
    void operator()(PIX* p) const { pixDestroy(&p); }
  };
  std::unique_ptr<PIX, PixDeleter> pix(pixRemoveColormap(source, REMOVE_CMAP_BASED_ON_SRC));
  if (!pix) return {};
  int depth = pixGetDepth(pix.get());
  if (depth != 1 && depth != 8 && depth != 32) pix.reset(pixConvertTo8(pix.get(), 0));
  if (!pix) return {};
  depth = pixGetDepth(pix.get());
  const int w = pixGetWidth(pix.get()), h = pixGetHeight(pix.get());
  const l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  std::string rows;
  const std::size_t row_bytes =
      depth == 1 ? (static_cast<std::size_t>(w) + 7) / 8 : static_cast<std::size_t>(w) * (depth == 8 ? 1 : 3);
  rows.reserve(row_bytes * static_cast<std::size_t>(h));
  for (int y = 0; y < h; ++y) {
    const l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    if (depth == 1) {
      for (std::size_t x = 0; x < row_bytes; ++x)
        rows += static_cast<char>(~GET_DATA_BYTE(line, static_cast<int>(x)) & 0xff);
    } else if (depth == 8) {
      for (int x = 0; x < w; ++x) rows += static_cast<char>(GET_DATA_BYTE(line, x));
    } else {
      for (int x = 0; x < w; ++x) {
        l_int32 r = 0, g = 0, b = 0;
        extractRGBValues(line[x], &r, &g, &b);
        rows += static_cast<char>(r);
        rows += static_cast<char>(g);
        rows += static_cast<char>(b);
      }
    }
  }
  QPDFObjectHandle dict =
      image_dictionary(w, h, depth == 32 ? "/DeviceRGB" : "/DeviceGray", depth == 1 ? 1 : 8);
  QPDFObjectHandle image = QPDFObjectHandle::newStream(&pdf);
  image.replaceDict(dict);
  image.replaceStreamData(rows, QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());
  return image;
}

// The page's pixels as the page image: a JPEG or a G4 TIFF as encoded, else
// lossless (bilevel as G4, the rest Flate).
QPDFObjectHandle original_image(QPDF& pdf, const PageImage::Pixels& page) {
  QPDFObjectHandle image;
  if (page.mime_type == "image/jpeg") image = jpeg_as_is(pdf, page);
  if (page.mime_type == "image/tiff") image = g4_as_is(pdf, page);
  if (!image.isInitialized()) image = g4_encoded(pdf, page.pix);
  if (!image.isInitialized()) image = pixels_lossless(pdf, page.pix);
  return image;
}

}  // namespace

Status write_page_pdf(const PageImage::Pixels& page, const PageGeometry& g,
                      const std::vector<LayerWord>& words, const std::filesystem::path& font_program,
                      const std::filesystem::path& out, const std::string& name) {
  try {
    QPDF pdf;
    pdf.emptyPDF();
    QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
    QPDFObjectHandle xobjects = QPDFObjectHandle::newDictionary();
    const double page_scale = 72.0 / g.page_dpi;
    const double width_pt = g.width * page_scale, height_pt = g.height * page_scale;
    QPDFObjectHandle page_dict = QPDFObjectHandle::newDictionary();
    page_dict.replaceKey("/Type", QPDFObjectHandle::newName("/Page"));
    page_dict.replaceKey("/MediaBox", QPDFObjectHandle::newFromRectangle({0, 0, width_pt, height_pt}));
    QPDFObjectHandle page_object = pdf.makeIndirectObject(page_dict);
    QPDFPageObjectHelper new_page(page_object);

    std::string content;
    std::unique_ptr<QPDF> source;  // a PDF page's own file, read while writing
    if (page.mime_type == "application/pdf") {
      // The PDF's page itself, drawn as a form over the area Poppler rendered.
      source = std::make_unique<QPDF>();
      source->setSuppressWarnings(true);
      source->processFile(page.file.c_str());
      std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(*source).getAllPages();
      if (page.index < 0 || static_cast<std::size_t>(page.index) >= pages.size())
        return make_error(ErrorCode::corrupt, name, "page " + std::to_string(page.index + 1) + " is missing");
      QPDFObjectHandle form =
          pdf.copyForeignObject(pages[static_cast<std::size_t>(page.index)].getFormXObjectForPage());
      xobjects.replaceKey("/Fx0", form);
      content = new_page.placeFormXObject(form, "/Fx0", {0, 0, width_pt, height_pt}, false, true, true);
    } else {
      QPDFObjectHandle image = original_image(pdf, page);
      if (!image.isInitialized()) return make_error(ErrorCode::io, name, "page image cannot be embedded");
      xobjects.replaceKey("/Im0", image);
      content = "q " + pdf_number(width_pt) + " 0 0 " + pdf_number(height_pt) + " 0 0 cm /Im0 Do Q\n";
    }
    resources.replaceKey("/XObject", xobjects);
    if (!words.empty()) {
      std::string ttf = read_whole(font_program);
      if (ttf.empty())
        return make_error(ErrorCode::io, font_program.string(),
                          "the text layer's font cannot be read (tesseract-ocr's data)");
      QPDFObjectHandle fonts = QPDFObjectHandle::newDictionary();
      fonts.replaceKey("/F0", add_glyphless_font(pdf, ttf));
      resources.replaceKey("/Font", fonts);
      content += text_layer_content(words, g, "/F0");
    }
    page_object.replaceKey("/Resources", resources);
    page_object.replaceKey("/Contents", QPDFObjectHandle::newStream(&pdf, content));
    // Shown upright; the image itself stays as scanned.
    if (g.quarter_turns % 4 != 0)
      page_object.replaceKey("/Rotate", QPDFObjectHandle::newInteger(g.quarter_turns % 4 * 90));
    QPDFPageDocumentHelper(pdf).addPage(new_page, false);

    QPDFWriter writer(pdf, out.c_str());
    // New streams (content, raw pixels) compressed; copied ones left as encoded.
    writer.setCompressStreams(true);
    writer.setDecodeLevel(qpdf_dl_none);
    writer.setObjectStreamMode(qpdf_o_disable);
    writer.write();
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(out, ec);
    return make_error(ErrorCode::io, out.string(),
                      "searchable page of " + name + " not written: " + e.what());
  }
  return {};
}

}  // namespace dosar
