// dosar registry …: registering, routing, deadlines, citizen lookup, receipts.
#include <cerrno>
#include <cstdlib>

#include "base/clock.h"
#include "cli/context.h"
#include "ingest/archive_index.h"
#include "persons/persons.h"
#include "storage/registry_store.h"
#include "workflow/receipt.h"
#include "workflow/registry.h"

namespace dosar::cli {
namespace {

using workflow::EntryRef;
using workflow::Registry;

struct OpenedRegistry {
  std::unique_ptr<ArchiveStore> archive;
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<Registry> registry;
};

Result<OpenedRegistry> open_registry(const Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return archive.error();
  auto store = open_registry_store(**archive);
  if (!store.ok()) return store.error();
  auto registry = std::make_unique<Registry>((*archive)->catalog(), **store);
  return OpenedRegistry{std::move(archive).value(), std::move(store).value(), std::move(registry)};
}

EntryRef entry_ref(const Context& c) {
  return {c.command.positionals.at(0), c.command.get("--register").value_or("")};
}

Result<int> parse_count(const std::string& option, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 0 || value > 100000)
    return make_error(ErrorCode::invalid_argument, option, "'" + text + "' is not a number from 0 to 100000");
  return static_cast<int>(value);
}

// Whether the acting user may see the sender (restricted personal data) of
// `e`: the rule documents follow (Visibility::allows), also on the web.
Result<bool> may_see_sender(const Context& c, const Catalog& catalog, const RegistryEntry& e) {
  auto as = c.command.get("--as");
  if (!as) return true;
  auto user = catalog.user(*as);
  if (!user.ok()) return user.error();
  return visibility_of(*user).allows(e.department, "restricted-personal-data");
}

void print_entry_line(std::ostream& out, const RegistryEntry& e, const std::string& today) {
  out << e.register_name << "  " << e.number << "  " << e.kind << "  " << e.status << "  termen "
      << romanian_date(e.deadline);
  if (e.deadline < today && (e.status == "registered" || e.status == "assigned" || e.status == "in-progress"))
    out << " (depășit)";
  if (!e.department.empty()) out << "  " << e.department;
  if (!e.assignee.empty()) out << "/" << e.assignee;
  out << "  " << e.subject << '\n';
}

ExitCode print_entry(Context& c, const OpenedRegistry& r, const RegistryEntry& e) {
  auto personal = may_see_sender(c, r.archive->catalog(), e);
  if (!personal.ok()) return c.fail(personal.error());
  if (c.json) {
    c.out << to_json(e, *personal).dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << e.register_name << " " << e.number << "  (" << e.status << ")\n"
        << "  registered: " << format_bucharest(e.registered_at) << "  via " << e.channel << '\n'
        << "  sender:     "
        << (*personal ? e.sender_name + (e.sender_contact.empty() ? "" : ", " + e.sender_contact)
                      : std::string("[date personale restricționate]"))
        << '\n'
        << "  subject:    " << e.subject << '\n'
        << "  kind:       " << e.kind << "   deadline: " << romanian_date(e.deadline) << '\n';
  if (!e.department.empty())
    c.out << "  assigned:   " << e.department << (e.assignee.empty() ? "" : " / " + e.assignee) << '\n';
  if (!e.annul_reason.empty()) c.out << "  annulled:   " << e.annul_reason << '\n';
  for (DocumentId d : e.documents) c.out << "  document:   " << d << '\n';
  // Links are printed as numbers; ids that no longer resolve are shown as ids.
  auto number_of = [&](RegistryEntryId id) {
    auto linked = r.store->entry(id);
    return linked.ok() ? linked->register_name + " " + linked->number : "#" + std::to_string(id);
  };
  if (e.answers) c.out << "  answers:    " << number_of(*e.answers) << '\n';
  for (RegistryEntryId id : e.answered_by) c.out << "  answered by: " << number_of(id) << '\n';
  for (RegistryEntryId id : e.joined) c.out << "  joined:     " << number_of(id) << '\n';
  for (const Disposition& d : e.dispositions) {
    c.out << "  " << d.kind << ": " << format_bucharest(d.at) << " by " << d.actor;
    if (d.target_entry) c.out << "  to " << number_of(*d.target_entry);
    if (!d.target.empty()) c.out << "  " << (d.kind == "forwarded" ? "to " : "") << d.target;
    c.out << "  \"" << d.text << "\"";
    if (d.late) c.out << "  LATE: " << d.late_justification;
    c.out << '\n';
  }
  for (const Exchange& x : e.exchanges) {
    if (x.direction == "in")
      c.out << "  received:   from " << x.peer << ", their number " << x.peer_number << ", package "
            << x.package_id << '\n';
    else
      c.out << "  sent:       to " << x.peer << ", package " << x.package_id
            << (x.state == "acknowledged" ? ", registered there as " + x.peer_number
                                          : std::string(", not yet acknowledged"))
            << '\n';
  }
  for (const RegistryEvent& ev : e.history) {
    c.out << "    " << format_bucharest(ev.at) << "  " << ev.event << " → " << ev.status << "  by "
          << ev.actor;
    if (!ev.department.empty())
      c.out << "  " << ev.department << (ev.assignee.empty() ? "" : "/" + ev.assignee);
    if (!ev.note.empty()) c.out << "  \"" << ev.note << "\"";
    c.out << '\n';
  }
  return ExitCode::ok;
}

// Opens the registry, resolves --as, runs `change`, prints the entry.
template <class Change>
ExitCode run_change(Context& c, Change change) {
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto actor = acting_user(c, r->archive->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  Result<RegistryEntry> changed = change(*r->registry, *actor);
  if (!changed.ok()) return c.fail(changed.error());
  persons::mask_cnps(*changed);  // printed with no purpose (issue 12)
  return print_entry(c, *r, *changed);
}

}  // namespace

ExitCode run_registry_add(Context& c) {
  workflow::Registration reg;
  reg.register_name = c.command.get("--register").value_or("intrare");
  reg.kind = c.command.get("--kind").value_or("");
  reg.channel = c.command.get("--channel").value_or("ghiseu");
  reg.sender_name = c.command.get("--sender").value_or("");
  reg.sender_contact = c.command.get("--contact").value_or("");
  reg.subject = c.command.get("--subject").value_or("");
  reg.document_date = c.command.get("--date");
  reg.answers = c.command.get("--answers");
  for (const std::string& text : c.command.get_all("--doc")) {
    char* end = nullptr;
    long long id = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || id <= 0)
      return c.fail(make_error(ErrorCode::invalid_argument, "--doc " + text, "is not a document id"));
    reg.documents.push_back(id);
  }
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto actor = acting_user(c, r->archive->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  Status file_code = check_registry_file_code(c, *r->archive);
  if (!file_code.ok()) return c.fail(file_code.error());
  auto done = r->registry->register_entry(reg, *actor);
  if (!done.ok()) return c.fail(done.error());
  const RegistryEntry& e = done->entry;
  file_code = store_registry_file_code(c, *r->archive, e, *actor);
  if (!file_code.ok()) return c.fail(file_code.error());
  if (c.json) {
    c.out << nlohmann::json{{"id", e.id},   {"register", e.register_name},      {"number", e.number},
                            {"seq", e.seq}, {"access_code", done->access_code}, {"deadline", e.deadline}}
                 .dump()
          << '\n';
    return ExitCode::ok;
  }
  c.out << "registered " << e.register_name << " " << e.number
        << "\n  deadline:    " << romanian_date(e.deadline) << "\n  access code: " << done->access_code
        << "  (for the citizen; it is not shown again)\n";
  return ExitCode::ok;
}

ExitCode run_registry_assign(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.assign(entry_ref(c), c.command.get("--department").value_or(""), c.command.get("--to"), actor);
  });
}

ExitCode run_registry_status(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.set_status(entry_ref(c), c.command.positionals.at(1), c.command.get("--note").value_or(""),
                        actor);
  });
}

ExitCode run_registry_annul(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.annul(entry_ref(c), c.command.get("--reason").value_or(""), actor);
  });
}

ExitCode run_registry_extend(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.extend_deadline(entry_ref(c), c.command.get("--until").value_or(""),
                             c.command.get("--reason").value_or(""), actor);
  });
}

ExitCode run_registry_join(Context& c) {
  auto first = c.command.get("--to");
  if (!first || first->empty())
    return c.fail(make_error(ErrorCode::invalid_argument, "--to", "the first entry's number is required"));
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.join(entry_ref(c), {*first, c.command.get("--to-register").value_or("")}, actor);
  });
}

ExitCode run_registry_file(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.file_without_answer(entry_ref(c), c.command.get("--reason").value_or(""), actor);
  });
}

ExitCode run_registry_forward(Context& c) {
  if (c.command.has("-o") || c.command.has("--key") || c.command.has("--send"))
    return run_registry_forward_package(c);
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.forward(entry_ref(c), c.command.get("--to").value_or(""), c.command.get("--notice").value_or(""),
                     c.command.get("--late"), actor);
  });
}

ExitCode run_registry_extend_544(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.extend_544(entry_ref(c), c.command.get("--notice").value_or(""), actor);
  });
}

ExitCode run_registry_refuse(Context& c) {
  return run_change(c, [&](Registry& r, const std::string& actor) {
    return r.refuse_544(entry_ref(c), c.command.get("--ground").value_or("other"),
                        c.command.get("--reason").value_or(""), c.command.get("--late"), actor);
  });
}

ExitCode run_registry_show(Context& c) {
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto e = r->registry->find(entry_ref(c));
  if (!e.ok()) return c.fail(e.error());
  // An entry in a person's file is their data (issue 12), like a document.
  auto persons = persons::Persons::open(*r->archive);
  if (!persons.ok()) return c.fail(persons.error());
  if (Status read = record_linked_person_read(c, **persons, "registry-entry", e->id,
                                              "registry entry " + e->number, "show");
      !read.ok())
    return c.fail(read.error());
  // CNPs in clear only to a reader assigned to their person, with a purpose.
  if (Status masked = (*persons)->mask_cnps_for(*e, c.command.get("--as").value_or(c.actor()),
                                                c.command.get("--purpose").value_or(""));
      !masked.ok())
    return c.fail(masked.error());
  return print_entry(c, *r, *e);
}

ExitCode run_registry_list(Context& c) {
  int year = 0;
  if (auto y = c.command.get("--year")) {
    auto parsed = parse_count("--year", *y);
    if (!parsed.ok()) return c.fail(parsed.error());
    year = *parsed;
  }
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto entries = r->registry->list(c.command.get("--register").value_or(""), year);
  if (!entries.ok()) return c.fail(entries.error());
  for (RegistryEntry& e : *entries) persons::mask_cnps(e);  // a list has no purpose (issue 12)
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const RegistryEntry& e : *entries) {
      auto personal = may_see_sender(c, r->archive->catalog(), e);
      if (!personal.ok()) return c.fail(personal.error());
      list.push_back(to_json(e, *personal));
    }
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  const std::string today = r->registry->today();
  for (const RegistryEntry& e : *entries) print_entry_line(c.out, e, today);
  return ExitCode::ok;
}

ExitCode run_registry_overdue(Context& c) {
  auto within = parse_count("--within", c.command.get("--within").value_or("0"));
  if (!within.ok()) return c.fail(within.error());
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto entries = r->registry->overdue(*within);
  if (!entries.ok()) return c.fail(entries.error());
  for (RegistryEntry& e : *entries) persons::mask_cnps(e);  // a list has no purpose (issue 12)
  if (auto department = c.command.get("--department"))
    std::erase_if(*entries, [&](const RegistryEntry& e) { return e.department != *department; });
  const std::string today = r->registry->today();
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const RegistryEntry& e : *entries) {
      auto personal = may_see_sender(c, r->archive->catalog(), e);
      if (!personal.ok()) return c.fail(personal.error());
      nlohmann::json j = to_json(e, *personal);
      j["late"] = e.deadline < today;
      list.push_back(j);
    }
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const RegistryEntry& e : *entries) print_entry_line(c.out, e, today);
  return ExitCode::ok;
}

ExitCode run_registry_lookup(Context& c) {
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto view = r->registry->lookup(c.command.positionals.at(0), c.command.positionals.at(1), c.actor());
  if (!view.ok()) return c.fail(view.error());
  if (c.json) {
    nlohmann::json route = nlohmann::json::array();
    for (const auto& s : view->route)
      route.push_back({{"at", s.at},
                       {"event", s.event},
                       {"status", s.status},
                       {"department", s.department},
                       {"note", s.note}});
    c.out << nlohmann::json{{"number", view->number},     {"registered_on", view->registered_on},
                            {"kind", view->kind},         {"status", view->status},
                            {"deadline", view->deadline}, {"route", route}}
                 .dump(2)
          << '\n';
    return ExitCode::ok;
  }
  c.out << "număr " << view->number << "  " << view->kind << "\n  stadiu: " << view->status
        << "\n  termen: " << romanian_date(view->deadline) << "\n  traseu:\n";
  for (const auto& s : view->route)
    c.out << "    " << s.at << "  " << s.event << " → " << s.status
          << (s.department.empty() ? "" : "  " + s.department) << (s.note.empty() ? "" : "  " + s.note)
          << '\n';
  return ExitCode::ok;
}

ExitCode run_registry_receipt(Context& c) {
  auto output = c.command.get("-o");
  if (!output || output->empty())
    return c.fail(make_error(ErrorCode::invalid_argument, "-o", "the receipt needs an output file"));
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto actor = acting_user(c, r->archive->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  auto e = r->registry->find(entry_ref(c));
  if (!e.ok()) return c.fail(e.error());
  // The code is stored only as a hash: print the one given, checked, or issue a new one.
  std::string code;
  if (auto given = c.command.get("--code")) {
    Status checked = r->registry->check_code(*e, *given);
    if (!checked.ok()) return c.fail(checked.error());
    code = *given;
  } else {
    auto fresh = r->registry->reissue_code(entry_ref(c), *actor);
    if (!fresh.ok()) return c.fail(fresh.error());
    code = *fresh;
    c.err << "dosar: a new access code was issued for " << e->number
          << "; the previous one no longer works\n";
  }
  auto receipt = r->registry->receipt(*e, code, c.command.get("--institution").value_or(""));
  if (!receipt.ok()) return c.fail(receipt.error());
  Status written = workflow::write_receipt_pdf(*receipt, *output);
  if (!written.ok()) return c.fail(written.error());
  c.out << "receipt for " << e->number << " written to " << *output << '\n';
  return ExitCode::ok;
}

ExitCode run_registry_registers(Context& c) {
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto registers = r->store->registers();
  if (!registers.ok()) return c.fail(registers.error());
  nlohmann::json list = nlohmann::json::array();
  for (const Register& g : *registers) {
    if (c.json)
      list.push_back({{"name", g.name}, {"label", g.label}});
    else
      c.out << g.name << "  " << g.label << '\n';
  }
  if (c.json) c.out << list.dump(2) << '\n';
  return ExitCode::ok;
}

ExitCode run_registry_register_add(Context& c) {
  const std::string name = c.command.positionals.at(0);
  if (name.empty() || name.find_first_of(" \t/") != std::string::npos)
    return c.fail(
        make_error(ErrorCode::invalid_argument, "register name", "'" + name + "' must be one word"));
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto actor = acting_user(c, r->archive->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  Status added = r->store->add_register({name, c.command.get("--label").value_or(name)}, *actor);
  if (!added.ok()) return c.fail(added.error());
  c.out << "register " << name << " added\n";
  return ExitCode::ok;
}

ExitCode run_registry_kinds(Context& c) {
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto kinds = r->store->kinds();
  if (!kinds.ok()) return c.fail(kinds.error());
  nlohmann::json list = nlohmann::json::array();
  for (const DocumentKind& k : *kinds) {
    if (c.json)
      list.push_back({{"name", k.name},
                      {"label", k.label},
                      {"deadline_days", k.deadline_days},
                      {"legal_basis", k.legal_basis}});
    else
      c.out << k.name << "  " << k.deadline_days << " zile  " << k.label
            << (k.legal_basis.empty() ? "" : "  (" + k.legal_basis + ")") << '\n';
  }
  if (c.json) c.out << list.dump(2) << '\n';
  return ExitCode::ok;
}

ExitCode run_registry_kind_set(Context& c) {
  const std::string name = c.command.positionals.at(0);
  if (name.empty() || name.find_first_of(" \t/") != std::string::npos)
    return c.fail(make_error(ErrorCode::invalid_argument, "kind name", "'" + name + "' must be one word"));
  auto days_text = c.command.get("--days");
  if (!days_text)
    return c.fail(make_error(ErrorCode::invalid_argument, "--days", "is required (calendar days)"));
  auto days = parse_count("--days", *days_text);
  if (!days.ok()) return c.fail(days.error());
  if (*days == 0 || *days > 3650)
    return c.fail(make_error(ErrorCode::invalid_argument, "--days", "must be from 1 to 3650 calendar days"));
  auto r = open_registry(c);
  if (!r.ok()) return c.fail(r.error());
  auto actor = acting_user(c, r->archive->catalog());
  if (!actor.ok()) return c.fail(actor.error());
  DocumentKind kind{name, c.command.get("--label").value_or(name), *days,
                    c.command.get("--basis").value_or("")};
  if (auto existing = r->registry->kind(name); existing.ok()) {
    if (!c.command.has("--label")) kind.label = existing->label;
    if (!c.command.has("--basis")) kind.legal_basis = existing->legal_basis;
  }
  Status put = r->store->put_kind(kind, *actor);
  if (!put.ok()) return c.fail(put.error());
  c.out << "kind " << name << ": " << *days << " days\n";
  return ExitCode::ok;
}

}  // namespace dosar::cli
