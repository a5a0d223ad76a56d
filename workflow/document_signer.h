// How an approval becomes a signature. Approval flows call this interface;
// the CLI wires an implementation. The PAdES signer (signing/) will be one;
// until then UnsignedApprovalRecorder records the approval as a new version
// without any cryptographic signature, and says so.
#pragma once

#include <string>

#include "base/result.h"
#include "storage/catalog.h"

namespace dosar::workflow {

struct SigningRequest {
  DocumentId document = 0;
  int version = 0;           // the version approved
  std::string signer;        // the user who approves
  std::string on_behalf_of;  // the head a deputy acts for; empty otherwise
  std::string reason;        // "aprobare: pasul «verificare»"
};

struct SignedVersion {
  int version = 0;             // the new version carrying the approval
  bool cryptographic = false;  // false: recorded only, no signature in the file
  std::string note;            // what was done, for the user
};

class DocumentSigner {
 public:
  virtual ~DocumentSigner() = default;
  // Makes a new version of `request.document` that carries the approval of
  // `request.version`. Errors: not_found, io, and the signer's own.
  virtual Result<SignedVersion> sign(const SigningRequest& request) = 0;
};

// Records the approval as a new version with the same bytes and a comment
// naming signer, deputy and step. It does NOT sign: `cryptographic` is false
// and `note` says so. REQUIRES: `catalog` outlives it.
class UnsignedApprovalRecorder final : public DocumentSigner {
 public:
  explicit UnsignedApprovalRecorder(Catalog& catalog) : catalog_(catalog) {}
  Result<SignedVersion> sign(const SigningRequest& request) override;

 private:
  Catalog& catalog_;
};

}  // namespace dosar::workflow
