#include "workflow/document_signer.h"

namespace dosar::workflow {

Result<SignedVersion> UnsignedApprovalRecorder::sign(const SigningRequest& r) {
  auto approved = catalog_.version(r.document, r.version);
  if (!approved.ok()) return approved.error();
  NewVersion copy;
  copy.original_blob_id = approved->original_blob_id;
  copy.original_name = approved->original_name;
  copy.mime_type = approved->mime_type;
  copy.size = approved->size;
  copy.page_count = approved->page_count;
  copy.ocr_confidence = approved->ocr_confidence;
  copy.derived = approved->derived;
  copy.warnings = approved->warnings;
  copy.pages = approved->pages;
  copy.comment = r.reason + " — aprobat de " + r.signer +
                 (r.on_behalf_of.empty() ? "" : " în numele lui " + r.on_behalf_of) + " (versiunea " +
                 std::to_string(r.version) + "); FĂRĂ semnătură electronică";
  const std::string author = r.on_behalf_of.empty() ? r.signer : r.signer + " pentru " + r.on_behalf_of;
  auto added = catalog_.add_version(r.document, copy, author);
  if (!added.ok()) return added.error();
  return SignedVersion{added->number, false,
                       "approval recorded as version " + std::to_string(added->number) +
                           " WITHOUT a cryptographic signature (no signer configured)"};
}

}  // namespace dosar::workflow
