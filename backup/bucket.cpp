#include "backup/bucket.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "backup/object_crypto.h"
#include "base/sha256.h"

namespace dosar::backup {

namespace {

constexpr const char* kConfigObject = "dosar-backup.json";
constexpr const char* kCheckText = "dosar-backup key check";
constexpr std::uint64_t kMaxConfigBytes = 64 * 1024;
constexpr std::uint64_t kMaxManifestBytes = 1ull << 30;

Result<Key> master_key(const Remote& remote, const nlohmann::json& key_config) {
  const std::string source = key_config.value("source", "");
  if (source == "key-file") {
    if (!remote.key_file)
      return make_error(ErrorCode::invalid_argument, "--key-file",
                        "this backup was made with a key file; give it with --key-file");
    return read_key_file(*remote.key_file);
  }
  if (source == "passphrase") {
    if (!remote.passphrase)
      return make_error(ErrorCode::invalid_argument, "--passphrase-env",
                        "this backup was made with a passphrase; give it with --passphrase-env");
    ScryptParams params{key_config.at("n").get<std::uint64_t>(), key_config.at("r").get<std::uint64_t>(),
                        key_config.at("p").get<std::uint64_t>()};
    std::string salt_hex = key_config.at("salt").get<std::string>();
    std::string salt;
    for (std::size_t i = 0; i + 1 < salt_hex.size(); i += 2)
      salt += static_cast<char>(std::stoi(salt_hex.substr(i, 2), nullptr, 16));
    return key_from_passphrase(*remote.passphrase, salt, params);
  }
  return make_error(ErrorCode::unsupported, kConfigObject, "unknown key source '" + source + "'");
}

}  // namespace

Result<std::unique_ptr<BackupBucket>> BackupBucket::open(const Remote& remote, OpenBucket mode) {
  if (remote.key_file.has_value() == remote.passphrase.has_value())
    return make_error(ErrorCode::invalid_argument, "key",
                      "give exactly one of --key-file and --passphrase-env");
  auto location = cloud::parse_s3_url(remote.url);
  if (!location.ok()) return location.error();
  cloud::S3Config config;
  config.endpoint =
      remote.endpoint.empty() ? "https://s3." + remote.region + ".amazonaws.com" : remote.endpoint;
  config.region = remote.region;
  config.bucket = location->bucket;
  config.credentials = remote.credentials;
  std::unique_ptr<BackupBucket> bucket(
      new BackupBucket(std::make_unique<cloud::S3Client>(std::move(config)), location->prefix));
  const std::string config_key = location->prefix + kConfigObject;
  const std::string subject = remote.url;

  auto text = bucket->s3_->get_bytes(config_key, kMaxConfigBytes);
  nlohmann::json json;
  if (!text.ok()) {
    if (text.error().code != ErrorCode::not_found || mode == OpenBucket::existing) {
      if (text.error().code == ErrorCode::not_found)
        return make_error(ErrorCode::not_found, subject,
                          "holds no Dosar backup (no " + std::string(kConfigObject) + ")");
      return text.error();
    }
    // A new backup: record how its key is made, and a check of the key.
    nlohmann::json key_config;
    if (remote.key_file) {
      key_config = {{"source", "key-file"}};
    } else {
      ScryptParams params;
      key_config = {{"source", "passphrase"}, {"kdf", "scrypt"}, {"salt", to_hex(random_bytes(16))},
                    {"n", params.n},          {"r", params.r},   {"p", params.p}};
    }
    json = {{"format", "dosar-backup"}, {"version", 1}, {"key", key_config}};
    auto master = master_key(remote, key_config);
    if (!master.ok()) return master.error();
    bucket->keys_ = derive_keys(*master);
    json["key_check"] = hmac_hex(bucket->keys_.check, kCheckText);
    DOSAR_TRY(bucket->s3_->put_bytes(config_key, json.dump(2) + "\n"));
    return bucket;
  }
  json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.value("format", "") != "dosar-backup" ||
      !json.contains("key") || !json.contains("key_check"))
    return make_error(ErrorCode::corrupt, subject + kConfigObject, "is not a Dosar backup configuration");
  if (json.value("version", 0) != 1)
    return make_error(ErrorCode::unsupported, subject + kConfigObject, "backup format version not supported");
  try {
    auto master = master_key(remote, json["key"]);
    if (!master.ok()) return master.error();
    bucket->keys_ = derive_keys(*master);
  } catch (const nlohmann::json::exception&) {
    return make_error(ErrorCode::corrupt, subject + kConfigObject, "key description is damaged");
  }
  if (!equal_constant_time(hmac_hex(bucket->keys_.check, kCheckText), json.value("key_check", "")))
    return make_error(ErrorCode::permission, subject,
                      "the key does not open this backup (wrong key file or passphrase)");
  return bucket;
}

std::string BackupBucket::object_name(const std::string& sha256_hex) const {
  return hmac_hex(keys_.naming, sha256_hex);
}

std::string BackupBucket::manifest_key(std::uint64_t generation) const {
  char number[32];
  std::snprintf(number, sizeof number, "%010llu", static_cast<unsigned long long>(generation));
  return prefix_ + "manifests/" + number;
}

Result<std::map<std::string, std::uint64_t>> BackupBucket::list_data() {
  auto objects = s3_->list(prefix_ + "data/");
  if (!objects.ok()) return objects.error();
  std::map<std::string, std::uint64_t> present;
  for (const auto& o : *objects) present[o.key.substr(prefix_.size() + 5)] = o.size;
  return present;
}

Result<std::vector<std::uint64_t>> BackupBucket::list_generations() {
  auto objects = s3_->list(prefix_ + "manifests/");
  if (!objects.ok()) return objects.error();
  std::vector<std::uint64_t> generations;
  for (const auto& o : *objects) {
    std::string number = o.key.substr(prefix_.size() + 10);
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) continue;
    generations.push_back(std::stoull(number));
  }
  std::sort(generations.begin(), generations.end());
  return generations;
}

Result<std::uint64_t> BackupBucket::pick_generation(std::optional<std::uint64_t> at) {
  auto generations = list_generations();
  if (!generations.ok()) return generations.error();
  if (generations->empty())
    return make_error(ErrorCode::not_found, url(), "holds no complete backup generation");
  if (!at) return generations->back();
  if (!std::binary_search(generations->begin(), generations->end(), *at))
    return make_error(ErrorCode::not_found, url(), "has no generation " + std::to_string(*at));
  return *at;
}

Result<Manifest> BackupBucket::read_manifest(std::uint64_t generation) {
  const std::string key = manifest_key(generation);
  const std::string subject = "s3://" + s3_->config().bucket + "/" + key;
  auto encrypted = s3_->get_bytes(key, kMaxManifestBytes);
  if (!encrypted.ok()) return encrypted.error();
  auto text = decrypt_bytes(keys_.encryption, *encrypted, subject);
  if (!text.ok()) return text.error();
  return parse_manifest(*text, keys_.manifest, generation, subject);
}

Status BackupBucket::write_manifest(const Manifest& manifest) {
  return s3_->put_bytes(manifest_key(manifest.generation),
                        encrypt_bytes(keys_.encryption, serialize_manifest(manifest, keys_.manifest)));
}

Status BackupBucket::delete_manifest(std::uint64_t generation) {
  return s3_->remove(manifest_key(generation));
}

}  // namespace dosar::backup
