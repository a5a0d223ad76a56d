// Timeline benchmark (issue 12): the file of one person with L linked
// documents in an archive of N documents. Generates the documents straight
// into the catalogue (Catalog::create_documents_unless_duplicate in batches
// of 10,000: one transaction each, no files, no OCR), links L of them, spread
// over the years, to one person, then times Persons::timeline — the call
// `dosar person timeline` and the web page make: the purpose checked, the
// access rule evaluated, the access record written (a durable commit), and
// one page of 50 read — first page and pages at random depths, C calls.
//
// usage: dosar-persons-bench --docs N --links L --calls C --work DIR
// Prints p50, p95, p99, max in ms and the ratio of p99 to the 50 ms target.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "persons/persons.h"

namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
  std::cerr << "dosar-persons-bench: " << message << "\n";
  std::exit(1);
}

template <class T>
T must(dosar::Result<T> r, const char* what) {
  if (!r.ok()) die(std::string(what) + ": " + r.error().to_string());
  return std::move(r).value();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t docs = 1'000'000, links = 2000, calls = 2000;
  fs::path work = "bench/work/persons";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--docs")
      docs = std::stoul(argv[i + 1]);
    else if (a == "--links")
      links = std::stoul(argv[i + 1]);
    else if (a == "--calls")
      calls = std::stoul(argv[i + 1]);
    else if (a == "--work")
      work = argv[i + 1];
    else
      die("unknown argument " + a);
  }
  fs::remove_all(work);
  fs::create_directories(work);
  auto archive = must(dosar::ArchiveStore::create(work / "archive"), "create archive");
  dosar::User worker;
  worker.name = "ana";
  worker.departments = {"Asistență socială"};
  worker.restricted_access = true;
  if (auto s = archive->catalog().add_user(worker, "bench"); !s.ok()) die(s.error().to_string());

  auto t0 = Steady::now();
  const std::size_t batch = 10'000;
  for (std::size_t first = 0; first < docs; first += batch) {
    std::vector<dosar::NewDocument> b;
    for (std::size_t i = first; i < std::min(docs, first + batch); ++i) {
      dosar::NewDocument d;
      d.title = "Document " + std::to_string(i);
      d.document_type = i % 3 ? "cerere" : "anchetă socială";
      d.department = "Asistență socială";
      d.confidentiality = "restricted-personal-data";
      d.first_version.original_blob_id = dosar::sha256_hex("document " + std::to_string(i));
      d.first_version.original_name = "d" + std::to_string(i) + ".pdf";
      d.first_version.mime_type = "application/pdf";
      d.first_version.size = 1000;
      b.push_back(std::move(d));
    }
    must(archive->catalog().create_documents_unless_duplicate(b, "bench"), "create documents");
    if ((first / batch) % 10 == 0) std::cerr << "\r" << first + b.size() << " documents" << std::flush;
  }
  const double generate_s = std::chrono::duration<double>(Steady::now() - t0).count();
  std::cerr << "\r" << docs << " documents in " << generate_s << " s\n";

  auto persons = must(dosar::persons::Persons::open(*archive), "open persons");
  dosar::persons::NewPerson n;
  n.name = "Ion Popescu";
  n.cnp = "1800101400016";
  const auto person = must(persons->add(n, "ana"), "add person");
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> chosen;
  while (chosen.size() < links) {
    auto id = static_cast<std::int64_t>(rng() % docs) + 1;
    if (std::find(chosen.begin(), chosen.end(), id) == chosen.end()) chosen.push_back(id);
  }
  t0 = Steady::now();
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    // Dates spread over twenty years, as a file grows over a person's life.
    dosar::PersonLink l;
    l.person_id = person.id;
    l.kind = "document";
    l.target_id = chosen[i];
    char date[32];
    std::snprintf(date, sizeof date, "%04zu-%02zu-%02zuT10:00:00Z", 2006 + i % 20, 1 + i % 12, 1 + i % 28);
    l.date = date;
    l.title = "Document " + std::to_string(chosen[i]);
    if (auto s = persons->store().link(l, "ana"); !s.ok()) die(s.error().to_string());
  }
  const double link_s = std::chrono::duration<double>(Steady::now() - t0).count();

  // Cursors at random depths: the first page and pages further back.
  auto all = must(persons->store().timeline(person.id, std::nullopt, links), "timeline");
  std::vector<double> ms;
  for (std::size_t i = 0; i < calls; ++i) {
    std::optional<dosar::TimelineCursor> after;
    if (i % 2 == 1) {
      const auto& at = all[rng() % all.size()];
      after = dosar::TimelineCursor{at.date, at.kind, at.target_id};
    }
    auto start = Steady::now();
    auto page = must(persons->timeline(person.id, "ana", "evaluare", after, 50), "timeline");
    ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
    if (!after && page.size() != std::min<std::size_t>(50, links)) die("short first page");
  }
  const double p99 = percentile(ms, 0.99);
  std::printf("persons timeline benchmark: %zu documents, %zu linked to one person, %zu calls (page of 50)\n",
              docs, links, calls);
  std::printf("generation: %.1f s (%.0f documents/s); linking: %.2f s\n", generate_s,
              static_cast<double>(docs) / generate_s, link_s);
  std::printf("| p50 ms | p95 ms | p99 ms | max ms |\n|---:|---:|---:|---:|\n| %.2f | %.2f | %.2f | %.2f |\n",
              percentile(ms, 0.5), percentile(ms, 0.95), p99, *std::max_element(ms.begin(), ms.end()));
  std::printf("ratio target/p99: %.1f (target p99 < 50 ms: %s)\n", 50.0 / p99, p99 < 50 ? "met" : "NOT met");
  fs::remove_all(work);
  return p99 < 50 ? 0 : 1;
}
