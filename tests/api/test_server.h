// What the API tests share: `dosar serve` on a free loopback port, run in a
// thread until destroyed, and clients of it.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "api/server.h"

namespace dosar::testing {

class TestServer {
 public:
  // Starts the server and waits until `probe_path` answers. A server that
  // does not start fails the test and answers null.
  static std::unique_ptr<TestServer> start(const api::ServerOptions& options,
                                           const std::string& probe_path = "/") {
    auto server = api::WebServer::create(options);
    EXPECT_TRUE(server.ok()) << server.error().to_string();
    if (!server.ok()) return nullptr;
    std::unique_ptr<TestServer> running(new TestServer(std::move(server).value()));
    httplib::Client probe("127.0.0.1", running->port());
    for (int i = 0; i < 200 && !probe.Get(probe_path); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return running;
  }
  ~TestServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return server_->port(); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(120);
    return c;
  }

 private:
  explicit TestServer(std::unique_ptr<api::WebServer> server) : server_(std::move(server)) {
    thread_ = std::thread([this] { (void)server_->run(); });
  }
  std::unique_ptr<api::WebServer> server_;
  std::thread thread_;
};

}  // namespace dosar::testing
