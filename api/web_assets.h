// The web pages' files, compiled into the binary (from api/web/).
#pragma once

#include <string_view>
#include <vector>

namespace dosar::api {

struct WebAsset {
  std::string_view name;  // "index.html"
  std::string_view content_type;
  std::string_view bytes;
};

const std::vector<WebAsset>& web_assets();

}  // namespace dosar::api
