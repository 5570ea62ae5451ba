# shellcheck shell=bash
# test/scaleout/lib.sh - sourced by run.sh, test.sh and bench.sh.
#
# Starts one coordinator and two shard clusters of PostgreSQL 15 on this
# machine with test/pgcluster.sh: each in its own private temporary
# directory (owned by the `postgres` OS user when we run as root, mode 700),
# listening on a unix socket only, on private ports.  The coordinator
# reaches the shards through postgres_fdw over those sockets (host = the
# shard's socket directory), so nothing listens on TCP.  The callers' EXIT
# trap (stop_nodes) stops every cluster started and removes its directory,
# even on failure.
#
# Nodes: coord, shard1, shard2.  Ports: $SCALEOUT_PORT (default 55460) and
# the next two.  Functions: start_nodes, stop_nodes, psql_on NODE [ARGS],
# stop_node NODE, node_up NODE, save_nodes FILE, load_nodes FILE,
# setup_schemas DIR.

# shellcheck source=../prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/../prologue.sh"

SCALEOUT_NODES="coord shard1 shard2"
SCALEOUT_PORT=${SCALEOUT_PORT:-55460}
declare -A NODE_DIR NODE_PORT
STARTED_NODES=""

# psql_on NODE [psql args]: quiet, stop on the first error, no psqlrc.
psql_on() {
	local node=$1
	shift
	pgc_psql "${NODE_DIR[$node]}" "${NODE_PORT[$node]}" "$@"
}

# Start one node in a fresh private directory; durability is off (the
# clusters are thrown away) and functions are tracked (test.sh counts calls).
start_node() {
	local node=$1 port=$2 dir
	dir=$(pgc_dir "secant_scaleout_$node") || return 1
	NODE_DIR[$node]=$dir
	NODE_PORT[$node]=$port
	STARTED_NODES="$STARTED_NODES $node"
	pgc_start "$dir" "$port" "track_functions = all" "max_connections = 30" \
		"shared_buffers = 64MB" "fsync = off" "synchronous_commit = off" \
		"full_page_writes = off"
}

# node_up NODE: start a node again after stop_node (fast shutdown).
node_up() { pgc_up "${NODE_DIR[$1]}"; }
stop_node() { pgc_halt "${NODE_DIR[$1]}"; }

start_nodes() {
	local i=0 node
	for node in $SCALEOUT_NODES; do
		start_node "$node" $((SCALEOUT_PORT + i)) || return 1
		i=$((i + 1))
	done
}

# The EXIT trap: stop every node started (immediate), remove its directory.
stop_nodes() {
	local node
	for node in $STARTED_NODES; do
		pgc_stop "${NODE_DIR[$node]}"
	done
	STARTED_NODES=""
}

# save_nodes FILE / load_nodes FILE: pass the running nodes to another script.
save_nodes() { declare -p NODE_DIR NODE_PORT | sed 's/^declare -A /declare -gA /' >"$1"; }
load_nodes() {
	# shellcheck disable=SC1090
	. "$1"
}

# setup_schemas: shard.sql on each shard, coordinator.sql on the
# coordinator (fed on stdin, so the postgres user need not read the repo).
setup_schemas() {
	local here=$1 s
	for s in shard1 shard2; do
		psql_on "$s" <"$here/shard.sql" >/dev/null || return 1
	done
	psql_on coord -v s1_host="${NODE_DIR[shard1]}" -v s1_port="${NODE_PORT[shard1]}" \
		-v s2_host="${NODE_DIR[shard2]}" -v s2_port="${NODE_PORT[shard2]}" \
		<"$here/coordinator.sql" >/dev/null
}
