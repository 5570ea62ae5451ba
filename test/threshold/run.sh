#!/usr/bin/env bash
# test/threshold/run.sh - threshold grants on three PostgreSQL nodes
# (docs/THRESHOLD.md), t = 2, n = 3.  Starts three throwaway clusters on
# this machine (private directories, unix sockets only, ports
# $THRESHOLD_PORT .. +2, default 55480); database "node" on each holds one
# share of each threshold grant; database "coord" on the first cluster is
# the coordinator (dblink).  Checks reads with every node, with one down,
# with one lying; revocation with a node down, then back; the compromise of
# one node (server key, dump, opened share) with every device key; and the
# positive control with two nodes.  Assumes secant_pre is installed (make
# install: extension, CLI and Python package under LIBPREFIX).  Ends with
# "N passed, M failed".
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
trap stop_all EXIT
trap 'exit 130' INT TERM

start_clusters 3 || { echo "could not start the clusters"; echo "0 passed, 1 failed"; exit 1; }

# ---------------------------------------------------------------- fixture
setup() {
	on 1 postgres >/dev/null <<-SQL
		CREATE ROLE reader LOGIN;
		\c coord
		CREATE TABLE keys AS
		SELECT name, kind, pre_keygen() AS sk
		FROM (VALUES ('cardiology', 'group'), ('oncology', 'group'), ('dr_ada', 'user'),
		             ('ada_phone', 'device')) AS v(name, kind);
		SELECT secant.add_principal(name, kind, pre_public_key(sk)) FROM keys ORDER BY name;
		SELECT secant.add_grant(pre_grant(u.sk, pre_public_key(d.sk)))
		FROM keys u, keys d WHERE u.name = 'dr_ada' AND d.name = 'ada_phone';
		SELECT secant.bind('ada_phone', 'reader');
		GRANT SELECT ON keys TO reader;
		CREATE TABLE notes (id integer PRIMARY KEY, body pre_ciphertext);
		INSERT INTO notes SELECT i, pre_encrypt(pre_public_key(k.sk), 'note ' || i)
		FROM generate_series(1, 4) i, keys k WHERE k.name = 'cardiology';
		GRANT SELECT ON notes TO PUBLIC;
	SQL
}
check "three clusters: nodes with the coordinator's proxy capability, a coordinator with dblink" setup ||
	tap_finish

# the grant cardiology -> dr_ada: docs/THRESHOLD.md's shell blocks, as
# written, in a directory of their own with the keys they name
doc_block() {	# doc_block FILE: run a block of the doc as the clusters' OS user
	$RUN_AS env PATH="$WORK/doc/bin:$PGBIN:$PATH" PGUSER=postgres \
		NODE1="host=${DIR[1]} port=$PORT dbname=node" NODE2="host=${DIR[2]} port=$((PORT + 1)) dbname=node" \
		NODE3="host=${DIR[3]} port=$((PORT + 2)) dbname=node" COORD="host=${DIR[1]} port=$PORT dbname=coord" \
		bash -c 'cd "$1/doc" && bash -e -o pipefail "$2"' _ "$WORK" "$1" >"$1.out" 2>&1
	local rc=$?
	DIAG=$(cat "$1.out")
	return $rc
}
mkdir -p "$WORK/doc/bin" && ln -s "$CLI" "$WORK/doc/bin/secant-pre"
q 1 coord "SELECT sk FROM keys WHERE name = 'cardiology'" >"$WORK/doc/cardiology.key"
pk dr_ada >"$WORK/doc/dr_ada.pub"
chmod 600 "$WORK/doc/cardiology.key"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$WORK/doc"
check "docs/THRESHOLD.md, the delegator's block: split 2/3, each node stores its share (opened, checked)" \
	doc_block "$WORK/doc_sh1.sh"
check "docs/THRESHOLD.md, the coordinator's block: the nodes named, the grant recorded" doc_block "$WORK/doc_sh2.sh"
HOP=$(q 1 coord "SELECT encode(hop_key, 'hex') FROM secant.threshold_grants")
for i in 1 2 3; do sed -n "${i}p" "$WORK/doc/shares.txt" >"$WORK/cardiology.share$i"; done
check "a 2-of-3 grant cardiology -> dr_ada: each node stores its share, the coordinator the grant" \
	eq "$(q 1 coord "SELECT t || '/' || n || ' ' || holders_left FROM secant.threshold_status")/$(for i in 1 2 3; do q $i node "SELECT idx FROM secant.grant_shares"; done | tr '\n' ' ')" "2/3 3/1 2 3 "

# read: as reader (bound to ada_phone), the four notes through the nodes
read_sql() {	# read_sql [VERIFY]: the read, verify => VERIFY if given
	echo "SET ROLE reader;
SELECT string_agg(pre_decrypt_text(c, (SELECT sk FROM keys WHERE name = 'ada_phone')), ',' ORDER BY o)
FROM unnest(secant.reencrypt_threshold(ARRAY(SELECT body FROM notes WHERE id <= 4 ORDER BY id),
                                       (SELECT pre_public_key(sk) FROM keys WHERE name = 'ada_phone')${1:+, verify => $1}))
     WITH ORDINALITY AS u(c, o)"
}
READ=$(read_sql)
WANT="note 1,note 2,note 3,note 4"

out=$(q 1 coord "$READ")
check "reads with every node: the four notes, no warning" eq "$out" "$WANT"
out=$(on 1 coord -At -c "SET ROLE reader" -f "$WORK/doc_sql2.sql" 2>&1)
check "docs/THRESHOLD.md, the reader's block: the four notes re-encrypted for ada_phone" \
	eq "$(printf '%s\n' "$out" | grep -c '^{prect_.*,prect_.*,prect_.*,prect_.*}$')" "1"
check "reads with every node, verify => false: the same four notes" eq "$(q 1 coord "$(read_sql false)")" "$WANT"

out2=$(on 1 coord -At -c "SELECT array_length(secant.reencrypt_threshold(ARRAY(SELECT body FROM notes),
       (SELECT pre_public_key(sk) FROM keys WHERE name = 'ada_phone')), 1)" 2>&1)
check "a superuser reads too (the batch of four)" eq "$out2" "4"
out=$(on 1 coord -At -c "CREATE ROLE stranger; SET ROLE stranger;
      SELECT secant.reencrypt_threshold(ARRAY(SELECT body FROM notes), (SELECT public_key FROM secant.principals WHERE name = 'ada_phone'))" 2>&1)
check "an unbound role is refused (42501)" eq "$(printf '%s' "$out" | grep -c 'may not obtain')" "1"

# the combined hop is what the CLI's combine makes from two partials
combined_matches() {
	local ct p1 p2 got want
	ct=$(q 1 coord "SELECT body FROM notes WHERE id = 1")
	p1=$(printf '%s' "$ct" | "$CLI" partial "$(cat "$WORK/cardiology.share1")" --server-key "${DIR[1]}/server.key" \
		--database "$(q 1 node "SELECT encode(id, 'hex') FROM secant.database_identity")")
	p2=$(printf '%s' "$ct" | "$CLI" partial "$(cat "$WORK/cardiology.share2")" --server-key "${DIR[2]}/server.key" \
		--database "$(q 2 node "SELECT encode(id, 'hex') FROM secant.database_identity")")
	want=$(printf '%s' "$ct" | "$CLI" combine "$(cat "$WORK/cardiology.share1")" "$p1" "$p2")
	got=$(q 1 coord "SELECT (secant.reencrypt_threshold(ARRAY[body], (SELECT public_key FROM secant.principals WHERE name = 'dr_ada')))[1] FROM notes WHERE id = 1")
	eq "$got" "$want"
}
check "the coordinator's hop to dr_ada is byte for byte the CLI's combine of two partials" combined_matches

# ---------------------------------------------------------------- a node down
pgc_halt "${DIR[2]}"
out=$(q 1 coord "$READ")
check "node2 down: the four notes still read" eq "$(printf '%s\n' "$out" | grep -v WARNING)" "$WANT"
check "node2 down: a WARNING names it" eq "$(printf '%s\n' "$out" | grep -c 'WARNING:  threshold node "node2" is unreachable')" "1"
pgc_up "${DIR[2]}"

# ---------------------------------------------------------------- a node lying
# node1 answers the batch's partials in reverse order: valid points and
# proofs, for the wrong ciphertexts (the door and its body renamed together:
# a door calls the body of its own name)
on 1 node >/dev/null <<-'SQL'
	ALTER FUNCTION secant_internal.threshold_partials(bytea, pre_ciphertext[], bytea[]) RENAME TO threshold_partials_honest;
	ALTER FUNCTION secant.threshold_partials(bytea, pre_ciphertext[], bytea[]) RENAME TO threshold_partials_honest;
	CREATE FUNCTION secant.threshold_partials(hop_key bytea, cts pre_ciphertext[], revoked bytea[])
	RETURNS bytea[] LANGUAGE sql AS $$
	    SELECT array_agg(p ORDER BY o DESC)
	    FROM unnest(secant.threshold_partials_honest(hop_key, cts, revoked)) WITH ORDINALITY u(p, o) $$;
	GRANT EXECUTE ON FUNCTION secant.threshold_partials(bytea, pre_ciphertext[], bytea[]) TO coordinator;
SQL
out=$(q 1 coord "$READ")
check "node1 lying: the four notes read right (node2 and node3 used)" \
	eq "$(printf '%s\n' "$out" | grep -v WARNING)" "$WANT"
check "node1 lying: detected, a WARNING names it" \
	eq "$(printf '%s\n' "$out" | grep -c 'WARNING:  threshold node "node1" returned a partial whose proof does not verify')" "1"
# verify => false: no proof checked; node1's wrong partials give values
# that the client refuses (their AEAD fails), never a wrong note; the
# client re-reads with verify => true, which names node1
NOTE_FAST=$(q 1 coord "SET ROLE reader;
	SELECT (secant.reencrypt_threshold(ARRAY(SELECT body FROM notes WHERE id <= 4 ORDER BY id),
	        (SELECT pre_public_key(sk) FROM keys WHERE name = 'ada_phone'), verify => false))[1]")
check "node1 lying, verify => false: a value comes back, no WARNING (no proof checked)" \
	eq "$(printf '%s' "$NOTE_FAST" | grep -c '^prect_')/$(printf '%s' "$NOTE_FAST" | grep -c WARNING)" "1/0"
refused_by_cli() {
	local r
	r=$(printf '%s' "$NOTE_FAST" | "$CLI" decrypt --secret-key "$(sk ada_phone)" 2>&1)
	local rc=$?
	DIAG="exit $rc: $r"
	[ "$rc" -ne 0 ] && ! grep -q 'note' <<<"$r"
}
check "node1 lying, verify => false: the CLI refuses the value (its AEAD fails), no wrong note" refused_by_cli
out=$(q 1 coord "$(read_sql true)")
check "node1 lying: the re-read with verify => true gives the four notes and names node1" \
	eq "$(printf '%s\n' "$out" | grep -v WARNING)/$(printf '%s\n' "$out" | grep -c 'WARNING:  threshold node "node1" returned a partial whose proof does not verify')" "$WANT/1"
on 1 node >/dev/null <<-'SQL'
	DROP FUNCTION secant.threshold_partials(bytea, pre_ciphertext[], bytea[]);
	ALTER FUNCTION secant.threshold_partials_honest(bytea, pre_ciphertext[], bytea[]) RENAME TO threshold_partials;
	ALTER FUNCTION secant_internal.threshold_partials_honest(bytea, pre_ciphertext[], bytea[]) RENAME TO threshold_partials;
SQL

# ---------------------------------------------------------------- server key rotation on a node
# node2 gets a new server key; reads ask node1 and node2 first, so a read
# without a WARNING is one that node2 served
node_keys() {	# node_keys I CURRENT PREVIOUS: ALTER SYSTEM on cluster I and reload
	on "$1" postgres >/dev/null -c "ALTER SYSTEM SET secant_pre.server_key_file = '$2'" \
		-c "ALTER SYSTEM SET secant_pre.previous_server_key_file = '$3'" -c "SELECT pg_reload_conf()"
	sleep 0.5
}
SHARE2=$(q 2 node "SELECT md5(share) FROM secant.grant_shares")
pgc_server_key "${DIR[2]}/new.key"
node_keys 2 "${DIR[2]}/new.key" ""
out=$(q 1 coord "$READ")
check "node2 with a new key and no previous one: its share does not open (node3 used, node2 named)" \
	eq "$(printf '%s\n' "$out" | grep -v WARNING)/$(printf '%s\n' "$out" | grep -c 'WARNING:  threshold node "node2" failed')" "$WANT/1"
node_keys 2 "${DIR[2]}/new.key" "${DIR[2]}/server.key"
K2=$(q 2 node "SELECT encode(secant.server_key_id(), 'hex')")
check "node2's rotation: secant.reseal_grants re-seals its one share" eq "$(q 2 node "SELECT secant.reseal_grants()")" "1"
check "node2's rotation: the share's signed bytes unchanged, its re-seal names the new key, audited" \
	eq "$(q 2 node "SELECT md5(share) = '$SHARE2' AND encode(substr(resealed, 1, 8), 'hex') = '$K2' FROM secant.grant_shares")/$(q 2 node "SELECT count(*) FROM secant.audit_log WHERE action = 'reseal grants' AND detail->>'grant_shares' = '1' AND detail->>'server_key_id' = '$K2'")" "t/1"
check "node2's rotation: a second re-seal has nothing to do" eq "$(q 2 node "SELECT secant.reseal_grants()")" "0"
node_keys 2 "${DIR[2]}/new.key" ""
check "node2 with the new key alone serves from its re-seal: the four notes, no WARNING" eq "$(q 1 coord "$READ")" "$WANT"
out=$(q 2 node "UPDATE secant.grant_shares SET resealed = substr(resealed, 1, 8) || substr(share, 185 + 32 * t, 104)")
check "a re-seal is checked when stored: the share's own box under the new key id is refused" \
	eq "$(printf '%s' "$out" | grep -c 'ERROR')" "1"

# ---------------------------------------------------------------- the node's own checks
node_refuses() {
	local r
	r=$(on 2 node -At -c "SET ROLE coordinator;
	    SELECT secant.threshold_partials('\\x$1', '{$2}')" 2>&1)
	DIAG=$r
	grep -q "$3" <<<"$r"
}
NOTE1=$(q 1 coord "SELECT body FROM notes WHERE id = 1")
ONCO=$(q 1 coord "SELECT pre_encrypt(pre_public_key(sk), 'x') FROM keys WHERE name = 'oncology'")
check "a node refuses a ciphertext not addressed to the share's delegator" node_refuses "$HOP" "$ONCO" "no partial"
check "a node refuses a hop key it holds no share of" node_refuses "00$(printf '%s' "$HOP" | cut -c3-)" "$NOTE1" "no grant share"
out=$(on 2 node -At -c "CREATE ROLE nobody; SET ROLE nobody; SELECT secant.threshold_partials('\\x$HOP', '{$NOTE1}')" 2>&1)
check "a node refuses a role neither bound to the grantee nor a proxy" eq "$(printf '%s' "$out" | grep -c 'may not obtain')" "1"
LEVEL2=$(q 1 coord "SELECT pre_reencrypt(pre_encrypt(pre_public_key(d.sk), 'y'), pre_grant(d.sk, pre_public_key(g.sk)))
                     FROM keys d, keys g WHERE d.name = 'ada_phone' AND g.name = 'cardiology'")
check "a node refuses a level-2 ciphertext whose last hop is not one of its grants (no open oracle)" \
	node_refuses "$HOP" "$LEVEL2" "last hop"

# ---------------------------------------------------------------- a copy of a node, adopted
# node3's database copied (CREATE DATABASE ... TEMPLATE) and adopted with
# an identity of its own: its grant share is re-sealed for that identity,
# as its grants are, and serves there (docs/OPERATIONS.md, copies)
copy_node3() {
	local i
	for i in $(seq 50); do	# the coordinator's last connection may still be closing
		on 3 postgres >/dev/null 2>&1 -c "CREATE DATABASE node_copy TEMPLATE node" && return 0
		sleep 0.2
	done
	on 3 postgres -c "CREATE DATABASE node_copy TEMPLATE node"
}
check "node3 copied into node_copy" copy_node3
check "node_copy adopted: its one grant share re-sealed (no grants), audited" \
	eq "$(q 3 node_copy "SELECT secant.adopt_database()")/$(q 3 node_copy "SELECT detail->>'grant_shares' FROM secant.audit_log WHERE action = 'adopt database'")" "1/1"
out=$(on 3 node_copy -At -c "SET ROLE coordinator; SELECT cardinality(secant.threshold_partials('\\x$HOP', '{$NOTE1}'))" 2>&1)
check "node_copy's share opens under its new identity: a partial" eq "$out" "1"
out=$(on 3 node -At -c "SET ROLE coordinator; SELECT cardinality(secant.threshold_partials('\\x$HOP', '{$NOTE1}'))" 2>&1)
check "node3's own share still opens under its identity" eq "$out" "1"
on 3 postgres >/dev/null -c "DROP DATABASE node_copy"

# ---------------------------------------------------------------- expiry on a node
EXPIRED=$("$CLI" grant "$(pk dr_ada)" --not-after 1 --threshold 1/1 --seal-to "$(q 1 node 'SELECT secant.server_public_key()')" \
	--secret-key "$(sk oncology)")
q 1 node "SELECT secant.add_grant_share('$EXPIRED')" >/dev/null
XHOP=$(q 1 node "SELECT encode(hop_key, 'hex') FROM secant.grant_shares WHERE not_after IS NOT NULL")
out=$(on 1 node -At -c "SET ROLE coordinator; SELECT secant.threshold_partials('\\x$XHOP', '{$ONCO}')" 2>&1)
check "an expired share is refused at read time" eq "$(printf '%s' "$out" | grep -c 'grant share expired')" "1"
q 1 node "SELECT * FROM secant.purge_expired()" >/dev/null
check "secant.purge_expired removes the expired share: gone, audited, its hop key remembered as expired" \
	eq "$(q 1 node "SELECT count(*) FROM secant.grant_shares WHERE hop_key = '\\x$XHOP'")/$(q 1 node "SELECT count(*) FROM secant.audit_log WHERE action = 'delete grant share' AND detail->>'hop_key' = '$XHOP'")/$(q 1 node "SELECT reason FROM secant.revoked_grants WHERE hop_key = '\\x$XHOP'")" "0/1/expired"
check "the other shares stay" eq "$(q 1 node "SELECT count(*) FROM secant.grant_shares")" "1"

# ---------------------------------------------------------------- revocation, a node down, then back
HOP2=$(split oncology dr_ada 2/3 3 1 2)	# node3 holds share 1 of oncology's grant: asked first
q 1 coord "INSERT INTO notes SELECT 10, pre_encrypt(pre_public_key(sk), 'onco') FROM keys WHERE name = 'oncology'" >/dev/null
pgc_halt "${DIR[3]}"
out=$(q 1 coord "SELECT node || ':' || removed FROM secant.revoke_threshold('\\x$HOP') ORDER BY node")
check "revoke with node3 down: removed on node1 and node2, node3 reported" \
	eq "$(printf '%s\n' "$out" | grep '^node' | tr '\n' ' ')" "node1:true node2:true node3:false "
check "revoke with node3 down: a WARNING names node3" \
	eq "$(printf '%s\n' "$out" | grep -c 'WARNING:  threshold node "node3" did not remove its share')" "1"
check "the grant counts as revoked: fewer than t nodes hold its share (threshold_status.closed)" \
	eq "$(q 1 coord "SELECT holders_left || ' ' || closed || ' ' || (revoked_at IS NOT NULL) FROM secant.threshold_status WHERE hop_key = '\\x$HOP'")" "1 true true"
out=$(q 1 coord "$READ")
check "after the revocation the coordinator refuses the read" eq "$(printf '%s' "$out" | grep -o 'no active threshold grant')" "no active threshold grant"
check "node1 audited the removal and remembers the hop key" \
	eq "$(q 1 node "SELECT count(*) FROM secant.audit_log WHERE action = 'delete grant share' AND detail->>'hop_key' = '$HOP'")/$(q 1 node "SELECT count(*) FROM secant.revoked_grants WHERE hop_key = '\\x$HOP'")" "1/1"
out=$(q 1 node "SELECT secant.add_grant_share('$(cat "$WORK/cardiology.share1")')")
check "node1 refuses to store the revoked share again" eq "$(printf '%s' "$out" | grep -c 'revoked and cannot be stored again')" "1"
pgc_up "${DIR[3]}"
check "node3 back: it still holds the share it missed the revocation of" \
	eq "$(q 3 node "SELECT count(*) FROM secant.grant_shares WHERE hop_key = '\\x$HOP'")" "1"
READ2="SELECT pre_decrypt_text((secant.reencrypt_threshold(ARRAY[body], (SELECT public_key FROM secant.principals WHERE name = 'dr_ada')))[1],
       (SELECT sk FROM keys WHERE name = 'dr_ada')) FROM notes WHERE id = 10"
check "node3 back, a read through oncology's grant (node3 asked first)" eq "$(q 1 coord "$READ2")" "onco"
check "node3 applied the missed revocation before serving: share gone, audited, hop key remembered" \
	eq "$(q 3 node "SELECT count(*) FROM secant.grant_shares WHERE hop_key = '\\x$HOP'")/$(q 3 node "SELECT count(*) FROM secant.audit_log WHERE action = 'delete grant share'")/$(q 3 node "SELECT count(*) FROM secant.revoked_grants WHERE hop_key = '\\x$HOP'")" "0/1/1"
check "the coordinator knows: no node holds the revoked grant's share" \
	eq "$(q 1 coord "SELECT holders_left FROM secant.threshold_status WHERE hop_key = '\\x$HOP'")" "0"

# ---------------------------------------------------------------- compromise of one node
# The attacker has node3's server key file, a dump of its database (its
# share, sealed, and the database identity), every device key (and
# dr_ada's key), nothing of node1 or node2.  A note written after the
# revocation of dr_ada's grant must stay closed; the delegator's secret
# (equivalently rk: C_0 = rk·G = d⁻¹·P_A, d known to dr_ada's key holder)
# must not be recovered.  Two nodes' keys (positive control) recover both.
q 1 coord "INSERT INTO notes SELECT 20, pre_encrypt(pre_public_key(sk), 'after revocation') FROM keys WHERE name = 'cardiology'" >/dev/null
$RUN_AS "$PGBIN/pg_dump" -h "${DIR[3]}" -p $((PORT + 2)) -U postgres -d node >"$WORK/node3.dump" 2>"$WORK/pg_dump.log"
check "the attacker's dump of node3 holds its share (sealed) and the database identity" \
	eq "$(grep -c "^COPY secant.grant_shares\|^COPY secant.database_identity" "$WORK/node3.dump")" "2"
attack() {	# attack NODE...: rk from those nodes' opened shares; "recovered" or "not recovered"
	python3 "$HERE/attack.py" "$WORK/cardiology.share1" "$@"
}
for i in 2 3; do
	printf '%s %s %s\n' "$i" "$(cat "${DIR[$i]}/server.key")" \
		"$(q "$i" node "SELECT encode(id, 'hex') FROM secant.database_identity")" >"$WORK/node$i.keys"
	cp "$WORK/cardiology.share$i" "$WORK/share.$i"
done
check "one node (server key, dump, opened share) and every device key: no rk, no delegator secret" \
	eq "$(attack "$WORK/node3.keys" "$WORK/share.3")" "not recovered"
one_partial() {
	local ct p r
	ct=$(q 1 coord "SELECT body FROM notes WHERE id = 20")
	p=$(printf '%s' "$ct" | "$CLI" partial "$(cat "$WORK/share.3")" --server-key "${DIR[3]}/server.key" \
		--database "$(cut -d' ' -f3 "$WORK/node3.keys")")
	r=$(printf '%s' "$ct" | "$CLI" combine "$(cat "$WORK/share.3")" "$p" 2>&1)
	DIAG=$r
	[ -n "$p" ] && ! grep -q '^prect_' <<<"$r"
}
check "one node: its own partial of the note written after the revocation does not combine alone" one_partial
check "two nodes (positive control): rk recovered" \
	eq "$(attack "$WORK/node2.keys" "$WORK/share.2" "$WORK/node3.keys" "$WORK/share.3")" "recovered"
two_partials() {
	local ct p2 p3 hop
	ct=$(q 1 coord "SELECT body FROM notes WHERE id = 20")
	p2=$(printf '%s' "$ct" | "$CLI" partial "$(cat "$WORK/share.2")" --server-key "${DIR[2]}/server.key" \
		--database "$(cut -d' ' -f3 "$WORK/node2.keys")")
	p3=$(printf '%s' "$ct" | "$CLI" partial "$(cat "$WORK/share.3")" --server-key "${DIR[3]}/server.key" \
		--database "$(cut -d' ' -f3 "$WORK/node3.keys")")
	hop=$(printf '%s' "$ct" | "$CLI" combine "$(cat "$WORK/share.2")" "$p2" "$p3")
	eq "$(printf '%s' "$hop" | "$CLI" decrypt --secret-key "$(sk dr_ada)")" "after revocation"
}
check "two nodes (positive control): the note written after the revocation opens" two_partials

tap_finish
