#!/usr/bin/env bash
# Signing benchmark: PAdES B-B signatures/s and validations/s of a 1 MB PDF
# (RSA-2048 and ECDSA P-256), beside `openssl speed` sign/s of the same key
# types measured in the same run -- the limit. Target (issue 5): at least 0.5
# of the raw key operation rate.
#
# usage: bench/sign_bench.sh [--seconds S] [--build DIR]
#   --seconds S   seconds per measured loop (default 3)
#   --build DIR   build directory (default build/release; dosar-sign-bench is
#                 built there if missing)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_LOOP=3
BUILD=$ROOT/build/release
while (($#)); do
  case $1 in
    --seconds) SECONDS_PER_LOOP=${2:?}; shift 2 ;;
    --build) BUILD=${2:?}; shift 2 ;;
    -h|--help) sed -n '6,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "sign_bench: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

BENCH=$BUILD/bench/dosar-sign-bench
if [[ ! -x $BENCH ]]; then
  [[ -f $BUILD/CMakeCache.txt ]] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j2 --target dosar-sign-bench >/dev/null
fi
WORK=$ROOT/bench/work/sign
rm -rf "$WORK"
mkdir -p "$WORK"
bash "$ROOT/tests/support/make_test_pki.sh" "$WORK/pki" >/dev/null

echo "date: $(date -u)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(openssl version)"
"$BENCH" "$WORK/pki" "$SECONDS_PER_LOOP" | tee "$WORK/dosar.txt"
openssl speed -seconds "$SECONDS_PER_LOOP" rsa2048 ecdsap256 2>/dev/null | tee "$WORK/speed.txt" | grep -E '^rsa 2048|nistp256'

# The limit including what any PAdES signer must do besides the key
# operation: one SHA-256 pass over the 1 MB document.
openssl speed -seconds "$SECONDS_PER_LOOP" -bytes 1000942 -evp sha256 2>/dev/null | tee "$WORK/sha.txt" | tail -1
sha_kbps=$(awk '/^sha256/ {sub(/k$/, "", $2); print $2}' "$WORK/sha.txt")

rsa_raw=$(awk '/^rsa 2048 bits/ {print $6}' "$WORK/speed.txt")
ec_raw=$(awk '/nistp256/ {print $7}' "$WORK/speed.txt")
read -r _ _ rsa_sign _ rsa_verify _ rsa_batch < <(grep '^rsa ' "$WORK/dosar.txt")
read -r _ _ ec_sign _ ec_verify _ ec_batch < <(grep '^ec ' "$WORK/dosar.txt")

printf '\n| key | openssl speed sign/s | + SHA-256 of 1 MB: limit/s | dosar B-B sign/s (1 MB) | ratio to sign/s (target 0.5) | ratio to limit with hash | validations/s | 100 documents, one key |\n'
printf '|---|---:|---:|---:|---|---:|---:|---:|\n'
row() {
  local ratio limit ratio_limit
  ratio=$(awk -v a="$3" -v b="$2" 'BEGIN {printf "%.2f", a / b}')
  limit=$(awk -v s="$2" -v k="$sha_kbps" 'BEGIN {printf "%.1f", 1 / (1 / s + 1000942 / (k * 1000))}')
  ratio_limit=$(awk -v a="$3" -v b="$limit" 'BEGIN {printf "%.2f", a / b}')
  local met="NOT met"
  awk -v r="$ratio" 'BEGIN {exit !(r >= 0.5)}' && met=met
  printf '| %s | %s | %s | %s | %s (%s) | %s | %s | %s s |\n' "$1" "$2" "$limit" "$3" "$ratio" "$met" "$ratio_limit" "$4" "$5"
}
row "RSA-2048" "$rsa_raw" "$rsa_sign" "$rsa_verify" "$rsa_batch"
row "ECDSA P-256" "$ec_raw" "$ec_sign" "$ec_verify" "$ec_batch"
