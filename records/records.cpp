#include "records/records.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ingest/archive_index.h"
#include "ingest/ingester.h"

namespace dosar::records {
namespace {

Result<std::string> read_file(const std::filesystem::path& file, std::size_t max_bytes) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec) return make_error(ErrorCode::not_found, file.string(), "cannot be read: " + ec.message());
  if (size > max_bytes)
    return make_error(ErrorCode::limit_exceeded, file.string(),
                      "is larger than " + std::to_string(max_bytes) + " bytes");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) return make_error(ErrorCode::io, file.string(), "cannot be read");
  return bytes.str();
}

int year_of(const std::string& iso_date) {
  return iso_date.size() >= 4 ? std::stoi(iso_date.substr(0, 4)) : 0;
}

}  // namespace

std::optional<std::string> retention_end(const Dossier& d) {
  if (!d.retention_years) return std::nullopt;
  return std::to_string(d.year + 1 + *d.retention_years) + "-01-01";
}

Result<std::pair<std::string, int>> parse_dossier_name(const std::string& name) {
  auto slash = name.rfind('/');
  std::string year = slash == std::string::npos ? "" : name.substr(slash + 1);
  if (slash == std::string::npos || slash == 0 || year.size() != 4 ||
      !std::all_of(year.begin(), year.end(), [](unsigned char c) { return std::isdigit(c); }))
    return make_error(ErrorCode::invalid_argument, name, "is not a dossier; write CODE/YEAR, e.g. I-1/2025");
  return std::pair<std::string, int>{name.substr(0, slash), std::stoi(year)};
}

Result<std::unique_ptr<Records>> Records::open(ArchiveStore& archive, const Clock& clock) {
  auto store = open_records_store(archive, clock);
  if (!store.ok()) return store.error();
  return std::unique_ptr<Records>(new Records(archive, std::move(store).value(), clock));
}

std::string Records::today() const {
  return bucharest_date(format_utc(clock_.now()));
}

Result<Nomenclator> Records::import_nomenclator(const std::filesystem::path& file, int year,
                                                const std::string& actor) {
  NomenclatorLimits limits;
  auto bytes = read_file(file, limits.max_bytes);
  if (!bytes.ok()) return bytes.error();
  const std::string name = file.string();
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto entries = extension == ".xml" ? parse_nomenclator_xml(*bytes, name, year, limits)
                                     : parse_nomenclator_csv(*bytes, name, limits);
  if (!entries.ok()) return entries.error();
  if (entries->empty()) return make_error(ErrorCode::invalid_argument, name, "holds no entries");
  return store_->put_nomenclator_draft(year, *entries, file.filename().string(), actor);
}

Result<Nomenclator> Records::approve_nomenclator(int year, const std::string& reference,
                                                 const std::string& actor) {
  if (reference.empty())
    return make_error(ErrorCode::invalid_argument, "--reference", "the approval reference is required");
  return store_->approve_nomenclator(year, reference, actor);
}

Result<Nomenclator> Records::nomenclator(int year, int version) const {
  return store_->nomenclator(year, version);
}

Result<NomenclatorEntry> Records::approved_code(const std::string& code, int year) const {
  auto approved = store_->approved_nomenclator(year);
  if (!approved.ok())
    return make_error(ErrorCode::not_found, "file code " + code,
                      "cannot be used: the nomenclator of " + std::to_string(year) + " is not approved");
  for (const NomenclatorEntry& e : approved->entries)
    if (e.code == code) return e;
  return make_error(ErrorCode::not_found, "file code " + code,
                    "is not in the approved nomenclator of " + std::to_string(year) + " (version " +
                        std::to_string(approved->version) + ")");
}

Result<int> Records::document_year(DocumentId id) const {
  auto document = archive_.catalog().document(id);
  if (!document.ok()) return document.error();
  return year_of(bucharest_date(document->created_at));
}

Status Records::assign(DocumentId id, const std::string& code, const std::string& actor) {
  auto year = document_year(id);
  if (!year.ok()) return year.error();
  auto entry = approved_code(code, *year);
  if (!entry.ok()) return entry.error();
  return store_->assign(id, *entry, *year, actor);
}

Result<std::vector<Dossier>> Records::dossiers(int year) const {
  return store_->dossiers(year);
}

Result<std::vector<Dossier>> Records::close_year(int year, CloseMode mode, const std::string& actor) {
  if (mode == CloseMode::year_over && year_of(today()) <= year)
    return make_error(ErrorCode::conflict, "year " + std::to_string(year),
                      "is not over yet; its dossiers close after 31 December (--force closes them now)");
  auto all = store_->dossiers(year);
  if (!all.ok()) return all.error();
  std::vector<Dossier> closed;
  for (Dossier d : *all) {
    if (d.state != "open") continue;
    auto documents = store_->dossier_documents(d.code, d.year);
    if (!documents.ok()) return documents.error();
    d.documents = static_cast<int>(documents->size());
    d.pages = 0;
    d.first_date.clear();
    d.last_date.clear();
    for (const DossierDocument& doc : *documents) {
      std::string date = bucharest_date(doc.created_at);
      if (d.first_date.empty() || date < d.first_date) d.first_date = date;
      if (d.last_date.empty() || date > d.last_date) d.last_date = date;
      d.pages += doc.pages;
    }
    DOSAR_TRY(store_->close_dossier(d, actor));
    d.state = "closed";
    closed.push_back(std::move(d));
  }
  return closed;
}

Status Records::reopen(const std::string& dossier, const std::string& reason, const std::string& actor) {
  if (reason.empty()) return make_error(ErrorCode::invalid_argument, "--reason", "a reason is required");
  auto name = parse_dossier_name(dossier);
  if (!name.ok()) return name.error();
  return store_->reopen_dossier(name->first, name->second, reason, actor);
}

Result<std::vector<Dossier>> Records::due(const std::string& as_of) const {
  if (!is_iso_date(as_of))
    return make_error(ErrorCode::invalid_argument, as_of, "is not a date (YYYY-MM-DD)");
  auto all = store_->dossiers(0);
  if (!all.ok()) return all.error();
  std::vector<Dossier> out;
  for (const Dossier& d : *all) {
    auto end = retention_end(d);
    if (d.state == "closed" && end && *end <= as_of) out.push_back(d);
  }
  return out;
}

namespace {
Result<Hold> hold_target(const std::string& target) {
  Hold h;
  if (!target.empty() &&
      std::all_of(target.begin(), target.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (target.size() > 15) return make_error(ErrorCode::invalid_argument, target, "is not a document id");
    h.document_id = std::stoll(target);
    return h;
  }
  auto name = parse_dossier_name(target);
  if (!name.ok())
    return make_error(ErrorCode::invalid_argument, target,
                      "is neither a document id nor a dossier CODE/YEAR");
  h.code = name->first;
  h.year = name->second;
  return h;
}
}  // namespace

Result<Hold> Records::add_hold(const std::string& target, const std::string& reason,
                               const std::string& actor) {
  if (reason.empty()) return make_error(ErrorCode::invalid_argument, "--reason", "a reason is required");
  auto h = hold_target(target);
  if (!h.ok()) return h.error();
  h->reason = reason;
  return store_->add_hold(*h, actor);
}

Status Records::remove_hold(const std::string& target, const std::string& reason, const std::string& actor) {
  if (reason.empty()) return make_error(ErrorCode::invalid_argument, "--reason", "a reason is required");
  auto h = hold_target(target);
  if (!h.ok()) return h.error();
  return store_->remove_hold(*h, reason, actor);
}

Result<std::vector<Hold>> Records::holds() const {
  return store_->holds();
}

Result<std::vector<std::string>> Records::disposal_obstacles(const std::string& name) const {
  auto parsed = parse_dossier_name(name);
  if (!parsed.ok()) return std::vector<std::string>{parsed.error().message};
  auto d = store_->dossier(parsed->first, parsed->second);
  if (!d.ok()) {
    if (d.error().code != ErrorCode::not_found) return d.error();
    return std::vector<std::string>{"does not exist"};
  }
  std::vector<std::string> why;
  if (d->state == "open") why.push_back("is open (close its year first)");
  if (d->state == "disposed") why.push_back("was already disposed of");
  auto end = retention_end(*d);
  if (!end)
    why.push_back("is kept permanently");
  else if (*end > today())
    why.push_back("is not due until " + *end);
  auto holds = store_->holds();
  if (!holds.ok()) return holds.error();
  auto documents = store_->dossier_documents(d->code, d->year);
  if (!documents.ok()) return documents.error();
  for (const Hold& h : *holds) {
    if (!h.document_id && h.code == d->code && h.year == d->year)
      why.push_back("is on legal hold (" + h.reason + ")");
    if (h.document_id)
      for (const DossierDocument& doc : *documents)
        if (doc.document_id == *h.document_id)
          why.push_back("holds document " + std::to_string(doc.document_id) + ", which is on legal hold (" +
                        h.reason + ")");
  }
  for (const DossierDocument& doc : *documents) {
    auto record = store_->document_record(doc.document_id);
    if (!record.ok()) return record.error();
    if (record->permanent)
      why.push_back("holds document " + std::to_string(doc.document_id) + ", kept permanently");
  }
  return why;
}

Result<Disposal> Records::dispose(const std::vector<std::string>& dossiers, const std::string& decision,
                                  const std::filesystem::path& protocol, const std::string& actor) {
  if (decision.empty())
    return make_error(ErrorCode::invalid_argument, "--decision", "the decision is required");
  if (dossiers.empty())
    return make_error(ErrorCode::invalid_argument, "dispose", "name at least one dossier");
  std::string refused;
  std::vector<std::pair<std::string, int>> targets;
  for (const std::string& name : dossiers) {
    auto why = disposal_obstacles(name);
    if (!why.ok()) return why.error();
    for (const std::string& reason : *why) refused += (refused.empty() ? "" : "; ") + name + " " + reason;
    if (why->empty()) {
      auto parsed = parse_dossier_name(name);
      if (std::find(targets.begin(), targets.end(), *parsed) == targets.end()) targets.push_back(*parsed);
    }
  }
  if (!refused.empty())
    return make_error(ErrorCode::conflict, "disposal", "refused, nothing was removed: " + refused);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(protocol, ec))
    return make_error(ErrorCode::not_found, protocol.string(), "the protocol file does not exist");

  // The protocol (proces-verbal de selecționare) is kept for ever.
  IngestOptions options;
  options.title = "Proces-verbal de selecționare: " + decision;
  options.document_type = "proces-verbal-selectionare";
  options.actor = actor;
  options.ocr = false;
  auto ingester = Ingester::create(archive_, options);
  if (!ingester.ok()) return ingester.error();
  std::optional<DocumentId> protocol_id;
  std::optional<Error> rejected;
  DOSAR_TRY((*ingester)->ingest({protocol}, [&](const IngestItem& item) {
    if (item.status == IngestStatus::rejected)
      rejected = item.error;
    else
      protocol_id = item.document_id;
  }));
  if (rejected) return *rejected;
  if (!protocol_id) return make_error(ErrorCode::io, protocol.string(), "the protocol was not stored");
  for (const auto& [code, year] : targets) {
    auto documents = store_->dossier_documents(code, year);
    if (!documents.ok()) return documents.error();
    for (const DossierDocument& d : *documents)
      if (d.document_id == *protocol_id)
        return make_error(ErrorCode::conflict, protocol.string(),
                          "is document " + std::to_string(d.document_id) + " of dossier " + code + "/" +
                              std::to_string(year) + ", which would be disposed of; nothing was removed");
  }
  DOSAR_TRY(store_->mark_permanent(*protocol_id, "protocol of disposal decision " + decision, actor));

  auto disposal = store_->dispose(targets, decision, *protocol_id, actor);
  if (!disposal.ok()) return disposal.error();
  // The catalogue now says disposed; a crash from here on is completed by
  // the next `dosar check` or disposal (finish_disposals).
  auto unlinked = finish_disposals();
  if (!unlinked.ok()) return unlinked.error();
  DOSAR_TRY(sync_search_index(archive_));
  return disposal;
}

Result<std::size_t> Records::finish_disposals() {
  auto pending = store_->pending_unlinks();
  if (!pending.ok()) return pending.error();
  std::size_t removed = 0;
  for (const std::string& blob : *pending) {
    // Blobs are shared by content: a document stored since with the same
    // bytes keeps the blob.
    auto unlinked =
        store_->unlink_unless_referenced(blob, [&] { return archive_.blobs().remove_disposed(blob); });
    if (!unlinked.ok()) return unlinked.error();
    if (*unlinked) ++removed;
  }
  return removed;
}

Result<std::optional<std::string>> Records::disposal_note(DocumentId id) const {
  auto record = store_->document_record(id);
  if (!record.ok()) return record.error();
  if (!record->disposal_id) return std::optional<std::string>();
  auto disposal = store_->disposal(*record->disposal_id);
  if (!disposal.ok()) return disposal.error();
  return std::optional<std::string>("disposed on " + bucharest_date(disposal->at) + " by decision \"" +
                                    disposal->decision + "\" (protocol: document " +
                                    std::to_string(disposal->protocol_document) + ")");
}

Result<std::vector<InventoryLine>> Records::inventory(int year, const std::string& department) const {
  auto all = store_->dossiers(year);
  if (!all.ok()) return all.error();
  std::vector<InventoryLine> out;
  for (const Dossier& d : *all) {
    if (!department.empty() && d.department != department) continue;
    out.push_back({static_cast<int>(out.size()) + 1, d});
  }
  return out;
}

}  // namespace dosar::records
