# shellcheck shell=bash
# test/threshold/lib.sh - sourced by run.sh (the tests) and
# test/bench/threshold_nodes.sh: N throwaway clusters on this machine (private
# directories, unix sockets only, ports $THRESHOLD_PORT ..), database
# "node" on each with a role "coordinator" holding the proxy capability,
# and database "coord" on cluster 1: the coordinator, with dblink and the
# N nodes named node1 .. nodeN.  The caller's EXIT trap is stop_all.
#
#   start_clusters N        start and set up the N clusters (each node with
#                           the SQL block of docs/THRESHOLD.md, as written)
#   on I DB [psql args]     psql on cluster I, database DB
#   q I DB SQL              one value (tuples only, unaligned), stderr too
#   split GROUP GRANTEE T/N NODE...  a T-of-N grant GROUP -> GRANTEE (keys
#                           in coord's table keys), share k sealed to and
#                           stored on NODE[k], recorded at the coordinator;
#                           prints its hop key (hex); the shares in $WORK

# shellcheck source=../prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/../prologue.sh"

LIBPREFIX=${LIBPREFIX:-/usr/local}
CLI=${SECANT_PRE_CLI:-$LIBPREFIX/bin/secant-pre}
export SECANT_PRE_LIBRARY=${SECANT_PRE_LIBRARY:-$LIBPREFIX/lib/libsecant-pre.so.0}
PYTHONPATH=$(ls -d "$LIBPREFIX"/lib/python3*/dist-packages 2>/dev/null | head -n 1)
export PYTHONPATH
PORT=${THRESHOLD_PORT:-55480}
declare -a DIR
WORK=$(mktemp -d /tmp/secant_threshold_work.XXXXXX) || exit 1
chmod 755 "$WORK"

stop_all() {
	local i
	for i in "${!DIR[@]}"; do pgc_stop "${DIR[$i]}"; done
	rm -rf "$WORK"
}

on() {
	local i=$1 db=$2
	shift 2
	pgc_psql "${DIR[$i]}" $((PORT + i - 1)) -d "$db" "$@"
}
q() { on "$1" "$2" -At -c "$3" 2>&1; }

# the blocks of docs/THRESHOLD.md's "Deploying three nodes", as written:
# doc_sql1.sql (each node), doc_sh1.sh (the delegator), doc_sh2.sh (the
# coordinator), doc_sql2.sql (a reader)
python3 - "$(dirname "${BASH_SOURCE[0]}")/../../docs/THRESHOLD.md" "$WORK" <<'PY' || exit 1
import re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
sec = doc.split("\n## Deploying three nodes\n", 1)[1].split("\n## ", 1)[0]
for lang, ext in (("sql", "sql"), ("sh", "sh")):
    for i, b in enumerate(re.findall(r"```%s\n(.*?)```" % lang, sec, re.S), 1):
        open("%s/doc_%s%d.%s" % (sys.argv[2], lang, i, ext), "w").write(b)
PY

start_clusters() {
	local n=$1 i
	for i in $(seq 1 "$n"); do
		DIR[$i]=$(pgc_dir "secant_threshold_$i") || return 1
		pgc_start "${DIR[$i]}" $((PORT + i - 1)) "fsync = off" "synchronous_commit = off" \
			"max_connections = 30" "shared_buffers = 32MB" || return 1
		on "$i" postgres -c "CREATE DATABASE node" >/dev/null || return 1
		on "$i" node -f "$WORK/doc_sql1.sql" >/dev/null || return 1
	done
	on 1 postgres >/dev/null <<-SQL || return 1
		CREATE DATABASE coord;
		\c coord
		CREATE EXTENSION secant_pre;
		CREATE SCHEMA dblink;
		REVOKE ALL ON SCHEMA dblink FROM PUBLIC;
		CREATE EXTENSION dblink SCHEMA dblink;
		REVOKE ALL ON ALL FUNCTIONS IN SCHEMA dblink FROM PUBLIC;
	SQL
	for i in $(seq 1 "$n"); do
		q 1 coord "SELECT secant.add_threshold_node('node$i',
		           'host=${DIR[$i]} port=$((PORT + i - 1)) dbname=node user=coordinator')" >/dev/null || return 1
	done
}

# sk NAME: a key's secret into a file only we read (printed); pk NAME: its public key
sk() {
	(umask 077 && q 1 coord "SELECT sk FROM keys WHERE name = '$1'" >"$WORK/$1.sk")
	echo "$WORK/$1.sk"
}
pk() { q 1 coord "SELECT pre_public_key(sk) FROM keys WHERE name = '$1'"; }

split() {
	local group=$1 grantee=$2 tn=$3 keys="" k i shares arr="" nodes=""
	shift 3
	for i in "$@"; do keys="$keys${keys:+,}$(q "$i" node 'SELECT secant.server_public_key()')"; done
	mapfile -t shares < <("$CLI" grant "$(pk "$grantee")" --threshold "$tn" --seal-to "$keys" \
		--secret-key "$(sk "$group")")
	[ "${#shares[@]}" -eq $# ] || { echo "split: ${#shares[@]} shares" >&2; return 1; }
	k=0
	for i in "$@"; do
		q "$i" node "SELECT secant.add_grant_share('${shares[$k]}')" >/dev/null || return 1
		printf '%s\n' "${shares[$k]}" >"$WORK/$group.share$i"
		arr="$arr${arr:+, }'${shares[$k]}'"
		nodes="$nodes${nodes:+, }'node$i'"
		k=$((k + 1))
	done
	q 1 coord "SELECT encode(secant.add_threshold_grant(ARRAY[$arr], ARRAY[$nodes]), 'hex')"
}
