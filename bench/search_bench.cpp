// Search benchmark: Dosar's Xapian index against SQLite FTS5, loaded in the
// same run with the same generated Romanian documents and asked the same
// queries. Reports indexing throughput, index size on disk and the latency of
// a top-10 page with snippets and facets (p50, p95, p99, mean), with ratios.
//
// usage: dosar-search-bench --docs N --queries Q --work DIR [--seed S]
//                           [--warmup W] [--keep] [--reuse] [--sample]
//                           [--shards K,K…] [--dosar-only]
//                           [--facet-check-at-least N] [--no-facet-table]
// Writes DIR/dosar-index/ and DIR/fts5.db, and removes both at the end unless
// --keep. --reuse searches the indexes a previous --keep run left (same N and
// seed) without rebuilding them (opened for writing once, which brings an
// index kept by an older build up to date); indexing figures are then not
// reported.
// --sample prints document 0 and the queries, and stops. --shards K,K…
// compares instead the local index with K shards served by xapian-tcpsrv
// on loopback, for each K (same documents and queries; no FTS5).
// --dosar-only (with --reuse) asks Dosar alone and prints its latency by
// kind, its slowest queries, and its latency for a department user (not
// all departments, no personal data): for profiling, not for the comparison.
// --facet-check-at-least N sets IndexLimits::facet_check_at_least; --no-facet-table
// counts facets from the values of each match, as before the facet table.
//
// What is compared (see bench/README.md):
//  - Dosar: SearchIndex::put in batches of 1000 (each put commits), the index
//    compacted at the end as `dosar reindex` leaves it (timed with the load),
//    then SearchIndex::search (limit 10, relevance, Visibility::everything()) on an
//    index opened read-only: one call returns hits, snippets and the facets
//    type, department and year.
//  - FTS5: table docs(title, body, type, department, year), tokenizer
//    `unicode61 remove_diacritics 2`, rank bm25 with title weighted 3;
//    journal_mode=WAL, synchronous=FULL (each commit durable, as Xapian's),
//    cache_size 64 MiB, commits every 10,000 documents, final checkpoint and
//    FTS5's 'optimize' (its b-trees merged into one) timed.
//    A query is the top-10 statement with snippet() and bm25() plus three
//    GROUP BY statements for the facet counts, all prepared once.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_system.h"
#include "base/text_folding.h"
#include "index/facet_table.h"
#include "index/search_index.h"
#include "tests/support/xapian_server.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
  std::cerr << "dosar-search-bench: " << message << "\n";
  std::exit(1);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Wall and CPU time of this process since construction. CPU well below wall
// means the measured code waited: for the disk, or for a core that other
// processes held (the figures are then noisy; rerun on a quiet machine).
struct Stopwatch {
  Clock::time_point wall_start = Clock::now();
  double cpu_start = process_cpu_seconds();
  double wall() const { return seconds_since(wall_start); }
  double cpu() const { return process_cpu_seconds() - cpu_start; }
};

// ---------------------------------------------------------------------------
// Deterministic randomness: splitmix64, so that the same seed gives the same
// documents and queries with any compiler and standard library.

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  int between(int low, int high) {
    return low + static_cast<int>(below(static_cast<std::size_t>(high - low + 1)));
  }
  bool chance(double p) { return uniform() < p; }

 private:
  std::uint64_t state_;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  return Rng(a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull)).next();
}

// ---------------------------------------------------------------------------
// Vocabulary: Romanian administrative stems with their inflections, plus
// synthetic stems for the long tail, ranked for a Zipf distribution.

// Inflection classes, each a list of endings added to the stem.
const std::map<char, std::vector<std::string_view>> kEndings = {
    {'F', {"ă", "a", "e", "ele", "ei", "elor"}},               // adresă
    {'T', {"ie", "ia", "ii", "iile", "iei", "iilor"}},         // dispoziție
    {'a', {"are", "area", "ări", "ările", "ării", "ărilor"}},  // aprobare
    {'i', {"ire", "irea", "iri", "irile", "irii", "irilor"}},  // numire
    {'e', {"ere", "erea", "eri", "erile", "erii", "erilor"}},  // cerere
    {'h', {"âre", "ârea", "âri", "ârile", "ârii", "ârilor"}},  // hotărâre
    {'N', {"", "ul", "ului", "e", "ele", "elor"}},             // contract
    {'U', {"", "ul", "ului", "uri", "urile", "urilor"}},       // drept
    {'M', {"", "ul", "ului", "i", "ii", "ilor"}},              // funcționar
    {'V', {"at", "ată", "ate", "ați", "ează", "ăm"}},          // aprobat
    {'I', {"it", "ită", "ite", "iți", "ește", "im"}},          // stabilit
    {'A', {"", "ă", "i", "e"}},                                // public
};

struct Stem {
  std::string_view stem;
  char inflection;
};

constexpr Stem kStems[] = {
    {"adres", 'F'},        {"anex", 'F'},       {"sum", 'F'},           {"tax", 'F'},
    {"not", 'F'},          {"procedur", 'F'},   {"clauz", 'F'},         {"semnătur", 'F'},
    {"ședinț", 'F'},       {"instanț", 'F'},    {"cerinț", 'F'},        {"evidenț", 'F'},
    {"lucrăr", 'F'},       {"reclamaț", 'T'},   {"comis", 'T'},         {"primăr", 'T'},
    {"direcț", 'T'},       {"funcț", 'T'},      {"instituț", 'T'},      {"dispoziț", 'T'},
    {"deciz", 'T'},        {"situaț", 'T'},     {"informaț", 'T'},      {"achiziț", 'T'},
    {"autorizaț", 'T'},    {"construcț", 'T'},  {"licitaț", 'T'},       {"investiț", 'T'},
    {"documentaț", 'T'},   {"inspecț", 'T'},    {"petiț", 'T'},         {"contravenț", 'T'},
    {"soluț", 'T'},        {"secț", 'T'},       {"prevenț", 'T'},       {"atribuț", 'T'},
    {"aprob", 'a'},        {"solicit", 'a'},    {"autoriz", 'a'},       {"modific", 'a'},
    {"complet", 'a'},      {"înregistr", 'a'},  {"analiz", 'a'},        {"verific", 'a'},
    {"sesiz", 'a'},        {"aloc", 'a'},       {"evalu", 'a'},         {"achit", 'a'},
    {"execut", 'a'},       {"soluțion", 'a'},   {"comunic", 'a'},       {"anul", 'a'},
    {"desemn", 'a'},       {"încadr", 'a'},     {"reabilit", 'a'},      {"rezolv", 'a'},
    {"aviz", 'a'},         {"arhiv", 'a'},      {"actualiz", 'a'},      {"numerot", 'a'},
    {"num", 'i'},          {"atribu", 'i'},     {"prelung", 'i'},       {"întocm", 'i'},
    {"îndeplin", 'i'},     {"folos", 'i'},      {"plăt", 'i'},          {"sprijin", 'i'},
    {"prim", 'i'},         {"restitu", 'i'},    {"cer", 'e'},           {"hotăr", 'h'},
    {"contract", 'N'},     {"document", 'N'},   {"act", 'N'},           {"proiect", 'N'},
    {"regulament", 'N'},   {"buget", 'N'},      {"dosar", 'N'},         {"certificat", 'N'},
    {"aviz", 'N'},         {"articol", 'N'},    {"proces", 'N'},        {"termen", 'N'},
    {"imobil", 'N'},       {"echipament", 'N'}, {"program", 'N'},       {"angajament", 'N'},
    {"extras", 'N'},       {"formular", 'N'},   {"tabel", 'N'},         {"capitol", 'N'},
    {"paragraf", 'N'},     {"obiectiv", 'N'},   {"impozit", 'N'},       {"deces", 'N'},
    {"teren", 'U'},        {"drum", 'U'},       {"anunț", 'U'},         {"împrumut", 'U'},
    {"audit", 'U'},        {"transfer", 'U'},   {"fond", 'U'},          {"drept", 'U'},
    {"bun", 'U'},          {"loc", 'U'},        {"venit", 'U'},         {"lucr", 'U'},
    {"funcționar", 'M'},   {"consilier", 'M'},  {"primar", 'M'},        {"inspector", 'M'},
    {"contribuabil", 'M'}, {"beneficiar", 'M'}, {"director", 'M'},      {"auditor", 'M'},
    {"proprietar", 'M'},   {"chiriaș", 'M'},    {"furnizor", 'M'},      {"executor", 'M'},
    {"secretar", 'M'},     {"operator", 'M'},   {"coordonator", 'M'},   {"administrator", 'M'},
    {"debitor", 'M'},      {"creditor", 'M'},   {"aprob", 'V'},         {"solicit", 'V'},
    {"înregistr", 'V'},    {"verific", 'V'},    {"analiz", 'V'},        {"modific", 'V'},
    {"semn", 'V'},         {"constat", 'V'},    {"mențion", 'V'},       {"prezent", 'V'},
    {"stabil", 'I'},       {"num", 'I'},        {"întocm", 'I'},        {"prelung", 'I'},
    {"îndeplin", 'I'},     {"prim", 'I'},       {"plăt", 'I'},          {"folos", 'I'},
    {"public", 'A'},       {"local", 'A'},      {"general", 'A'},       {"național", 'A'},
    {"municipal", 'A'},    {"financiar", 'A'},  {"administrativ", 'A'}, {"fiscal", 'A'},
    {"juridic", 'A'},      {"tehnic", 'A'},     {"social", 'A'},        {"economic", 'A'},
    {"legal", 'A'},        {"anual", 'A'},      {"lunar", 'A'},         {"actual", 'A'},
    {"urgent", 'A'},       {"definitiv", 'A'},  {"oficial", 'A'},       {"necesar", 'A'},
    {"total", 'A'},        {"final", 'A'},      {"principal", 'A'},     {"special", 'A'},
    {"medical", 'A'},      {"cadastral", 'A'},  {"comunal", 'A'},       {"școlar", 'A'},
    {"cultural", 'A'},     {"european", 'A'},   {"electronic", 'A'},    {"personal", 'A'},
};

// The most frequent words of any Romanian text; never used alone as queries
// (most are stop words in Dosar).
constexpr std::string_view kFunctionWords[] = {
    "de",   "și",    "în",      "la",      "a",      "cu",     "pentru",    "privind",  "din",   "al",
    "care", "pe",    "prin",    "conform", "să",     "se",     "nu",        "este",     "sunt",  "fi",
    "sau",  "către", "ale",     "lui",     "unei",   "unui",   "asupra",    "potrivit", "fără",  "până",
    "după", "cele",  "acestei", "acestui", "aceste", "precum", "respectiv", "art.",     "alin.", "lit.",
};

// Syllables for synthetic stems: Romanian letters, diacritics included.
constexpr std::string_view kOnsets[] = {"b", "c", "d", "f", "g",   "l",  "m",  "n",  "p",  "r",  "s",  "t",
                                        "v", "z", "ș", "ț", "str", "pr", "tr", "cr", "gl", "sp", "st", "dr"};
constexpr std::string_view kVowels[] = {"a", "e", "i", "o", "u", "ă", "â", "î", "ea", "ia", "oa"};
constexpr std::string_view kCodas[] = {"r", "n", "t", "l", "s", "ș", "ț", "c", "m", "nt", "rt", "st"};
constexpr char kSyntheticClasses[] = {'F', 'T', 'N', 'U', 'M', 'A', 'a', 'V', 'I'};

class Vocabulary {
 public:
  explicit Vocabulary(std::uint64_t seed) {
    Rng rng(mix(seed, 0x766F6361));
    std::set<std::string> seen;
    auto add_all = [&](std::vector<std::string>& into, std::string_view stem, char inflection) {
      for (std::string_view ending : kEndings.at(inflection)) {
        std::string word = std::string(stem).append(ending);
        if (seen.insert(word).second) into.push_back(word);
      }
    };
    for (std::string_view w : kFunctionWords) {
      words_.emplace_back(w);
      seen.emplace(w);
    }
    function_words_ = words_.size();
    std::vector<std::string> real, synthetic;
    for (const Stem& s : kStems) add_all(real, s.stem, s.inflection);
    while (synthetic.size() < 3200) {
      std::string stem;
      int syllables = rng.between(2, 3);
      for (int k = 0; k < syllables; ++k)
        stem.append(kOnsets[rng.below(std::size(kOnsets))]).append(kVowels[rng.below(std::size(kVowels))]);
      stem.append(kCodas[rng.below(std::size(kCodas))]);
      add_all(synthetic, stem, kSyntheticClasses[rng.below(std::size(kSyntheticClasses))]);
    }
    shuffle(real, rng);
    shuffle(synthetic, rng);
    real_words_ = real.size();
    words_.insert(words_.end(), real.begin(), real.end());
    words_.insert(words_.end(), synthetic.begin(), synthetic.end());
    // Zipf, exponent 1: the word of rank r has weight 1/r.
    cumulative_.reserve(words_.size());
    double sum = 0;
    for (std::size_t r = 0; r < words_.size(); ++r)
      cumulative_.push_back(sum += 1.0 / static_cast<double>(r + 1));
    for (double& c : cumulative_) c /= sum;
  }

  std::size_t size() const { return words_.size(); }
  const std::string& word(std::size_t rank) const { return words_[rank]; }
  const std::string& zipf(Rng& rng) const {
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), rng.uniform());
    return words_[std::min(static_cast<std::size_t>(it - cumulative_.begin()), words_.size() - 1)];
  }
  // A content word (no function word), log-uniform over its rank: as many
  // queries for frequent words (ranks 40-400) as for rare ones (400-4000).
  const std::string& query_word(Rng& rng) const {
    double low = std::log(static_cast<double>(function_words_));
    double high = std::log(static_cast<double>(words_.size()));
    auto rank = static_cast<std::size_t>(std::exp(low + rng.uniform() * (high - low)));
    return words_[std::clamp(rank, function_words_, words_.size() - 1)];
  }
  // A real (not synthetic) content word, for titles.
  const std::string& title_word(Rng& rng) const {
    double skew = rng.uniform();
    return words_[function_words_ + static_cast<std::size_t>(skew * skew * static_cast<double>(real_words_))];
  }

 private:
  static void shuffle(std::vector<std::string>& v, Rng& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  }

  std::vector<std::string> words_;
  std::vector<double> cumulative_;
  std::size_t function_words_ = 0;
  std::size_t real_words_ = 0;
};

// ---------------------------------------------------------------------------
// Documents.

struct Facet {
  std::string_view name;
  std::string_view query_word;  // folded word that selects it in a field query
};
constexpr Facet kTypes[] = {
    {"Decizie", "decizie"},   {"Dispoziție", "dispozitie"}, {"Hotărâre", "hotarare"},
    {"Contract", "contract"}, {"Adresă", "adresa"},         {"Cerere", "cerere"},
    {"Notă internă", "nota"}, {"Raport", "raport"},         {"Proces-verbal", "proces"},
    {"Referat", "referat"},
};
constexpr Facet kDepartments[] = {
    {"Direcția Economică", "economica"},
    {"Serviciul Juridic", "juridic"},
    {"Resurse Umane", "umane"},
    {"Registratură", "registratura"},
    {"Urbanism", "urbanism"},
    {"Achiziții Publice", "achizitii"},
    {"Direcția Tehnică", "tehnica"},
    {"Asistență Socială", "asistenta"},
};
constexpr int kFirstYear = 2015, kLastYear = 2026;

std::string capitalized(std::string word) {
  static const std::pair<std::string_view, std::string_view> kUpper[] = {
      {"ă", "Ă"}, {"â", "Â"}, {"î", "Î"}, {"ș", "Ș"}, {"ț", "Ț"}};
  if (!word.empty() && word[0] >= 'a' && word[0] <= 'z') {
    word[0] = static_cast<char>(word[0] - 'a' + 'A');
    return word;
  }
  for (const auto& [lower, upper] : kUpper)
    if (word.rfind(lower, 0) == 0) return std::string(upper).append(word.substr(lower.size()));
  return word;
}

std::string two_digits(int n) {
  return std::string(1, static_cast<char>('0' + n / 10)).append(1, static_cast<char>('0' + n % 10));
}

class Corpus {
 public:
  explicit Corpus(std::uint64_t seed) : seed_(seed), vocabulary_(seed) {}
  const Vocabulary& vocabulary() const { return vocabulary_; }

  // Document `i` (0-based) of the collection: ~2 KB of body text.
  dosar::IndexRecord document(std::uint64_t i) const {
    Rng rng(mix(seed_, i));
    dosar::IndexRecord r;
    r.document_id = static_cast<std::int64_t>(i + 1);
    r.version = 1;
    const Facet& type = kTypes[rng.below(std::size(kTypes))];
    const Facet& department = kDepartments[rng.below(std::size(kDepartments))];
    r.document_type = type.name;
    r.department = department.name;
    int year = rng.between(kFirstYear, kLastYear);
    std::string day = two_digits(rng.between(1, 28)), month = two_digits(rng.between(1, 12));
    r.date = std::to_string(year) + "-" + month + "-" + day;
    r.registry_number =
        std::to_string(rng.between(1, 25000)) + "/" + day + "." + month + "." + std::to_string(year);
    double c = rng.uniform();
    r.confidentiality = c < 0.80 ? "public" : c < 0.95 ? "internal" : "restricted-personal-data";
    r.status = "registered";
    r.title = std::string(type.name) + " nr. " + r.registry_number + " privind " +
              vocabulary_.title_word(rng) + " " + vocabulary_.title_word(rng) + " " +
              vocabulary_.title_word(rng);
    r.body = body(rng, year);
    return r;
  }

  // The FTS5 row of the same document: the year column holds "2019".
  static std::string year_of(const dosar::IndexRecord& r) { return r.date.substr(0, 4); }

 private:
  std::string body(Rng& rng, int year) const {
    std::string text;
    text.reserve(2300);
    int sentence = 0;
    while (text.size() < 2000) {
      if (sentence > 0) text += sentence % 4 == 0 ? "\n\n" : " ";
      int words = rng.between(8, 22);
      for (int k = 0; k < words; ++k) {
        if (k > 0) text += (k > 3 && rng.chance(0.06)) ? ", " : " ";
        if (k > 0 && rng.chance(0.03)) {
          text += reference(rng, year);
          continue;
        }
        const std::string& w = vocabulary_.zipf(rng);
        text += k == 0 ? capitalized(w) : w;
      }
      text += '.';
      ++sentence;
    }
    return text;
  }

  static std::string reference(Rng& rng, int year) {
    switch (rng.below(4)) {
      case 0:
        return "nr. " + std::to_string(rng.between(1, 9999)) + "/" + std::to_string(year);
      case 1:
        return "art. " + std::to_string(rng.between(1, 120)) + " alin. (" +
               std::to_string(rng.between(1, 9)) + ")";
      case 2:
        return two_digits(rng.between(1, 28)) + "." + two_digits(rng.between(1, 12)) + "." +
               std::to_string(year);
      default:
        return std::to_string(rng.between(100, 99999)) + " lei";
    }
  }

  std::uint64_t seed_;
  Vocabulary vocabulary_;
};

// ---------------------------------------------------------------------------
// Queries: the same request in each engine's syntax.

enum class QueryKind { words, phrase, field };
constexpr std::array<std::string_view, 3> kKindNames = {"words", "phrase", "field"};

struct Query {
  QueryKind kind;
  std::string dosar;
  std::string fts5;
};

std::string folded(std::string_view word) {
  std::string out = dosar::fold_diacritics(word);
  for (char& ch : out)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

// Two or three consecutive words of a sentence of a document in the collection,
// the first and last not function words.
std::string phrase_from(const Corpus& corpus, std::uint64_t doc, Rng& rng) {
  std::string body = corpus.document(doc).body;
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::size_t length = rng.chance(0.5) ? 2 : 3;
    std::size_t at = rng.below(body.size());
    at = body.find(' ', at);
    if (at == std::string::npos) continue;
    std::vector<std::string> words;
    std::size_t p = at + 1;
    while (words.size() < length && p < body.size()) {
      std::size_t end = body.find_first_of(" \n", p);
      if (end == std::string::npos) end = body.size();
      std::string w = body.substr(p, end - p);
      bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](char ch) {
        return static_cast<unsigned char>(ch) >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
      });
      if (!plain) break;
      words.push_back(folded(w));
      p = end + 1;
    }
    // A phrase someone would type starts and ends with a content word.
    auto function_word = [](const std::string& w) {
      return std::any_of(std::begin(kFunctionWords), std::end(kFunctionWords),
                         [&](std::string_view f) { return folded(f) == w; });
    };
    if (words.size() < length || function_word(words.front()) || function_word(words.back())) continue;
    std::string out = "\"";
    for (const std::string& w : words) out += (out.size() > 1 ? " " : "") + w;
    return out + "\"";
  }
  return "\"" + folded(corpus.vocabulary().word(corpus.vocabulary().size() / 2)) + "\"";
}

std::vector<Query> make_queries(const Corpus& corpus, std::uint64_t docs, std::size_t count,
                                std::uint64_t seed) {
  Rng rng(mix(seed, 0x71756572));
  const Vocabulary& v = corpus.vocabulary();
  std::vector<Query> queries;
  while (queries.size() < count) {
    double kind = rng.uniform();
    if (kind < 0.70) {  // 1-3 words, all required
      int n = kind < 0.35 ? 1 : kind < 0.58 ? 2 : 3;
      std::string q;
      for (int k = 0; k < n; ++k) q += (k ? " " : "") + folded(v.query_word(rng));
      queries.push_back({QueryKind::words, q, q});
    } else if (kind < 0.85) {
      std::string q = phrase_from(corpus, rng.below(static_cast<std::size_t>(docs)), rng);
      queries.push_back({QueryKind::phrase, q, q});
    } else {
      std::string w = folded(v.query_word(rng));
      switch (rng.below(4)) {
        case 0: {
          std::string_view t = kTypes[rng.below(std::size(kTypes))].query_word;
          queries.push_back({QueryKind::field, w + " tip:" + std::string(t), w + " type:" + std::string(t)});
          break;
        }
        case 1: {
          std::string_view d = kDepartments[rng.below(std::size(kDepartments))].query_word;
          queries.push_back(
              {QueryKind::field, w + " dep:" + std::string(d), w + " department:" + std::string(d)});
          break;
        }
        case 2: {
          std::string t = folded(v.title_word(rng));
          queries.push_back({QueryKind::field, w + " titlu:" + t, w + " title:" + t});
          break;
        }
        default: {
          std::string y = std::to_string(rng.between(kFirstYear, kLastYear));
          queries.push_back({QueryKind::field, w + " data:" + y + ".." + y, w + " year:" + y});
        }
      }
    }
  }
  return queries;
}

// ---------------------------------------------------------------------------
// Engines.

struct Load {
  double seconds = 0;  // inside the engine's calls only (generation excluded)
  double cpu_seconds = 0;
  std::uint64_t bytes = 0;
  // Of `seconds`, the last step of a bulk load, which leaves the index
  // smaller and faster to search: Xapian's compaction, as `dosar reindex`
  // does it; FTS5's 'optimize', which merges its b-trees into one.
  double finishing_seconds = 0;
  std::uint64_t bytes_before_finishing = 0;
};

constexpr std::size_t kDosarBatch = 1000;
constexpr std::size_t kFts5Batch = 10000;

void progress(const char* engine, std::uint64_t done, std::uint64_t total, double engine_seconds) {
  if (done % 100000 != 0 && done != total) return;
  std::cerr << "  " << engine << ": " << done << "/" << total << " documents, "
            << static_cast<long>(static_cast<double>(done) / engine_seconds) << " docs/s\n";
}

// `disk` is where the index's files end up (the shards' directories).
Load load_dosar(const Corpus& corpus, std::uint64_t docs, const dosar::IndexLocation& location,
                const fs::path& disk) {
  auto opened = dosar::open_search_index(location, dosar::IndexAccess::rebuild);
  if (!opened.ok()) die("opening the Dosar index: " + opened.error().to_string());
  std::unique_ptr<dosar::SearchIndex> index = std::move(opened).value();
  Load load;
  std::vector<dosar::IndexRecord> batch;
  for (std::uint64_t i = 0; i < docs;) {
    batch.clear();
    for (; batch.size() < kDosarBatch && i < docs; ++i) batch.push_back(corpus.document(i));
    Stopwatch watch;
    dosar::Status put = index->put(batch);
    load.seconds += watch.wall();
    load.cpu_seconds += watch.cpu();
    if (!put.ok()) die("SearchIndex::put: " + put.error().to_string());
    progress("dosar", i, docs, load.seconds);
  }
  index.reset();  // closes the writer (its last put already committed)
  if (!location.remote()) {
    load.bytes_before_finishing = dosar::bytes_on_disk(disk);
    Stopwatch watch;
    const fs::path compacted = disk.string() + ".compacted";
    fs::remove_all(compacted);
    if (auto done = dosar::compact_xapian_index(disk, compacted); !done.ok())
      die("compacting the Dosar index: " + done.error().to_string());
    fs::remove_all(disk);
    fs::rename(compacted, disk);
    load.finishing_seconds = watch.wall();
    load.seconds += watch.wall();
    load.cpu_seconds += watch.cpu();
  }
  load.bytes = dosar::bytes_on_disk(disk);
  return load;
}

class Sqlite {
 public:
  explicit Sqlite(const fs::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK)
      die("opening " + file.string() + ": " + sqlite3_errmsg(db_));
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA cache_size=-65536");
  }
  ~Sqlite() {
    for (sqlite3_stmt* s : statements_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      die(std::string(sql) + ": " + reason);
    }
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      die(std::string(sql) + ": " + sqlite3_errmsg(db_));
    statements_.push_back(s);
    return s;
  }
  // The first column of the first row of a one-off statement.
  std::int64_t integer(const char* sql) {
    sqlite3_stmt* s = prepare(sql);
    check(sqlite3_step(s), sql);
    return sqlite3_column_int64(s, 0);
  }
  void check(int rc, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
      die(std::string(what) + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

void bind_text(sqlite3_stmt* s, int column, const std::string& text) {
  sqlite3_bind_text(s, column, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

Load load_fts5(const Corpus& corpus, std::uint64_t docs, const fs::path& file) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
  Load load;
  {
    Sqlite db(file);
    Stopwatch watch;
    db.exec(
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, type, department, year, "
        "tokenize = 'unicode61 remove_diacritics 2')");
    db.exec("INSERT INTO docs(docs, rank) VALUES('rank', 'bm25(3.0, 1.0, 1.0, 1.0, 1.0)')");
    sqlite3_stmt* insert =
        db.prepare("INSERT INTO docs(rowid, title, body, type, department, year) VALUES(?, ?, ?, ?, ?, ?)");
    load.seconds += watch.wall();
    load.cpu_seconds += watch.cpu();
    std::vector<dosar::IndexRecord> batch;
    for (std::uint64_t i = 0; i < docs;) {
      batch.clear();
      for (; batch.size() < kDosarBatch && i < docs; ++i) batch.push_back(corpus.document(i));
      watch = Stopwatch();
      if ((i - batch.size()) % kFts5Batch == 0) db.exec("BEGIN");
      for (const dosar::IndexRecord& r : batch) {
        std::string year = Corpus::year_of(r);
        sqlite3_bind_int64(insert, 1, r.document_id);
        bind_text(insert, 2, r.title);
        bind_text(insert, 3, r.body);
        bind_text(insert, 4, r.document_type);
        bind_text(insert, 5, r.department);
        bind_text(insert, 6, year);
        db.check(sqlite3_step(insert), "INSERT INTO docs");
        sqlite3_reset(insert);
      }
      if (i % kFts5Batch == 0 || i == docs) db.exec("COMMIT");
      load.seconds += watch.wall();
      load.cpu_seconds += watch.cpu();
      progress("fts5", i, docs, load.seconds);
    }
    watch = Stopwatch();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    load.seconds += watch.wall();
    load.cpu_seconds += watch.cpu();
    load.bytes_before_finishing = dosar::bytes_on_disk(file);
    watch = Stopwatch();
    db.exec("INSERT INTO docs(docs) VALUES('optimize')");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    load.finishing_seconds = watch.wall();
    load.seconds += watch.wall();
    load.cpu_seconds += watch.cpu();
    // The pages the merge freed stay in the file (for the next inserts): not counted.
    load.bytes =
        static_cast<std::uint64_t>((db.integer("PRAGMA page_count") - db.integer("PRAGMA freelist_count")) *
                                   db.integer("PRAGMA page_size"));
  }
  return load;
}

struct Answer {
  std::uint64_t matches = 0;
  std::size_t hits = 0;
  bool failed = false;
  double top_ms = 0;  // FTS5 only: the top-10 statement alone, without facets
};

class DosarSearcher {
 public:
  DosarSearcher(const dosar::IndexLocation& location, const dosar::IndexLimits& limits) {
    auto opened = dosar::open_search_index(location, dosar::IndexAccess::read, limits);
    if (!opened.ok()) die("opening the Dosar index: " + opened.error().to_string());
    index_ = std::move(opened).value();
  }
  Answer search(const Query& q) {
    dosar::SearchRequest request;
    request.query = q.dosar;
    request.limit = 10;
    request.visibility = visibility_;
    auto result = index_->search(request);
    if (!result.ok()) {
      if (failures_++ < 5)
        std::cerr << "  dosar: '" << q.dosar << "': " << result.error().to_string() << "\n";
      return {0, 0, true};
    }
    return {result->total, result->hits.size(), false};
  }

  void search_as(dosar::Visibility visibility) { visibility_ = std::move(visibility); }

 private:
  std::unique_ptr<dosar::SearchIndex> index_;
  dosar::Visibility visibility_ = dosar::Visibility::everything();
  int failures_ = 0;
};

class Fts5Searcher {
 public:
  explicit Fts5Searcher(const fs::path& file) : db_(file) {
    top_ = db_.prepare(
        "SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', '…', 28), "
        "bm25(docs, 3.0, 1.0, 1.0, 1.0, 1.0) FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10");
    facets_[0] = db_.prepare("SELECT type, count(*) FROM docs WHERE docs MATCH ? GROUP BY type");
    facets_[1] = db_.prepare("SELECT department, count(*) FROM docs WHERE docs MATCH ? GROUP BY department");
    facets_[2] = db_.prepare("SELECT year, count(*) FROM docs WHERE docs MATCH ? GROUP BY year");
  }
  Answer search(const Query& q) {
    Answer answer;
    // Copied out, as Dosar returns them in strings.
    std::vector<std::pair<std::string, std::string>> hits;
    auto start = Clock::now();
    bind_text(top_, 1, q.fts5);
    int rc;
    while ((rc = sqlite3_step(top_)) == SQLITE_ROW)
      hits.emplace_back(column_text(top_, 1), column_text(top_, 2));
    answer.failed = rc != SQLITE_DONE;
    sqlite3_reset(top_);
    answer.top_ms = seconds_since(start) * 1000.0;
    answer.hits = hits.size();
    std::array<std::map<std::string, std::uint64_t>, 3> counts;
    for (std::size_t f = 0; f < facets_.size() && !answer.failed; ++f) {
      bind_text(facets_[f], 1, q.fts5);
      while ((rc = sqlite3_step(facets_[f])) == SQLITE_ROW)
        counts[f][column_text(facets_[f], 0)] =
            static_cast<std::uint64_t>(sqlite3_column_int64(facets_[f], 1));
      answer.failed = rc != SQLITE_DONE;
      sqlite3_reset(facets_[f]);
    }
    for (const auto& [value, n] : counts[0]) answer.matches += n;
    if (answer.failed && failures_++ < 5) std::cerr << "  fts5: '" << q.fts5 << "' failed\n";
    return answer;
  }

 private:
  static std::string column_text(sqlite3_stmt* s, int column) {
    const unsigned char* text = sqlite3_column_text(s, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(s, column)))
                : std::string();
  }

  Sqlite db_;
  sqlite3_stmt* top_ = nullptr;
  std::array<sqlite3_stmt*, 3> facets_{};
  int failures_ = 0;
};

// ---------------------------------------------------------------------------
// Measurement and report.

struct Latency {
  std::vector<double> ms;   // wall time, one per measured query
  std::vector<double> cpu;  // this process's CPU time for the same query
  std::vector<QueryKind> kinds;
  std::vector<double> top_ms;  // FTS5: top-10 statement only
  std::uint64_t matches = 0;
  std::size_t failures = 0;

  void add(double milliseconds, double cpu_milliseconds, QueryKind kind, const Answer& a) {
    ms.push_back(milliseconds);
    cpu.push_back(cpu_milliseconds);
    kinds.push_back(kind);
    top_ms.push_back(a.top_ms);
    matches += a.matches;
    failures += a.failed ? 1 : 0;
  }
  // Nearest-rank percentile.
  static double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
  }
  std::vector<double> of_kind(QueryKind kind) const {
    std::vector<double> out;
    for (std::size_t i = 0; i < ms.size(); ++i)
      if (kinds[i] == kind) out.push_back(ms[i]);
    return out;
  }
  double p(double pct) const { return percentile(ms, pct); }
  double mean() const {
    return ms.empty() ? 0 : std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  }
};

struct Options {
  std::uint64_t docs = 0;
  std::size_t queries = 0;
  fs::path work;
  std::uint64_t seed = 1;
  std::size_t warmup = 50;
  bool keep = false;
  bool reuse = false;
  bool sample = false;
  bool dosar_only = false;
  std::vector<std::size_t> shards;  // --shards 1,2,4: local against remote shards, no FTS5
  dosar::IndexLimits limits;        // --facet-check-at-least, --no-facet-table
};

std::uint64_t number(std::string_view flag, const char* text) {
  std::uint64_t n = 0;
  std::string_view s = text ? text : "";
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    die(std::string(flag) + " needs a number");
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--docs")
      o.docs = number(a, next), ++i;
    else if (a == "--queries")
      o.queries = static_cast<std::size_t>(number(a, next)), ++i;
    else if (a == "--seed")
      o.seed = number(a, next), ++i;
    else if (a == "--warmup")
      o.warmup = static_cast<std::size_t>(number(a, next)), ++i;
    else if (a == "--work" && next)
      o.work = next, ++i;
    else if (a == "--keep")
      o.keep = true;
    else if (a == "--reuse")
      o.reuse = true;
    else if (a == "--sample")
      o.sample = true;
    else if (a == "--dosar-only")
      o.dosar_only = true;
    else if (a == "--facet-check-at-least")
      o.limits.facet_check_at_least = static_cast<std::size_t>(number(a, next)), ++i;
    else if (a == "--no-facet-table")
      o.limits.facet_table_at_least = SIZE_MAX;
    else if (a == "--shards" && next) {
      for (std::string_view rest = next; !rest.empty();) {
        std::size_t comma = std::min(rest.find(','), rest.size());
        std::size_t k = static_cast<std::size_t>(number(a, std::string(rest.substr(0, comma)).c_str()));
        if (k == 0 || k > dosar::kMaxIndexShards) die("--shards: counts from 1 to 64");
        o.shards.push_back(k);
        rest.remove_prefix(std::min(comma + 1, rest.size()));
      }
      ++i;
    } else
      die("unknown argument '" + std::string(a) +
          "'\nusage: dosar-search-bench --docs N --queries Q --work DIR [--seed S] [--warmup W] [--keep] "
          "[--reuse] [--sample] [--shards K,K…] [--dosar-only] "
          "[--facet-check-at-least N] [--no-facet-table]");
  }
  if (o.docs == 0 || o.queries == 0 || o.work.empty())
    die("usage: dosar-search-bench --docs N --queries Q --work DIR [--seed S] [--warmup W] [--keep] "
        "[--reuse] [--sample]");
  if (o.dosar_only && !o.reuse)
    die("--dosar-only searches the indexes of an earlier --keep run: add --reuse");
  return o;
}

double mb(std::uint64_t bytes) {
  return static_cast<double>(bytes) / 1e6;
}

void print_report(const Options& o, const Load& dosar_load, const Load& fts5_load, std::uint64_t text_bytes,
                  const Latency& d, const Latency& f) {
  auto n = static_cast<double>(o.docs);
  std::printf(
      "\nsearch benchmark: %llu documents (%.1f MB of text, %.0f bytes/doc), %zu queries after %zu warm-up, "
      "seed %llu\n",
      static_cast<unsigned long long>(o.docs), mb(text_bytes), static_cast<double>(text_bytes) / n,
      d.ms.size(), std::min(o.warmup, o.queries), static_cast<unsigned long long>(o.seed));
  std::printf("top 10 + snippets + facets (type, department, year); Xapian %s, SQLite %s\n\n",
              DOSAR_XAPIAN_VERSION, sqlite3_libversion());
  std::printf(
      "| engine | index s | docs/s | index MB | p50 ms | p95 ms | p99 ms | mean ms | mean matches | failed "
      "| CPU/wall index | CPU/wall queries |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  auto row = [&](const char* name, const Load& l, const Latency& lat) {
    if (o.reuse)
      std::printf("| %s | - | - | %.1f |", name, mb(l.bytes));
    else
      std::printf("| %s | %.1f | %.0f | %.1f |", name, l.seconds, n / l.seconds, mb(l.bytes));
    std::printf(
        " %.2f | %.2f | %.2f | %.2f | %.0f | %zu |", lat.p(50), lat.p(95), lat.p(99), lat.mean(),
        static_cast<double>(lat.matches) / static_cast<double>(std::max<std::size_t>(lat.ms.size(), 1)),
        lat.failures);
    if (o.reuse)
      std::printf(" - |");
    else
      std::printf(" %.0f%% |", 100.0 * l.cpu_seconds / l.seconds);
    std::printf(" %.0f%% |\n", 100.0 * std::accumulate(lat.cpu.begin(), lat.cpu.end(), 0.0) /
                                   std::accumulate(lat.ms.begin(), lat.ms.end(), 0.0));
  };
  row("Dosar (Xapian)", dosar_load, d);
  row("SQLite FTS5", fts5_load, f);
  std::printf("| FTS5 top 10 + snippets only, no facets | | | | %.2f | %.2f | %.2f | %.2f | | | | |\n",
              Latency::percentile(f.top_ms, 50), Latency::percentile(f.top_ms, 95),
              Latency::percentile(f.top_ms, 99),
              std::accumulate(f.top_ms.begin(), f.top_ms.end(), 0.0) /
                  static_cast<double>(std::max<std::size_t>(f.top_ms.size(), 1)));
  if (!o.reuse)
    std::printf(
        "(index s includes the last step of a bulk load: Xapian's compaction, as `dosar reindex` does it, "
        "%.1f s, %.1f MB before; FTS5's 'optimize', %.1f s, %.1f MB before, free pages not counted)\n",
        dosar_load.finishing_seconds, mb(dosar_load.bytes_before_finishing), fts5_load.finishing_seconds,
        mb(fts5_load.bytes_before_finishing));

  auto mean_of = [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  std::printf(
      "\nsame queries, CPU time of the process instead of wall time (not inflated when other processes\n"
      "hold the cores; excludes waiting for the disk):\n\n");
  std::printf("| engine | p50 CPU ms | p95 CPU ms | p99 CPU ms | mean CPU ms |\n|---|---:|---:|---:|---:|\n");
  for (auto [name, lat] : {std::pair<const char*, const Latency*>{"Dosar (Xapian)", &d}, {"SQLite FTS5", &f}})
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", name, Latency::percentile(lat->cpu, 50),
                Latency::percentile(lat->cpu, 95), Latency::percentile(lat->cpu, 99), mean_of(lat->cpu));

  std::printf("\nratios (above 1 = Dosar better):\n");
  std::printf("  latency FTS5/Dosar: p50 %.2f, p95 %.2f, p99 %.2f, mean %.2f\n", f.p(50) / d.p(50),
              f.p(95) / d.p(95), f.p(99) / d.p(99), f.mean() / d.mean());
  std::printf("  CPU time FTS5/Dosar: p50 %.2f, p95 %.2f, p99 %.2f, mean %.2f\n",
              Latency::percentile(f.cpu, 50) / Latency::percentile(d.cpu, 50),
              Latency::percentile(f.cpu, 95) / Latency::percentile(d.cpu, 95),
              Latency::percentile(f.cpu, 99) / Latency::percentile(d.cpu, 99),
              mean_of(f.cpu) / mean_of(d.cpu));
  std::printf("  latency FTS5 top 10 without facets / Dosar with facets: p50 %.2f, p99 %.2f\n",
              Latency::percentile(f.top_ms, 50) / d.p(50), Latency::percentile(f.top_ms, 99) / d.p(99));
  if (!o.reuse) std::printf("  indexing docs/s Dosar/FTS5: %.2f\n", fts5_load.seconds / dosar_load.seconds);
  std::printf("  index size FTS5/Dosar: %.2f (Dosar %.0f bytes/doc, FTS5 %.0f bytes/doc)\n",
              static_cast<double>(fts5_load.bytes) / static_cast<double>(dosar_load.bytes),
              static_cast<double>(dosar_load.bytes) / n, static_cast<double>(fts5_load.bytes) / n);

  std::printf("\nby query kind (ms):\n\n| kind | queries | Dosar p50 | Dosar p99 | FTS5 p50 | FTS5 p99 |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (QueryKind kind : {QueryKind::words, QueryKind::phrase, QueryKind::field}) {
    auto dk = d.of_kind(kind), fk = f.of_kind(kind);
    std::printf("| %s | %zu | %.2f | %.2f | %.2f | %.2f |\n",
                std::string(kKindNames[static_cast<std::size_t>(kind)]).c_str(), dk.size(),
                Latency::percentile(dk, 50), Latency::percentile(dk, 99), Latency::percentile(fk, 50),
                Latency::percentile(fk, 99));
  }
  std::printf(
      "\ntargets (wall time): p99 under 50 ms: %s (%.2f ms at %llu documents); p50 faster than FTS5: %s "
      "(ratio %.2f)\n",
      d.p(99) < 50 ? "MET" : "NOT met", d.p(99), static_cast<unsigned long long>(o.docs),
      d.p(50) < f.p(50) ? "MET" : "NOT met", f.p(50) / d.p(50));
}

// An independent check of the facets counted from memory (index/
// facet_table.h) at this size: the first `count` queries answered again by
// an index counting from memory and by one reading the values of each match
// from the index. Returns the number of queries whose answers differ.
std::size_t check_facets_from_memory(const fs::path& dir, const std::vector<Query>& queries,
                                     std::size_t count) {
  dosar::IndexLimits from_memory, from_values;
  from_memory.facet_table_at_least = 0;
  from_values.facet_table_at_least = SIZE_MAX;
  auto memory =
      dosar::open_search_index(dosar::IndexLocation{dir, {}}, dosar::IndexAccess::read, from_memory);
  auto values =
      dosar::open_search_index(dosar::IndexLocation{dir, {}}, dosar::IndexAccess::read, from_values);
  if (!memory.ok() || !values.ok()) die("opening the Dosar index twice");
  if (!dosar::wait_for_facet_table(dir, Xapian::Database(dir.string()), 60000))
    die("no facet table for " + dir.string() + " within a minute");
  std::size_t differ = 0;
  count = std::min(count, queries.size());
  for (std::size_t i = 0; i < count; ++i) {
    dosar::SearchRequest request;
    request.query = queries[i].dosar;
    auto a = (*memory)->search(request), b = (*values)->search(request);
    auto same_facets = [](const dosar::SearchResult& x, const dosar::SearchResult& y) {
      if (x.facets.size() != y.facets.size()) return false;
      for (const auto& [name, list] : x.facets) {
        auto other = y.facets.find(name);
        if (other == y.facets.end() || other->second.size() != list.size()) return false;
        for (std::size_t k = 0; k < list.size(); ++k)
          if (list[k].value != other->second[k].value || list[k].count != other->second[k].count)
            return false;
      }
      return true;
    };
    if (a.ok() != b.ok() ||
        (a.ok() && (a->total != b->total || a->exact != b->exact || !same_facets(*a, *b)))) {
      if (differ++ < 3) std::cerr << "  facets differ for '" << queries[i].dosar << "'\n";
    }
  }
  std::printf("facets counted from memory against read from the index: %zu of %zu queries differ\n", differ,
              count);
  return differ;
}

// --dosar-only: Dosar's latency by kind, and its slowest queries.
int run_dosar_only(const Options& o, DosarSearcher& engine, const std::vector<Query>& queries) {
  for (std::size_t i = 0; i < std::min(o.warmup, queries.size()); ++i) (void)engine.search(queries[i]);
  Latency d;
  std::vector<std::pair<double, std::size_t>> slowest;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    Stopwatch watch;
    Answer a = engine.search(queries[i]);
    d.add(watch.wall() * 1000.0, watch.cpu() * 1000.0, queries[i].kind, a);
    slowest.push_back({d.ms.back(), i});
  }
  std::printf(
      "Dosar alone: %zu queries after %zu warm-up; p50 %.2f, p95 %.2f, p99 %.2f ms wall; p99 CPU %.2f ms\n",
      queries.size(), std::min(o.warmup, queries.size()), d.p(50), d.p(95), d.p(99),
      Latency::percentile(d.cpu, 99));
  for (QueryKind kind : {QueryKind::words, QueryKind::phrase, QueryKind::field}) {
    auto dk = d.of_kind(kind);
    std::printf("  %-6s %3zu queries: p50 %.2f, p99 %.2f ms\n",
                std::string(kKindNames[static_cast<std::size_t>(kind)]).c_str(), dk.size(),
                Latency::percentile(dk, 50), Latency::percentile(dk, 99));
  }
  std::sort(slowest.rbegin(), slowest.rend());
  std::printf("slowest:\n");
  for (std::size_t k = 0; k < std::min<std::size_t>(slowest.size(), 10); ++k)
    std::printf("  %8.2f ms  %s\n", slowest[k].first, queries[slowest[k].second].dosar.c_str());
  // The same queries as most staff search: one department's internal
  // documents and everyone's public ones, no personal data.
  engine.search_as({false, {"Registratură"}, false});
  Latency u;
  for (const Query& q : queries) {
    Stopwatch watch;
    Answer a = engine.search(q);
    u.add(watch.wall() * 1000.0, watch.cpu() * 1000.0, q.kind, a);
  }
  std::printf(
      "As a department user (Registratură, no personal data): p50 %.2f, p95 %.2f, p99 %.2f ms wall; "
      "p99 CPU %.2f ms\n",
      u.p(50), u.p(95), u.p(99), Latency::percentile(u.cpu, 99));
  return d.failures + u.failures == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------
// --shards: the same documents and queries on one local index and on K
// shards served by xapian-tcpsrv on loopback (issue 13), searched in turn.

struct ShardedEngine {
  std::string name;
  std::size_t shards = 0;  // 0: the local index
  Load load;
  std::vector<std::unique_ptr<dosar::testing::XapianServer>> servers;
  std::unique_ptr<DosarSearcher> searcher;
  Latency latency;
  std::vector<std::uint64_t> totals;  // per measured query, to check that all engines agree
};

int run_shards(const Options& o) {
  fs::create_directories(o.work);
  Corpus corpus(o.seed);
  std::vector<ShardedEngine> engines(o.shards.size() + 1);
  std::vector<dosar::IndexLocation> locations;
  engines[0].name = "local index";
  for (std::size_t e = 0; e < engines.size(); ++e) {
    ShardedEngine& engine = engines[e];
    dosar::IndexLocation location;
    fs::path disk = o.work / (e == 0 ? std::string("local") : "shards-" + std::to_string(o.shards[e - 1]));
    fs::remove_all(disk);
    if (e == 0) {
      location.dir = disk;
    } else {
      engine.shards = o.shards[e - 1];
      engine.name = std::to_string(engine.shards) + (engine.shards == 1 ? " shard" : " shards");
      for (std::size_t i = 0; i < engine.shards; ++i) {
        engine.servers.push_back(
            std::make_unique<dosar::testing::XapianServer>(disk / ("shard-" + std::to_string(i))));
        location.shards.push_back({"127.0.0.1", engine.servers.back()->port()});
      }
    }
    std::cerr << "indexing into the " << engine.name << " (" << disk << ")\n";
    engine.load = load_dosar(corpus, o.docs, location, disk);
    locations.push_back(location);
  }
  // Opened once every index is loaded: xapian-tcpsrv closes connections
  // idle for a minute (--idle-timeout).
  for (std::size_t e = 0; e < engines.size(); ++e)
    engines[e].searcher = std::make_unique<DosarSearcher>(locations[e], o.limits);
  std::vector<Query> queries = make_queries(corpus, o.docs, o.queries, o.seed);
  std::cerr << "warming up with " << std::min(o.warmup, queries.size()) << " queries\n";
  for (std::size_t i = 0; i < std::min(o.warmup, queries.size()); ++i)
    for (auto& engine : engines) (void)engine.searcher->search(queries[i]);
  // Each query on every engine, starting with a different one each time, so
  // that background load and cache effects fall on all alike.
  std::cerr << "running " << queries.size() << " queries on " << engines.size() << " indexes\n";
  for (std::size_t i = 0; i < queries.size(); ++i)
    for (std::size_t k = 0; k < engines.size(); ++k) {
      ShardedEngine& engine = engines[(i + k) % engines.size()];
      Stopwatch watch;
      Answer a = engine.searcher->search(queries[i]);
      engine.latency.add(watch.wall() * 1000.0, watch.cpu() * 1000.0, queries[i].kind, a);
      engine.totals.push_back(a.matches);
    }
  // Totals are exact below IndexLimits::facet_check_at_least matches, estimates above.
  std::size_t disagreements = 0, compared = 0;
  const std::uint64_t exact_below = dosar::IndexLimits{}.facet_check_at_least;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (engines[0].totals[i] >= exact_below) continue;
    ++compared;
    for (const auto& engine : engines)
      if (engine.totals[i] != engines[0].totals[i]) {
        ++disagreements;
        break;
      }
  }

  auto n = static_cast<double>(o.docs);
  std::printf(
      "\nsearch over shards: %llu documents, %zu queries after %zu warm-up, seed %llu; top 10 + snippets + "
      "facets;\nshards are xapian-tcpsrv processes on loopback on this machine; Xapian %s\n\n",
      static_cast<unsigned long long>(o.docs), queries.size(), std::min(o.warmup, o.queries),
      static_cast<unsigned long long>(o.seed), DOSAR_XAPIAN_VERSION);
  std::printf(
      "| index | index s | docs/s | index MB | p50 ms | p95 ms | p99 ms | mean ms | p50 client CPU ms | "
      "failed "
      "|\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& e : engines)
    std::printf("| %s | %.1f | %.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %zu |\n", e.name.c_str(),
                e.load.seconds, n / e.load.seconds, mb(e.load.bytes), e.latency.p(50), e.latency.p(95),
                e.latency.p(99), e.latency.mean(), Latency::percentile(e.latency.cpu, 50),
                e.latency.failures);
  std::printf("\nratios to the local index (above 1 = slower than local):\n");
  for (std::size_t k = 1; k < engines.size(); ++k)
    std::printf("  %s: p50 %.2f, p99 %.2f, mean %.2f; indexing time %.2f\n", engines[k].name.c_str(),
                engines[k].latency.p(50) / engines[0].latency.p(50),
                engines[k].latency.p(99) / engines[0].latency.p(99),
                engines[k].latency.mean() / engines[0].latency.mean(),
                engines[k].load.seconds / engines[0].load.seconds);
  std::printf(
      "queries whose exact totals differ between the indexes: %zu of %zu (those under %llu matches)\n",
      disagreements, compared, static_cast<unsigned long long>(exact_below));

  std::size_t failures = 0;
  for (auto& e : engines) {
    failures += e.latency.failures;
    e.searcher.reset();
    e.servers.clear();
  }
  if (!o.keep)
    for (std::size_t e = 0; e < engines.size(); ++e)
      fs::remove_all(o.work / (e == 0 ? std::string("local") : "shards-" + std::to_string(o.shards[e - 1])));
  return failures + disagreements == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  if (o.sample) {  // shows what is generated, then stops
    Corpus corpus(o.seed);
    dosar::IndexRecord r = corpus.document(0);
    std::printf("%s\n%s | %s | %s | %s\n\n%s\n\n", r.title.c_str(), r.document_type.c_str(),
                r.department.c_str(), r.date.c_str(), r.confidentiality.c_str(), r.body.c_str());
    for (const Query& q : make_queries(corpus, o.docs, o.queries, o.seed))
      std::printf("%-6s  dosar: %-40s  fts5: %s\n",
                  std::string(kKindNames[static_cast<std::size_t>(q.kind)]).c_str(), q.dosar.c_str(),
                  q.fts5.c_str());
    return 0;
  }
  if (!o.shards.empty()) return run_shards(o);
  fs::create_directories(o.work);
  const fs::path dosar_dir = o.work / "dosar-index", fts5_file = o.work / "fts5.db";
  Corpus corpus(o.seed);

  std::uint64_t text_bytes = 0;
  {
    auto start = Clock::now();
    for (std::uint64_t i = 0; i < std::min<std::uint64_t>(o.docs, 2000); ++i) {
      auto r = corpus.document(i);
      text_bytes += r.title.size() + r.body.size();
    }
    text_bytes = text_bytes * o.docs / std::min<std::uint64_t>(o.docs, 2000);  // estimated from a sample
    std::cerr << "vocabulary " << corpus.vocabulary().size() << " words; generating ~"
              << static_cast<long>(mb(text_bytes)) << " MB of text ("
              << static_cast<long>(seconds_since(start) /
                                   static_cast<double>(std::min<std::uint64_t>(o.docs, 2000)) *
                                   static_cast<double>(o.docs))
              << " s per pass, not timed)\n";
  }

  Load dosar_load, fts5_load;
  if (o.reuse) {
    // Opened for writing once, as any Dosar writer would: an index kept by
    // an older build gets what this one expects (the superseded marks).
    if (auto upgraded =
            dosar::open_search_index(dosar::IndexLocation{dosar_dir, {}}, dosar::IndexAccess::write);
        !upgraded.ok())
      die("opening the kept index: " + upgraded.error().to_string());
    dosar_load.bytes = dosar::bytes_on_disk(dosar_dir);
    fts5_load.bytes = dosar::bytes_on_disk(fts5_file);
  } else {
    std::cerr << "indexing with Dosar (Xapian) into " << dosar_dir << "\n";
    dosar_load = load_dosar(corpus, o.docs, dosar::IndexLocation{dosar_dir, {}}, dosar_dir);
    std::cerr << "indexing with SQLite FTS5 into " << fts5_file << "\n";
    fts5_load = load_fts5(corpus, o.docs, fts5_file);
  }

  std::vector<Query> queries = make_queries(corpus, o.docs, o.queries, o.seed);
  DosarSearcher dosar_engine(dosar::IndexLocation{dosar_dir, {}}, o.limits);
  if (o.dosar_only) return run_dosar_only(o, dosar_engine, queries);
  Fts5Searcher fts5_engine(fts5_file);
  std::cerr << "warming up with " << std::min(o.warmup, queries.size()) << " queries\n";
  for (std::size_t i = 0; i < std::min(o.warmup, queries.size()); ++i) {
    (void)dosar_engine.search(queries[i]);
    (void)fts5_engine.search(queries[i]);
  }
  // Interleaved, alternating which engine goes first, so that background
  // load and cache effects fall on both alike.
  std::cerr << "running " << queries.size() << " queries on both engines\n";
  Latency d, f;
  auto timed = [](auto& engine, const Query& q, Latency& into) {
    Stopwatch watch;
    Answer a = engine.search(q);
    into.add(watch.wall() * 1000.0, watch.cpu() * 1000.0, q.kind, a);
  };
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (i % 2 == 0) {
      timed(dosar_engine, queries[i], d);
      timed(fts5_engine, queries[i], f);
    } else {
      timed(fts5_engine, queries[i], f);
      timed(dosar_engine, queries[i], d);
    }
  }
  print_report(o, dosar_load, fts5_load, text_bytes, d, f);
  const std::size_t facet_differences = check_facets_from_memory(dosar_dir, queries, 100);

  if (!o.keep) {
    fs::remove_all(dosar_dir);
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(fts5_file.string() + suffix);
  }
  return d.failures + f.failures + facet_differences == 0 ? 0 : 1;
}
