// A local HTTP server answering as its handlers say, to stand in for an S3
// endpoint that fails on purpose (500s, time-outs, broken transfers). The
// socket listens from start(), so requests queue until the thread accepts
// them. Header-only: tests using it link cpp-httplib.
#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace dosar::testing {

struct FaultServer {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  void start() {
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~FaultServer() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port); }
};

}  // namespace dosar::testing
