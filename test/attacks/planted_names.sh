#!/usr/bin/env bash
# test/attacks/planted_names.sh - no name the extension binds or runs can be
# planted by a non-superuser (issue 28).
#
# A database owner who is not superuser (atk_owner) creates functions,
# operators and casts in the schemas it can create in, before the
# superuser installs or updates the extension.  Each plant does what the
# pg_catalog original does (so nothing fails when it is chosen) and records
# current_user in the owner's table public.planted.  The extension must
# neither bind a plant (views, policies, defaults, checks, triggers) nor
# run one (functions, upgrade scripts, queries built in C): public.planted
# stays empty whoever reads.  The sweep below plants every name the
# extension's scripts and C queries use.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# bare_db NAME: a new database owned by atk_owner, without the extension,
# with the owner's log of planted code that ran
bare_db() {
	local db=$1
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	su_sql postgres -c "CREATE DATABASE $db OWNER atk_owner" >/dev/null || return 1
	ATK_DBS="$ATK_DBS $db"
	as atk_owner "$db" >/dev/null <<-'SQL'
		CREATE TABLE public.planted (who name, what text);
		GRANT INSERT ON public.planted TO PUBLIC;
	SQL
}

# clinic DB: the clinic fixture (CREATE EXTENSION when not there yet) and
# atk_admin as this database's admin
clinic() {
	su_sql "$1" -c "SET client_min_messages = warning" -f "$ROOT/test/fixtures/clinic.sql" >/dev/null || return 1
	su_sql "$1" -c "GRANT secant_admin TO atk_admin" >/dev/null 2>&1
	su_sql "$1" -c "SELECT secant.grant_capability('atk_admin', 'admin')" >/dev/null
}

# nothing_ran DB: no planted code ran in DB
nothing_ran() {
	local got
	got=$(su_sql "$1" -c "SELECT coalesce(string_agg(DISTINCT who || ' ran ' || what, '; '), '') FROM public.planted")
	[ -z "$got" ] || { DIAG="planted code ran: $got"; return 1; }
}

# -- 1. a view binds the operators and functions it names when it is
#    created: an owner's text[] || text, made before CREATE EXTENSION, in
#    secant.readers runs when a superuser or admin reads the view (the
#    branch of paths a rotation closed)
DB=atk_names_view
bare_db $DB || { echo "0 passed, 1 failed"; exit 1; }
as atk_owner $DB >/dev/null <<'SQL'
CREATE FUNCTION public.plant_cat(text[], text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted VALUES (current_user, '||(text[], text)'); RETURN pg_catalog.array_append($1, $2); END $$;
CREATE OPERATOR public.|| (LEFTARG = text[], RIGHTARG = text, FUNCTION = public.plant_cat);
SQL
clinic $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
INSERT INTO fixture_keys VALUES ('dr_ada_v2', 'user', pre_keygen());
SELECT count(*) FROM secant.rotate_user('dr_ada', pre_public_key(fixture_sk('dr_ada_v2')), ARRAY[]::pre_sealed_grant[]);
SQL
check "view: a rotation left a path pending re-issue (the view's second branch has rows)" \
	equals 1 su_sql $DB -c "SELECT count(*) FROM secant.readers WHERE pending_reissue"
as atk_admin $DB -c "SELECT count(*) FROM secant.readers" >/dev/null
check "view: an owner's ||(text[], text) made before CREATE EXTENSION does not run when a superuser or admin reads secant.readers" \
	nothing_ran $DB

# -- 2. an update re-creates a view: an owner's cardinality(pre_public_key[])
#    made before ALTER EXTENSION UPDATE from 0.4.0 runs on every read
DB=atk_names_update
bare_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB -c "CREATE EXTENSION secant_pre VERSION '0.4.0'" >/dev/null
as atk_owner $DB >/dev/null <<'SQL'
CREATE FUNCTION public.cardinality(pre_public_key[]) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted VALUES (current_user, 'cardinality(pre_public_key[])'); RETURN pg_catalog.cardinality($1); END $$;
SQL
su_sql $DB -c "ALTER EXTENSION secant_pre UPDATE" >/dev/null 2>&1
clinic $DB || { echo "0 passed, 1 failed"; exit 1; }
check "update from 0.4.0: the clinic's readers are listed" \
	equals 4 su_sql $DB -c "SELECT count(*) FROM secant.readers"
check "update from 0.4.0: an owner's cardinality(pre_public_key[]) is not bound into secant.readers" \
	nothing_ran $DB

# -- 3. upgrade code evaluates no expression over a user table as the
#    superuser: 0.3.0's share table whose copy column is of the owner's
#    type, with the owner's implicit cast to pre_ciphertext
DB=atk_names_convert
bare_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
CREATE EXTENSION secant_pre VERSION '0.3.0';
CREATE TABLE k AS SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('ward', 'group'), ('dr_a', 'user'), ('a_phone', 'device')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k;
SELECT count(secant.add_grant(pre_grant(f.sk, pre_public_key(t.sk))))
FROM k f, k t WHERE (f.name, t.name) IN (('ward', 'dr_a'), ('dr_a', 'a_phone'));
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO notes SELECT i, pre_encrypt(secant.principal_key('ward'), 'note ' || i) FROM generate_series(1, 3) i;
ALTER TABLE notes OWNER TO atk_owner;
SQL
as atk_owner $DB >/dev/null <<'SQL'
CREATE TYPE public.evil AS (ct pre_ciphertext);
CREATE FUNCTION public.evil_ct(public.evil) RETURNS pre_ciphertext LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted VALUES (current_user, 'cast evil -> pre_ciphertext'); RETURN $1.ct; END $$;
CREATE CAST (public.evil AS pre_ciphertext) WITH FUNCTION public.evil_ct(public.evil) AS IMPLICIT;
CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL REFERENCES notes,
                          recipient pre_public_key NOT NULL, body pre_ciphertext);
CREATE TRIGGER note_shares_copy BEFORE INSERT OR UPDATE OF note_id, recipient ON note_shares
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
SQL
su_sql $DB >/dev/null <<'SQL'
SELECT secant.register_share_table('note_shares', 'body');
ALTER TABLE note_shares DISABLE TRIGGER note_shares_copy;
INSERT INTO note_shares (note_id, recipient, body)
SELECT n.id, secant.principal_key('a_phone'), pre_reencrypt(pre_reencrypt(n.body, g1.rekey), g2.rekey)
FROM notes n, secant.grants g1, secant.grants g2
WHERE g1.to_key = secant.principal_key('dr_a') AND g2.to_key = secant.principal_key('a_phone');
ALTER TABLE note_shares ENABLE TRIGGER note_shares_copy;
SQL
# (registered, the owner changes the copy column's type to its own)
as atk_owner $DB -c "ALTER TABLE note_shares ALTER COLUMN body TYPE public.evil USING ROW(body)::public.evil" >/dev/null
su_sql $DB -c "ALTER EXTENSION secant_pre UPDATE" >/dev/null 2>&1
check "update from 0.3.0: the update completes" \
	equals 0.6.0 su_sql $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'secant_pre'"
check "update from 0.3.0: an owner's implicit cast on an old copy column does not run as the superuser" \
	nothing_ran $DB

# -- 4. queries built in C run with search_path pg_catalog, pg_temp and
#    compare a caller-typed key with its type's own equality: an owner's
#    =(varchar, varchar) in public (and in a schema named after the
#    superuser, first in its search path) never runs when the superuser
#    shares a row of a table keyed by varchar
DB=atk_names_c
bare_db $DB || { echo "0 passed, 1 failed"; exit 1; }
clinic $DB || { echo "0 passed, 1 failed"; exit 1; }
as atk_owner $DB >/dev/null <<'SQL'
CREATE FUNCTION public.plant_eq(varchar, varchar) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted VALUES (current_user, '=(varchar, varchar)'); RETURN $1::text OPERATOR(pg_catalog.=) $2::text; END $$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.plant_eq);
CREATE SCHEMA postgres;
CREATE OPERATOR postgres.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.plant_eq);
CREATE TABLE public.vnotes (k varchar PRIMARY KEY, body pre_ciphertext NOT NULL);
CREATE TABLE public.vshares (k varchar NOT NULL, recipient pre_public_key NOT NULL);
GRANT SELECT, INSERT ON public.vnotes, public.vshares TO PUBLIC;
SELECT secant.enable_sharing('public.vshares', 'public.vnotes', 'body', 'k', 'k', 'recipient');
SQL
su_sql $DB >/dev/null <<'SQL'
INSERT INTO vnotes VALUES ('a', pre_encrypt(secant.principal_key('clinic'), 'note a'));
INSERT INTO vshares VALUES ('a', secant.principal_key('ada_phone'));
SQL
check "C query: the share of a varchar-keyed row made its copy" \
	equals "note a" su_sql $DB -c "SELECT pre_decrypt_text(copy, fixture_sk('ada_phone')) FROM secant.copies WHERE share_table = 'vshares'::regclass"
check "C query: an owner's =(varchar, varchar) does not run when the superuser shares a row" \
	nothing_ran $DB

atk_summary
