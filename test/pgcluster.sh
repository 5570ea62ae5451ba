# shellcheck shell=bash
# test/pgcluster.sh - sourced through test/prologue.sh by the test scripts,
# for those that start a throwaway PostgreSQL cluster (test/cluster.sh,
# test/soak/run.sh, test/t/*.sh, test/scaleout/lib.sh).
#
# The cluster runs as `postgres` when we are root (PostgreSQL refuses root),
# else as ourselves, in a directory private to that user, listening on a
# Unix socket in that directory only.  Needs PGBIN.
#
#   pgc_dir PREFIX              a new private directory (printed)
#   pgc_start DIR PORT [SET...] pgc_init, then pgc_up
#   pgc_init DIR PORT [SET...]  initdb in DIR/data; postgresql.conf gets the
#                               socket-only settings and each SET line
#   pgc_up DIR                  start (again) the cluster in DIR
#   pgc_halt DIR                fast shutdown; DIR stays for pgc_up
#   pgc_stop DIR                immediate shutdown, then DIR is removed
#   pgc_psql DIR PORT [ARGS]    psql as postgres, no psqlrc, stop on error
#   pgc_logical PREFIX PORT     an attack script's own cluster, logical
#                               replication on (C, PGHOST, PGPORT)

if [ "$(id -u)" -eq 0 ]; then
	RUN_AS="runuser -u postgres --"
	id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
else
	RUN_AS=""
fi

# pgc_dir PREFIX: print a new private directory for a cluster.
pgc_dir() {
	local dir
	dir=$(mktemp -d "/tmp/$1.XXXXXX") || return 1
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	chmod 700 "$dir"
	echo "$dir"
}

# pgc_init DIR PORT [SETTING...]: initdb in DIR/data.  Its postgresql.conf
# says: no TCP, the socket in DIR, PORT, secant_pre preloaded, then each SETTING ("name = value",
# one per argument), so that pgc_up needs no options, also after pgc_halt.
# On failure print initdb's log and return non-zero.
pgc_init() {
	local dir=$1 port=$2
	shift 2
	pgc_server_key "$dir/server.key" || return 1
	$RUN_AS "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
		-E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	{
		echo "listen_addresses = ''"
		echo "port = $port"
		echo "unix_socket_directories = '$dir'"
		# the supported configuration: secant_pre preloaded, so that its
		# log-redaction hook is active from the first statement; a SETTING
		# shared_preload_libraries = ... comes later and replaces it
		echo "shared_preload_libraries = 'secant_pre'"
		# the server key that grants are sealed to: outside the data
		# directory (base backups copy that), the server's user only
		echo "secant_pre.server_key_file = '$dir/server.key'"
		if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi
	} | $RUN_AS tee -a "$dir/data/postgresql.conf" >/dev/null
}

# pgc_server_key FILE: a new server key (64 hexadecimal characters) in FILE,
# readable by the cluster's OS user only.
pgc_server_key() {
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$1") || return 1
	[ "$(id -u)" -eq 0 ] && chown postgres "$1"
	chmod 600 "$1"
}

# pgc_up DIR: start the cluster in DIR and wait until it accepts
# connections; on failure print the server log and return non-zero.
pgc_up() {
	$RUN_AS "$PGBIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w start >/dev/null ||
		{ cat "$1/server.log" >&2; return 1; }
}

# pgc_start DIR PORT [SETTING...]: a new cluster in DIR, running on PORT.
pgc_start() {
	pgc_init "$@" && pgc_up "$1"
}

# pgc_halt DIR: fast shutdown of the cluster in DIR, which stays for pgc_up.
pgc_halt() {
	$RUN_AS "$PGBIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1
}

# pgc_promote DIR: promote the standby in DIR and wait until it is primary.
pgc_promote() {
	$RUN_AS "$PGBIN/pg_ctl" -D "$1/data" promote -w >/dev/null
}

# pgc_stop DIR: stop the cluster in DIR (if any) and remove DIR.
pgc_stop() {
	[ -n "$1" ] || return 0
	$RUN_AS "$PGBIN/pg_ctl" -D "$1/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$1"
}

# pgc_psql DIR PORT [psql args]: psql on the cluster in DIR as postgres to
# database postgres (a -d in ARGS overrides it); quiet, no psqlrc, stops on
# the first error.
pgc_psql() {
	local dir=$1 port=$2
	shift 2
	$RUN_AS "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
		-U postgres -d postgres "$@"
}

# pgc_logical PREFIX PORT: for an attack script with a cluster of its own
# (test/attacks/*replica*.sh): a throwaway cluster with logical
# replication on PORT, its directory in C, its connection exported (the
# server log of make test's cluster unset); test/attacks/lib.sh's exit
# trap stops it.  Prints "0 passed, 1 failed" and exits if it does not
# start.
pgc_logical() {
	C=$(pgc_dir "$1") || { echo "0 passed, 1 failed"; exit 1; }
	pgc_start "$C" "$2" "wal_level = logical" "max_replication_slots = 4" \
		"max_wal_senders = 4" "max_logical_replication_workers = 4" ||
		{ pgc_stop "$C"; echo "0 passed, 1 failed"; exit 1; }
	export PGHOST="$C" PGPORT="$2" PGUSER=postgres PGDATABASE=postgres
	unset SECANT_PRE_SERVER_LOG
	ATK_OWN_CLUSTER=$C
}
