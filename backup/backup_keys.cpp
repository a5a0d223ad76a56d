#include "backup/backup_keys.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "base/file_system.h"
#include "base/sha256.h"

namespace dosar::backup {

namespace {

Key hkdf(const Key& master, std::string_view info) {
  Key out{};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
  std::size_t length = out.size();
  bool ok = ctx && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_key(ctx, master.data(), static_cast<int>(master.size())) > 0 &&
            EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                                        static_cast<int>(info.size())) > 0 &&
            EVP_PKEY_derive(ctx, out.data(), &length) > 0;
  EVP_PKEY_CTX_free(ctx);
  assert(ok && length == out.size());  // only fails when OpenSSL itself is broken
  (void)ok;
  return out;
}

}  // namespace

BackupKeys derive_keys(const Key& master) {
  return {hkdf(master, "dosar-backup v1 encryption"), hkdf(master, "dosar-backup v1 naming"),
          hkdf(master, "dosar-backup v1 manifest"), hkdf(master, "dosar-backup v1 key check")};
}

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  int ok = RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count));
  assert(ok == 1);  // the OpenSSL CSPRNG is seeded from the kernel
  (void)ok;
  return bytes;
}

std::string hmac_hex(const Key& key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status write_new_key_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return make_error(ErrorCode::conflict, file.string(),
                        "already exists; a key file is never overwritten");
    return make_error(ErrorCode::io, file.string(), errno_text(errno));
  }
  std::string key = random_bytes(32);
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(file.c_str());
    return make_error(ErrorCode::io, file.string(), errno_text(saved));
  }
  return real_file_system().sync_dir(file.parent_path().empty() ? "." : file.parent_path());
}

Result<Key> read_key_file(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return make_error(errno == ENOENT ? ErrorCode::not_found : ErrorCode::io, file.string(),
                      errno_text(errno));
  if ((st.st_mode & 077) != 0)
    return make_error(ErrorCode::permission, file.string(),
                      "key file is readable by others; make it private with chmod 600");
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return make_error(ErrorCode::io, file.string(), "cannot read the key file");
  Key key{};
  if (bytes.size() != key.size())
    return make_error(ErrorCode::invalid_argument, file.string(),
                      "is not a backup key file (" + std::to_string(bytes.size()) +
                          " bytes, expected 32; make one with `dosar backup keygen`)");
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

Result<Key> key_from_passphrase(std::string_view passphrase, std::string_view salt,
                                const ScryptParams& params) {
  if (passphrase.empty()) return make_error(ErrorCode::invalid_argument, "passphrase", "is empty");
  if (params.n < 2 || params.n > (1u << 22) || (params.n & (params.n - 1)) != 0 || params.r == 0 ||
      params.r > 32 || params.p == 0 || params.p > 16)
    return make_error(ErrorCode::invalid_argument, "scrypt", "parameters out of the accepted range");
  Key key{};
  std::uint64_t max_memory = 128 * params.r * params.n * params.p + (64u << 20);
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), params.n, params.r,
                     params.p, max_memory, key.data(), key.size()) != 1)
    return make_error(ErrorCode::invalid_argument, "scrypt", "key derivation failed");
  return key;
}

}  // namespace dosar::backup
