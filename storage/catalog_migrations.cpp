#include "storage/catalog_migrations.h"

namespace dosar {

// Plain SQL that PostgreSQL also accepts, except where noted: ids use SQLite's
// INTEGER PRIMARY KEY (an identity column there).
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
      // Sign-in: password hashes (never passwords), lock-out counters, and
      // web sessions stored by the hash of their cookie token.
      {4, R"sql(
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
  };
  return migrations;
}

}  // namespace dosar
