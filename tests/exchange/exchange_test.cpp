// Forwarding requests between institutions (issue 12, item 5):
// exchange/package.cpp, exchange/forwarding.cpp, exchange/transfer.cpp.
// Two real archives, packages sealed with test institution keys.
#include "exchange/exchange.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/server.h"
#include "base/clock.h"
#include "base/sha256.h"
#include "cli/cli.h"
#include "exchange/package.h"
#include "tests/support/sample_pdf.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"
#include "tests/test_paths.h"

namespace dosar {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::shell;
using testing::TempDir;
using testing::write_file;

const std::string kA = "Primăria Municipiului Test";
const std::string kB = "Direcția de Asistență Socială Test";

class Forwarding : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir;
    std::string out;
    ASSERT_EQ(
        shell("bash " DOSAR_SOURCE_DIR "/tests/support/make_exchange_pki.sh " + pki_->path().string(), &out),
        0)
        << out;
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static fs::path pki(const std::string& name) { return pki_->path() / name; }

  static signing::SigningKey key(const std::string& name) {
    auto k = signing::SigningKey::from_pkcs12(pki(name + ".p12"), "test");
    EXPECT_TRUE(k.ok()) << k.error().to_string();
    return std::move(k).value();
  }

  struct Side {
    std::unique_ptr<ArchiveStore> archive;
    std::unique_ptr<RegistryStore> store;
    std::unique_ptr<workflow::Registry> registry;
  };

  static Side open_side(const fs::path& dir) {
    auto created = ArchiveStore::create(dir);
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    Side s;
    s.archive = std::move(created).value();
    s.store = std::move(open_registry_store(*s.archive)).value();
    s.registry = std::make_unique<workflow::Registry>(s.archive->catalog(), *s.store);
    return s;
  }

  void SetUp() override {
    a_ = open_side(dir_ / "a");
    b_ = open_side(dir_ / "b");
    auto trust = signing::load_trust_store(pki("trust"));
    ASSERT_TRUE(trust.ok()) << trust.error().to_string();
    trust_ = std::move(trust).value();
    // A petition registered at A with its scanned request.
    const std::string pdf = testing::make_text_pdf({"Cerere privind ajutorul social"});
    auto blob = a_.archive->blobs().put(pdf);
    NewDocument d;
    d.title = "Cerere ajutor social";
    d.confidentiality = "restricted-personal-data";
    d.first_version.original_blob_id = blob->id;
    d.first_version.original_name = "cerere ajutor.pdf";
    d.first_version.mime_type = "application/pdf";
    d.first_version.size = blob->size;
    DocumentId doc = a_.archive->catalog().create_document_unless_duplicate(d, "ana")->document.id;
    workflow::Registration r;
    r.kind = "petitie";
    r.sender_name = "Ion Popescu";
    r.sender_contact = "Str. Lungă 1";
    r.subject = "Ajutor social pentru încălzire";
    r.documents = {doc};
    auto registered = a_.registry->register_entry(r, "ana");
    ASSERT_TRUE(registered.ok()) << registered.error().to_string();
    number_ = registered->entry.number;
    code_ = registered->access_code;
  }

  Result<exchange::Forwarded> forward(const fs::path& out, const std::string& to = kB) {
    return exchange::forward_with_package(*a_.archive, *a_.registry,
                                          {{number_, ""}, to, "Cererea a fost trimisă la DAS.", std::nullopt},
                                          key("a"), out, "ana");
  }

  // Reads `dir` and receives it at B (acknowledgement to `ack`).
  Result<exchange::Received> receive_at_b(const fs::path& dir, const fs::path& ack) {
    auto package = exchange::read_package(dir, *trust_);
    if (!package.ok()) return package.error();
    signing::SigningKey b = key("b");
    exchange::ReceiveOptions options;
    options.ocr = false;
    return exchange::receive_package(*b_.archive, *package, dir, &b, ack, options, "dan");
  }

  // What must stay as it was at B after a refusal: no entry, no document.
  void expect_b_unchanged() {
    auto entries = b_.store->entries("", 0);
    ASSERT_TRUE(entries.ok());
    EXPECT_TRUE(entries->empty());
    auto documents = b_.archive->catalog().documents();
    ASSERT_TRUE(documents.ok());
    EXPECT_TRUE(documents->empty());
  }

  // Rewrites the manifest over every file of `dir` and seals it with `seal`.
  static void reseal(const fs::path& dir, const std::string& seal) {
    fs::remove(dir / exchange::kManifestFile);
    fs::remove(dir / exchange::kSealFile);
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : fs::recursive_directory_iterator(dir))
      if (f.is_regular_file())
        files.emplace_back(sha256_hex(read_file(f.path())),
                           f.path().lexically_relative(dir).generic_string());
    ASSERT_TRUE(exchange::seal_package(dir, files, key(seal)).ok());
  }

  void expect_refused(const fs::path& dir, ErrorCode code, const std::string& fragment) {
    auto received = receive_at_b(dir, dir_ / "ack-refused");
    ASSERT_FALSE(received.ok());
    EXPECT_EQ(received.error().code, code) << received.error().to_string();
    EXPECT_NE(received.error().to_string().find(fragment), std::string::npos) << received.error().to_string();
    expect_b_unchanged();
    EXPECT_FALSE(fs::exists(dir_ / "ack-refused"));
  }

  fs::path package_with_documents() {
    auto sent = forward(dir_ / "package");
    EXPECT_TRUE(sent.ok()) << sent.error().to_string();
    return dir_ / "package";
  }

  static TempDir* pki_;
  TempDir dir_;
  Side a_, b_;
  signing::TrustStorePtr trust_;
  std::string number_, code_;
};

TempDir* Forwarding::pki_ = nullptr;

TEST_F(Forwarding, ForwardWritesASealedPackageAndRecordsTheDuty) {
  auto sent = forward(dir_ / "package");
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  EXPECT_EQ(sent->entry.status, "closed");
  ASSERT_EQ(sent->entry.dispositions.size(), 1u);
  EXPECT_EQ(sent->entry.dispositions[0].kind, "forwarded");
  EXPECT_EQ(sent->entry.dispositions[0].target, kB);
  EXPECT_EQ(sent->entry.dispositions[0].text,
            "Cererea a fost trimisă la DAS.");  // the notice to the petitioner
  EXPECT_FALSE(sent->entry.dispositions[0].late);
  ASSERT_EQ(sent->entry.exchanges.size(), 1u);
  EXPECT_EQ(sent->entry.exchanges[0].direction, "out");
  EXPECT_EQ(sent->entry.exchanges[0].state, "sent");
  EXPECT_EQ(sent->entry.exchanges[0].package_id, sent->package_id);

  auto package = exchange::read_package(dir_ / "package", *trust_);
  ASSERT_TRUE(package.ok()) << package.error().to_string();
  EXPECT_EQ(package->kind, "request");
  EXPECT_EQ(package->from, kA);
  EXPECT_EQ(package->to, kB);
  EXPECT_EQ(package->entry.number, number_);
  EXPECT_EQ(package->entry.sender_name, "Ion Popescu");
  ASSERT_EQ(package->documents.size(), 1u);
  EXPECT_EQ(package->documents[0].title, "Cerere ajutor social");
  EXPECT_EQ(package->documents[0].confidentiality, "restricted-personal-data");
  EXPECT_EQ(package->documents[0].path.rfind("documents/", 0), 0u);
  // The manifest is `sha256sum -c` format, and the seal is a CMS openssl accepts.
  std::string out;
  EXPECT_EQ(
      shell("cd " + (dir_ / "package").string() + " && sha256sum -c --strict manifest-sha256.txt", &out), 0)
      << out;
  EXPECT_EQ(shell("openssl cms -verify -binary -inform DER -in " +
                      (dir_ / "package" / exchange::kSealFile).string() + " -content " +
                      (dir_ / "package" / exchange::kManifestFile).string() + " -CAfile " +
                      pki("ca.pem").string() + " -purpose any -out /dev/null",
                  &out),
            0)
      << out;
}

TEST_F(Forwarding, ReceiveRegistersAcknowledgesAndTheCitizenSeesTheNewNumber) {
  fs::path dir = package_with_documents();
  auto received = receive_at_b(dir, dir_ / "ack");
  ASSERT_TRUE(received.ok()) << received.error().to_string();
  const RegistryEntry& in = received->entry;
  EXPECT_EQ(received->kind, "request");
  EXPECT_EQ(in.register_name, "intrare");
  EXPECT_EQ(in.channel, workflow::kExchangeChannel);
  EXPECT_EQ(in.sender_name, kA);
  EXPECT_NE(in.sender_contact.find("Ion Popescu"), std::string::npos);
  EXPECT_EQ(in.kind, "petitie");
  ASSERT_EQ(in.documents.size(), 1u);
  ASSERT_EQ(in.exchanges.size(), 1u);
  EXPECT_EQ(in.exchanges[0].direction, "in");
  EXPECT_EQ(in.exchanges[0].peer, kA);
  EXPECT_EQ(in.exchanges[0].peer_number, number_);
  const std::string sent_on = bucharest_date(a_.registry->find({number_, ""})->registered_at);
  EXPECT_EQ(in.exchanges[0].peer_date, sent_on);
  EXPECT_EQ(in.document_date, sent_on);
  EXPECT_EQ(in.exchanges[0].ack_package_id, received->ack_package_id);
  // The document arrived byte for byte.
  auto versions = b_.archive->catalog().versions(in.documents[0]);
  ASSERT_TRUE(versions.ok());
  auto bytes = b_.archive->blobs().read(versions->front().original_blob_id, Verify::hash);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, read_file(dir / exchange::read_package(dir, *trust_)->documents[0].path));

  // The acknowledgement goes back to A and ends up on the citizen's route.
  auto ack = exchange::read_package(dir_ / "ack", *trust_);
  ASSERT_TRUE(ack.ok()) << ack.error().to_string();
  EXPECT_EQ(ack->kind, "acknowledgement");
  EXPECT_EQ(ack->from, kB);
  EXPECT_EQ(ack->registered_number, in.number);
  exchange::ReceiveOptions options;
  auto recorded =
      exchange::receive_package(*a_.archive, *ack, dir_ / "ack", nullptr, std::nullopt, options, "ana");
  ASSERT_TRUE(recorded.ok()) << recorded.error().to_string();
  ASSERT_EQ(recorded->entry.exchanges.size(), 1u);
  EXPECT_EQ(recorded->entry.exchanges[0].state, "acknowledged");
  EXPECT_EQ(recorded->entry.exchanges[0].peer_number, in.number);
  auto view = a_.registry->lookup(number_, code_, "citizen");
  ASSERT_TRUE(view.ok()) << view.error().to_string();
  bool shown = false;
  for (const auto& step : view->route)
    if (step.event == "forward-registered" &&
        step.note == "redirecționată către " + kB + ", înregistrată acolo cu nr. " + in.number)
      shown = true;
  EXPECT_TRUE(shown) << "the route does not show the number given at " << kB;

  // The same acknowledgement twice is refused, naming the number.
  auto again =
      exchange::receive_package(*a_.archive, *ack, dir_ / "ack", nullptr, std::nullopt, options, "ana");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_NE(again.error().message.find(in.number), std::string::npos);
}

TEST_F(Forwarding, OnlyAReceivedPackageIsRegisteredWithTheInterinstitutionalChannel) {
  workflow::Registration r;
  r.kind = "petitie";
  r.channel = workflow::kExchangeChannel;
  r.sender_name = "Cineva";
  r.subject = "Pretinsă redirecționare";
  auto registered = b_.registry->register_entry(r, "dan");
  ASSERT_FALSE(registered.ok());
  EXPECT_EQ(registered.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(registered.error().message.find("is not one of"), std::string::npos);
  // The catalogue still refuses a channel nobody defined (migration 13 only widened it).
  NewRegistryEntry n;
  n.register_name = "intrare";
  n.kind = "petitie";
  n.channel = "fax";
  n.sender_name = "x";
  n.subject = "y";
  n.access_salt = n.access_hash = "00";
  EXPECT_FALSE(b_.store->add_entry(n, "dan").ok());
  n.channel = workflow::kExchangeChannel;
  EXPECT_TRUE(b_.store->add_entry(n, "dan").ok());
}

TEST_F(Forwarding, TheSamePackageTwiceIsRegisteredOnceAndTheAnswerNamesTheFirstNumber) {
  fs::path dir = package_with_documents();
  auto first = receive_at_b(dir, dir_ / "ack1");
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto audit_before = b_.archive->catalog().audit_trail(std::nullopt);
  auto second = receive_at_b(dir, dir_ / "ack2");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::conflict);
  EXPECT_NE(second.error().message.find(first->entry.number), std::string::npos)
      << second.error().to_string();
  EXPECT_EQ(b_.store->entries("", 0)->size(), 1u);
  EXPECT_EQ(b_.archive->catalog().audit_trail(std::nullopt)->size(), audit_before->size());
  EXPECT_FALSE(fs::exists(dir_ / "ack2"));
}

TEST_F(Forwarding, RefusesABrokenSeal) {
  fs::path dir = package_with_documents();
  std::string seal = read_file(dir / exchange::kSealFile);
  seal[seal.size() - 10] ^= 0x01;
  write_file(dir / exchange::kSealFile, seal);
  expect_refused(dir, ErrorCode::corrupt, "seal does not verify");
}

TEST_F(Forwarding, RefusesAManifestChangedAfterSealing) {
  fs::path dir = package_with_documents();
  write_file(dir / exchange::kManifestFile, read_file(dir / exchange::kManifestFile) + "\n");
  expect_refused(dir, ErrorCode::corrupt, "seal does not verify");
}

TEST_F(Forwarding, RefusesAChangedFile) {
  fs::path dir = package_with_documents();
  auto package = exchange::read_package(dir, *trust_);
  ASSERT_TRUE(package.ok());
  write_file(dir / package->documents[0].path, read_file(dir / package->documents[0].path) + "%%extra");
  expect_refused(dir, ErrorCode::corrupt, package->documents[0].path + ": does not match its SHA-256");
}

TEST_F(Forwarding, RefusesAChangedPackageJson) {
  fs::path dir = package_with_documents();
  std::string json = read_file(dir / exchange::kPackageFile);
  json.replace(json.find("Ion Popescu"), 11, "Ion Ionescu");
  write_file(dir / exchange::kPackageFile, json);
  expect_refused(dir, ErrorCode::corrupt, "package.json: does not match its SHA-256");
}

TEST_F(Forwarding, RefusesAnAddedFile) {
  fs::path dir = package_with_documents();
  write_file(dir / "documents" / "extra.pdf", testing::make_text_pdf({"strecurat"}));
  expect_refused(dir, ErrorCode::corrupt, "documents/extra.pdf: is not in the sealed manifest");
}

TEST_F(Forwarding, RefusesAMissingFile) {
  fs::path dir = package_with_documents();
  auto package = exchange::read_package(dir, *trust_);
  ASSERT_TRUE(package.ok());
  fs::remove(dir / package->documents[0].path);
  expect_refused(dir, ErrorCode::corrupt, "listed in the sealed manifest but missing");
}

TEST_F(Forwarding, RefusesASymbolicLink) {
  fs::path dir = package_with_documents();
  write_file(dir_ / "outside.txt", "secret");
  fs::create_symlink(dir_ / "outside.txt", dir / "documents" / "link.txt");
  expect_refused(dir, ErrorCode::corrupt, "is a symbolic link");
}

TEST_F(Forwarding, RefusesAPathThatEscapesEvenWhenSealed) {
  for (const std::string path : {"../outside.txt", "/etc/passwd", "documents/../../x"}) {
    fs::path dir = dir_ / ("escape-" + std::to_string(std::hash<std::string>{}(path)));
    fs::create_directories(dir);
    const std::string manifest = sha256_hex("x") + "  " + path + "\n";
    write_file(dir / exchange::kManifestFile, manifest);
    auto seal = signing::sign_detached(manifest, key("a"), {});
    ASSERT_TRUE(seal.ok());
    write_file(dir / exchange::kSealFile, *seal);
    expect_refused(dir, ErrorCode::corrupt, "escapes the package or is not relative");
  }
}

TEST_F(Forwarding, RefusesAPackageOfAnInstitutionNotInTheTrustStore) {
  fs::path dir = package_with_documents();
  reseal(dir, "rogue");
  expect_refused(dir, ErrorCode::permission, "Instituția Necunoscută");
}

// Issue 5: without its CA's CRL in the trust folder, the seal's revocation
// status is unknown: refused as not checked, saying what to add.
TEST_F(Forwarding, RefusesASealWhoseRevocationStatusIsUnknown) {
  fs::path dir = package_with_documents();
  const fs::path without_crl = dir_ / "trust-without-crl";
  fs::create_directories(without_crl);
  fs::copy_file(pki("ca.pem"), without_crl / "ca.pem");
  auto trust = signing::load_trust_store(without_crl);
  ASSERT_TRUE(trust.ok()) << trust.error().to_string();
  auto package = exchange::read_package(dir, **trust);
  ASSERT_FALSE(package.ok());
  EXPECT_EQ(package.error().code, ErrorCode::permission);
  const std::string message = package.error().to_string();
  EXPECT_NE(message.find("whose seal could not be checked (TRY_LATER)"), std::string::npos) << message;
  EXPECT_NE(message.find("put its CA's current CRL in the trust folder"), std::string::npos) << message;
}

TEST_F(Forwarding, RefusesASealWhoseCertificateNamesNoInstitution) {
  fs::path dir = package_with_documents();
  reseal(dir, "noorg");
  expect_refused(dir, ErrorCode::permission, "names no institution");
}

TEST_F(Forwarding, RefusesAPackageClaimingAnotherSender) {
  fs::path dir = package_with_documents();
  auto j = nlohmann::json::parse(read_file(dir / exchange::kPackageFile));
  j["from"] = kB;
  fs::remove(dir / exchange::kPackageFile);
  write_file(dir / exchange::kPackageFile, j.dump());
  reseal(dir, "a");
  expect_refused(dir, ErrorCode::corrupt, "says it is from '" + kB + "' but the seal is by '" + kA + "'");
}

TEST_F(Forwarding, RefusesARequestAddressedToAnotherInstitution) {
  auto sent = forward(dir_ / "package", "Consiliul Județean Test");
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  expect_refused(dir_ / "package", ErrorCode::permission, "is addressed to 'Consiliul Județean Test'");
}

TEST_F(Forwarding, RefusesARequestOfAKindTheReceiverDoesNotKnowBeforeStoringAnything) {
  ASSERT_TRUE(a_.store->put_kind({"ajutor-special", "Ajutor special", 15, ""}, "ana").ok());
  workflow::Registration r;
  r.kind = "ajutor-special";
  r.sender_name = "Ion Popescu";
  r.subject = "Ajutor";
  r.documents = a_.registry->find({number_, ""})->documents;
  auto registered = a_.registry->register_entry(r, "ana");
  ASSERT_TRUE(registered.ok()) << registered.error().to_string();
  number_ = registered->entry.number;
  fs::path dir = package_with_documents();
  expect_refused(dir, ErrorCode::not_found, "which this registry does not know");
}

TEST_F(Forwarding, RefusesAnAcknowledgementFromAnotherInstitutionThanTheOneForwardedTo) {
  fs::path dir = package_with_documents();
  auto received = receive_at_b(dir, dir_ / "ack");
  ASSERT_TRUE(received.ok()) << received.error().to_string();
  // The same acknowledgement, but sealed by A itself: it cannot speak for B.
  auto j = nlohmann::json::parse(read_file(dir_ / "ack" / exchange::kPackageFile));
  j["from"] = kA;
  fs::remove(dir_ / "ack" / exchange::kPackageFile);
  write_file(dir_ / "ack" / exchange::kPackageFile, j.dump());
  reseal(dir_ / "ack", "a");
  auto ack = exchange::read_package(dir_ / "ack", *trust_);
  ASSERT_TRUE(ack.ok()) << ack.error().to_string();
  auto recorded =
      exchange::receive_package(*a_.archive, *ack, dir_ / "ack", nullptr, std::nullopt, {}, "ana");
  ASSERT_FALSE(recorded.ok());
  EXPECT_EQ(recorded.error().code, ErrorCode::permission);
  EXPECT_NE(recorded.error().message.find("was forwarded to '" + kB + "'"), std::string::npos);
  auto entry = a_.registry->find({number_, ""});
  EXPECT_EQ(entry->exchanges[0].state, "sent");
}

TEST_F(Forwarding, ForwardRecordsNothingWhenThePackageCannotBeWritten) {
  fs::create_directories(dir_ / "package");
  auto sent = forward(dir_ / "package");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::conflict);
  auto entry = a_.registry->find({number_, ""});
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->status, "registered");
  EXPECT_TRUE(entry->dispositions.empty());
  EXPECT_TRUE(entry->exchanges.empty());
}

TEST_F(Forwarding, ForwardWritesNoPackageWhenTheDutyIsRefused) {
  // Forwarded once; the second forward of the now closed entry is refused
  // and leaves no package (nor a partial one) behind.
  ASSERT_TRUE(forward(dir_ / "first").ok());
  auto again = forward(dir_ / "second");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_FALSE(fs::exists(dir_ / "second"));
  for (const auto& f : fs::directory_iterator(dir_.path()))
    EXPECT_EQ(f.path().filename().string().find(".partial"), std::string::npos) << f.path();
}

TEST_F(Forwarding, TransferRoundTripsAPackageAndRefusesEscapingPaths) {
  fs::path dir = package_with_documents();
  auto body = exchange::pack_for_transfer(dir);
  ASSERT_TRUE(body.ok()) << body.error().to_string();
  ASSERT_TRUE(exchange::unpack_transfer(*body, dir_ / "copy").ok());
  auto copy = exchange::read_package(dir_ / "copy", *trust_);
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  EXPECT_EQ(copy->id, exchange::read_package(dir, *trust_)->id);

  for (const std::string path : {"../evil", "/tmp/evil", "a/./b", ""}) {
    nlohmann::json hostile{{"format", "dosar-exchange-transfer-v1"},
                           {"files", {{{"path", path}, {"content", "eA=="}}}}};
    Status unpacked = exchange::unpack_transfer(hostile.dump(), dir_ / "hostile");
    ASSERT_FALSE(unpacked.ok()) << path;
    EXPECT_EQ(unpacked.error().code, ErrorCode::corrupt);
    EXPECT_FALSE(fs::exists(dir_ / "hostile"));
  }
  EXPECT_FALSE(exchange::unpack_transfer("{\"format\":1}", dir_ / "hostile").ok());
  EXPECT_FALSE(exchange::unpack_transfer("not json", dir_ / "hostile").ok());
  exchange::PackageLimits small;
  small.max_total_bytes = 10;
  nlohmann::json big{{"format", "dosar-exchange-transfer-v1"},
                     {"files", {{{"path", "a"}, {"content", "eHh4eHh4eHh4eHh4"}}}}};
  Status over = exchange::unpack_transfer(big.dump(), dir_ / "hostile", small);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::limit_exceeded);
}

TEST_F(Forwarding, PackageJsonParserNamesTheBadField) {
  auto bad = [](const std::string& text, const std::string& fragment) {
    auto parsed = exchange::parse_package_json(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::corrupt);
    EXPECT_NE(parsed.error().message.find(fragment), std::string::npos) << parsed.error().to_string();
  };
  bad("[]", "not a JSON object");
  bad(R"({"format":"other"})", "format is not");
  const std::string head = R"("format":"dosar-exchange-v1","created_at":"x","from":"A","to":"B")";
  bad("{" + head + R"(,"kind":"request","id":"nope"})", "is not a lowercase UUID");
  const std::string id = R"(,"id":"0a1b2c3d-0000-4000-8000-000000000000")";
  bad("{" + head + id + R"(,"kind":"other"})", "neither request nor acknowledgement");
  bad("{" + head + id + R"(,"kind":"request"})", "entry is missing");
  bad("{" + head + id +
          R"(,"kind":"request","entry":{"register":"r","number":"1/01.01.2026","date":"2026-01-01","kind":"k","subject":"s","sender_name":"n"},"documents":[{"path":"../x","title":"t"}]})",
      "is not inside documents/");
  bad("{" + head + id + R"(,"kind":"acknowledgement","acknowledges":"x"})", "is not a package id");
}

// docs/formats/exchange.md: the golden files of version 1 read as documented.
TEST(ExchangeFormat, ReadsTheGoldenFilesOfVersion1) {
  auto request = exchange::parse_package_json(read_file(DOSAR_TEST_DATA "/formats/exchange-request-v1.json"));
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->kind, "request");
  EXPECT_EQ(request->id, "0a1b2c3d-0000-4000-8000-000000000000");
  EXPECT_EQ(request->from, "Primăria Municipiului Test");
  EXPECT_EQ(request->entry.number, "12/23.11.2026");
  EXPECT_EQ(request->entry.date, "2026-11-23");
  EXPECT_FALSE(request->entry.document_date.has_value());
  ASSERT_EQ(request->documents.size(), 1u);
  EXPECT_EQ(request->documents[0].path, "documents/1-cerere.pdf");
  auto ack =
      exchange::parse_package_json(read_file(DOSAR_TEST_DATA "/formats/exchange-acknowledgement-v1.json"));
  ASSERT_TRUE(ack.ok()) << ack.error().to_string();
  EXPECT_EQ(ack->acknowledges, request->id);
  EXPECT_EQ(ack->registered_number, "5/23.11.2026");
  // What Dosar writes reads back the same.
  auto again = exchange::parse_package_json(exchange::package_json(*request));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->entry.subject, request->entry.subject);
  EXPECT_EQ(again->documents[0].title, request->documents[0].title);
}

// Issue 12: a server that dies while receiving a package leaves its scratch
// directory in the spool; the next server's start removes it, and the
// directory of a process still running is kept.
TEST(ExchangeScratch, DirectoriesOfADeadProcessAreSweptWhenTheServerStarts) {
  TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"--archive", (dir / "a").string(), "init"}, out, err), cli::ExitCode::ok) << err.str();
  const fs::path spool = dir / "a" / "spool";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the receiving process, dying with a package half written
    auto scratch = exchange::new_scratch_dir(spool);
    if (!scratch.ok()) ::_exit(1);
    std::error_code ec;
    fs::create_directories(*scratch / "package" / "documents", ec);
    std::ofstream(*scratch / "package" / "documents" / "cerere.pdf") << "%PDF-1.4 half";
    ::_exit(ec ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(spool)) left.push_back(entry.path());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(fs::exists(left[0] / "package" / "documents" / "cerere.pdf"));
  auto live = exchange::new_scratch_dir(spool);
  ASSERT_TRUE(live.ok()) << live.error().to_string();

  api::ServerOptions options;
  options.archive_dir = dir / "a";
  options.port = 0;
  auto server = api::WebServer::create(options);
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  EXPECT_FALSE(fs::exists(left[0])) << "the dead process's scratch directory is still there";
  EXPECT_TRUE(fs::is_directory(*live)) << "a live process's scratch directory was removed";
}

}  // namespace
}  // namespace dosar
