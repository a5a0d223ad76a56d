// The Leptonica image inside a PageImage (internal to ocr/).
#pragma once

#include <leptonica/allheaders.h>

#include "ocr/recognizer.h"

namespace dosar {

struct PageImage::Pixels {
  PIX* pix = nullptr;
  int dpi = 0;  // as recorded in the file; 0 when missing
  ~Pixels();
};

}  // namespace dosar
