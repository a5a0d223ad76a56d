#!/usr/bin/env bash
# Web search under load: `dosar serve` on an archive of N documents, search
# requests from `wrk` at 16 and 64 connections on loopback, while `dosar
# ingest` OCRs scans into the same archive; then the server's memory.
# Usage: bench/web_bench.sh [--docs N] [--seconds S] [--build DIR]
# Scratch files in bench/work/web (kept between runs: the archive is reused
# when it already holds N documents).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=100000 SECONDS_PER_RUN=600 BUILD=build/bench
while (( $# )); do
  case $1 in
    --docs) DOCS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    *) echo "usage: $0 [--docs N] [--seconds S] [--build DIR]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DDOSAR_TESTS=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target dosar dosar-make-samples >/dev/null
DOSAR=$PWD/$BUILD/dosar
WORK=$PWD/bench/work/web
ARCHIVE=$WORK/archive-$DOCS
mkdir -p "$WORK"
export DOSAR_BENCH_PASSWORD=parola-de-bench-1

# 1. The archive: N born-digital PDFs (small, two pages of Romanian text).
if [[ ! -f $ARCHIVE/ready ]]; then
  rm -rf "$ARCHIVE" "$WORK/pdfs"
  "$BUILD/tests/dosar-make-samples" "$WORK/pdfs" "$DOCS" 0 1 >/dev/null
  "$DOSAR" --archive "$ARCHIVE" init >/dev/null
  start=$(date +%s.%N)
  "$DOSAR" --archive "$ARCHIVE" ingest --department "Asistență socială" "$WORK/pdfs" >/dev/null
  echo "archive: $DOCS documents ingested in $(echo "$(date +%s.%N) - $start" | bc) s"
  "$DOSAR" --archive "$ARCHIVE" user add bench --all-departments --password-env DOSAR_BENCH_PASSWORD >/dev/null
  rm -rf "$WORK/pdfs"
  touch "$ARCHIVE/ready"
fi

# 2. The server, and a session for wrk.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$DOSAR" --archive "$ARCHIVE" serve --listen "127.0.0.1:$PORT" --threads 64 2>"$WORK/serve.err" &
SERVER=$!
INGEST=
cleanup() { kill $SERVER ${INGEST:-} 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$DOSAR_BENCH_PASSWORD\"}" "http://127.0.0.1:$PORT/api/v1/session" |
  sed -n 's/^Set-Cookie: \(dosar_session=[0-9a-f]*\).*/\1/p')
[[ -n $COOKIE ]] || { echo "could not sign in" >&2; exit 1; }

# Queries: words and phrases of the generated documents, with and without
# diacritics, some with facets' fields; wrk picks one at random per request.
cat >"$WORK/queries.lua" <<'LUA'
local queries = {"ancheta sociala", "copiilor", "hotarare consiliul local", "beneficiarului", "directia asistenta",
  "\"consiliul local\"", "strategia dezvoltare", "locuinta familie", "ingrijire varstnici", "scoala", "tara",
  "aprobare semnatura", "arhiva document", "termen raspuns", "primaria sectorului", "cluj-napoca",
  "dosarul inregistrare", "serviciul public", "ancheta OR hotarare", "ingrijire -varstnici", "dezvolt*",
  "dep:\"Asistență socială\" cererea", "data:2020..2030 arhiva"}
local function encode(s) return (s:gsub("[^%w%-%.%*]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/search?q=" .. encode(queries[math.random(#queries)]))
end
LUA

# 3. Scans ingested meanwhile: the corpus pages, each copy made unique by a
# trailing comment after the JPEG's end (decoders ignore it).
SCANS=$WORK/scans
rm -rf "$SCANS" && mkdir -p "$SCANS"
n=0
for round in $(seq 20); do
  for f in tests/data/scans/s0*.jpg; do
    n=$((n + 1)); cp "$f" "$SCANS/scan-$n.jpg"; printf 'dosar-bench %s %s' "$round" "$n" >>"$SCANS/scan-$n.jpg"
  done
done
"$DOSAR" --archive "$ARCHIVE" ingest --jobs 1 --department "Asistență socială" "$SCANS" >"$WORK/ingest.out" 2>&1 &
INGEST=$!

echo "web search benchmark: $DOCS documents, $SECONDS_PER_RUN s per run, dosar serve --threads 64, ingest of scans running"
echo "date: $(date -u)   machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
for connections in 16 64; do
  echo
  echo "== wrk -t2 -c$connections -d${SECONDS_PER_RUN}s --latency"
  wrk -t2 -c"$connections" -d"${SECONDS_PER_RUN}s" --latency --timeout 10s -H "Cookie: $COOKIE" \
    -s "$WORK/queries.lua" "http://127.0.0.1:$PORT" | sed -n '/Latency Distribution/,$p'
done
echo
kill -0 $INGEST 2>/dev/null && echo "ingest of scans: still running at the end (as intended)" ||
  echo "ingest of scans: finished before the end: $(tail -1 "$WORK/ingest.out")"
echo "scans stored meanwhile: $(grep -c stored "$WORK/ingest.out" || true)"
echo "server memory after the load: RSS $(( $(ps -o rss= -p $SERVER) / 1024 )) MiB, peak $(( $(awk '/VmHWM/ {print $2}' /proc/$SERVER/status) / 1024 )) MiB"
