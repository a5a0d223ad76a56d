#include "workflow/registry.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <tuple>

#include "base/cnp.h"
#include "workflow/access_code.h"

namespace dosar::workflow {
namespace {

Error invalid(const std::string& subject, const std::string& message) {
  return make_error(ErrorCode::invalid_argument, subject, message);
}

template <class List>
bool one_of(const std::string& value, const List& list) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* v) { return value == v; });
}

template <class List>
std::string joined(const List& list) {
  std::string out;
  for (const auto& v : list) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

// "YYYY-MM-DD" or "DD.MM.YYYY" → "YYYY-MM-DD"; "" when neither is a real date.
std::string iso_date(const std::string& text) {
  if (is_iso_date(text)) return text;
  static const std::regex dotted(R"((\d{2})\.(\d{2})\.(\d{4}))");
  std::smatch m;
  if (!std::regex_match(text, m, dotted)) return "";
  std::string iso = m[3].str() + "-" + m[2].str() + "-" + m[1].str();
  return is_iso_date(iso) ? iso : "";
}

bool is_open(const std::string& status) {
  return status == "registered" || status == "assigned" || status == "in-progress";
}

// Which status may follow which through set_status().
bool may_follow(const std::string& from, const std::string& to) {
  if (to == "in-progress") return from == "assigned";
  if (to == "answered") return from == "assigned" || from == "in-progress";
  if (to == "closed") return is_open(from) || from == "answered";
  if (to == "archived") return from == "closed";
  return false;
}

std::string label(const RegistryEntry& e) {
  return e.register_name + " " + e.number;
}

}  // namespace

Registry::Registry(const Catalog& catalog, RegistryStore& store, const Clock& clock, LookupLimits limits)
    : catalog_(catalog), store_(store), clock_(clock), limits_(limits) {}

std::string Registry::today() const {
  return bucharest_date(format_utc(clock_.now()));
}

Result<DocumentKind> Registry::kind(const std::string& name) const {
  auto kinds = store_.kinds();
  if (!kinds.ok()) return kinds.error();
  std::vector<std::string> names;
  for (const DocumentKind& k : *kinds) {
    if (k.name == name) return k;
    names.push_back(k.name);
  }
  return make_error(ErrorCode::not_found, "kind " + name, "unknown document kind; known: " + joined(names));
}

Result<Registered> Registry::register_entry(const Registration& r, const std::string& actor) {
  if (!one_of(r.channel, kChannels))
    return invalid("channel", "'" + r.channel + "' is not one of " + joined(kChannels));
  return register_checked(r, std::nullopt, actor);
}

Result<Registered> Registry::register_checked(const Registration& r, const std::optional<Exchange>& received,
                                              const std::string& actor) {
  if (is_blank(r.sender_name)) return invalid("sender", "is required (name of the person or institution)");
  if (is_blank(r.subject)) return invalid("subject", "is required");
  if (r.kind.empty()) return invalid("kind", "is required");
  auto registers = store_.registers();
  if (!registers.ok()) return registers.error();
  if (std::none_of(registers->begin(), registers->end(),
                   [&](const Register& g) { return g.name == r.register_name; })) {
    std::vector<std::string> names;
    for (const Register& g : *registers) names.push_back(g.name);
    return make_error(ErrorCode::not_found, "register " + r.register_name,
                      "unknown register; known: " + joined(names));
  }
  DOSAR_TRY(kind(r.kind));
  NewRegistryEntry n;
  if (r.document_date) {
    std::string date = iso_date(*r.document_date);
    if (date.empty())
      return invalid("document date", "'" + *r.document_date + "' is not a date (YYYY-MM-DD or DD.MM.YYYY)");
    if (date > today())
      return invalid("document date", date + " is in the future (today is " + today() + ")");
    n.document_date = date;
  }
  for (DocumentId d : r.documents) DOSAR_TRY(catalog_.document(d));
  if (r.answers) {
    auto request = find({*r.answers, ""});
    if (!request.ok()) return request.error();
    if (request->status == "annulled")
      return make_error(ErrorCode::conflict, label(*request), "is annulled; it cannot be answered");
    // Joined, filed and forwarded requests get no answer of their own.
    for (const Disposition& d : request->dispositions)
      if (d.kind == "joined" || d.kind == "filed" || d.kind == "forwarded")
        return make_error(
            ErrorCode::conflict, label(*request),
            "was " + d.kind +
                (d.kind == "joined" ? " to " + d.text + "; answer that number" : "; it gets no answer here"));
    n.answers = request->id;
  }
  auto code = new_access_code();
  if (!code.ok()) return code.error();
  auto secret = protect_access_code(*code);
  if (!secret.ok()) return secret.error();
  n.register_name = r.register_name;
  n.channel = r.channel;
  n.sender_name = r.sender_name;
  n.sender_contact = r.sender_contact;
  n.subject = r.subject;
  n.kind = r.kind;
  n.documents = r.documents;
  n.access_salt = secret->salt;
  n.access_hash = secret->hash;
  n.received = received;
  auto entry = store_.add_entry(n, actor);
  if (!entry.ok()) return entry.error();
  return Registered{std::move(entry).value(), std::move(code).value()};
}

Result<RegistryEntry> Registry::find(const EntryRef& ref) const {
  auto found = store_.entries_numbered(ref.number);
  if (!found.ok()) return found.error();
  std::vector<RegistryEntry> matches;
  for (RegistryEntry& e : *found)
    if (ref.register_name.empty() || e.register_name == ref.register_name) matches.push_back(std::move(e));
  std::string subject = "registry number " + ref.number;
  if (matches.empty())
    return make_error(
        ErrorCode::not_found, subject,
        ref.register_name.empty() ? "no such entry" : "no such entry in register " + ref.register_name);
  if (matches.size() > 1) {
    std::string registers;
    for (const RegistryEntry& e : matches) registers += (registers.empty() ? "" : ", ") + e.register_name;
    return invalid(subject, "exists in registers " + registers + "; name one with --register");
  }
  return std::move(matches.front());
}

Result<std::vector<RegistryEntry>> Registry::list(const std::string& register_name, int year) const {
  return store_.entries(register_name, year);
}

Result<RegistryEntry> Registry::assign(const EntryRef& ref, const std::string& department,
                                       const std::optional<std::string>& person, const std::string& actor) {
  if (is_blank(department)) return invalid("department", "is required");
  auto entry = find(ref);
  if (!entry.ok()) return entry.error();
  if (!is_open(entry->status))
    return make_error(ErrorCode::conflict, label(*entry),
                      "is " + entry->status + "; only open entries can be assigned");
  if (person) {
    auto user = catalog_.user(*person);
    if (!user.ok()) return user.error();
    bool member = user->all_departments || std::find(user->departments.begin(), user->departments.end(),
                                                     department) != user->departments.end();
    if (!member) return invalid("user " + *person, "does not belong to department " + department);
  }
  std::string status = entry->status == "in-progress" ? "in-progress" : "assigned";
  return store_.change(entry->id,
                       {entry->status, "assigned", status, department, person.value_or(""), std::nullopt, ""},
                       actor);
}

Result<RegistryEntry> Registry::set_status(const EntryRef& ref, const std::string& status,
                                           const std::string& note, const std::string& actor) {
  if (!one_of(status, kSettableStatuses))
    return invalid("status", "'" + status + "' is not one of " + joined(kSettableStatuses) +
                                 " (use assign and annul for the others)");
  auto entry = find(ref);
  if (!entry.ok()) return entry.error();
  if (!may_follow(entry->status, status))
    return make_error(ErrorCode::conflict, label(*entry),
                      "is " + entry->status + "; it cannot become " + status);
  return store_.change(
      entry->id, {entry->status, "status", status, std::nullopt, std::nullopt, std::nullopt, note}, actor);
}

Result<RegistryEntry> Registry::annul(const EntryRef& ref, const std::string& reason,
                                      const std::string& actor) {
  if (is_blank(reason)) return invalid("reason", "an annulment needs a reason");
  auto entry = find(ref);
  if (!entry.ok()) return entry.error();
  if (!is_open(entry->status))
    return make_error(ErrorCode::conflict, label(*entry),
                      "is " + entry->status + "; only open entries can be annulled");
  return store_.change(
      entry->id, {entry->status, "annulled", "annulled", std::nullopt, std::nullopt, std::nullopt, reason},
      actor);
}

Result<RegistryEntry> Registry::extend_deadline(const EntryRef& ref, const std::string& new_deadline,
                                                const std::string& justification, const std::string& actor) {
  if (is_blank(justification)) return invalid("justification", "an extension needs a justification");
  std::string date = iso_date(new_deadline);
  if (date.empty())
    return invalid("deadline", "'" + new_deadline + "' is not a date (YYYY-MM-DD or DD.MM.YYYY)");
  auto entry = find(ref);
  if (!entry.ok()) return entry.error();
  if (!is_open(entry->status))
    return make_error(ErrorCode::conflict, label(*entry),
                      "is " + entry->status + "; its deadline no longer runs");
  if (date <= entry->deadline)
    return invalid("deadline", date + " is not later than the current deadline " + entry->deadline);
  return store_.change(
      entry->id, {entry->status, "extended", entry->status, std::nullopt, std::nullopt, date, justification},
      actor);
}

bool Registry::is_public_information(const std::string& kind_name) const {
  auto k = kind(kind_name);
  return k.ok() && k->legal_basis.find("544/2001") != std::string::npos;
}

bool Registry::is_petition(const std::string& kind_name) const {
  auto k = kind(kind_name);
  return k.ok() && k->legal_basis.find("27/2002") != std::string::npos;
}

Result<RegistryEntry> Registry::open_entry(const EntryRef& ref) const {
  auto entry = find(ref);
  if (!entry.ok()) return entry.error();
  if (!is_open(entry->status))
    return make_error(ErrorCode::conflict, label(*entry),
                      "is " + entry->status +
                          "; only open entries can be joined, filed, forwarded, "
                          "extended or refused");
  return entry;
}

Result<bool> Registry::late_check(const RegistryEntry& e, int days, const std::optional<std::string>& late,
                                  const std::string& duty) const {
  const std::string last_day = add_calendar_days(bucharest_date(e.registered_at), days);
  const bool is_late = today() > last_day;
  if (is_late && (!late || is_blank(*late)))
    return invalid(label(e), duty + " is due within " + std::to_string(days) +
                                 " days of registration (last day " + romanian_date(last_day) +
                                 "); today is " + romanian_date(today()) +
                                 ": give --late with a justification");
  if (!is_late && late)
    return invalid("--late", duty + " of " + label(e) + " is still within its term (last day " +
                                 romanian_date(last_day) + "); there is nothing to justify");
  return is_late;
}

Result<RegistryEntry> Registry::join(const EntryRef& ref, const EntryRef& first_ref,
                                     const std::string& actor) {
  auto entry = open_entry(ref);
  if (!entry.ok()) return entry.error();
  auto first = find(first_ref);
  if (!first.ok()) return first.error();
  if (first->id == entry->id) return invalid(label(*entry), "cannot be joined to itself");
  if (first->status == "annulled")
    return make_error(ErrorCode::conflict, label(*first), "is annulled; nothing can be joined to it");
  for (const Disposition& d : first->dispositions)
    if (d.kind == "joined")
      return make_error(ErrorCode::conflict, label(*first),
                        "is itself joined to another entry; join to that first number");
  // Registered in the same second: the lower id came first.
  if (std::tie(first->registered_at, first->id) > std::tie(entry->registered_at, entry->id))
    return invalid(label(*first),
                   "was registered after " + label(*entry) + "; join the later document to the first number");
  const std::string to = label(*first);
  Disposition d;
  d.kind = "joined";
  d.target_entry = first->id;
  d.text = to;
  return store_.dispose(
      entry->id, {entry->status, "joined", "closed", std::nullopt, std::nullopt, std::nullopt, to}, d, actor);
}

Result<RegistryEntry> Registry::file_without_answer(const EntryRef& ref, const std::string& reason,
                                                    const std::string& actor) {
  if (is_blank(reason)) return invalid("reason", "filing without answer needs a reason");
  auto entry = open_entry(ref);
  if (!entry.ok()) return entry.error();
  // OG 27/2002 art. 7 is about petitions; other kinds have their own answers.
  if (!is_petition(entry->kind))
    return invalid(label(*entry), "is of kind " + entry->kind +
                                      "; only petitions (legal basis OG 27/2002) are filed without answer");
  Disposition d;
  d.kind = "filed";
  d.text = reason;
  return store_.dispose(entry->id,
                        {entry->status, "filed", "closed", std::nullopt, std::nullopt, std::nullopt, reason},
                        d, actor);
}

Result<RegistryEntry> Registry::forward(const EntryRef& ref, const std::string& institution,
                                        const std::string& notice, const std::optional<std::string>& late,
                                        const std::string& actor, const std::optional<Exchange>& package) {
  if (is_blank(institution)) return invalid("--to", "the institution forwarded to is required");
  if (is_blank(notice)) return invalid("--notice", "the notice sent to the petitioner is required");
  auto entry = open_entry(ref);
  if (!entry.ok()) return entry.error();
  auto is_late = late_check(*entry, kForwardDays, late, "forwarding");
  if (!is_late.ok()) return is_late.error();
  Disposition d;
  d.kind = "forwarded";
  d.target = institution;
  d.text = notice;
  d.late = *is_late;
  d.late_justification = late.value_or("");
  RegistryChange change{entry->status,
                        "forwarded",
                        "closed",
                        std::nullopt,
                        std::nullopt,
                        std::nullopt,
                        institution + ": " + notice};
  if (!package) return store_.dispose(entry->id, change, d, actor);
  Exchange sent = *package;
  sent.peer = institution;
  return store_.dispose_sending(entry->id, change, d, sent, actor);
}

Result<Registered> Registry::register_received(Registration registration, const Exchange& received,
                                               const std::string& actor) {
  if (is_blank(received.package_id)) return invalid("package", "has no id");
  if (is_blank(received.peer)) return invalid("package", "names no sending institution");
  // A package received twice is registered once: say which number it got.
  auto known = store_.exchange("in", received.package_id);
  if (!known.ok()) return known.error();
  if (*known) {
    auto first = store_.entry((*known)->entry);
    if (!first.ok()) return first.error();
    return make_error(ErrorCode::conflict, "package " + received.package_id,
                      "was already received from " + (*known)->peer + " and registered as " + label(*first) +
                          "; nothing changed");
  }
  registration.channel = kExchangeChannel;
  return register_checked(registration, received, actor);
}

Result<RegistryEntry> Registry::record_acknowledgement(const std::string& package_id,
                                                       const std::string& institution,
                                                       const std::string& number, const std::string& date,
                                                       const std::string& ack_package_id,
                                                       const std::string& actor) {
  auto sent = store_.exchange("out", package_id);
  if (!sent.ok()) return sent.error();
  if (!*sent)
    return make_error(ErrorCode::not_found, "acknowledgement " + ack_package_id,
                      "refers to package " + package_id + ", which was not sent from this archive");
  // The package went to the institution named by --to; only it may say
  // what number it gave.
  if ((*sent)->peer != institution)
    return make_error(ErrorCode::permission, "acknowledgement " + ack_package_id,
                      "is sealed by '" + institution + "', but package " + package_id +
                          " was forwarded to '" + (*sent)->peer + "'; nothing changed");
  if (is_blank(number)) return invalid("acknowledgement " + ack_package_id, "gives no registration number");
  const std::string note = "redirecționată către " + institution + ", înregistrată acolo cu nr. " + number;
  return store_.acknowledge(package_id, number, date, ack_package_id, note, actor);
}

Result<RegistryEntry> Registry::extend_544(const EntryRef& ref, const std::string& notice,
                                           const std::string& actor) {
  if (is_blank(notice)) return invalid("--notice", "the notice sent to the petitioner is required");
  auto entry = open_entry(ref);
  if (!entry.ok()) return entry.error();
  if (!is_public_information(entry->kind))
    return invalid(label(*entry), "is of kind " + entry->kind +
                                      "; only Law 544/2001 requests are extended to " +
                                      std::to_string(kExtendedDays) + " days (use `registry extend`)");
  for (const Disposition& d : entry->dispositions)
    if (d.kind == "extended") return make_error(ErrorCode::conflict, label(*entry), "was already extended");
  // The law gives no late extension: the notice must go within the first 10 days.
  auto is_late = late_check(*entry, kExtendNoticeDays, std::nullopt, "the extension notice");
  if (!is_late.ok()) return is_late.error();
  const std::string deadline = add_calendar_days(bucharest_date(entry->registered_at), kExtendedDays);
  if (deadline <= entry->deadline)
    return invalid(label(*entry), "its deadline " + romanian_date(entry->deadline) + " is already past " +
                                      std::to_string(kExtendedDays) + " days");
  Disposition d;
  d.kind = "extended";
  d.target = deadline;
  d.text = notice;
  return store_.dispose(
      entry->id, {entry->status, "extended-544", entry->status, std::nullopt, std::nullopt, deadline, notice},
      d, actor);
}

Result<RegistryEntry> Registry::refuse_544(const EntryRef& ref, const std::string& ground,
                                           const std::string& reason, const std::optional<std::string>& late,
                                           const std::string& actor) {
  if (!one_of(ground, kRefusalGrounds))
    return invalid("--ground", "'" + ground + "' is not one of " + joined(kRefusalGrounds));
  if (is_blank(reason)) return invalid("--reason", "a refusal must give its reason (Law 544/2001 art. 7(2))");
  auto entry = open_entry(ref);
  if (!entry.ok()) return entry.error();
  if (!is_public_information(entry->kind))
    return invalid(label(*entry),
                   "is of kind " + entry->kind + "; only Law 544/2001 requests are refused here");
  auto is_late = late_check(*entry, kRefusalDays, late, "the refusal");
  if (!is_late.ok()) return is_late.error();
  Disposition d;
  d.kind = "refused";
  d.target = ground;
  d.text = reason;
  d.late = *is_late;
  d.late_justification = late.value_or("");
  return store_.dispose(
      entry->id, {entry->status, "refused", "answered", std::nullopt, std::nullopt, std::nullopt, reason}, d,
      actor);
}

Result<std::vector<RegistryEntry>> Registry::overdue(int within_days) const {
  if (within_days < 0) return invalid("--within", "must not be negative");
  return store_.due_by(add_calendar_days(today(), within_days));
}

Status Registry::check_code(const RegistryEntry& entry, const std::string& code) const {
  auto secret = store_.access_secret(entry.id);
  if (!secret.ok()) return secret.error();
  if (!access_code_matches(code, *secret))
    return make_error(ErrorCode::permission, label(entry), "the access code does not match");
  return {};
}

Result<std::string> Registry::reissue_code(const EntryRef& ref, const std::string& actor) {
  auto entry = find(ref);
  if (!entry.ok()) return entry.error();
  auto code = new_access_code();
  if (!code.ok()) return code.error();
  auto secret = protect_access_code(*code);
  if (!secret.ok()) return secret.error();
  DOSAR_TRY(store_.replace_access_secret(entry->id, *secret, actor));
  return code;
}

Result<CitizenView> Registry::lookup(const std::string& number, const std::string& code,
                                     const std::string& actor) {
  static const std::regex shape(R"(\d{1,9}/\d{2}\.\d{2}\.\d{4})");
  if (!std::regex_match(number, shape))
    return invalid("registry number", "'" + number + "' is not a registry number like 12/22.11.2026");
  // Counting and recording are two transactions: processes racing on one
  // number may each get an attempt past the limit, never an unlimited run.
  const auto now = clock_.now();
  auto failures = store_.lookup_failures_since(number, format_utc(now - limits_.window));
  if (!failures.ok()) return failures.error();
  if (*failures >= limits_.max_failures) {
    DOSAR_TRY(store_.record_lookup(number, "refused", actor));
    return make_error(
        ErrorCode::limit_exceeded, "registry number " + number,
        "too many wrong access codes; try again in " + std::to_string(limits_.window.count()) + " minutes");
  }
  auto candidates = store_.entries_numbered(number);
  if (!candidates.ok()) return candidates.error();
  for (const RegistryEntry& e : *candidates) {
    auto secret = store_.access_secret(e.id);
    if (!secret.ok()) return secret.error();
    if (!access_code_matches(code, *secret)) continue;
    DOSAR_TRY(store_.record_lookup(number, "ok", actor));
    CitizenView view;
    view.number = e.number;
    view.registered_on = e.number.substr(e.number.find('/') + 1);
    auto k = kind(e.kind);
    view.kind = k.ok() ? k->label : e.kind;
    view.status = e.status;
    view.deadline = e.deadline;
    // The petitioner is told of dispositions in writing; other notes stay inside.
    static const std::set<std::string> told = {"joined",       "filed",   "forwarded",
                                               "extended-544", "refused", "forward-registered"};
    for (const RegistryEvent& ev : e.history)
      if (ev.event != "code-reissued")
        view.route.push_back({format_bucharest(ev.at), ev.event, ev.status, ev.department,
                              // Never a CNP on the public page, whoever types the code (issue 12).
                              told.count(ev.event) ? mask_cnps(ev.note) : std::string()});
    return view;
  }
  // An unknown number and a wrong code get the same answer: the lookup must
  // not tell which numbers exist.
  DOSAR_TRY(store_.record_lookup(number, "wrong-code", actor));
  return make_error(ErrorCode::permission, "registry number " + number,
                    "the number, its date or the access code does not match");
}

Result<Receipt> Registry::receipt(const RegistryEntry& e, const std::string& access_code,
                                  const std::string& institution) const {
  auto registers = store_.registers();
  if (!registers.ok()) return registers.error();
  std::string register_label = e.register_name;
  for (const Register& g : *registers)
    if (g.name == e.register_name) register_label = g.name + " (" + g.label + ")";
  auto k = kind(e.kind);
  return Receipt{institution, register_label, e.number, format_bucharest(e.registered_at),
                 // Whoever is handed the receipt is not known here (the desk
                 // prints it, a link downloads it), so no CNP in clear (issue 12).
                 mask_cnps(e.subject), k.ok() ? k->label : e.kind, romanian_date(e.deadline), access_code};
}

}  // namespace dosar::workflow
