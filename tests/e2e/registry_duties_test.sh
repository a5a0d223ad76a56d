# The registry duties of the archival instructions through the real binary:
# answers linked both ways, join (conexare), filing without answer
# (clasare), forwarding, Law 544/2001 extension and refusal, what the
# citizen sees, and the petitions and Law 544/2001 reports (issues 10, 11).
source "$(dirname "$0")/lib.sh"

D() { "$DOSAR" "$@"; }
add() { D registry add --kind "$1" --sender "Cetățean" --subject "$2" --json | jq -r '.number + " " + .access_code'; }
year=$(TZ=Europe/Bucharest date +%Y)
today=$(TZ=Europe/Bucharest date +%F)
# The binary reads the system clock; a term that has run out is made by
# moving an entry's registration time back in the catalogue.
backdate() {
  sqlite3 "$DOSAR_ARCHIVE/catalog.sqlite" \
    "UPDATE registry_entries SET registered_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-$2 days') WHERE number = '$1'"
}

expect_exit 0 D init
expect_exit 0 D user add ana --departments Urbanism

# Answers: registered with --answers, linked both ways and shown.
read -r req req_code <<<"$(add petitie "Petiție iluminat")"
expect_exit 0 D registry assign "$req" --department Urbanism
expect_exit 0 D registry add --register iesire --kind adresa --sender "Primăria" --subject "Răspuns" --answers "$req" --json
ans=$(jq -r .number "$WORK/last.out")
[[ $(D registry show "$req" --register intrare --json | jq -r .status) == answered ]] || fail "request not answered"
expect_exit 0 D registry show "$req" --register intrare
expect_output_contains "answered by: iesire $ans"
expect_exit 0 D registry show "$ans" --register iesire
expect_output_contains "answers:    intrare $req"

# Join: the later entry closed as joined, listed with the first.
read -r first _ <<<"$(add petitie "Groapă în stradă")"
read -r later later_code <<<"$(add petitie "Groapă în stradă, din nou")"
expect_exit 1 D registry join "$first" --to "$later"
expect_output_contains "join the later document to the first number"
expect_exit 0 D registry join "$later" --to "$first" --json
[[ $(jq -r '.status + "|" + .dispositions[0].kind' "$WORK/last.out") == "closed|joined" ]] || fail "joined entry not closed as joined"
[[ $(D registry show "$first" --json | jq -r '.joined | length') == 1 ]] || fail "joined entry not listed with the first"
expect_exit 0 D registry lookup "$later" "$later_code" --json
[[ $(jq -r '.route[-1].event + "|" + .route[-1].note' "$WORK/last.out") == "joined|intrare $first" ]] || fail "citizen does not see the join"
expect_exit 1 D registry add --register iesire --kind adresa --sender P --subject R --answers "$later"
expect_output_contains "answer that number"

# Filing without answer: petitions only, with a reason.
read -r anon _ <<<"$(add petitie "Fără semnătură")"
read -r info info_code <<<"$(add informatii-publice "Buget 2026")"
expect_exit 1 D registry file "$anon"
expect_output_contains "needs a reason"
expect_exit 1 D registry file "$info" --reason "anonimă"
expect_output_contains "only petitions"
expect_exit 0 D registry file "$anon" --reason "anonimă, OG 27/2002 art. 7"
expect_exit 0 D registry show "$anon"
expect_output_contains 'filed: '
expect_output_contains 'anonimă, OG 27/2002 art. 7'

# Forwarding: within 5 days; later only with --late, recorded and flagged.
read -r fwd fwd_code <<<"$(add petitie "Apă caldă")"
read -r fwd_late _ <<<"$(add petitie "Transport")"
expect_exit 1 D registry forward "$fwd" --to "Apa Nova"
expect_output_contains "notice sent to the petitioner is required"
expect_exit 1 D registry forward "$fwd" --to "Apa Nova" --notice "v-am redirecționat" --late "de ce"
expect_output_contains "still within its term"
expect_exit 0 D registry forward "$fwd" --to "Apa Nova" --notice "v-am redirecționat" --json
[[ $(jq -r '.dispositions[0] | .target + "|" + (.late | tostring)' "$WORK/last.out") == "Apa Nova|false" ]] || fail "forward not recorded"
expect_exit 0 D registry lookup "$fwd" "$fwd_code"
expect_output_contains "Apa Nova: v-am redirecționat"
backdate "$fwd_late" 6
before=$(D registry list --json | md5sum)
expect_exit 1 D registry forward "$fwd_late" --to "STB" --notice "redirecționat"
expect_output_contains "give --late with a justification"
[[ $(D registry list --json | md5sum) == "$before" ]] || fail "a refused forward changed the registry"
expect_exit 0 D registry forward "$fwd_late" --to "STB" --notice "redirecționat" --late "concediu medical" --json
[[ $(jq -r '.dispositions[0] | (.late | tostring) + "|" + .late_justification' "$WORK/last.out") == "true|concediu medical" ]] || fail "late forward not flagged"

# Law 544/2001: extension to 30 days within 10 days; refusal within 5 days.
read -r ext ext_code <<<"$(add informatii-publice "Contracte")"
read -r ext_late _ <<<"$(add informatii-publice "Salarii")"
read -r ref _ <<<"$(add informatii-publice "Secret")"
read -r ref_late _ <<<"$(add informatii-publice "Inexistent")"
expect_exit 1 D registry extend-544 "$anon" --notice "x"
expect_output_contains "only open entries"  # closed: filed above
expect_exit 0 D registry extend-544 "$ext" --notice "volum mare de date" --json
[[ $(jq -r .deadline "$WORK/last.out") == $(TZ=Europe/Bucharest date -d '+30 days' +%F) ]] || fail "extension is not 30 days"
expect_exit 1 D registry extend-544 "$ext" --notice "din nou"
expect_output_contains "already extended"
backdate "$ext_late" 11
expect_exit 1 D registry extend-544 "$ext_late" --notice "prea târziu"
expect_output_contains "within 10 days of registration"
expect_exit 1 D registry refuse "$ref" --reason "x" --ground secret
expect_output_contains "is not one of exempted, missing, other"
expect_exit 0 D registry refuse "$ref" --ground exempted --reason "art. 12 lit. a" --json
[[ $(jq -r .status "$WORK/last.out") == answered ]] || fail "a refusal is not the answer"
backdate "$ref_late" 6
expect_exit 1 D registry refuse "$ref_late" --ground missing --reason "nu există"
expect_output_contains "give --late with a justification"
expect_exit 0 D registry refuse "$ref_late" --ground missing --reason "nu există" --late "arhivă în mutare"

[[ $(D audit --json | jq '[.[] | select(.action | startswith("registry.disposition."))] | length') == 7 ]] \
  || fail "not one audit row per disposition"

# Reports over what was done above.
week_ago=$(TZ=Europe/Bucharest date -d '-7 days' +%F)
expect_exit 0 D report petitii --from "$week_ago" --to "$today" --json --csv "$WORK/p.csv" --pdf "$WORK/p.pdf"
p=$(cat "$WORK/last.out")
[[ $(jq -c '.total | [.received, .answered_in_term, .forwarded, .filed, .joined, .open]' <<<"$p") == "[6,1,2,1,1,1]" ]] \
  || fail "petitions report totals: $(jq -c .total <<<"$p")"
[[ $(jq -r '.by_department.Urbanism.answered_in_term' <<<"$p") == 1 ]] || fail "petitions report by department"
grep -q '^TOTAL,6,1,0,2,1,1,1$' "$WORK/p.csv" || fail "petitions CSV: $(cat "$WORK/p.csv")"
pdftotext "$WORK/p.pdf" - | grep -q "OG 27/2002" || fail "petitions PDF lacks its title"
expect_exit 0 D report l544 --year "$year" --json --csv "$WORK/l.csv" --pdf "$WORK/l.pdf"
l=$(cat "$WORK/last.out")
[[ $(jq -c '[.total, .refused, .extended, .refused_by_ground.exempted, .refused_by_ground.missing, .complaints]' <<<"$l") == "[5,2,1,1,1,null]" ]] \
  || fail "l544 report: $l"
[[ $(jq '.unknown | length' <<<"$l") -ge 1 ]] || fail "l544 report does not say what it cannot know"
grep -q '^refused,,2$' "$WORK/l.csv" || fail "l544 CSV: $(cat "$WORK/l.csv")"
pdftotext "$WORK/l.pdf" - | grep -q "art. 12 lit. a" || fail "l544 PDF lacks the refusal reasons"
expect_exit 2 D report l544 --year 26
expect_output_contains "--year must be a year"

expect_exit 0 D audit verify
finish
