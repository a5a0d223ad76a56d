// Tools to build tampered copies of signed PDFs for the attack tests. They
// work on bytes, knowing only the layout Dosar and qpdf write; they assume a
// well-formed input and abort the test (assert) otherwise.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dosar::testing::tamper {

struct SignatureParts {
  std::vector<long long> byte_range;
  std::size_t byte_range_at = 0;      // offset of the '[' of the ByteRange array
  std::size_t byte_range_length = 0;  // through the ']' and the padding spaces after it
  std::string signed_bytes;           // the two ranges, concatenated
  std::string cms;                    // the DER in /Contents without its zero padding
};

// The index-th signature dictionary in file order.
SignatureParts split_signature(const std::string& pdf, std::size_t index);

// Rewrites the ByteRange of the index-th signature in place (same length).
std::string with_byte_range(const std::string& pdf, std::size_t index, const std::vector<long long>& range);

// The text between "N 0 obj" and "endobj" of the last definition of object N.
std::string last_object(const std::string& pdf, int number);

// The object number of the last object whose dictionary has /Type /Page.
int last_page_object(const std::string& pdf);

// The trailer's /Size: the next free object number.
int next_object_number(const std::string& pdf);

// Appends an incremental update (classic xref table, /Prev) that defines
// the given objects ("<< ... >>" or "<< ... >>\nstream\n...\nendstream").
std::string append_update(const std::string& pdf, const std::map<int, std::string>& objects);

// Hex-encodes bytes, upper case.
std::string hex(const std::string& bytes);

}  // namespace dosar::testing::tamper
