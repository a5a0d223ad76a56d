# Approval flows through the real binary: templates with parallel steps and
# roles, approvals that make new versions, rejection and resubmission,
# delegation, cancellation, and the refusals that change nothing (issue 6).
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }
today() { TZ=Europe/Bucharest date +%F; }

expect_exit 0 D init
for u in autor sef jurist contabil director adjunct strain; do expect_exit 0 D user add "$u" --departments Juridic; done
expect_exit 0 D flow role jurist consilier Juridic
"$MAKE_SAMPLES" "$WORK/gen" 3 >/dev/null
expect_exit 0 D ingest --type raspuns "$WORK/gen/doc-00001.pdf"
doc=$(D list --json | jq '.[0].id')

# Template: check by the head, then legal (role) and budget in parallel, then the director.
expect_exit 1 D flow template raspuns --step "verificare=nimeni"
expect_output_contains "user nimeni"
expect_exit 1 D flow template raspuns --step "verificare"
expect_output_contains "LABEL=USER"
expect_exit 0 D flow template raspuns --step "verificare=sef" --step "aviz juridic=@consilier/Juridic+viza buget=contabil" \
  --step "aprobare=director"

expect_exit 0 D flow start "$doc" --as autor --json
flow=$(jq .id "$WORK/last.out")
[[ $(jq -r '.steps | map(.status) | join(",")' "$WORK/last.out") == "pending,pending,waiting,waiting" || \
   $(jq -r '[.steps[] | select(.position == 1) | .status] | join(",")' "$WORK/last.out") == "pending" ]] || fail "first step not pending"
expect_exit 1 D flow start "$doc" --as autor
expect_output_contains "already has a running approval flow"

snapshot() { echo "$(D flow show "$flow" --json | md5sum) $(D versions "$doc" --json | jq length) $(D audit --json | jq length)"; }

# Someone not in the step: refused, nothing changed.
before=$(snapshot)
expect_exit 1 D flow approve "$flow" --as strain
expect_output_contains "strain is not an approver of the pending step «verificare»"
[[ $(snapshot) == "$before" ]] || fail "refused approval changed something"

[[ $(D flow inbox --as sef --json | jq length) == 1 ]] || fail "step not in the head's inbox"
expect_exit 0 D flow approve "$flow" --as sef --version 1 --json
[[ $(jq .signed_version "$WORK/last.out") == 2 ]] || fail "approval did not make version 2"
[[ $(jq .cryptographic_signature "$WORK/last.out") == false ]] || fail "unsigned approval claims a signature"
expect_output_contains "WITHOUT a cryptographic signature"
[[ $(D versions "$doc" --json | jq length) == 2 ]] || fail "no new version after approval"

# Double approval and a superseded version: refused, nothing changed.
before=$(snapshot)
expect_exit 1 D flow approve "$flow" --as sef
expect_output_contains "already approved step «verificare»"
expect_exit 1 D flow approve "$flow" --as jurist --version 1
expect_output_contains "version 1 is superseded"
[[ $(snapshot) == "$before" ]] || fail "refused approval changed something"

# Parallel steps: both must approve; the role holder qualifies.
expect_exit 0 D flow approve "$flow" --as jurist
[[ $(D flow show "$flow" --json | jq -r '.steps[] | select(.label == "aprobare") | .status') == waiting ]] || fail "director step opened before all parallel steps approved"
expect_exit 1 D flow approve "$flow" --as jurist
expect_output_contains "already approved"

# Rejection returns to the author with a comment; resubmit restarts at the rejecting position.
expect_exit 1 D flow reject "$flow" --as contabil
expect_output_contains "needs a comment"
expect_exit 0 D flow reject "$flow" --as contabil --comment "lipsește sursa de finanțare"
[[ $(D flow show "$flow" --json | jq -r .status) == rejected ]] || fail "flow not rejected"
expect_exit 1 D flow approve "$flow" --as director
expect_output_contains "is rejected, not pending"
expect_exit 1 D flow resubmit "$flow" --as sef "$WORK/gen/doc-00002.pdf"
expect_output_contains "only its author autor resubmits"
expect_exit 1 D flow resubmit "$flow" --as autor
expect_output_contains "add a new version"
expect_exit 0 D flow resubmit "$flow" --as autor "$WORK/gen/doc-00002.pdf" --comment "am adăugat sursa"
shown=$(D flow show "$flow" --json)
[[ $(jq -r '[.steps[] | .label + ":" + .status] | join(",")' <<<"$shown") == "verificare:approved,aviz juridic:pending,viza buget:pending,aprobare:waiting" ]] \
  || fail "resubmit did not restart at the rejecting position: $(jq -c '[.steps[] | .label + ":" + .status]' <<<"$shown")"
v=$(jq .version <<<"$shown")
[[ $v == $(D show "$doc" --json | jq .current_version) ]] || fail "flow not on the resubmitted version"

# Delegation: the deputy approves on the director's behalf.
expect_exit 1 D delegate director adjunct --from "$(today)" --until 2020-01-01
expect_output_contains "is before"
expect_exit 1 D delegate director director --from "$(today)" --until "$(today)"
expect_output_contains "cannot delegate to themselves"
expect_exit 0 D delegate director adjunct --from "$(today)" --until "$(TZ=Europe/Bucharest date -d '+7 days' +%F)"
expect_exit 0 D flow approve "$flow" --as jurist
expect_exit 0 D flow approve "$flow" --as contabil
[[ $(D flow inbox --as adjunct --json | jq -r '.[0].on_behalf_of') == director ]] || fail "deputy's inbox lacks the director's step"
expect_exit 0 D flow approve "$flow" --as adjunct --json
[[ $(jq -r .on_behalf_of "$WORK/last.out") == director ]] || fail "deputy approval not recorded on behalf of the director"
shown=$(D flow show "$flow" --json)
[[ $(jq -r .status <<<"$shown") == approved ]] || fail "flow not approved after the last step"
[[ $(jq -r '.steps[] | select(.label == "aprobare") | .decided_by + "/" + .on_behalf_of' <<<"$shown") == "adjunct/director" ]] || fail "step lacks on-behalf-of"
D audit --json | jq -e '[.[] | select(.action == "flow.approve" and .actor == "adjunct" and .detail.on_behalf_of == "director")] | length == 1' >/dev/null \
  || fail "audit lacks the deputy's approval on behalf of the director"
D versions "$doc" --json | jq -e '.[-1].comment | test("adjunct în numele lui director")' >/dev/null || fail "version comment lacks on-behalf-of"

# Cancellation with a reason, by the author only.
expect_exit 0 D ingest --type raspuns "$WORK/gen/doc-00003.pdf"
doc2=$(D list --json | jq '.[-1].id')
expect_exit 0 D flow start "$doc2" --as autor --json
flow2=$(jq .id "$WORK/last.out")
expect_exit 1 D flow cancel "$flow2" --as autor
expect_output_contains "needs a reason"
expect_exit 1 D flow cancel "$flow2" --as sef --reason x
expect_output_contains "only its author"
expect_exit 0 D flow cancel "$flow2" --as autor --reason "document retras"
expect_exit 1 D flow approve "$flow2" --as sef
expect_output_contains "is cancelled"
[[ $(D flow inbox --as sef --json | jq length) == 0 ]] || fail "cancelled flow still in the inbox"

expect_exit 0 D audit verify
finish
