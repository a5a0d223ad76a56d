// backup, backup keygen, backup verify, restore.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "backup/backup.h"
#include "cli/context.h"
#include "storage/archive_config.h"

namespace dosar::cli {
namespace {

// The remote named by `url_option` and the shared options; prints usage errors.
std::optional<backup::Remote> remote_from(const Context& c, const std::string& url_option) {
  auto url = c.command.get(url_option);
  if (!url) {
    c.err << "dosar: " << url_option << " s3://BUCKET/PREFIX is required\n";
    return std::nullopt;
  }
  backup::Remote remote;
  remote.url = *url;
  remote.endpoint = c.command.get("--endpoint").value_or("");
  remote.region = c.command.get("--region").value_or("us-east-1");
  if (auto file = c.command.get("--key-file")) remote.key_file = *file;
  if (auto variable = c.command.get("--passphrase-env")) {
    const char* value = std::getenv(variable->c_str());
    if (!value || !*value) {
      c.err << "dosar: --passphrase-env: environment variable " << *variable << " is not set or empty\n";
      return std::nullopt;
    }
    remote.passphrase = value;
  }
  if (remote.key_file.has_value() == remote.passphrase.has_value()) {
    c.err << "dosar: give exactly one of --key-file FILE and --passphrase-env VAR\n";
    return std::nullopt;
  }
  std::optional<std::uint64_t> jobs;
  if (!number_option(c, "--jobs", 1, 64, jobs)) return std::nullopt;
  remote.jobs = static_cast<int>(jobs.value_or(4));
  return remote;
}

// Fills the credentials from the environment or, when neither variable is
// set, from the archive's config.json ("backup": {"access_key_id",
// "secret_access_key"}); false (after printing why) when they are missing.
bool add_credentials(const Context& c, backup::Remote& remote) {
  if (!std::getenv("AWS_ACCESS_KEY_ID") && !std::getenv("AWS_SECRET_ACCESS_KEY")) {
    auto config = read_archive_config(c.archive_dir);
    if (!config.ok()) {
      c.fail(config.error());
      return false;
    }
    auto id = config->get("backup.access_key_id");
    auto secret = config->get("backup.secret_access_key");
    if (id && secret && !id->empty() && !secret->empty()) {
      remote.credentials = {*id, *secret};
      return true;
    }
  }
  auto credentials = cloud::credentials_from_environment();
  if (!credentials.ok()) {
    Error why = credentials.error();
    why.message += " (or put backup.access_key_id and backup.secret_access_key in " +
                   (c.archive_dir / "config.json").string() + ")";
    c.fail(why);
    return false;
  }
  remote.credentials = *credentials;
  return true;
}

// "12.3 MB/45.6 MB, 10/40 objects, 5.1 MB/s, ETA 7 s" on a terminal, throttled.
backup::ProgressCallback progress_printer(const Context& c, const char* what) {
  if (!c.err_is_terminal) return nullptr;
  auto start = std::chrono::steady_clock::now();
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [&c, what, start, last](const backup::TransferProgress& p) {
    auto now = std::chrono::steady_clock::now();
    bool finished = p.objects_done == p.objects_total;
    if (!finished && now - *last < std::chrono::milliseconds(250)) return;
    *last = now;
    double seconds = std::chrono::duration<double>(now - start).count();
    double rate = seconds > 0 ? static_cast<double>(p.bytes_done) / seconds : 0;
    double eta = rate > 0 ? static_cast<double>(p.bytes_total - p.bytes_done) / rate : 0;
    char line[160];
    std::snprintf(line, sizeof line, "\r%s: %s/%s, %zu/%zu objects, %.1f MB/s, ETA %.0f s   ", what,
                  megabytes(p.bytes_done).c_str(), megabytes(p.bytes_total).c_str(), p.objects_done,
                  p.objects_total, rate / 1e6, eta);
    c.err << line << (finished ? "\n" : "") << std::flush;
  };
}

}  // namespace

ExitCode run_backup_keygen(Context& c) {
  const std::string& file = c.command.positionals.at(0);
  Status written = backup::generate_key_file(file);
  if (!written.ok()) return c.fail(written.error());
  c.out << "wrote a new backup key to " << file
        << " (mode 0600). Keep a copy somewhere safe: without it the backups cannot be read.\n";
  return ExitCode::ok;
}

ExitCode run_backup(Context& c) {
  auto remote = remote_from(c, "--to");
  std::optional<std::uint64_t> keep;
  if (!remote || !number_option(c, "--keep", 1, 100000, keep)) return ExitCode::usage;
  if (!add_credentials(c, *remote)) return ExitCode::failed;
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto started = std::chrono::steady_clock::now();
  auto report = backup::run_backup(**archive, *remote,
                                   keep ? std::optional<int>(static_cast<int>(*keep)) : std::nullopt,
                                   progress_printer(c, "uploading"));
  if (!report.ok()) return c.fail(report.error());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (c.json) {
    c.out << nlohmann::json{{"generation", report->generation},
                            {"created_at", report->created_at},
                            {"blobs_total", report->blobs_total},
                            {"blobs_uploaded", report->blobs_uploaded},
                            {"blobs_already_there", report->blobs_already_there},
                            {"catalog_uploaded", report->catalog_uploaded},
                            {"bytes_uploaded", report->bytes_uploaded},
                            {"generations_pruned", report->generations_pruned},
                            {"objects_deleted", report->objects_deleted},
                            {"seconds", seconds}}
                 .dump(2)
          << '\n';
  } else {
    c.out << "backup generation " << report->generation << " complete: " << report->blobs_uploaded << " of "
          << report->blobs_total << " blobs uploaded (" << report->blobs_already_there << " already there), "
          << megabytes(report->bytes_uploaded) << " sent in " << static_cast<int>(seconds + 0.5) << " s\n";
    if (!report->generations_pruned.empty())
      c.out << "pruned " << report->generations_pruned.size() << " old generation(s), deleted "
            << report->objects_deleted << " object(s)\n";
  }
  return ExitCode::ok;
}

ExitCode run_restore(Context& c) {
  auto remote = remote_from(c, "--from");
  std::optional<std::uint64_t> at;
  if (!remote || !number_option(c, "--at", 1, UINT64_MAX, at)) return ExitCode::usage;
  auto directory = c.command.get("--to");
  if (!directory) {
    c.err << "dosar: --to DIR is required (an empty or new directory)\n";
    return ExitCode::usage;
  }
  if (!add_credentials(c, *remote)) return ExitCode::failed;
  auto report = backup::run_restore(*remote, *directory, at, progress_printer(c, "restoring"));
  if (!report.ok()) return c.fail(report.error());
  if (c.json) {
    c.out << nlohmann::json{{"generation", report->generation},
                            {"created_at", report->created_at},
                            {"blobs_restored", report->blobs_restored},
                            {"bytes_restored", report->bytes_restored},
                            {"archive", *directory}}
                 .dump(2)
          << '\n';
  } else {
    c.out << "restored generation " << report->generation << " (" << format_bucharest(report->created_at)
          << ") into " << *directory << ": " << report->blobs_restored << " blobs, "
          << megabytes(report->bytes_restored) << "; search index rebuilt\n";
  }
  return ExitCode::ok;
}

ExitCode run_backup_verify(Context& c) {
  auto remote = remote_from(c, "--from");
  std::optional<std::uint64_t> at;
  if (!remote || !number_option(c, "--at", 1, UINT64_MAX, at)) return ExitCode::usage;
  if (!add_credentials(c, *remote)) return ExitCode::failed;
  bool read_data = c.command.has("--read-data");
  auto report = backup::run_verify(*remote, at, read_data, progress_printer(c, "reading"));
  if (!report.ok()) return c.fail(report.error());
  bool ok = report->problems.empty();
  if (c.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : report->problems)
      problems.push_back({{"subject", p.subject}, {"message", p.message}});
    c.out << nlohmann::json{{"ok", ok},
                            {"generation", report->generation},
                            {"created_at", report->created_at},
                            {"objects_checked", report->objects_checked},
                            {"objects_read", report->objects_read},
                            {"read_data", read_data},
                            {"problems", problems}}
                 .dump(2)
          << '\n';
  } else {
    for (const auto& p : report->problems) c.out << "ERROR " << p.subject << ": " << p.message << '\n';
    c.out << (ok ? "backup ok: generation " : "backup verification FAILED: generation ") << report->generation
          << ", " << report->objects_checked << " objects present"
          << (read_data ? ", " + std::to_string(report->objects_read) + " read, decrypted and rehashed" : "")
          << (ok ? "" : ", " + std::to_string(report->problems.size()) + " problem(s)") << '\n';
  }
  return ok ? ExitCode::ok : ExitCode::failed;
}

}  // namespace dosar::cli
