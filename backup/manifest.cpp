#include "backup/manifest.h"

#include <nlohmann/json.hpp>

namespace dosar::backup {

namespace {

nlohmann::json to_json(const ManifestObject& o) {
  return {{"name", o.name}, {"sha256", o.sha256}, {"size", o.size}, {"stored_size", o.stored_size}};
}

ManifestObject object_from(const nlohmann::json& j) {
  return {j.at("name").get<std::string>(), j.at("sha256").get<std::string>(),
          j.at("size").get<std::uint64_t>(), j.at("stored_size").get<std::uint64_t>()};
}

}  // namespace

std::string serialize_manifest(const Manifest& m, const Key& manifest_key) {
  nlohmann::json blobs = nlohmann::json::array();
  for (const auto& b : m.blobs) blobs.push_back(to_json(b));
  nlohmann::json body = {{"format", "dosar-backup-manifest"},
                         {"version", 1},
                         {"generation", m.generation},
                         {"created_at", m.created_at},
                         {"archive", m.archive},
                         {"catalog", to_json(m.catalog)},
                         {"blobs", blobs}};
  std::string text = body.dump();
  return nlohmann::json{{"body", body}, {"hmac", hmac_hex(manifest_key, text)}}.dump();
}

Result<Manifest> parse_manifest(std::string_view text, const Key& manifest_key,
                                std::uint64_t expected_generation, const std::string& subject) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("body") || !json.contains("hmac") ||
      !json["hmac"].is_string())
    return make_error(ErrorCode::corrupt, subject, "manifest is not well-formed JSON");
  // The HMAC covers the body as serialized; nlohmann::json dumps objects with
  // sorted keys, so re-serializing the parsed body gives the same bytes.
  std::string body_text = json["body"].dump();
  if (!equal_constant_time(hmac_hex(manifest_key, body_text), json["hmac"].get<std::string>()))
    return make_error(ErrorCode::corrupt, subject, "manifest HMAC does not match: altered, or another key");
  try {
    const auto& body = json["body"];
    if (body.at("format") != "dosar-backup-manifest" || body.at("version") != 1)
      return make_error(ErrorCode::unsupported, subject, "manifest format or version not supported");
    Manifest m;
    m.generation = body.at("generation").get<std::uint64_t>();
    m.created_at = body.at("created_at").get<std::string>();
    m.archive = body.at("archive").get<std::string>();
    m.catalog = object_from(body.at("catalog"));
    for (const auto& b : body.at("blobs")) m.blobs.push_back(object_from(b));
    if (m.generation != expected_generation)
      return make_error(ErrorCode::corrupt, subject,
                        "manifest claims generation " + std::to_string(m.generation) + ", stored as " +
                            std::to_string(expected_generation));
    return m;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::corrupt, subject, std::string("manifest is missing a field: ") + e.what());
  }
}

}  // namespace dosar::backup
