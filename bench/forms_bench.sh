#!/usr/bin/env bash
# Online submissions under load (issue 11): `dosar serve` (Release, --no-ocr,
# --no-proof-of-work: the benchmark measures the server, not the citizen's
# browser), CLIENTS concurrent clients each posting a petition with a 1 MB
# PDF attachment (distinct bytes each time) for S seconds; then submissions/s,
# p50/p99 latency, and the check that every 201 answer is in the register
# exactly once with numbers without gaps.
# Usage: bench/forms_bench.sh [--clients N] [--seconds S] [--build DIR]
#        DOSAR=… MAKE_SAMPLES=… bench/forms_bench.sh …   (binaries of another build)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=16 SECONDS_PER_RUN=120 BUILD=build/bench
while (( $# )); do
  case $1 in
    --clients) CLIENTS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    *) echo "usage: $0 [--clients N] [--seconds S] [--build DIR]" >&2; exit 2 ;;
  esac
done
# DOSAR and MAKE_SAMPLES in the environment: use those binaries (another
# build), else build Release in $BUILD.
if [[ -z ${DOSAR:-} ]]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DDOSAR_TESTS=ON >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target dosar dosar-make-samples >/dev/null
  DOSAR=$PWD/$BUILD/dosar MAKE_SAMPLES=$PWD/$BUILD/tests/dosar-make-samples
fi
WORK=$PWD/bench/work/forms
rm -rf "$WORK"
mkdir -p "$WORK"
"$MAKE_SAMPLES" "$WORK/pdf" 1 1000000 1 >/dev/null
PDF=$(ls "$WORK"/pdf/*.pdf | head -1)
"$DOSAR" --archive "$WORK/archive" init >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Generous rate limits: one address sends everything.
"$DOSAR" --archive "$WORK/archive" serve --listen "127.0.0.1:$PORT" --threads "$CLIENTS" --no-ocr --no-proof-of-work \
  --submissions-per-hour 1000000 --submissions-per-minute 1000000 2>"$WORK/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/formulare" >/dev/null && break; sleep 0.1; done

python3 - "$PORT" "$PDF" "$CLIENTS" "$SECONDS_PER_RUN" "$WORK/answers.json" <<'PY'
import http.client, json, os, sys, threading, time, uuid
port, pdf, clients, seconds, out = int(sys.argv[1]), open(sys.argv[2], "rb").read(), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
fields = {"form": "petitie", "nume": "Ion Popescu", "adresa": "Str. Băicului 3", "obiect": "Iluminat",
          "continut": "Vă rog să reparați lampa.", "consent": "on"}
answers, latencies, errors, lock = [], [], [], threading.Lock()
deadline = time.monotonic() + seconds
def body():
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    unique = pdf + b"\n%" + uuid.uuid4().hex.encode() + b"\n"  # distinct bytes: no duplicate to skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="scan.pdf"\r\n'
                 'Content-Type: application/pdf\r\n\r\n'.encode() + unique + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary
def client():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    while time.monotonic() < deadline:
        data, boundary = body()
        key = uuid.uuid4().hex
        start = time.monotonic()
        conn.request("POST", "/api/v1/public/submissions", data,
                     {"Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": key})
        res = conn.getresponse()
        text = res.read()
        took = time.monotonic() - start
        with lock:
            latencies.append(took)
            if res.status == 201: answers.append(json.loads(text))
            else: errors.append((res.status, text[:200]))
threads = [threading.Thread(target=client) for _ in range(clients)]
began = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.monotonic() - began
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0
print(f"{clients} clients, {seconds:.0f} s, 1 MB attachment each: {len(answers)} submissions registered, "
      f"{len(errors)} errors, {len(answers) / elapsed:.2f} submissions/s, "
      f"p50 {pct(0.50) * 1000:.0f} ms, p99 {pct(0.99) * 1000:.0f} ms")
for e in errors[:5]: print("  error:", e)
json.dump(answers, open(out, "w"))
PY

"$DOSAR" --archive "$WORK/archive" registry list --json >"$WORK/register.json"
python3 - "$WORK/answers.json" "$WORK/register.json" <<'PY'
import json, sys
answers, register = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
numbers = [a["number"] for a in answers]
held = [e["number"] for e in register]
assert len(set(numbers)) == len(numbers), "a number was answered twice"
assert sorted(numbers) == sorted(held), f"answered {len(numbers)}, register holds {len(held)}"
seqs = sorted(e["seq"] for e in register)
assert seqs == list(range(1, len(seqs) + 1)), "numbers with gaps"
assert all(len(e["documents"]) == 1 for e in register), "an attachment is missing"
print(f"register: {len(held)} entries, each 201 answer exactly once, numbers 1..{len(held)} without gaps, "
      "each with its document")
PY
"$DOSAR" --archive "$WORK/archive" audit verify >/dev/null && echo "audit chain: intact"
