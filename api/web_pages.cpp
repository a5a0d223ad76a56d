// The web application's files: "/" is the single page, the rest by name.
#include "api/http_support.h"
#include "api/web_assets.h"

namespace dosar::api {

void add_web_pages(httplib::Server& server) {
  for (const WebAsset& asset : web_assets()) {
    std::string path = "/";
    if (asset.name != "index.html") path.append(asset.name);
    server.Get(path, [&asset](const httplib::Request&, httplib::Response& res) {
      set_page_headers(res);
      res.set_content(std::string(asset.bytes), std::string(asset.content_type).c_str());
    });
  }
}

}  // namespace dosar::api
