# test/pgcluster.sh - sourced by the test scripts that start a throwaway
# PostgreSQL cluster (test/cluster.sh, test/soak/run.sh, test/t/secrets.sh).
#
# The cluster runs as `postgres` when we are root (PostgreSQL refuses root),
# else as ourselves, in a directory private to that user, listening on a
# Unix socket in that directory only.  Needs PGBIN.

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

# pgc_start DIR PORT [SERVER OPTIONS]: initdb in DIR/data, start on PORT with
# the socket in DIR; on failure print the logs and return non-zero.  The
# supported configuration preloads secant_pre (its log-redaction hook is
# then active from the first statement); a -c shared_preload_libraries=...
# in SERVER OPTIONS comes later on the command line and replaces it.
pgc_start() {
	local dir=$1 port=$2 opts="-c shared_preload_libraries=secant_pre ${3:-}"
	$RUN_AS "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		-E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log"; return 1; }
	$RUN_AS "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-p $port -k $dir -c listen_addresses='' $opts" start >/dev/null ||
		{ cat "$dir/server.log"; return 1; }
}

# pgc_stop DIR: stop the cluster in DIR (if any) and remove DIR.
pgc_stop() {
	[ -n "$1" ] || return 0
	$RUN_AS "$PGBIN/pg_ctl" -D "$1/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$1"
}
