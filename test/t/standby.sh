#!/usr/bin/env bash
# test/t/standby.sh - a standby is the database, not a copy (issue 30):
# a streaming standby made by pg_basebackup shares the primary's system
# identifier and database OIDs.  On the hot standby a re-encryption is
# refused with a clear error (25006: readers lock what they use so that a
# revocation waits for them; a standby cannot lock); promoted, it
# re-encrypts at once with no admin step, and a revocation made on the
# primary before the failover holds there.  Starts two throwaway clusters
# of its own (socket only).  Ends with "N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
[ -x "$PG_CONFIG" ] || PG_CONFIG=$(command -v pg_config)
PGBIN=$("$PG_CONFIG" --bindir)
export PATH="$PGBIN:$PATH"
. "$ROOT/test/tap.sh"
. "$ROOT/test/pgcluster.sh"

P=$(pgc_dir secant_standby_p) || exit 1
S=$(pgc_dir secant_standby_s) || exit 1
PP=${SECANT_PRE_STANDBY_PORT:-55491}
SP=$((PP + 1))
trap 'pgc_stop "$S"; pgc_stop "$P"' EXIT
trap 'exit 130' INT TERM
unset PGHOST PGPORT PGDATABASE
export PGUSER=postgres
on() { local dir=$1 port=$2; shift 2; psql -X -q -At -h "$dir" -p "$port" -d clinic "$@"; }

pgc_start "$P" "$PP" "wal_level = replica" || { echo "0 passed, 1 failed"; exit 1; }
psql -X -q -h "$P" -p "$PP" -d postgres -c "CREATE DATABASE clinic" >/dev/null
on "$P" "$PP" -v ON_ERROR_STOP=1 -f "$ROOT/test/fixtures/clinic.sql" >/dev/null
read_sql="SELECT pre_decrypt_text(secant.reencrypt_for(body, secant.principal_key('bob_phone')), fixture_sk('bob_phone')) FROM notes WHERE id = 1"
check "primary: re-encrypts" [ "$(on "$P" "$PP" -c "$read_sql")" = "note 1" ]

# the standby: a base backup streaming from the primary, with the same
# server key file (kept outside the data directory, copied like it)
$RUN_AS "$PGBIN/pg_basebackup" -h "$P" -p "$PP" -U postgres -D "$S/data" -R -X stream >/dev/null 2>&1
check "pg_basebackup of the primary" [ -f "$S/data/standby.signal" ]
cp "$P/server.key" "$S/server.key" && [ "$(id -u)" -eq 0 ] && chown postgres "$S/server.key"
chmod 600 "$S/server.key"
{
	echo "port = $SP"
	echo "unix_socket_directories = '$S'"
	echo "secant_pre.server_key_file = '$S/server.key'"
	echo "hot_standby = on"
} | $RUN_AS tee -a "$S/data/postgresql.conf" >/dev/null
check "standby starts" pgc_up "$S"
# a revocation on the primary, replayed on the standby
on "$P" "$PP" -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null
lsn=$(on "$P" "$PP" -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 100); do
	[ "$(on "$S" "$SP" -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break
	sleep 0.1
done
check "standby: in recovery, the revocation replayed" [ "$(on "$S" "$SP" -c "SELECT pg_is_in_recovery(), count(*) FROM secant.revoked_grants")" = "t|1" ]
out=$(on "$S" "$SP" -c "$read_sql" 2>&1)
check "standby: re-encryption refused with a clear error" grep -q "does not re-encrypt on a standby" <<<"$out"
out=$(on "$S" "$SP" -v VERBOSITY=verbose -c "$read_sql" 2>&1)
check "standby: SQLSTATE 25006" grep -q "25006" <<<"$out"
check "standby: the primary still re-encrypts" [ "$(on "$P" "$PP" -c "$read_sql")" = "note 1" ]

# the identity's claim (a database setting in the shared catalog) is
# replicated with the rest: the promoted standby claims what the primary did
claim_sql="SELECT c FROM pg_db_role_setting s, unnest(s.setconfig) c WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = 'clinic') AND c LIKE 'secant_pre.identity_claim=%'"
claim=$(on "$P" "$PP" -c "$claim_sql")

# failover: the primary goes, the standby is promoted
pgc_halt "$P"
check "standby promoted" pgc_promote "$S"
check "promoted: re-encrypts with no admin step" [ "$(on "$S" "$SP" -c "$read_sql")" = "note 1" ]
out=$(on "$S" "$SP" -c "SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" 2>&1)
check "promoted: the phone revoked before the failover gets nothing" grep -q "no active grant path\|no path" <<<"$out"
check "promoted: the primary's identity claim, for the same database" \
	eval '[ -n "$claim" ] && [ "$(on "$S" "$SP" -c "$claim_sql")" = "$claim" ]'
check "promoted: no adoption was needed (none in the audit log)" [ "$(on "$S" "$SP" -c "SELECT count(*) FROM secant.audit_log WHERE action = 'adopt database'")" = 0 ]
tap_summary
