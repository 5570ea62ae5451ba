#!/usr/bin/env bash
# test/scaleout/test.sh STATE - assertions of the scale-out design, run by
# run.sh against its three running clusters (STATE: the file run.sh saved
# with save_nodes).  Prints "ok - ..." / "not ok - ..." lines and ends with
# "N passed, M failed"; exits non-zero on failure.
#
# Layout (fixture, made here): group cardiology on shard1, group oncology
# on shard2.  dr_ada is a member of both, dr_bob of cardiology, dr_cy of
# oncology.  Devices: ada_phone, ada_laptop, ada_tablet (dr_ada), bob_phone,
# cy_phone; lost_phone is registered on shard1 but not enrolled.  Each
# shard holds the principals and grants of its groups: dr_ada's enrolments
# are therefore on both shards, and revoking one must reach both.
#
# Secret keys of the fixture live in a coordinator table (test only: real
# devices keep theirs); decryption is server-side pre_decrypt_text.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
load_nodes "${1:?usage: test.sh STATE_FILE}" || exit 1

NOTES=${SCALEOUT_TEST_NOTES:-200}	# per shard
# ok, not_ok, check NAME COMMAND..., eq GOT EXPECTED, tap_finish: from
# test/prologue.sh (lib.sh sources it)
# q NODE SQL [psql args]: one value (tuples only, unaligned)
q() {
	local node=$1 sql=$2
	shift 2
	psql_on "$node" -At "$@" -c "$sql" 2>&1
}

# ---------------------------------------------------------------- fixture
psql_on coord >/dev/null <<'SQL' || { not_ok "fixture on the coordinator"; tap_finish; }
CREATE TABLE fixture_keys AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('cardiology', 'group'), ('oncology', 'group'),
             ('dr_ada', 'user'), ('dr_bob', 'user'), ('dr_cy', 'user'),
             ('ada_phone', 'device'), ('ada_laptop', 'device'), ('ada_tablet', 'device'),
             ('bob_phone', 'device'), ('cy_phone', 'device'), ('lost_phone', 'device')) AS v(name, kind);
ALTER TABLE fixture_keys ADD COLUMN pk pre_public_key;
UPDATE fixture_keys SET pk = pre_public_key(sk);
CREATE TABLE fixture_grants (shard text, from_name text, to_name text);
INSERT INTO fixture_grants VALUES
    ('shard1', 'cardiology', 'dr_ada'), ('shard1', 'cardiology', 'dr_bob'),
    ('shard1', 'dr_ada', 'ada_phone'), ('shard1', 'dr_ada', 'ada_laptop'),
    ('shard1', 'dr_ada', 'ada_tablet'), ('shard1', 'dr_bob', 'bob_phone'),
    ('shard2', 'oncology', 'dr_ada'), ('shard2', 'oncology', 'dr_cy'),
    ('shard2', 'dr_ada', 'ada_phone'), ('shard2', 'dr_ada', 'ada_laptop'),
    ('shard2', 'dr_ada', 'ada_tablet'), ('shard2', 'dr_cy', 'cy_phone');
CREATE TABLE fixture_placement (shard text, group_name text, first_id bigint);
INSERT INTO fixture_placement VALUES ('shard1', 'cardiology', 1), ('shard2', 'oncology', 1000001);
SQL

# The admin replicates each group's principals and grants to its shard
# (grants are made on the coordinator here from the fixture's secret keys;
# normally on the delegator's client), then the records are written.
for s in shard1 shard2; do
	psql_on coord -At -v s="$s" -v n="$NOTES" <<'SQL' | psql_on "$s" >/dev/null ||
SELECT format('SELECT secant.add_principal(%L, %L, %L);', k.name, k.kind, k.pk)
FROM fixture_keys k
WHERE k.name IN (SELECT from_name FROM fixture_grants WHERE shard = :'s'
                 UNION SELECT to_name FROM fixture_grants WHERE shard = :'s')
   OR (k.name = 'lost_phone' AND :'s' = 'shard1');
SELECT format('SELECT secant.add_grant(%L);', pre_grant(f.sk, t.pk))
FROM fixture_grants g JOIN fixture_keys f ON f.name = g.from_name JOIN fixture_keys t ON t.name = g.to_name
WHERE g.shard = :'s';
SELECT format('INSERT INTO notes SELECT i, %L, pre_encrypt(%L::pre_public_key, %L || '' note '' || i) '
              'FROM generate_series(%s, %s) AS i;', k.pk, k.pk, p.group_name, p.first_id, p.first_id + :n - 1)
FROM fixture_placement p JOIN fixture_keys k ON k.name = p.group_name WHERE p.shard = :'s';
SELECT 'ANALYZE;';
SQL
		{ not_ok "fixture on $s"; tap_finish; }
done
ok "fixture: 2 groups on 2 shards, $NOTES notes each, principals and grants replicated per group"

# Each shard opens only the grants sealed to its own server key: a client
# seals a grant once per shard that needs it; the coordinator holds none.
refused_elsewhere() {
	local sealed
	sealed=$(q shard1 "SELECT secant.seal_grant_on_server(pre_grant(pre_keygen(), pre_public_key(pre_keygen())))")
	[ -n "$sealed" ] && [ "$(q shard1 "SELECT secant.server_key_id()")" != "$(q shard2 "SELECT secant.server_key_id()")" ] &&
		{ DIAG=$(psql_on shard2 -c "SELECT secant.add_grant('$sealed'::pre_sealed_grant)" 2>&1); grep -q "sealed grant is sealed to another server key" <<<"$DIAG"; }
}
check "each shard has its own server key; a grant sealed for shard1 is refused by shard2" refused_elsewhere
check "the coordinator holds no grants" [ "$(q coord "SELECT count(*) FROM secant.grants")" = 0 ]

key() { q coord "SELECT pk FROM fixture_keys WHERE name = '$1'"; }
ADA=$(key ada_phone)
DR_ADA=$(key dr_ada)

# ---------------------------------------------------------------- plans
READ="SELECT id, group_name, body FROM notes_for WHERE target = \$1"
PLAN_CUSTOM=$(psql_on coord -At <<SQL 2>&1
PREPARE r(pre_public_key) AS $READ;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE r('$ADA');
SQL
)
PLAN_GENERIC=$(psql_on coord -At <<SQL 2>&1
SET plan_cache_mode = force_generic_plan;
PREPARE r(pre_public_key) AS $READ;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE r('$ADA');
SQL
)
echo "# coordinator plan of: $READ (custom plan)"
printf '%s\n' "$PLAN_CUSTOM" | sed 's/^/#   /'

for kind in custom generic; do
	if [ "$kind" = custom ]; then plan=$PLAN_CUSTOM; lit="'$ADA'"; else plan=$PLAN_GENERIC; lit='$1::public.pre_public_key'; fi
	for s in shard1 shard2; do
		check "$kind plan: the target filter is in the Remote SQL of $s" \
			eq "$(printf '%s\n' "$plan" | grep -A2 "Foreign Scan on public.notes_for_$s " |
				grep -cF "Remote SQL: SELECT id, group_name, body FROM public.notes_for WHERE ((target OPERATOR(public.=) $lit))")" 1
		check "$kind plan: $s is scanned asynchronously" \
			eq "$(printf '%s\n' "$plan" | grep -c "Async Foreign Scan on public.notes_for_$s ")" 1
	done
	check "$kind plan: no pre_reencrypt/reencrypt_for evaluated on the coordinator" \
		eq "$(printf '%s\n' "$plan" | grep -v 'Remote SQL:' | grep -cE 'pre_reencrypt|reencrypt_for')" 0
	check "$kind plan: coordinator Output lines carry only columns" \
		eq "$(printf '%s\n' "$plan" | grep 'Output:' | grep -c '(')" 0
	check "$kind plan: the read gate is one One-Time Filter above the Append" \
		eq "$(printf '%s\n' "$plan" | sed -n '1,3p' | grep -c 'One-Time Filter: scaleout.reads_allowed()')" 1
done

# Control: the naive form (raw ciphertexts, re-encrypted in the select list)
# evaluates reencrypt_for on the coordinator, and the checks above see it.
PLAN_NAIVE=$(q coord "EXPLAIN (VERBOSE, COSTS OFF) SELECT id, secant.reencrypt_for(body, '$ADA') FROM notes_raw_all")
check "control: the naive foreign scan re-encrypts on the coordinator (Output has reencrypt_for)" \
	eq "$(printf '%s\n' "$PLAN_NAIVE" | grep 'Output:' | grep -c 'reencrypt_for')" 1

# The shard side: the Remote SQL, planned on shard1 as the coordinator's
# role.  The filter must reach secant.principals (an Index Cond on the
# target key) below the re-encryption, not filter the view's output.
REMOTE=$(printf '%s\n' "$PLAN_CUSTOM" | grep -A2 'Foreign Scan on public.notes_for_shard1 ' | sed -n 's/^ *Remote SQL: //p')
PLAN_SHARD=$(q shard1 "EXPLAIN (VERBOSE, COSTS OFF) $REMOTE" -U coordinator)
echo "# shard1 plan of the Remote SQL:"
printf '%s\n' "$PLAN_SHARD" | sed 's/^/#   /'
check "shard plan: the target filter reaches the scan of secant.principals (below the re-encryption)" \
	eq "$(printf '%s\n' "$PLAN_SHARD" | grep -A3 'Scan .*on secant.principals t$' |
		grep -E '(Index Cond|Filter): ' | grep -cF "t.public_key = '$ADA'::pre_public_key")" 1
check "shard plan: the view's output is not filtered after re-encryption" \
	eq "$(printf '%s\n' "$PLAN_SHARD" | grep -c 'Filter: .*notes_for\.target')" 0
check "shard plan: reencrypt_for is evaluated on the shard" \
	eq "$(printf '%s\n' "$PLAN_SHARD" | grep 'Output:' | grep -c 'secant.reencrypt_for(n.body, t.public_key)')" 1

# ---------------------------------------------------------------- rows
calls() {	# calls NODE SCHEMA.FUNCTION: calls recorded in pg_stat_user_functions (all overloads)
	q "$1" "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
	        WHERE schemaname = split_part('$2', '.', 1) AND funcname = split_part('$2', '.', 2)"
}
# Remote backends report their function statistics when they exit: wait
# until the value reaches the expected one (or give up after 10 s).
calls_settle() {	# calls_settle NODE FUNCTION EXPECTED
	local i v
	for i in $(seq 1 50); do
		v=$(calls "$1" "$2")
		[ "$v" = "$3" ] && break
		sleep 0.2
	done
	printf '%s' "$v"
}
P1=$(calls shard1 secant.path)
R1=$(calls shard1 secant.reencrypt_for)
R2=$(calls shard2 secant.reencrypt_for)
C0=$(( $(calls coord secant.reencrypt_for) + $(calls coord public.pre_reencrypt) ))

# rows for TARGET: count, rows decrypting to the expected text, levels
read_as() {	# read_as DEVICE
	psql_on coord -At -F ' ' -v dev="$1" <<'SQL' 2>&1
SELECT sk AS sk, pk AS pk FROM fixture_keys WHERE name = :'dev' \gset
SELECT count(*),
       count(*) FILTER (WHERE pre_decrypt_text(body, :'sk') = group_name || ' note ' || id),
       count(DISTINCT group_name),
       coalesce(min(pre_level(body)), 0), coalesce(max(pre_level(body)), 0)
FROM notes_for WHERE target = :'pk';
SELECT postgres_fdw_disconnect_all() \g /dev/null
SQL
}
N2=$((2 * NOTES))
check "ada_phone (both groups) reads $N2 rows from both shards; all decrypt on the device; level 3" \
	eq "$(read_as ada_phone)" "$N2 $N2 2 3 3"
check "shard1 re-encrypted exactly its $NOTES rows for ada_phone (pg_stat_user_functions)" \
	eq "$(calls_settle shard1 secant.reencrypt_for $((R1 + NOTES)))" $((R1 + NOTES))
check "shard2 re-encrypted exactly its $NOTES rows for ada_phone" \
	eq "$(calls_settle shard2 secant.reencrypt_for $((R2 + NOTES)))" $((R2 + NOTES))
paths=$(( $(calls shard1 secant.path) - P1 ))
echo "# secant.path calls on shard1 for that read: $paths"
check "shard1 looked the grant path up per statement, not per row (secant.path calls <= 4)" \
	test "$paths" -ge 1 -a "$paths" -le 4
check "the coordinator called neither reencrypt_for nor pre_reencrypt" \
	eq "$(( $(calls coord secant.reencrypt_for) + $(calls coord public.pre_reencrypt) ))" "$C0"
check "bob_phone (cardiology only) reads $NOTES rows, all from shard1, all decrypt" \
	eq "$(read_as bob_phone)" "$NOTES $NOTES 1 3 3"
check "cy_phone (oncology only) reads $NOTES rows, all from shard2, all decrypt" \
	eq "$(read_as cy_phone)" "$NOTES $NOTES 1 3 3"
check "the generic plan (\$1 shipped as a parameter) returns bob_phone's $NOTES rows" \
	eq "$(psql_on coord -At -v pk="$(key bob_phone)" <<'SQL' 2>&1
SET plan_cache_mode = force_generic_plan;
PREPARE r(pre_public_key) AS SELECT count(*) FROM notes_for WHERE target = $1;
EXECUTE r(:'pk');
SQL
)" "$NOTES"
check "lost_phone (registered, not enrolled) reads no rows and no error" \
	eq "$(read_as lost_phone)" "0 0 0 0 0"
check "a user key (not a device) reads no rows" \
	eq "$(q coord "SELECT count(*) FROM notes_for WHERE target = '$DR_ADA'")" 0
check "pruning: WHERE target = \$1 AND group_name = 'oncology' scans shard2 only" \
	eq "$(q coord "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM notes_for WHERE target = '$ADA' AND group_name = 'oncology'" |
		grep -c 'Foreign Scan on public.notes_for_shard')" 1

# ---------------------------------------------------------------- revocation
grants_on() {	# grants_on SHARD FROM TO
	q "$1" "SELECT count(*) FROM secant.grants WHERE from_key = '$(key "$2")' AND to_key = '$(key "$3")'"
}
pending() { q coord "SELECT count(*) FROM scaleout.revocations WHERE completed_at IS NULL"; }
refused() {	# reads through the coordinator are refused, even of a reachable shard
	local out
	out=$(q coord "SELECT count(*) FROM notes_for WHERE target = '$(key bob_phone)' AND group_name = 'cardiology'")
	case $out in *"reads refused"*) return 0 ;; *) return 1 ;; esac
}
revoke() {	# revoke FROM TO [psql args]: CALL secant_revoke_everywhere
	local f=$1 t=$2
	shift 2
	q coord "CALL secant_revoke_everywhere('$(key "$f")', '$(key "$t")')" "$@"
}

# 1. a shard is down: nothing is revoked anywhere, reads are refused
stop_node shard2
out=$(revoke dr_ada ada_phone)
check "revocation with shard2 down fails" eq "$(printf '%s' "$out" | grep -c 'ERROR')" 1
check "... and is kept as pending in the coordinator's journal" eq "$(pending)" 1
check "... and rolled back on shard1 (no partial revocation)" eq "$(grants_on shard1 dr_ada ada_phone)" 1
check "... and reads through the coordinator are refused meanwhile" refused
node_up shard2
q coord "CALL secant_complete_revocations()" >/dev/null
check "shard2 back: secant_complete_revocations() applies it; nothing pending" eq "$(pending)" 0
check "the grant dr_ada -> ada_phone is gone on shard1" eq "$(grants_on shard1 dr_ada ada_phone)" 0
check "the grant dr_ada -> ada_phone is gone on shard2" eq "$(grants_on shard2 dr_ada ada_phone)" 0
check "the journal counts 2 grants removed (one per shard)" \
	eq "$(q coord "SELECT grants FROM scaleout.revocations ORDER BY id DESC LIMIT 1")" 2
check "after revocation ada_phone reads no rows through the coordinator" eq "$(read_as ada_phone)" "0 0 0 0 0"
for s in shard1 shard2; do
	check "after revocation $s itself returns no rows for ada_phone" \
		eq "$(q "$s" "SELECT count(*) FROM notes_for WHERE target = '$ADA'")" 0
	check "the revocation is in $s's audit log" \
		eq "$(q "$s" "SELECT count(*) FROM secant.audit_log WHERE action = 'revoke'")" 1
done
check "other devices still read: bob_phone $NOTES rows" eq "$(read_as bob_phone)" "$NOTES $NOTES 1 3 3"

# 2. the commit window: postgres_fdw commits the shards one after the other.
# A shard failing at COMMIT (injected: deferred constraint trigger) after
# the other committed leaves a partial revocation; the journal entry stays
# pending, so reads stay refused until the retry completes it.  The commit
# order is postgres_fdw's, so the fault is injected once on each shard (two
# revocations): whichever shard commits second shows the window.
window=0
for pair in "shard2 ada_laptop shard1" "shard1 ada_tablet shard2"; do
	set -- $pair
	bad=$1 dev=$2 other=$3
	q "$bad" "INSERT INTO scaleout.fault VALUES (true)" >/dev/null
	out=$(revoke dr_ada "$dev")
	check "fault at COMMIT on $bad: revocation of $dev fails" \
		eq "$(printf '%s' "$out" | grep -c 'injected fault')" 1
	check "... pending in the journal, reads refused" eval '[ "$(pending)" = 1 ] && refused'
	check "... $bad did not revoke" eq "$(grants_on "$bad" dr_ada "$dev")" 1
	if [ "$(grants_on "$other" dr_ada "$dev")" = 0 ]; then
		window=$((window + 1))
		echo "# window: $other committed its revocation before $bad failed at COMMIT"
	fi
	q "$bad" "DELETE FROM scaleout.fault" >/dev/null
	q coord "CALL secant_complete_revocations()" >/dev/null
	check "... retry completes it: nothing pending, grant gone on both shards" \
		eval '[ "$(pending)" = 0 ] && [ "$(grants_on shard1 dr_ada "$dev")" = 0 ] && [ "$(grants_on shard2 dr_ada "$dev")" = 0 ]'
	check "... $dev reads no rows" eq "$(read_as "$dev")" "0 0 0 0 0"
done
check "the commit window was exercised once (partial commit, still refused)" eq "$window" 1

# 3. the fence: a read in flight (its remote REPEATABLE READ snapshots may
# predate the revocation) holds the revocation back; once the revocation is
# recorded, new reads are refused.
CY=$(key cy_phone)
coproc READER { psql_on coord -At 2>&1; }
to_reader=${READER[1]}
from_reader=${READER[0]}
reader_pid=$READER_PID
echo "BEGIN; SELECT 'reader', count(*) FROM notes_for WHERE target = '$CY';" >&"$to_reader"
# wait until the read has run (it holds the gate lock until COMMIT)
IFS= read -r -t 30 -u "$from_reader" reader_first || reader_first="(no answer)"
out=$(PGOPTIONS='-c lock_timeout=1s' q coord "CALL secant_revoke_everywhere('$(key dr_cy)', '$CY')")
check "a revocation waits for the read in flight (lock timeout)" \
	eq "$(printf '%s' "$out" | grep -c 'lock timeout')" 1
check "... meanwhile it is pending and new reads are refused" eval '[ "$(pending)" = 1 ] && refused'
echo "COMMIT;" >&"$to_reader"
exec {to_reader}>&-
reader_out=$(cat <&"$from_reader")
wait "$reader_pid" 2>/dev/null
check "... the read in flight completed with cy_phone's rows" eq "$reader_first${reader_out:+ $reader_out}" "reader|$NOTES"
q coord "CALL secant_complete_revocations()" >/dev/null
check "... then the revocation completes; cy_phone reads no rows" \
	eval '[ "$(pending)" = 0 ] && [ "$(read_as cy_phone)" = "0 0 0 0 0" ]'

tap_finish
