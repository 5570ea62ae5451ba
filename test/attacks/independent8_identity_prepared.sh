#!/usr/bin/env bash
# test/attacks/independent8_identity_prepared.sh - the database identity a
# backend remembers (src/pg/server_key.c: known_id, known_table) is one
# that committed, also under two-phase commit.
#
# independent7_identity_rollback.sh made an abort forget it (known_xact on
# XACT_EVENT_ABORT, known_subxact on SUBXACT_EVENT_ABORT_SUB).  A prepared
# transaction ends otherwise: PREPARE TRANSACTION fires XACT_EVENT_PREPARE
# (not ABORT) in the backend, and ROLLBACK PREPARED, from that backend or
# any other, rolls the work back in a transaction of its own that commits:
# the backend keeps an identity whose row was rolled back.
#   1. first use: a plain login (PREPARE TRANSACTION needs no privilege)
#      makes the identity in a transaction it prepares, then rolls back
#      prepared: its backend keeps an identity that is not the database's
#      (presealkey_, grants sealed there open nowhere else; a pooled
#      backend serves every later client with it).
#   2. adoption: an admin of an unadopted copy runs secant.adopt_database()
#      in a prepared transaction rolled back: the backend takes the copy
#      for live (secant.require_live() true, secant.copies open to its
#      roles) while no adoption committed.
# Needs max_prepared_transactions > 0 (applications using XA, Java EE and
# .NET distributed transactions set it): this script starts its own
# cluster with it.
#
# Safe outcome: after ROLLBACK PREPARED the backend answers as a fresh one:
# the same presealkey_ as every other session; in a copy whose adoption
# was rolled back, secant.require_live() and secant.copies still raise.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_2PC_PORT:-55793}
DIR=$(pgc_dir secant_pre_atk2pc) || exit 1
pgc_start "$DIR" "$PORT" "max_prepared_transactions = 4" >/dev/null 2>&1 ||
	{ pgc_stop "$DIR"; not_ok "start a cluster with max_prepared_transactions"; echo "0 passed, 1 failed"; exit 1; }
export PGHOST=$DIR PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGOPTIONS
. "$(dirname "$0")/lib.sh"
trap 'atk_cleanup; pgc_stop "$DIR"; rm -rf "$ATK_TMP"' EXIT

# -- 1. a first use prepared, then rolled back
DB1=atk_ind8_2pcfirst
su_sql postgres -c "CREATE DATABASE $DB1 OWNER atk_owner" >/dev/null
ATK_DBS="$ATK_DBS $DB1"
su_sql $DB1 -c "CREATE EXTENSION secant_pre" >/dev/null
check "a fresh database: no identity yet" equals 0 su_sql $DB1 -c "SELECT count(*) FROM secant.database_identity"
P=$(as atk_plain $DB1 -c "BEGIN" -c "SELECT secant.server_public_key()" -c "PREPARE TRANSACTION 'atk8_first'" \
	-c "ROLLBACK PREPARED 'atk8_first'" -c "SELECT secant.server_public_key()" 2>&1)
K_KEPT=$(tail -n 1 <<<"$P")
# the prepared first use rolled back, the session's next call made the
# one identity (the prepared one forgotten at PREPARE TRANSACTION)
check "after the prepared first use rolled back, the database has one identity" \
	equals 1 su_sql $DB1 -c "SELECT count(*) FROM secant.database_identity"
K_DB=$(su_sql $DB1 -c "SELECT secant.server_public_key()")
K_AGAIN=$(as atk_plain $DB1 -c "BEGIN" -c "SELECT secant.server_public_key()" -c "PREPARE TRANSACTION 'atk8_first2'" \
	-c "ROLLBACK PREPARED 'atk8_first2'" -c "SELECT 1" -c "SELECT secant.server_public_key()" 2>&1 | tail -n 1)
check "control: a session that prepared nothing new gets the database's presealkey_" test "$K_AGAIN" = "$K_DB"
[ "$K_KEPT" = "$K_DB" ] || echo "  (the backend kept a rolled-back identity: $K_KEPT vs the database's $K_DB)" >&2
check "a session's presealkey_ after a first use prepared and rolled back is the database's" test "$K_KEPT" = "$K_DB"

# -- 2. an adoption prepared, then rolled back
A=atk_ind8_2pcorig
fresh_db $A || { echo "0 passed, 1 failed"; exit 1; }
su_sql $A -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone'))" >/dev/null
su_sql $A -c "SELECT secant.bind('ada_phone', 'atk_admin')" >/dev/null
B=atk_ind8_2pccopy
su_sql postgres -c "CREATE DATABASE $B TEMPLATE $A OWNER atk_owner" >/dev/null
ATK_DBS="$ATK_DBS $B"
check "control: the copy is closed" fails atk_admin $B "SELECT secant.require_live()" "adopt_database"
OUT=$(as atk_admin $B -v ON_ERROR_STOP=0 -c "BEGIN" -c "SELECT secant.adopt_database()" -c "PREPARE TRANSACTION 'atk8_adopt'" \
	-c "ROLLBACK PREPARED 'atk8_adopt'" -c "SELECT 'copies:' || count(*) FROM secant.copies" -c "SELECT 'live:' || secant.require_live()" 2>&1)
check "the adoption ran (4 re-sealed), was prepared, then rolled back" eq "$(head -n 1 <<<"$OUT")" 4
check "control: the copy is still closed in another session" fails atk_admin $B "SELECT secant.require_live()" "adopt_database"
check "after an adoption prepared and rolled back, require_live still raises in that session" eq "$(grep -c '^live:' <<<"$OUT")" 0
check "after an adoption prepared and rolled back, that session reads no stored copy" eq "$(grep -c '^copies:' <<<"$OUT")" 0

# -- 3. controls (held): the same adoption undone by ROLLBACK TO SAVEPOINT
# and by a PL/pgSQL exception block (subtransaction aborts)
OUT=$(as atk_admin $B -v ON_ERROR_STOP=0 -c "BEGIN" -c "SAVEPOINT s" -c "SELECT 'adopted:' || secant.adopt_database()" \
	-c "ROLLBACK TO SAVEPOINT s" -c "SELECT 'live:' || secant.require_live()" -c "COMMIT" 2>&1)
check "control: an adoption rolled back to a savepoint leaves require_live raising" \
	eq "$(grep -c '^adopted:4$' <<<"$OUT") $(grep -c '^live:' <<<"$OUT")" "1 0"
OUT=$(as atk_admin $B -v ON_ERROR_STOP=0 -c "DO \$\$ BEGIN PERFORM secant.adopt_database(); RAISE EXCEPTION 'undo'; EXCEPTION WHEN raise_exception THEN NULL; END \$\$" \
	-c "SELECT 'live:' || secant.require_live()" 2>&1)
check "control: an adoption undone by an exception block leaves require_live raising" eq "$(grep -c '^live:' <<<"$OUT")" 0

atk_summary
