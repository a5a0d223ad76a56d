#include "storage/catalog_migrations.h"

#include <regex>

#include "base/text_folding.h"

namespace dosar {
namespace {

// Migration 18: the folded copies of the registry entries already there,
// a thousand rows at a time (a register of years holds hundreds of
// thousands).
Status fill_registry_folded(sql::Database& db) {
  struct Row {
    std::int64_t id;
    std::string subject, department;
  };
  // Statements are prepared per use (the connection caches them): a
  // statement is bound once, then stepped to its end.
  for (std::int64_t after = 0;;) {
    std::vector<Row> rows;
    {
      auto read = db.prepare(
          "SELECT id, subject, department FROM registry_entries WHERE id > ? ORDER BY id LIMIT 1000");
      if (!read.ok()) return read.error();
      read->bind(1, after);
      DOSAR_TRY(read->for_each_row([&] {
        rows.push_back({read->integer(0), read->text(1), read->text(2)});
      }));
    }
    if (rows.empty()) return {};
    for (const Row& r : rows) {
      auto write =
          db.prepare("UPDATE registry_entries SET subject_folded = ?, department_folded = ? WHERE id = ?");
      if (!write.ok()) return write.error();
      DOSAR_TRY(write->bind(1, fold_for_matching(r.subject))
                    .bind(2, fold_for_matching(r.department))
                    .bind(3, r.id)
                    .run());
    }
    after = rows.back().id;
  }
}

}  // namespace

// Plain SQL that PostgreSQL also accepts once migration_sql has translated
// the types, except where a migration gives PostgreSQL's own text: ids use
// SQLite's INTEGER PRIMARY KEY (an identity column there).
const std::vector<Migration>& catalog_migrations() {
  static const std::vector<Migration> migrations = {
      {1, R"sql(
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  registry_number TEXT,
  title TEXT NOT NULL,
  document_type TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  confidentiality TEXT NOT NULL DEFAULT 'internal'
    CHECK (confidentiality IN ('public', 'internal', 'restricted-personal-data')),
  retention_class TEXT,
  status TEXT NOT NULL DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  current_version INTEGER NOT NULL
);
CREATE TABLE versions (
  document_id INTEGER NOT NULL REFERENCES documents(id),
  number INTEGER NOT NULL,
  original_blob TEXT NOT NULL,
  original_name TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  page_count INTEGER,
  ocr_confidence REAL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (document_id, number)
);
CREATE INDEX versions_by_original ON versions(original_blob);
CREATE TABLE derived_blobs (
  document_id INTEGER NOT NULL,
  version_number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime_type TEXT NOT NULL,
  PRIMARY KEY (document_id, version_number, kind),
  FOREIGN KEY (document_id, version_number) REFERENCES versions(document_id, number)
);
CREATE TABLE version_warnings (
  document_id INTEGER NOT NULL,
  version_number INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (document_id, version_number, seq),
  FOREIGN KEY (document_id, version_number) REFERENCES versions(document_id, number)
);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  document_id INTEGER,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_by_document ON audit(document_id, seq);
)sql"},
      // The search index is derived: every change that affects it queues the
      // document here in the same transaction, and indexing removes the row
      // only after the index has committed (a transactional outbox).
      {2, R"sql(
CREATE TABLE index_queue (
  seq INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id)
);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  display_name TEXT NOT NULL DEFAULT '',
  all_departments INTEGER NOT NULL DEFAULT 0,
  restricted_access INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE user_departments (
  user_name TEXT NOT NULL REFERENCES users(name),
  department TEXT NOT NULL,
  PRIMARY KEY (user_name, department)
);
)sql"},
      // Per page of a version: where its text came from and how sure OCR was.
      {3, R"sql(
CREATE TABLE version_pages (
  document_id INTEGER NOT NULL,
  version_number INTEGER NOT NULL,
  page INTEGER NOT NULL,
  text_source TEXT NOT NULL CHECK (text_source IN ('text-layer', 'ocr', 'none')),
  ocr_confidence REAL,
  rotated_degrees INTEGER NOT NULL DEFAULT 0,
  deskew_degrees REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (document_id, version_number, page),
  FOREIGN KEY (document_id, version_number) REFERENCES versions(document_id, number)
);
)sql"},
      // The registry (registratură): registers, document kinds with their legal
      // deadlines, entries numbered per register per Bucharest calendar year,
      // their status history, attached documents, and failed citizen lookups
      // (for rate limiting). Numbers are never deleted: UNIQUE keeps them unique,
      // MAX(seq) + 1 under BEGIN IMMEDIATE keeps them consecutive.
      {4, R"sql(
CREATE TABLE registers (
  name TEXT PRIMARY KEY,
  label TEXT NOT NULL
);
INSERT INTO registers(name, label) VALUES ('intrare', 'incoming'), ('iesire', 'outgoing'), ('intern', 'internal');
CREATE TABLE document_kinds (
  name TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  deadline_days INTEGER NOT NULL CHECK (deadline_days > 0),
  legal_basis TEXT NOT NULL DEFAULT ''
);
INSERT INTO document_kinds(name, label, deadline_days, legal_basis) VALUES
  ('petitie', 'petiție', 30, 'OG 27/2002, art. 8'),
  ('informatii-publice', 'cerere de informații de interes public', 10, 'Legea 544/2001, art. 7'),
  ('sesizare', 'sesizare', 30, 'OG 27/2002, art. 8'),
  ('cerere', 'cerere', 30, 'OG 27/2002'),
  ('adresa', 'adresă de la o instituție', 30, ''),
  ('intern', 'document intern', 30, '');
CREATE TABLE registry_entries (
  id INTEGER PRIMARY KEY,
  register_name TEXT NOT NULL REFERENCES registers(name),
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL CHECK (seq > 0),
  number TEXT NOT NULL,
  registered_at TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('ghiseu', 'posta', 'email', 'online')),
  sender_name TEXT NOT NULL,
  sender_contact TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  kind TEXT NOT NULL REFERENCES document_kinds(name),
  document_date TEXT,
  department TEXT NOT NULL DEFAULT '',
  assignee TEXT NOT NULL DEFAULT '',
  deadline TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('registered', 'assigned', 'in-progress', 'answered', 'closed', 'archived', 'annulled')),
  annul_reason TEXT NOT NULL DEFAULT '',
  answers_entry INTEGER REFERENCES registry_entries(id),
  access_salt TEXT NOT NULL,
  access_hash TEXT NOT NULL,
  UNIQUE (register_name, year, seq)
);
CREATE INDEX registry_entries_by_number ON registry_entries(number);
CREATE INDEX registry_entries_by_deadline ON registry_entries(status, deadline);
CREATE TABLE registry_documents (
  entry_id INTEGER NOT NULL REFERENCES registry_entries(id),
  document_id INTEGER NOT NULL REFERENCES documents(id),
  PRIMARY KEY (entry_id, document_id)
);
CREATE TABLE registry_events (
  entry_id INTEGER NOT NULL REFERENCES registry_entries(id),
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  status TEXT NOT NULL,
  department TEXT NOT NULL DEFAULT '',
  assignee TEXT NOT NULL DEFAULT '',
  deadline TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (entry_id, seq)
);
CREATE TABLE registry_lookup_failures (
  seq INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX registry_lookup_failures_by_number ON registry_lookup_failures(number, at);
)sql"},
      // Approval flows: templates per document kind (steps sharing a position
      // run in parallel), roles of users in departments, delegations, and
      // running flows whose steps are saved under a revision counter.
      {5, R"sql(
CREATE TABLE flow_templates (
  kind TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position > 0),
  label TEXT NOT NULL,
  users TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, position, label)
);
CREATE TABLE user_roles (
  user_name TEXT NOT NULL REFERENCES users(name),
  role TEXT NOT NULL,
  department TEXT NOT NULL,
  PRIMARY KEY (user_name, role, department)
);
CREATE TABLE delegations (
  id INTEGER PRIMARY KEY,
  from_user TEXT NOT NULL REFERENCES users(name),
  to_user TEXT NOT NULL REFERENCES users(name),
  valid_from TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CHECK (valid_from <= valid_until)
);
CREATE TABLE flows (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id),
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  revision INTEGER NOT NULL,
  started_at TEXT NOT NULL
);
CREATE INDEX flows_by_document ON flows(document_id, status);
CREATE TABLE flow_steps (
  flow_id INTEGER NOT NULL REFERENCES flows(id),
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  users TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'rejected')),
  decided_by TEXT NOT NULL DEFAULT '',
  on_behalf_of TEXT NOT NULL DEFAULT '',
  decided_at TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  signed_version INTEGER,
  PRIMARY KEY (flow_id, position, label)
);
CREATE TABLE flow_events (
  flow_id INTEGER NOT NULL REFERENCES flows(id),
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  on_behalf_of TEXT NOT NULL DEFAULT '',
  event TEXT NOT NULL,
  step TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (flow_id, seq)
);
)sql"},
      // Sign-in: password hashes (never passwords), lock-out counters, and
      // web sessions stored by the hash of their cookie token.
      {6, R"sql(
CREATE TABLE user_logins (
  user_name TEXT PRIMARY KEY REFERENCES users(name),
  password_hash TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  first_failure_at TEXT
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users(name),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_name);
)sql"},
      // Records management (nomenclator arhivistic, dossiers, holds, lawful
      // disposal). A nomenclator version never changes once approved; a
      // disposal keeps its destruction list and the blobs it expects absent.
      {7, R"sql(
CREATE TABLE nomenclator_versions (
  year INTEGER NOT NULL,
  version INTEGER NOT NULL CHECK (version > 0),
  state TEXT NOT NULL CHECK (state IN ('draft', 'approved')),
  source TEXT NOT NULL DEFAULT '',
  imported_by TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  approved_by TEXT NOT NULL DEFAULT '',
  approved_at TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (year, version)
);
CREATE TABLE nomenclator_entries (
  year INTEGER NOT NULL,
  version INTEGER NOT NULL,
  department TEXT NOT NULL,
  code TEXT NOT NULL,
  title TEXT NOT NULL,
  retention_years INTEGER CHECK (retention_years IS NULL OR retention_years > 0),
  remarks TEXT NOT NULL DEFAULT '',
  line INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (year, version, code),
  FOREIGN KEY (year, version) REFERENCES nomenclator_versions(year, version)
);
CREATE TABLE dossiers (
  code TEXT NOT NULL,
  year INTEGER NOT NULL,
  title TEXT NOT NULL,
  department TEXT NOT NULL,
  retention_years INTEGER,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'disposed')),
  opened_at TEXT NOT NULL,
  closed_at TEXT NOT NULL DEFAULT '',
  first_date TEXT NOT NULL DEFAULT '',
  last_date TEXT NOT NULL DEFAULT '',
  documents INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  reopen_reason TEXT NOT NULL DEFAULT '',
  disposal_id INTEGER,
  PRIMARY KEY (code, year)
);
CREATE TABLE record_documents (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id),
  code TEXT,
  year INTEGER,
  permanent INTEGER NOT NULL DEFAULT 0,
  assigned_at TEXT NOT NULL,
  disposed_at TEXT NOT NULL DEFAULT '',
  disposal_id INTEGER,
  FOREIGN KEY (code, year) REFERENCES dossiers(code, year)
);
CREATE INDEX record_documents_by_dossier ON record_documents(code, year);
CREATE TABLE record_entry_codes (
  entry_id INTEGER PRIMARY KEY REFERENCES registry_entries(id),
  code TEXT NOT NULL,
  year INTEGER NOT NULL
);
CREATE TABLE legal_holds (
  id INTEGER PRIMARY KEY,
  document_id INTEGER REFERENCES documents(id),
  code TEXT NOT NULL DEFAULT '',
  year INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL
);
CREATE TABLE sheet_fields (
  document_id INTEGER NOT NULL REFERENCES documents(id),
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (document_id, field)
);
CREATE TABLE disposals (
  id INTEGER PRIMARY KEY,
  decision TEXT NOT NULL,
  protocol_document INTEGER NOT NULL REFERENCES documents(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL
);
CREATE TABLE disposal_dossiers (
  disposal_id INTEGER NOT NULL REFERENCES disposals(id),
  code TEXT NOT NULL,
  year INTEGER NOT NULL,
  PRIMARY KEY (disposal_id, code, year)
);
CREATE TABLE disposal_documents (
  disposal_id INTEGER NOT NULL REFERENCES disposals(id),
  document_id INTEGER NOT NULL REFERENCES documents(id),
  code TEXT NOT NULL,
  year INTEGER NOT NULL,
  title TEXT NOT NULL,
  versions INTEGER NOT NULL,
  PRIMARY KEY (disposal_id, document_id)
);
CREATE TABLE disposed_blobs (
  blob TEXT PRIMARY KEY,
  disposal_id INTEGER NOT NULL REFERENCES disposals(id),
  unlinked INTEGER NOT NULL DEFAULT 0
);
)sql"},
      // Fixity over time (issue 10, item 8): one row per check run (summarised
      // by ONE audit row), one event per blob verified in it, and the latest
      // verification of each blob for the sampler; the history a document
      // brought from another archive in a preservation package (item 7). Number 7 is the records
      // tables (nomenclator, dossiers).
      {8, R"sql(
CREATE TABLE fixity_runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  ok_count INTEGER NOT NULL,
  failed_count INTEGER NOT NULL,
  results_root TEXT NOT NULL,
  audit_seq INTEGER NOT NULL
);
CREATE TABLE fixity_events (
  run_id INTEGER NOT NULL REFERENCES fixity_runs(id),
  blob TEXT NOT NULL,
  verified_at TEXT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (run_id, blob)
);
CREATE INDEX fixity_events_by_blob ON fixity_events(blob, verified_at);
CREATE TABLE fixity_latest (
  blob TEXT PRIMARY KEY,
  verified_at TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE TABLE imported_provenance (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id),
  imported_at TEXT NOT NULL,
  source TEXT NOT NULL,
  original_id INTEGER NOT NULL,
  provenance TEXT NOT NULL
);
)sql"},
      // Online forms (issue 11; 7 and 8 are records/'): the submission behind
      // an incoming entry of channel online, which form and notice version
      // the citizen saw, the answers (restricted personal data), whether a
      // clerk has checked it, the hash of the Idempotency-Key that
      // registered it once, and the last event of the entry mailed to the
      // citizen (the registration goes with the receipt).
      {9, R"sql(
CREATE TABLE online_submissions (
  entry_id INTEGER PRIMARY KEY REFERENCES registry_entries(id),
  form_id TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  notice_version TEXT NOT NULL,
  consent_at TEXT NOT NULL,
  verification TEXT NOT NULL CHECK (verification IN ('to-verify', 'accepted', 'spam')),
  answers TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  notified_seq INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX online_submissions_by_verification ON online_submissions(verification, entry_id);
)sql"},
      // Versions stored before their text was extracted (`ingest --defer`):
      // the derivation each still needs, claimed by one worker at a time
      // under a lease that its heartbeat renews.
      {10, R"sql(
CREATE TABLE derivation_queue (
  document_id INTEGER NOT NULL,
  version_number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  queued_at TEXT NOT NULL,
  worker TEXT,
  heartbeat_at TEXT,
  finished_at TEXT,
  pages_done INTEGER NOT NULL DEFAULT 0,
  pages_total INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  PRIMARY KEY (document_id, version_number),
  FOREIGN KEY (document_id, version_number) REFERENCES versions(document_id, number)
);
CREATE INDEX derivation_queue_by_state ON derivation_queue(state, queued_at);
)sql"},
      // Registry duties of the archival instructions (issue 10): what
      // closed, forwarded or extended an entry beside its status — joined
      // (conexat) to a first entry, filed without answer (clasat),
      // forwarded to another institution, a Law 544/2001 extension or
      // refusal — with the reason or the notice to the petitioner, and,
      // when done after the legal term, the flag and its justification.
      // A side table: registry_entries keeps its CHECK on status.
      {11, R"sql(
CREATE TABLE registry_dispositions (
  entry_id INTEGER NOT NULL REFERENCES registry_entries(id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('joined', 'filed', 'forwarded', 'extended', 'refused')),
  target_entry INTEGER REFERENCES registry_entries(id),
  target TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
  late_justification TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (entry_id, seq)
);
CREATE INDEX registry_dispositions_by_target ON registry_dispositions(target_entry);
)sql"},
      // The electronic beneficiary file (issue 12): persons (restricted
      // personal data) with the old values of every rectified field,
      // households, links of documents, registry entries and flows to
      // persons (date copied in, so that a timeline is one index range),
      // who is assigned to each person, every read of their data with its
      // purpose, and links suggested from extracted text.
      {12, R"sql(
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  cnp TEXT UNIQUE,
  id_type TEXT NOT NULL,
  id_value TEXT NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  birth_date TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  contacts TEXT NOT NULL DEFAULT '',
  legal_representative TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  UNIQUE (id_type, id_value)
);
CREATE INDEX persons_by_name ON persons(name_folded);
CREATE TABLE person_history (
  person_id INTEGER NOT NULL REFERENCES persons(id),
  revision INTEGER NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  PRIMARY KEY (person_id, revision, field)
);
CREATE TABLE households (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE household_members (
  household_id INTEGER NOT NULL REFERENCES households(id),
  person_id INTEGER NOT NULL REFERENCES persons(id),
  role TEXT NOT NULL,
  PRIMARY KEY (household_id, person_id)
);
CREATE INDEX household_members_by_person ON household_members(person_id);
CREATE TABLE person_links (
  person_id INTEGER NOT NULL REFERENCES persons(id),
  kind TEXT NOT NULL CHECK (kind IN ('document', 'registry-entry', 'flow')),
  target_id INTEGER NOT NULL,
  date TEXT NOT NULL,
  title TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  linked_by TEXT NOT NULL,
  PRIMARY KEY (person_id, kind, target_id)
);
CREATE INDEX person_links_timeline ON person_links(person_id, date, kind, target_id);
CREATE INDEX person_links_by_target ON person_links(kind, target_id);
CREATE TABLE person_assignments (
  person_id INTEGER NOT NULL REFERENCES persons(id),
  department TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL DEFAULT '',
  assigned_at TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  CHECK ((department = '') <> (user_name = '')),
  PRIMARY KEY (person_id, department, user_name)
);
CREATE TABLE person_access (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id),
  user_name TEXT NOT NULL,
  at TEXT NOT NULL,
  purpose TEXT NOT NULL,
  what TEXT NOT NULL
);
CREATE INDEX person_access_by_person ON person_access(person_id, id);
CREATE TABLE person_suggestions (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id),
  document_id INTEGER NOT NULL REFERENCES documents(id),
  reason TEXT NOT NULL CHECK (reason IN ('cnp', 'name')),
  state TEXT NOT NULL CHECK (state IN ('open', 'confirmed', 'dismissed')),
  found_at TEXT NOT NULL,
  UNIQUE (person_id, document_id)
);
CREATE INDEX person_suggestions_by_state ON person_suggestions(state, id);
CREATE TABLE person_scans (
  document_id INTEGER PRIMARY KEY REFERENCES documents(id),
  version INTEGER NOT NULL
);
)sql"},
      // Forwarding between institutions (issue 12): each sealed package sent
      // with a forward ("out") or received and registered here ("in"), the
      // other institution, and the other side's number and date — the
      // sender's for "in", the receiver's for "out" once acknowledged. A
      // package id is received once per direction. A request received so
      // is registered with the channel 'interinstitutional': the CHECK on
      // registry_entries.channel is widened in place, by the procedure
      // SQLite documents for loosening a CHECK (sqlite.org/lang_altertable.html,
      // "making other kinds of table schema changes"): the stored rows are
      // unchanged, and the CREATE TABLE below bumps the schema cookie, so
      // every connection rereads the schema. (PostgreSQL: ALTER TABLE …
      // DROP CONSTRAINT / ADD CONSTRAINT.)
      {13,
       R"sql(
CREATE TABLE registry_exchanges (
  package_id TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
  entry_id INTEGER NOT NULL REFERENCES registry_entries(id),
  peer TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('sent', 'acknowledged', 'registered')),
  peer_number TEXT NOT NULL DEFAULT '',
  peer_date TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  acknowledged_at TEXT NOT NULL DEFAULT '',
  ack_package_id TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (direction, package_id)
);
CREATE INDEX registry_exchanges_by_entry ON registry_exchanges(entry_id);
)sql",
       R"sql(
PRAGMA writable_schema = ON;
UPDATE sqlite_master
  SET sql = replace(sql, 'CHECK (channel IN (''ghiseu'', ''posta'', ''email'', ''online''))',
                    'CHECK (channel IN (''ghiseu'', ''posta'', ''email'', ''online'', ''interinstitutional''))')
  WHERE type = 'table' AND name = 'registry_entries';
PRAGMA writable_schema = OFF;
)sql",
       R"sql(
ALTER TABLE registry_entries DROP CONSTRAINT registry_entries_channel_check;
ALTER TABLE registry_entries ADD CONSTRAINT registry_entries_channel_check
  CHECK (channel IN ('ghiseu', 'posta', 'email', 'online', 'interinstitutional'));
)sql"},
      // Departments (compartimente) an administrator added before any user
      // or document named them (the web admin, issue 7); the others are
      // known from user_departments and documents.
      {14, R"sql(
CREATE TABLE departments (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
)sql"},
      // Per-page resume of derivations (issue 3): each page OCR has read,
      // recorded as it is done, with the name of its one-page searchable
      // PDF in the spool, so that a derivation taken over after its worker
      // died starts at the next page; the rows go when the version is
      // derived. The queue learns when its claim began and how many pages
      // were already done then (pages per minute, ETA), and counts every
      // page recognition recorded over all attempts. Since issue 13
      // `page_pdf` holds the one-page PDF itself (base64), so that a worker
      // on another machine, with another spool, can resume.
      {15, R"sql(
CREATE TABLE derivation_pages (
  document_id INTEGER NOT NULL,
  version_number INTEGER NOT NULL,
  page_index INTEGER NOT NULL CHECK (page_index >= 0),
  text TEXT NOT NULL,
  ocr_confidence REAL,
  rotated_degrees INTEGER NOT NULL DEFAULT 0,
  deskew_degrees REAL NOT NULL DEFAULT 0,
  page_pdf TEXT NOT NULL DEFAULT '',
  worker TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (document_id, version_number, page_index),
  FOREIGN KEY (document_id, version_number) REFERENCES derivation_queue(document_id, version_number)
);
ALTER TABLE derivation_queue ADD COLUMN claimed_at TEXT;
ALTER TABLE derivation_queue ADD COLUMN pages_at_claim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE derivation_queue ADD COLUMN pages_recognized INTEGER NOT NULL DEFAULT 0;
)sql"},
      // The legal representative as another person of the archive (issue
      // 12), with the capacity they act in; the free-text column stays for
      // someone not in the archive. Rectifications of both go into
      // person_history like any field.
      {16, R"sql(
ALTER TABLE persons ADD COLUMN representative_id INTEGER REFERENCES persons(id);
ALTER TABLE persons ADD COLUMN representative_role TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_by_representative ON persons(representative_id);
)sql"},
      // Issue 7. Accounts whose password the institution's LDAP directory
      // checks: their roles and departments stay here; a local password hash
      // is never kept for them, so none can stand in for the directory. And
      // the registry book's pages walk a register newest first by index.
      {17, R"sql(
ALTER TABLE user_logins ADD COLUMN authentication TEXT NOT NULL DEFAULT 'local'
  CHECK (authentication IN ('local', 'ldap'));
CREATE INDEX registry_entries_by_time ON registry_entries(register_name, registered_at);
)sql"},
      // Issue 7. The registry book's text and department filters compare
      // folded to folded: the store writes these copies with
      // fold_for_matching on every insert and routing, the query is folded
      // by the same function, so "kovacs" finds "Kovács" and "muller"
      // "Müller", as search does (SQL's LOWER and REPLACE knew only the
      // Romanian letters, and SQLite's LOWER only ASCII). No index: the text
      // filter is a substring (LIKE '%…%'), which no B-tree serves, and the
      // book's pages walk registry_entries_by_time anyway.
      {18,
       R"sql(
ALTER TABLE registry_entries ADD COLUMN subject_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE registry_entries ADD COLUMN department_folded TEXT NOT NULL DEFAULT '';
)sql",
       "", "", fill_registry_folded},
  };
  return migrations;
}

std::string migration_sql(const Migration& migration, sql::Dialect dialect) {
  if (dialect == sql::Dialect::sqlite) return std::string(migration.sqlite_first) + migration.sql;
  static const std::regex rowid(R"(\b(id|seq) INTEGER PRIMARY KEY\b(?! REFERENCES))");
  static const std::regex integer(R"(\bINTEGER\b)");
  static const std::regex real(R"(\bREAL\b)");
  static const std::regex blob(R"(\bBLOB\b)");
  std::string out =
      std::regex_replace(migration.sql, rowid, "$1 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  out = std::regex_replace(out, integer, "BIGINT");
  out = std::regex_replace(out, real, "DOUBLE PRECISION");
  return migration.postgresql_first + std::regex_replace(out, blob, "BYTEA");
}

}  // namespace dosar
