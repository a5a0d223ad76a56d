// nomenclator …, records … (records management, issue 10).
#include <fstream>

#include "base/cnp.h"
#include "cli/context.h"
#include "persons/persons.h"
#include "records/records.h"

namespace dosar::cli {
namespace {

using records::Records;

struct OpenedRecords {
  std::unique_ptr<ArchiveStore> archive;
  std::unique_ptr<Records> records;
};

Result<OpenedRecords> open_records(const Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  auto records = Records::open(**archive);
  if (!records.ok()) return records.error();
  return OpenedRecords{std::move(archive).value(), std::move(records).value()};
}

Result<int> parse_year(const std::string& text, const std::string& what) {
  char* end = nullptr;
  long year = std::strtol(text.c_str(), &end, 10);
  if (text.size() != 4 || *end != '\0' || year < 1900 || year > 9999)
    return make_error(ErrorCode::invalid_argument, what + " " + text, "is not a year (YYYY)");
  return static_cast<int>(year);
}

Result<int> year_option(const Context& c) {
  auto year = c.command.get("--year");
  if (!year) return make_error(ErrorCode::invalid_argument, "--year", "is required");
  return parse_year(*year, "--year");
}

std::string current_date() {
  return bucharest_date(format_utc(system_clock().now()));
}

// The value of an option the command cannot do without; prints why when it
// is missing (a usage error).
std::optional<std::string> required_option(const Context& c, const std::string& option,
                                           const std::string& what) {
  auto value = c.command.get(option);
  if (value && !value->empty()) return value;
  c.err << "dosar: " << c.command.spec->name << " needs " << option << " " << what << '\n';
  return std::nullopt;
}

nlohmann::json to_json(const NomenclatorEntry& e) {
  return {{"department", e.department},
          {"code", e.code},
          {"title", e.title},
          {"retention", records::retention_text(e.retention_years)},
          {"remarks", e.remarks}};
}

nlohmann::json to_json(const Nomenclator& n) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : n.entries) entries.push_back(to_json(e));
  nlohmann::json j = {{"year", n.year},     {"version", n.version},         {"state", n.state},
                      {"source", n.source}, {"imported_by", n.imported_by}, {"imported_at", n.imported_at},
                      {"entries", entries}};
  if (n.state == "approved") {
    j["approved_by"] = n.approved_by;
    j["approved_at"] = n.approved_at;
    j["reference"] = n.reference;
  }
  return j;
}

nlohmann::json to_json(const Dossier& d) {
  auto end = records::retention_end(d);
  nlohmann::json j = {{"code", d.code},
                      {"year", d.year},
                      {"title", d.title},
                      {"department", d.department},
                      {"state", d.state},
                      {"retention", records::retention_text(d.retention_years)},
                      {"retention_end", end ? nlohmann::json(*end) : nlohmann::json(nullptr)},
                      {"documents", d.documents},
                      {"pages", d.pages},
                      {"first_date", d.first_date},
                      {"last_date", d.last_date}};
  if (!d.reopen_reason.empty()) j["reopen_reason"] = d.reopen_reason;
  return j;
}

nlohmann::json to_json(const Hold& h) {
  return {{"id", h.id},
          {"target", h.document_id ? std::to_string(*h.document_id) : h.code + "/" + std::to_string(h.year)},
          {"kind", h.document_id ? "document" : "dossier"},
          {"reason", h.reason},
          {"added_by", h.added_by},
          {"added_at", h.added_at}};
}

void print_dossiers(const Context& c, const std::vector<Dossier>& dossiers) {
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : dossiers) list.push_back(to_json(d));
    c.out << list.dump(2) << '\n';
    return;
  }
  for (const Dossier& d : dossiers) {
    auto end = records::retention_end(d);
    c.out << d.code << "/" << d.year << '\t' << d.state << '\t' << d.department << '\t' << d.title << '\t'
          << records::retention_text(d.retention_years) << '\t'
          << (end ? "until " + *end : "kept permanently") << '\t' << d.documents << " documents, " << d.pages
          << " pages";
    if (!d.first_date.empty()) c.out << '\t' << records::extreme_dates(d);
    c.out << '\n';
  }
}

// `records … TARGET --reason TEXT`: one change of TARGET, with its reason.
ExitCode run_reasoned_change(Context& c,
                             Status (Records::*change)(const std::string&, const std::string&,
                                                       const std::string&),
                             const std::string& done) {
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  const std::string& target = c.command.positionals[0];
  Status changed = ((*r->records).*change)(target, c.command.get("--reason").value_or(""), c.actor());
  if (!changed.ok()) return c.fail(changed.error());
  c.out << target << " " << done << '\n';
  return ExitCode::ok;
}

// The records of `archive`, once `code` is known to be in this year's
// approved nomenclator. Errors: not_found (it is not), io.
Result<std::unique_ptr<Records>> records_with_approved_code(ArchiveStore& archive, const std::string& code) {
  auto records = Records::open(archive);
  if (!records.ok()) return records.error();
  auto year = parse_year(current_date().substr(0, 4), "year");
  if (!year.ok()) return year.error();
  auto entry = (*records)->approved_code(code, *year);
  if (!entry.ok()) return entry.error();
  return records;
}

}  // namespace

Result<FileCodeAssigner> file_code_assigner(const Context& c, ArchiveStore& archive) {
  auto code = c.command.get("--file-code");
  if (!code) return FileCodeAssigner{};
  // New documents belong to the year they enter the archive: check the code
  // before anything is stored.
  auto records = records_with_approved_code(archive, *code);
  if (!records.ok()) return records.error();
  std::shared_ptr<Records> shared(std::move(records).value());
  std::string actor = c.actor();
  return FileCodeAssigner{[shared, code = *code, actor](DocumentId id) -> Status {
    auto present = shared->store().document_record(id);
    if (!present.ok()) return present.error();
    if (!present->code.empty()) return {};  // a duplicate already filed
    return shared->assign(id, code, actor);
  }};
}

Status check_registry_file_code(const Context& c, ArchiveStore& archive) {
  auto code = c.command.get("--file-code");
  if (!code) return {};
  auto records = records_with_approved_code(archive, *code);
  if (!records.ok()) return records.error();
  return {};
}

Status store_registry_file_code(const Context& c, ArchiveStore& archive, const RegistryEntry& entry,
                                const std::string& actor) {
  auto code = c.command.get("--file-code");
  if (!code) return {};
  auto records = Records::open(archive);
  if (!records.ok()) return records.error();
  return (*records)->store().set_entry_file_code(entry.id, *code, entry.year, actor);
}

Status check_not_disposed(ArchiveStore& archive, DocumentId id) {
  auto records = Records::open(archive);
  if (!records.ok()) return records.error();
  auto note = (*records)->disposal_note(id);
  if (!note.ok()) return note.error();
  if (*note) return make_error(ErrorCode::not_found, "document " + std::to_string(id), **note);
  return {};
}

Result<std::size_t> finish_disposals(ArchiveStore& archive) {
  auto records = Records::open(archive);
  if (!records.ok()) return records.error();
  return (*records)->finish_disposals();
}

ExitCode run_nomenclator_import(Context& c) {
  auto year = year_option(c);
  if (!year.ok()) return c.fail(year.error());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto n = r->records->import_nomenclator(c.command.positionals[0], *year, c.actor());
  if (!n.ok()) return c.fail(n.error());
  if (c.json) {
    c.out << to_json(*n).dump(2) << '\n';
  } else {
    c.out << "nomenclator " << n->year << " version " << n->version << " (draft): " << n->entries.size()
          << " entries imported from " << n->source << '\n';
  }
  return ExitCode::ok;
}

ExitCode run_nomenclator_approve(Context& c) {
  auto year = year_option(c);
  if (!year.ok()) return c.fail(year.error());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto n = r->records->approve_nomenclator(*year, c.command.get("--reference").value_or(""), c.actor());
  if (!n.ok()) return c.fail(n.error());
  c.out << "nomenclator " << n->year << " version " << n->version << " approved by " << n->approved_by
        << " (reference " << n->reference << ")\n";
  return ExitCode::ok;
}

namespace {
Result<Nomenclator> chosen_nomenclator(const Context& c, const OpenedRecords& r) {
  auto year = year_option(c);
  if (!year.ok()) return year.error();
  int version = 0;
  if (auto v = c.command.get("--version")) {
    char* end = nullptr;
    long parsed = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || parsed <= 0 || parsed > 1'000'000)
      return make_error(ErrorCode::invalid_argument, "--version " + *v, "is not a version number");
    version = static_cast<int>(parsed);
  }
  return r.records->nomenclator(*year, version);
}
}  // namespace

ExitCode run_nomenclator_list(Context& c) {
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto n = chosen_nomenclator(c, *r);
  if (!n.ok()) return c.fail(n.error());
  if (c.json) {
    c.out << to_json(*n).dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << "nomenclator " << n->year << " version " << n->version << ": " << n->state;
  if (n->state == "approved")
    c.out << " by " << n->approved_by << " on " << format_bucharest(n->approved_at) << ", reference "
          << n->reference;
  c.out << '\n';
  for (const auto& e : n->entries)
    c.out << e.department << '\t' << e.code << '\t' << e.title << '\t'
          << records::retention_text(e.retention_years) << '\t' << e.remarks << '\n';
  return ExitCode::ok;
}

ExitCode run_nomenclator_export(Context& c) {
  auto output = required_option(c, "-o", "FILE");
  if (!output) return ExitCode::usage;
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto n = chosen_nomenclator(c, *r);
  if (!n.ok()) return c.fail(n.error());
  std::ofstream out(*output, std::ios::binary | std::ios::trunc);
  out << records::nomenclator_csv(n->entries);
  out.close();
  if (!out) return c.fail(make_error(ErrorCode::io, *output, "cannot write"));
  c.err << "exported nomenclator " << n->year << " version " << n->version << " to " << *output << '\n';
  return ExitCode::ok;
}

ExitCode run_records_assign(Context& c) {
  auto id = c.document_id(0);
  if (!id.ok()) return c.fail(id.error());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  Status done = r->records->assign(*id, c.command.positionals[1], c.actor());
  if (!done.ok()) return c.fail(done.error());
  auto year = r->records->document_year(*id);
  if (!year.ok()) return c.fail(year.error());
  c.out << "document " << *id << " filed in dossier " << c.command.positionals[1] << "/" << *year << '\n';
  return ExitCode::ok;
}

ExitCode run_records_close_year(Context& c) {
  auto year = parse_year(c.command.positionals[0], "year");
  if (!year.ok()) return c.fail(year.error());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto closed = r->records->close_year(
      *year, c.command.has("--force") ? records::CloseMode::force : records::CloseMode::year_over, c.actor());
  if (!closed.ok()) return c.fail(closed.error());
  if (!c.json) c.err << closed->size() << " dossiers of " << *year << " closed\n";
  print_dossiers(c, *closed);
  return ExitCode::ok;
}

ExitCode run_records_reopen(Context& c) {
  return run_reasoned_change(c, &Records::reopen, "reopened");
}

ExitCode run_records_dossiers(Context& c) {
  int year = 0;
  if (c.command.has("--year")) {
    auto y = year_option(c);
    if (!y.ok()) return c.fail(y.error());
    year = *y;
  }
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto dossiers = r->records->dossiers(year);
  if (!dossiers.ok()) return c.fail(dossiers.error());
  print_dossiers(c, *dossiers);
  return ExitCode::ok;
}

ExitCode run_records_due(Context& c) {
  std::string as_of = c.command.get("--as-of").value_or(current_date());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto due = r->records->due(as_of);
  if (!due.ok()) return c.fail(due.error());
  if (!c.json) c.err << due->size() << " dossiers due for selection on " << as_of << '\n';
  print_dossiers(c, *due);
  return ExitCode::ok;
}

ExitCode run_records_hold_add(Context& c) {
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto hold =
      r->records->add_hold(c.command.positionals[0], c.command.get("--reason").value_or(""), c.actor());
  if (!hold.ok()) return c.fail(hold.error());
  c.out << "legal hold on " << c.command.positionals[0] << ": " << hold->reason << '\n';
  return ExitCode::ok;
}

ExitCode run_records_hold_remove(Context& c) {
  return run_reasoned_change(c, &Records::remove_hold, "is no longer on legal hold");
}

ExitCode run_records_hold_list(Context& c) {
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto holds = r->records->holds();
  if (!holds.ok()) return c.fail(holds.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& h : *holds) list.push_back(to_json(h));
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const Hold& h : *holds)
    c.out << to_json(h)["target"].get<std::string>() << '\t' << format_bucharest(h.added_at) << '\t'
          << h.added_by << '\t' << h.reason << '\n';
  return ExitCode::ok;
}

ExitCode run_records_dispose(Context& c) {
  auto protocol = required_option(c, "--protocol", "FILE (the selection commission's protocol)");
  if (!protocol) return ExitCode::usage;
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  auto disposal = r->records->dispose(c.command.positionals, c.command.get("--decision").value_or(""),
                                      *protocol, c.actor());
  if (!disposal.ok()) return c.fail(disposal.error());
  if (c.json) {
    nlohmann::json docs = nlohmann::json::array();
    for (const auto& d : disposal->documents)
      docs.push_back({{"id", d.document_id},
                      {"dossier", d.code + "/" + std::to_string(d.year)},
                      {"title", mask_cnps(d.title)}});
    c.out << nlohmann::json{{"disposal", disposal->id},
                            {"decision", disposal->decision},
                            {"protocol_document", disposal->protocol_document},
                            {"at", disposal->at},
                            {"dossiers", disposal->dossiers},
                            {"documents", docs}}
                 .dump(2)
          << '\n';
    return ExitCode::ok;
  }
  c.out << "disposal " << disposal->id << " by decision " << disposal->decision << ": "
        << disposal->documents.size() << " documents of " << disposal->dossiers.size()
        << " dossiers disposed of; protocol stored as document " << disposal->protocol_document << '\n';
  for (const auto& d : disposal->documents)
    c.out << "  " << d.document_id << '\t' << d.code << "/" << d.year << '\t' << mask_cnps(d.title) << '\n';
  return ExitCode::ok;
}

ExitCode run_records_sheet(Context& c) {
  auto id = c.document_id(0);
  if (!id.ok()) return c.fail(id.error());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  // The sheet of a document in a person's file is their data (issue 12):
  // read as `registry show` reads an entry, refused before any --set.
  auto persons = persons::Persons::open(*r->archive);
  if (!persons.ok()) return c.fail(persons.error());
  if (Status read = record_person_read(c, **persons, *id, "sheet"); !read.ok()) return c.fail(read.error());
  for (const std::string& assignment : c.command.get_all("--set")) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
      return c.fail(make_error(ErrorCode::invalid_argument, "--set " + assignment, "write FIELD=VALUE"));
    Status set =
        r->records->set_sheet_field(*id, assignment.substr(0, eq), assignment.substr(eq + 1), c.actor());
    if (!set.ok()) return c.fail(set.error());
  }
  auto sheet = r->records->sheet(*id);
  if (!sheet.ok()) return c.fail(sheet.error());
  // CNPs in clear only to a reader assigned to their person, with a purpose.
  if (Status masked = (*persons)->mask_cnps_for(
          records::sheet_texts(*sheet), c.command.get("--as").value_or(c.actor()),
          c.command.get("--purpose").value_or(""), "CNP in the sheet of document " + std::to_string(*id));
      !masked.ok())
    return c.fail(masked.error());
  auto fields = records::sheet_entries(*sheet);
  if (c.json) {
    nlohmann::json j = {{"document", sheet->document_id}};
    for (const auto& [name, value] : fields) j[name] = value;
    nlohmann::json history = nlohmann::json::array();
    for (const auto& a : sheet->history) history.push_back(to_json(a));
    j["history"] = history;
    c.out << j.dump(2) << '\n';
    return ExitCode::ok;
  }
  if (c.command.has("--xml")) {
    c.out << records::sheet_xml(*sheet);
    return ExitCode::ok;
  }
  for (const auto& [name, value] : fields)
    if (!value.empty()) c.out << name << ": " << value << '\n';
  c.out << "history:\n";
  for (const auto& a : sheet->history)
    c.out << "  " << format_bucharest(a.at) << '\t' << a.actor << '\t' << a.action << '\n';
  return ExitCode::ok;
}

ExitCode run_records_inventory(Context& c) {
  auto output = required_option(c, "-o", "FILE.csv or FILE.pdf");
  if (!output) return ExitCode::usage;
  auto year = year_option(c);
  if (!year.ok()) return c.fail(year.error());
  auto r = open_records(c);
  if (!r.ok()) return c.fail(r.error());
  const std::string department = c.command.get("--department").value_or("");
  auto lines = r->records->inventory(*year, department);
  if (!lines.ok()) return c.fail(lines.error());
  Status written = records::write_inventory(*lines, *year, department, *output);
  if (!written.ok()) return c.fail(written.error());
  c.err << "inventory of " << lines->size() << " dossiers written to " << *output << '\n';
  return ExitCode::ok;
}

}  // namespace dosar::cli
