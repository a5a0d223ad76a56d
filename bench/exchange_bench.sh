#!/usr/bin/env bash
# Forwarding benchmark (issue 12): a request of MB of documents (generated
# PDFs) forwarded as a sealed package out of archive A (`registry forward
# -o`: copy, hash, manifest, CAdES seal, the duty recorded), received into
# archive B (`registry receive`: seal and every checksum checked, the
# documents ingested with --no-ocr, registered, the acknowledgement sealed)
# and the acknowledgement received back at A — side by side in one run with
# the same work done by standard tools on the same files: `sha256sum` +
# `openssl cms -sign` + `tar c` at the sender, `tar x` + `openssl cms -verify`
# + `sha256sum -c` at the receiver, and `openssl cms -sign` of an
# acknowledgement. Each is run ROUNDS times, alternating; the best is kept.
#
# usage: bench/exchange_bench.sh [--mb MB] [--files N] [--rounds N] [--build DIR] [--keep]
#   --mb MB        size of the request's documents together (default 20)
#   --files N      how many documents (default 4)
#   --rounds N     runs of each (default 3)
#   --build DIR    build directory with dosar and tests/dosar-make-samples (default build/release)
#   --keep         keep bench/work/exchange afterwards
# Environment: DOSAR and MAKE_SAMPLES override the binaries' paths.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=20 FILES=4 ROUNDS=3 BUILD=$ROOT/build/release KEEP=0
usage() { sed -n '13,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while (($#)); do
  case $1 in
    --mb) MB=${2:?}; shift 2 ;;
    --files) FILES=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "exchange_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
DOSAR=${DOSAR:-$BUILD/dosar}
MAKE_SAMPLES=${MAKE_SAMPLES:-$BUILD/tests/dosar-make-samples}
[[ -x $DOSAR && -x $MAKE_SAMPLES ]] || { echo "exchange_bench: build first: cmake --build $BUILD" >&2; exit 1; }

WORK=$ROOT/bench/work/exchange
rm -rf "$WORK"; mkdir -p "$WORK"
cleanup() { ((KEEP)) || rm -rf "$WORK"; }
trap cleanup EXIT
BENCH=exchange_bench
source "$ROOT/bench/bench_lib.sh"

PKI=$WORK/pki
bash "$ROOT/tests/support/make_exchange_pki.sh" "$PKI" >/dev/null
openssl pkcs12 -in "$PKI/a.p12" -passin pass:test -nodes -out "$PKI/a-all.pem" 2>/dev/null
openssl pkcs12 -in "$PKI/b.p12" -passin pass:test -nodes -out "$PKI/b-all.pem" 2>/dev/null
export SEAL_PIN=test
INST_B="Direcția de Asistență Socială Test"
echo "generating $FILES PDFs, $MB MB together (not timed)..." >&2
"$MAKE_SAMPLES" "$WORK/input" "$FILES" $((MB * 1000000 / FILES)) 1 >/dev/null
A=$WORK/a
"$DOSAR" --archive "$A" init >/dev/null
"$DOSAR" --archive "$A" ingest --no-ocr "$WORK/input" >/dev/null 2>&1
docs=()
for id in $("$DOSAR" --archive "$A" list --json | jq -r '.[].id'); do docs+=(--doc "$id"); done
bytes=$(du -cb "$WORK"/input/* | tail -1 | cut -f1)

dosar_setup() {  # N: a fresh entry at A and a fresh receiving archive B (not timed)
  local nr
  nr=$("$DOSAR" --archive "$A" registry add --kind petitie --sender "Ion Popescu" --subject "Cerere $1" \
    "${docs[@]}" --json | jq -r .number)
  rm -rf "$WORK/b" "$WORK/p" "$WORK/ack"
  "$DOSAR" --archive "$WORK/b" init >/dev/null
  echo "$nr"
}

dosar_work() {  # NR: forward + receive + acknowledgement
  local nr=$1
  local t0 t_forward t_receive t1
  t0=$(now)
  "$DOSAR" --archive "$A" registry forward "$nr" --to "$INST_B" --notice "Trimisă" \
    --key "$PKI/a.p12" --pin-env SEAL_PIN -o "$WORK/p" >/dev/null
  t_forward=$(now)
  "$DOSAR" --archive "$WORK/b" registry receive "$WORK/p" --trust "$PKI/trust" --key "$PKI/b.p12" \
    --pin-env SEAL_PIN -o "$WORK/ack" --no-ocr >/dev/null
  t_receive=$(now)
  "$DOSAR" --archive "$A" registry receive "$WORK/ack" --trust "$PKI/trust" >/dev/null
  t1=$(now)
  echo "$t0 $t_forward $t_receive $t1" |
    awk '{printf "  forward %.2f s, receive %.2f s, acknowledgement %.2f s (wall)\n", $2-$1, $3-$2, $4-$3}' >&2
}

tools_work() {  # the same files through tar, sha256sum and openssl cms
  rm -rf "$WORK/t"; mkdir -p "$WORK/t/out" "$WORK/t/in"
  (
    set -e
    cd "$WORK/input"
    sha256sum ./* >"$WORK/t/out/manifest-sha256.txt"
    openssl cms -sign -binary -cades -md sha256 -outform DER -in "$WORK/t/out/manifest-sha256.txt" \
      -signer "$PKI/a-all.pem" -out "$WORK/t/out/manifest-sha256.txt.p7s"
    tar cf "$WORK/t/package.tar" ./* -C "$WORK/t/out" manifest-sha256.txt manifest-sha256.txt.p7s
    cd "$WORK/t/in"
    tar xf "$WORK/t/package.tar"
    openssl cms -verify -binary -inform DER -in manifest-sha256.txt.p7s -content manifest-sha256.txt \
      -CAfile "$PKI/ca.pem" -purpose any -out /dev/null 2>/dev/null
    sha256sum -c --quiet manifest-sha256.txt
    echo "ack" >ack.txt
    openssl cms -sign -binary -cades -md sha256 -outform DER -in ack.txt -signer "$PKI/b-all.pem" -out ack.p7s
  )
}

# measure FUNCTION ARGS...: "WALL CPU" seconds of the function and its
# children (CPU = user + system), its own stderr passed through.
measure() {
  local TIMEFORMAT='%R %U %S' times
  times=$({ time "$@" 2>&3 >/dev/null; } 3>&2 2>&1)
  awk '{printf "%.2f %.2f", $1, $2 + $3}' <<<"$times"
}

dosar_wall=() dosar_cpu=() tools_wall=() tools_cpu=()
for round in $(seq 1 "$ROUNDS"); do
  nr=$(dosar_setup "$round")
  read -r w c <<<"$(measure dosar_work "$nr")"; dosar_wall+=("$w") dosar_cpu+=("$c")
  read -r w c <<<"$(measure tools_work)"; tools_wall+=("$w") tools_cpu+=("$c")
  echo "round $round: dosar ${dosar_wall[-1]} s wall ${dosar_cpu[-1]} s CPU," \
    "tar+sha256sum+openssl ${tools_wall[-1]} s wall ${tools_cpu[-1]} s CPU" >&2
done
dw=$(best "${dosar_wall[@]}") dc=$(best "${dosar_cpu[@]}") tw=$(best "${tools_wall[@]}") tc=$(best "${tools_cpu[@]}")
echo "request: $FILES files, $bytes bytes; $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "| | wall s (best of $ROUNDS) | CPU s (best of $ROUNDS) |"
echo "| dosar forward + receive + acknowledge | $dw | $dc |"
echo "| tar + sha256sum + openssl cms (sign, verify, ack) | $tw | $tc |"
awk -v dw="$dw" -v tw="$tw" -v dc="$dc" -v tc="$tc" \
  'BEGIN {printf "ratio dosar / tools: %.2f wall, %.2f CPU\n", dw / tw, dc / tc}'
