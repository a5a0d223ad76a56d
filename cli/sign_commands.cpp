// sign-file, sign, verify: PAdES signatures (signing/pades.h).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/clock.h"
#include "cli/context.h"
#include "cli/signing_options.h"
#include "ingest/document_signing.h"
#include "signing/pades.h"

namespace dosar::cli {
namespace {

namespace fs = std::filesystem;
using namespace dosar::signing;

Error about(Error e, const std::string& subject) {
  if (e.subject.empty()) e.subject = subject;
  return e;
}

}  // namespace

Result<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::not_found, path.string(), "cannot be opened");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return make_error(ErrorCode::io, path.string(), "cannot be read");
  return buffer.str();
}

// Writes next to `path` and renames, so that a failed write leaves no half file.
Status write_whole(const fs::path& path, const std::string& bytes) {
  const fs::path temporary = path.string() + ".part" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return make_error(ErrorCode::io, path.string(), "cannot be written");
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return make_error(ErrorCode::io, path.string(), ec.message());
  return {};
}

Result<TrustStorePtr> trust_from(const Context& c) {
  std::optional<std::string> dir = c.command.get("--trust");
  if (!dir)
    if (const char* env = std::getenv("DOSAR_TRUST_DIR"); env && *env) dir = env;
  auto trust = dir ? load_trust_store(*dir) : Result<TrustStorePtr>(empty_trust_store());
  if (trust.ok()) set_online_revocation(**trust, c.command.has("--online"));
  return trust;
}

namespace {

// The options of --level, --digest, --tsa, --reason, --pss, --certify,
// --visible and --crls (those the command has).
Result<SignOptions> sign_options_from(const Context& c) {
  SignOptions options;
  if (auto level = c.command.get("--level")) {
    auto parsed = parse_pades_level(*level);
    if (!parsed.ok()) return parsed.error();
    options.level = *parsed;
  }
  if (auto digest = c.command.get("--digest")) {
    auto parsed = parse_digest_algorithm(*digest);
    if (!parsed.ok()) return parsed.error();
    options.digest = *parsed;
  }
  options.tsa_url = c.command.get("--tsa").value_or("");
  options.reason = c.command.get("--reason").value_or("");
  if (c.command.has("--pss")) options.rsa_padding = RsaPadding::pss;
  if (auto certify = c.command.get("--certify")) {
    if (*certify != "1" && *certify != "2")
      return make_error(ErrorCode::invalid_argument, "--certify",
                        "must be 1 (no changes permitted) or 2 (form filling and signing permitted)");
    options.certify = std::stoi(*certify);
  }
  if (auto visible = c.command.get("--visible")) {
    SignOptions::Stamp stamp;
    char rest = 0;
    if (std::sscanf(visible->c_str(), "%d:%lf,%lf%c", &stamp.page, &stamp.x, &stamp.y, &rest) != 3 ||
        stamp.page < 1)
      return make_error(ErrorCode::invalid_argument, "--visible", "must be PAGE:X,Y, for instance 1:350,40");
    options.visible = stamp;
  }
  if (auto crls = c.command.get("--crls")) {
    auto read = read_crls(*crls);
    if (!read.ok()) return read.error();
    options.crls = std::move(read).value();
  }
  return options;
}

}  // namespace

Result<SignRequest> sign_request(const Context& c) {
  auto key_file = c.command.get("--key");
  if (!key_file || key_file->empty())
    return make_error(ErrorCode::invalid_argument, "--key", "is required (a .p12 file or a pkcs11: URI)");
  auto pin_env = c.command.get("--pin-env");
  if (!pin_env || pin_env->empty())
    return make_error(ErrorCode::invalid_argument, "--pin-env",
                      "is required: the environment variable holding the PIN");
  const char* pin = std::getenv(pin_env->c_str());
  if (!pin) return make_error(ErrorCode::invalid_argument, *pin_env, "is not set in the environment");
  auto options = sign_options_from(c);
  if (!options.ok()) return options.error();
  auto key = key_file->rfind("pkcs11:", 0) == 0
                 ? SigningKey::from_pkcs11(*key_file, pin, c.command.get("--chain").value_or(""))
                 : SigningKey::from_pkcs12(*key_file, pin);
  if (!key.ok()) return key.error();
  return SignRequest{std::move(key).value(), std::move(options).value()};
}

namespace {

void print_report(std::ostream& out, const std::string& what, const ValidationReport& report) {
  if (report.signatures.empty()) out << what << ": no signatures\n";
  for (const auto& s : report.signatures) {
    out << s.field << ": " << indication_name(s.indication);
    if (!s.subindication.empty()) out << " / " << s.subindication;
    out << "\n  signer: " << (s.signer.empty() ? "?" : s.signer);
    if (s.qualified) out << " (qualified certificate" << (s.qscd ? ", key on a QSCD)" : ")");
    out << "\n  signed: "
        << (s.signing_time.empty() ? "?" : format_bucharest(s.signing_time) + " (Bucharest)")
        << (s.timestamp_time.empty() ? " claimed by the signer" : " timestamped") << "\n  level: " << s.level
        << ", revision " << s.revision << " of " << s.revisions_total << '\n';
    if (s.certification != 0)
      out << "  certification (DocMDP " << s.certification << "): "
          << (s.certification == 1   ? "no changes permitted"
              : s.certification == 2 ? "form filling and signing permitted"
                                     : "form filling, signing and annotations permitted")
          << '\n';
    out << "  " << s.message << '\n';
    for (const auto& ch : s.changes_after)
      out << "  after: revision " << ch.revision << ": " << ch.description
          << (ch.allowed ? " (allowed)" : " (NOT allowed)") << '\n';
  }
  out << what << ": " << (report.valid ? "valid" : "NOT valid");
  if (!report.validation_time.empty())
    out << " as of " << format_bucharest(report.validation_time) << " (Bucharest)";
  out << '\n';
}

ExitCode print_validation(Context& c, const std::string& what, const Result<ValidationReport>& report) {
  if (!report.ok()) return c.fail(about(report.error(), what));
  if (c.json)
    c.out << to_json(*report).dump(2) << '\n';
  else
    print_report(c.out, what, *report);
  return report->valid ? ExitCode::ok : ExitCode::failed;
}

}  // namespace

// sign-file --extend-lta: no key, a new archive timestamp.
ExitCode extend_file(Context& c, const std::string& input, const std::string& output) {
  auto options = sign_options_from(c);
  if (!options.ok()) return c.fail(options.error());
  auto pdf = read_whole(input);
  if (!pdf.ok()) return c.fail(pdf.error());
  auto extended = extend_lta(*pdf, *options);
  if (!extended.ok()) return c.fail(about(extended.error(), input));
  if (auto written = write_whole(output, *extended); !written.ok()) return c.fail(written.error());
  if (c.json)
    c.out << nlohmann::json({{"input", input}, {"output", output}, {"extended", "PAdES-B-LTA"}}).dump(2)
          << '\n';
  else
    c.out << output << ": archive timestamp renewed\n";
  return ExitCode::ok;
}

ExitCode run_sign_file(Context& c) {
  auto output = c.command.get("-o");
  if (!output || output->empty()) {
    c.err << "dosar: sign-file needs -o OUT.pdf\n";
    return ExitCode::usage;
  }
  const std::string input = c.command.positionals[0];
  if (c.command.has("--extend-lta")) return extend_file(c, input, *output);
  auto request = sign_request(c);
  if (!request.ok()) return c.fail(request.error());
  auto pdf = read_whole(input);
  if (!pdf.ok()) return c.fail(pdf.error());
  // OUT.p7s: a CAdES detached signature of any file, instead of a signed PDF.
  const bool detached = fs::path(*output).extension() == ".p7s";
  auto signed_pdf = detached ? sign_detached(*pdf, request->key, request->options)
                             : sign_pdf(*pdf, request->key, request->options);
  if (!signed_pdf.ok()) return c.fail(about(signed_pdf.error(), input));
  if (auto written = write_whole(*output, *signed_pdf); !written.ok()) return c.fail(written.error());
  if (c.json)
    c.out << nlohmann::json({{"input", input}, {"output", *output}, {"signer", request->key.signer_name()}})
                 .dump(2)
          << '\n';
  else
    c.out << *output << ": signed by " << request->key.signer_name() << '\n';
  return ExitCode::ok;
}

ExitCode run_sign(Context& c) {
  const bool extend = c.command.has("--extend-lta");
  std::optional<SignRequest> request;
  if (!extend) {
    auto made = sign_request(c);
    if (!made.ok()) return c.fail(made.error());
    request.emplace(std::move(made).value());
  }
  auto id = c.document_id(0);
  if (!id.ok()) return c.fail(id.error());
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  Result<Version> added = make_error(ErrorCode::invalid_argument, "", "");
  if (extend) {
    auto options = sign_options_from(c);
    if (!options.ok()) return c.fail(options.error());
    added = extend_current_version(**archive, *id, *options, c.actor());
  } else {
    added = sign_current_version(**archive, *id, request->key, request->options, c.actor());
  }
  if (!added.ok()) return c.fail(added.error());
  if (c.json)
    c.out << to_json(*added).dump(2) << '\n';
  else
    c.out << "document " << *id << ": stored signed version " << added->number << " (" << added->comment
          << ")\n";
  return ExitCode::ok;
}

ExitCode run_verify(Context& c) {
  auto at = std::chrono::system_clock::now();
  if (auto text = c.command.get("--at")) {
    auto parsed = parse_iso8601(*text);
    if (!parsed) {
      c.err << "dosar: --at: '" << *text
            << "' is not a time in ISO 8601 with Z or an offset (2026-03-01T12:00:00Z, "
               "2026-03-01T14:00:00+02:00)\n";
      return ExitCode::usage;
    }
    at = *parsed;
  }
  auto trust = trust_from(c);
  if (!trust.ok()) return c.fail(trust.error());
  const std::string target = c.command.positionals[0];
  if (auto content_file = c.command.get("--content")) {
    auto content = read_whole(*content_file);
    if (!content.ok()) return c.fail(content.error());
    auto p7s = read_whole(target);
    if (!p7s.ok()) return c.fail(p7s.error());
    return print_validation(c, target, verify_detached(*content, *p7s, **trust, at));
  }
  std::string what = target;
  Result<std::string> pdf = make_error(ErrorCode::not_found, target, "is neither a file nor a document id");
  std::error_code ec;
  if (fs::is_regular_file(target, ec) || !c.document_id(0).ok()) {
    pdf = read_whole(target);
  } else {
    auto opened = open_document(c);
    if (!opened.ok()) return c.fail(opened.error());
    auto version = opened->archive->catalog().version(opened->document.id, opened->document.current_version);
    if (!version.ok()) return c.fail(version.error());
    what = "document " + target + " v" + std::to_string(version->number);
    pdf = opened->archive->blobs().read(version->original_blob_id, Verify::hash);
  }
  if (!pdf.ok()) return c.fail(pdf.error());
  return print_validation(c, what, verify_pdf(*pdf, **trust, at));
}

}  // namespace dosar::cli
