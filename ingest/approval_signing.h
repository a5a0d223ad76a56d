// Approvals that are signatures: the PAdES implementation of
// workflow::DocumentSigner, and the signing keys the server keeps for the
// people who approve from the web pages. (workflow/ never includes
// signing/; this adapter joins them.)
#pragma once

#include <filesystem>
#include <string>

#include "base/result.h"
#include "signing/pades.h"
#include "storage/archive_store.h"
#include "workflow/document_signer.h"

namespace dosar {

// Signs the version under approval with `key`; the signed PDF becomes the
// document's new version. Refuses (conflict) when that version is no longer
// the current one. The reason defaults to the step's, "în numele lui …"
// added for a deputy.
class PadesApprovalSigner final : public workflow::DocumentSigner {
 public:
  // REQUIRES: `archive` outlives the signer.
  PadesApprovalSigner(ArchiveStore& archive, signing::SigningKey key, signing::SignOptions options)
      : archive_(archive), key_(std::move(key)), options_(std::move(options)) {}
  Result<workflow::SignedVersion> sign(const workflow::SigningRequest& request) override;

 private:
  ArchiveStore& archive_;
  signing::SigningKey key_;
  signing::SignOptions options_;
};

// A user's signing key as the server keeps it, under ARCHIVE/keys/ (mode
// 0700): a PKCS#12 file copied there (it stays encrypted; only its password,
// the user's PIN, unlocks it), or the RFC 7512 URI of a key on a PKCS#11
// token (the key never leaves the token). PINs are never stored.
// `key` is a .p12 path or a "pkcs11:" URI. Errors: not_found (user or file),
// invalid_argument, io.
Status store_user_signing_key(ArchiveStore& archive, const std::string& user, const std::string& key,
                              const std::filesystem::path& chain_file, const std::string& actor);
// Errors: not_found (the user has no key on the server), permission (wrong
// PIN), and those of signing::SigningKey.
Result<signing::SigningKey> load_user_signing_key(const ArchiveStore& archive, const std::string& user,
                                                  const std::string& pin);

}  // namespace dosar
