#!/usr/bin/env bash
# test/soak/run.sh - concurrency soak of sharing, reads and revocation under
# load; `make soak`, not part of `make test`.
#
# Starts a throwaway PostgreSQL 15 cluster (test/pgcluster.sh: as the
# `postgres` user when root, private socket directory, stopped on exit),
# sets up a ward group, 8 users (members) and 16 devices (2 per user), 300
# notes encrypted to the group and a share table wired to the extension's
# sharing (secant.enable_sharing: copies go to secant.copies), then runs
# pgbench with 8 clients for SOAK_SECONDS (default 120) mixing
#   share      INSERT into the share table (the trigger re-encrypts for a device
#              and stores the copy in secant.copies)
#   read       secant.reencrypt_for of a note for a device, decrypted and compared
#   read_copy  a stored copy (secant.copies), decrypted by its recipient and compared
#   revoke     secant.revoke of a membership (group -> user) or an enrolment
#              (user -> device)
#   regrant    a new grant (pre_grant from the delegator's secret key, kept in
#              a setup table: fine for a soak) where none is left
#   note       a new note encrypted to the group
#   rotate     a key rotation of a random user (new key, grants to its two
#              devices; the group's membership is then pending re-issue,
#              which regrant does) or of a random device (new key, its
#              user's enrolment)
# Every operation runs in a function that records its outcome (ok, denied,
# none, ...; anything unexpected is recorded with its SQLSTATE).  Then the
# invariants: every copy in secant.copies carries only hop keys of grants
# that exist now and none of a revoked grant (no copy through a revoked
# grant survives), its hop_keys column is the copy's, it has its share row,
# it decrypts for its recipient to its note; every committed note decrypts
# with the group key; no unexpected error, no wrong plaintext; the audit
# chain is intact and the access log holds every share.
#
# Environment: SOAK_SECONDS (120), SOAK_CLIENTS (8), SECANT_PRE_SOAK_PORT
# (55434).  Needs the extension installed (make && sudo make install).
# Prints pgbench's tps and the invariants; ends with "N passed, M failed".
set -uo pipefail

# ROOT, PG_CONFIG, PGBIN; check NAME COMMAND..., tap_finish; pgc_*
. "$(dirname "$0")/../prologue.sh"
SECONDS_TO_RUN=${SOAK_SECONDS:-120}
CLIENTS=${SOAK_CLIENTS:-8}

if [ ! -f "$("$PG_CONFIG" --sharedir)/extension/secant_pre.control" ]; then
	echo "secant_pre is not installed: run make && sudo make install (or make test) first"
	FAILED=1
	tap_finish
fi

CLUSTER=$(pgc_dir secant_pre_soak) || exit 1
WORK=$(mktemp -d /tmp/secant_pre_soak_work.XXXXXX)
export PGHOST="$CLUSTER" PGPORT="${SECANT_PRE_SOAK_PORT:-55434}" PGUSER=postgres PGDATABASE=soak
stop_cluster() {
	pgc_stop "$CLUSTER"
	rm -rf "$WORK"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

echo "# throwaway cluster in $CLUSTER (port $PGPORT, socket only)"
pgc_start "$CLUSTER" "$PGPORT" "max_connections = 40" "log_lock_waits = on" >"$WORK/start.log" 2>&1 ||
	{ cat "$WORK/start.log"; FAILED=1; tap_finish; }
psql -X -q -d postgres -c "CREATE DATABASE soak" || { FAILED=1; tap_finish; }

# ---- set-up ----
psql -X -q -v ON_ERROR_STOP=1 >"$WORK/setup.out" 2>&1 <<'SQL'
CREATE EXTENSION secant_pre;
CREATE SCHEMA soak;
-- secret keys kept server-side for the soak only (grants are made here)
CREATE TABLE soak.keys (
    name text PRIMARY KEY, kind text NOT NULL, owner text,
    sk pre_secret_key NOT NULL, pk pre_public_key NOT NULL UNIQUE
);
INSERT INTO soak.keys (name, kind, owner, sk, pk)
SELECT name, kind, owner, sk, pre_public_key(sk)
FROM (SELECT 'ward' AS name, 'group' AS kind, NULL AS owner, pre_keygen() AS sk
      UNION ALL SELECT 'user' || u, 'user', 'ward', pre_keygen() FROM generate_series(1, 8) AS u
      UNION ALL SELECT 'dev' || d, 'device', 'user' || ((d + 1) / 2), pre_keygen() FROM generate_series(1, 16) AS d) k;
SELECT count(secant.add_principal(name, kind, pk)) FROM soak.keys;
SELECT count(secant.add_grant(pre_grant(o.sk, k.pk))) FROM soak.keys k JOIN soak.keys o ON o.name = k.owner;
CREATE TABLE notes (id serial PRIMARY KEY, body pre_ciphertext NOT NULL, plain text NOT NULL);
INSERT INTO notes (body, plain)
SELECT pre_encrypt((SELECT pk FROM soak.keys WHERE name = 'ward'), p, convert_to('note', 'UTF8')), p
FROM (SELECT 'note ' || i || ' ' || md5(i::text) AS p FROM generate_series(1, 300) AS i) x;
CREATE TABLE shares (
    id bigserial PRIMARY KEY,
    note_id int NOT NULL REFERENCES notes,
    recipient pre_public_key NOT NULL
);
SELECT secant.enable_sharing(share_table => 'shares', source_table => 'notes',
                             source_column => 'body', source_key => 'id',
                             reference_column => 'note_id', recipient_column => 'recipient');
-- the copies of the soak's share rows
CREATE VIEW soak.copies AS
    SELECT c.*, c.source_row::int AS note_id FROM secant.copies c WHERE c.share_table = 'shares'::regclass;
-- outcomes of every operation
CREATE UNLOGGED TABLE soak.events (kind text NOT NULL, status text NOT NULL, n bigint NOT NULL DEFAULT 0);
CREATE FUNCTION soak.ev(k text, s text, n bigint DEFAULT 0) RETURNS text LANGUAGE sql AS $$
    INSERT INTO soak.events VALUES (k, s, n) RETURNING status $$;
CREATE FUNCTION soak.unexpected(e text, m text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE e WHEN '40P01' THEN 'deadlock' ELSE 'error ' || e || ': ' || m END $$;
-- (random() is drawn once, in a sub-select: in a WHERE clause it would be drawn per row)
CREATE FUNCTION soak.device() RETURNS soak.keys LANGUAGE sql AS $$
    SELECT * FROM soak.keys WHERE name = (SELECT 'dev' || (1 + floor(random() * 16))::int) $$;
CREATE FUNCTION soak.note_id() RETURNS int LANGUAGE sql AS $$
    SELECT 1 + floor(random() * (SELECT max(id) FROM notes))::int $$;
-- share a random note with a random device
CREATE FUNCTION soak.share() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text := 'ok';
BEGIN
    BEGIN
        INSERT INTO shares (note_id, recipient) SELECT soak.note_id(), pk FROM soak.device();
    EXCEPTION
        WHEN insufficient_privilege THEN st := 'denied';
        WHEN foreign_key_violation THEN st := 'no note';
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('share', st);
END $$;
-- read a random note through the proxy on a random device
CREATE FUNCTION soak.read() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    d soak.keys := soak.device();
    i int := soak.note_id();
    c pre_ciphertext;
    p text;
BEGIN
    BEGIN
        SELECT secant.reencrypt_for(body, d.pk), plain INTO STRICT c, p FROM notes WHERE id = i;
        st := CASE WHEN pre_decrypt_text(c, d.sk) = p THEN 'ok' ELSE 'wrong plaintext' END;
    EXCEPTION
        WHEN insufficient_privilege THEN st := 'denied';
        WHEN no_data_found THEN st := 'no note';
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('read', st);
END $$;
-- read a random stored copy with its recipient's key
CREATE FUNCTION soak.read_copy() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text := 'none';
    r record;
BEGIN
    BEGIN
        FOR r IN SELECT c.copy, n.plain, k.sk FROM soak.copies c JOIN notes n ON n.id = c.note_id
                 JOIN soak.keys k ON k.pk = c.recipient
                 WHERE c.id >= (SELECT min(id) + floor(random() * (max(id) - min(id) + 1)) FROM soak.copies)
                 ORDER BY c.id LIMIT 1 LOOP
            st := CASE WHEN pre_decrypt_text(r.copy, r.sk) = r.plain THEN 'ok' ELSE 'wrong plaintext' END;
        END LOOP;
    EXCEPTION
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('read_copy', st);
END $$;
-- revoke a random membership (group -> user) or enrolment (user -> device)
CREATE FUNCTION soak.revoke() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text := 'ok';
    d soak.keys := soak.device();
    f pre_public_key;
    t pre_public_key;
    n bigint := 0;
BEGIN
    IF random() < 0.5 THEN
        SELECT o.pk, u.pk INTO f, t FROM soak.keys u JOIN soak.keys o ON o.name = u.owner WHERE u.name = d.owner;
    ELSE
        SELECT o.pk, d.pk INTO f, t FROM soak.keys o WHERE o.name = d.owner;
    END IF;
    BEGIN
        n := secant.revoke(f, t);
    EXCEPTION
        WHEN no_data_found THEN st := 'none';
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('revoke', st, n);
END $$;
-- grant again where no grant is left (delegator's secret key from the set-up table)
CREATE FUNCTION soak.regrant() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text := 'ok';
    k soak.keys;
    o soak.keys;
BEGIN
    SELECT * INTO k FROM soak.keys WHERE kind <> 'group' ORDER BY random() LIMIT 1;
    SELECT * INTO o FROM soak.keys WHERE name = k.owner;
    BEGIN
        IF EXISTS (SELECT 1 FROM secant.grants WHERE from_key = o.pk AND to_key = k.pk) THEN
            st := 'exists';
        ELSE
            PERFORM secant.add_grant(pre_grant(o.sk, k.pk));
        END IF;
    EXCEPTION
        -- a key of the pair was rotated meanwhile (retired)
        WHEN integrity_constraint_violation THEN st := 'raced';
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('regrant', st);
END $$;
-- rotate a random user or device to a new key (the new secret key kept in
-- soak.keys with the rotation, in its transaction); the retired key's row
-- is remembered in soak.retired
CREATE TABLE soak.retired (name text NOT NULL, pk pre_public_key PRIMARY KEY);
CREATE FUNCTION soak.rotate() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text := 'ok';
    d soak.keys := soak.device();
    k soak.keys;
    o soak.keys;
    nsk pre_secret_key := pre_keygen();
    npk pre_public_key := pre_public_key(nsk);
    n bigint := 0;
    old pre_public_key;
BEGIN
    IF random() < 0.5 THEN
        SELECT * INTO k FROM soak.keys WHERE name = d.owner;   -- the user
    ELSE
        k := d;                                               -- the device
    END IF;
    SELECT * INTO o FROM soak.keys WHERE name = k.owner;
    BEGIN
        IF k.kind = 'user' THEN
            SELECT r.grants_dropped, r.retired_key INTO n, old FROM secant.rotate_user(k.name, npk,
                ARRAY(SELECT secant.seal_grant_on_server(pre_grant(nsk, v.pk)) FROM soak.keys v WHERE v.owner = k.name)) r;
        ELSE
            SELECT r.grants_dropped, r.retired_key INTO n, old FROM secant.rotate_device(k.name, npk,
                ARRAY[secant.seal_grant_on_server(pre_grant(o.sk, npk))]) r;
        END IF;
        INSERT INTO soak.retired VALUES (k.name, old);
        UPDATE soak.keys SET sk = nsk, pk = npk WHERE name = k.name;
    EXCEPTION
        -- a concurrent rotation of the owner retired the key the grant was made with
        WHEN integrity_constraint_violation THEN st := 'raced';
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('rotate', st, n);
END $$;
-- a new note to the group
CREATE FUNCTION soak.note() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text := 'ok';
    p text := 'note ' || md5(random()::text);
BEGIN
    BEGIN
        INSERT INTO notes (body, plain)
        VALUES (pre_encrypt((SELECT pk FROM soak.keys WHERE name = 'ward'), p, convert_to('note', 'UTF8')), p);
    EXCEPTION
        WHEN OTHERS THEN st := soak.unexpected(SQLSTATE, SQLERRM);
    END;
    RETURN soak.ev('note', st);
END $$;
-- the invariant: copies (any share table's) carrying a hop key of a grant
-- that does not exist (any more); the hop keys are read off the copy itself,
-- not off the hop_keys column that revocation searches
CREATE FUNCTION soak.orphans() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM secant.copies c
    WHERE EXISTS (SELECT 1 FROM unnest(pre_hop_keys(c.copy)) AS h
                  WHERE NOT EXISTS (SELECT 1 FROM secant.grants g WHERE g.hop_key = h)) $$;
-- a first share: the sharing works before the soak starts
DO $$ BEGIN
    IF soak.share() <> 'ok' THEN
        RAISE EXCEPTION 'the first share failed: %', (SELECT status FROM soak.events LIMIT 1);
    END IF;
END $$;
SQL
check "set-up" [ $? -eq 0 ] || { cat "$WORK/setup.out"; tap_finish; }

for op in share read read_copy revoke regrant note rotate; do
	echo "SELECT soak.$op();" >"$WORK/$op.sql"
done

# ---- the soak ----
echo "# pgbench: $CLIENTS clients, $SECONDS_TO_RUN s"
# meanwhile, every second, the invariant in one snapshot: it must hold in
# every committed state, not only at the end
(
	while [ ! -e "$WORK/done" ]; do
		psql -X -q -At -F ' ' -c "BEGIN ISOLATION LEVEL REPEATABLE READ" \
			-c "SELECT soak.orphans(), (SELECT count(*) FROM secant.copies)" -c "COMMIT" >>"$WORK/samples" 2>&1
		sleep 1
	done
) &
sampler=$!
pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_TO_RUN" -P 30 \
	-f "$WORK/share.sql@6" -f "$WORK/read.sql@4" -f "$WORK/read_copy.sql@2" \
	-f "$WORK/revoke.sql@1" -f "$WORK/regrant.sql@3" -f "$WORK/note.sql@1" -f "$WORK/rotate.sql@1" soak \
	>"$WORK/pgbench.out" 2>"$WORK/pgbench.err"
rc=$?
touch "$WORK/done"
wait "$sampler"
grep -E '^progress' "$WORK/pgbench.err" | sed 's/^/   /'
grep -E '^(number of (clients|transactions|failed)|latency average|tps)' "$WORK/pgbench.out" | sed 's/^/   /'
check "pgbench ran without aborted clients" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -n 5 "$WORK/pgbench.err"
check "pgbench: no failed transactions" grep -q '^number of failed transactions: 0 ' "$WORK/pgbench.out"

# ---- outcomes ----
q() { psql -X -q -At -c "$1"; }
echo "# outcomes (operation | status | count | copies deleted)"
q "SELECT kind, status, count(*), sum(n) FROM soak.events GROUP BY 1, 2 ORDER BY 1, 2" | sed 's/^/   /'
check "operations exercised: shares, reads, revocations that deleted copies, re-grants" \
	[ "$(q "SELECT count(*) FILTER (WHERE kind = 'share' AND status = 'ok') > 0
	         AND count(*) FILTER (WHERE kind = 'read' AND status = 'ok') > 0
	         AND count(*) FILTER (WHERE kind = 'read' AND status = 'denied') > 0
	         AND sum(n) FILTER (WHERE kind = 'revoke' AND status = 'ok') > 0
	         AND count(*) FILTER (WHERE kind = 'regrant' AND status = 'ok') > 0 FROM soak.events")" = t ]
check "rotations happened (users and devices)" \
	[ "$(q "SELECT count(DISTINCT v.kind) FROM soak.retired r JOIN soak.keys v ON v.name = r.name")" = 2 ]
n=$(q "SELECT count(*) FROM secant.grants g JOIN secant.principal_keys k ON k.public_key IN (g.from_key, g.to_key)
       WHERE k.retired_at IS NOT NULL")
check "no grant into or out of a retired key ($n)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM secant.copies c WHERE EXISTS (SELECT 1 FROM soak.retired r WHERE r.pk = c.recipient)")
check "no copy addressed to a retired key ($n)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM soak.retired r WHERE NOT EXISTS (SELECT 1 FROM secant.principal_keys k
       WHERE k.public_key = r.pk AND k.retired_at IS NOT NULL AND k.replaced_by IS NOT NULL)")
check "every rotated key is retired in secant.principal_keys ($n not)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM soak.retired r, notes n WHERE n.id = 1 AND EXISTS (SELECT 1 FROM secant.path(pre_origin(n.body), r.pk))")
check "no path leads to a retired key ($n)" [ "$n" = 0 ]
check "audit log and tables agree" [ "$(q "SELECT count(*) FROM secant.audit_check()")" = 0 ]
n=$(q "SELECT count(*) FROM soak.events WHERE status LIKE 'error%'")
check "no unexpected error ($n)" [ "$n" = 0 ]
[ "$n" = 0 ] || q "SELECT kind, status, count(*) FROM soak.events WHERE status LIKE 'error%' GROUP BY 1, 2 LIMIT 5" | sed 's/^/   /'
n=$(q "SELECT count(*) FROM soak.events WHERE status = 'deadlock'")
check "no deadlock ($n)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM soak.events WHERE status = 'wrong plaintext'")
check "no read returned a wrong plaintext ($n)" [ "$n" = 0 ]

# ---- invariants ----
echo "# invariants"
q "SELECT (SELECT count(*) FROM secant.copies) AS copies, (SELECT count(*) FROM shares) AS shares,
          (SELECT count(*) FROM secant.grants) AS grants, (SELECT count(*) FROM secant.revoked_grants) AS revoked,
          (SELECT count(*) FROM notes) AS notes, (SELECT count(*) FROM secant.audit_log) AS audit_entries,
          (SELECT count(*) FROM secant.access_log) AS access_entries" |
	awk -F'|' '{printf "   %s copies (%s share rows), %s grants (%s revoked), %s notes, %s audit entries, %s access entries\n", $1, $2, $3, $4, $5, $6, $7}'
n=$(grep -c '^[0-9]* [0-9]*$' "$WORK/samples")
check "sampled during the run: $n snapshots, copies $(awk '$2 ~ /^[0-9]+$/ {if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2} END {printf "%s to %s", min, max}' "$WORK/samples") per snapshot" [ "$n" -ge $((SECONDS_TO_RUN / 4)) ]
n=$(awk '$1 ~ /^[0-9]+$/ && $1 > 0' "$WORK/samples" | wc -l)
check "no snapshot during the run held a copy through a missing grant ($n did)" [ "$n" = 0 ]
[ "$(grep -cv '^[0-9]* [0-9]*$' "$WORK/samples")" = 0 ] || grep -v '^[0-9]* [0-9]*$' "$WORK/samples" | sort | uniq -c | head -n 3 | sed 's/^/   sampler: /'
check "the sharing triggers are on shares and notes, every copy is filed under shares and notes" \
	[ "$(q "SELECT (SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid IN ('shares'::regclass, 'notes'::regclass) AND tgname LIKE 'secant%')
	         || ' ' || (SELECT count(*) FROM secant.copies WHERE share_table <> 'shares'::regclass OR source_table <> 'notes'::regclass)")" = "secant_share,secant_share_change,secant_share_source,secant_share_source_delete,secant_share_source_truncate,secant_share_truncate 0" ]
n=$(q "SELECT soak.orphans()")
check "no copy carries the hop key of a grant that no longer exists ($n)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM secant.copies c WHERE EXISTS (SELECT 1 FROM unnest(pre_hop_keys(c.copy)) AS h JOIN secant.revoked_grants v ON v.hop_key = h)")
check "no copy carries the hop key of a revoked grant ($n)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM secant.grants g JOIN secant.revoked_grants v USING (hop_key)")
check "no revoked hop key is in secant.grants again ($n)" [ "$n" = 0 ]
# control: a grant deleted behind revoke's back (its triggers off) leaves
# copies the check finds
n=$(psql -X -q -At <<'SQL'
BEGIN;
ALTER TABLE secant.grants DISABLE TRIGGER grants_audit;
ALTER TABLE secant.grants DISABLE TRIGGER grants_removed;
DELETE FROM secant.grants WHERE hop_key IN (SELECT unnest(pre_hop_keys(copy)) FROM secant.copies LIMIT 1);
SELECT soak.orphans();
ROLLBACK;
SQL
)
check "control: the check finds copies through a grant deleted without revoke ($n)" [ "${n:-0}" -gt 0 ]
# and a plain DELETE of a grant does what revoke does: its copies go with it
n=$(psql -X -q -At <<'SQL'
BEGIN;
CREATE TEMP TABLE gone AS SELECT unnest(pre_hop_keys(copy)) AS h FROM secant.copies LIMIT 1;
SELECT count(*) > 0 FROM secant.copies c WHERE c.hop_keys && ARRAY(SELECT h FROM gone);
DELETE FROM secant.grants WHERE hop_key IN (SELECT h FROM gone);
SELECT soak.orphans(), (SELECT count(*) FROM secant.copies c WHERE c.hop_keys && ARRAY(SELECT h FROM gone)),
       (SELECT count(*) FROM secant.revoked_grants WHERE hop_key IN (SELECT h FROM gone));
ROLLBACK;
SQL
)
check "a plain DELETE of a grant deletes its copies and remembers its hop key ($(echo $n))" [ "$(echo $n)" = "t 0|0|1" ]
n=$(q "SELECT count(*) FROM secant.copies c WHERE cardinality(pre_hop_keys(c.copy)) <> 2 OR pre_recipient(c.copy) <> c.recipient
       OR c.hop_keys IS DISTINCT FROM pre_hop_keys(c.copy)")
check "every copy is a level-3 value for its recipient, its hop_keys those of the copy ($n wrong)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM soak.copies c WHERE NOT EXISTS (SELECT 1 FROM shares s WHERE s.note_id = c.note_id AND s.recipient = c.recipient)")
check "every copy has its share row ($n without)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM secant.copies c LEFT JOIN soak.copies s ON s.id = c.id LEFT JOIN notes n ON n.id = s.note_id
       LEFT JOIN soak.keys k ON k.pk = c.recipient
       WHERE pre_decrypt_text(c.copy, k.sk) IS DISTINCT FROM n.plain")
check "every copy decrypts for its recipient to its note ($n wrong)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM secant.copies c WHERE NOT EXISTS (SELECT 1 FROM secant.path(pre_origin(c.copy), c.recipient))")
check "every copy's recipient still has an active path ($n without)" [ "$n" = 0 ]
n=$(q "SELECT count(*) FROM notes WHERE pre_decrypt_text(body, (SELECT sk FROM soak.keys WHERE name = 'ward')) IS DISTINCT FROM plain")
check "every committed note decrypts with the group key ($n wrong)" [ "$n" = 0 ]
check "audit chain intact" [ "$(q "SELECT coalesce(secant.audit_verify()::text, 'null')")" = null ]
check "the audit log holds every successful revocation" \
	[ "$(q "SELECT (SELECT count(*) FROM secant.audit_log WHERE action = 'revoke') = (SELECT count(*) FROM soak.events WHERE kind = 'revoke' AND status = 'ok')")" = t ]
check "the access log holds every successful share" \
	[ "$(q "SELECT (SELECT count(*) FROM secant.access_log WHERE action = 'share' AND detail->>'share_table' = 'public.shares') = (SELECT count(*) FROM soak.events WHERE kind = 'share' AND status = 'ok')")" = t ]
echo "   server log: $(grep -c 'deadlock detected' "$CLUSTER/server.log") deadlocks," \
	"$(grep -c 'still waiting for' "$CLUSTER/server.log") lock waits longer than deadlock_timeout (1 s)"
tap_finish
