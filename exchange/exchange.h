// Forwarding requests between institutions (issue 12): sealed packages out
// of one archive's registry and into another's, and the acknowledgement that
// comes back. exchange/'s public header; the package format is in
// docs/formats/exchange.md, the rules of the registry in workflow/registry.h.
//
// A package is a directory: package.json (what it is, from whom, to whom,
// the registry entry), the documents, manifest-sha256.txt (`sha256sum -c`
// format) over every other file, and manifest-sha256.txt.p7s, a CAdES
// detached seal of the manifest made with the institution's key. The
// institution is the seal certificate's subject O (else
// organizationIdentifier), checked against a trust store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "signing/pades.h"
#include "storage/archive_store.h"
#include "storage/registry_store.h"
#include "workflow/registry.h"

namespace dosar::exchange {

inline constexpr const char* kPackageFormat = "dosar-exchange-v1";
inline constexpr const char* kManifestFile = "manifest-sha256.txt";
inline constexpr const char* kSealFile = "manifest-sha256.txt.p7s";
inline constexpr const char* kPackageFile = "package.json";

// A random UUID (version 4), lowercase: the id of a new package.
std::string new_package_id();

// Limits on what receiving reads from an untrusted package.
struct PackageLimits {
  std::size_t max_files = 1000;                 // files in the package, manifest and seal included
  std::uint64_t max_total_bytes = 2ull << 30;   // all the files together
  std::size_t max_small_file_bytes = 4u << 20;  // package.json, the manifest, the seal
  int max_depth = 8;                            // directories below the package
};

// The registry entry as the sending institution has it.
struct SentEntry {
  std::string register_name;
  std::string number;  // "12/22.11.2026"
  std::string date;    // YYYY-MM-DD, Bucharest date of registration
  std::string kind;
  std::string subject;
  std::string sender_name;  // the petitioner (restricted personal data)
  std::string sender_contact;
  std::optional<std::string> document_date;
  std::string notice;  // what the petitioner was told
};

struct PackageDocument {
  std::string path;  // relative to the package, under documents/
  std::string title;
  std::string confidentiality;
};

// A package whose seal verified against the trust store and whose every file
// matched the manifest.
struct Package {
  std::string kind;  // "request" | "acknowledgement"
  std::string id;    // UUID
  std::string created_at;
  std::string from;  // the sealing institution (from the certificate, equal to package.json's)
  std::string to;
  std::string sealed_by;  // the seal certificate's CN
  // kind "request":
  SentEntry entry;
  std::vector<PackageDocument> documents;
  // kind "acknowledgement": the package acknowledged and its registration there.
  std::string acknowledges;
  std::string registered_register;
  std::string registered_number;
  std::string registered_date;  // YYYY-MM-DD
};

// Reads and checks the package in `dir`: nothing but regular files and
// directories, every path inside it, the seal valid and by a trusted
// institution, every file listed in the manifest with its SHA-256 and no
// other, package.json well formed and from the sealing institution.
// Errors: corrupt (seal broken, file changed, added, missing, path escaping,
// symlink, malformed package.json; naming the file and the reason),
// permission (sealed by an institution the trust store does not know),
// limit_exceeded, not_found, io.
Result<Package> read_package(const std::filesystem::path& dir, const signing::TrustStore& trust,
                             const PackageLimits& limits = {});

// package.json parsed and checked for shape (not the seal): exposed for the
// fuzz target. Errors: corrupt naming the field.
Result<Package> parse_package_json(std::string_view text);

struct ForwardRequest {
  workflow::EntryRef entry;
  std::string institution;  // --to: must be the receiving certificate's O
  std::string notice;
  std::optional<std::string> late;
};

struct Forwarded {
  RegistryEntry entry;
  std::string package_id;
};

// Writes the sealed package of the entry (its current documents, the entry
// as JSON) to `out`, a new directory, and records the forward (OG 27/2002
// duty, with the package sent) — both or neither: the package is written
// beside `out` first, the forward recorded, then the package renamed into
// place. Errors: those of Registry::forward and of sealing, conflict (`out`
// exists), corrupt (a document's blob no longer matches), io.
Result<Forwarded> forward_with_package(const ArchiveStore& archive, workflow::Registry& registry,
                                       const ForwardRequest& request, const signing::SigningKey& key,
                                       const std::filesystem::path& out, const std::string& actor);

struct ReceiveOptions {
  std::string register_name = "intrare";
  bool ocr = true;  // OCR scanned documents of a received request
  std::string ocr_languages = "ron+eng";
};

struct Received {
  std::string kind;  // "request" | "acknowledgement"
  std::string package_id;
  std::string from;
  RegistryEntry entry;         // request: registered here; acknowledgement: the entry forwarded from here
  std::string access_code;     // request: the new entry's code
  std::string ack_package_id;  // request: the acknowledgement written
};

// Receives the checked package `package`: a request is registered in the
// incoming register with channel interinstitutional, the sending
// institution as sender and its number and date recorded, its documents
// ingested, and an acknowledgement sealed with `key` written to `ack_out`;
// an acknowledgement is recorded on the entry forwarded from here. A request
// must be addressed to `key`'s institution. Errors: invalid_argument (a
// request without key or ack_out), permission (addressed to another
// institution; an acknowledgement from another institution than the one
// forwarded to), conflict (received before: the message names the number),
// and those of ingest and registration.
Result<Received> receive_package(ArchiveStore& archive, const Package& package,
                                 const std::filesystem::path& dir, const signing::SigningKey* key,
                                 const std::optional<std::filesystem::path>& ack_out,
                                 const ReceiveOptions& options, const std::string& actor);

// ---- Transfer over HTTPS with mutual TLS (exchange/transfer.cpp) ----

// A package directory as one JSON document (files base64-encoded) for the
// body of POST /api/v1/exchange/packages, and back. Unpacking writes into
// the new directory `dir` and refuses a path that escapes it.
Result<std::string> pack_for_transfer(const std::filesystem::path& dir);
Status unpack_transfer(std::string_view body, const std::filesystem::path& dir,
                       const PackageLimits& limits = {});
// The files of a transfer body, checked (safe relative paths, each once, no
// file below another, base64, limits) but not written; for unpack_transfer
// and the fuzz target. Errors: corrupt naming the path, limit_exceeded.
struct TransferFile {
  std::string path;
  std::string bytes;
};
Result<std::vector<TransferFile>> decode_transfer(std::string_view body, const PackageLimits& limits = {});

// A new, empty directory in `spool` for a package being received over
// HTTPS and its acknowledgement. Its name is a staging path
// (storage/blob_store.h, tagged with this process id), so the directories
// of a server that died mid-request are removed when the next one starts
// (remove_abandoned_staging_files); the caller removes it when done.
// Errors: io.
Result<std::filesystem::path> new_scratch_dir(const std::filesystem::path& spool);

struct ClientTls {
  std::filesystem::path ca_file;      // the CA the server's certificate must chain to
  std::filesystem::path client_cert;  // this institution's TLS certificate (PEM)
  std::filesystem::path client_key;
};

// Posts the package in `dir` to `url` (https://host:port) and writes the
// acknowledgement of the answer into the new directory `ack_out`.
// Errors: io (no connection, TLS refused), and the receiver's refusal with
// its code and message.
Status send_package(const std::string& url, const ClientTls& tls, const std::filesystem::path& dir,
                    const std::filesystem::path& ack_out);

}  // namespace dosar::exchange
