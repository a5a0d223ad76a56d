// Defences of the public forms against abuse, with no outside calls: rate
// limits per address and overall, and a small proof of work that the page's
// script solves. Both are in memory: a restart forgets them, which costs an
// attacker nothing they could not get by waiting.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/result.h"

namespace dosar::forms {

// At most `max_events` per key within `window` (a sliding window).
// Thread-safe.
class RateLimiter {
 public:
  RateLimiter(int max_events, std::chrono::seconds window) : max_(max_events), window_(window) {}
  // Counts an event for `key` and returns true, or returns false (and
  // counts nothing) when the key is at its limit.
  bool allow(const std::string& key, std::chrono::system_clock::time_point now);

 private:
  int max_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::chrono::system_clock::time_point>> events_;
};

// A challenge the server issues and later checks without storing it: it is
// "v1.<expiry seconds>.<random hex>.<bits>.<HMAC-SHA256 of those>". A
// solution is a nonce (decimal, at most 20 digits) such that
// SHA-256(challenge ":" nonce) starts with `bits` zero bits. A challenge is
// accepted once.
class ProofOfWork {
 public:
  // Errors: io (no random key).
  static Result<ProofOfWork> create(int bits, std::chrono::seconds validity,
                                    const Clock& clock = system_clock());

  std::string challenge() const;
  // Errors: permission (malformed, forged, expired, already used, or not
  // solved), with a message for the submitter.
  Status verify(const std::string& challenge, const std::string& nonce);
  int bits() const { return bits_; }

  ProofOfWork(ProofOfWork&& other) noexcept;

 private:
  ProofOfWork(std::string key, int bits, std::chrono::seconds validity, const Clock& clock)
      : key_(std::move(key)), bits_(bits), validity_(validity), clock_(&clock) {}
  std::string mac(const std::string& text) const;

  std::string key_;
  int bits_;
  std::chrono::seconds validity_;
  const Clock* clock_;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> used_;  // challenge -> expiry, forgotten once expired
};

// True when SHA-256(challenge ":" nonce) has at least `bits` leading zero bits.
bool proof_of_work_solved(const std::string& challenge, const std::string& nonce, int bits);
// Finds a nonce by trying 0, 1, 2… (tests and the benchmark; the page does the same in script).
std::string solve_proof_of_work(const std::string& challenge, int bits);

}  // namespace dosar::forms
