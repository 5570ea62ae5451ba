#!/usr/bin/env bash
# test/attacks/owner_code.sh - no role gains another's rights through the
# extension: code that runs with the owner's rights cannot be steered by a
# plain login or by a database owner who is not superuser; copies live in
# the extension's storage; audit entries cannot be evaded or forged.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_owner_code
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
# atk_plain is the phones' app login here: bound to both (a binding gives
# no privilege on any table; it only lets it ask for what is addressed to them)
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_plain'), secant.bind('bob_phone', 'atk_plain')" >/dev/null

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

# -- the legitimate flow: a plain login that may read a note shares it; the
#    copy lives in secant.copies and decrypts on the phone
as atk_plain $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (2, secant.principal_key('ada_phone'))" >/dev/null
check "plain login: a share of a readable row stores a copy the phone decrypts" \
	equals "note 2" su_sql $DB -c "SELECT pre_decrypt_text(copy, fixture_sk('ada_phone')) FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row = '2'"
check "plain login: reads the copies of a share table it may read" \
	equals 1 as atk_plain $DB -c "SELECT count(*) FROM secant.copies WHERE source_row = '2'"
# (atk_other may insert share rows but read neither notes nor shares)
su_sql postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_other') THEN CREATE ROLE atk_other LOGIN; END IF; END \$\$" >/dev/null
su_sql $DB -c "REVOKE ALL ON notes, note_shares FROM PUBLIC" -c "GRANT SELECT ON notes, note_shares TO atk_plain" \
	-c "GRANT INSERT ON note_shares TO atk_plain, atk_other" >/dev/null
check "another plain login: sees no copy of a share table it may not read" \
	equals 0 as atk_other $DB -c "SELECT count(*) FROM secant.copies"

# -- a plain login's own tables with the sharing triggers touch only copies
#    filed under those tables
n_before=$(su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass")
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TEMP TABLE my_shares (note_id int, recipient pre_public_key);
CREATE TRIGGER s AFTER INSERT OR UPDATE OR DELETE ON my_shares
    FOR EACH ROW EXECUTE FUNCTION secant.share_copy('public.notes', 'body', 'id', 'note_id', 'recipient');
CREATE TRIGGER t AFTER TRUNCATE ON my_shares
    FOR EACH STATEMENT EXECUTE FUNCTION secant.share_copy('public.notes', 'body', 'id', 'note_id', 'recipient');
INSERT INTO my_shares VALUES (2, secant.principal_key('ada_phone'));
DELETE FROM my_shares;
INSERT INTO my_shares VALUES (2, secant.principal_key('ada_phone'));
TRUNCATE my_shares;
CREATE TEMP TABLE notes (id int, body pre_ciphertext);
CREATE TRIGGER u AFTER UPDATE OR DELETE ON notes FOR EACH ROW EXECUTE FUNCTION secant.share_source('id', 'body');
CREATE TRIGGER v AFTER TRUNCATE ON notes FOR EACH STATEMENT EXECUTE FUNCTION secant.share_source('id', 'body');
INSERT INTO notes VALUES (2, NULL);
DELETE FROM notes;
TRUNCATE notes;
SQL
check "plain login: its own share and source tables leave other tables' copies alone" \
	equals "$n_before" su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass"
check "plain login: cannot write secant.copies" fails atk_plain $DB \
	"DELETE FROM secant.copies" "permission denied"
check "plain login: cannot delete copies through hop keys" fails atk_plain $DB \
	"SELECT secant.delete_copies_through(ARRAY[hop_key]) FROM secant.grants" "permission denied"
check "plain login: cannot share a row it may not read" fails atk_other $DB \
	"INSERT INTO note_shares (note_id, recipient) VALUES (3, secant.principal_key('ada_phone'))" "permission denied"

# -- a database owner's overload that matches the share log's call exactly
as atk_owner $DB >/dev/null 2>&1 <<'SQL'
CREATE FUNCTION public.jsonb_build_object(text, text, text, text, text, text, text, text, text, text, text, text, text, integer)
RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER';
RETURN pg_catalog.jsonb_build_object($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14); END $$;
CREATE FUNCTION public.array_append(bigint[], bigint) RETURNS bigint[]
LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER'; RETURN pg_catalog.array_append($1, $2); END $$;
SQL
as atk_plain $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (4, secant.principal_key('bob_phone'))" >/dev/null 2>&1
check "database owner: overloads do not run as the owner when a plain login shares" not_super atk_owner

# -- every function of schema secant pins search_path to pg_catalog, pg_temp;
#    no SECURITY DEFINER function or owner-run trigger is executable by PUBLIC
check "every SQL function in secant runs with search_path pg_catalog, pg_temp" \
	equals 0 su_sql $DB -c "SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	  WHERE p.pronamespace = 'secant'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
	    AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)"
# (secant.grant_capability is, for the database owner's bootstrap: it
# checks the outer role itself, see admin_scope.sh; enable_sharing and
# disable_sharing check that the outer role owns the share table or is an
# admin, see surface.sh; secant.is_admin() takes no argument and says only
# whether the outer role is an admin here: the row security of
# secant.capabilities calls it, so it reads that table as the owner;
# threshold nodes (docs/THRESHOLD.md): secant.threshold_partials and
# secant.revoke_grant_share on a node, secant.reencrypt_threshold on a
# coordinator check the outer role themselves, first: bound or proxy,
# admin or proxy, bound to the target or proxy; test/threshold/run.sh)
check "no SECURITY DEFINER function of secant but grant_capability, is_admin, (dis|en)able_sharing and the threshold nodes' is executable by PUBLIC" \
	equals "secant.disable_sharing(regclass),secant.enable_sharing(regclass,regclass,name,name,name,name),secant.grant_capability(name,text),secant.is_admin(),secant.reencrypt_threshold(pre_ciphertext[],pre_public_key,boolean),secant.revoke_grant_share(bytea),secant.threshold_partials(bytea,pre_ciphertext[],bytea[])" \
	su_sql $DB -c "SELECT string_agg(p.oid::regprocedure::text, ',' ORDER BY p.oid::regprocedure::text) FROM pg_proc p
	  WHERE p.pronamespace = 'secant'::regnamespace AND p.prosecdef AND has_function_privilege('public', p.oid, 'EXECUTE')"
check "owner-run trigger functions are not executable by PUBLIC" \
	equals 0 su_sql $DB -c "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'secant'::regnamespace
	  AND p.prorettype = 'trigger'::regtype AND p.proname NOT IN ('share_copy', 'share_source')
	  AND has_function_privilege('public', p.oid, 'EXECUTE')"

# -- an admin cannot write audit entries of its choosing into the chain
check "admin: cannot insert into the audit log directly" fails atk_admin $DB \
	"INSERT INTO secant.audit_log VALUES (999, now(), 'postgres', 'forged', '{}', '\\x00', '\\x00')" "permission denied"
as atk_admin $DB -c "SELECT secant.audit('note', '{\"by\": \"admin\"}')" >/dev/null
check "admin: its own entries are chained (secant.audit), the chain verifies" \
	equals t su_sql $DB -c "SELECT secant.audit_verify() IS NULL AND (SELECT actor = 'atk_admin' FROM secant.audit_log ORDER BY seq DESC LIMIT 1)"

atk_summary
