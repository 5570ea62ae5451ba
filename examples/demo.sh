#!/usr/bin/env bash
# examples/demo.sh - the secant_pre demo: a clinic shares patient notes with a
# care team; doctors read them on their phones; a doctor who leaves the
# team loses access at once.  This is the production flow: keys, grants,
# encryption and decryption run on the "clients" (the secant-pre CLI, each
# principal in a directory of its own standing for its device); PostgreSQL
# only stores public keys, grants sealed to its server key, and
# ciphertexts, and re-encrypts.  Bold titles only on a terminal (NO_COLOR
# is honoured).
#
# Needs a running server (PGHOST/PGPORT/PGUSER), as `make demo` provides.
# With --check it also asserts every outcome, and that its output (stdout
# and stderr) holds no warning and no deprecation, and ends with "N passed,
# M failed".
set -euo pipefail

if [ "${1:-}" = "--check" ]; then
	set +e
	out=$(bash "$0" --assert 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
	summary=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	pass=${summary%% passed*}
	fail=${summary#*passed, }
	fail=${fail%% failed*}
	[ -n "$summary" ] || { pass=0; fail=1; }
	[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
	bad=$(printf '%s\n' "$out" | grep -inE 'warning:|deprecat|note:')
	if [ -z "$bad" ]; then
		echo "ok - the demo's output holds no warning, note or deprecation"
		pass=$((pass + 1))
	else
		echo "not ok - the demo's output holds a warning, note or deprecation:"
		printf '%s\n' "$bad" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI="$ROOT/secant-pre"
CHECK=0
[ "${1:-}" = "--assert" ] && CHECK=1
DB=secant_demo
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PASS=0
FAIL=0

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
say() { printf '   %s\n' "$*"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
val() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
expect() {
	if [ "$2" = "$3" ]; then PASS=$((PASS + 1)); [ "$CHECK" = 1 ] && say "ok - $1"; return 0; fi
	FAIL=$((FAIL + 1))
	say "not ok - $1: expected '$3', got '$2'"
}

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
sql -c "CREATE EXTENSION secant_pre" >/dev/null

# the device (a directory of its own) that holds WHO's secret key, and the key
dev() { mkdir -p "$WORK/$1" && chmod 700 "$WORK/$1" && printf '%s' "$WORK/$1"; }
key() { printf '%s/%s.key' "$(dev "$1")" "$1"; }
pk() { "$CLI" pubkey --secret-key "$(key "$1")"; }

step "1. Everyone makes a key pair on their own device (secret keys never leave it)"
for who in cardiology dr_ada ada_phone dr_bob bob_phone; do
	"$CLI" keygen -o "$(key "$who")"
	say "$who: $(pk "$who" | cut -c1-24)…  (secret key in $who/$who.key, mode $(stat -c %a "$(key "$who")"))"
done
expect "secret key files are mode 600" "$(stat -c %a "$WORK"/*/*.key | sort -u)" "600"

step "2. The clinic registers the public keys as principals (public keys only)"
sql -c "SELECT v.name, v.kind, secant.add_principal(v.name, v.kind, v.public_key::pre_public_key) AS id,
               left(v.public_key, 20) || '…' AS public_key
        FROM (VALUES ('cardiology', 'group',  '$(pk cardiology)'),
                     ('dr_ada',     'user',   '$(pk dr_ada)'),
                     ('ada_phone',  'device', '$(pk ada_phone)'),
                     ('dr_bob',     'user',   '$(pk dr_bob)'),
                     ('bob_phone',  'device', '$(pk bob_phone)')) AS v(name, kind, public_key)"

step "3. Grants, made on clients and sealed to the server's key: group -> doctors, doctor -> phone"
SEAL=$(val "SELECT secant.server_public_key()")
say "the server's sealing key, from SELECT secant.server_public_key(): $(cut -c1-28 <<<"$SEAL")…"
for g in cardiology:dr_ada cardiology:dr_bob dr_ada:ada_phone dr_bob:bob_phone; do
	"$CLI" grant "$(pk "${g##*:}")" --secret-key "$(key "${g%%:*}")" --seal-to "$SEAL" -o "$(dev "${g%%:*}")/${g##*:}.grant"
	val "SELECT secant.add_grant('$(cat "$(dev "${g%%:*}")/${g##*:}.grant")')" >/dev/null
done
say "each grant is signed by its delegator and sealed on its client: the server never sees it in clear"
expect "grants arrive sealed (presealed_)" "$(cut -c1-10 "$(dev cardiology)/dr_ada.grant")" "presealed_"
sql -c "SELECT f.name AS delegator, t.name AS grantee FROM secant.grants g
        JOIN secant.principals f ON f.public_key = g.from_key
        JOIN secant.principals t ON t.public_key = g.to_key ORDER BY g.id"
expect "two members" "$(val "SELECT count(*) FROM secant.members('cardiology')")" "2"

step "4. A nurse encrypts notes on her workstation, to the group key, and stores them"
sql >/dev/null <<'SQL'
CREATE TABLE notes (id int PRIMARY KEY, patient text NOT NULL, body pre_ciphertext NOT NULL);
CREATE TABLE note_shares (
    id serial PRIMARY KEY,
    note_id int NOT NULL REFERENCES notes (id),
    recipient pre_public_key NOT NULL
);
SELECT secant.enable_sharing(share_table => 'note_shares', source_table => 'notes',
                             source_column => 'body', source_key => 'id',
                             reference_column => 'note_id', recipient_column => 'recipient');
SQL
i=0
while IFS='|' read -r patient text; do
	i=$((i + 1))
	ct=$(printf '%s' "$text" | "$CLI" encrypt "$(pk cardiology)" --aad "patient:$patient")
	sql -c "INSERT INTO notes VALUES ($i, '$patient', '$ct')"
done <<'NOTES'
4711|HbA1c 7.9 %, start metformin 500 mg twice daily.
4712|Echo: ejection fraction 55 %, no valve disease.
4713|Chest pain resolved; troponin negative twice.
NOTES
sql -c "SELECT id, patient, pre_level(body) AS level, octet_length(body::bytea) AS bytes,
               convert_from(pre_aad(body), 'UTF8') AS aad FROM notes ORDER BY id"
say "the server holds ciphertexts only; it has no secret key to read them."

step "5. Notes are shared with the doctors' phones: a trigger re-encrypts group -> doctor -> phone"
say "a share row (note, recipient) asks for a copy; the extension stores it in secant.copies"
sql -c "INSERT INTO note_shares (note_id, recipient)
        SELECT n.id, p.public_key FROM notes n, secant.principals p WHERE p.name IN ('ada_phone', 'bob_phone')"
# the copy of a share row, as the README reads it
COPY_OF="secant.copies c WHERE c.share_table = 'note_shares'::regclass AND c.source_row = s.note_id::text AND c.recipient = s.recipient"
sql -c "SELECT s.note_id, p.name AS recipient, pre_level(c.copy) AS level, octet_length(c.copy::bytea) AS bytes
        FROM note_shares s JOIN secant.principals p ON p.public_key = s.recipient
        JOIN LATERAL (SELECT c.copy FROM $COPY_OF) c ON true ORDER BY 1, 2"
expect "every share row has its copy" "$(val "SELECT count(*) FROM note_shares s WHERE EXISTS (SELECT 1 FROM $COPY_OF)")" "6"
expect "copies are at level 3" "$(val "SELECT string_agg(DISTINCT pre_level(copy)::text, ',') FROM secant.copies WHERE share_table = 'note_shares'::regclass")" "3"

step "6. Ada's phone fetches its copies and decrypts them locally, in one batch"
val "SELECT c.copy FROM note_shares s JOIN LATERAL (SELECT c.copy FROM $COPY_OF) c ON true
     WHERE s.recipient = secant.principal_key('ada_phone') ORDER BY s.note_id" >"$(dev ada_phone)/copies.ct"
(umask 077 && "$CLI" decrypt --batch --secret-key "$(key ada_phone)" <"$(dev ada_phone)/copies.ct" >"$(dev ada_phone)/copies.jsonl")
# each line: {"n":N,"ok":true,"plaintext":"<base64>"} (padded base64, the default --encoding)
b64url() { local s; s=$(tr '_-' '/+' <<<"$1"); while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done; base64 -d <<<"$s"; }
while IFS= read -r line; do
	b64=${line#*\"plaintext\":\"}
	say "ada_phone reads: \"$(b64url "${b64%\"\}}")\""
done <"$(dev ada_phone)/copies.jsonl"
expect "the batch decrypts three copies" "$(grep -c '"ok":true' "$(dev ada_phone)/copies.jsonl")" "3"
first=$(head -n 1 "$(dev ada_phone)/copies.jsonl")
first=${first#*\"plaintext\":\"}
expect "the phone reads note 1" "$(b64url "${first%\"\}}")" "HbA1c 7.9 %, start metformin 500 mg twice daily."
head -n 1 "$(dev ada_phone)/copies.ct" >"$(dev ada_phone)/note1.ct"
say "or on demand, without a stored copy: secant.reencrypt_for(body, phone key)"
val "SELECT secant.reencrypt_for(body, secant.principal_key('bob_phone')) FROM notes WHERE id = 2" >"$(dev bob_phone)/note2.ct"
plain=$("$CLI" decrypt --secret-key "$(key bob_phone)" <"$(dev bob_phone)/note2.ct")
say "bob_phone reads: \"$plain\""
expect "on-demand re-encryption decrypts" "$plain" "Echo: ejection fraction 55 %, no valve disease."
if "$CLI" decrypt --secret-key "$(key bob_phone)" <"$(dev ada_phone)/note1.ct" >/dev/null 2>"$WORK/err"; then
	expect "bob's phone cannot read ada's copy" "decrypted" "refused"
else
	say "bob_phone on ada's copy: $(cat "$WORK/err")"
	expect "bob's phone cannot read ada's copy" "refused" "refused"
fi

step "7. Search without showing the server a word: tokens under the group's index key"
"$CLI" index-keygen -o "$(dev cardiology)/index.key"
say "made by index-keygen on the group's client, stored encrypted to the group (level 1):"
index_ct=$(xxd -r -p "$(dev cardiology)/index.key" | "$CLI" encrypt "$(pk cardiology)")
sql -c "SELECT secant.rotate_index_key('cardiology', '$index_ct') AS index_key_version"
sql -c "ALTER TABLE notes ADD COLUMN index_version int, ADD COLUMN tokens pre_token[]"
sql -c "CREATE INDEX notes_tokens ON notes USING gin (tokens)"
i=0
while read -r text; do
	i=$((i + 1))
	toks=$(printf '%s' "$text" | "$CLI" tokens --index-key "$(dev cardiology)/index.key" | paste -sd, -)
	sql -c "UPDATE notes SET index_version = 1, tokens = '{$toks}' WHERE id = $i"
done <<'NOTES'
HbA1c 7.9 %, start metformin 500 mg twice daily.
Echo: ejection fraction 55 %, no valve disease.
Chest pain resolved; troponin negative twice.
NOTES
say "the nurse's workstation tokenized each note with the index key; the rows now hold:"
sql -c "SELECT id, cardinality(tokens) AS tokens, left(tokens[1]::text, 18) || '…' AS first_token FROM notes ORDER BY id"
say "Bob's phone fetches the index key through its grants and decrypts it locally:"
val "SELECT key_ct FROM secant.index_keys_for('cardiology', secant.principal_key('bob_phone')) WHERE version = 1" |
	(umask 077 && "$CLI" decrypt --secret-key "$(key bob_phone)" >"$(dev bob_phone)/index.key")
tok=$("$CLI" token --index-key "$(dev bob_phone)/index.key" "TWICE")
say "token of \"TWICE\": $tok"
say "the lookup is a GIN index scan (forced here: three rows would be scanned anyway):"
sql -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) SELECT id FROM notes WHERE tokens @> ARRAY['$tok'::pre_token]" |
	sed -n '3,7p'
found=$(val "SELECT string_agg(id::text, ',' ORDER BY id) FROM notes WHERE tokens @> ARRAY['$tok'::pre_token]")
say "notes mentioning it: $found (the server compared 16-byte tokens only)"
expect "search finds notes 1 and 3" "$found" "1,3"

step "8. Dr Ada leaves the team: one revocation, in one transaction"
sql -c "SELECT secant.revoke('cardiology', 'dr_ada') AS copies_deleted"
say "the share rows stay; the copies made through the revoked grant are gone:"
sql -c "SELECT p.name AS recipient, count(*) AS shares, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM $COPY_OF)) AS copies
        FROM note_shares s JOIN secant.principals p ON p.public_key = s.recipient GROUP BY 1 ORDER BY 1"
expect "ada's copies are gone" "$(val "SELECT count(*) FROM secant.copies c JOIN secant.principals p ON p.public_key = c.recipient WHERE p.name = 'ada_phone'")" "0"
if out=$(val "SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" 2>&1); then
	expect "ada's phone is refused" "re-encrypted" "refused"
else
	out=${out#*ERROR:  }
	say "re-encrypting for ada_phone now: ${out%%$'\n'*}"
	expect "ada's phone is refused" "refused" "refused"
fi
expect "bob still reads" "$("$CLI" decrypt --secret-key "$(key bob_phone)" <"$(dev bob_phone)/note2.ct")" "Echo: ejection fraction 55 %, no valve disease."

step "9. The audit log: every change of principals and grants, hash-chained; shares in the access log"
sql -c "SELECT seq, actor, action, left(encode(hash, 'hex'), 16) || '…' AS hash FROM secant.audit_log ORDER BY seq"
sql -c "SELECT coalesce(secant.audit_verify()::text, 'intact') AS audit_chain"
expect "audit chain intact" "$(val "SELECT secant.audit_verify() IS NULL")" "t"
say "and every copy made by sharing, in the access log:"
sql -c "SELECT id, actor, action, detail->>'share_table' AS share_table, detail->>'source_row' AS note, detail->>'level' AS level
        FROM secant.access_log ORDER BY id"
expect "the access log holds the six shares" "$(val "SELECT count(*) FROM secant.access_log WHERE action = 'share'")" "6"

psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
if [ "$CHECK" = 1 ]; then
	echo "$PASS passed, $FAIL failed"
fi
[ "$FAIL" -eq 0 ]
