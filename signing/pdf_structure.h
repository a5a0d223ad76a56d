// What the validator reads from a PDF's structure (internal to signing/):
// revisions, signature dictionaries, and the changes between revisions.
#pragma once

#include <cstddef>
#include <qpdf/QPDFObjectHandle.hh>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "signing/pades.h"

namespace dosar::signing {

struct FoundSignature {
  std::string field;  // /T of the field
  int object = 0;     // object number of the signature dictionary
  int generation = 0;
  std::string type;                   // "Sig" or "DocTimeStamp"
  std::string sub_filter;             // without the slash
  std::vector<long long> byte_range;  // empty when absent or not four integers
  std::string contents;               // /Contents decoded; empty when absent
  std::string claimed_time;           // /M as written
  // A certification signature (DocMDP, ISO 32000 12.8.2.2): the changes it
  // permits afterwards, 1 (none), 2 (form filling and signing) or 3 (also
  // annotations); 0 for an approval signature. Read from the catalog's
  // /Perms /DocMDP naming this dictionary, and its /Reference /TransformParams.
  int docmdp = 0;

  // The offset just past what the signature covers; 0 when /ByteRange is unusable.
  long long covered_end() const { return byte_range.size() == 4 ? byte_range[2] + byte_range[3] : 0; }
};

// The DocMDP /P of a certification signature dictionary (its /Reference
// with the DocMDP transform): 2 when absent, 1 when out of range.
int docmdp_permissions(QPDFObjectHandle signature);

// The document security store (PAdES B-LT): validation data, DER.
struct DssData {
  std::vector<std::string> certificates;
  std::vector<std::string> crls;
  std::vector<std::string> ocsp_responses;
  std::vector<std::string> vri_keys;  // upper case
};

// The /DSS of the latest revision; empty when there is none or it cannot be read.
DssData read_dss(std::string_view pdf);

// Offsets just past each "%%EOF" marker and the end-of-line after it: the
// ends of the revisions, in order. A signed revision must end at one.
std::vector<std::size_t> revision_ends(std::string_view pdf);

// Every signature field with a value, in the order of /AcroForm /Fields.
// Errors: invalid_argument (qpdf cannot read the document without repair),
// unsupported (encrypted).
Result<std::vector<FoundSignature>> find_signatures(std::string_view pdf);

// The first problem with the ByteRange of `signature` against `pdf`, in
// words; "" when it covers exactly one revision but its /Contents hex string.
// On success sets `revision` (1-based).
std::string check_byte_range(std::string_view pdf, const FoundSignature& signature,
                             const std::vector<std::size_t>& ends, int& revision);

// The changes revision `revision` (1-based, >= 2) made to the one before it,
// classified allowed or not; a revision qpdf cannot read is one disallowed change.
std::vector<Change> revision_changes(std::string_view pdf, const std::vector<std::size_t>& ends,
                                     int revision);

}  // namespace dosar::signing
