// verify_pdf: the verdict per signature, in the order of the checks of ETSI
// EN 319 102-1 — format (ByteRange), hash, signature value, signing
// certificate, timestamp, chain, key usage — then what changed afterwards.
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/clock.h"
#include "signing/cms_verifier.h"
#include "signing/openssl_util.h"
#include "signing/pades.h"
#include "signing/pdf_structure.h"

namespace dosar::signing {
namespace {

// "D:20261123131500+02'00'" -> "2026-11-23T11:15:00Z"; "" when it does not parse.
std::string pdf_date_to_utc(std::string_view text) {
  if (text.substr(0, 2) == "D:") text.remove_prefix(2);
  auto number = [&](std::size_t at, std::size_t n, int fallback) {
    if (text.size() < at + n) return fallback;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  tm.tm_year = number(0, 4, -1) - 1900;
  tm.tm_mon = number(4, 2, 1) - 1;
  tm.tm_mday = number(6, 2, 1);
  tm.tm_hour = number(8, 2, 0);
  tm.tm_min = number(10, 2, 0);
  tm.tm_sec = number(12, 2, 0);
  if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
    return "";
  std::time_t t = timegm(&tm);
  if (text.size() > 14 && (text[14] == '+' || text[14] == '-')) {
    const int hours = number(15, 2, 0);
    const int minutes = text.size() >= 20 ? number(18, 2, 0) : 0;
    const long offset = (hours * 60L + minutes) * 60L;
    t = text[14] == '+' ? t - offset : t + offset;
  }
  std::tm utc{};
  gmtime_r(&t, &utc);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return out;
}

// The changes of each revision, computed once for all signatures.
class RevisionChanges {
 public:
  RevisionChanges(std::string_view pdf, const std::vector<std::size_t>& ends)
      : pdf_(pdf), ends_(ends), cache_(ends.size() + 1) {}
  std::vector<Change> after(int signed_revision) {
    std::vector<Change> all;
    for (int r = signed_revision + 1; r <= static_cast<int>(ends_.size()); ++r) {
      auto& entry = cache_[static_cast<std::size_t>(r)];
      if (!entry) entry = revision_changes(pdf_, ends_, r);
      all.insert(all.end(), entry->begin(), entry->end());
    }
    return all;
  }

 private:
  std::string_view pdf_;
  const std::vector<std::size_t>& ends_;
  std::vector<std::optional<std::vector<Change>>> cache_;
};

SignatureReport judge(std::string_view pdf, const FoundSignature& s, const std::vector<std::size_t>& ends,
                      const TrustStore& trust, std::chrono::system_clock::time_point now, const DssData& dss,
                      RevisionChanges& revisions) {
  SignatureReport r;
  r.field = s.field;
  r.sub_filter = s.sub_filter;
  r.signing_time = pdf_date_to_utc(s.claimed_time);
  r.revisions_total = static_cast<int>(ends.size());
  const bool cades = s.sub_filter == "ETSI.CAdES.detached";
  const bool document_timestamp = s.sub_filter == "ETSI.RFC3161";
  r.level = cades ? "PAdES-B-B" : document_timestamp ? "DocTimeStamp" : "PKCS7";
  if (!cades && !document_timestamp && s.sub_filter != "adbe.pkcs7.detached") {
    r.indication = Indication::total_failed;
    r.subindication = "FORMAT_FAILURE";
    r.message = "Dosar does not validate signatures of type /" + s.sub_filter + ".";
    return r;
  }
  const std::string problem = check_byte_range(pdf, s, ends, r.revision);
  if (!problem.empty()) {
    r.indication = Indication::total_failed;
    r.subindication = "FORMAT_FAILURE";
    r.message = "The signature cannot be trusted: " + problem + ".";
    return r;
  }
  const auto& b = s.byte_range;
  const std::array<std::string_view, 2> ranges = {
      pdf.substr(0, static_cast<std::size_t>(b[1])),
      pdf.substr(static_cast<std::size_t>(b[2]), static_cast<std::size_t>(b[3]))};
  const EmbeddedValidationData embedded{dss.certificates, dss.crls, dss.ocsp_responses};
  CmsVerdict cms = document_timestamp ? verify_document_timestamp(s.contents, ranges, trust, now, embedded)
                                      : verify_cms(s.contents, ranges, trust, now, cades, embedded);
  copy_verdict(cms, r);
  if (!cms.timestamp_time.empty()) {
    if (cades) r.level = "PAdES-B-T";
    if (document_timestamp) r.level = "DocTimeStamp";
    const std::string key = vri_key(s.contents);
    for (const auto& k : dss.vri_keys)
      if (cades && k == key) r.level = "PAdES-B-LT";
  }
  r.certification = s.docmdp;
  r.changes_after = revisions.after(r.revision);
  // A certification that permits no changes is broken by a later signature.
  if (s.docmdp == 1)
    for (auto& c : r.changes_after)
      if (c.signs) {
        c.allowed = false;
        c.description += ", on a document certified with no changes permitted";
      }
  // Bytes after the last %%EOF are not a revision, yet some readers use them.
  if (!ends.empty() && pdf.find_first_not_of(" \t\r\n\f", ends.back()) != std::string_view::npos)
    r.changes_after.push_back({r.revisions_total + 1, "bytes after the last %%EOF", false});
  if (r.indication != Indication::total_passed) return r;
  for (const auto& c : r.changes_after) {
    if (c.allowed) continue;
    r.indication = Indication::indeterminate;
    r.subindication = "SIG_CONSTRAINTS_FAILURE";
    r.message = "The signature is intact for revision " + std::to_string(r.revision) + " of " +
                std::to_string(r.revisions_total) + ", but the document was changed afterwards (" +
                c.description + "): what you see is not what was signed.";
    return r;
  }
  r.message = std::string(document_timestamp ? "Valid document timestamp by " : "Valid signature by ") +
              r.signer + "; the document is unchanged since" +
              (r.changes_after.empty() ? "." : ", except for further signatures.");
  if (!cms.timestamp_problem.empty()) r.message += " Note: " + cms.timestamp_problem;
  return r;
}

// Judges every signature at its validation time (ETSI EN 319 102-1 long-term
// validation): a valid document timestamp proves that everything it covers
// existed at its time, so a signature or an earlier timestamp is judged at
// the time of the earliest valid document timestamp after it, and what no
// timestamp covers at `now`. The newest document timestamps go first, so a
// chain of renewed archive timestamps carries proof back to the signature
// even after the earlier TSAs' and the signer's certificates have expired.
std::vector<SignatureReport> judge_all(std::string_view pdf, const std::vector<FoundSignature>& found,
                                       const std::vector<std::size_t>& ends, const TrustStore& trust,
                                       std::chrono::system_clock::time_point now, const DssData& dss,
                                       RevisionChanges& revisions) {
  std::vector<std::size_t> order(found.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto is_timestamp = [&](std::size_t i) { return found[i].sub_filter == "ETSI.RFC3161"; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (is_timestamp(a) != is_timestamp(b)) return is_timestamp(a);
    return is_timestamp(a) && found[a].covered_end() > found[b].covered_end();
  });
  struct Proof {
    long long end;
    std::chrono::system_clock::time_point time;
  };
  std::vector<Proof> proofs;  // valid document timestamps
  std::vector<SignatureReport> reports(found.size());
  for (std::size_t i : order) {
    const long long end = found[i].covered_end();
    const Proof* earliest = nullptr;
    for (const Proof& p : proofs)
      if (end > 0 && p.end > end && (!earliest || p.time < earliest->time)) earliest = &p;
    reports[i] = judge(pdf, found[i], ends, trust, earliest ? earliest->time : now, dss, revisions);
    if (is_timestamp(i) && reports[i].indication == Indication::total_passed)
      if (auto time = parse_utc(reports[i].timestamp_time)) proofs.push_back({end, *time});
  }
  return reports;
}

}  // namespace

const char* indication_name(Indication indication) {
  switch (indication) {
    case Indication::total_passed:
      return "TOTAL-PASSED";
    case Indication::indeterminate:
      return "INDETERMINATE";
    case Indication::total_failed:
      return "TOTAL-FAILED";
  }
  return "INDETERMINATE";
}

void TrustStoreDeleter::operator()(TrustStore* t) const {
  if (t) X509_STORE_free(t->store);
  delete t;
}

void set_online_revocation(TrustStore& trust, bool online) {
  trust.online = online;
}

TrustStorePtr empty_trust_store() {
  TrustStorePtr trust(new TrustStore);
  trust->store = X509_STORE_new();
  return trust;
}

Result<TrustStorePtr> load_trust_store(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return make_error(ErrorCode::not_found, dir.string(), "is not a folder of trusted certificates");
  TrustStorePtr trust = empty_trust_store();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".pem" && ext != ".crt" && ext != ".crl" && ext != ".cer"))
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr);
    if (!infos || sk_X509_INFO_num(infos) == 0) {
      sk_X509_INFO_pop_free(infos, X509_INFO_free);
      ERR_clear_error();
      return make_error(ErrorCode::corrupt, entry.path().string(), "holds no PEM certificate or CRL");
    }
    for (int i = 0; i < sk_X509_INFO_num(infos); ++i) {
      X509_INFO* info = sk_X509_INFO_value(infos, i);
      if (info->x509) X509_STORE_add_cert(trust->store, info->x509);
      if (info->crl) {
        X509_STORE_add_crl(trust->store, info->crl);
        trust->has_crls = true;
      }
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
  }
  if (ec) return make_error(ErrorCode::io, dir.string(), ec.message());
  return trust;
}

Result<std::vector<std::string>> read_crls(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return make_error(ErrorCode::not_found, dir.string(), "is not a folder");
  std::vector<std::string> crls;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
      unsigned char* der = nullptr;
      const int length = i2d_X509_CRL(crl, &der);
      if (length > 0) crls.emplace_back(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
      OPENSSL_free(der);
      X509_CRL_free(crl);
    }
    ERR_clear_error();
  }
  return crls;
}

Result<ValidationReport> verify_pdf(std::string_view pdf, const TrustStore& trust,
                                    std::chrono::system_clock::time_point now,
                                    const ValidationLimits& limits) {
  const std::vector<std::size_t> ends = revision_ends(pdf);
  if (static_cast<long>(ends.size()) > limits.max_revisions)
    return make_error(ErrorCode::limit_exceeded, "",
                      "has " + std::to_string(ends.size()) + " revisions, more than the " +
                          std::to_string(limits.max_revisions) + " Dosar compares");
  auto found = find_signatures(pdf);
  if (!found.ok()) return found.error();
  if (static_cast<long>(found->size()) > limits.max_signatures)
    return make_error(ErrorCode::limit_exceeded, "",
                      "has " + std::to_string(found->size()) + " signatures, more than the " +
                          std::to_string(limits.max_signatures) + " Dosar validates");
  RevisionChanges revisions(pdf, ends);
  const DssData dss = found->empty() ? DssData{} : read_dss(pdf);
  ValidationReport report;
  report.signatures = judge_all(pdf, *found, ends, trust, now, dss, revisions);
  for (auto& s : report.signatures) refuse_if_made_after(s, now);
  // B-LTA: a B-LT signature followed by a valid document timestamp.
  for (auto& s : report.signatures) {
    if (s.level != "PAdES-B-LT" || s.indication != Indication::total_passed) continue;
    for (const auto& t : report.signatures)
      if (t.level == "DocTimeStamp" && t.indication == Indication::total_passed && t.revision > s.revision)
        s.level = "PAdES-B-LTA";
  }
  report.validation_time = iso_utc(std::chrono::system_clock::to_time_t(now));
  report.valid = !report.signatures.empty();
  for (const auto& s : report.signatures)
    report.valid = report.valid && s.indication == Indication::total_passed;
  return report;
}

}  // namespace dosar::signing
