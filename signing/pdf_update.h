// The incremental update that adds a signature to a PDF (internal to signing/).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace dosar::signing {

struct SignatureUpdate {
  std::string reason;
  std::string signing_time_pdf;  // "D:20261123131500+00'00'"
  std::size_t contents_reserve = 16384;
  bool cades = true;  // /SubFilter ETSI.CAdES.detached, else adbe.pkcs7.detached
  // A document timestamp (PAdES B-LTA): /Type /DocTimeStamp, /SubFilter
  // /ETSI.RFC3161, no /M or /Reason; /Contents will hold an RFC 3161 token.
  bool document_timestamp = false;
  // A certification signature with this DocMDP /P (1 or 2): a /Reference
  // with the DocMDP transform, and the catalog's /Perms /DocMDP naming it.
  int certify = 0;
  // A visible stamp with these lines at (x, y) points on page `page`
  // (1-based); empty: an invisible signature on page 1.
  std::vector<std::string> stamp_lines;
  int page = 1;
  double x = 0, y = 0;
};

// The original bytes followed by one incremental update with a signature
// dictionary whose /Contents is a zero-filled placeholder and whose
// /ByteRange already names the final ranges.
struct PreparedPdf {
  std::string bytes;
  std::size_t contents_begin = 0;  // offset of the '<' of /Contents
  std::size_t contents_end = 0;    // offset just past its '>'
};

// Errors: invalid_argument (not a PDF qpdf reads without repair), unsupported
// (encrypted, no pages, larger than 4 GiB).
Result<PreparedPdf> prepare_signature_update(std::string_view pdf, const SignatureUpdate& update);

// Writes the DER of a CMS into the placeholder. Errors: limit_exceeded.
Status fill_signature_contents(PreparedPdf& prepared, std::string_view cms_der);

// Validation data for long-term validation (PAdES B-LT): certificates,
// CRLs and OCSP responses, DER.
struct DssContent {
  std::vector<std::string> certificates;
  std::vector<std::string> crls;
  std::vector<std::string> ocsp_responses;
  std::string vri_key;  // upper-case hex SHA-1 of the signature's /Contents bytes
};

// Appends one incremental update with a /DSS dictionary (the existing one's
// entries kept) holding `dss`, and the catalog pointing to it.
// Errors: invalid_argument.
Result<std::string> append_dss_update(std::string_view pdf, const DssContent& dss);

}  // namespace dosar::signing
