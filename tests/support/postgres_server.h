// A real PostgreSQL server for the tests (Debian's postgresql package, the
// version under /usr/lib/postgresql): a copy of a data directory initdb made
// once per machine (/tmp/dosar-pg-template-15), in a temporary directory, run as
// the unprivileged `postgres` system user (the tests run as root, which
// PostgreSQL refuses), listening on a Unix socket in that directory only, no
// TCP. One server per test binary run, started on first use and stopped by a
// gtest Environment at the end; a fresh database per test.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace dosar::testing {

class PostgresServer {
 public:
  // The server of this run. Throws std::runtime_error when it cannot start
  // (no postgres user, no PostgreSQL installed), with initdb's or the
  // server's log in the message.
  static PostgresServer& shared();

  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates an empty database and returns its libpq URI.
  std::string create_database();
  // The URI of `database` on this server.
  std::string uri(const std::string& database) const;
  // Runs SQL on a database given by its URI (tampering, inspection); throws
  // std::runtime_error with the server's message when it fails.
  static void run_sql(const std::string& uri, const std::string& sql);
  // Stops the server (fast shutdown: sessions are cut) and starts it again
  // on the same data; for fault tests.
  void restart();
  const std::filesystem::path& socket_dir() const { return dir_; }

 private:
  void start();
  void stop();
  std::filesystem::path dir_;  // owned by postgres: data/, the socket, server.log
  pid_t pid_ = -1;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int databases_ = 0;
};

}  // namespace dosar::testing
