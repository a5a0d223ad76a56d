// The public forms' defences: rate limits and the proof of work (issue 11).
#include "forms/abuse.h"

#include <gtest/gtest.h>

namespace dosar::forms {
namespace {

using namespace std::chrono_literals;

class FixedClock : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return at; }
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
};

TEST(RateLimiter, RefusesPastTheLimitUntilTheWindowMoves) {
  RateLimiter limiter(3, 60s);
  auto t = std::chrono::system_clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("10.0.0.1", t));
  EXPECT_FALSE(limiter.allow("10.0.0.1", t + 1s));
  EXPECT_TRUE(limiter.allow("10.0.0.2", t + 1s));  // per key
  EXPECT_TRUE(limiter.allow("10.0.0.1", t + 61s));
}

TEST(ProofOfWork, AcceptsASolvedChallengeOnce) {
  auto pow = ProofOfWork::create(8, 10min);
  ASSERT_TRUE(pow.ok());
  std::string challenge = pow->challenge();
  std::string nonce = solve_proof_of_work(challenge, 8);
  EXPECT_TRUE(pow->verify(challenge, nonce).ok());
  auto again = pow->verify(challenge, nonce);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already used"), std::string::npos);
}

TEST(ProofOfWork, RefusesAnUnsolvedChallenge) {
  auto pow = ProofOfWork::create(12, 10min);
  std::string challenge = pow->challenge();
  std::string wrong;
  for (int n = 0;; ++n)
    if (!proof_of_work_solved(challenge, std::to_string(n), 12)) {
      wrong = std::to_string(n);
      break;
    }
  auto refused = pow->verify(challenge, wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission);
  EXPECT_FALSE(pow->verify(challenge, "").ok());
  EXPECT_FALSE(pow->verify(challenge, "12a").ok());
}

TEST(ProofOfWork, RefusesAChallengeItDidNotIssue) {
  auto pow = ProofOfWork::create(4, 10min);
  auto other = ProofOfWork::create(4, 10min);
  std::string forged = other->challenge();
  EXPECT_FALSE(pow->verify(forged, solve_proof_of_work(forged, 4)).ok());
  // An easier difficulty written into our own challenge breaks its MAC.
  std::string ours = pow->challenge();
  std::string easier = ours;
  easier.replace(easier.rfind(".4.") + 1, 1, "0");
  EXPECT_FALSE(pow->verify(easier, "0").ok());
  EXPECT_FALSE(pow->verify("v1.garbage", "0").ok());
}

TEST(ProofOfWork, RefusesAnExpiredChallenge) {
  FixedClock clock;
  auto pow = ProofOfWork::create(4, 10min, clock);
  std::string challenge = pow->challenge();
  std::string nonce = solve_proof_of_work(challenge, 4);
  clock.at += 11min;
  auto refused = pow->verify(challenge, nonce);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("expired"), std::string::npos);
}

TEST(ProofOfWork, CountsLeadingZeroBits) {
  // SHA-256("x:0") and friends: a solution for 16 bits is also one for 8.
  auto pow = ProofOfWork::create(16, 10min);
  std::string challenge = pow->challenge();
  std::string nonce = solve_proof_of_work(challenge, 16);
  EXPECT_TRUE(proof_of_work_solved(challenge, nonce, 8));
  EXPECT_TRUE(proof_of_work_solved(challenge, nonce, 16));
  EXPECT_TRUE(pow->verify(challenge, nonce).ok());
}

}  // namespace
}  // namespace dosar::forms
