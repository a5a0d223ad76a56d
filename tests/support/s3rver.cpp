#include "tests/support/s3rver.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <stdexcept>

#include "tests/test_paths.h"

namespace dosar::testing {

S3rver::S3rver(const std::filesystem::path& source_dir, const std::vector<std::string>& buckets) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::string script = (source_dir / "tests/tools/s3rver/run.sh").string();
  std::string data = data_.path().string();
  std::vector<std::string> args = {"bash", script, data};
  args.insert(args.end(), buckets.begin(), buckets.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);  // its own group, so that stopping it reaches node too
    ::dup2(out[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("bash", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string seen;
  const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
  std::smatch match;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::regex_search(seen, match, listening)) {
    pollfd p{out[0], POLLIN, 0};
    if (std::chrono::steady_clock::now() > deadline || ::poll(&p, 1, 1000) < 0) break;
    char buffer[512];
    ssize_t n = (p.revents & (POLLIN | POLLHUP)) ? ::read(out[0], buffer, sizeof buffer) : 0;
    if (n < 0 || ((p.revents & POLLHUP) && n == 0)) break;
    seen.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  if (match.empty()) {
    stop();
    throw std::runtime_error("s3rver did not start: " + seen);
  }
  endpoint_ = "http://127.0.0.1:" + match[1].str();
}

S3rver::~S3rver() {
  stop();
}

void S3rver::stop() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

S3rver& S3rver::shared() {
  static S3rver server(DOSAR_SOURCE_DIR, {"dosar-test"});
  return server;
}

std::string S3rver::unique_prefix() {
  static std::atomic<int> counter{0};
  return "p" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "/";
}

std::filesystem::path S3rver::object_file(const std::string& bucket, const std::string& key) const {
  return data_.path() / bucket / (key + "._S3rver_object");
}

}  // namespace dosar::testing
