// Index locators (`xapian:DIR`, `xapian-tcp://HOST:PORT,…`) and the rule
// that places a document on a shard.
#include <algorithm>
#include <charconv>

#include "index/search_index.h"

namespace dosar {
namespace {

Result<IndexShard> parse_shard(const std::string& locator, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_argument, locator, "shard '" + text + "' " + why);
  };
  std::string host, port;
  if (!text.empty() && text[0] == '[') {  // [::1]:8100
    std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("is not [IPv6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) return bad("has no :PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) return bad("is an IPv6 address without [brackets]");
  }
  if (host.empty()) return bad("has no host");
  for (char c : host)
    if (c == '/' || c == '@' || c == '?' || c == '#' || static_cast<unsigned char>(c) <= ' ')
      return bad("has a host that is not a name or an address");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return bad("has a port that is not a number from 1 to 65535");
  return IndexShard{host, value};
}

}  // namespace

std::string IndexShard::name() const {
  std::string shown = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return shown + ":" + std::to_string(port);
}

Result<IndexLocation> parse_index_locator(const std::string& locator) {
  constexpr std::string_view local = "xapian:", remote = "xapian-tcp://";
  IndexLocation location;
  if (locator.rfind(remote, 0) == 0) {
    std::string list = locator.substr(remote.size());
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = list.find(',', start);
      std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto shard = parse_shard(locator, item);
      if (!shard.ok()) return shard.error();
      for (const IndexShard& seen : location.shards)
        if (seen.name() == shard->name())
          return make_error(
              ErrorCode::invalid_argument, locator,
              "names shard " + seen.name() + " twice (each document would live on one of them)");
      location.shards.push_back(std::move(shard).value());
      if (location.shards.size() > kMaxIndexShards)
        return make_error(ErrorCode::invalid_argument, locator,
                          "names more than " + std::to_string(kMaxIndexShards) + " shards");
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return location;
  }
  if (locator.rfind(local, 0) == 0) {
    location.dir = locator.substr(local.size());
    if (location.dir.empty())
      return make_error(ErrorCode::invalid_argument, locator, "names no directory (xapian:DIR)");
    return location;
  }
  return make_error(ErrorCode::invalid_argument, locator,
                    "is not an index locator (xapian:DIR or xapian-tcp://HOST:PORT,HOST:PORT…)");
}

std::size_t shard_of(std::int64_t document_id, std::size_t shard_count) {
  if (shard_count <= 1) return 0;
  return static_cast<std::size_t>(static_cast<std::uint64_t>(document_id) % shard_count);
}

}  // namespace dosar
