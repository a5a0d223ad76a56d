// A backup generation's manifest (internal to backup/; docs/formats/backup.md):
// what the generation holds, authenticated with HMAC-SHA256 under the
// manifest key and stored encrypted like every other object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backup/backup_keys.h"
#include "base/result.h"

namespace dosar::backup {

struct ManifestObject {
  std::string name;               // object name (HMAC of the content's SHA-256)
  std::string sha256;             // of the plaintext: the blob id
  std::uint64_t size = 0;         // plaintext bytes
  std::uint64_t stored_size = 0;  // encrypted bytes in the bucket
};

struct Manifest {
  std::uint64_t generation = 0;
  std::string created_at;  // UTC ISO 8601
  std::string archive;     // path of the archive backed up, for people
  ManifestObject catalog;
  std::vector<ManifestObject> blobs;
};

// JSON {"body": {...}, "hmac": hex}.
std::string serialize_manifest(const Manifest& manifest, const Key& manifest_key);
// Errors: corrupt naming `subject` (bad JSON, HMAC mismatch, generation not
// the expected one).
Result<Manifest> parse_manifest(std::string_view text, const Key& manifest_key,
                                std::uint64_t expected_generation, const std::string& subject);

}  // namespace dosar::backup
