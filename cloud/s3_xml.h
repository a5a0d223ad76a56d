// Parsing of the XML bodies an S3 server answers with (internal to cloud/).
// The server is not trusted: documents with a DTD are refused (no entity can
// be declared, so none is expanded), nothing is fetched from the network, and
// bodies beyond S3XmlLimits are refused before parsing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar::cloud {

struct S3XmlLimits {
  std::size_t max_bytes = 16 * 1024 * 1024;  // a 1000-key listing is ~300 KB
};

struct ListedObject {
  std::string key;
  std::uint64_t size = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

// ListBucketResult of ListObjectsV2. Errors: corrupt (naming `subject`), limit_exceeded.
Result<ListPage> parse_list_objects_v2(std::string_view xml, const std::string& subject,
                                       const S3XmlLimits& limits = {});

// UploadId of an InitiateMultipartUploadResult. Errors: corrupt, limit_exceeded.
Result<std::string> parse_upload_id(std::string_view xml, const std::string& subject,
                                    const S3XmlLimits& limits = {});

// "Code: Message" of an S3 <Error> body; empty when the body is not one.
std::string parse_error_summary(std::string_view xml);

}  // namespace dosar::cloud
