// Page previews of stored versions, for the web pages.
#pragma once

#include <string>

#include "base/result.h"
#include "storage/archive_store.h"

namespace dosar {

// A PNG of page `page` (1-based) of `version`'s original, at most
// `max_width` pixels wide: PDF pages rendered with Poppler, image pages
// decoded with Leptonica. Errors: not_found (no such page), unsupported (a
// type without pages), corrupt, io.
Result<std::string> page_preview_png(const ArchiveStore& archive, const Version& version, int page,
                                     int max_width);

}  // namespace dosar
