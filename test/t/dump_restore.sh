#!/usr/bin/env bash
# test/t/dump_restore.sh - pg_dump / restore of a database that uses every
# secant_pre type and the whole secant schema: what a backup must bring back.
#
# The source database holds all five types in columns (with NULLs, a
# level-3 value, an empty message, a toasted 256 kB value, pre_token[] under
# GIN, btree and hash indexes), a user table with an identity column and a
# generated column computed by an extension function, a CHECK using one, a
# materialized view, the clinic of test/fixtures/clinic.sql (keys, notes and a
# share table wired to the extension's sharing) and the secant schema
# populated: principals, grants (one expiring, one revoked and remembered),
# copies made by the sharing triggers (secant.copies), index keys (two
# versions), the audit log and the access log.  It is dumped by the cluster's
# superuser role in plain and custom format and restored into fresh
# databases:
#   plain     pg_dump -Fp | psql
#   custom    pg_dump -Fc, pg_restore
#   parallel  pg_dump -Fc, pg_restore -j 4 (unsupported, see README: it must
#             either restore everything or fail loudly)
#   replica   pg_dump -Fc, pg_restore -j 4 with session_replication_role =
#             replica (user triggers off during the load)
# Each restore is compared with the source table by table: md5 of the bytea
# cast of every value, per row (and every other column as text); then
# ciphertexts must decrypt, audit_verify() must be NULL with the source's
# audit head, and the restored database must keep working (identity
# sequences, the sharing triggers, revocation through secant.copies, a
# revoked grant still refused, index keys, GIN search).  Binary COPY out and in of every type is checked too.
#
# Problems of the extension that are known and reported are printed as
# "not ok - ... # KNOWN: why" and not counted (SECANT_PRE_STRICT=1 counts
# them); a check that passes is "ok" whether or not it was expected to fail.
#
# Needs a running server (PGHOST/PGPORT/PGUSER, a superuser), as `make test`
# provides.  Ends with "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail

. "$(dirname "$0")/../prologue.sh"
SRC=secant_dr_src
WORK=$(mktemp -d /tmp/secant_pre_dump.XXXXXX)
chmod 700 "$WORK"

# (test/tap.sh) KNOWN_WHY is set while a check is expected to fail for a
# reported reason

dbs="$SRC secant_dr_plain secant_dr_custom secant_dr_parallel secant_dr_replica"
drop_all() {
	for d in $dbs; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1; done
}
cleanup() {
	drop_all
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
drop_all
psql -X -q -d postgres -c "CREATE DATABASE $SRC" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

# ---- the source database ----
psql -X -q -v ON_ERROR_STOP=1 -v fixture="$ROOT/test/fixtures/clinic.sql" -d "$SRC" >"$WORK/setup.out" 2>&1 <<'SQL'
\i :fixture
-- two more doctors: dr_c (revoked below) and dr_d (an expiring membership)
INSERT INTO fixture_keys VALUES ('dr_c', 'user', pre_keygen()), ('dr_d', 'user', pre_keygen());
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM fixture_keys WHERE name IN ('dr_c', 'dr_d');
SELECT count(secant.add_grant(pre_grant(fixture_sk('clinic'), secant.principal_key(b), x)))
FROM (VALUES ('dr_c', 'infinity'::timestamptz), ('dr_d', now() + interval '30 days')) AS g(b, x);
-- every type in columns, with NULLs, levels 1 and 3, an empty message and a toasted value
CREATE TABLE vault (
    id int PRIMARY KEY,
    sk pre_secret_key,
    pk pre_public_key,
    g pre_grant,
    ct pre_ciphertext CHECK (pre_level(ct) BETWEEN 1 AND 16),
    tok pre_token,
    toks pre_token[],
    reader text,
    plain bytea
);
INSERT INTO vault
SELECT 1, fixture_sk('clinic'), pre_public_key(fixture_sk('clinic')), pre_grant(fixture_sk('clinic'), pre_public_key(fixture_sk('dr_ada'))),
       pre_encrypt(pre_public_key(fixture_sk('clinic')), '\x0001020304'::bytea, 'vault:1'::bytea),
       pre_token(decode(repeat('ab', 32), 'hex'), 'alpha'),
       pre_tokens(decode(repeat('ab', 32), 'hex'), 'alpha beta gamma', true), 'clinic', '\x0001020304';
INSERT INTO vault (id) VALUES (2);
INSERT INTO vault (id, ct, reader, plain)
SELECT 3, pre_reencrypt(pre_reencrypt(pre_encrypt(pre_public_key(fixture_sk('clinic')), convert_to('level three', 'UTF8')),
              (SELECT g FROM fixture_grants WHERE to_name = 'dr_ada')),
              (SELECT g FROM fixture_grants WHERE to_name = 'ada_phone')),
       'ada_phone', convert_to('level three', 'UTF8');
INSERT INTO vault (id, ct, reader, plain)
SELECT 4, pre_encrypt(pre_public_key(fixture_sk('dr_bob')), ''::bytea), 'dr_bob', ''::bytea;
INSERT INTO vault (id, ct, reader, plain, toks)
SELECT 5, pre_encrypt(pre_public_key(fixture_sk('dr_c')), p, '\xff00'::bytea), 'dr_c', p, '{}'
FROM (SELECT decode(string_agg(md5(i::text), ''), 'hex') AS p FROM generate_series(1, 16384) AS i) x;
CREATE INDEX vault_pk ON vault (pk);
CREATE INDEX vault_tok ON vault USING hash (tok);
CREATE INDEX vault_toks ON vault USING gin (toks);
-- journal: identity column, generated column by an extension function
CREATE TABLE journal (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body pre_ciphertext NOT NULL,
    recipient pre_public_key GENERATED ALWAYS AS (pre_recipient(body)) STORED,
    plain text NOT NULL
);
INSERT INTO journal (body, plain)
SELECT pre_encrypt(secant.principal_key('clinic'), 'entry ' || i, convert_to('journal:' || i, 'UTF8')), 'entry ' || i
FROM generate_series(1, 5) AS i;
-- the fixture's notes ('note ' || id) shared through its share table: the
-- copies go to secant.copies
INSERT INTO note_shares (note_id, recipient)
SELECT id, secant.principal_key(CASE WHEN id % 2 = 0 THEN 'ada_phone' ELSE 'bob_phone' END) FROM notes;
INSERT INTO note_shares (note_id, recipient) SELECT id, secant.principal_key('dr_c') FROM notes WHERE id <= 2;
-- dr_c's grant, kept to try storing it again after the restore
CREATE TABLE revoked_rekeys AS SELECT sealed FROM secant.grants WHERE to_key = secant.principal_key('dr_c');
-- a revocation: dr_c's copies go, its share rows stay
SELECT secant.revoke('clinic', 'dr_c');
-- index keys, two versions, and records searched by token
SELECT secant.rotate_index_key('clinic', pre_encrypt(secant.principal_key('clinic'), decode(repeat('11', 32), 'hex')));
SELECT secant.rotate_index_key('clinic', pre_encrypt(secant.principal_key('clinic'), decode(repeat('22', 32), 'hex')));
CREATE TABLE records (id int PRIMARY KEY, index_version int NOT NULL, tokens pre_token[] NOT NULL);
INSERT INTO records
SELECT i, 2, pre_tokens(decode(repeat('22', 32), 'hex'), CASE WHEN i % 10 = 0 THEN 'diabetes follow-up' ELSE 'routine ' || i END)
FROM generate_series(1, 200) AS i;
CREATE INDEX records_tokens ON records USING gin (tokens);
CREATE MATERIALIZED VIEW note_levels AS SELECT id, pre_level(body) AS level, pre_recipient(body) AS recipient FROM journal;
SELECT secant.audit_verify() IS NULL AS intact;
SQL
rc=$?
check "source database built" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 20 "$WORK/setup.out" | sed 's/^/     /'

# ---- digests: one line per row, md5 of the bytea casts ----
cat >"$WORK/digest.sql" <<'SQL'
SELECT 'vault', id, md5(sk::bytea), md5(pk::bytea), md5(g::bytea), md5(ct::bytea), md5(tok::bytea),
       md5(array_to_string(ARRAY(SELECT encode(t::bytea, 'hex') FROM unnest(toks) AS t), ',')),
       cardinality(toks), reader, md5(plain) FROM vault ORDER BY id;
SELECT 'fixture_keys', name, kind, md5(sk::bytea) FROM fixture_keys ORDER BY name;
SELECT 'notes', id, md5(body::bytea) FROM notes ORDER BY id;
SELECT 'journal', id, md5(body::bytea), md5(recipient::bytea), plain FROM journal ORDER BY id;
SELECT 'note_shares', id, note_id, md5(recipient::bytea) FROM note_shares ORDER BY id;
SELECT 'revoked_rekeys', md5(sealed::bytea) FROM revoked_rekeys ORDER BY 2;
SELECT 'records', id, index_version, md5(array_to_string(ARRAY(SELECT encode(t::bytea, 'hex') FROM unnest(tokens) AS t), ','))
FROM records ORDER BY id;
SELECT 'note_levels', id, level, md5(recipient::bytea) FROM note_levels ORDER BY id;
SELECT 'principals', id, name, kind, md5(public_key::bytea), created_at FROM secant.principals ORDER BY id;
SELECT 'grants', id, md5(sealed::bytea), md5(from_key::bytea), md5(to_key::bytea), not_after, md5(hop_key), created_at
FROM secant.grants ORDER BY id;
SELECT 'index_keys', md5(group_key::bytea), version, md5(key_ct::bytea), created_at FROM secant.index_keys ORDER BY 2, 3;
SELECT 'copies', id, share_table::text, source_table::text, source_row, md5(recipient::bytea), md5(copy::bytea),
       md5(hop_keys::text), created_at, created_by FROM secant.copies ORDER BY id;
SELECT 'revoked_grants', md5(hop_key), md5(from_key::bytea), md5(to_key::bytea), revoked_at, revoked_by
FROM secant.revoked_grants ORDER BY 2;
SELECT 'audit_log', seq, at, actor, action, md5(detail::text), md5(prev_hash), md5(hash) FROM secant.audit_log ORDER BY seq;
SELECT 'access_log', id, at, actor, role, action, md5(detail::text) FROM secant.access_log ORDER BY id;
SELECT 'sequences', schemaname || '.' || sequencename, last_value FROM pg_sequences ORDER BY 2;
SQL
digest() { # digest DB > file
	PGOPTIONS="-c timezone=UTC" psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -d "$1" -f "$WORK/digest.sql"
}
digest "$SRC" >"$WORK/src.digest"
TABLES="vault fixture_keys notes journal note_shares revoked_rekeys records note_levels principals grants copies revoked_grants index_keys audit_log access_log sequences"
for t in $TABLES; do
	check "source: $t has rows" grep -q "^$t|" "$WORK/src.digest"
done

# ---- binary COPY out and in of every type ----
psql -X -q -v ON_ERROR_STOP=1 -d "$SRC" >"$WORK/copy.out" 2>&1 <<SQL
\\copy vault TO '$WORK/vault.bin' WITH (FORMAT binary)
CREATE TABLE vault_bin (LIKE vault INCLUDING ALL);
\\copy vault_bin FROM '$WORK/vault.bin' WITH (FORMAT binary)
\\copy (SELECT sealed, from_key, hop_key FROM secant.grants ORDER BY id) TO '$WORK/grants.bin' WITH (FORMAT binary)
CREATE TABLE grants_bin (sealed pre_sealed_grant, from_key pre_public_key, hop_key bytea);
\\copy grants_bin FROM '$WORK/grants.bin' WITH (FORMAT binary)
\\copy (SELECT key_ct FROM secant.index_keys) TO '$WORK/index_keys.bin' WITH (FORMAT binary)
CREATE TABLE index_keys_bin (key_ct pre_ciphertext);
\\copy index_keys_bin FROM '$WORK/index_keys.bin' WITH (FORMAT binary)
SQL
check "binary COPY out and in ran" [ $? -eq 0 ]
check "binary COPY: every column of every row of vault is byte-equal" [ "$(psql -X -At -d "$SRC" -c "
	SELECT count(*) FROM vault a JOIN vault_bin b USING (id)
	WHERE a.sk::bytea IS NOT DISTINCT FROM b.sk::bytea AND a.pk::bytea IS NOT DISTINCT FROM b.pk::bytea
	  AND a.g::bytea IS NOT DISTINCT FROM b.g::bytea AND a.ct::bytea IS NOT DISTINCT FROM b.ct::bytea
	  AND a.tok::bytea IS NOT DISTINCT FROM b.tok::bytea AND a.toks IS NOT DISTINCT FROM b.toks
	  AND a.plain IS NOT DISTINCT FROM b.plain")" = "$(psql -X -At -d "$SRC" -c "SELECT count(*) FROM vault")" ]
check "binary COPY: grants and index keys byte-equal" [ "$(psql -X -At -d "$SRC" -c "
	SELECT (SELECT count(*) FROM secant.grants g JOIN grants_bin b ON b.hop_key = g.hop_key
	        WHERE b.sealed::bytea = g.sealed::bytea AND b.from_key = g.from_key)
	     = (SELECT count(*) FROM secant.grants)
	   AND (SELECT count(*) FROM secant.index_keys k JOIN index_keys_bin b ON b.key_ct::bytea = k.key_ct::bytea)
	     = (SELECT count(*) FROM secant.index_keys)")" = t ]
check "binary COPY: copied ciphertexts decrypt" [ "$(psql -X -At -d "$SRC" -c "
	SELECT count(*) FROM vault_bin v JOIN fixture_keys k ON k.name = v.reader WHERE pre_decrypt(v.ct, k.sk) = v.plain")" = 4 ]
psql -X -q -d "$SRC" -c "DROP TABLE vault_bin, grants_bin, index_keys_bin" >/dev/null

# ---- dumps ----
check "pg_dump plain format" pg_dump -Fp -d "$SRC" -f "$WORK/plain.sql"
check "pg_dump custom format" pg_dump -Fc -d "$SRC" -f "$WORK/custom.dump"
check "the dump holds secant's configuration tables' data" grep -q '^COPY secant.grants (id, rekey, from_key, to_key, not_after, hop_key, created_at, sealed) FROM stdin;' "$WORK/plain.sql"
# no grant secret (rk, bytes 168..200 of a grant) anywhere in the dumps, in
# hex or either base64 alphabet, nor a whole grant's text form
rk_forms() {
	psql -X -At -d "$SRC" -c "SELECT encode(substr(g::bytea, 169, 32), 'hex'),
	    rtrim(encode(substr(g::bytea, 169, 32), 'base64'), '='),
	    rtrim(translate(encode(substr(g::bytea, 169, 32), 'base64'), '+/', '-_'), '='),
	    substr(g::text, 10, 40)
	  FROM fixture_grants" | tr '|' '\n'
}
# (the test's own tables hold the grants as their delegators made them:
# the check reads dumps of secant's data, the application's data left out)
pg_dump -Fp -d "$SRC" --exclude-table-data='public.*' -f "$WORK/secant.sql"
pg_dump -Fc -d "$SRC" --exclude-table-data='public.*' -f "$WORK/secant.dump"
pg_restore -f "$WORK/secant_restored.sql" "$WORK/secant.dump" 2>/dev/null
leaks=0
for f in $(rk_forms); do
	for d in "$WORK/secant.sql" "$WORK/secant.dump" "$WORK/secant_restored.sql"; do
		grep -qF -- "$f" "$d" && leaks=$((leaks + 1))
	done
done
check "no grant secret (rk) in a plain or custom dump of secant's data, in any encoding" \
	[ "$leaks" -eq 0 ] && [ "$(grep -c '^COPY secant.grants' "$WORK/secant.sql")" = 1 ]
check "the grants of the dump are sealed (presealed_ values)" grep -q 'presealed_' "$WORK/plain.sql"

# ---- restore and compare ----
verify() { # verify LABEL DB
	local label=$1 db=$2 t
	digest "$db" >"$WORK/$label.digest" 2>"$WORK/$label.digest.err"
	for t in $TABLES; do
		# (before 0.4.0 the audit triggers appended entries during a plain or
		# custom restore; secant.restoring() now keeps them out: counted)
		KNOWN_WHY=""
		[ "$label" = parallel ] && KNOWN_WHY="pg_restore -j loads secant.grants and secant.index_keys in parallel with secant.principals: their foreign keys (created by CREATE EXTENSION, before the data) fail, the rows are lost; the audit triggers race the audit_log load"
		check "$label: $t identical to the source, row by row" \
			cmp -s <(grep "^$t|" "$WORK/src.digest") <(grep "^$t|" "$WORK/$label.digest")
		if ! cmp -s <(grep "^$t|" "$WORK/src.digest") <(grep "^$t|" "$WORK/$label.digest"); then
			diff <(grep "^$t|" "$WORK/src.digest") <(grep "^$t|" "$WORK/$label.digest") | grep '^[<>]' |
				cut -c1-110 | head -n 4 | sed 's/^/     /'
		fi
	done
	KNOWN_WHY=""
	[ "$label" = parallel ] && KNOWN_WHY="see above: rows of the configuration tables lost in a parallel restore"
	q() { psql -X -q -At -d "$db" -c "$1" 2>&1; }
	check "$label: every ciphertext of vault decrypts" \
		[ "$(q "SELECT count(*) FROM vault v JOIN fixture_keys k ON k.name = v.reader WHERE pre_decrypt(v.ct, k.sk) = v.plain")" = 4 ]
	check "$label: shared copies (secant.copies) decrypt on the phones" \
		[ "$(q "SELECT count(*) FROM note_shares s
		        JOIN secant.copies c ON c.share_table = 'note_shares'::regclass AND c.source_row = s.note_id::text AND c.recipient = s.recipient
		        JOIN fixture_keys k ON pre_public_key(k.sk) = c.recipient
		        WHERE pre_decrypt_text(c.copy, k.sk) = 'note ' || s.note_id")" = 5 ]
	KNOWN_WHY=""
	[ "$label" = parallel ] && KNOWN_WHY="see above"
	check "$label: audit_verify() is NULL" [ "$(q "SELECT coalesce(secant.audit_verify()::text, 'null')")" = null ]
	check "$label: audit head equals the source's" \
		[ "$(q "SELECT encode(secant.audit_head(), 'hex')")" = "$(psql -X -At -d "$SRC" -c "SELECT encode(secant.audit_head(), 'hex')")" ]
	KNOWN_WHY=""
	[ "$label" = parallel ] && KNOWN_WHY="see above: rows of the configuration tables lost in a parallel restore"
	# a restore into another database is a copy: closed until an admin
	# adopts it (docs/OPERATIONS.md); beside the live source, with an
	# identity of its own: keeping the identity (a move) is refused while
	# the source claims it
	check "$label: before adoption, re-encryption is refused naming secant.adopt_database()" \
		bash -c "psql -X -q -At -d '$db' -c \"SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 3\" 2>&1 | grep -q 'secant.adopt_database()'"
	if [ "$label" = replica ]; then
		check "$label: keeping the identity (a move) is refused beside the live source" \
			bash -c "psql -X -q -At -d '$db' -c 'SELECT secant.adopt_database(new_identity => false)' 2>&1 | grep -q 'claimed this identity and is live'"
	fi
	check "$label: adopted, with an identity of its own (grants re-sealed)" \
		[ "$(q "SELECT secant.adopt_database() = (SELECT count(*) FROM secant.grants)")" = t ]
	check "$label: adopted: the audit chain is intact" [ "$(q "SELECT coalesce(secant.audit_verify()::text, 'null')")" = null ]
	check "$label: reencrypt_for along restored grants" \
		[ "$(q "SELECT pre_decrypt_text(secant.reencrypt_for(body, secant.principal_key('ada_phone')), fixture_sk('ada_phone')) FROM notes WHERE id = 3")" = "note 3" ]
	check "$label: index keys for a member's device (2 versions)" \
		[ "$(q "SELECT string_agg(encode(pre_decrypt(key_ct, fixture_sk('bob_phone')), 'hex'), ',' ORDER BY version)
		        FROM secant.index_keys_for('clinic', secant.principal_key('bob_phone'))")" = "$(printf '11%.0s' {1..32}),$(printf '22%.0s' {1..32})" ]
	check "$label: GIN token search" \
		[ "$(q "SET enable_seqscan = off; SELECT count(*) FROM records WHERE tokens @> ARRAY[pre_token(decode(repeat('22', 32), 'hex'), 'diabetes')]")" = 20 ]
	KNOWN_WHY=""
	[ "$label" = parallel ] && KNOWN_WHY="see above"
	# the restored database keeps working
	check "$label: identity sequences continue (a new principal gets a fresh id)" \
		[ "$(q "SELECT secant.add_principal('dr_new', 'user', pre_public_key(pre_keygen())) > (SELECT max(id) FROM secant.principals)")" = t ]
	check "$label: identity sequences continue (a new grant gets a fresh id)" \
		[ "$(q "SELECT secant.add_grant(pre_grant(fixture_sk('clinic'), secant.principal_key('dr_new'))) > (SELECT max(id) FROM secant.grants)")" = t ]
	check "$label: journal identity continues" [ "$(q "INSERT INTO journal (body, plain) SELECT pre_encrypt(secant.principal_key('clinic'), 'entry 6'), 'entry 6' RETURNING id")" = 6 ]
	q "INSERT INTO notes VALUES (6, pre_encrypt(secant.principal_key('clinic'), 'note 6'))" >/dev/null
	check "$label: the sharing trigger fires (a level-3 copy in secant.copies that decrypts)" \
		[ "$(q "INSERT INTO note_shares (note_id, recipient) VALUES (6, secant.principal_key('ada_phone'));
		        SELECT string_agg(pre_level(copy) || ' ' || pre_decrypt_text(copy, fixture_sk('ada_phone')), ',')
		        FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row = '6'")" = "3 note 6" ]
	check "$label: the source trigger fires (a changed note loses its copy)" \
		[ "$(q "SELECT count(*) FROM secant.copies WHERE source_table = 'notes'::regclass AND source_row = '5';
		        UPDATE notes SET body = pre_encrypt(secant.principal_key('clinic'), 'note 5, amended') WHERE id = 5;
		        SELECT count(*) FROM secant.copies WHERE source_table = 'notes'::regclass AND source_row = '5'")" = "1
0" ]
	check "$label: revocation deletes the copies in secant.copies" [ "$(q "SELECT secant.revoke('clinic', 'dr_ada')")" = 3 ]
	check "$label: no copy through the revoked grant is left, the share rows stay" \
		[ "$(q "SELECT (SELECT sum(fixture_copies_with(hop_key)) FROM secant.revoked_grants WHERE to_key = secant.principal_key('dr_ada'))
		           || ' ' || (SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone'))
		           || ' ' || (SELECT count(*) FROM note_shares WHERE recipient = secant.principal_key('ada_phone'))")" = "0 0 3" ]
	check "$label: a grant revoked before the dump cannot be stored again" \
		bash -c "psql -X -q -At -d '$db' -c 'INSERT INTO secant.grants (sealed) SELECT sealed FROM revoked_rekeys' 2>&1 | grep -Eq 'grant was revoked and cannot be stored again|sealed for another database'"
	check "$label: audit chain intact after new entries" [ "$(q "SELECT coalesce(secant.audit_verify()::text, 'null')")" = null ]
	KNOWN_WHY=""
}

# plain: psql
psql -X -q -d postgres -c "CREATE DATABASE secant_dr_plain" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d secant_dr_plain -f "$WORK/plain.sql" >"$WORK/plain.out" 2>&1
check "plain: psql restores without error" [ $? -eq 0 ]
grep -m 3 ERROR "$WORK/plain.out" | cut -c1-160 | sed 's/^/     /'
verify plain secant_dr_plain

# custom: pg_restore
psql -X -q -d postgres -c "CREATE DATABASE secant_dr_custom" >/dev/null
pg_restore -d secant_dr_custom "$WORK/custom.dump" >"$WORK/custom.out" 2>&1
check "custom: pg_restore without error" [ $? -eq 0 ]
grep -m 3 error "$WORK/custom.out" | cut -c1-160 | sed 's/^/     /'
verify custom secant_dr_custom

# parallel without session_replication_role = replica is not supported
# (README): the configuration tables' foreign keys exist before their data,
# so pg_restore -j may load grants before principals.  It must fail loudly.
psql -X -q -d postgres -c "CREATE DATABASE secant_dr_parallel" >/dev/null
pg_restore -j 4 -d secant_dr_parallel "$WORK/custom.dump" >"$WORK/parallel.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	verify parallel secant_dr_parallel
else
	check "parallel without replica role: pg_restore reports the failure (documented: use session_replication_role = replica)" [ $rc -ne 0 ]
	# the chain of the restored log still verifies, but the state does not
	# match it: secant.audit_check() says what is missing
	check "parallel without replica role: the audit chain alone does not notice" \
		[ "$(psql -X -At -d secant_dr_parallel -c "SELECT secant.audit_verify() IS NULL")" = t ]
	check "parallel without replica role: secant.audit_check() reports the lost rows" \
		[ "$(psql -X -At -d secant_dr_parallel -c "SELECT count(*) > 0 FROM secant.audit_check()")" = t ]
	# a grant or index key loaded before its principals fails with the
	# extension's own error and advice, not only the foreign key's
	check "parallel without replica role: rows loaded before their principals fail with the extension's advice" \
		bash -c "! grep -q 'violates foreign key constraint \"\\(grants\\|index_keys\\)_' '$WORK/parallel.out' &&
			{ ! grep -q 'COPY failed for table \"\\(grants\\|index_keys\\)\"' '$WORK/parallel.out' ||
			  grep -q 'restore loads secant\.\\(grants\\|index_keys\\) before secant\\.' '$WORK/parallel.out'; } &&
			{ ! grep -q 'restore loads' '$WORK/parallel.out' || grep -q 'session_replication_role=replica' '$WORK/parallel.out'; }"
	grep -m 4 'ERROR\|HINT' "$WORK/parallel.out" | cut -c1-200 | sed 's/^/     /'
fi

# the workaround: user triggers (audit, foreign keys) off while loading
psql -X -q -d postgres -c "CREATE DATABASE secant_dr_replica" >/dev/null
PGOPTIONS="-c session_replication_role=replica" pg_restore -j 4 -d secant_dr_replica "$WORK/custom.dump" >"$WORK/replica.out" 2>&1
check "replica: pg_restore -j 4 with session_replication_role = replica without error" [ $? -eq 0 ]
grep -m 3 error "$WORK/replica.out" | cut -c1-160 | sed 's/^/     /'
verify replica secant_dr_replica
check "replica: state and audit log agree (secant.audit_check() finds nothing)" \
	[ "$(psql -X -At -d secant_dr_replica -c "SELECT count(*) FROM secant.audit_check()")" = 0 ]
check "source: state and audit log agree" \
	[ "$(psql -X -At -d "$SRC" -c "SELECT count(*) FROM secant.audit_check()")" = 0 ]

# ---- pg_dump by an admin of the database (not a superuser) ----
# It dumps everything the admin may read: with --enable-row-security (the
# logs and secant.copies have row-level security), without the copies
# (readable by bound roles and proxies only), grants sealed, no rk.
ADMIN=secant_dr_admin_$$
psql -X -q -d "$SRC" >/dev/null 2>&1 <<SQL
CREATE ROLE $ADMIN LOGIN IN ROLE secant_admin;
SELECT secant.grant_capability('$ADMIN', 'admin');
GRANT SELECT ON ALL TABLES IN SCHEMA public TO $ADMIN;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO $ADMIN;
REVOKE SELECT ON fixture_keys, fixture_grants FROM $ADMIN;
SQL
admin_dump() { pg_dump -U "$ADMIN" -d "$SRC" -T fixture_keys -T fixture_grants "$@"; }
admin_dump_refused() { grep -q 'row-level security' <<<"$(admin_dump -f /dev/null 2>&1)"; }
check "admin's pg_dump without --enable-row-security fails on the logs' row-level security (documented)" \
	admin_dump_refused
check "admin's pg_dump --enable-row-security works (no sequence or table refused)" \
	admin_dump --enable-row-security -f "$WORK/admin.sql"
check "admin's dump: every grant, sealed, and the whole audit log" \
	[ "$(sed -n '/^COPY secant.grants /,/^\\\.$/p' "$WORK/admin.sql" | grep -c presealed_)" = "$(psql -X -At -d "$SRC" -c "SELECT count(*) FROM secant.grants")" ] && \
	[ "$(sed -n '/^COPY secant.audit_log /,/^\\\.$/p' "$WORK/admin.sql" | grep -vc '^COPY\|^\\\.$')" = "$(psql -X -At -d "$SRC" -c "SELECT count(*) FROM secant.audit_log")" ]
check "admin's dump: no copies (secant.copies is for bound roles and proxies)" \
	[ "$(sed -n '/^COPY secant.copies /,/^\\\.$/p' "$WORK/admin.sql" | grep -vc '^COPY\|^\\\.$')" = 0 ]
# (the test's own tables hold bare grants: secant's data alone, as above)
admin_dump --enable-row-security --exclude-table-data='public.*' -f "$WORK/admin_secant.sql"
leaks=0
for f in $(rk_forms); do grep -qF -- "$f" "$WORK/admin_secant.sql" && leaks=$((leaks + 1)); done
check "admin's dump of secant's data: no grant secret (rk) in any encoding" \
	[ "$leaks" -eq 0 ] && [ "$(grep -c '^COPY secant.grants' "$WORK/admin_secant.sql")" = 1 ]
psql -X -q -d "$SRC" -c "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM $ADMIN; REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM $ADMIN;
	SELECT secant.revoke_capability('$ADMIN', 'admin')" >/dev/null 2>&1
psql -X -q -d "$SRC" -c "DROP OWNED BY $ADMIN" >/dev/null 2>&1
psql -X -q -d postgres -c "DROP ROLE $ADMIN" >/dev/null 2>&1

tap_summary
