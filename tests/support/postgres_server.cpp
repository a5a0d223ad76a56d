#include "tests/support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dosar::testing {
namespace fs = std::filesystem;

namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";
constexpr const char* kPort = "5432";  // names the socket file only: no TCP

std::string read_all(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Forks `args` as the postgres user with stdout and stderr to `log`; the
// child gets SIGINT (fast shutdown) if this process dies first.
pid_t spawn_as(uid_t uid, gid_t gid, const std::vector<std::string>& args, const fs::path& log) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(126);
    ::prctl(PR_SET_PDEATHSIG, SIGINT);  // after setuid, which clears it
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};

// Stops the shared server after the last test.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { server.reset(); }
  std::unique_ptr<PostgresServer> server;
};

PostgresEnvironment* environment() {
  static PostgresEnvironment* env =
      static_cast<PostgresEnvironment*>(::testing::AddGlobalTestEnvironment(new PostgresEnvironment));
  return env;
}
[[maybe_unused]] PostgresEnvironment* const kRegistered = environment();

// A freshly initdb'd data directory, made once per machine and PostgreSQL
// version under /tmp and shared by every test process: made in a directory
// of its own, then renamed into place, so that it is complete whenever it
// exists (a process that loses the race drops its own).
fs::path initdb_template(uid_t uid, gid_t gid) {
  const fs::path target = "/tmp/dosar-pg-template-15";
  std::error_code ec;
  if (fs::exists(target / "data" / "PG_VERSION", ec)) return target;
  char pattern[] = "/tmp/dosar-pg-template-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  const fs::path made = pattern;
  if (::chown(made.c_str(), uid, gid) != 0) throw std::runtime_error("cannot chown " + made.string());
  const fs::path log = made / "initdb.log";
  pid_t initdb = spawn_as(uid, gid,
                          {std::string(kBin) + "initdb", "-D", (made / "data").string(), "-U", "postgres",
                           "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"},
                          log);
  int status = 0;
  ::waitpid(initdb, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = read_all(log);
    fs::remove_all(made, ec);
    throw std::runtime_error("initdb failed: " + why);
  }
  fs::remove(log, ec);
  if (::rename(made.c_str(), target.c_str()) != 0) fs::remove_all(made, ec);  // another process was first
  return target;
}

}  // namespace

PostgresServer& PostgresServer::shared() {
  PostgresEnvironment* env = environment();
  if (!env->server) env->server = std::make_unique<PostgresServer>();
  return *env->server;
}

PostgresServer::PostgresServer() {
  struct passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr)
    throw std::runtime_error("no `postgres` system user: install Debian's postgresql package");
  uid_ = pw->pw_uid;
  gid_ = pw->pw_gid;
  char pattern[] = "/tmp/dosar-pg-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (::chown(dir_.c_str(), uid_, gid_) != 0) throw std::runtime_error("cannot chown " + dir_.string());
  // ctest runs every test case in a process of its own, each with its own
  // server: initdb (seconds) runs once per machine into a template that
  // each server copies (milliseconds).
  const fs::path template_dir = initdb_template(uid_, gid_);
  const std::string copy = "cp -a " + (template_dir / "data").string() + " " + (dir_ / "data").string();
  if (std::system(copy.c_str()) != 0) throw std::runtime_error("cannot copy " + template_dir.string());
  start();
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PostgresServer::start() {
  const fs::path log = dir_ / "server.log";
  pid_ = spawn_as(uid_, gid_,
                  {std::string(kBin) + "postgres", "-D", (dir_ / "data").string(), "-k", dir_.string(), "-p",
                   kPort, "-c", "listen_addresses=", "-c", "fsync=off", "-c", "max_connections=60"},
                  log);
  const std::string ping = "host=" + dir_.string() + " port=" + kPort + " dbname=postgres user=postgres";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (PQping(ping.c_str()) != PQPING_OK) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_ || std::chrono::steady_clock::now() > deadline) {
      pid_ = -1;
      throw std::runtime_error("the PostgreSQL server did not start: " + read_all(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void PostgresServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void PostgresServer::restart() {
  stop();
  start();
}

std::string PostgresServer::uri(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + dir_.string() + "&port=" + kPort + "&user=postgres";
}

std::string PostgresServer::create_database() {
  std::string name = "dosar_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  run_sql(uri("postgres"), "CREATE DATABASE " + name);
  return uri(name);
}

void PostgresServer::run_sql(const std::string& uri, const std::string& sql) {
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(uri.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("cannot connect to " + uri + ": " + PQerrorMessage(conn.get()));
  PGresult* result = PQexec(conn.get(), sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("`" + sql + "` failed: " + message);
}

}  // namespace dosar::testing
