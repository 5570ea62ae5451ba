#!/usr/bin/env bash
# test/t/secrets.sh - secrets hygiene.
#
# A session logs everything (log_statement = all, log_min_error_statement =
# debug5, log_min_messages = debug5: set per session and by ALTER DATABASE)
# while it runs
#   1. the normal path: keys, grants, encryption, tokens and decryption on
#      clients (the secant-pre CLI); the server stores public keys, grants,
#      ciphertexts and tokens, re-encrypts (reencrypt_for, the sharing
#      triggers of secant.enable_sharing, index_keys_for) and revokes;
#   2. error paths: bad secret keys, grants and ciphertexts as literals, a
#      wrong-key decryption;
#   3. the server-side helpers that must take a secret key (pre_decrypt,
#      pre_grant, pre_public_key), the key kept out of the statement text:
#      as a bound parameter ($1, text and binary format, sent by test/t/pq_bind.c
#      from a file), and loaded with \copy into a temporary table.
#   4. mistakes with PostgreSQL's default log settings, each in a new
#      session: a grant INSERT that fails on the foreign key (text and
#      \x hex forms), a grant or a secret key where another type is
#      expected, either given to a function that fails.
# Then it greps the server log, pg_stat_statements and pg_stat_activity for
# every secret key used (presk_ text, base64url, base64 and hex of the seed),
# every grant (text, base64, hex, and its rk alone), the index key, the
# plaintexts and the keywords.
#
# Where: the running cluster (PGHOST/PGPORT/PGUSER, log SECANT_PRE_SERVER_LOG,
# as `make test` provides: secant_pre preloaded), then a private cluster
# started here with shared_preload_libraries = pg_stat_statements only (so
# secant_pre is not preloaded) and track_activity_query_size = 1MB (as
# test/cluster.sh does: as `postgres` when root, private socket directory,
# stopped on exit).
#
# Asserted: zero hits on the normal path (grants included when secant_pre
# is preloaded: its log hook redacts them); error messages (ERROR, DETAIL,
# HINT, CONTEXT) never contain the input; the safe server-side path leaves
# no trace; the log hook redacts a bound secret key in "DETAIL: parameters",
# a failing row, COPY's CONTEXT and every mistake of part 4, preloaded or
# not (the library is loaded by then).  What still leaks is printed as
# "finding:" lines, not counted: without preloading, statements logged
# before the session first uses the library (log_statement = all), and a
# secret in a session that never uses it; with or without, a literal
# secret key in a utility statement kept by pg_stat_statements.
#
# Ends with "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail

. "$(dirname "$0")/../prologue.sh"
CLI="$ROOT/secant-pre"
DB=secant_secrets_test

FINDINGS=0
finding() { echo "finding: $*"; FINDINGS=$((FINDINGS + 1)); }

WORK=$(mktemp -d /tmp/secant_pre_secrets.XXXXXX)
chmod 700 "$WORK"
PRIVATE=""
cleanup() {
	pgc_stop "$PRIVATE"
	[ -n "${SECANT_PRE_KEEP:-}" ] || rm -rf "$WORK"
}
[ -n "${SECANT_PRE_KEEP:-}" ] && echo "# keeping $WORK"
trap cleanup EXIT
trap 'exit 130' INT TERM

# the bound-parameter client
if ! cc -O1 -o "$WORK/pq_bind" "$ROOT/test/t/pq_bind.c" -I"$("$PG_CONFIG" --includedir)" \
	-L"$("$PG_CONFIG" --libdir)" -lpq 2>"$WORK/cc.err"; then
	cat "$WORK/cc.err"
	not_ok "build test/t/pq_bind.c (libpq-dev)"
	tap_finish
fi
BIND="$WORK/pq_bind"

# Every encoding of a secret seed that could show up: presk_ text, its
# base64url body, standard base64 (padded and not), hex in both cases; of a
# grant (pregrant_ file): its text, body, base64 and hex, and its rk alone.
encodings() { # encodings FILE: a presk_ text, 32 raw bytes or 64 hex digits
	python3 - "$1" <<'PY'
import base64, sys
data = open(sys.argv[1], 'rb').read()
if data.startswith(b'pregrant_'):
    body = data.decode().strip()[9:]
    g = base64.urlsafe_b64decode(body + '=' * (-len(body) % 4))
    # the whole value, and rk (bytes 168..200) alone in each encoding
    for s in sorted({'pregrant_' + body, body, base64.b64encode(g).decode(), g.hex(), g.hex().upper(),
                     g[168:200].hex(), g[168:200].hex().upper(), body[226:266]}):
        print(s)
    sys.exit(0)
if data.startswith(b'presk_'):
    body = data.decode().strip()[6:]
    seed = base64.urlsafe_b64decode(body + '=' * (-len(body) % 4))
    print('presk_' + body)
else:
    seed = data if len(data) == 32 else bytes.fromhex(data.decode().strip())
b64 = base64.b64encode(seed).decode()
for s in sorted({base64.urlsafe_b64encode(seed).decode().rstrip('='), b64, b64.rstrip('='),
                 seed.hex(), seed.hex().upper()}):
    print(s)
PY
}

# hits PATTERN_FILE TEXT_FILE: number of pattern occurrences
hits() {
	[ -s "$1" ] || { echo 0; return; }
	grep -F -o -f "$1" "$2" 2>/dev/null | wc -l
}

# show what was found, patterns cut to 12 characters
show_hits() {
	grep -F -o -f "$1" "$2" 2>/dev/null | cut -c1-12 | sort | uniq -c | sed 's/^/     found: /;s/$/…/' | head -5
}

read_log() { # read_log FILE OFFSET > segment
	tail -c +"$(($2 + 1))" "$1" 2>/dev/null || $RUN_AS tail -c +"$(($2 + 1))" "$1"
}
log_size() {
	stat -c %s "$1" 2>/dev/null || $RUN_AS stat -c %s "$1"
}

# scenario LABEL LOGFILE PGSS PRELOADED: runs the four parts against the
# current PGHOST/PGPORT and checks LOGFILE (and pg_stat_statements when
# PGSS=1); PRELOADED=1 when secant_pre is in shared_preload_libraries
scenario() {
	local label=$1 log=$2 pgss=$3 preloaded=$4
	local W="$WORK/$label"
	local start mark out
	mkdir -p "$W"
	echo "# $label: $PGHOST port $PGPORT, server log $log"

	psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL || { not_ok "$label: create database"; return; }
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB;
ALTER DATABASE $DB SET log_statement = 'all';
ALTER DATABASE $DB SET log_min_error_statement = 'debug5';
ALTER DATABASE $DB SET log_min_messages = 'debug5';
SQL
	# and per session, as the superuser would SET them
	export PGDATABASE=$DB
	export PGOPTIONS="-c log_statement=all -c log_min_error_statement=debug5 -c log_min_messages=debug5"
	sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
	sql -c "CREATE EXTENSION secant_pre" >/dev/null 2>&1
	if [ "$pgss" = 1 ]; then
		sql -c "CREATE EXTENSION pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1
	fi
	check "$label: sessions log every statement" \
		[ "$(sql -c "SELECT current_setting('log_statement') || ' ' || current_setting('log_min_error_statement') || ' ' || current_setting('log_min_messages')")" = "all debug5 debug5" ]

	start=$(log_size "$log")
	mark=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

	# ---- 1. the normal path ----
	for who in clinic ada ada_phone bob bob_phone; do
		"$CLI" keygen >"$W/$who.sk" && "$CLI" pubkey <"$W/$who.sk" >"$W/$who.pk"
	done
	pk() { cat "$W/$1.pk"; }
	sql >/dev/null <<SQL
SELECT secant.add_principal('clinic', 'group', '$(pk clinic)');
SELECT secant.add_principal('ada', 'user', '$(pk ada)');
SELECT secant.add_principal('ada_phone', 'device', '$(pk ada_phone)');
SELECT secant.add_principal('bob', 'user', '$(pk bob)');
SELECT secant.add_principal('bob_phone', 'device', '$(pk bob_phone)');
SQL
	"$CLI" grant "$(pk ada)" <"$W/clinic.sk" >"$W/g1"
	"$CLI" grant "$(pk bob)" <"$W/clinic.sk" >"$W/g2"
	"$CLI" grant "$(pk ada_phone)" <"$W/ada.sk" >"$W/g3"
	"$CLI" grant "$(pk bob_phone)" <"$W/bob.sk" >"$W/g4"
	for g in g1 g2 g3 g4; do
		sql -c "INSERT INTO secant.grants (rekey) VALUES ('$(cat "$W/$g")')" >/dev/null
	done
	check "$label: four grants stored (client-made)" [ "$(sql -c "SELECT count(*) FROM secant.grants")" = 4 ]
	sql >/dev/null <<'SQL'
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL REFERENCES notes,
                          recipient pre_public_key NOT NULL);
SELECT secant.enable_sharing(share_table => 'note_shares', source_table => 'notes',
                             source_column => 'body', source_key => 'id',
                             reference_column => 'note_id', recipient_column => 'recipient');
CREATE TABLE records (id int PRIMARY KEY, tokens pre_token[] NOT NULL);
SQL
	for i in 1 2 3; do
		printf 'plain%s note %s: HbA1c %s' "$mark" "$i" "$i" >"$W/plain$i"
		"$CLI" encrypt "$(pk clinic)" --aad "note:$i" <"$W/plain$i" >"$W/ct$i"
		sql -c "INSERT INTO notes VALUES ($i, '$(cat "$W/ct$i")')" >/dev/null
	done
	sql -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, '$(pk ada_phone)'), (2, '$(pk bob_phone)'), (3, '$(pk bob_phone)')" >/dev/null
	sql -c "SELECT c.copy FROM note_shares s JOIN secant.copies c ON c.share_table = 'note_shares'::regclass
	        AND c.source_row = s.note_id::text AND c.recipient = s.recipient WHERE s.note_id = 1" >"$W/share1"
	check "$label: the sharing trigger made three copies (secant.copies)" \
		[ "$(sql -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass")" = 3 ]
	check "$label: a shared copy decrypts on the phone (client)" \
		cmp -s <("$CLI" decrypt --secret-key "$W/ada_phone.sk" <"$W/share1" 2>/dev/null) "$W/plain1"
	sql -c "SELECT secant.reencrypt_for(body, '$(pk ada_phone)') FROM notes WHERE id = 3" >"$W/re3"
	check "$label: reencrypt_for result decrypts on the phone (client)" \
		cmp -s <("$CLI" decrypt --secret-key "$W/ada_phone.sk" <"$W/re3" 2>/dev/null) "$W/plain3"
	# searchable index: the index key and the keywords stay on clients
	head -c 32 /dev/urandom >"$W/index.key"
	"$CLI" encrypt "$(pk clinic)" <"$W/index.key" >"$W/index.ct"
	sql -c "SELECT secant.rotate_index_key('clinic', '$(cat "$W/index.ct")')" >/dev/null
	printf 'kwa%s kwb%s routine' "$mark" "$mark" >"$W/doc"
	"$CLI" tokens --index-key "$W/index.key" <"$W/doc" >"$W/tokens"
	sql -c "INSERT INTO records VALUES (1, ARRAY[$(sed "s/.*/'&'/" "$W/tokens" | paste -sd,)]::pre_token[])" >/dev/null
	"$CLI" token --index-key "$W/index.key" "kwa$mark" >"$W/query"
	check "$label: token search finds the record" \
		[ "$(sql -c "SELECT id FROM records WHERE tokens @> ARRAY['$(cat "$W/query")']::pre_token[]")" = 1 ]
	sql -c "SELECT key_ct FROM secant.index_keys_for('clinic', '$(pk ada_phone)')" >"$W/index_re"
	check "$label: index key fetched through the grants decrypts (client)" \
		cmp -s <("$CLI" decrypt --secret-key "$W/ada_phone.sk" <"$W/index_re" 2>/dev/null) "$W/index.key"
	check "$label: revoke deletes Bob's two copies" [ "$(sql -c "SELECT secant.revoke('clinic', 'bob')")" = 2 ]
	check "$label: after the revoke, secant.copies holds Ada's copy only" \
		[ "$(sql -c "SELECT string_agg(source_row, ',') FROM secant.copies WHERE recipient = '$(pk bob_phone)'")|$(sql -c "SELECT count(*) FROM secant.copies")" = "|1" ]
	check "$label: after the revoke, no path for Bob's phone (42501)" \
		bash -c "psql -X -q -At -c \"SELECT secant.reencrypt_for(body, '$(pk bob_phone)') FROM notes WHERE id = 1\" 2>&1 | grep -q 'no active grant path'"

	# ---- 2. error paths: bad values as literals ----
	# markers of 40 characters that are never a valid value
	local badsk="presk_${mark}BADSECRETKEYXXXXXXXXXXXXXXXXXX"
	local badg="pregrant_${mark}BADGRANTXXXXXXXXXXXXXXXXXXXXXX"
	local badct="prect_${mark}BADCIPHERTEXTXXXXXXXXXXXXXXXXX"
	# a real key with its last character changed: non-zero trailing bits
	"$CLI" keygen >"$W/typo.sk"
	local typo
	typo=$(python3 -c "import sys; t=open(sys.argv[1]).read().strip(); print(t[:-1] + ('B' if t[-1] != 'B' else 'C'))" "$W/typo.sk")
	for stmt in "SELECT '$badsk'::pre_secret_key" "SELECT '$typo'::pre_secret_key" \
		"SELECT pre_public_key('$typo')" "SELECT pre_decrypt(body, '$badsk') FROM notes" \
		"SELECT '$badg'::pre_grant" "INSERT INTO secant.grants (rekey) VALUES ('$badg')" \
		"SELECT secant.add_grant('$badg')" "SELECT '$badct'::pre_ciphertext" \
		"SELECT secant.reencrypt_for('$badct', '$(pk ada)')" \
		"SELECT pre_decrypt(body, '$(cat "$W/bob.sk")') FROM notes WHERE id = 1"; do
		sql -c "$stmt" >/dev/null 2>>"$W/client_errors"
	done
	# the wrong-key decryption with the key as a literal: that one is in the
	# statement text on purpose (documented); it is a fresh key never used again
	check "$label: every bad literal was refused" [ "$(grep -c '^ERROR:' "$W/client_errors")" = 10 ]

	# ---- 3. server-side helpers, the secret key kept out of the statement text ----
	"$CLI" keygen >"$W/server.sk"
	"$CLI" keygen >"$W/wrong.sk"
	"$CLI" keygen >"$W/binary.sk"
	"$CLI" keygen >"$W/copied.sk"
	python3 -c "
import base64, sys
t = open(sys.argv[1]).read().strip()[6:]
open(sys.argv[2], 'wb').write(base64.urlsafe_b64decode(t + '=' * (-len(t) % 4)))" "$W/binary.sk" "$W/binary.bin"
	sql -c "CREATE TABLE server_notes (id int PRIMARY KEY, body pre_ciphertext)" >/dev/null
	"$CLI" pubkey <"$W/server.sk" >"$W/server.pk"
	printf 'plain%s server note' "$mark" >"$W/plain_server"
	"$CLI" encrypt "$(cat "$W/server.pk")" <"$W/plain_server" >"$W/ct_server"
	sql -c "INSERT INTO server_notes VALUES (1, '$(cat "$W/ct_server")')" >/dev/null
	"$CLI" pubkey <"$W/copied.sk" >"$W/copied.pk"
	"$CLI" encrypt "$(cat "$W/copied.pk")" <"$W/plain_server" >"$W/ct_copied"
	sql -c "INSERT INTO server_notes VALUES (2, '$(cat "$W/ct_copied")')" >/dev/null
	local safe="-c log_parameter_max_length=0"
	PGOPTIONS="$PGOPTIONS $safe" "$BIND" -o 'SELECT pre_decrypt_text(body, $1::pre_secret_key) FROM server_notes WHERE id = 1' \
		"$W/server.sk" >"$W/activity1" 2>&1
	check "$label: pre_decrypt_text with the key bound as \$1 (text format)" \
		[ "$(head -n 1 "$W/activity1")" = "$(cat "$W/plain_server")" ]
	check "$label: pg_stat_activity shows \$1, not the key" grep -q '^activity: .*\$1::pre_secret_key' "$W/activity1"
	check "$label: wrong key bound as \$1 is refused (39000)" \
		bash -c "PGOPTIONS='$PGOPTIONS $safe' '$BIND' 'SELECT pre_decrypt(body, \$1) FROM server_notes WHERE id = 1' '$W/wrong.sk' 2>&1 | grep -q '^error 39000'"
	check "$label: pre_grant and pre_public_key with the key bound in binary format" \
		[ "$(PGOPTIONS="$PGOPTIONS $safe" "$BIND" -b 'SELECT pre_grant_to(pre_grant($1::pre_secret_key, secant.principal_key($$ada$$))) = secant.principal_key($$ada$$) AND pre_public_key($1::pre_secret_key) IS NOT NULL' "$W/binary.bin" 2>/dev/null)" = t ]
	# a key loaded with \copy (COPY data is not logged) and used by reference,
	# with PostgreSQL's default parameter logging
	printf '1\t%s\n' "$(cat "$W/copied.sk")" >"$W/copied.tsv"
	sql -c "CREATE TEMP TABLE my_key (id int, sk pre_secret_key)" -c "\\copy my_key FROM '$W/copied.tsv'" \
		-c "SELECT pre_decrypt_text(body, (SELECT sk FROM my_key)) FROM server_notes WHERE id = 2" >"$W/copied.out" 2>&1
	check "$label: a key loaded with \\copy and used by reference (default parameter logging)" \
		[ "$(cat "$W/copied.out")" = "$(cat "$W/plain_server")" ]

	# ---- what the server kept ----
	read_log "$log" "$start" >"$W/log"
	check "$label: the server log grew (statements were logged)" \
		grep -q "statement: SELECT secant.revoke('clinic', 'bob')" "$W/log"
	: >"$W/normal.pat"
	for who in clinic ada ada_phone bob bob_phone; do encodings "$W/$who.sk" >>"$W/normal.pat"; done
	encodings "$W/index.key" >>"$W/normal.pat"
	printf 'plain%s\nkwa%s\nkwb%s\n' "$mark" "$mark" "$mark" >>"$W/normal.pat"
	: >"$W/grants.pat"
	for g in g1 g2 g3 g4; do encodings "$W/$g" >>"$W/grants.pat"; done
	# Bob's key went into one statement on purpose (the literal wrong-key case
	# above): take it out of the normal-path set, it is reported below
	encodings "$W/bob.sk" >"$W/bob.pat"
	grep -v -F -x -f "$W/bob.pat" "$W/normal.pat" >"$W/normal_nobob.pat"
	: >"$W/safe.pat"
	for k in server wrong binary copied; do encodings "$W/$k.sk" >>"$W/safe.pat"; done

	# normal path, Bob's key only before the literal statement
	local n
	n=$(hits "$W/normal_nobob.pat" "$W/log")
	check "$label: server log: no secret key, index key, plaintext or keyword of the normal path ($n hits)" [ "$n" = 0 ]
	[ "$n" = 0 ] || show_hits "$W/normal_nobob.pat" "$W/log"
	# grants inserted by the admin (log_statement = all logs each INSERT):
	# redacted by the hook; without preloading it loads only with the
	# session's first use of the library, after "statement:" is logged
	n=$(hits "$W/grants.pat" "$W/log")
	if [ "$preloaded" = 1 ]; then
		check "$label: server log: no grant of the normal path (preloaded: redacted; $n hits)" [ "$n" = 0 ]
		[ "$n" = 0 ] || show_hits "$W/grants.pat" "$W/log"
		check "$label: server log: the grant INSERTs were logged, redacted" \
			grep -q "statement: INSERT INTO secant.grants (rekey) VALUES ('pregrant_\[redacted\]')" "$W/log"
	elif [ "$n" -gt 0 ]; then
		finding "$label: without preloading, a grant literal in a session's first statement is logged by log_statement = all before the library (and its redaction hook) is loaded ($n hits; documented in the README)"
	fi
	n=$(sed -n "1,/pre_decrypt(body, 'presk_/p" "$W/log" | grep -F -o -f "$W/bob.pat" | wc -l)
	check "$label: server log: Bob's key absent until it was sent as a literal ($n hits)" [ "$n" = 0 ]
	n=$(hits "$W/safe.pat" "$W/log")
	check "$label: server log: no key of the safe server-side path ($n hits)" [ "$n" = 0 ]
	[ "$n" = 0 ] || show_hits "$W/safe.pat" "$W/log"
	# error messages never quote the input (STATEMENT lines do: the literal
	# was in the statement text, see the finding below)
	printf '%s\n%s\n%s\n%s\n' "$mark" "${typo:6:40}" "BADSECRETKEY" "BADGRANT" >"$W/bad.pat"
	grep -E '^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] (WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|NOTICE): ' "$W/log" |
		grep -v -F 'DETAIL:  parameters: $' >"$W/log_errors"
	check "$label: server log: error messages of the bad literals were logged" \
		[ "$(grep -c 'invalid input syntax for type pre_secret_key' "$W/log_errors")" -ge 2 ]
	n=$(grep -F -o -f "$W/bad.pat" "$W/log_errors" | wc -l)
	check "$label: server log: ERROR/DETAIL/HINT/CONTEXT lines never quote the input ($n hits)" [ "$n" = 0 ]
	# (psql's own "LINE 1: ..." quotes the statement it sent; not counted)
	n=$(grep -E '^(ERROR|DETAIL|HINT|CONTEXT):' "$W/client_errors" | grep -F -o -f "$W/bad.pat" | wc -l)
	check "$label: client error messages never quote the input ($n hits)" [ "$n" = 0 ]
	n=$(grep -F -c "'$(cat "$W/bob.sk")'" "$W/log")
	if [ "$preloaded" = 1 ]; then
		check "$label: server log: a secret key sent as a literal is redacted ($n lines)" [ "$n" = 0 ]
	elif [ "$n" -gt 0 ]; then
		finding "$label: without preloading, a secret key sent as a literal is in the server log ($n lines: the statement logged before the library loaded) (documented in the README)"
	fi

	if [ "$pgss" = 1 ]; then
		sql -c "SELECT query FROM pg_stat_statements" >"$W/pgss"
		check "$label: pg_stat_statements recorded the session ($(wc -l <"$W/pgss") lines)" grep -q 'secant.reencrypt_for' "$W/pgss"
		n=$(hits "$W/normal.pat" "$W/pgss")
		check "$label: pg_stat_statements: no secret of the normal path, not even the literal one ($n hits)" [ "$n" = 0 ]
		n=$(hits "$W/safe.pat" "$W/pgss")
		check "$label: pg_stat_statements: no key of the safe path ($n hits)" [ "$n" = 0 ]
		sql -c "SELECT query FROM pg_stat_activity WHERE query <> ''" >"$W/activity"
		grep '^activity: ' "$W/activity1" >>"$W/activity"
		cat "$W/normal.pat" "$W/safe.pat" >"$W/all.pat"
		n=$(hits "$W/all.pat" "$W/activity")
		check "$label: pg_stat_activity: no secret ($n hits)" [ "$n" = 0 ]
		[ "$n" = 0 ] || show_hits "$W/all.pat" "$W/activity"
	fi

	# ---- findings: the unsafe forms, shown, not counted ----
	"$CLI" keygen >"$W/unsafe_param.sk"
	"$CLI" keygen >"$W/unsafe_utility.sk"
	"$CLI" keygen >"$W/unsafe_copy.sk"
	start=$(log_size "$log")
	"$BIND" 'SELECT pre_public_key($1::pre_secret_key) IS NOT NULL' "$W/unsafe_param.sk" >/dev/null 2>&1
	sql -c "CREATE TEMP TABLE t AS SELECT pre_public_key('$(cat "$W/unsafe_utility.sk")'::pre_secret_key) AS pk" >/dev/null 2>&1
	printf '1\t%sQ\n' "$(cat "$W/unsafe_copy.sk")" >"$W/unsafe.tsv"
	sql -c "CREATE TEMP TABLE k (id int, sk pre_secret_key)" -c "\\copy k FROM '$W/unsafe.tsv'" >/dev/null 2>&1
	# a constraint violation: PostgreSQL's DETAIL shows the failing row through
	# the types' output functions, at ERROR level (logged whatever log_statement)
	"$CLI" keygen >"$W/unsafe_row.sk"
	printf '1\t%s\n' "$(cat "$W/unsafe_row.sk")" >"$W/unsafe_row.tsv"
	sql -c "CREATE TEMP TABLE k2 (id int, sk pre_secret_key)" -c "\\copy k2 FROM '$W/unsafe_row.tsv'" \
		-c "CREATE TEMP TABLE wallet (sk pre_secret_key, label text NOT NULL)" \
		-c "INSERT INTO wallet SELECT sk, NULL FROM k2" >/dev/null 2>&1
	"$CLI" keygen >"$W/unsafe_grantor.sk"
	"$CLI" grant "$(pk ada)" <"$W/unsafe_grantor.sk" >"$W/unsafe.grant"
	sql -c "SELECT secant.add_principal('grantor', 'user', '$("$CLI" pubkey <"$W/unsafe_grantor.sk")')" \
		-c "INSERT INTO secant.grants (rekey, created_at) VALUES ('$(cat "$W/unsafe.grant")', NULL)" >/dev/null 2>&1
	read_log "$log" "$start" >"$W/log2"
	encodings "$W/unsafe_row.sk" >"$W/r.pat"
	n=$(grep -F -f "$W/r.pat" "$W/log2" | grep -c 'DETAIL:  Failing row contains')
	check "$label: a pre_secret_key in a row that violates a constraint is redacted in DETAIL: Failing row contains ($n hits)" [ "$n" = 0 ]
	# (PostgreSQL clips each value of that row to 64 characters: a grant's rk,
	# at byte 168, is past the clip; a presk_ text is 49 characters)
	local gtext
	gtext=$(cat "$W/unsafe.grant")
	if grep -q -F "${gtext:0:60}" <<<"$(grep 'DETAIL:  Failing row contains' "$W/log2")"; then
		if grep -q -F "${gtext: -40}" <<<"$(grep 'DETAIL:  Failing row contains' "$W/log2")"; then
			finding "$label: a grant in a row that violates a constraint is printed in full by that DETAIL"
		else
			echo "   note: a grant in a row that violates a constraint shows only its first 64 characters (magic and delegator key, not rk) in that DETAIL"
		fi
	fi
	encodings "$W/unsafe_param.sk" >"$W/p.pat"
	n=$(hits "$W/p.pat" "$W/log2")
	check "$label: a secret key bound as \$1 (default log_parameter_max_length, log_statement = all) is redacted in DETAIL: parameters ($n hits)" [ "$n" = 0 ]
	check "$label: ... and that DETAIL was logged" grep -q 'DETAIL:  parameters: \$1 = .presk_\[redacted\]' "$W/log2"
	encodings "$W/unsafe_copy.sk" >"$W/c.pat"
	n=$(hits "$W/c.pat" "$W/log2")
	check "$label: a malformed secret key in text COPY data is redacted in COPY's CONTEXT line ($n hits)" [ "$n" = 0 ]
	if [ "$pgss" = 1 ]; then
		sql -c "SELECT query FROM pg_stat_statements" >"$W/pgss2"
		encodings "$W/unsafe_utility.sk" >"$W/u.pat"
		n=$(hits "$W/u.pat" "$W/pgss2")
		[ "$n" -gt 0 ] && finding "$label: a literal secret key in a utility statement (CREATE TABLE AS) is kept verbatim by pg_stat_statements (plain SELECTs are normalised to \$n)"
	fi
	mistakes "$label" "$log" "$preloaded"
	unset PGOPTIONS PGDATABASE
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
}

# mistakes LABEL LOGFILE PRELOADED: with PostgreSQL's default log settings
# (log_min_error_statement = error: a failing statement is logged), an
# admin's or a user's mistakes with secret keys and grants, each in a new
# session; the log must hold none of them.  Runs in the scenario's database.
mistakes() {
	local label=$1 log=$2 preloaded=$3
	local W="$WORK/$label/mistakes" start n
	mkdir -p "$W"
	export PGOPTIONS="-c log_statement=none -c log_min_error_statement=error -c log_min_messages=warning"
	"$CLI" keygen >"$W/stranger.sk"
	"$CLI" keygen >"$W/pasted.sk"
	"$CLI" keygen >"$W/plain.sk"
	"$CLI" grant "$(cat "$WORK/$label/ada.pk")" <"$W/stranger.sk" >"$W/stranger.grant"
	local g sk hex
	g=$(cat "$W/stranger.grant")
	sk=$(cat "$W/pasted.sk")
	hex=$(python3 -c "import base64,sys; b=sys.argv[1][9:]; print(base64.urlsafe_b64decode(b + '=' * (-len(b) % 4)).hex())" "$g")
	start=$(log_size "$log")
	for stmt in \
		"INSERT INTO secant.grants (rekey) VALUES ('$g')" \
		"INSERT INTO secant.grants (rekey) VALUES ('\\x$hex'::bytea::pre_grant)" \
		"SELECT secant.add_grant('$g')" \
		"SELECT secant.add_principal('eve', 'user', '$sk')" \
		"SELECT '$g'::pre_ciphertext" \
		"SELECT '\\x$hex'::bytea::pre_ciphertext" \
		"SELECT pre_reencrypt(body, '$g') FROM notes WHERE id = 1" \
		"SELECT pre_decrypt(body, '$sk') FROM notes WHERE id = 1" \
		"SELECT pre_grant('$sk', '$g')"; do
		psql -X -q -At -c "$stmt" >/dev/null 2>>"$W/errors"
	done
	check "$label: default log settings: every mistake failed (9 errors)" [ "$(grep -c '^ERROR:' "$W/errors")" = 9 ]
	# a secret in a table of plain text, in a session that never loads
	# secant_pre: redacted only when the library is preloaded
	psql -X -q -At -c "CREATE TEMP TABLE wallet (k text, label text NOT NULL)" \
		-c "INSERT INTO wallet VALUES ('$(cat "$W/plain.sk")', NULL)" >/dev/null 2>&1
	read_log "$log" "$start" >"$W/log"
	encodings "$W/stranger.grant" >"$W/m.pat"
	encodings "$W/pasted.sk" >>"$W/m.pat"
	n=$(hits "$W/m.pat" "$W/log")
	check "$label: default log settings: no grant or secret key of the mistakes in the server log ($n hits)" [ "$n" = 0 ]
	[ "$n" = 0 ] || show_hits "$W/m.pat" "$W/log"
	check "$label: default log settings: the failing statements were logged, redacted" \
		[ "$(grep -c 'redacted statement: .*\[redacted\]' "$W/log")" -ge 9 ]
	encodings "$W/plain.sk" >"$W/plain.pat"
	n=$(hits "$W/plain.pat" "$W/log")
	if [ "$preloaded" = 1 ]; then
		check "$label: a secret key in a plain text column of a failing row is redacted (preloaded; $n hits)" [ "$n" = 0 ]
	elif [ "$n" -gt 0 ]; then
		finding "$label: without preloading, a secret key in a session that never uses secant_pre is logged (Failing row, STATEMENT) ($n hits; documented)"
	fi
	export PGOPTIONS="-c log_statement=all -c log_min_error_statement=debug5 -c log_min_messages=debug5"
}

# ---- on the running cluster ----
LOG=${SECANT_PRE_SERVER_LOG:-}
if [ -z "$LOG" ]; then
	LOG=$(psql -X -At -d postgres -c "SELECT current_setting('data_directory') || '/' || pg_current_logfile()" 2>/dev/null)
fi
if [ -n "$LOG" ] && log_size "$LOG" >/dev/null 2>&1; then
	scenario running "$LOG" 0 "$(psql -X -At -d postgres -c "SELECT current_setting('shared_preload_libraries') ~ 'secant_pre'" | sed 's/t/1/;s/f/0/')"
else
	not_ok "the running cluster's server log (set SECANT_PRE_SERVER_LOG)"
fi

# ---- on a private cluster with pg_stat_statements ----
PRIVATE=$(pgc_dir secant_pre_secrets_pg)
PORT=${SECANT_PRE_SECRETS_PORT:-$((${PGPORT:-55432} + 1))}	# next to the running cluster
if pgc_start "$PRIVATE" "$PORT" "shared_preload_libraries = 'pg_stat_statements'" \
	"track_activity_query_size = '1MB'" "pg_stat_statements.track = all" >"$WORK/start.log" 2>&1; then
	export PGHOST=$PRIVATE PGPORT=$PORT PGUSER=postgres
	check "private cluster: pg_stat_statements loaded, track_activity_query_size 1MB" \
		[ "$(psql -X -At -d postgres -c "SELECT current_setting('shared_preload_libraries') || ' ' || current_setting('track_activity_query_size')")" = "pg_stat_statements 1MB" ]
	scenario private "$PRIVATE/server.log" 1 0
else
	tail -n 20 "$WORK/start.log"
	not_ok "start a private cluster with pg_stat_statements"
fi

echo "($FINDINGS findings on unsafe paths, not counted)"
tap_summary
