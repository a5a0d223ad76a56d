// revision_changes: what one revision changed, object by object, and
// whether PAdES allows it after a signature (ETSI EN 319 142-1 §5.4:
// further signatures, DSS, document timestamps). Anything else that can
// change what a reader shows — page content, pages, annotations, replaced
// objects — is not allowed.
#include <algorithm>
#include <map>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <set>

#include "signing/pdf_structure.h"

namespace dosar::signing {
namespace {

std::string name_of(QPDFObjectHandle h) {
  return h.isName() ? h.getName() : "";
}

std::string representation(QPDFObjectHandle h) {
  if (h.isStream()) {
    auto data = h.getRawStreamData();
    return h.getDict().unparse() + "\nstream\n" +
           std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
  }
  return h.unparseResolved();
}

bool is_signature_annotation(QPDFObjectHandle h) {
  if (!h.isDictionary()) return false;
  if (name_of(h.getKey("/FT")) == "/Sig") return true;
  return name_of(h.getKey("/Subtype")) == "/Widget" && h.getKey("/Parent").isDictionary() &&
         name_of(h.getKey("/Parent").getKey("/FT")) == "/Sig";
}

bool same_except(QPDFObjectHandle a, QPDFObjectHandle b, const std::set<std::string>& except) {
  if (!a.isDictionary() || !b.isDictionary()) return false;
  std::set<std::string> keys = a.getKeys();
  for (const auto& k : b.getKeys()) keys.insert(k);
  for (const auto& k : keys)
    if (!except.count(k) && a.getKey(k).unparse() != b.getKey(k).unparse()) return false;
  return true;
}

// True when `after` keeps every item of `before` and adds only signature
// fields or widgets.
bool adds_only_signatures(QPDFObjectHandle before, QPDFObjectHandle after) {
  if (after.isNull()) return before.isNull();
  if (!after.isArray() || !(before.isArray() || before.isNull())) return false;
  std::multiset<std::string> old_items;
  if (before.isArray())
    for (auto item : before.getArrayAsVector()) old_items.insert(item.unparse());
  for (auto item : after.getArrayAsVector()) {
    auto found = old_items.find(item.unparse());
    if (found != old_items.end()) {
      old_items.erase(found);
    } else if (!is_signature_annotation(item)) {
      return false;
    }
  }
  return old_items.empty();
}

std::string object_label(QPDFObjGen og) {
  return "object " + std::to_string(og.getObj()) + " " + std::to_string(og.getGen());
}

class RevisionDiff {
 public:
  RevisionDiff(QPDF& before, QPDF& after, int revision)
      : before_(before), after_(after), revision_(revision) {
    int n = 1;
    for (auto page : after_.getAllPages()) page_numbers_[page.getObjGen()] = n++;
    root_ = after_.getRoot().getObjGen();
    acroform_ = after_.getRoot().getKey("/AcroForm").getObjGen();
    info_ = after_.getTrailer().getKey("/Info").getObjGen();
    dss_ = after_.getRoot().getKey("/DSS").getObjGen();
  }

  std::vector<Change> run() {
    if (before_.getRoot().getObjGen() != root_) add(false, "the document catalog was replaced");
    for (auto object : after_.getAllObjects()) {
      const QPDFObjGen og = object.getObjGen();
      QPDFObjectHandle old = before_.getObjectByID(og.getObj(), og.getGen());
      if (old.isNull()) {
        classify_new(object, og);
      } else if (representation(old) != representation(object)) {
        classify_modified(old, object, og);
      }
    }
    return std::move(changes_);
  }

 private:
  void add(bool allowed, std::string description) {
    changes_.push_back({revision_, std::move(description), allowed});
  }

  std::string page_label(QPDFObjGen og) {
    auto it = page_numbers_.find(og);
    return it == page_numbers_.end() ? object_label(og) : "page " + std::to_string(it->second);
  }

  void classify_new(QPDFObjectHandle h, QPDFObjGen og) {
    QPDFObjectHandle dict = h.isStream() ? h.getDict() : h;
    if (!dict.isDictionary()) return;
    const std::string type = name_of(dict.getKey("/Type"));
    if (type == "/XRef" || type == "/ObjStm") return;
    if (type == "/Sig") {
      add(true, "new signature (" + object_label(og) + ")");
      changes_.back().signs = true;
      return;
    }
    if (type == "/DocTimeStamp") return add(true, "new document timestamp (" + object_label(og) + ")");
    if (is_signature_annotation(dict)) return add(true, "new signature field (" + object_label(og) + ")");
    if (type == "/DSS" || og == dss_) return add(true, "new document security store (DSS)");
    if (type == "/Page") return add(false, "new " + page_label(og));
    if (dict.getKey("/Subtype").isName() && dict.getKey("/Rect").isArray())
      return add(false, "new annotation " + name_of(dict.getKey("/Subtype")) + " (" + object_label(og) + ")");
    // Other new objects change nothing unless a changed object refers to
    // them, and that change is classified where it is made.
  }

  void classify_modified(QPDFObjectHandle old, QPDFObjectHandle now, QPDFObjGen og) {
    QPDFObjectHandle dict = now.isStream() ? now.getDict() : now;
    const std::string type = dict.isDictionary() ? name_of(dict.getKey("/Type")) : "";
    if (type == "/XRef" || type == "/ObjStm") return;
    if (og == root_) {
      if (same_except(old, now, {"/AcroForm", "/DSS"}))
        return add(true, "document catalog: signature form or DSS updated");
      return add(false, "document catalog changed");
    }
    if (og == acroform_) {
      if (same_except(old, now, {"/Fields", "/SigFlags", "/DR", "/DA"}) &&
          adds_only_signatures(old.getKey("/Fields"), now.getKey("/Fields")))
        return add(true, "form: signature field added");
      return add(false, "form fields changed");
    }
    if (og == info_) return add(true, "document information updated");
    if (type == "/Page") {
      if (same_except(old, now, {"/Annots"}) &&
          adds_only_signatures(old.getKey("/Annots"), now.getKey("/Annots")))
        return add(true, page_label(og) + ": signature widget added");
      if (old.getKey("/Contents").unparse() != now.getKey("/Contents").unparse() ||
          old.getKey("/Resources").unparse() != now.getKey("/Resources").unparse())
        return add(false, page_label(og) + ": content changed");
      if (old.getKey("/Annots").unparse() != now.getKey("/Annots").unparse())
        return add(false, page_label(og) + ": annotations added or changed");
      return add(false, page_label(og) + " changed");
    }
    if (now.isArray() && adds_only_signatures(old, now))
      return add(true, object_label(og) + ": signature added to a list");
    if (is_signature_annotation(now) && is_signature_annotation(old) && old.getKey("/V").isNull() &&
        same_except(old, now, {"/V", "/AP"}))
      return add(true, "signature field filled (" + object_label(og) + ")");
    add(false, object_label(og) + " replaced");
  }

  QPDF& before_;
  QPDF& after_;
  int revision_;
  std::map<QPDFObjGen, int> page_numbers_;
  QPDFObjGen root_, acroform_, info_, dss_;
  std::vector<Change> changes_;
};

}  // namespace

std::vector<Change> revision_changes(std::string_view pdf, const std::vector<std::size_t>& ends,
                                     int revision) {
  try {
    QPDF before;
    QPDF after;
    for (QPDF* doc : {&before, &after}) {
      doc->setSuppressWarnings(true);
      doc->setAttemptRecovery(false);
    }
    const std::string_view before_bytes = pdf.substr(0, ends[static_cast<std::size_t>(revision - 2)]);
    const std::string_view after_bytes = pdf.substr(0, ends[static_cast<std::size_t>(revision - 1)]);
    before.processMemoryFile("revision", before_bytes.data(), before_bytes.size());
    after.processMemoryFile("revision", after_bytes.data(), after_bytes.size());
    return RevisionDiff(before, after, revision).run();
  } catch (const std::exception& e) {
    return {{revision, std::string("revision cannot be read: ") + e.what(), false}};
  }
}

}  // namespace dosar::signing
