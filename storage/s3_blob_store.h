// The blob store in an S3-compatible bucket (issue 13): one object per blob,
// named `PREFIX/sha256/<id>` (docs/formats/blob-store.md), over cloud/'s
// S3 client (retries, back-off, Content-MD5 on every PUT).
//
// Errors name the blob and the object with the endpoint, e.g.
// `blob 2c26…: HTTP 500 on PUT (InternalError: …) (after 6 attempts)
// (s3://dosar/arhiva/sha256/2c26… at http://s3.primarie.local:9000)`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "cloud/s3_client.h"
#include "storage/blob_store.h"

namespace dosar {

struct S3BlobStoreOptions {
  cloud::S3Config s3;  // endpoint, bucket, credentials, retries, timeouts
  std::string prefix;  // key prefix: "" or ending in '/' (cloud::parse_s3_url makes it so)
  // local_file copies are fetched into a folder of its own under `spool`
  // (removed when the store closes, or by remove_abandoned_staging_files
  // after a crash) and kept up to `cache_bytes`, evicting the least recently
  // used copy that no LocalBlobFile holds.
  std::filesystem::path spool;
  std::uint64_t cache_bytes = 1ull << 30;
  // put_staged_files uploads this many files at once, each on its own connection.
  int upload_connections = 8;
};

std::unique_ptr<BlobStore> open_s3_blob_store(S3BlobStoreOptions options);

// The key of blob `id` under `prefix`.
std::string s3_blob_key(const std::string& prefix, const std::string& id);

}  // namespace dosar
