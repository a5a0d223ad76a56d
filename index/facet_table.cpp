#include "index/facet_table.h"

#include <chrono>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "index/query_parsing.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The latest table of each directory, and the reading under way.
class Readings {
 public:
  static Readings& instance() {
    static Readings readings;
    return readings;
  }

  std::shared_ptr<const FacetTable> table_for(const fs::path& dir, const Xapian::Database& reader) {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[dir.string()];
    if (entry.table && entry.table->describes(reader)) return entry.table;
    if (!entry.reading && Clock::now() >= entry.next_reading) start(dir, entry);
    return nullptr;
  }

  ~Readings() {
    stop_ = true;
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      for (auto& [dir, entry] : entries_)
        if (entry.thread.joinable()) threads.push_back(std::move(entry.thread));
    }
    for (std::thread& t : threads) t.join();
  }

 private:
  struct Entry {
    std::shared_ptr<const FacetTable> table;
    std::thread thread;  // the last reading, finished unless `reading`
    bool reading = false;
    Clock::time_point next_reading{};
  };

  // Called with mutex_ held.
  void start(const fs::path& dir, Entry& entry) {
    if (entry.thread.joinable()) entry.thread.join();  // finished: not `reading`
    entry.reading = true;
    try {
      entry.thread = std::thread([this, dir] { read(dir); });
    } catch (const std::system_error&) {
      entry.reading = false;  // no thread to spare: the values are read from the index, as before
    }
  }

  void read(const fs::path& dir) {
    const Clock::time_point started = Clock::now();
    std::shared_ptr<const FacetTable> table;
    try {
      table = FacetTable::read(Xapian::Database(dir.string()), stop_);
    } catch (const Xapian::Error&) {
      // Gone, replaced or committed to twice meanwhile: the next search asks again.
    }
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[dir.string()];
    if (table) entry.table = std::move(table);
    entry.reading = false;
    entry.next_reading = Clock::now() + 5 * (Clock::now() - started);
  }

  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::atomic<bool> stop_{false};
};

}  // namespace

const std::array<Xapian::valueno, FacetTable::kFacets> FacetTable::kSlots = {slots::type, slots::department,
                                                                             slots::year};

std::shared_ptr<const FacetTable> FacetTable::read(const Xapian::Database& db,
                                                   const std::atomic<bool>& stop) {
  auto table = std::make_shared<FacetTable>();
  table->uuid_ = db.get_uuid();
  table->revision_ = db.get_revision();
  const Xapian::docid last = db.get_lastdocid();
  for (std::size_t facet = 0; facet < kFacets; ++facet) {
    std::vector<std::uint16_t>& codes = table->codes_[facet];
    std::vector<std::string>& values = table->values_[facet];
    codes.assign(static_cast<std::size_t>(last) + 1, 0);
    values.assign(1, std::string());
    std::unordered_map<std::string, std::uint16_t> code_of;
    std::size_t seen = 0;
    const Xapian::valueno slot = kSlots[facet];
    for (auto v = db.valuestream_begin(slot); v != db.valuestream_end(slot); ++v) {
      if (++seen % 4096 == 0 && stop.load(std::memory_order_relaxed)) return nullptr;
      auto [at, added] = code_of.try_emplace(*v, 0);
      if (added) {
        if (values.size() > UINT16_MAX) return nullptr;
        at->second = static_cast<std::uint16_t>(values.size());
        values.push_back(at->first);
      }
      if (v.get_docid() <= last) codes[v.get_docid()] = at->second;
    }
  }
  return table;
}

bool FacetTable::describes(const Xapian::Database& reader) const {
  return reader.get_revision() == revision_ && reader.get_uuid() == uuid_;
}

TableFacetSpy::TableFacetSpy(std::shared_ptr<const FacetTable> table) : table_(std::move(table)) {
  for (std::size_t facet = 0; facet < FacetTable::kFacets; ++facet)
    counts_[facet].assign(table_->values(facet).size(), 0);
}

void TableFacetSpy::operator()(const Xapian::Document& doc, double) {
  const Xapian::docid docid = doc.get_docid();
  ++total_;
  for (std::size_t facet = 0; facet < FacetTable::kFacets; ++facet)
    ++counts_[facet][table_->code(facet, docid)];
}

std::vector<std::pair<std::string, std::uint64_t>> TableFacetSpy::counts(std::size_t facet) const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  const std::vector<std::string>& values = table_->values(facet);
  for (std::size_t code = 1; code < values.size(); ++code)
    if (counts_[facet][code] != 0) out.emplace_back(values[code], counts_[facet][code]);
  return out;
}

std::shared_ptr<const FacetTable> facet_table_for(const fs::path& dir, const Xapian::Database& reader) {
  return Readings::instance().table_for(dir, reader);
}

std::shared_ptr<const FacetTable> wait_for_facet_table(const fs::path& dir, const Xapian::Database& reader,
                                                       unsigned timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (auto table = facet_table_for(dir, reader)) return table;
    if (Clock::now() >= deadline) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace dosar
