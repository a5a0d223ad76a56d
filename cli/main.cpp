#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Tesseract asks OpenMP for several threads inside each page (num_threads
  // clauses that omp_set_num_threads cannot lower). Dosar runs one engine per
  // worker thread instead, so OpenMP must be limited to one thread, and
  // libgomp reads that limit only when it loads, before main(): set it and
  // execute again, once. If exec fails, Dosar still works, only slower.
  if (std::getenv("OMP_THREAD_LIMIT") == nullptr) {
    ::setenv("OMP_THREAD_LIMIT", "1", 1);
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    ::execv("/proc/self/exe", argv);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  return static_cast<int>(dosar::cli::run(args, std::cout, std::cerr));
}
