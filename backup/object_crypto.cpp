#include "backup/object_crypto.h"

#include <openssl/evp.h>

#include <cstring>

namespace dosar::backup {

namespace {

constexpr char kMagic[8] = {'D', 'O', 'S', 'A', 'R', 'B', 'K', 1};

std::string make_header(std::uint32_t chunk_size) {
  std::string header(kMagic, sizeof kMagic);
  for (int shift = 24; shift >= 0; shift -= 8) header += static_cast<char>((chunk_size >> shift) & 0xff);
  header.append(4, '\0');
  return header;
}

std::string associated_data(const std::string& header, std::uint64_t index, bool final) {
  std::string aad = header;
  for (int shift = 56; shift >= 0; shift -= 8) aad += static_cast<char>((index >> shift) & 0xff);
  aad += final ? '\1' : '\0';
  return aad;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

}  // namespace

struct ObjectEncryptor::Cipher {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~Cipher() { EVP_CIPHER_CTX_free(ctx); }
};
struct ObjectDecryptor::Cipher {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~Cipher() { EVP_CIPHER_CTX_free(ctx); }
};

std::uint64_t encrypted_size(std::uint64_t plaintext_size, std::uint32_t chunk_size) {
  std::uint64_t chunks = plaintext_size / chunk_size + 1;  // the final chunk is always short
  return kHeaderSize + plaintext_size + chunks * kChunkOverhead;
}

ObjectEncryptor::ObjectEncryptor(const Key& key, Sink sink, std::uint32_t chunk_size)
    : cipher_(std::make_unique<Cipher>()), sink_(std::move(sink)), chunk_size_(chunk_size) {
  assert(chunk_size > 0 && chunk_size <= kMaxChunkSize);
  header_ = make_header(chunk_size);
  int ok = EVP_EncryptInit_ex(cipher_->ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr);
  assert(ok == 1);
  (void)ok;
  pending_.reserve(chunk_size);
}

ObjectEncryptor::~ObjectEncryptor() = default;

Status ObjectEncryptor::update(std::string_view plaintext) {
  if (!started_) {
    started_ = true;
    DOSAR_TRY(sink_(header_));
  }
  while (!plaintext.empty()) {
    std::size_t take = std::min<std::size_t>(plaintext.size(), chunk_size_ - pending_.size());
    pending_.append(plaintext.data(), take);
    plaintext.remove_prefix(take);
    if (pending_.size() == chunk_size_) DOSAR_TRY(seal(false));
  }
  return {};
}

Status ObjectEncryptor::finish() {
  DOSAR_TRY(update({}));
  return seal(true);  // short (maybe empty): marks the end
}

Status ObjectEncryptor::seal(bool final) {
  EVP_CIPHER_CTX* ctx = cipher_->ctx;
  sealed_.resize(12 + pending_.size() + 16);
  std::string nonce = random_bytes(12);
  std::memcpy(sealed_.data(), nonce.data(), 12);
  std::string aad = associated_data(header_, index_, final);
  int length = 0;
  bool ok = EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, bytes(nonce)) == 1 &&
            EVP_EncryptUpdate(ctx, nullptr, &length, bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx, bytes(sealed_) + 12, &length, bytes(pending_),
                              static_cast<int>(pending_.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, bytes(sealed_) + 12 + length, &length) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, bytes(sealed_) + 12 + pending_.size()) == 1;
  assert(ok);
  (void)ok;
  ++index_;
  pending_.clear();
  return sink_(sealed_);
}

ObjectDecryptor::ObjectDecryptor(const Key& key, Sink sink, std::string subject)
    : cipher_(std::make_unique<Cipher>()), sink_(std::move(sink)), subject_(std::move(subject)) {
  int ok = EVP_DecryptInit_ex(cipher_->ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr);
  assert(ok == 1);
  (void)ok;
}

ObjectDecryptor::~ObjectDecryptor() = default;

Status ObjectDecryptor::update(std::string_view ciphertext) {
  if (chunk_size_ == 0) {
    std::size_t take = std::min(ciphertext.size(), kHeaderSize - header_.size());
    header_.append(ciphertext.data(), take);
    ciphertext.remove_prefix(take);
    if (header_.size() < kHeaderSize) return {};
    if (std::memcmp(header_.data(), kMagic, 7) != 0)
      return make_error(ErrorCode::corrupt, subject_, "not a Dosar backup object (bad magic)");
    if (header_[7] != kMagic[7])
      return make_error(ErrorCode::corrupt, subject_,
                        "backup object format version " +
                            std::to_string(static_cast<unsigned char>(header_[7])) + " is not supported");
    std::uint32_t chunk = 0;
    for (int i = 8; i < 12; ++i) chunk = (chunk << 8) | static_cast<unsigned char>(header_[i]);
    if (chunk == 0 || chunk > kMaxChunkSize || header_.compare(12, 4, std::string(4, '\0')) != 0)
      return make_error(ErrorCode::corrupt, subject_, "backup object header is damaged");
    chunk_size_ = chunk;
  }
  const std::size_t record = chunk_size_ + kChunkOverhead;
  // A full-length record is never the final one, so it can be opened as soon
  // as it is complete, keeping at most one record in memory.
  while (!ciphertext.empty()) {
    std::size_t take = std::min(ciphertext.size(), record - std::min(record, buffer_.size()));
    buffer_.append(ciphertext.data(), take);
    ciphertext.remove_prefix(take);
    if (buffer_.size() == record) {
      DOSAR_TRY(open(buffer_, false));
      buffer_.clear();
    }
  }
  return {};
}

Status ObjectDecryptor::finish() {
  if (chunk_size_ == 0)
    return make_error(ErrorCode::corrupt, subject_, "backup object is truncated (no header)");
  if (buffer_.size() < kChunkOverhead)
    return make_error(ErrorCode::corrupt, subject_, "backup object is truncated (final chunk missing)");
  DOSAR_TRY(open(buffer_, true));
  buffer_.clear();
  return {};
}

Status ObjectDecryptor::open(std::string_view record, bool final) {
  EVP_CIPHER_CTX* ctx = cipher_->ctx;
  std::size_t size = record.size() - kChunkOverhead;
  opened_.resize(size);
  std::string aad = associated_data(header_, index_, final);
  std::string tag(record.substr(12 + size, 16));
  int length = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, bytes(record)) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &length, bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx, bytes(opened_), &length, bytes(record) + 12, static_cast<int>(size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx, bytes(opened_) + length, &length) == 1;
  if (!ok)
    return make_error(
        ErrorCode::corrupt, subject_,
        "chunk " + std::to_string(index_) +
            (index_ == 0 ? " fails authentication (wrong key, or the object was altered)"
                         : " fails authentication (the object was altered, truncated or reordered)"));
  ++index_;
  return sink_(opened_);
}

std::string encrypt_bytes(const Key& key, std::string_view plaintext) {
  std::string out;
  out.reserve(encrypted_size(plaintext.size()));
  ObjectEncryptor encryptor(key, [&](std::string_view piece) -> Status {
    out.append(piece);
    return {};
  });
  Status ok = encryptor.update(plaintext);
  ok = encryptor.finish();
  (void)ok;  // the sink never fails
  return out;
}

Result<std::string> decrypt_bytes(const Key& key, std::string_view ciphertext, const std::string& subject) {
  std::string out;
  ObjectDecryptor decryptor(
      key,
      [&](std::string_view piece) -> Status {
        out.append(piece);
        return {};
      },
      subject);
  DOSAR_TRY(decryptor.update(ciphertext));
  DOSAR_TRY(decryptor.finish());
  return out;
}

}  // namespace dosar::backup
