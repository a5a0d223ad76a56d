#include "forms/abuse.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <vector>

#include "base/sha256.h"

namespace dosar::forms {

bool RateLimiter::allow(const std::string& key, std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& times = events_[key];
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
  if (static_cast<int>(times.size()) >= max_) return false;
  times.push_back(now);
  // Forget idle keys now and then, so that many addresses do not grow the map forever.
  if (events_.size() > 10000)
    std::erase_if(events_, [&](const auto& item) {
      return item.second.empty() || item.second.back() <= now - window_;
    });
  return true;
}

Result<ProofOfWork> ProofOfWork::create(int bits, std::chrono::seconds validity, const Clock& clock) {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
    return make_error(ErrorCode::io, "proof of work", "the random generator failed");
  return ProofOfWork(std::move(key), bits, validity, clock);
}

ProofOfWork::ProofOfWork(ProofOfWork&& other) noexcept
    : key_(std::move(other.key_)),
      bits_(other.bits_),
      validity_(other.validity_),
      clock_(other.clock_),
      used_(std::move(other.used_)) {}

std::string ProofOfWork::mac(const std::string& text) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), out, &length);
  return to_hex(std::string_view(reinterpret_cast<const char*>(out), length));
}

std::string ProofOfWork::challenge() const {
  auto expiry =
      std::chrono::duration_cast<std::chrono::seconds>((clock_->now() + validity_).time_since_epoch());
  unsigned char random[12];
  if (RAND_bytes(random, sizeof random) != 1) return "";  // verify() then refuses it
  std::string body = "v1." + std::to_string(expiry.count()) + "." +
                     to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random)) + "." +
                     std::to_string(bits_);
  return body + "." + mac(body);
}

Status ProofOfWork::verify(const std::string& challenge, const std::string& nonce) {
  auto refuse = [](const std::string& why) {
    return Status(make_error(ErrorCode::permission, "proof of work", why));
  };
  std::size_t last = challenge.rfind('.');
  if (challenge.size() > 200 || last == std::string::npos || challenge.rfind("v1.", 0) != 0)
    return refuse("the form's security token is missing or malformed; reload the page");
  std::string body = challenge.substr(0, last);
  std::string expected = mac(body);
  std::string given = challenge.substr(last + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0)
    return refuse("the form's security token was not issued by this server; reload the page");
  std::size_t first_dot = body.find('.', 3);
  std::size_t bits_dot = body.rfind('.');
  std::int64_t expiry = std::stoll(body.substr(3, first_dot - 3));  // ours: the MAC matched
  int bits = std::stoi(body.substr(bits_dot + 1));
  std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->now().time_since_epoch()).count();
  if (now > expiry) return refuse("the form's security token has expired; reload the page");
  if (nonce.empty() || nonce.size() > 20 || nonce.find_first_not_of("0123456789") != std::string::npos ||
      !proof_of_work_solved(challenge, nonce, bits))
    return refuse("the form's security token was not solved (the page's script must run)");
  std::lock_guard lock(mutex_);
  std::erase_if(used_, [&](const auto& item) { return item.second < now; });
  if (!used_.emplace(challenge, expiry).second)
    return refuse("the form's security token was already used; reload the page");
  return {};
}

bool proof_of_work_solved(const std::string& challenge, const std::string& nonce, int bits) {
  Sha256Digest digest = sha256(challenge + ":" + nonce);
  for (int i = 0; i < bits; ++i)
    if (digest[static_cast<std::size_t>(i / 8)] & (0x80 >> (i % 8))) return false;
  return true;
}

std::string solve_proof_of_work(const std::string& challenge, int bits) {
  for (std::uint64_t n = 0;; ++n)
    if (proof_of_work_solved(challenge, std::to_string(n), bits)) return std::to_string(n);
}

}  // namespace dosar::forms
