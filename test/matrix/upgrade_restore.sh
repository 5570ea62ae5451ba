#!/usr/bin/env bash
# test/matrix/upgrade_restore.sh DIR PORT - the MAJOR side of
# test/matrix/upgrade.sh, inside the root: DIR holds upg.dump (pg_dump -Fc
# on 15) and server.key (the 15 cluster's); restored as
# docs/OPERATIONS.md says.  Prints one ok/not ok line per check.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
D=$1 P=$2
C=$(pgc_dir secant_pre_upgraded) || exit 1
trap 'pgc_stop "$C"' EXIT
pgc_init "$C" "$P" && cp "$D/server.key" "$C/server.key" && chown postgres "$C/server.key" && pgc_up "$C"
report "PostgreSQL $("$PG_CONFIG" --version | cut -d' ' -f2): a new cluster with the same server key file" $?
chmod 644 "$D/upg.dump"
pgc_psql "$C" "$P" -c "CREATE DATABASE upg" &&
	$RUN_AS env PGOPTIONS="-c session_replication_role=replica" "$PGBIN/pg_restore" -h "$C" -p "$P" \
		-U postgres -d upg "$D/upg.dump"
report "pg_restore with session_replication_role = replica" $?
q() { pgc_psql "$C" "$P" -d upg -At -c "$1" 2>&1; }
read_note="SELECT pre_decrypt_text(secant.reencrypt_for(body, secant.principal_key('ada')),
	(SELECT sk FROM k WHERE name = 'ada')) FROM notes"
check "the restored database is closed (a copy) until adopted" grep -q "is a copy of a secant_pre database" <<<"$(q "$read_note")"
check "secant.adopt_database(new_identity => false): the move, same identity" \
	eq "$(q "SELECT secant.adopt_database(new_identity => false) IS NOT NULL")" t
check "the grant made on 15 re-encrypts the value stored on 15" eq "$(q "$read_note")" "HbA1c 7.9 %"
check "the audit chain verifies" eq "$(q "SELECT secant.audit_verify() IS NULL")" t
check "the state agrees with the audit log" eq "$(q "SELECT count(*) FROM secant.audit_check()")" 0
