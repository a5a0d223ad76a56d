// The data subject's rights: the export of everything about a person
// (GDPR art. 15) and the answer to an erasure request (art. 17(3)(b):
// records the institution must keep by law stay).
#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "persons/persons.h"
#include "records/records.h"
#include "workflow/receipt.h"

namespace dosar::persons {
namespace {

// A POSIX ustar archive written in memory-sized pieces: 512-byte header,
// contents padded to 512, two zero blocks at the end. Names stay under 100
// bytes (the caller builds them), so no prefix field is needed.
class TarWriter {
 public:
  explicit TarWriter(std::ofstream& out) : out_(out) {}

  void add(const std::string& name, std::string_view bytes, std::int64_t mtime) {
    char h[512];
    std::memset(h, 0, sizeof h);
    std::memcpy(h, name.data(), std::min<std::size_t>(name.size(), 99));
    std::snprintf(h + 100, 8, "%07o", 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(bytes.size()));
    std::snprintf(h + 136, 12, "%011llo", static_cast<unsigned long long>(mtime));
    std::memset(h + 148, ' ', 8);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out_.write(h, sizeof h);
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    static const char zeros[512] = {};
    if (std::size_t pad = (512 - bytes.size() % 512) % 512)
      out_.write(zeros, static_cast<std::streamsize>(pad));
  }

  void finish() {
    static const char zeros[1024] = {};
    out_.write(zeros, sizeof zeros);
  }

 private:
  std::ofstream& out_;
};

// A file name safe in any archive tool: letters, digits, . - _ only.
std::string safe_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name)
    out += (std::isalnum(c) || c == '.' || c == '-' || c == '_') ? static_cast<char>(c) : '_';
  if (out.size() > 60) out = out.substr(out.size() - 60);
  return out;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io, path.string(), "cannot be read");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

nlohmann::json to_json(const Person& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"cnp", p.cnp},
          {"id_type", p.id_type},
          {"id_value", p.id_value},
          {"birth_date", p.birth_date},
          {"address", p.address},
          {"contacts", p.contacts},
          {"legal_representative", p.legal_representative},
          {"representative_id",
           p.representative_id == 0 ? nlohmann::json() : nlohmann::json(p.representative_id)},
          {"representative_role", p.representative_role},
          {"created_at", p.created_at},
          {"created_by", p.created_by},
          {"updated_at", p.updated_at},
          {"revision", p.revision}};
}

Result<ExportOutcome> Persons::export_file(PersonId id, const std::string& user, const std::string& purpose,
                                           const std::filesystem::path& file) {
  if (file.extension() != ".tar")
    return make_error(ErrorCode::invalid_argument, file.string(), "the export is written as a .tar file");
  DOSAR_TRY(check_purpose(purpose));
  DOSAR_TRY(require_sees(id, user));
  auto f = file_of(id);
  if (!f.ok()) return f.error();
  auto links = store_->links(id);
  if (!links.ok()) return links.error();
  auto accesses = store_->access_records(id);
  if (!accesses.ok()) return accesses.error();

  const std::string dir = "persoana-" + std::to_string(id) + "/";
  const auto mtime =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  std::vector<std::pair<std::string, std::string>> entries;  // name, bytes
  nlohmann::json items = nlohmann::json::array();
  std::vector<std::string> lines = {"# Persoana",
                                    "Nume: " + f->person.name,
                                    "Identificator: " + f->person.id_type + " " + f->person.id_value,
                                    "Data nașterii: " + f->person.birth_date,
                                    "Adresa: " + f->person.address,
                                    "Contacte: " + f->person.contacts,
                                    "Reprezentant legal: " + f->person.legal_representative,
                                    "# Gospodărie"};
  if (f->person.representative_id != 0)
    lines.insert(lines.end() - 1,
                 "Reprezentant legal (persoana " + std::to_string(f->person.representative_id) +
                     "): " + f->representative_name + " (" + f->person.representative_role + ")");
  for (const Represented& r : f->represents)
    lines.insert(lines.end() - 1, "Reprezentant legal al persoanei " + std::to_string(r.id) + ": " + r.name +
                                      " (" + r.role + ")");
  for (const Household& h : f->households)
    for (const HouseholdMember& m : h.members)
      lines.push_back(h.label + ": " + f->member_names[m.person_id] + " (" + m.role + ")");
  lines.push_back("# Documente și înregistrări");
  std::size_t documents = 0;
  for (const PersonLink& l : *links) {
    nlohmann::json item = {{"kind", l.kind}, {"id", l.target_id}, {"date", l.date}, {"title", l.title}};
    lines.push_back(bucharest_date(l.date) + "  " + l.kind + " " + std::to_string(l.target_id) + "  " +
                    l.title);
    if (l.kind == "document") {
      auto d = archive_.catalog().document(l.target_id);
      if (!d.ok()) return d.error();
      if (d->status == "disposed" || d->current_version == 0) {
        item["note"] = "eliminat conform nomenclatorului";
      } else {
        auto v = archive_.catalog().version(d->id, d->current_version);
        if (!v.ok()) return v.error();
        auto bytes = archive_.blobs().read(v->original_blob_id, Verify::hash);
        if (!bytes.ok()) return bytes.error();
        std::string name = dir + "documente/" + std::to_string(d->id) + "-v" + std::to_string(v->number) +
                           "-" + safe_name(v->original_name);
        item["file"] = name.substr(dir.size());
        entries.emplace_back(name, std::move(bytes).value());
        ++documents;
      }
    }
    items.push_back(item);
  }
  lines.push_back("# Rectificări");
  for (const PersonChange& c : f->history)
    lines.push_back(format_bucharest(c.at) + "  " + c.field + ": „" + c.old_value + "” → „" + c.new_value +
                    "” (" + c.reason + ", " + c.actor + ")");
  lines.push_back("# Cine a consultat datele");
  nlohmann::json access = nlohmann::json::array();
  for (const AccessRecord& a : *accesses) {
    lines.push_back(format_bucharest(a.at) + "  " + a.user + "  " + a.purpose + "  " + a.what);
    access.push_back({{"user", a.user}, {"at", a.at}, {"purpose", a.purpose}, {"what", a.what}});
  }
  nlohmann::json history = nlohmann::json::array();
  for (const PersonChange& c : f->history)
    history.push_back({{"revision", c.revision},
                       {"field", c.field},
                       {"old", c.old_value},
                       {"new", c.new_value},
                       {"reason", c.reason},
                       {"at", c.at},
                       {"actor", c.actor}});
  nlohmann::json data = {
      {"person", to_json(f->person)}, {"items", items}, {"rectifications", history}, {"accesses", access}};

  // The summary PDF is made beside the target, read back and removed.
  const std::filesystem::path pdf = file.string() + ".summary.pdf.tmp";
  DOSAR_TRY(
      workflow::write_lines_pdf("Date cu caracter personal — persoana " + std::to_string(id), lines, pdf));
  auto pdf_bytes = read_file(pdf);
  std::filesystem::remove(pdf);
  if (!pdf_bytes.ok()) return pdf_bytes.error();
  entries.insert(entries.begin(), {dir + "date.json", data.dump(2) + "\n"});
  entries.insert(entries.begin(), {dir + "rezumat.pdf", std::move(pdf_bytes).value()});

  // manifest.json: every other file with its size and SHA-256.
  nlohmann::json manifest = {{"format", 1},
                             {"person", id},
                             {"exported_by", user},
                             {"exported_at", format_utc(clock_.now())},
                             {"files", nlohmann::json::array()}};
  for (const auto& [name, bytes] : entries)
    manifest["files"].push_back(
        {{"path", name.substr(dir.size())}, {"size", bytes.size()}, {"sha256", sha256_hex(bytes)}});
  entries.emplace_back(dir + "manifest.json", manifest.dump(2) + "\n");

  const std::filesystem::path temp = file.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(ErrorCode::io, file.string(), "cannot be written");
    TarWriter tar(out);
    for (const auto& [name, bytes] : entries) tar.add(name, bytes, mtime);
    tar.finish();
    out.flush();
    if (!out) {
      std::filesystem::remove(temp);
      return make_error(ErrorCode::io, file.string(), "could not be written completely");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) return make_error(ErrorCode::io, file.string(), ec.message());
  DOSAR_TRY(store_->record_access(AccessRecord{0, id, user, format_utc(clock_.now()), purpose, "export"}));
  ExportOutcome outcome{file, documents, {}};
  for (const auto& e : entries) outcome.entries.push_back(e.first);
  return outcome;
}

Result<std::vector<ErasureLine>> Persons::erasure_report(PersonId id, const std::string& user,
                                                         const std::string& purpose) {
  DOSAR_TRY(open_for(id, user, purpose, "erasure report"));
  auto links = store_->links(id);
  if (!links.ok()) return links.error();
  auto records = records::Records::open(archive_, clock_);
  if (!records.ok()) return records.error();
  auto holds = (*records)->holds();
  if (!holds.ok()) return holds.error();
  const std::string today = bucharest_date(format_utc(clock_.now()));
  std::vector<ErasureLine> out;
  bool everything_can_go = true;
  for (const PersonLink& l : *links) {
    ErasureLine line{l.kind, l.target_id, l.title, "must-stay", "", ""};
    if (l.kind != "document") {
      // Registers and approval flows are the institution's own record of
      // what it did (Law 16/1996): they stay with the register.
      line.rule = "registry and approval records are kept with their register";
    } else {
      auto rec = (*records)->store().document_record(l.target_id);
      if (!rec.ok()) return rec.error();
      const Hold* hold = nullptr;
      for (const Hold& h : *holds)
        if ((h.document_id && *h.document_id == l.target_id) ||
            (!h.document_id && h.code == rec->code && h.year == rec->year && !rec->code.empty()))
          hold = &h;
      if (!rec->disposed_at.empty()) {
        line.verdict = "can-go";
        line.rule = "already disposed of on " + bucharest_date(rec->disposed_at);
      } else if (hold) {
        line.verdict = "held";
        line.rule = "legal hold: " + hold->reason;
      } else if (rec->permanent) {
        line.rule = "kept permanently (a disposal protocol)";
      } else if (rec->code.empty()) {
        line.rule = "no file code yet: its retention is not determined, so it stays";
      } else {
        auto dossier = (*records)->store().dossier(rec->code, rec->year);
        if (!dossier.ok()) return dossier.error();
        const std::string file_code = rec->code + "/" + std::to_string(rec->year);
        auto end = records::retention_end(*dossier);
        if (!end) {
          line.rule = "file code " + file_code + ": kept permanently";
        } else if (*end > today) {
          line.until = *end;
          line.rule =
              "file code " + file_code + ": kept " + records::retention_text(dossier->retention_years);
        } else {
          line.verdict = "can-go";
          line.until = *end;
          line.rule = "file code " + file_code + ": retention over; goes by lawful disposal of the dossier";
        }
      }
    }
    if (line.verdict != "can-go") everything_can_go = false;
    out.push_back(line);
  }
  auto person = store_->person(id);
  if (!person.ok()) return person.error();
  out.push_back(ErasureLine{"person", id, person->name, everything_can_go ? "can-go" : "must-stay", "",
                            everything_can_go ? "nothing linked must be kept"
                                              : "identifies the person in records that must be kept"});
  return out;
}

}  // namespace dosar::persons
