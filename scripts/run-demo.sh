#!/usr/bin/env bash
# The first README command: installs what is missing, builds, creates a demo
# archive from the bundled samples and runs Dosar's main job on it (for now:
# ingest the samples and show what was stored).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh release
DOSAR=build/release/dosar
ARCHIVE=${DOSAR_ARCHIVE:-demo-archive}
[[ -f $ARCHIVE/catalog.sqlite ]] || "$DOSAR" --archive "$ARCHIVE" init
# Duplicates on a second run are expected; ingest exits 0 unless something is rejected.
"$DOSAR" --archive "$ARCHIVE" ingest --department Registratură samples/documents
echo
"$DOSAR" --archive "$ARCHIVE" list
echo
"$DOSAR" --archive "$ARCHIVE" check
echo
echo "demo archive: $ARCHIVE   (try: $DOSAR --archive $ARCHIVE show 1)"
