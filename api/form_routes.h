// The public forms' shared state (internal to api/): the definitions in
// force, the abuse limits, answers kept for repeated Idempotency-Keys and
// short-lived receipt links. Shared by all request threads; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/server.h"
#include "forms/abuse.h"
#include "forms/form_definition.h"
#include "forms/submissions.h"

namespace dosar::api {

struct PublicForms {
  std::vector<forms::FormDefinition> definitions;
  std::optional<forms::ProofOfWork> proof_of_work;  // none: --no-proof-of-work
  forms::RateLimiter per_address;
  forms::RateLimiter overall;
  forms::RateLimiter unproven_per_address;
  forms::RateLimiter unproven_overall;
  forms::SubmissionLimits limits;

  // A finished answer, or one being worked out (in_flight), per address and key.
  struct Answer {
    bool in_flight = true;
    nlohmann::json body;
    std::chrono::system_clock::time_point at;
  };
  std::mutex mutex;
  std::map<std::string, Answer> answers;
  struct ReceiptLink {
    RegistryEntryId entry = 0;
    std::string access_code;
    std::chrono::system_clock::time_point expires;
  };
  std::map<std::string, ReceiptLink> receipts;

  PublicForms(const PublicFormsOptions& o)
      : per_address(o.per_address_per_hour, std::chrono::hours(1)),
        overall(o.per_minute, std::chrono::minutes(1)),
        unproven_per_address(o.unproven_per_address_per_hour, std::chrono::hours(1)),
        unproven_overall(o.unproven_per_hour, std::chrono::hours(1)) {}

  const forms::FormDefinition* find(const std::string& id) const;
};

// Loads the definitions (checking each form's register and kind exist in
// the archive) and sets up the limits. Errors: those of load_forms, and
// invalid_argument naming the file and the field.
Result<std::shared_ptr<PublicForms>> load_public_forms(const ServerOptions& options, ArchiveStore& archive);

// Renders the public pages (api/form_pages.cpp). Every text from a
// definition or a submitter is HTML-escaped (html_escape, index/snippet.h).
std::string forms_list_page(const PublicForms& forms);
// The form, with the values already typed and the error next to its field.
std::string form_page(const PublicForms& forms, const forms::FormDefinition& form,
                      const std::map<std::string, std::string>& values, const std::optional<Error>& error);
std::string confirmation_page(const nlohmann::json& answer);
std::string message_page(const std::string& title, const std::string& message);

}  // namespace dosar::api
