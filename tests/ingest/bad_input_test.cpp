// Broken and hostile inputs: every file in tests/data/bad/ against its row in
// expected.tsv, the whole folder as one batch, and each IngestLimits field at
// its limit and at limit + 1. A bad input must be reported naming the file and
// must leave what the archive already holds untouched.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <ostream>

#include "base/sha256.h"
#include "ingest/ingester.h"
#include "ingest/pdf_text.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const fs::path kBadDir = fs::path(DOSAR_TEST_DATA) / "bad";
constexpr const char* kTableName = "expected.tsv";

// One row of expected.tsv.
struct BadInput {
  std::string file;
  std::string status;    // "rejected" or "stored"
  std::string code;      // as error_code_name() prints it; "-" when stored
  std::string fragment;  // in the error message, or in a warning when stored; "-": nothing to check
};

// Names the row in failure messages instead of dumping its bytes.
void PrintTo(const BadInput& row, std::ostream* os) {
  *os << row.file;
}

struct BadInputTable {
  std::vector<BadInput> rows;
  std::vector<std::string> problems;  // malformed lines, unreadable file
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// Read once: the parameterized suite is instantiated from it before main().
const BadInputTable& bad_input_table() {
  static const BadInputTable table = [] {
    BadInputTable t;
    std::ifstream in(kBadDir / kTableName, std::ios::binary);
    if (!in) {
      t.problems.push_back("cannot read " + (kBadDir / kTableName).string());
      return t;
    }
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> f = split_tabs(line);
      bool stored = f.size() == 4 && f[1] == "stored";
      bool rejected = f.size() == 4 && f[1] == "rejected";
      if (f.size() != 4 || f[0].empty() || (!stored && !rejected) || (stored != (f[2] == "-")) ||
          f[3].empty()) {
        t.problems.push_back("line " + std::to_string(number) + ": " + line);
        continue;
      }
      t.rows.push_back({f[0], f[1], f[2], f[3]});
    }
    return t;
  }();
  return table;
}

const BadInput* find_row(const std::string& file) {
  for (const BadInput& row : bad_input_table().rows)
    if (row.file == file) return &row;
  return nullptr;
}

// For failure messages: the error of an item, if it has one.
std::string why(const IngestItem& item) {
  return item.error ? item.error->to_string() : std::string("no error");
}

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

bool any_contains(const std::vector<std::string>& texts, const std::string& fragment) {
  for (const std::string& text : texts)
    if (contains(text, fragment)) return true;
  return false;
}

// An archive that already holds one good document, which no bad input may disturb.
class ArchiveWithGoodDocument : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::move(ArchiveStore::create(dir_ / "archive")).value();
    options_.actor = "ana";
    good_pdf_ = testing::make_text_pdf({"Dosar bun, care nu trebuie atins"});
    testing::write_file(dir_ / "good/good.pdf", good_pdf_);
    auto items = ingest({dir_ / "good/good.pdf"});
    ASSERT_EQ(items.size(), 1u);
    ASSERT_EQ(items[0].status, IngestStatus::stored);
    good_id_ = items[0].document_id;
  }

  std::vector<IngestItem> ingest(const std::vector<fs::path>& inputs) {
    std::vector<IngestItem> items;
    auto ingester = Ingester::create(*archive_, options_);
    EXPECT_TRUE(ingester.ok()) << ingester.error().to_string();
    if (!ingester.ok()) return items;
    Status status = (*ingester)->ingest(inputs, [&](const IngestItem& i) { items.push_back(i); });
    EXPECT_TRUE(status.ok()) << status.error().to_string();
    return items;
  }

  std::size_t document_count() const { return archive_->catalog().documents()->size(); }

  // The good document still has one version whose original rehashes to the
  // bytes ingested, the spool is empty, and a full check finds no error.
  void expect_good_document_untouched() const {
    auto versions = archive_->catalog().versions(good_id_);
    ASSERT_TRUE(versions.ok()) << versions.error().to_string();
    ASSERT_EQ(versions->size(), 1u);
    EXPECT_EQ(versions->front().original_blob_id, sha256_hex(good_pdf_));
    auto bytes = archive_->blobs().read(versions->front().original_blob_id, Verify::hash);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(*bytes, good_pdf_);
    EXPECT_TRUE(fs::is_empty(archive_->spool_dir())) << "a rejected input left a staged file";
    auto report = check_archive(*archive_, CheckDepth::full, nullptr);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    for (const CheckFinding& f : report->findings)
      if (f.severity == CheckFinding::Severity::error) ADD_FAILURE() << f.subject << ": " << f.message;
    EXPECT_FALSE(report->has_errors());
  }

  // Rejected with `code`, naming `file` as the subject, the message holding `fragment`.
  static void expect_rejected(const IngestItem& item, const fs::path& file, ErrorCode code,
                              const std::string& fragment) {
    EXPECT_EQ(item.path, file.string());
    ASSERT_EQ(item.status, IngestStatus::rejected);
    ASSERT_TRUE(item.error.has_value());
    EXPECT_EQ(item.error->code, code) << item.error->to_string();
    EXPECT_EQ(item.error->subject, file.string());
    EXPECT_TRUE(contains(item.error->message, fragment))
        << "message \"" << item.error->message << "\" lacks \"" << fragment << "\"";
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
  IngestOptions options_;
  std::string good_pdf_;
  DocumentId good_id_ = 0;
};

TEST(BadInputTable, IsWellFormedAndHasOneRowPerFileInTheFolder) {
  const BadInputTable& table = bad_input_table();
  EXPECT_TRUE(table.problems.empty()) << table.problems.front();
  ASSERT_FALSE(table.rows.empty());
  std::map<std::string, int> rows;
  for (const BadInput& row : table.rows) ++rows[row.file];
  for (const auto& [file, count] : rows) {
    EXPECT_EQ(count, 1) << file << " has more than one row";
    EXPECT_TRUE(fs::is_regular_file(kBadDir / file)) << file << " is in the table but not in the folder";
  }
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    std::string name = entry.path().filename().string();
    if (name != kTableName) {
      EXPECT_EQ(rows.count(name), 1u) << name << " has no row in " << kTableName;
    }
  }
}

class BadInputFile : public ArchiveWithGoodDocument, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadInputFile, MeetsExpectedOutcomeAndLeavesArchiveIntact) {
  const BadInput& row = GetParam();
  const fs::path file = kBadDir / row.file;
  auto items = ingest({file});
  ASSERT_EQ(items.size(), 1u);
  const IngestItem& item = items[0];
  EXPECT_EQ(item.path, file.string());
  EXPECT_EQ(ingest_status_name(item.status), row.status) << why(item);
  if (row.status == "rejected") {
    ASSERT_TRUE(item.error.has_value());
    EXPECT_EQ(error_code_name(item.error->code), row.code) << item.error->to_string();
    EXPECT_EQ(item.error->subject, file.string()) << "the error must name the file exactly";
    EXPECT_TRUE(contains(item.error->to_string(), row.file));
    if (row.fragment != "-") {
      EXPECT_TRUE(contains(item.error->message, row.fragment))
          << "message \"" << item.error->message << "\" lacks \"" << row.fragment << "\"";
    }
    EXPECT_EQ(document_count(), 1u);
  } else {
    ASSERT_EQ(item.status, IngestStatus::stored);
    EXPECT_FALSE(item.error.has_value());
    auto version = archive_->catalog().version(item.document_id, 1);
    ASSERT_TRUE(version.ok()) << version.error().to_string();
    EXPECT_EQ(version->original_name, row.file);
    if (row.fragment != "-") {
      EXPECT_TRUE(any_contains(item.warnings, row.fragment)) << "no reported warning holds the fragment";
      EXPECT_TRUE(any_contains(version->warnings, row.fragment))
          << "the warning is not stored with the version";
    }
    EXPECT_EQ(document_count(), 2u);
  }
  expect_good_document_untouched();
}

std::string test_name_for(const ::testing::TestParamInfo<BadInput>& info) {
  std::string name;
  for (unsigned char c : info.param.file) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum)
      name += static_cast<char>(c);
    else if (!name.empty() && name.back() != '_')
      name += '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(BadInput, BadInputFile, ::testing::ValuesIn(bad_input_table().rows), test_name_for);

using BadInputFolder = ArchiveWithGoodDocument;

TEST_F(BadInputFolder, StoresGoodFilesAndRejectsEveryBadOneInOneBatch) {
  options_.jobs = 3;  // parallel preparation must not change any outcome
  auto items = ingest({kBadDir});
  const std::vector<BadInput>& rows = bad_input_table().rows;
  ASSERT_EQ(items.size(), rows.size() + 1) << "every file, the table included, is reported once";
  std::size_t stored = 0;
  for (const IngestItem& item : items) {
    const std::string name = fs::path(item.path).filename().string();
    if (name == kTableName) {  // the table itself is text: one more bad input
      expect_rejected(item, kBadDir / kTableName, ErrorCode::unsupported, "not an accepted type");
      continue;
    }
    const BadInput* row = find_row(name);
    ASSERT_NE(row, nullptr) << name;
    EXPECT_EQ(ingest_status_name(item.status), row->status) << why(item);
    if (row->status == "stored") {
      ++stored;
    } else {
      ASSERT_TRUE(item.error.has_value()) << name;
      EXPECT_EQ(error_code_name(item.error->code), row->code) << item.error->to_string();
      EXPECT_EQ(item.error->subject, item.path);
    }
  }
  EXPECT_GT(stored, 0u);
  EXPECT_EQ(document_count(), 1 + stored);
  expect_good_document_untouched();
}

using BadInputLimits = ArchiveWithGoodDocument;

TEST_F(BadInputLimits, AcceptsFileOfExactlyMaxFileBytes) {
  std::string pdf = testing::make_text_pdf({"la limită"});
  testing::write_file(dir_ / "in/limit.pdf", pdf);
  options_.limits.max_file_bytes = pdf.size();
  auto items = ingest({dir_ / "in/limit.pdf"});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].status, IngestStatus::stored) << why(items[0]);
}

TEST_F(BadInputLimits, RejectsFileOfMaxFileBytesPlusOne) {
  std::string pdf = testing::make_text_pdf({"peste limită"});
  testing::write_file(dir_ / "in/over.pdf", pdf);
  options_.limits.max_file_bytes = pdf.size() - 1;
  auto items = ingest({dir_ / "in/over.pdf"});
  ASSERT_EQ(items.size(), 1u);
  expect_rejected(items[0], dir_ / "in/over.pdf", ErrorCode::limit_exceeded,
                  "file has " + std::to_string(pdf.size()) + " bytes, more than the limit of " +
                      std::to_string(pdf.size() - 1));
  expect_good_document_untouched();
}

TEST_F(BadInputLimits, AcceptsPdfOfExactlyMaxPdfPages) {
  testing::write_file(dir_ / "in/two.pdf", testing::make_text_pdf({"unu", "doi"}));
  options_.limits.max_pdf_pages = 2;
  auto items = ingest({dir_ / "in/two.pdf"});
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].status, IngestStatus::stored) << why(items[0]);
  EXPECT_EQ(items[0].page_count, 2);
}

TEST_F(BadInputLimits, RejectsPdfOfMaxPdfPagesPlusOne) {
  testing::write_file(dir_ / "in/three.pdf", testing::make_text_pdf({"unu", "doi", "trei"}));
  options_.limits.max_pdf_pages = 2;
  auto items = ingest({dir_ / "in/three.pdf"});
  ASSERT_EQ(items.size(), 1u);
  expect_rejected(items[0], dir_ / "in/three.pdf", ErrorCode::limit_exceeded,
                  "PDF has 3 pages, more than the limit of 2");
  expect_good_document_untouched();
}

// A one-page sample PDF has objects 1..6 and an xref /Size of 7.
TEST_F(BadInputLimits, AcceptsPdfAtMaxObjectNumberAndRejectsOneAbove) {
  std::string pdf = testing::make_text_pdf({"unu"});
  ASSERT_EQ(highest_object_number(pdf), 7);
  testing::write_file(dir_ / "in/a.pdf", pdf);
  options_.limits.max_pdf_object_number = 7;
  auto accepted = ingest({dir_ / "in/a.pdf"});
  ASSERT_EQ(accepted[0].status, IngestStatus::stored) << why(accepted[0]);
  testing::write_file(dir_ / "in/b.pdf", testing::make_text_pdf({"doi"}));
  options_.limits.max_pdf_object_number = 6;
  auto rejected = ingest({dir_ / "in/b.pdf"});
  expect_rejected(rejected[0], dir_ / "in/b.pdf", ErrorCode::limit_exceeded,
                  "PDF names object 7, beyond the limit of 6 objects");
  expect_good_document_untouched();
}

// The number of bytes of text Poppler extracts from `pdf`.
std::size_t extracted_text_bytes(const std::string& pdf) {
  auto text = extract_pdf_text_from_memory(pdf, "sample", PdfLimits{});
  EXPECT_TRUE(text.ok()) << text.error().to_string();
  return text.ok() ? text->text.size() : 0;
}

TEST_F(BadInputLimits, AcceptsPdfWhoseTextIsExactlyMaxTextBytes) {
  std::string pdf = testing::make_text_pdf({"Proces-verbal al ședinței", "Anexa 1"});
  testing::write_file(dir_ / "in/text.pdf", pdf);
  options_.limits.max_text_bytes = extracted_text_bytes(pdf);
  ASSERT_GT(options_.limits.max_text_bytes, 0u);
  auto items = ingest({dir_ / "in/text.pdf"});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].status, IngestStatus::stored) << why(items[0]);
}

TEST_F(BadInputLimits, RejectsPdfWhoseTextIsMaxTextBytesPlusOne) {
  std::string pdf = testing::make_text_pdf({"Proces-verbal al ședinței", "Anexa 1"});
  testing::write_file(dir_ / "in/text.pdf", pdf);
  std::size_t text_bytes = extracted_text_bytes(pdf);
  ASSERT_GT(text_bytes, 0u);
  options_.limits.max_text_bytes = text_bytes - 1;
  auto items = ingest({dir_ / "in/text.pdf"});
  ASSERT_EQ(items.size(), 1u);
  expect_rejected(items[0], dir_ / "in/text.pdf", ErrorCode::limit_exceeded,
                  "PDF text is larger than the limit of " + std::to_string(text_bytes - 1) + " bytes");
  expect_good_document_untouched();
}

// Depth counts folders below the input: in/ is 0, in/a 1, in/a/b 2.
TEST_F(BadInputLimits, WalksFolderAtExactlyMaxFolderDepth) {
  testing::write_file(dir_ / "in/a/b/deep.pdf", testing::make_text_pdf({"adânc"}));
  options_.limits.max_folder_depth = 2;
  auto items = ingest({dir_ / "in"});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].path, (dir_ / "in/a/b/deep.pdf").string());
  EXPECT_EQ(items[0].status, IngestStatus::stored) << why(items[0]);
}

TEST_F(BadInputLimits, RejectsFolderAtMaxFolderDepthPlusOneAndGoesOn) {
  testing::write_file(dir_ / "in/a/b/ok.pdf", testing::make_text_pdf({"la limită"}));
  testing::write_file(dir_ / "in/a/b/c/too_deep.pdf", testing::make_text_pdf({"prea adânc"}));
  options_.limits.max_folder_depth = 2;
  auto items = ingest({dir_ / "in"});
  ASSERT_EQ(items.size(), 2u);
  expect_rejected(items[0], dir_ / "in/a/b/c", ErrorCode::limit_exceeded,
                  "folders nested deeper than 2 levels");
  EXPECT_EQ(items[1].path, (dir_ / "in/a/b/ok.pdf").string());
  EXPECT_EQ(items[1].status, IngestStatus::stored);
  expect_good_document_untouched();
}

}  // namespace
}  // namespace dosar
