// The audit record format is frozen per version: a golden file pins the
// exact bytes hashed (docs/formats/audit-chain.md).
#include "storage/audit_chain.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

AuditRecord golden_record() {
  AuditRecord r;
  r.seq = 7;
  r.at = "2026-11-23T09:28:38.000000Z";
  r.actor = "ana.popescu";
  r.action = "document.create";
  r.document_id = 12;
  r.detail = R"({"name":"cerere ședință.pdf","version":1})";
  r.prev_hash = "3f0c8b6c4c7a1f9e2b5d8a7c6e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f";
  return r;
}

TEST(AuditChain, HashInputMatchesGoldenFileByteForByte) {
  std::string golden = testing::read_file(std::string(DOSAR_TEST_DATA) + "/formats/audit-v1.input");
  EXPECT_EQ(audit_hash_input(golden_record()), golden);
}

TEST(AuditChain, HashMatchesGoldenDigest) {
  std::string digest = testing::read_file(std::string(DOSAR_TEST_DATA) + "/formats/audit-v1.sha256");
  EXPECT_EQ(audit_row_hash(golden_record()) + "\n", digest);
}

TEST(AuditChain, FieldBoundariesCannotBeShifted) {
  AuditRecord a = golden_record(), b = golden_record();
  a.actor = "ana";
  a.action = "x.y";
  b.actor = "ana\n";
  b.action = "x.y";
  EXPECT_NE(audit_row_hash(a), audit_row_hash(b));
  a = golden_record();
  b = golden_record();
  a.document_id.reset();
  b.document_id = 0;
  EXPECT_NE(audit_row_hash(a), audit_row_hash(b)) << "no document and document 0 differ";
}

}  // namespace
}  // namespace dosar
