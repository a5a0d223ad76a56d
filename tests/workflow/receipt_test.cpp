#include "workflow/receipt.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace dosar::workflow {
namespace {

Receipt sample() {
  return {"Primăria Sectorului 2",
          "intrare (incoming)",
          "12/22.11.2026",
          "22.11.2026 10:15:00",
          "Cerere privind reparația șoselei Ștefan cel Mare",
          "petiție",
          "22.12.2026",
          "K7QM4XZ2PA"};
}

TEST(Receipt, WritesAOnePagePdfWithTheFontEmbedded) {
  testing::TempDir dir;
  ASSERT_TRUE(write_receipt_pdf(sample(), dir / "r.pdf").ok());
  std::string pdf = testing::read_file(dir / "r.pdf");
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf.find("/Count 1"), std::string::npos);
  EXPECT_NE(pdf.find("DejaVuSans"), std::string::npos);
  EXPECT_NE(pdf.find("/FontFile2"), std::string::npos);  // embedded TrueType
}

TEST(Receipt, AnUnwritablePathIsAnIoErrorNamingTheFile) {
  auto written = write_receipt_pdf(sample(), "/nonexistent-dir/r.pdf");
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::io);
  EXPECT_EQ(written.error().subject, "/nonexistent-dir/r.pdf");
}

}  // namespace
}  // namespace dosar::workflow
