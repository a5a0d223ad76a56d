// Links suggested from extracted text: a valid CNP of a known person
// (exact), or a known person's full name (folded). A person confirms.
#include <algorithm>

#include "persons/persons.h"

namespace dosar::persons {
namespace {

// Names shorter than this (folded, with the space) are too common to suggest.
constexpr std::size_t kMinNameLength = 7;

// The extracted text of a version, empty when it has none.
Result<std::string> text_of(const ArchiveStore& archive, const Version& v) {
  for (const DerivedBlob& d : v.derived)
    if (d.kind == "text") return archive.blobs().read(d.blob_id, Verify::none);
  return std::string{};
}

}  // namespace

Result<std::size_t> Persons::scan_for_suggestions(std::optional<DocumentId> only) {
  std::vector<Document> documents;
  if (only) {
    auto d = archive_.catalog().document(*only);
    if (!d.ok()) return d.error();
    documents.push_back(*d);
  } else {
    auto all = archive_.catalog().documents();
    if (!all.ok()) return all.error();
    documents = std::move(all).value();
  }
  auto everyone = store_->persons();
  if (!everyone.ok()) return everyone.error();
  auto before = store_->suggestions("");
  if (!before.ok()) return before.error();
  for (const Document& d : documents) {
    if (d.status == "disposed" || d.current_version == 0) continue;
    auto scanned = store_->scanned_version(d.id);
    if (!scanned.ok()) return scanned.error();
    if (!only && *scanned >= d.current_version) continue;
    auto version = archive_.catalog().version(d.id, d.current_version);
    if (!version.ok()) return version.error();
    auto text = text_of(archive_, *version);
    if (!text.ok()) return text.error();
    auto linked = store_->persons_linked_to("document", d.id);
    if (!linked.ok()) return linked.error();
    auto already = [&](PersonId p) { return std::find(linked->begin(), linked->end(), p) != linked->end(); };
    std::vector<LinkSuggestion> found;
    for (const std::string& cnp : find_cnps(*text)) {
      auto person = store_->person_by_cnp(cnp);
      if (!person.ok()) return person.error();
      if (*person && !already((*person)->id))
        found.push_back(LinkSuggestion{0, (*person)->id, d.id, "cnp", "open", ""});
    }
    const std::string folded = fold_name(*text);
    for (const Person& p : *everyone) {
      if (p.name_folded.size() < kMinNameLength || p.name_folded.find(' ') == std::string::npos) continue;
      if (already(p.id)) continue;
      if (std::any_of(found.begin(), found.end(),
                      [&](const LinkSuggestion& s) { return s.person_id == p.id; }))
        continue;
      if (folded.find(p.name_folded) != std::string::npos)
        found.push_back(LinkSuggestion{0, p.id, d.id, "name", "open", ""});
    }
    DOSAR_TRY(store_->add_suggestions(found, d.id, d.current_version));
  }
  auto after = store_->suggestions("");
  if (!after.ok()) return after.error();
  return after->size() - before->size();
}

Result<std::vector<LinkSuggestion>> Persons::suggestions(const std::string& user) {
  auto open = store_->suggestions("open");
  if (!open.ok()) return open.error();
  std::vector<LinkSuggestion> out;
  for (const LinkSuggestion& s : *open) {
    auto sees = may_see(s.person_id, user);
    if (!sees.ok()) return sees.error();
    if (*sees) out.push_back(s);
  }
  return out;
}

Status Persons::resolve_suggestion(std::int64_t id, Resolution resolution, const std::string& user) {
  auto s = store_->suggestion(id);
  if (!s.ok()) return s.error();
  DOSAR_TRY(require_sees(s->person_id, user));
  if (s->state != "open")
    return make_error(ErrorCode::conflict, "suggestion " + std::to_string(id), "is already " + s->state);
  if (resolution == Resolution::confirm) {
    auto links = store_->persons_linked_to("document", s->document_id);
    if (!links.ok()) return links.error();
    if (std::find(links->begin(), links->end(), s->person_id) == links->end())
      DOSAR_TRY(link(s->person_id, "document", s->document_id, user));
  }
  return store_->resolve_suggestion(id, resolution == Resolution::confirm ? "confirmed" : "dismissed", user);
}

}  // namespace dosar::persons
