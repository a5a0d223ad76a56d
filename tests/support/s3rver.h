// A real S3-compatible server (s3rver, tests/tools/s3rver/run.sh) on a free
// loopback port for one test, with its data in a temporary directory; stopped
// by the destructor. Access key and secret are both "S3RVER".
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace dosar::testing {

class S3rver {
 public:
  // Throws std::runtime_error when the server does not start within a minute
  // (the first start installs it with npm ci).
  S3rver(const std::filesystem::path& source_dir, const std::vector<std::string>& buckets);
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  // One server for the whole test process, with the bucket "dosar-test",
  // started at the first call and stopped at exit; each user takes a key
  // prefix of its own (unique_prefix).
  static S3rver& shared();
  static std::string unique_prefix();

  const std::string& endpoint() const { return endpoint_; }  // "http://127.0.0.1:PORT"
  // Where s3rver keeps an object's bytes: DATA/BUCKET/KEY._S3rver_object.
  std::filesystem::path object_file(const std::string& bucket, const std::string& key) const;

 private:
  void stop();
  TempDir data_;
  pid_t pid_ = -1;
  std::string endpoint_;
};

}  // namespace dosar::testing
