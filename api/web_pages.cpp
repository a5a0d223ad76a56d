// The web application's files: "/" is the single page, the rest by name.
#include "api/http_support.h"
#include "api/web_assets.h"

namespace dosar::api {

void add_web_pages(httplib::Server& server) {
  for (const WebAsset& asset : web_assets()) {
    std::string path = "/";
    if (asset.name != "index.html") path.append(asset.name);
    server.Get(path, [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                     "frame-ancestors 'none'");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(asset.bytes), std::string(asset.content_type).c_str());
    });
  }
}

}  // namespace dosar::api
