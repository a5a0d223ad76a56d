// records evidence, records verify-evidence, records export-bag, records
// import-bag, and the fixity sampler of serve and watch (records/preservation.h).
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cli/context.h"
#include "records/preservation.h"
#include "records/records.h"
#include "signing/pades.h"
#include "storage/archive_config.h"
#include "storage/provenance_store.h"

namespace dosar::cli {
namespace {

namespace fs = std::filesystem;

Result<long> positive_option(const Context& c, const std::string& option, long fallback, long minimum) {
  auto value = c.command.get(option);
  if (!value) return fallback;
  char* end = nullptr;
  long n = std::strtol(value->c_str(), &end, 10);
  if (value->empty() || *end != '\0' || n < minimum || n > 1'000'000'000)
    return make_error(ErrorCode::invalid_argument, option,
                      "must be a whole number from " + std::to_string(minimum) + ", not '" + *value + "'");
  return n;
}

}  // namespace

// The institution key from --key/--pin-env, else records.seal_key and
// records.seal_pin_env of ARCHIVE/config.json; nullopt when none is set.
Result<std::optional<signing::SigningKey>> institution_key(const Context& c) {
  auto config = read_archive_config(c.archive_dir);
  if (!config.ok()) return config.error();
  std::optional<std::string> key = c.command.get("--key");
  if (!key) key = config->get("records.seal_key");
  if (!key || key->empty()) return std::optional<signing::SigningKey>{};
  std::optional<std::string> pin_env = c.command.get("--pin-env");
  if (!pin_env) pin_env = config->get("records.seal_pin_env");
  if (!pin_env || pin_env->empty())
    return make_error(ErrorCode::invalid_argument, "--pin-env",
                      "is required with the institution key (or records.seal_pin_env in config.json)");
  const char* pin = std::getenv(pin_env->c_str());
  if (!pin) return make_error(ErrorCode::invalid_argument, *pin_env, "is not set in the environment");
  auto loaded = key->rfind("pkcs11:", 0) == 0
                    ? signing::SigningKey::from_pkcs11(*key, pin, c.command.get("--chain").value_or(""))
                    : signing::SigningKey::from_pkcs12(*key, pin);
  if (!loaded.ok()) return loaded.error();
  return std::optional<signing::SigningKey>{std::move(loaded).value()};
}

Result<std::unique_ptr<records::FixitySampler>> start_fixity_sampler(const Context& c) {
  auto days = positive_option(c, "--fixity-period", 90, 0);
  if (!days.ok()) return days.error();
  auto max_blobs = positive_option(c, "--fixity-max-blobs", 20000, 1);
  if (!max_blobs.ok()) return max_blobs.error();
  if (*days == 0 || c.command.has("--once")) return std::unique_ptr<records::FixitySampler>{};
  records::SamplerOptions options;
  options.period = std::chrono::hours(24 * *days);
  options.max_blobs_per_run = static_cast<std::size_t>(*max_blobs);
  std::ostream& err = c.err;
  return std::make_unique<records::FixitySampler>(
      c.archive_dir, options, c.actor(), [&err](const Result<records::SampleOutcome>& outcome) {
        if (!outcome.ok())
          err << "dosar: fixity sampler: " << outcome.error().to_string() << '\n';
        else if (outcome->run)
          err << "dosar: fixity sampler: " << outcome->verified << " blobs verified, " << outcome->failed
              << " failed (run " << outcome->run->id << ")\n";
      });
}

ExitCode run_records_evidence(Context& c) {
  auto output = c.command.get("-o");
  if (!output || output->empty()) {
    c.err << "dosar: records evidence needs -o FILE\n";
    return ExitCode::usage;
  }
  auto opened = open_document(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto trust = trust_from(c);
  if (!trust.ok()) return c.fail(trust.error());
  auto key = institution_key(c);
  if (!key.ok()) return c.fail(key.error());
  auto report = records::build_evidence(*opened->archive, opened->document.id, **trust);
  if (!report.ok()) return c.fail(report.error());
  if (fs::path(*output).extension() == ".pdf") {
    // Printable, with the JSON attached; the seal is a PAdES signature.
    auto pdf = records::evidence_pdf(*report, *output + ".printing");
    if (!pdf.ok()) return c.fail(pdf.error());
    if (*key) {
      signing::SignOptions options;
      options.reason = "Dovadă de integritate a documentului " + std::to_string(opened->document.id);
      auto sealed = signing::sign_pdf(*pdf, **key, options);
      if (!sealed.ok()) return c.fail(sealed.error());
      *pdf = std::move(sealed).value();
    }
    if (Status written = write_whole(*output, *pdf); !written.ok()) return c.fail(written.error());
    c.out << "evidence of document " << opened->document.id << " written to " << *output << '\n';
    if (*key) c.out << "sealed by " << (*key)->signer_name() << " (PAdES, in the PDF)\n";
    return ExitCode::ok;
  }
  if (Status written = write_whole(*output, *report); !written.ok()) return c.fail(written.error());
  c.out << "evidence of document " << opened->document.id << " written to " << *output << '\n';
  if (*key) {
    auto seal = records::seal_evidence(*report, **key);
    if (!seal.ok()) return c.fail(seal.error());
    const std::string seal_file = *output + ".p7s";
    if (Status written = write_whole(seal_file, *seal); !written.ok()) return c.fail(written.error());
    c.out << "sealed by " << (*key)->signer_name() << ": " << seal_file << '\n';
  }
  return ExitCode::ok;
}

ExitCode run_records_verify_evidence(Context& c) {
  const std::string file = c.command.positionals[0];
  auto report = read_whole(file);
  if (!report.ok()) return c.fail(report.error());
  auto trust = trust_from(c);
  if (!trust.ok()) return c.fail(trust.error());
  Result<records::EvidenceCheck> check = make_error(ErrorCode::corrupt, file, "not checked");
  if (report->starts_with("%PDF-")) {
    // The report is attached; the seal, if any, is the PDF's own signature.
    auto attached = records::evidence_from_pdf(*report, file);
    if (!attached.ok()) return c.fail(attached.error());
    check = records::verify_evidence(*attached, std::nullopt, **trust);
    if (!check.ok()) return c.fail(check.error());
    auto seal = signing::verify_pdf(*report, **trust);
    if (!seal.ok()) return c.fail(seal.error());
    if (!seal->signatures.empty()) check->seal = std::move(seal).value();
  } else {
    std::optional<std::string> seal_file = c.command.get("--seal");
    std::error_code ec;
    if (!seal_file && fs::exists(file + ".p7s", ec)) seal_file = file + ".p7s";
    std::optional<std::string> seal;
    if (seal_file) {
      auto bytes = read_whole(*seal_file);
      if (!bytes.ok()) return c.fail(bytes.error());
      seal = std::move(bytes).value();
    }
    check = records::verify_evidence(*report, seal, **trust);
    if (!check.ok()) return c.fail(check.error());
  }
  if (c.json) {
    nlohmann::json j = {{"ok", check->ok()}, {"problems", check->problems}};
    if (check->seal) {
      j["seal"] = {{"valid", check->seal->valid}};
      if (!check->seal->signatures.empty()) {
        const auto& s = check->seal->signatures.front();
        j["seal"]["signer"] = s.signer;
        j["seal"]["indication"] = signing::indication_name(s.indication);
        j["seal"]["message"] = s.message;
      }
    }
    c.out << j.dump(2) << '\n';
  } else {
    for (const std::string& p : check->problems) c.out << "PROBLEM " << p << '\n';
    if (check->seal) {
      for (const auto& s : check->seal->signatures)
        c.out << "seal: " << signing::indication_name(s.indication)
              << (s.subindication.empty() ? "" : " / " + s.subindication) << ", signer " << s.signer << ": "
              << s.message << '\n';
    } else {
      c.out << "seal: none (the report is not sealed)\n";
    }
    c.out << file << ": " << (check->ok() ? "evidence verified" : "evidence NOT verified") << '\n';
  }
  return check->ok() ? ExitCode::ok : ExitCode::failed;
}

ExitCode run_records_export_bag(Context& c) {
  auto output = c.command.get("-o");
  const auto documents = c.command.get_all("--document");
  if (!output || output->empty() || (documents.empty() && c.command.positionals.empty())) {
    c.err << "dosar: records export-bag needs -o DIR and at least one dossier CODE/YEAR or --document ID\n";
    return ExitCode::usage;
  }
  std::vector<records::BagDossier> dossiers;
  for (const std::string& text : documents) {
    char* end = nullptr;
    long long id = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || id <= 0) {
      c.err << "dosar: --document must be a document id, not '" << text << "'\n";
      return ExitCode::usage;
    }
    dossiers.push_back({"doc-" + text, "document " + text, {static_cast<DocumentId>(id)}});
  }
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  if (!c.command.positionals.empty()) {
    // Dossiers of the nomenclator (records/), each with every document filed in it.
    auto opened = records::Records::open(**archive);
    if (!opened.ok()) return c.fail(opened.error());
    for (const std::string& name : c.command.positionals) {
      auto parsed = records::parse_dossier_name(name);
      if (!parsed.ok()) return c.fail(parsed.error());
      auto dossier = (*opened)->store().dossier(parsed->first, parsed->second);
      if (!dossier.ok()) return c.fail(dossier.error());
      if (dossier->state == "disposed")
        return c.fail(make_error(ErrorCode::invalid_argument, "dossier " + name,
                                 "was disposed of; its content is gone (its sheets and protocol stay)"));
      auto members = (*opened)->store().dossier_documents(parsed->first, parsed->second);
      if (!members.ok()) return c.fail(members.error());
      records::BagDossier bag{name, dossier->title, {}};
      for (const DossierDocument& d : *members) bag.documents.push_back(d.document_id);
      if (bag.documents.empty())
        return c.fail(make_error(ErrorCode::invalid_argument, "dossier " + name, "holds no document"));
      dossiers.push_back(std::move(bag));
    }
  }
  auto trust = trust_from(c);
  if (!trust.ok()) return c.fail(trust.error());
  auto outcome = records::export_bag(**archive, dossiers, *output, **trust);
  if (!outcome.ok()) return c.fail(outcome.error());
  c.out << "bag written to " << *output << ": " << outcome->documents << " documents, " << outcome->files
        << " payload files, " << outcome->bytes << " bytes of content\n";
  return ExitCode::ok;
}

ExitCode run_records_import_bag(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto outcome = records::import_bag(**archive, c.command.positionals[0], c.actor());
  if (!outcome.ok()) return c.fail(outcome.error());
  c.out << "imported " << outcome->documents << " documents (" << outcome->files << " files, "
        << outcome->bytes << " bytes) from " << c.command.positionals[0] << '\n';
  return ExitCode::ok;
}

ExitCode run_records_provenance(Context& c) {
  auto opened = open_document(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto store = open_provenance_store(*opened->archive);
  if (!store.ok()) return c.fail(store.error());
  auto imported = (*store)->imported(opened->document.id);
  if (!imported.ok()) return c.fail(imported.error());
  if (!*imported)
    return c.fail(make_error(ErrorCode::not_found, "document " + std::to_string(opened->document.id),
                             "was not imported from a preservation package"));
  const ImportedProvenance& p = **imported;
  nlohmann::json history = nlohmann::json::parse(p.provenance, nullptr, false);
  if (c.json) {
    c.out << nlohmann::json{{"document", p.document_id},
                            {"imported_at", p.imported_at},
                            {"source", p.source},
                            {"original_id", p.original_id},
                            {"provenance", history}}
                 .dump(2)
          << '\n';
    return ExitCode::ok;
  }
  c.out << "document " << p.document_id << " imported " << format_bucharest(p.imported_at) << " from "
        << p.source << " (there document " << p.original_id << ")\n";
  if (history.is_object() && history.contains("audit"))
    for (const auto& row : history["audit"])
      c.out << "  " << row.value("seq", std::int64_t{0}) << "  " << format_bucharest(row.value("at", ""))
            << "  " << row.value("actor", "") << "  " << row.value("action", "") << "  "
            << row.value("detail", "") << '\n';
  return ExitCode::ok;
}

}  // namespace dosar::cli
