#!/usr/bin/env bash
# test/attacks/independent3_threshold_conn.sh - a reader of the threshold
# coordinator (bound to the target, or a proxy) cancels its own
# secant.reencrypt_threshold() while the coordinator waits for a node
# (statement_timeout, or pg_cancel_backend from its own second session).
# The body's handlers are EXCEPTION WHEN OTHERS, which does not catch
# query_canceled (57014): the named dblink connections 'secant_node_N',
# opened with the extension owner's rights to the nodes' connection
# strings, stay open in the reader's session, and dblink() is executable by
# PUBLIC: the reader then runs any SQL it likes on the nodes as the
# coordinator's role there (the proxy capability of each node): partials
# for any threshold grant, without the coordinator's checks (binding,
# revocation, expiry).  docs/THRESHOLD.md, "Transport": the connections are
# "closed before the function returns, also on error (a named dblink
# connection left open would be usable by any later statement of the
# session)".  Starts three clusters of its own (test/threshold/lib.sh);
# the node's slowness is simulated by a lock held on node 1.  Each check
# asserts the safe outcome.  The same with secant.revoke_threshold: an
# admin of the coordinator keeps the connection 'secant_revoke' to a node.
# Ends with "N passed, M failed".
set -uo pipefail
THRESHOLD_PORT=${THRESHOLD_PORT:-55590}
. "$(dirname "$0")/../threshold/lib.sh"
trap stop_all EXIT
trap 'exit 130' INT TERM

start_clusters 3 || { echo "could not start the clusters"; echo "0 passed, 1 failed"; exit 1; }
on 1 postgres >/dev/null <<-SQL
	CREATE ROLE reader LOGIN;
	\c coord
	CREATE TABLE keys AS
	SELECT name, kind, pre_keygen() AS sk
	FROM (VALUES ('cardiology', 'group'), ('dr_ada', 'user'), ('ada_phone', 'device')) AS v(name, kind);
	SELECT secant.add_principal(name, kind, pre_public_key(sk)) FROM keys ORDER BY name;
	SELECT secant.add_grant(pre_grant(u.sk, pre_public_key(d.sk)))
	FROM keys u, keys d WHERE u.name = 'dr_ada' AND d.name = 'ada_phone';
	SELECT secant.bind('ada_phone', 'reader');
	GRANT SELECT ON keys TO reader;
	CREATE TABLE notes (id integer PRIMARY KEY, body pre_ciphertext);
	INSERT INTO notes SELECT i, pre_encrypt(pre_public_key(k.sk), 'note ' || i)
	FROM generate_series(1, 2) i, keys k WHERE k.name = 'cardiology';
	GRANT SELECT ON notes TO PUBLIC;
SQL
HOP=$(split cardiology dr_ada 2/3 1 2 3)
READ="SELECT string_agg(pre_decrypt_text(c, (SELECT sk FROM keys WHERE name = 'ada_phone')), ',')
      FROM unnest(secant.reencrypt_threshold(ARRAY(SELECT body FROM notes ORDER BY id),
                  (SELECT pre_public_key(sk) FROM keys WHERE name = 'ada_phone'))) c"
check "control: the reader reads the notes through the nodes" \
	eq "$(on 1 coord -U reader -At -c "$READ" 2>&1)" "note 1,note 2"

# node 1 is slow (a lock on its shares for 4 s); the reader's read times
# out while the coordinator waits for it; then, in the same session:
on 1 node -c "BEGIN; LOCK TABLE secant.grant_shares IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT" >/dev/null 2>&1 &
LOCKER=$!
sleep 1
OUT=$(on 1 coord -U reader -At 2>&1 <<-SQL
	\set ON_ERROR_STOP 0
	SET statement_timeout = '1s';
	$READ;
	RESET statement_timeout;
	SELECT 'open:' || coalesce(array_to_string(dblink_get_connections(), ','), '');
	SELECT * FROM dblink('secant_node_2', 'SELECT 1') AS t(x int);  -- fails once: the coordinator's pending answer
	SELECT 'partials:' || cardinality(p)
	FROM dblink('secant_node_2', 'SELECT secant.threshold_partials(''\\x$HOP''::bytea,
	            ''' || (SELECT ARRAY(SELECT body FROM notes ORDER BY id))::text || ''', ''{}'')')
	     AS t(p bytea[]);
	SELECT 'node2:' || u || '@' || d
	FROM dblink('secant_node_2', 'SELECT current_user::text, current_database()::text')
	     AS t(u text, d text);
SQL
)
wait "$LOCKER"
check "control: the reader's read was cancelled" eq "$(grep -c 'canceling statement' <<<"$OUT")" 1
check "no dblink connection of the coordinator is left open in the reader's session" \
	eq "$(grep '^open:' <<<"$OUT")" "open:"
check "the reader runs no SQL on a node as the coordinator's role" \
	eq "$(grep -c '^node2:' <<<"$OUT")" 0
check "the reader obtains no partial from a node directly (past the coordinator's checks)" \
	eq "$(grep -c '^partials:' <<<"$OUT")" 0
printf '%s\n' "$OUT" | grep -E '^(open|node2|partials):|ERROR' | sed 's/^/  # /'

# the same with secant.revoke_threshold: an admin of the coordinator (not
# trusted on the nodes) keeps 'secant_revoke', the node's coordinator role
on 1 coord >/dev/null 2>&1 <<-SQL
	CREATE ROLE coord_admin LOGIN;
	GRANT secant_admin TO coord_admin;
	SELECT secant.grant_capability('coord_admin', 'admin');
SQL
on 1 node -c "BEGIN; LOCK TABLE secant.grant_shares IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT" >/dev/null 2>&1 &
LOCKER=$!
sleep 1
OUT=$(on 1 coord -U coord_admin -At 2>&1 <<-SQL
	\set ON_ERROR_STOP 0
	SET statement_timeout = '1s';
	SELECT * FROM secant.revoke_threshold('\\x$HOP');
	RESET statement_timeout;
	SELECT 'open:' || coalesce(array_to_string(dblink_get_connections(), ','), '');
	SELECT * FROM dblink('secant_revoke', 'SELECT 1') AS t(x int);  -- fails once: the pending answer
	SELECT 'node1:' || u FROM dblink('secant_revoke', 'SELECT current_user::text') AS t(u text);
SQL
)
wait "$LOCKER"
check "control: the admin's revocation was cancelled" eq "$(grep -c 'canceling statement' <<<"$OUT")" 1
check "no dblink connection of revoke_threshold is left open in the admin's session" \
	eq "$(grep '^open:' <<<"$OUT")" "open:"
check "the coordinator's admin runs no SQL on a node as the coordinator's role" \
	eq "$(grep -c '^node1:' <<<"$OUT")" 0
printf '%s\n' "$OUT" | grep -E '^(open|node1):' | sed 's/^/  # /'

tap_summary
