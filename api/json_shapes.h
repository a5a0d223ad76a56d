// The JSON shapes of the archive's records, shared by every front end (the
// `dosar` command's --json output and the HTTP API), so that both speak the
// same format. Documented in docs/api.md.
#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "index/search_index.h"
#include "persons/persons.h"
#include "signing/pades.h"
#include "storage/catalog.h"
#include "storage/flow_store.h"
#include "storage/registry_store.h"

namespace dosar {

nlohmann::json to_json(const Document& d);
nlohmann::json to_json(const Version& v);
nlohmann::json to_json(const Derivation& d);
nlohmann::json to_json(const AuditRecord& r);
nlohmann::json to_json(const Error& e);
// Snippets keep their HTML (<mark> around matched words, text escaped) and
// are shown as given: the caller masks their CNPs first
// (persons::Persons::mask_cnps_for).
nlohmann::json to_json(const SearchResult& result);
// The sender (restricted personal data) only when `personal`; otherwise
// "sender": "restricted".
nlohmann::json to_json(const RegistryEntry& e, bool personal);
nlohmann::json to_json(const Flow& f);
// {"valid", "signatures": [{indication, subindication, signer, signing_time, level, revision, changes_after,
// message, …}]}
nlohmann::json to_json(const signing::ValidationReport& report);
// A person: persons::to_json (the full CNP, for their case worker).
// The person's page: the person, "households" [{id, label, members [{person, name, role}]}],
// "representative" ({person, name, role} or null), "represents" [{person, name, role}],
// "assignments" and the rectification "history" [{revision, field, old, new, reason, at, actor}].
nlohmann::json to_json(const persons::PersonFile& f);
nlohmann::json to_json(const persons::PersonMatch& m);  // the CNP masked
nlohmann::json to_json(const PersonLink& l);            // {kind, id, date, title, linked_at, linked_by}
nlohmann::json to_json(const AccessRecord& r);          // {user, at, purpose, what}

}  // namespace dosar
