#include "tests/support/xapian_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dosar::testing {
namespace {

sockaddr_in loopback(unsigned port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port nobody listens on now (the kernel's choice for port 0).
unsigned free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(0);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Connects and reads the server's greeting (closing before it is sent
// makes the server print a broken-pipe error).
bool accepts(unsigned port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  pollfd p{fd, POLLIN, 0};
  char greeting[256];
  if (ok && ::poll(&p, 1, 2000) == 1) ok = ::read(fd, greeting, sizeof greeting) > 0;
  ::close(fd);
  return ok;
}

}  // namespace

XapianServer::XapianServer(const std::filesystem::path& dir, ServerAccess access) : dir_(dir) {
  std::filesystem::create_directories(dir_);
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    unsigned port = free_port();
    std::vector<std::string> args = {"xapian-tcpsrv", "--quiet", "--interface",
                                     "127.0.0.1",     "--port",  std::to_string(port)};
    if (access == ServerAccess::writable) args.push_back("--writable");
    args.push_back(dir_.string());
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::setpgid(0, 0);                     // its own group: kill() reaches the children serving connections
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // and a test that crashes leaves no server behind
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) break;  // exited: port taken meanwhile, or no binary
      if (accepts(port)) {
        pid_ = pid;
        port_ = port;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ < 0 && ::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
  }
  if (pid_ < 0) throw std::runtime_error("xapian-tcpsrv did not start (is xapian-tools installed?)");
}

XapianServer::~XapianServer() {
  kill();
}

void XapianServer::kill() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

}  // namespace dosar::testing
