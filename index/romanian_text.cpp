#include "index/romanian_text.h"

#include "index/search_index.h"

namespace dosar::romanian {

std::string normalize(std::string_view text) {
  return Xapian::Unicode::tolower(fold_diacritics(text));
}

Xapian::Stem stemmer() { return Xapian::Stem("romanian"); }

const Xapian::Stopper& stopper() {
  // Folded forms. Short function words only: they are dropped from ranked
  // queries but still indexed with positions, so phrase search keeps them.
  static const Xapian::SimpleStopper* const kStopper = [] {
    auto* s = new Xapian::SimpleStopper;
    for (const char* word :
         {"a", "ai", "al", "ale", "alt", "am", "ar", "are", "as", "asa", "au", "avea", "ca", "care",
          "ce", "cel", "cea", "cei", "cele", "cu", "cum", "da", "dar", "de", "deci", "deja", "din",
          "dintre", "dupa", "e", "ea", "ei", "el", "ele", "este", "eu", "fi", "fie", "fost", "i",
          "iar", "ii", "il", "in", "intr", "intre", "isi", "la", "le", "li", "lor", "lui", "mai",
          "ma", "mi", "ne", "ni", "nici", "nu", "o", "ori", "pe", "pentru", "peste", "pana", "prin",
          "sa", "sau", "se", "si", "sunt", "spre", "ta", "te", "tot", "toti", "un", "una", "unei",
          "unor", "unui", "va", "vor"})
      s->add(word);
    return s;
  }();
  return *kStopper;
}

}  // namespace dosar::romanian
