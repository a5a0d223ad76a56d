// list, show, versions, add-version, export.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "base/clock.h"
#include "base/cnp.h"
#include "base/file_system.h"
#include "cli/context.h"
#include "ingest/ingester.h"

namespace dosar::cli {
namespace {

void print_version_line(std::ostream& out, const Version& v, bool current) {
  out << (current ? "* " : "  ") << "v" << v.number << "  " << format_bucharest(v.created_at) << "  "
      << v.mime_type << "  " << v.size << " bytes";
  if (v.page_count) out << "  " << *v.page_count << (*v.page_count == 1 ? " page" : " pages");
  out << "  " << v.author << "  " << v.original_name;
  if (!v.comment.empty()) out << "  \"" << v.comment << "\"";
  out << '\n';
  for (const auto& w : v.warnings) out << "      warning: " << w << '\n';
}

// Pads to `width` terminal columns, counting UTF-8 code points, not bytes,
// so that columns stay aligned with Romanian diacritics.
std::string pad(const std::string& text, std::size_t width) {
  std::size_t columns = 0;
  for (unsigned char ch : text) columns += (ch & 0xC0) != 0x80;
  return columns >= width ? text + " " : text + std::string(width - columns, ' ');
}

}  // namespace

ExitCode run_list(Context& c) {
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  auto documents = (*archive)->catalog().documents();
  if (!documents.ok()) return c.fail(documents.error());
  // A list is read with no purpose: a CNP in a title is masked, as in a
  // snippet read without one (issue 12).
  for (Document& d : *documents) d.title = mask_cnps(d.title);
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : *documents) list.push_back(to_json(d));
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << pad("ID", 7) << pad("VER", 5) << pad("UPDATED", 21) << pad("TYPE", 16) << pad("DEPARTMENT", 16)
        << "TITLE\n";
  for (const auto& d : *documents)
    c.out << pad(std::to_string(d.id), 7) << pad(std::to_string(d.current_version), 5)
          << pad(format_bucharest(d.updated_at), 21) << pad(d.document_type, 16) << pad(d.department, 16)
          << d.title << '\n';
  return ExitCode::ok;
}

ExitCode run_show(Context& c) {
  auto opened = open_document(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto& archive = opened->archive;
  const Document& d = opened->document;
  const DocumentId id = d.id;
  auto current = archive->catalog().version(id, d.current_version);
  if (!current.ok()) return c.fail(current.error());
  if (Status read = record_person_read(c, *archive, id, "show"); !read.ok()) return c.fail(read.error());
  if (c.json) {
    nlohmann::json j = to_json(d);
    j["current"] = to_json(*current);
    c.out << j.dump(2) << '\n';
    return ExitCode::ok;
  }
  c.out << "document " << d.id << ": " << d.title << '\n'
        << "  type:            " << d.document_type << '\n'
        << "  department:      " << d.department << '\n'
        << "  confidentiality: " << d.confidentiality << '\n'
        << "  status:          " << d.status << '\n'
        << "  registry number: " << d.registry_number.value_or("-") << '\n'
        << "  created:         " << format_bucharest(d.created_at) << '\n'
        << "  updated:         " << format_bucharest(d.updated_at) << '\n'
        << "  current version: " << d.current_version << '\n';
  print_version_line(c.out, *current, true);
  for (const auto& b : current->derived)
    c.out << "      " << b.kind << ": " << b.size << " bytes (" << b.mime_type << ")\n";
  return ExitCode::ok;
}

ExitCode run_versions(Context& c) {
  auto opened = open_document(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto& archive = opened->archive;
  const Document& d = opened->document;
  const DocumentId id = d.id;
  auto versions = archive->catalog().versions(id);
  if (!versions.ok()) return c.fail(versions.error());
  if (Status read = record_person_read(c, *archive, id, "versions"); !read.ok()) return c.fail(read.error());
  if (c.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : *versions) list.push_back(to_json(v));
    c.out << list.dump(2) << '\n';
    return ExitCode::ok;
  }
  for (const auto& v : *versions) print_version_line(c.out, v, v.number == d.current_version);
  return ExitCode::ok;
}

ExitCode run_add_version(Context& c) {
  auto id = c.document_id(0);
  if (!id.ok()) return c.fail(id.error());
  auto archive = c.open_archive();
  if (!archive.ok()) return c.fail(archive.error());
  IngestOptions options;
  options.actor = c.actor();
  options.ocr = !c.command.has("--no-ocr");
  options.ocr_languages = c.command.get("--languages").value_or("ron+eng");
  auto ingester = Ingester::create(**archive, options);
  if (!ingester.ok()) return c.fail(ingester.error());
  auto version =
      (*ingester)->add_version(*id, c.command.positionals[1], c.command.get("--comment").value_or(""));
  if (!version.ok()) return c.fail(version.error());
  if (c.json) {
    c.out << to_json(*version).dump(2) << '\n';
  } else {
    c.out << "document " << *id << ": stored version " << version->number << '\n';
    for (const auto& w : version->warnings)
      c.err << "warning: " << c.command.positionals[1] << ": " << w << '\n';
  }
  return ExitCode::ok;
}

ExitCode run_export(Context& c) {
  auto output = c.command.get("-o");
  if (!output || output->empty()) {
    c.err << "dosar: export needs -o FILE (or -o - for standard output)\n";
    return ExitCode::usage;
  }
  std::string what = c.command.get("--what").value_or("original");
  if (what != "original" && what != "text" && what != "pdf") {
    c.err << "dosar: --what must be 'original', 'text' or 'pdf', not '" << what << "'\n";
    return ExitCode::usage;
  }
  auto opened = open_document(c);
  if (!opened.ok()) return c.fail(opened.error());
  auto& archive = opened->archive;
  const DocumentId id = opened->document.id;
  Status present = check_not_disposed(*archive, id);
  if (!present.ok()) return c.fail(present.error());
  int number = opened->document.current_version;
  if (auto v = c.command.get("--version")) {
    char* end = nullptr;
    long parsed = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || parsed <= 0) {
      c.err << "dosar: --version must be a positive number, not '" << *v << "'\n";
      return ExitCode::usage;
    }
    number = static_cast<int>(parsed);
  }
  auto version = archive->catalog().version(id, number);
  if (!version.ok()) return c.fail(version.error());
  std::string blob = version->original_blob_id;
  if (what != "original") {
    const std::string kind = what == "text" ? "text" : "searchable-pdf";
    blob.clear();
    for (const auto& d : version->derived)
      if (d.kind == kind) blob = d.blob_id;
    if (blob.empty())
      return c.fail(make_error(ErrorCode::not_found,
                               "document " + std::to_string(id) + " version " + std::to_string(number),
                               what == "text" ? "has no text (no text layer and not yet OCRed)"
                                              : "has no searchable PDF (only scanned versions get one)"));
  }

  if (Status read = record_person_read(c, *archive, id, "export " + what); !read.ok())
    return c.fail(read.error());

  // Stream into a temporary file beside the target and publish it only once
  // the bytes have been verified against the blob's name.
  bool to_stdout = *output == "-";
  std::string temp = to_stdout ? "" : *output + ".dosar-export-" + std::to_string(::getpid());
  int fd = to_stdout ? STDOUT_FILENO : ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return c.fail(make_error(ErrorCode::io, *output, "cannot create: " + errno_text(errno)));
  Status streamed = archive->blobs().read_to(blob, Verify::hash, [&](std::string_view chunk) -> Status {
    while (!chunk.empty()) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return make_error(ErrorCode::io, *output, "cannot write: " + errno_text(errno));
      }
      chunk.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  });
  if (to_stdout) {
    if (!streamed.ok()) return c.fail(streamed.error());
    return ExitCode::ok;
  }
  if (streamed.ok() && ::fsync(fd) != 0)
    streamed = make_error(ErrorCode::io, *output, "fsync failed: " + errno_text(errno));
  ::close(fd);
  if (streamed.ok() && std::rename(temp.c_str(), output->c_str()) != 0)
    streamed = make_error(ErrorCode::io, *output, "cannot rename into place: " + errno_text(errno));
  if (!streamed.ok()) {
    ::unlink(temp.c_str());
    return c.fail(streamed.error());
  }
  c.err << "exported document " << id << " version " << number << " (" << what << ") to " << *output << '\n';
  return ExitCode::ok;
}

}  // namespace dosar::cli
