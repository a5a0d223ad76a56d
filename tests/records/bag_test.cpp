// Preservation packages (issue 10, item 7): records/bag_export.cpp,
// records/bag_import.cpp, records/mets.cpp, records/bag_files.cpp.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "records/preservation.h"
#include "storage/provenance_store.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::shell;
using testing::TempDir;
using testing::write_file;

class Bag : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = ArchiveStore::create(dir_ / "source");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    source_ = std::move(created).value();
    first_ = add_document(testing::make_text_pdf({"Anchetă socială"}), "anchetă.pdf", "Se extrage textul");
    auto blob = source_->blobs().put(testing::make_text_pdf({"Anchetă socială, revizuită"}));
    NewVersion v;
    v.original_blob_id = blob->id;
    v.original_name = "anchetă v2.pdf";
    v.mime_type = "application/pdf";
    v.size = blob->size;
    ASSERT_TRUE(source_->catalog().add_version(first_, v, "ana").ok());
    second_ = add_document(testing::make_text_pdf({"Cerere"}), "cerere.pdf", "");
    auto fixity = open_fixity_store(*source_);
    ASSERT_TRUE(fixity.ok());
    ASSERT_TRUE(records::check_and_record(*source_, **fixity, CheckDepth::full, nullptr, "ana").ok());
    auto empty = ArchiveStore::create(dir_ / "target");
    ASSERT_TRUE(empty.ok());
    target_ = std::move(empty).value();
  }

  DocumentId add_document(const std::string& pdf, const std::string& name, const std::string& text) {
    auto blob = source_->blobs().put(pdf);
    NewDocument d;
    d.title = name;
    d.department = "asistență socială";
    d.first_version.original_blob_id = blob->id;
    d.first_version.original_name = name;
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = blob->size;
    d.first_version.page_count = 1;
    if (!text.empty()) {
      auto derived = source_->blobs().put(text);
      d.first_version.derived.push_back({"text", derived->id, derived->size, "text/plain; charset=utf-8"});
    }
    return source_->catalog().create_document_unless_duplicate(d, "ana")->document.id;
  }

  fs::path export_bag(const std::string& name = "bag") {
    auto trust = signing::empty_trust_store();
    std::vector<records::BagDossier> dossiers = {{"doc-" + std::to_string(first_), "first", {first_}},
                                                 {"doc-" + std::to_string(second_), "second", {second_}}};
    auto outcome = records::export_bag(*source_, dossiers, dir_ / name, *trust);
    EXPECT_TRUE(outcome.ok()) << outcome.error().to_string();
    return dir_ / name;
  }

  // Import must be refused naming `fragment`, and leave the target archive empty.
  void expect_refused(const fs::path& bag, const std::string& fragment) {
    auto outcome = records::import_bag(*target_, bag, "ion");
    ASSERT_FALSE(outcome.ok()) << "accepted a bag that should be refused for " << fragment;
    EXPECT_NE(outcome.error().to_string().find(fragment), std::string::npos) << outcome.error().to_string();
    auto documents = target_->catalog().documents();
    ASSERT_TRUE(documents.ok());
    EXPECT_TRUE(documents->empty());
    std::size_t blobs = 0;
    ASSERT_TRUE(target_->blobs()
                    .for_each([&](const std::string&) -> Status { return ++blobs, Status{}; }, nullptr)
                    .ok());
    EXPECT_EQ(blobs, 0u);
  }

  // Rewrites the manifest entry of `path` (and the tag manifest) so that only the change under test is wrong.
  static void rehash_manifests(const fs::path& bag) {
    ASSERT_EQ(shell("cd " + bag.string() +
                    " && sha256sum bagit.txt bag-info.txt manifest-sha256.txt > tagmanifest-sha256.txt"),
              0);
  }

  TempDir dir_;
  std::unique_ptr<ArchiveStore> source_, target_;
  DocumentId first_ = 0, second_ = 0;
};

TEST_F(Bag, ValidatesFromOutside) {
  const fs::path bag = export_bag();
  std::string out;
  EXPECT_EQ(shell("cd " + bag.string() + " && sha256sum -c --quiet manifest-sha256.txt", &out), 0) << out;
  EXPECT_EQ(shell("cd " + bag.string() + " && sha256sum -c --quiet tagmanifest-sha256.txt", &out), 0) << out;
  // Every payload file is listed.
  EXPECT_EQ(
      shell("cd " + bag.string() +
                " && bash -c \"diff <(find data -type f | sort) <(sed 's/^[0-9a-f]*  //' manifest-sha256.txt "
                "| sort)\"",
            &out),
      0)
      << out;
  for (DocumentId id : {first_, second_}) {
    const fs::path mets = bag / "data" / ("doc-" + std::to_string(id)) / "mets.xml";
    EXPECT_EQ(shell("xmllint --noout " + mets.string(), &out), 0) << out;
    auto summary = records::read_mets(read_file(mets), mets.string());
    ASSERT_TRUE(summary.ok()) << summary.error().to_string();
    EXPECT_GT(summary->events, 0u);
    EXPECT_EQ(summary->struct_pointers, summary->files.size());
    for (const auto& f : summary->files)
      EXPECT_EQ(sha256_hex(read_file(mets.parent_path() / f.href)), f.sha256);
  }
  EXPECT_NE(read_file(bag / "bag-info.txt").find("Payload-Oxum: "), std::string::npos);
}

TEST_F(Bag, RoundTripKeepsBytesAndHistory) {
  const fs::path bag = export_bag();
  auto imported = records::import_bag(*target_, bag, "ion");
  ASSERT_TRUE(imported.ok()) << imported.error().to_string();
  EXPECT_EQ(imported->documents, 2u);
  auto documents = target_->catalog().documents();
  ASSERT_EQ(documents->size(), 2u);
  auto before = source_->catalog().versions(first_);
  auto after = target_->catalog().versions(documents->front().id);
  ASSERT_EQ(after->size(), before->size());
  for (std::size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*after)[i].original_blob_id, (*before)[i].original_blob_id);
    EXPECT_EQ((*after)[i].original_name, (*before)[i].original_name);
    ASSERT_EQ((*after)[i].derived.size(), (*before)[i].derived.size());
    for (std::size_t k = 0; k < (*before)[i].derived.size(); ++k)
      EXPECT_EQ((*after)[i].derived[k].blob_id, (*before)[i].derived[k].blob_id);
    EXPECT_EQ(*target_->blobs().read((*after)[i].original_blob_id, Verify::hash),
              *source_->blobs().read((*before)[i].original_blob_id, Verify::hash));
  }
  auto provenance = open_provenance_store(*target_);
  auto kept = (*provenance)->imported(documents->front().id);
  ASSERT_TRUE(kept.ok() && *kept);
  auto history = nlohmann::json::parse((*kept)->provenance);
  EXPECT_EQ(history["audit"][0]["action"], "document.create");
  EXPECT_EQ(history["fixity"].size(), 3u);  // two versions and the text of the first
  auto trail = target_->catalog().audit_trail(documents->front().id);
  EXPECT_EQ(trail->back().action, "records.import");
  auto chain = target_->catalog().verify_audit_chain();
  EXPECT_TRUE(chain->empty());
  auto check = check_archive(*target_, CheckDepth::full, nullptr);
  EXPECT_FALSE(check->has_errors());
}

TEST_F(Bag, ImportRefusesANonEmptyArchive) {
  const fs::path bag = export_bag();
  auto outcome = records::import_bag(*source_, bag, "ion");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::conflict);
}

TEST_F(Bag, RefusesAWrongChecksum) {
  const fs::path bag = export_bag();
  const fs::path victim =
      bag / "data" / ("doc-" + std::to_string(second_)) / std::to_string(second_) / "v1/original.pdf";
  std::string bytes = read_file(victim);
  bytes[bytes.size() / 2] ^= 1;
  write_file(victim, bytes);
  expect_refused(bag, "checksum differs from manifest-sha256.txt");
}

TEST_F(Bag, RefusesAPathEscapingTheBag) {
  for (const std::string path : {"data/../../etc/passwd", "/etc/passwd", "data/./x", "data//x"}) {
    const fs::path bag = export_bag("bag" + std::to_string(std::hash<std::string>{}(path)));
    std::ofstream(bag / "manifest-sha256.txt", std::ios::app) << sha256_hex("x") << "  " << path << "\n";
    rehash_manifests(bag);
    expect_refused(bag, "escapes the bag");
  }
}

TEST_F(Bag, RefusesASymlinkInThePayload) {
  const fs::path bag = export_bag();
  fs::create_symlink("/etc/passwd", bag / "data/passwd");
  expect_refused(bag, "symbolic link");
}

TEST_F(Bag, RefusesAPayloadFileMissingFromTheManifest) {
  const fs::path bag = export_bag();
  write_file(bag / "data/extra.txt", "smuggled");
  expect_refused(bag, "not in manifest-sha256.txt");
}

TEST_F(Bag, RefusesAManifestEntryMissingOnDisk) {
  const fs::path bag = export_bag();
  fs::remove(bag / "data" / ("doc-" + std::to_string(second_)) / std::to_string(second_) / "v1/original.pdf");
  expect_refused(bag, "missing from the bag");
}

TEST_F(Bag, RefusesATamperedManifestThroughTheTagManifest) {
  const fs::path bag = export_bag();
  std::ofstream(bag / "manifest-sha256.txt", std::ios::app) << "\n";
  expect_refused(bag, "checksum differs from tagmanifest-sha256.txt");
}

TEST_F(Bag, RefusesHostileMets) {
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<mets:mets xmlns:mets=\"http://www.loc.gov/METS/\">&x;</mets:mets>";
  const std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><mets:mets "
      "xmlns:mets=\"http://www.loc.gov/METS/\">&c;</mets:mets>";
  for (const std::string& xml : {xxe, bomb}) {
    auto read = records::read_mets(xml, "mets.xml");
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("DTD"), std::string::npos);
  }
  EXPECT_FALSE(records::read_mets("<mets:mets xmlns:mets=\"http://www.loc.gov/METS/\">", "mets.xml").ok());
  EXPECT_FALSE(records::read_mets("<other/>", "mets.xml").ok());

  // Inside a bag whose checksums are all right, the import still refuses it.
  const fs::path bag = export_bag();
  const std::string mets_path = "data/doc-" + std::to_string(second_) + "/mets.xml";
  write_file(bag / mets_path, xxe);
  std::string manifest = read_file(bag / "manifest-sha256.txt");
  std::size_t at = manifest.find("  " + mets_path);
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at - 64, 64, sha256_hex(xxe));
  write_file(bag / "manifest-sha256.txt", manifest);
  rehash_manifests(bag);
  expect_refused(bag, "DTD");
}

TEST_F(Bag, ManifestParserNamesTheLine) {
  auto parsed =
      records::parse_bag_manifest(sha256_hex("a") + "  data/a\nnot a line\n", "manifest-sha256.txt");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("line 2"), std::string::npos);
  auto encoded = records::parse_bag_manifest(sha256_hex("a") + "  data/100%25%0Ax\n", "m");
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->front().path, "data/100%\nx");
  EXPECT_FALSE(records::parse_bag_manifest(sha256_hex("a") + "  data/%zz\n", "m").ok());
}

TEST_F(Bag, RefusesADocumentTheCatalogueWouldRefuseBeforeStoringAnything) {
  const fs::path bag = export_bag();
  // The second document (stored after the first) gets a confidentiality the catalogue does not know;
  // the manifests are made right, so that only the value is wrong.
  const std::string path =
      "data/doc-" + std::to_string(second_) + "/" + std::to_string(second_) + "/document.json";
  auto metadata = nlohmann::json::parse(read_file(bag / path));
  metadata["document"]["confidentiality"] = "secret";
  const std::string text = metadata.dump(2) + "\n";
  write_file(bag / path, text);
  std::string manifest = read_file(bag / "manifest-sha256.txt");
  std::size_t at = manifest.find("  " + path);
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at - 64, 64, sha256_hex(text));
  write_file(bag / "manifest-sha256.txt", manifest);
  rehash_manifests(bag);
  expect_refused(bag, "unknown confidentiality");
}

// Named limits on untrusted bags, each refused at limit + 1.
TEST_F(Bag, LimitsAreEnforcedAtLimitPlusOne) {
  const std::string two = sha256_hex("a") + "  data/a\n" + sha256_hex("b") + "  data/b\n";
  records::BagLimits limits;
  limits.max_files = 2;
  EXPECT_TRUE(records::parse_bag_manifest(two, "m", limits).ok());
  limits.max_files = 1;
  auto many = records::parse_bag_manifest(two, "m", limits);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().code, ErrorCode::limit_exceeded);

  limits = {};
  limits.max_path_bytes = 6;  // "data/a"
  EXPECT_TRUE(records::parse_bag_manifest(sha256_hex("a") + "  data/a\n", "m", limits).ok());
  auto long_path = records::parse_bag_manifest(sha256_hex("a") + "  data/ab\n", "m", limits);
  ASSERT_FALSE(long_path.ok());
  EXPECT_EQ(long_path.error().code, ErrorCode::limit_exceeded);

  const fs::path bag = export_bag();
  const std::uintmax_t manifest_size = fs::file_size(bag / "manifest-sha256.txt");
  limits = {};
  limits.max_tag_file_bytes = static_cast<std::size_t>(manifest_size) - 1;
  auto refused = records::import_bag(*target_, bag, "ion", limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::limit_exceeded);
  EXPECT_TRUE(target_->catalog().documents()->empty());
}

TEST_F(Bag, ExportRefusesANonEmptyDirectory) {
  write_file(dir_ / "busy/file", "x");
  auto trust = signing::empty_trust_store();
  auto outcome = records::export_bag(*source_, {{"d", "d", {first_}}}, dir_ / "busy", *trust);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::conflict);
}

}  // namespace
}  // namespace dosar
