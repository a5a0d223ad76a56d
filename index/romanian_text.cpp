#include "index/romanian_text.h"

#include <algorithm>
#include <cctype>

#include "base/text_folding.h"

namespace dosar::romanian {

std::string normalize(std::string_view text) {
  // ASCII, most words: lowercased without Xapian's Unicode tables (a fifth
  // of a long text's snippet, before).
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
  }
  return Xapian::Unicode::tolower(fold_diacritics(text));
}

namespace {

bool ends_with(const std::string& word, std::string_view suffix) {
  return word.size() >= suffix.size() &&
         word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Snowball's Romanian stemmer, on folded words, after mapping the genitive-
// dative endings it leaves apart from their nominative: "anchetei" stems to
// "anchete" but "ancheta" to "anchet", "hotararii" to "hotarar" but
// "hotarare" to "hotar". Rewriting the ending first makes them meet.
class RomanianFoldedStemmer : public Xapian::StemImplementation {
 public:
  std::string operator()(const std::string& word) override {
    std::string w = word;
    if (w.size() > 6 && ends_with(w, "iei")) {
      w.replace(w.size() - 3, 3, "ia");  // dispozitiei -> dispozitia, familiei -> familia
    } else if (w.size() > 5 && ends_with(w, "ei") && !is_vowel(w[w.size() - 3])) {
      w.replace(w.size() - 2, 2, "a");  // anchetei -> ancheta, sedintei -> sedinta
    } else if (w.size() > 6 && (ends_with(w, "arii") || ends_with(w, "erii") || ends_with(w, "irii") ||
                                ends_with(w, "urii"))) {
      w.replace(w.size() - 2, 2, "e");  // hotararii -> hotarare, cererii -> cerere
    }
    return snowball_(w);
  }
  std::string get_description() const override { return "romanian-folded"; }

 private:
  static bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
  Xapian::Stem snowball_{"romanian"};
};

}  // namespace

Xapian::Stem stemmer() {
  return Xapian::Stem(new RomanianFoldedStemmer);
}

const Xapian::Stopper& stopper() {
  // Folded forms. Short function words only: they are dropped from ranked
  // queries but still indexed with positions, so phrase search keeps them.
  static const Xapian::SimpleStopper* const kStopper = [] {
    auto* s = new Xapian::SimpleStopper;
    for (const char* word :
         {"a",    "ai",   "al",     "ale",    "alt",  "am",   "ar",   "are",  "as",   "asa",   "au",   "avea",
          "ca",   "care", "ce",     "cel",    "cea",  "cei",  "cele", "cu",   "cum",  "da",    "dar",  "de",
          "deci", "deja", "din",    "dintre", "dupa", "e",    "ea",   "ei",   "el",   "ele",   "este", "eu",
          "fi",   "fie",  "fost",   "i",      "iar",  "ii",   "il",   "in",   "intr", "intre", "isi",  "la",
          "le",   "li",   "lor",    "lui",    "mai",  "ma",   "mi",   "ne",   "ni",   "nici",  "nu",   "o",
          "ori",  "pe",   "pentru", "peste",  "pana", "prin", "sa",   "sau",  "se",   "si",    "sunt", "spre",
          "ta",   "te",   "tot",    "toti",   "un",   "una",  "unei", "unor", "unui", "va",    "vor"})
      s->add(word);
    return s;
  }();
  return *kStopper;
}

}  // namespace dosar::romanian
