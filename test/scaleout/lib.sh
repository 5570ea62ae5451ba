# shellcheck shell=bash
# test/scaleout/lib.sh - sourced by run.sh, test.sh and bench.sh.
#
# Starts one coordinator and two shard clusters of PostgreSQL 15 on this
# machine, each in its own private temporary directory (owned by the
# `postgres` OS user when we run as root, mode 700), listening on a unix
# socket only (listen_addresses = ''), on private ports.  The coordinator
# reaches the shards through postgres_fdw over those sockets (host = the
# shard's socket directory), so nothing listens on TCP.  An EXIT trap stops
# every cluster started and removes its directory, even on failure.
#
# Nodes: coord, shard1, shard2.  Ports: $SCALEOUT_PORT (default 55460) and
# the next two.  Functions: start_nodes, stop_nodes, psql_on NODE [ARGS],
# stop_node NODE, restart_node NODE, node_dir NODE, node_port NODE.

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
[ -x "$PG_CONFIG" ] || PG_CONFIG=$(command -v pg_config)
PGBIN=$("$PG_CONFIG" --bindir)

if [ "$(id -u)" -eq 0 ]; then
	RUN_AS="runuser -u postgres --"
	id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
else
	RUN_AS=""
fi

SCALEOUT_NODES="coord shard1 shard2"
SCALEOUT_PORT=${SCALEOUT_PORT:-55460}
declare -A NODE_DIR NODE_PORT
STARTED_NODES=""

node_dir() { printf '%s' "${NODE_DIR[$1]}"; }
node_port() { printf '%s' "${NODE_PORT[$1]}"; }

# psql_on NODE [psql args]: quiet, stop on the first error, no psqlrc.
psql_on() {
	local node=$1
	shift
	$RUN_AS "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "${NODE_DIR[$node]}" \
		-p "${NODE_PORT[$node]}" -U postgres -d postgres "$@"
}

# Start one node: initdb in a fresh private directory, then pg_ctl start.
start_node() {
	local node=$1 port=$2 dir
	dir=$(mktemp -d "/tmp/secant_scaleout_$node.XXXXXX") || return 1
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	chmod 700 "$dir"
	NODE_DIR[$node]=$dir
	NODE_PORT[$node]=$port
	STARTED_NODES="$STARTED_NODES $node"
	$RUN_AS "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
		-E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	cat >>"$dir/data/postgresql.conf" <<-CONF
		listen_addresses = ''
		port = $port
		unix_socket_directories = '$dir'
		track_functions = all
		shared_preload_libraries = 'secant_pre'
		max_connections = 30
		shared_buffers = 64MB
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	CONF
	node_up "$node"
}

node_up() {
	local dir=${NODE_DIR[$1]}
	$RUN_AS "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null ||
		{ cat "$dir/server.log" >&2; return 1; }
}

stop_node() {
	$RUN_AS "$PGBIN/pg_ctl" -D "${NODE_DIR[$1]}/data" -m fast -w stop >/dev/null 2>&1
}

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
		$RUN_AS "$PGBIN/pg_ctl" -D "${NODE_DIR[$node]}/data" -m immediate stop >/dev/null 2>&1
		rm -rf "${NODE_DIR[$node]}"
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
