#!/usr/bin/env bash
# The first README command: installs what is missing, builds, creates a demo
# archive from the bundled samples and runs Dosar's main job on it: the web
# application at http://127.0.0.1:8080 (DOSAR_LISTEN changes where).
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
# A demo account; its password is only good for a demo on this machine.
DEMO_PASSWORD=${DOSAR_DEMO_PASSWORD:-demo-parola-2026}
export DEMO_PASSWORD
if ! "$DOSAR" --archive "$ARCHIVE" user list | grep -q '^registratura '; then
  "$DOSAR" --archive "$ARCHIVE" user add registratura --display-name "Registratură (demo)" \
    --departments Registratură --password-env DEMO_PASSWORD
fi
echo
echo "demo archive: $ARCHIVE   (try: $DOSAR --archive $ARCHIVE show 1)"
echo "web pages: sign in as 'registratura' with password '$DEMO_PASSWORD'"
exec "$DOSAR" --archive "$ARCHIVE" serve --listen "${DOSAR_LISTEN:-127.0.0.1:8080}"
