#!/usr/bin/env bash
# The beneficiary's file in a real browser (issue 12): `dosar serve` on
# loopback driven through Debian's Chromium by playwright-core
# (tests/browser/persons_ui.test.mjs). A case worker chooses the purpose
# before anything is shown, finds a person, adds a child with the parent as
# legal representative, confirms a suggested link, links and unlinks a
# document, rectifies the address and sees the history, downloads the GDPR
# export; a user of another department gets 404 for the same person. The
# command line then finds the web's reads and changes in the access records
# and the audit trail. axe-core finds nothing serious or critical.
# Screenshots and the export are kept in $ARTIFACTS (default
# build/test-artifacts/persons-ui).
source "$(dirname "$0")/lib.sh"
: "${SOURCE_DIR:?}"

NODE_DIR=${DOSAR_NODE_CACHE:-$SOURCE_DIR/build/node/browser}
browser_tools "$NODE_DIR" persons_ui.test.mjs

export DOSAR_TEST_PASSWORD="parola-de-test-1"
SOCIAL="Asistență socială"
ION=1800101400016
"$DOSAR" init >/dev/null
"$DOSAR" user add ana --display-name "Ana Popescu" --departments "$SOCIAL" --restricted --password-env DOSAR_TEST_PASSWORD >/dev/null
"$DOSAR" user add maria --display-name "Maria Pop" --departments Urbanism --restricted --password-env DOSAR_TEST_PASSWORD >/dev/null
ion=$("$DOSAR" person add --name "Ion Popescu" --cnp "$ION" --address "Str. Florilor 1" --as ana)
text_pdf "$WORK/cerere.pdf" "Cerere de ajutor social. Subsemnatul, CNP $ION, solicit sprijin."
text_pdf "$WORK/contract.pdf" "Contract de furnizare servicii sociale."
"$DOSAR" ingest --no-ocr --department "$SOCIAL" "$WORK/cerere.pdf" "$WORK/contract.pdf" >/dev/null 2>&1
doc_cerere=$("$DOSAR" list --json | jq -r '.[] | select(.title | test("cerere")) | .id')
doc_contract=$("$DOSAR" list --json | jq -r '.[] | select(.title | test("contract")) | .id')
[[ $("$DOSAR" person suggestions --as ana --json | jq '.suggestions | length') == 1 ]] || fail "no suggestion to confirm"

serve_archive / --threads 4 --no-ocr

ARTIFACTS=${ARTIFACTS:-$SOURCE_DIR/build/test-artifacts/persons-ui}
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.tar "$ARTIFACTS"/*.png
if ! BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$DOSAR_TEST_PASSWORD" ARTIFACTS="$ARTIFACTS" ION_ID="$ion" \
     DOC_CERERE="$doc_cerere" DOC_CONTRACT="$doc_contract" node "$NODE_DIR/persons_ui.test.mjs"; then
  fail "browser checks failed (screenshots in $ARTIFACTS)"
  sed 's/^/  server: /' "$WORK/serve.err" | tail -20 >&2
fi

# The export the page downloaded is the CLI's format: a tar with the
# summary, the data, the linked documents and a manifest whose sums hold.
tar_file=$ARTIFACTS/persoana-$ion.tar
if [[ -s $tar_file ]]; then
  mkdir "$WORK/x" && tar -xf "$tar_file" -C "$WORK/x" || fail "tar cannot read the web's export"
  dir=$WORK/x/persoana-$ion
  [[ -f $dir/rezumat.pdf && -f $dir/date.json ]] || fail "the web's export lacks files: $(ls -R "$WORK/x")"
  (cd "$dir" && jq -r '.files[] | "\(.sha256)  \(.path)"' manifest.json | sha256sum -c --quiet) || fail "manifest sums"
  [[ $(jq -r .person.address "$dir/date.json") == "Str. Nouă 2" ]] || fail "the export lacks the rectified address"
  cmp -s "$dir/documente/$doc_cerere-v1-cerere.pdf" "$WORK/cerere.pdf" || fail "the confirmed document is not in the export"
else
  fail "the page did not download the export"
fi

# What the page did is what the CLI records: reads with their purpose,
# changes audited as ana's; maria's refused reads are not reads.
"$DOSAR" person access-report "$ion" --as ana --json >"$WORK/access.json"
for read in "ana|anchetă-socială|person" "ana|anchetă-socială|timeline" "ana|anchetă-socială|export"; do
  jq -e --arg r "$read" '.accesses | map(select("\(.user)|\(.purpose)|\(.what)" == $r)) | length >= 1' \
    "$WORK/access.json" >/dev/null || fail "the web's read '$read' is not recorded"
done
jq -e '.accesses | map(select(.user == "maria")) | length == 0' "$WORK/access.json" >/dev/null ||
  fail "maria's refused reads are recorded as reads"
"$DOSAR" audit --json >"$WORK/audit.json"
for action in person.add person.link person.unlink person.rectify; do
  jq -e --arg a "$action" '[.[] | select(.action == $a and .actor == "ana")] | length >= 1' "$WORK/audit.json" >/dev/null ||
    fail "$action from the page is not audited as ana's"
done
grep -q "$ION" "$WORK/audit.json" && fail "the audit trail holds a CNP"
[[ $("$DOSAR" person timeline "$ion" --purpose control --as ana --json | jq -r '[.items[] | .kind + " " + (.id|tostring)] | join(",")') == \
   "document $doc_cerere" ]] || fail "the timeline after the page's changes is not the confirmed document alone"
child=$("$DOSAR" person find "Maria Popescu" --purpose control --as ana --json | jq -r '.persons[0].id')
"$DOSAR" person show "$child" --purpose control --as ana --json |
  jq -e --argjson ion "$ion" '.representative.person == $ion and .representative.role == "părinte"' >/dev/null ||
  fail "the child added on the page does not have Ion as legal representative"
finish
