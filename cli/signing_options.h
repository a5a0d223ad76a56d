// The signing key and options of a command line (internal to cli/): shared
// by sign, sign-file and flow approve.
#pragma once

#include "base/result.h"
#include "cli/context.h"
#include "signing/pades.h"

namespace dosar::cli {

struct SignRequest {
  signing::SigningKey key;
  signing::SignOptions options;
};

// The key and options from --key, --pin-env, --chain, --level, --tsa,
// --crls, --reason, --digest, --pss, --visible (those the command has). The
// PIN comes from the environment, never the command line.
// Errors: invalid_argument, and those of loading the key.
Result<SignRequest> sign_request(const Context& c);

}  // namespace dosar::cli
