// Fuzz target: the revocation evidence read from inside a CMS
// (signing/cms_revocation_info.h): SignedData.crls and the DER walk of the
// signed attribute adbe-revocationInfoArchival, on arbitrary CMS bytes.
// Every item returned must be a piece of the input, never more.
#include <openssl/cms.h>

#include <cstddef>
#include <cstdint>

#include "signing/cms_revocation_info.h"
#include "signing/openssl_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const unsigned char* p = data;
  dosar::signing::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(size)));
  ERR_clear_error();
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) return 0;
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(signers) < 1) return 0;
  const auto found =
      dosar::signing::with_cms_revocation_info(cms.get(), sk_CMS_SignerInfo_value(signers, 0), {});
  for (const auto* list : {&found.crls, &found.ocsp_responses})
    for (const auto& der : *list)
      if (der.size() > size) __builtin_trap();
  return 0;
}
