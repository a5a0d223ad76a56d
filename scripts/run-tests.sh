#!/usr/bin/env bash
# The second README command: installs what is missing, builds the Debug
# configuration with AddressSanitizer and UndefinedBehaviorSanitizer (warnings
# are errors there) and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh all
bash scripts/build.sh asan
ctest --preset asan -j "$(nproc)"
