#!/usr/bin/env bash
# test/attacks/independent7_identity_rollback.sh - the database identity a
# backend remembers (src/pg/server_key.c: known_id, known_table) is one
# that committed.
#
# database_id() keeps the identity it read in static memory for the rest
# of the backend, and secant.require_live() answers true at once when it
# has one.  But what it read may be a row that its own transaction wrote
# and then rolled back:
#   1. first use: the identity is made on first use (INSERT ... as the
#      owner) by whatever function needs it first, secant.server_public_key()
#      included (EXECUTE to PUBLIC).  A plain login runs it in a
#      transaction that it rolls back: the row is gone, but its backend
#      keeps the identity.  The next session makes another one.  The
#      backend hands out a presealkey_ for an identity that is not the
#      database's, and seals grants for it (secant.add_grant of a
#      pregrant_, grants_fill): stored, they open nowhere (the other
#      backends raise "sealed for another database").  A pooled backend
#      (pgbouncer) serves many clients: one rolled-back first use poisons
#      every client it serves later.
#   2. adoption: an admin of a copy not yet adopted tries
#      secant.adopt_database() and rolls it back (a dry run to see the
#      count, or a failure after the grants were re-sealed, e.g. a grant
#      share that does not open).  secant.reseal_adopted forgot the old
#      identity and sealing read the new one, which is kept: the backend
#      now takes the copy for live (secant.require_live() is true there,
#      so secant.copies opens to the roles of that backend), while every
#      other session still finds it closed.
#
# Roles: a plain login (1); an admin of the copy (2).  Impact: 1. grants
# sealed in a poisoned backend are unusable (a denial of service of
# enrolment that no error reveals when it happens); 2. the closed state
# of an unadopted copy, and its stored copies, open in one backend
# without an adoption having committed.
#
# Safe outcome: after a rollback the backend answers as a fresh one: the
# same presealkey_ as every other session, grants it seals open elsewhere,
# and secant.require_live() raises in a copy whose adoption rolled back.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# -- 1. a rolled-back first use
DB1=atk_ind7_idfirst
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB1" >/dev/null 2>&1
su_sql postgres -c "CREATE DATABASE $DB1 OWNER atk_owner" >/dev/null
ATK_DBS="$ATK_DBS $DB1"
su_sql $DB1 -c "CREATE EXTENSION secant_pre" >/dev/null
check "a fresh database: no identity yet" equals 0 su_sql $DB1 -c "SELECT count(*) FROM secant.database_identity"
P=$(as atk_plain $DB1 -c "BEGIN" -c "SELECT secant.server_public_key()" -c "ROLLBACK" \
	-c "SELECT secant.server_public_key()" 2>&1)
K_POISONED=$(tail -n 1 <<<"$P")
# the session's second call, after the ROLLBACK, made the one identity
# (the rolled-back one forgotten: it is not the second call's)
check "after the rolled-back first use, the session's next call made the database's one identity" \
	equals 1 su_sql $DB1 -c "SELECT count(*) FROM secant.database_identity"
K_DB=$(su_sql $DB1 -c "SELECT secant.server_public_key()")
check "a session's presealkey_ after a rolled-back first use is the database's" test "$K_POISONED" = "$K_DB"

DB2=atk_ind7_idseal
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1
su_sql postgres -c "CREATE DATABASE $DB2 OWNER atk_owner" >/dev/null
ATK_DBS="$ATK_DBS $DB2"
su_sql $DB2 >/dev/null <<-'SQL'
	CREATE EXTENSION secant_pre;
	CREATE TABLE k AS SELECT n AS name, pre_keygen() AS sk FROM (VALUES ('clinic'), ('dr_ada')) v(n);
	REVOKE ALL ON k FROM PUBLIC;
SQL
# one backend (a pooled one): a rolled-back first use, then an admin's
# enrolment in it
su_sql $DB2 -c "BEGIN" -c "SELECT secant.server_public_key()" -c "ROLLBACK" \
	-c "SELECT count(secant.add_principal(name, CASE name WHEN 'clinic' THEN 'group' ELSE 'user' END, pre_public_key(sk))) FROM k" \
	-c "SELECT secant.add_grant(pre_grant((SELECT sk FROM k WHERE name = 'clinic'), (SELECT pre_public_key(sk) FROM k WHERE name = 'dr_ada')))" >/dev/null 2>&1
check "the grant was stored" equals 1 su_sql $DB2 -c "SELECT count(*) FROM secant.grants"
check "a grant sealed in that backend opens in another session" equals 2 su_sql $DB2 -c \
	"SELECT pre_level(secant.reencrypt_for(pre_encrypt((SELECT pre_public_key(sk) FROM k WHERE name = 'clinic'), 'x'), (SELECT pre_public_key(sk) FROM k WHERE name = 'dr_ada')))"

# -- 2. a rolled-back adoption
A=atk_ind7_idorig
fresh_db $A || { echo "0 passed, 1 failed"; exit 1; }
# a stored copy for ada_phone, whose roles include the admin's login here
# (a small clinic: the admin reads her own phone's copies)
su_sql $A -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone'))" >/dev/null
su_sql $A -c "SELECT secant.bind('ada_phone', 'atk_admin')" >/dev/null
B=atk_ind7_idcopy
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $B" >/dev/null 2>&1
su_sql postgres -c "CREATE DATABASE $B TEMPLATE $A OWNER atk_owner" >/dev/null
ATK_DBS="$ATK_DBS $B"
check "control: the copy is closed" fails atk_admin $B "SELECT secant.require_live()" "adopt_database"
OUT=$(as atk_admin $B -c "BEGIN" -c "SELECT secant.adopt_database()" -c "ROLLBACK" \
	-c "SELECT count(*) FROM secant.copies" -c "SELECT secant.require_live()" 2>&1)
check "the adoption ran (4 re-sealed), then rolled back" eq "$(head -n 1 <<<"$OUT")" 4
check "after a rolled-back adoption the copy is still closed in that session" fails_text "$OUT" "adopt_database"
check "control: the copy is still closed in another session" fails atk_admin $B "SELECT secant.require_live()" "adopt_database"
check "control: its stored copies are closed in another session" fails atk_admin $B "SELECT count(*) FROM secant.copies" "adopt_database"

atk_summary
