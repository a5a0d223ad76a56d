// A real `xapian-tcpsrv` (`--writable` unless asked otherwise) on a free loopback port for one test,
// serving a database directory; stopped by the destructor (issue 13: the
// index on remote shards is tested against the real server).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace dosar::testing {

enum class ServerAccess { writable, read_only };

class XapianServer {
 public:
  // Serves `dir` (created when missing; read_only needs a database there).
  // Throws std::runtime_error when xapian-tcpsrv does not accept
  // connections within ten seconds.
  explicit XapianServer(const std::filesystem::path& dir, ServerAccess access = ServerAccess::writable);
  ~XapianServer();
  XapianServer(const XapianServer&) = delete;
  XapianServer& operator=(const XapianServer&) = delete;

  unsigned port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_; }
  // Kills the server and the processes serving its open connections
  // (SIGKILL to its process group), as a crashed machine would.
  void kill();

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  unsigned port_ = 0;
};

}  // namespace dosar::testing
