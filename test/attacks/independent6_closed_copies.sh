#!/usr/bin/env bash
# test/attacks/independent6_closed_copies.sh - a copy of a database that no
# admin has adopted gives nothing: not the stored copies of secant.copies
# either.
#
# docs/ARCHITECTURE.md, threat model: "a copy of the database (TEMPLATE,
# restore beside the original) | the original's rows, bindings, sealed
# grants | nothing until an admin adopts it | re-encryptions for anyone
# revoked in the original".  test/attacks/copy.sh checks that the copy
# starts closed: no grant opens there, secant.reencrypt_for and sharing are
# refused naming secant.adopt_database().  But the copies that sharing
# stored in the original come along (secant.copies, which pg_dump dumps
# too: pg_extension_config_dump), and their row-level security
# (copies_for_bound_roles) asks only for a binding of the reader and an
# unexpired grant: not whether the database is live.
#
# Roles: a device's login (cluster-wide, so it may CONNECT to the copy:
# PUBLIC has CONNECT on a new database), revoked in the original after the
# copy was made; whoever made the copy (a superuser, a restore, or a
# database owner with CREATEDB: the owner of a database may clone it).
# Steps: notes 1 and 2 are shared with ada_phone in A (copies made); A is
# copied (CREATE DATABASE ... TEMPLATE); the admin revokes ada_phone's
# enrolment in A (its copies there are deleted); the device's login
# connects to the copy and reads its copies there, closed as it is.
# Impact: a revoked device reads (and decrypts: level 3, to its own key)
# every copy ever made for it before the copy was taken, including those
# it never fetched, in a database whose re-encryptions are refused as
# "closed until an admin adopts it".
#
# Safe outcome: in the unadopted copy the device's login reads no copy (as
# it reads no re-encryption there); in A it reads none after the
# revocation (checked below: that holds).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
A=atk6_closed_orig
C=atk6_closed_copy
fresh_db $A || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk6c_phone') THEN CREATE ROLE atk6c_phone LOGIN; END IF;
END $$;
SQL
su_sql $A >/dev/null <<'SQL'
SELECT secant.bind('ada_phone', 'atk6c_phone');
INSERT INTO note_shares (note_id, recipient)
VALUES (1, secant.principal_key('ada_phone')), (2, secant.principal_key('ada_phone'));
SQL
COPIES="SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone')"
check "A: the device's login reads its two copies" equals 2 as atk6c_phone $A -c "$COPIES"

# the copy, made while the phone is still enrolled; then the revocation in A
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $C" >/dev/null 2>&1
check "a copy of A (CREATE DATABASE ... TEMPLATE)" su_sql postgres -c "CREATE DATABASE $C TEMPLATE $A OWNER atk_owner"
ATK_DBS="$ATK_DBS $C"
su_sql $A -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null
check "A: the revoked device's login reads no copy" equals 0 as atk6c_phone $A -c "$COPIES"

closed="copy of a secant_pre database|adopt_database"
check "copy: a re-encryption for the revoked device is refused (closed)" fails atk6c_phone $C \
	"SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 1" "$closed"
# the safe outcome: its read of secant.copies is refused as a re-encryption
# is (secant.require_live() in the copies' row-level security), naming the
# remedy
check "copy: the revoked device's login reads no stored copy either (closed, refused)" \
	fails atk6c_phone $C "$COPIES" "$closed"
check "copy: nor any other login" fails atk_plain $C \
	"SELECT count(*) FROM secant.copies" "$closed|permission denied"
# the owner (bypassing row-level security) still reads the table: the
# copy's data is there, only closed to readers
check "copy: the superuser still sees the two stored copies" equals 2 su_sql $C -c "$COPIES"
# adopted, the copy is live and the revoked device (revoked in A only)
# reads there what the copy holds for it: an admin reviews before adopting
# (docs/OPERATIONS.md)
as atk_admin $C -c "SELECT secant.adopt_database()" >/dev/null
check "copy, adopted: readable again (reviewed by its admin, as OPERATIONS.md says)" equals 2 \
	as atk6c_phone $C -c "$COPIES"

atk_summary
