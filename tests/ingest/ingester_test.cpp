#include "ingest/ingester.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "base/sha256.h"
#include "ingest/archive_index.h"
#include "ingest/derivation_runner.h"
#include "ingest/pdf_text.h"
#include "tests/support/fault_server.h"
#include "tests/support/s3rver.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class IngesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::move(ArchiveStore::create(dir_ / "archive")).value();
    options_.actor = "ana";
  }

  std::vector<IngestItem> ingest(const std::vector<fs::path>& inputs) {
    auto ingester = Ingester::create(*archive_, options_);
    EXPECT_TRUE(ingester.ok());
    std::vector<IngestItem> items;
    Status status = (*ingester)->ingest(inputs, [&](const IngestItem& i) { items.push_back(i); });
    EXPECT_TRUE(status.ok()) << status.error().to_string();
    return items;
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> archive_;
  IngestOptions options_;
};

TEST_F(IngesterTest, StoresPdfWithExactRomanianTextAsDerivedBlob) {
  std::string page1 = "Anchetă socială privind copiii\nŞcoala ţine de ţară, școala ține de țară";
  testing::write_file(dir_ / "in/cerere ședință.pdf", testing::make_text_pdf({page1, "Pagina doi"}));
  auto items = ingest({dir_ / "in/cerere ședință.pdf"});
  ASSERT_EQ(items.size(), 1u);
  ASSERT_EQ(items[0].status, IngestStatus::stored) << items[0].error->to_string();
  auto version = archive_->catalog().version(items[0].document_id, 1);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->original_name, "cerere ședință.pdf");
  EXPECT_EQ(version->mime_type, "application/pdf");
  EXPECT_EQ(version->page_count, 2);
  ASSERT_EQ(version->derived.size(), 1u);
  auto text = archive_->blobs().read(version->derived[0].blob_id, Verify::hash);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("Anchetă socială privind copiii"), std::string::npos) << *text;
  EXPECT_NE(text->find("Şcoala ţine de ţară, școala ține de țară"), std::string::npos) << *text;
  EXPECT_NE(text->find("\fPagina doi"), std::string::npos) << "pages separated by form feed";
  EXPECT_EQ(archive_->catalog().document(items[0].document_id)->title, "cerere ședință");
}

TEST_F(IngesterTest, SeparatesPdfPagesByOneFormFeedAndDoesNotOcrTextPages) {
  testing::write_file(dir_ / "three.pdf", testing::make_text_pdf({"unu", "doi", "trei"}));
  auto items = ingest({dir_ / "three.pdf"});
  ASSERT_EQ(items[0].status, IngestStatus::stored);
  auto version = archive_->catalog().version(items[0].document_id, 1);
  EXPECT_FALSE(version->ocr_confidence.has_value()) << "born-digital pages are not OCRed";
  ASSERT_EQ(version->pages.size(), 3u);
  for (const PageInfo& page : version->pages) EXPECT_EQ(page.text_source, "text-layer");
  auto text = archive_->blobs().read(version->derived[0].blob_id, Verify::hash);
  EXPECT_EQ(std::count(text->begin(), text->end(), '\f'), 2) << *text;
}

TEST_F(IngesterTest, OcrsScannedImageIntoSearchableText) {
  auto items = ingest({fs::path(DOSAR_SOURCE_DIR) / "samples/documents/scan-200dpi.tif"});
  ASSERT_EQ(items[0].status, IngestStatus::stored) << items[0].error->to_string();
  auto version = archive_->catalog().version(items[0].document_id, 1);
  ASSERT_TRUE(version->ocr_confidence.has_value());
  EXPECT_GT(*version->ocr_confidence, 80);
  ASSERT_EQ(version->pages.size(), 1u);
  EXPECT_EQ(version->pages[0].text_source, "ocr");
  EXPECT_NEAR(version->pages[0].deskew_degrees, -0.8, 0.2) << "s06 is skewed by -0.8 degrees (manifest.tsv)";
  std::map<std::string, std::string> derived;
  for (const auto& d : version->derived) derived[d.kind] = d.blob_id;
  ASSERT_EQ(derived.size(), 2u) << "text and searchable PDF";
  ASSERT_TRUE(derived.count("searchable-pdf"));
  auto pdf = archive_->blobs().read(derived["searchable-pdf"], Verify::hash);
  ASSERT_TRUE(pdf.ok());
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  auto text = archive_->blobs().read(derived["text"], Verify::hash);
  // A phrase from the page's ground truth (shared corpus s06).
  std::string truth = testing::read_file(std::string(DOSAR_TEST_DATA) + "/scans/s06.gt.txt");
  std::string first_words = truth.substr(0, truth.find(' ', 20));
  EXPECT_NE(text->find(first_words), std::string::npos) << "expected '" << first_words << "' in:\n" << *text;
}

TEST_F(IngesterTest, KeepsOriginalBytesIdentical) {
  std::string pdf = testing::make_text_pdf({"original"});
  testing::write_file(dir_ / "a.pdf", pdf);
  auto items = ingest({dir_ / "a.pdf"});
  auto version = archive_->catalog().version(items[0].document_id, 1);
  EXPECT_EQ(version->original_blob_id, sha256_hex(pdf));
  EXPECT_EQ(*archive_->blobs().read(version->original_blob_id, Verify::hash), pdf);
}

TEST_F(IngesterTest, ReportsSecondCopyAsDuplicateOfFirst) {
  std::string pdf = testing::make_text_pdf({"once"});
  testing::write_file(dir_ / "a.pdf", pdf);
  testing::write_file(dir_ / "copy of a.pdf", pdf);
  auto items = ingest({dir_ / "a.pdf", dir_ / "copy of a.pdf"});
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].status, IngestStatus::stored);
  EXPECT_EQ(items[1].status, IngestStatus::duplicate);
  EXPECT_EQ(items[1].document_id, items[0].document_id);
  EXPECT_EQ(archive_->catalog().documents()->size(), 1u);
}

TEST_F(IngesterTest, WalksFoldersRecursivelyInNameOrder) {
  testing::write_file(dir_ / "in/b/2.pdf", testing::make_text_pdf({"two"}));
  testing::write_file(dir_ / "in/a.pdf", testing::make_text_pdf({"one"}));
  testing::write_file(dir_ / "in/b/c/3.pdf", testing::make_text_pdf({"three"}));
  auto items = ingest({dir_ / "in"});
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(fs::path(items[0].path).filename(), "a.pdf");
  EXPECT_EQ(fs::path(items[1].path).filename(), "2.pdf");
  EXPECT_EQ(fs::path(items[2].path).filename(), "3.pdf");
  for (const auto& i : items) EXPECT_EQ(i.status, IngestStatus::stored);
}

TEST_F(IngesterTest, ReportsSymlinkLoopAndGoesOn) {
  testing::write_file(dir_ / "in/sub/ok.pdf", testing::make_text_pdf({"ok"}));
  fs::create_directory_symlink(dir_ / "in", dir_ / "in/sub/back");
  auto items = ingest({dir_ / "in"});
  bool loop = false, stored = false;
  for (const auto& i : items) {
    if (i.status == IngestStatus::rejected && i.error->message.find("loop") != std::string::npos) loop = true;
    if (i.status == IngestStatus::stored) stored = true;
  }
  EXPECT_TRUE(loop);
  EXPECT_TRUE(stored);
}

TEST_F(IngesterTest, RejectsFifoAndDanglingLinkWithoutBlocking) {
  fs::create_directories(dir_ / "in");
  ASSERT_EQ(::mkfifo((dir_ / "in/scanner.pdf").c_str(), 0600), 0);
  fs::create_symlink(dir_ / "gone.pdf", dir_ / "in/link.pdf");
  auto items = ingest({dir_ / "in/scanner.pdf", dir_ / "in/link.pdf"});
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].status, IngestStatus::rejected);
  EXPECT_NE(items[0].error->message.find("not a regular file"), std::string::npos);
  EXPECT_EQ(items[1].status, IngestStatus::rejected);
  EXPECT_NE(items[1].error->message.find("symbolic link"), std::string::npos);
}

TEST_F(IngesterTest, ParallelPreparationReportsInInputOrder) {
  options_.jobs = 4;
  std::vector<fs::path> inputs;
  for (int i = 0; i < 30; ++i) {
    fs::path p = dir_ / ("in/f" + std::to_string(i) + ".pdf");
    testing::write_file(p, testing::make_text_pdf({"document " + std::to_string(i)}));
    inputs.push_back(p);
  }
  auto items = ingest(inputs);
  ASSERT_EQ(items.size(), 30u);
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].path, inputs[i].string());
    EXPECT_EQ(items[i].status, IngestStatus::stored);
    EXPECT_EQ(items[i].document_id, static_cast<DocumentId>(i + 1));
  }
  EXPECT_TRUE(fs::is_empty(dir_ / "archive/spool"));
}

TEST_F(IngesterTest, AddsVersionAndRefusesIdenticalOne) {
  testing::write_file(dir_ / "v1.pdf", testing::make_text_pdf({"versiunea 1"}));
  testing::write_file(dir_ / "v2.pdf", testing::make_text_pdf({"versiunea 2"}));
  auto items = ingest({dir_ / "v1.pdf"});
  auto ingester = std::move(Ingester::create(*archive_, options_)).value();
  auto v2 = ingester->add_version(items[0].document_id, dir_ / "v2.pdf", "corectat");
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_EQ(v2->number, 2);
  EXPECT_EQ(v2->comment, "corectat");
  auto again = ingester->add_version(items[0].document_id, dir_ / "v2.pdf", "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  auto missing = ingester->add_version(999, dir_ / "v2.pdf", "");
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(archive_->catalog().versions(items[0].document_id)->size(), 2u);
}

}  // namespace
}  // namespace dosar

namespace dosar {
namespace {

class DeferredIngestTest : public IngesterTest {
 protected:
  std::size_t hits(const std::string& query) {
    SearchRequest request;
    request.query = query;
    auto result = search_archive(*archive_, request, std::nullopt);
    EXPECT_TRUE(result.ok()) << result.error().to_string();
    return result.ok() ? result->total : 0;
  }
  // The text of version 1's searchable PDF, read back by Poppler.
  Result<PdfText> searchable_pdf_text(DocumentId id) {
    auto version = archive_->catalog().version(id, 1);
    if (!version.ok()) return version.error();
    for (const DerivedBlob& d : version->derived)
      if (d.kind == "searchable-pdf")
        return extract_pdf_text_from_memory(*archive_->blobs().read(d.blob_id, Verify::hash), "pdf", {});
    return make_error(ErrorCode::not_found, "document " + std::to_string(id), "no searchable PDF");
  }
  Result<std::size_t> derive(std::vector<DerivationEvent>* events = nullptr) {
    DerivationRunOptions run;
    run.actor = "ana";
    run.jobs = 2;
    return run_derivations(*archive_, run, [&](const DerivationEvent& e) {
      if (events) events->push_back(e);
    });
  }
};

TEST_F(DeferredIngestTest, StoresOriginalsNowAndTheirTextAfterTheWorkersRan) {
  options_.defer_derivation = true;
  testing::write_file(dir_ / "in/a Popescu.pdf",
                      testing::make_text_pdf({"Anchetă socială Baicului", "pagina doi"}));
  testing::write_file(dir_ / "in/b.pdf", testing::make_text_pdf({"Dispoziție primar"}));
  auto items = ingest({dir_ / "in"});
  ASSERT_EQ(items.size(), 2u);
  ASSERT_EQ(items[0].status, IngestStatus::stored);
  EXPECT_EQ(items[0].page_count, 2) << "the page count comes from opening the PDF";
  auto stored = archive_->catalog().version(items[0].document_id, 1);
  EXPECT_TRUE(stored->derived.empty());
  EXPECT_EQ(stored->derivation_state, "queued");
  EXPECT_EQ(hits("anchetă"), 0u) << "no text yet";
  EXPECT_EQ(hits("Popescu"), 1u) << "but the document is indexed by its title already";

  std::vector<DerivationEvent> events;
  auto done = derive(&events);
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(*done, 2u);
  EXPECT_EQ(events.size(), 2u);
  auto derived = archive_->catalog().version(items[0].document_id, 1);
  EXPECT_EQ(derived->derivation_state, "done");
  ASSERT_EQ(derived->derived.size(), 1u);
  EXPECT_EQ(*archive_->blobs().read(derived->derived[0].blob_id, Verify::hash),
            "Anchetă socială Baicului\fpagina doi");
  EXPECT_EQ(hits("ancheta sociala"), 1u) << "searchable once derived, without diacritics too";
  EXPECT_EQ(*derive(), 0u) << "nothing left to do";
  auto check = check_archive(*archive_, CheckDepth::full, nullptr);
  EXPECT_FALSE(check->has_errors());
  EXPECT_TRUE(archive_->catalog().verify_audit_chain()->empty());
}

TEST_F(DeferredIngestTest, BrokenPdfIsRejectedAtOnceAndNothingIsQueued) {
  options_.defer_derivation = true;
  testing::write_file(dir_ / "broken.pdf", "%PDF-1.7\nthis is not a PDF body\n%%EOF\n");
  auto items = ingest({dir_ / "broken.pdf"});
  ASSERT_EQ(items[0].status, IngestStatus::rejected);
  EXPECT_EQ(items[0].error->subject, (dir_ / "broken.pdf").string());
  EXPECT_TRUE(archive_->catalog().documents()->empty());
  EXPECT_TRUE(archive_->catalog().derivations(false)->empty());
}

TEST_F(DeferredIngestTest, TextBeyondTheLimitFailsTheDerivationButKeepsTheOriginal) {
  options_.defer_derivation = true;
  std::vector<std::string> pages(30, "cerere de anchetă socială pentru familia Popescu din Baicului");
  std::string pdf = testing::make_text_pdf(pages);
  testing::write_file(dir_ / "big.pdf", pdf);
  auto items = ingest({dir_ / "big.pdf"});
  ASSERT_EQ(items[0].status, IngestStatus::stored);
  DerivationRunOptions run;
  run.limits.max_text_bytes = 1000;
  std::vector<DerivationEvent> events;
  auto done = run_derivations(*archive_, run, [&](const DerivationEvent& e) { events.push_back(e); });
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, 0u);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].error.has_value());
  EXPECT_EQ(events[0].error->code, ErrorCode::limit_exceeded);
  auto version = archive_->catalog().version(items[0].document_id, 1);
  EXPECT_EQ(version->derivation_state, "failed");
  EXPECT_EQ(*archive_->blobs().read(version->original_blob_id, Verify::hash), pdf) << "the original stays";
  EXPECT_EQ(*derive(), 0u) << "a failed derivation is not retried by itself";
}

TEST_F(DeferredIngestTest, WorkOfADeadWorkerIsDoneByTheNextOne) {
  options_.defer_derivation = true;
  testing::write_file(dir_ / "a.pdf", testing::make_text_pdf({"Referat de aprobare"}));
  auto items = ingest({dir_ / "a.pdf"});
  // A worker that claimed it and died (its lease is already over).
  ASSERT_EQ(
      archive_->catalog().claim_derivations("12345@elsewhere#1", 10, std::chrono::seconds(0), 3)->size(), 1u);
  DerivationRunOptions run;
  run.lease = std::chrono::seconds(0);
  auto done = run_derivations(*archive_, run, nullptr);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, 1u);
  auto all = archive_->catalog().derivations(false);
  EXPECT_EQ((*all)[0].attempts, 2);
  EXPECT_EQ(hits("referat"), 1u);
}

// Issue 13: a worker on another machine has another spool. A derivation
// stopped after its first page was recorded is finished from the catalogue
// alone: the page is not read again, and its one-page PDF, kept in the
// catalogue, goes into the searchable PDF.
TEST_F(DeferredIngestTest, TakeoverWithAnotherSpoolResumesFromThePagesInTheCatalogue) {
  options_.defer_derivation = true;
  auto items = ingest({fs::path(DOSAR_TEST_DATA) / "scans/s09.pdf"});  // two scanned pages
  ASSERT_EQ(items[0].status, IngestStatus::stored);
  const DocumentId id = items[0].document_id;
  DerivationRunOptions run;
  run.actor = "ana";
  run.jobs = 1;
  auto recorded = [&] { return archive_->catalog().derivation_pages(id, 1)->size(); };
  auto first = run_derivations(*archive_, run, nullptr, [&] { return recorded() == 0; });
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(recorded(), 1u) << "stopped once the first page was recorded";
  auto pages = archive_->catalog().derivation_pages(id, 1);
  EXPECT_EQ((*pages)[0].page_pdf.substr(0, 5), "%PDF-") << "the page's PDF is in the catalogue";

  // The next worker's spool holds none of it.
  fs::remove_all(archive_->spool_dir());
  fs::create_directories(archive_->spool_dir());
  auto second = run_derivations(*archive_, run, nullptr);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(*second, 1u);
  auto derivation = archive_->catalog().derivation(id, 1);
  EXPECT_EQ((*derivation)->state, "done");
  EXPECT_EQ((*derivation)->pages_recognized, 2) << "each page recognized once";
  auto trail = archive_->catalog().audit_trail(id);
  EXPECT_NE(trail->back().detail.find("\"pages_resumed\":1"), std::string::npos) << trail->back().detail;
  EXPECT_NE(trail->back().detail.find("\"pages_read\":1"), std::string::npos) << trail->back().detail;
  auto text = searchable_pdf_text(id);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_EQ(text->page_count, 2);
  EXPECT_NE(text->text.substr(0, text->text.find('\f')).find("Cluj"), std::string::npos)
      << "page 1, made by the first worker, has its text layer";
}

// A page recorded without its PDF (a row from before the PDFs went into the
// catalogue) is read again for the searchable PDF, and not recorded twice.
TEST_F(DeferredIngestTest, RecordedPageWithoutItsPdfIsReadAgainForIt) {
  options_.defer_derivation = true;
  auto items = ingest({fs::path(DOSAR_TEST_DATA) / "scans/s09.pdf"});
  const DocumentId id = items[0].document_id;
  Catalog& catalog = archive_->catalog();
  ASSERT_EQ(catalog.claim_derivations("1@old#1", 1, std::chrono::seconds(300), 3)->size(), 1u);
  DerivationPage old;
  old.index = 0;
  old.text = "text of an earlier attempt";
  ASSERT_TRUE(catalog.record_derivation_pages(id, 1, "1@old#1", {old}, 1, 2).ok());
  ASSERT_TRUE(catalog.fail_derivation(id, 1, "1@old#1", "stopped", Catalog::GiveBack::released, "ana").ok());

  DerivationRunOptions run;
  run.actor = "ana";
  run.jobs = 1;
  auto done = run_derivations(*archive_, run, nullptr);
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(*done, 1u);
  EXPECT_EQ((*catalog.derivation(id, 1))->pages_recognized, 2) << "page 1 recorded once, page 2 once";
  auto text = searchable_pdf_text(id);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_EQ(text->page_count, 2);
  EXPECT_NE(text->text.substr(0, text->text.find('\f')).find("Cluj"), std::string::npos);
}

// Issue 13: the same ingest with the blobs in an S3 bucket (a real s3rver).
class S3IngestTest : public DeferredIngestTest {
 protected:
  void SetUp() override {
    ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    options_.actor = "ana";
  }
  void create(const std::string& endpoint) {
    auto setting = parse_blobs_setting("s3://dosar-test/" + testing::S3rver::unique_prefix(), endpoint);
    ASSERT_TRUE(setting.ok()) << setting.error().to_string();
    auto created = ArchiveStore::create(dir_ / "archive", system_clock(), *setting);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    archive_ = std::move(created).value();
  }
};

TEST_F(S3IngestTest, StoresInTheBucketAndDerivesFromTheCachedCopy) {
  create(testing::S3rver::shared().endpoint());
  options_.defer_derivation = true;
  testing::write_file(dir_ / "in/a.pdf", testing::make_text_pdf({"Anchetă socială Baicului"}));
  testing::write_file(dir_ / "in/b.pdf", testing::make_text_pdf({"Dispoziție primar"}));
  auto items = ingest({dir_ / "in"});
  ASSERT_EQ(items.size(), 2u);
  ASSERT_EQ(items[1].status, IngestStatus::stored);
  EXPECT_TRUE(fs::is_empty(dir_ / "archive/spool")) << "staged files consumed by the upload";
  EXPECT_FALSE(fs::exists(dir_ / "archive/blobs"));
  auto done = derive();  // the workers open the archive themselves, from config.json
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(*done, 2u);
  EXPECT_EQ(hits("ancheta sociala"), 1u);
  auto check = check_archive(*archive_, CheckDepth::full, nullptr);
  ASSERT_TRUE(check.ok()) << check.error().to_string();
  EXPECT_FALSE(check->has_errors());
  EXPECT_EQ(check->blobs_checked, 4u) << "two originals and their texts, rehashed from the bucket";
}

TEST_F(S3IngestTest, EndpointFailingDuringIngestStoresNoDocument) {
  // Lists (an empty bucket) but fails every object request with 500.
  testing::FaultServer endpoint;
  endpoint.server.Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("list-type")) {
      res.set_content("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
                      "application/xml");
      return;
    }
    res.status = 500;
  });
  endpoint.server.Put(".*", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  endpoint.start();
  create(endpoint.endpoint());
  testing::write_file(dir_ / "in/a.pdf", testing::make_text_pdf({"Cerere"}));
  auto ingester = Ingester::create(*archive_, options_);
  ASSERT_TRUE(ingester.ok());
  Status status = (*ingester)->ingest({dir_ / "in/a.pdf"}, [](const IngestItem&) {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::io);
  EXPECT_NE(status.error().subject.find("blob "), std::string::npos) << status.error().to_string();
  EXPECT_NE(status.error().message.find(endpoint.endpoint()), std::string::npos) << status.error().message;
  EXPECT_TRUE(archive_->catalog().documents()->empty()) << "nothing catalogued without its blob";
  EXPECT_TRUE(archive_->catalog().verify_audit_chain()->empty());
}

}  // namespace
}  // namespace dosar
