// The page readers of ingest/derivation.h: the pages of one document are
// read by several threads at once, each thread with its own engine, the
// lowest order first; stopped readers do not start the pages still waiting.
// (Issue 3: work split per file left one long document alone at the end.)
#include "ingest/derivation.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace dosar {
namespace {

using namespace std::chrono_literals;

TEST(PageReaders, PagesOfOneDocumentAreReadByEveryThreadEachWithItsOwnEngine) {
  PageReaders readers(2);
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0, finished = 0;
  bool overlapped = false;
  std::set<std::thread::id> threads;
  std::set<RecognizerSlot*> engines;
  std::set<std::pair<std::thread::id, RecognizerSlot*>> pairs;
  for (int page = 0; page < 4; ++page)
    readers.submit(7, [&](RecognizerSlot& engine, bool stopped) {
      std::unique_lock lock(mutex);
      EXPECT_FALSE(stopped);
      threads.insert(std::this_thread::get_id());
      engines.insert(&engine);
      pairs.insert({std::this_thread::get_id(), &engine});
      ++running;
      changed.notify_all();
      // Two pages of the same document at the same time, or a timeout.
      overlapped = changed.wait_for(lock, 5s, [&] { return running >= 2; }) || overlapped;
      ++finished;
      changed.notify_all();
      changed.wait_for(lock, 5s, [&] { return finished >= 2; });
    });
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return finished == 4; }));
  EXPECT_TRUE(overlapped) << "two pages of one document were read at once";
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(engines.size(), 2u) << "one engine per thread";
  EXPECT_EQ(pairs.size(), 2u) << "each thread always gets its own engine";
}

TEST(PageReaders, LowerOrderStartsFirstAndStoppedPagesAreNotRead) {
  PageReaders readers(1);
  std::mutex mutex;
  std::condition_variable changed;
  bool release = false;
  std::vector<std::string> log;
  // The only thread is held by a first job while the others queue up.
  readers.submit(0, [&](RecognizerSlot&, bool) {
    std::unique_lock lock(mutex);
    log.push_back("first");
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
  });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return !log.empty(); });
  }
  auto job = [&](const std::string& name) {
    return [&, name](RecognizerSlot&, bool stopped) {
      std::lock_guard lock(mutex);
      log.push_back(name + (stopped ? " stopped" : " read"));
      changed.notify_all();
    };
  };
  readers.submit(5, job("document 5 page 1"));
  readers.submit(2, job("document 2 page 1"));
  readers.submit(5, job("document 5 page 2"));
  readers.submit(2, job("document 2 page 2"));
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return log.size() == 5; }));
  }
  EXPECT_EQ(log, (std::vector<std::string>{"first", "document 2 page 1 read", "document 2 page 2 read",
                                           "document 5 page 1 read", "document 5 page 2 read"}));

  // Stopped: what waits, and what comes after, only hears that it was stopped.
  {
    std::lock_guard lock(mutex);
    release = false;
    log.clear();
  }
  readers.submit(0, [&](RecognizerSlot&, bool) {
    std::unique_lock lock(mutex);
    log.push_back("held");
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
  });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return !log.empty(); });
  }
  readers.submit(1, job("waiting"));
  readers.stop();
  readers.submit(1, job("later"));
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return log.size() == 3; }));
  EXPECT_EQ(log, (std::vector<std::string>{"held", "waiting stopped", "later stopped"}));
}

TEST(PageReaders, WithoutThreadsAJobRunsOnTheCallersThread) {
  PageReaders readers(0);
  std::thread::id ran;
  readers.submit(0, [&](RecognizerSlot&, bool stopped) {
    EXPECT_FALSE(stopped);
    ran = std::this_thread::get_id();
  });
  EXPECT_EQ(ran, std::this_thread::get_id());
}

}  // namespace
}  // namespace dosar
