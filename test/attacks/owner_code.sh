#!/usr/bin/env bash
# test/attacks/owner_code.sh - no role gains another's rights through the
# extension: code that runs with the owner's rights cannot be steered by a
# plain login or by a database owner who is not superuser; copies live in
# the extension's storage; audit entries cannot be evaded or forged.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_owner_code
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }

# -- a plain login's TEMP table with its own DELETE trigger, registered as
#    a share table, must never run as the owner when an admin revokes
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TEMP TABLE evil (id int, body pre_ciphertext, recipient pre_public_key, note_id int);
CREATE FUNCTION pg_temp.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'ALTER ROLE atk_plain SUPERUSER'; RETURN NULL; END $$;
CREATE TRIGGER evil_del BEFORE DELETE ON evil FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.escalate();
CREATE TRIGGER evil_copy BEFORE INSERT ON evil
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
SELECT secant.register_share_table('evil', 'body');
SELECT pg_sleep(3);
SQL
sleep 1 &
as atk_admin $DB -c "SELECT secant.revoke('dr_bob', 'bob_phone')" >/dev/null 2>&1
wait
check "plain login: a registered TEMP table's trigger does not run as the owner on revoke" not_super atk_plain
as atk_owner $DB >/dev/null 2>&1 <<'SQL'
CREATE TABLE public.evil (id int, body pre_ciphertext, recipient pre_public_key, note_id int);
CREATE FUNCTION public.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER'; RETURN NULL; END $$;
CREATE TRIGGER evil_del BEFORE DELETE ON public.evil FOR EACH STATEMENT EXECUTE FUNCTION public.escalate();
CREATE TRIGGER evil_copy BEFORE INSERT ON public.evil
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
SELECT secant.register_share_table('public.evil', 'body');
SQL
as atk_admin $DB -c "SELECT secant.revoke('dr_bob', 'bob_phone')" >/dev/null 2>&1
check "database owner: a registered table's trigger does not run as the owner on revoke" not_super atk_owner
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_bob'), secant.principal_key('bob_phone')))" >/dev/null

# -- a database owner's overloads in the extension's schema (public) are
#    never chosen by owner-run code
# (each overload does what the built-in does, so the statement succeeds
# and the escalation commits)
as atk_owner $DB >/dev/null 2>&1 <<'SQL'
CREATE FUNCTION public.jsonb_build_object(text, text, text, text, text, text) RETURNS jsonb
LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER';
RETURN pg_catalog.jsonb_build_object($1, $2, $3, $4, $5, $6); END $$;
CREATE FUNCTION public.array_position(pre_public_key[], pre_public_key) RETURNS int
LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER';
RETURN pg_catalog.array_position($1, $2); END $$;
CREATE FUNCTION public.cardinality(bytea[]) RETURNS int
LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER';
RETURN pg_catalog.cardinality($1); END $$;
CREATE FUNCTION public.array_agg(bytea) RETURNS bytea[]
LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER'; RETURN ARRAY[$1]; END $$;
SQL
as atk_admin $DB -c "SELECT secant.add_principal('dr_cy', 'user', pre_public_key(pre_keygen()))" >/dev/null 2>&1
check "database owner: an overload of jsonb_build_object does not run as the owner (audit)" not_super atk_owner
as atk_plain $DB -c "SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" >/dev/null 2>&1
check "database owner: an overload of array_position does not run as the owner (path lookup)" not_super atk_owner
as atk_admin $DB -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null 2>&1
check "database owner: overloads of format/cardinality do not run as the owner (revoke)" not_super atk_owner
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_phone')))" >/dev/null

# -- audit evasion: every change of principals and grants by a
#    non-superuser is logged, COPY included
n0=$(su_sql $DB -c "SELECT count(*) FROM secant.audit_log")
as atk_admin $DB -c "COPY secant.principals (name, kind, public_key) FROM STDIN" >/dev/null 2>&1 <<EOF2
dr_copy	user	$(su_sql $DB -c "SELECT pre_public_key(pre_keygen())")
\.
EOF2
n1=$(su_sql $DB -c "SELECT count(*) FROM secant.audit_log")
check "admin: COPY into secant.principals is audited" [ "$n1" -gt "$n0" ]
check "admin: the COPYed principal exists (the legitimate COPY works)" \
	equals 1 su_sql $DB -c "SELECT count(*) FROM secant.principals WHERE name = 'dr_copy'"
k=$(su_sql $DB -c "SELECT pre_public_key(pre_keygen())")
as atk_admin $DB -c "COPY secant.principals (name, kind, public_key) FROM STDIN; INSERT INTO secant.principals (name, kind, public_key) VALUES ('dr_multi', 'user', '$k')" >/dev/null 2>&1 </dev/null
check "admin: an INSERT after a COPY in one query string is audited" \
	equals 1 su_sql $DB -c "SELECT count(*) FROM secant.audit_log WHERE detail->>'name' = 'dr_multi'"

# -- audit forgery: a plain login cannot write audit entries through the
#    extension's trigger functions or log_share
before=$(su_sql $DB -c "SELECT count(*) FROM secant.audit_log")
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TEMP TABLE principals (id int, name text, kind text, public_key pre_public_key);
CREATE TRIGGER forge AFTER INSERT ON principals FOR EACH ROW EXECUTE FUNCTION secant.audit_change();
INSERT INTO principals VALUES (1, 'mallory', 'user', pre_public_key(pre_keygen()));
SQL
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TEMP TABLE index_keys (group_key pre_public_key, version int);
CREATE TRIGGER forge AFTER INSERT ON index_keys FOR EACH ROW EXECUTE FUNCTION secant.audit_index_key();
INSERT INTO index_keys VALUES (pre_public_key(pre_keygen()), 7);
SQL
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TEMP TABLE fake (id int, body pre_ciphertext, note_id int, recipient pre_public_key);
CREATE TRIGGER forge BEFORE INSERT ON fake
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
SELECT secant.log_share('fake', body) FROM notes WHERE id = 1;
SQL
after=$(su_sql $DB -c "SELECT count(*) FROM secant.audit_log")
check "plain login: no forged audit entries (trigger functions on own tables, log_share)" [ "$after" = "$before" ]
check "plain login: cannot read the audit head" fails atk_plain $DB "SELECT secant.audit_head()" "permission denied"
check "plain login: cannot count audit entries" fails atk_plain $DB "SELECT count(*) FROM secant.audit_log" "permission denied"

# -- registration hijack: nobody can re-point another owner's share table
#    so that revocation misses its copies
su_sql $DB >/dev/null 2>&1 <<'SQL'
INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('bob_phone'));
ALTER TABLE note_shares ADD COLUMN other pre_ciphertext;
SQL
x=$(su_sql $DB -c "SELECT hop_key FROM secant.grants WHERE from_key = secant.principal_key('clinic') AND to_key = secant.principal_key('dr_bob')")
as atk_plain $DB -c "SELECT secant.register_share_table('note_shares', 'other')" >/dev/null 2>&1
su_sql $DB -c "SELECT secant.revoke('clinic', 'dr_bob')" >/dev/null 2>&1
check "plain login: revocation still removes every copy made through the grant" \
	equals 0 su_sql $DB -c "SELECT fixture_copies_with('$x')"

atk_summary
