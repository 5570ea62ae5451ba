#!/usr/bin/env bash
# test/attacks/independent6_cursor_copies.sh - a copy made through a grant
# that has expired is unreadable to a statement that starts after the
# expiry, a FETCH from a cursor declared before it included.
#
# docs/SECURITY.md ("Finality"): expiry is judged at the start of the
# statement, or of the transaction when that is later, by secant.path, the
# hop chain check, kept paths "and the row-level security of
# secant.copies, which hides the copies made through an expired grant".
# The policy (copies_for_bound_roles) says so with
#     NOT hop_keys && ARRAY(SELECT g.hop_key FROM secant.grants g
#         WHERE g.not_after <= GREATEST(statement_timestamp(), transaction_timestamp()))
# an uncorrelated sub-select: PostgreSQL runs it once per execution of the
# query (an InitPlan), the first time a row is asked for.  A cursor (or a
# protocol-level portal fetched in batches: a driver's fetch size) runs one
# execution across many FETCH statements, so the set of expired hop keys
# is the one of its first FETCH.  A device's login declares a cursor over
# its copies while its enrolment is unexpired, fetches one row, and after
# the expiry FETCHes the rest: it reads copies made through the expired
# grant, in statements that start after the expiry, in which a new
# statement reads none (checked below) and a cursor of
# secant.reencrypt_for is refused at its next FETCH (checked below: each
# FETCH decides again).
#
# Role: a device's login (ada_tablet, enrolled by dr_ada until a few
# seconds from now).  Impact: an expiry does not cut a reader that holds a
# cursor (or portal) opened before it: it reads every copy made for it,
# however long after the expiry, until it ends its transaction.
#
# Outcome kept (the lead's decision, docs/SECURITY.md "Copies are data at
# rest"): a new statement and every FETCH of secant.reencrypt_for decide
# again and get nothing; the copies cursor reads on with its first
# FETCH's decision, as a cursor over any table does after a REVOKE SELECT.
# (Timing: the grant expires 15 s after it is made; the session fetches
# its first row at once and waits 16 s; a first FETCH that comes too late
# is reported as such.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk6_cursor
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk6_tablet') THEN CREATE ROLE atk6_tablet LOGIN; END IF;
END $$;
SQL
su_sql $DB >/dev/null <<'SQL'
INSERT INTO fixture_keys SELECT 'ada_tablet', 'device', pre_keygen();
SELECT secant.add_principal('ada_tablet', 'device', pre_public_key(fixture_sk('ada_tablet')));
SELECT secant.bind('ada_tablet', 'atk6_tablet');
SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_tablet'),
    pg_catalog.clock_timestamp() + interval '15 s'));
INSERT INTO note_shares (note_id, recipient)
SELECT i, secant.principal_key('ada_tablet') FROM generate_series(1, 3) i;
SQL

OUT=$(psql -X -q -At -U atk6_tablet -d $DB 2>&1 <<'SQL'
BEGIN;
DECLARE c CURSOR FOR SELECT 'copy ' || source_row FROM secant.copies
    WHERE recipient = secant.principal_key('ada_tablet') ORDER BY source_row;
DECLARE r CURSOR FOR SELECT 'reencrypted ' || n.id || ' at level ' || pre_level(secant.reencrypt_for(n.body, 'ada_tablet'))
    FROM notes n ORDER BY n.id;
FETCH 1 FROM c;
FETCH 1 FROM r;
SELECT 'waited' FROM pg_sleep(16);
SELECT 'new statement: ' || count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_tablet');
FETCH ALL FROM c;
SELECT 'fetched';
FETCH ALL FROM r;
COMMIT;
SQL
)
printf '%s\n' "$OUT" | sed 's/^/# /'
before=$(printf '%s\n' "$OUT" | sed -n '1,/^waited$/p')
after=$(printf '%s\n' "$OUT" | sed -n '/^waited$/,$p')
check "before the expiry: the first FETCH of each cursor is served (else the setup was too slow)" \
	equals "$(printf 'copy 1\nreencrypted 1 at level 3\nwaited')" printf '%s' "$before"
check "after the expiry: a new statement reads no copy (holds)" grep -qx 'new statement: 0' <<<"$after"
check "after the expiry: the cursor of reencrypt_for is refused at its next FETCH (holds)" \
	grep -q 'no active grant path' <<<"$after"
# What a cursor over secant.copies declared before the expiry reads after
# it: the rest of its rows. A cursor (or a portal fetched in batches) is one
# execution, with one snapshot and one decision of its row-level security,
# as a cursor over any table after a REVOKE SELECT goes on reading; a
# revocation's deleted copies stay visible to it as well (its snapshot).
# docs/SECURITY.md ("Copies are data at rest") documents it: to cut an open
# cursor, end the login's sessions (pg_terminate_backend).
check "after the expiry: the cursor over secant.copies declared before it reads on (documented: one execution, one snapshot)" \
	equals "$(printf 'copy 2\ncopy 3')" sed -n '/^new statement/,/^fetched$/{/^copy /p}' <<<"$after"

atk_summary
