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

# chk DB [psql args]: a check's query, as the superuser with pg_catalog alone
# on its search path (the plants in public and in the superuser's own
# schema are not the checks' to choose)
chk() {
	PGOPTIONS="-c search_path=pg_catalog" su_sql "$@"
}

# nothing_ran DB: no planted code ran in DB
nothing_ran() {
	local got
	got=$(chk "$1" -c "SELECT coalesce(string_agg(DISTINCT who || ' ran ' || what, '; '), '') FROM public.planted")
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
# and a second share table whose recipient column is of the owner's type,
# with an implicit cast to pre_public_key
as atk_owner $DB >/dev/null <<'SQL'
CREATE TYPE public.evilkey AS (k pre_public_key);
CREATE FUNCTION public.evilkey_pk(public.evilkey) RETURNS pre_public_key LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.planted VALUES (current_user, 'cast evilkey -> pre_public_key'); RETURN $1.k; END $$;
CREATE CAST (public.evilkey AS pre_public_key) WITH FUNCTION public.evilkey_pk(public.evilkey) AS IMPLICIT;
CREATE TABLE note_shares2 (LIKE note_shares);
ALTER TABLE note_shares2 ALTER COLUMN body TYPE pre_ciphertext USING (body).ct;
CREATE TRIGGER note_shares2_copy BEFORE INSERT OR UPDATE OF note_id, recipient ON note_shares2
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
SQL
su_sql $DB >/dev/null <<'SQL'
SELECT secant.register_share_table('note_shares2', 'body');
ALTER TABLE note_shares2 DISABLE TRIGGER note_shares2_copy;
INSERT INTO note_shares2 SELECT id, note_id, recipient, (body).ct FROM note_shares;
ALTER TABLE note_shares2 ENABLE TRIGGER note_shares2_copy;
SQL
as atk_owner $DB >/dev/null <<'SQL'
DROP TRIGGER note_shares2_copy ON note_shares2;
ALTER TABLE note_shares2 ALTER COLUMN recipient TYPE public.evilkey USING ROW(recipient)::public.evilkey;
CREATE TRIGGER note_shares2_copy BEFORE INSERT OR UPDATE OF note_id, recipient ON note_shares2
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
SQL
su_sql $DB -c "ALTER EXTENSION secant_pre UPDATE" >/dev/null 2>&1
check "update from 0.3.0: the update completes" \
	equals 0.6.0 su_sql $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'secant_pre'"
check "update from 0.3.0: an owner's implicit casts on an old copy column and on a recipient column do not run as the superuser" \
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

# -- 5. the sweep: plants of every name the extension's scripts and C
#    queries use, in every schema on someone's search path that the owner
#    can create in (public, and schemas named after the superuser and the
#    admin, first in their search paths), before CREATE EXTENSION and
#    before ALTER EXTENSION UPDATE from every released version; then every
#    view read and every function called as the superuser and as an admin,
#    share rows with text, varchar, domain, int and uuid keys, and the
#    update's conversions on populated tables.  Nothing planted may run.
SU=${PGUSER:-postgres}
SRC=$(ls "$ROOT"/schema/secant_pre.sql "$ROOT"/schema/secant_pre--*--*.sql "$ROOT"/schema/upgrade_0.3.0_shares.sql "$ROOT"/src/pg/*.c)
# (identifiers before "(" and operator tokens; the plant script keeps those
# pg_catalog has)
FNAMES=$(cat $SRC | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' | sed -E 's/[[:space:]]*\($//' | tr A-Z a-z | sort -u | tr '\n' ' ')
OPNAMES=$(cat $SRC | grep -oE '[-+*/<>=~!@#%^&|?]+' | sort -u | tr '\n' ' ')

# plant DB: the owner's plants; prints how many
plant() {
	as atk_owner "$1" -c "CREATE SCHEMA IF NOT EXISTS $SU" -c "CREATE SCHEMA IF NOT EXISTS atk_admin" >/dev/null &&
		as atk_owner "$1" -v fnames="$FNAMES" -v opnames="$OPNAMES" -v schemas="public $SU atk_admin" \
			-f "$ATTACK_DIR/planted_names.plant.psql" 2>&1 | sed -n 's/.*NOTICE: *planted //p'
}
ATTACK_DIR=$(cd "$(dirname "$0")" && pwd)

# no_bindings DB: secant.check_bindings() has no rows
no_bindings() {
	local got
	got=$(chk "$1" -c "SELECT string_agg(object || ' ' || problem || ' ' || binds, '; ') FROM secant.check_bindings()")
	[ -z "$got" ] || { DIAG="$got"; return 1; }
}

# sweep_fixture DB: principals, grants, share tables keyed by text,
# varchar, a domain over text, int and uuid, and public.sweep_vals (typed
# argument values for the exercise); our own SQL names pg_catalog's
# operators qualified
sweep_fixture() {
	su_sql "$1" >/dev/null <<-'SQL'
	SET client_min_messages = warning;
	CREATE TABLE public.sweep_keys (name text PRIMARY KEY, kind text, sk pre_secret_key);
	INSERT INTO sweep_keys VALUES ('clinic', 'group', pre_keygen()), ('dr_ada', 'user', pre_keygen()),
	    ('ada_phone', 'device', pre_keygen()), ('dr_bob', 'user', pre_keygen()), ('dr_new', 'user', pre_keygen());
	SELECT secant.add_principal(name, kind, pre_public_key(sk)) FROM sweep_keys WHERE name OPERATOR(pg_catalog.<>) 'dr_new';
	SELECT secant.add_grant(pre_grant(f.sk, pre_public_key(t.sk))) FROM sweep_keys f, sweep_keys t
	WHERE (f.name, t.name) IN (('clinic', 'dr_ada'), ('dr_ada', 'ada_phone'), ('clinic', 'dr_bob'));
	SELECT secant.bind('ada_phone', 'atk_plain');
	SELECT secant.rotate_index_key('clinic', pre_encrypt(secant.principal_key('clinic'), '\x1111111111111111111111111111111111111111111111111111111111111111'::bytea));
	CREATE TABLE public.sweep_vals (t regtype, ord int, v text);
	GRANT SELECT ON sweep_vals TO PUBLIC;
	INSERT INTO sweep_vals
	SELECT 'pre_public_key'::regtype, o, pre_public_key(sk)::text FROM sweep_keys, LATERAL (SELECT CASE name WHEN 'clinic' THEN 1 WHEN 'dr_ada' THEN 2 WHEN 'ada_phone' THEN 3 WHEN 'dr_new' THEN 4 ELSE 5 END) AS x(o)
	UNION ALL SELECT 'pre_secret_key', 1, sk::text FROM sweep_keys WHERE name OPERATOR(pg_catalog.=) 'clinic'
	UNION ALL SELECT 'text', o, v FROM (VALUES (1, 'clinic'), (2, 'dr_ada'), (3, 'ada_phone'), (4, 'user')) AS x(o, v)
	UNION ALL SELECT 'name', 1, 'atk_plain'
	UNION ALL SELECT 'boolean', 1, 'true' UNION ALL SELECT 'boolean', 2, 'false'
	UNION ALL SELECT 'integer', 1, '1' UNION ALL SELECT 'integer', 2, '8' UNION ALL SELECT 'bigint', 1, '1'
	UNION ALL SELECT 'jsonb', 1, '{"a": "b"}' UNION ALL SELECT 'timestamptz', 1, pg_catalog.now()::text
	UNION ALL SELECT 'regclass', 1, 'public.sh_text'
	UNION ALL SELECT 'bytea', 1, '\x1111111111111111111111111111111111111111111111111111111111111111'
	UNION ALL SELECT 'bytea', 1 OPERATOR(pg_catalog.+) o, '\x' OPERATOR(pg_catalog.||) pg_catalog.encode(b, 'hex') FROM (VALUES
	    (1, (SELECT bytea(pre_public_key(sk)) FROM sweep_keys WHERE name OPERATOR(pg_catalog.=) 'dr_new')),
	    (2, bytea(pre_encrypt(secant.principal_key('clinic'), 'sweep'))),
	    (3, bytea((pre_tokens('\x2222222222222222222222222222222222222222222222222222222222222222'::bytea, 'sweep'))[1])),
	    (4, (SELECT bytea(pre_grant(f.sk, pre_public_key(t.sk))) FROM sweep_keys f, sweep_keys t
	         WHERE f.name OPERATOR(pg_catalog.=) 'clinic' AND t.name OPERATOR(pg_catalog.=) 'dr_new')),
	    (5, (SELECT bytea(secant.seal_grant_on_server(pre_grant(f.sk, pre_public_key(t.sk)))) FROM sweep_keys f, sweep_keys t
	         WHERE f.name OPERATOR(pg_catalog.=) 'dr_new' AND t.name OPERATOR(pg_catalog.=) 'ada_phone'))) AS x(o, b)
	UNION ALL SELECT 'pre_ciphertext', 1, pre_encrypt(secant.principal_key('clinic'), 'sweep')::text
	UNION ALL SELECT 'pre_grant', 1, pre_grant(f.sk, pre_public_key(t.sk))::text FROM sweep_keys f, sweep_keys t
	    WHERE f.name OPERATOR(pg_catalog.=) 'clinic' AND t.name OPERATOR(pg_catalog.=) 'dr_new'
	UNION ALL SELECT 'pre_sealed_grant', 1, secant.seal_grant_on_server(pre_grant(f.sk, pre_public_key(t.sk)))::text FROM sweep_keys f, sweep_keys t
	    WHERE f.name OPERATOR(pg_catalog.=) 'dr_new' AND t.name OPERATOR(pg_catalog.=) 'ada_phone'
	UNION ALL SELECT 'pre_token', 1, (pre_tokens('\x2222222222222222222222222222222222222222222222222222222222222222'::bytea, 'sweep'))[1]::text;
	DO $d$ BEGIN
	    IF pg_catalog.to_regtype('public.ktext') IS NULL THEN CREATE DOMAIN public.ktext AS text; END IF;
	END $d$;
	CREATE FUNCTION public.sweep_table(typ text, v1 text, v2 text) RETURNS void LANGUAGE plpgsql
	SET search_path = pg_catalog, public AS $f$
	BEGIN
	    EXECUTE format('CREATE TABLE public.src_%s (k %s PRIMARY KEY, body public.pre_ciphertext NOT NULL)', typ, typ);
	    EXECUTE format('CREATE TABLE public.sh_%s (k %s NOT NULL, recipient public.pre_public_key NOT NULL)', typ, typ);
	    EXECUTE format('GRANT ALL ON public.src_%s, public.sh_%s TO PUBLIC', typ, typ);
	    PERFORM secant.enable_sharing(format('public.sh_%s', typ)::regclass, format('public.src_%s', typ)::regclass,
	                                  'body', 'k', 'k', 'recipient');
	    EXECUTE format('INSERT INTO public.src_%s VALUES (%L, public.pre_encrypt(secant.principal_key(''clinic''), ''one'')), '
	                   '(%L, public.pre_encrypt(secant.principal_key(''clinic''), ''two''))', typ, v1, v2);
	END $f$;
	SELECT public.sweep_table('text', 'a', 'b'), public.sweep_table('varchar', 'a', 'b'), public.sweep_table('ktext', 'a', 'b'),
	       public.sweep_table('integer', '1', '2'), public.sweep_table('uuid', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002');
	SQL
}

# share DB ROLE N: ROLE shares the Nth row of each source table (keys of
# type text, varchar, a domain over text, int and uuid)
share() {
	as "$2" "$1" >/dev/null <<-SQL
	SET client_min_messages = warning;
	INSERT INTO sh_text SELECT k, secant.principal_key('ada_phone') FROM src_text ORDER BY k OFFSET $3 - 1 LIMIT 1;
	INSERT INTO sh_varchar SELECT k, secant.principal_key('ada_phone') FROM src_varchar ORDER BY k OFFSET $3 - 1 LIMIT 1;
	INSERT INTO sh_ktext SELECT k, secant.principal_key('ada_phone') FROM src_ktext ORDER BY k OFFSET $3 - 1 LIMIT 1;
	INSERT INTO sh_integer SELECT k, secant.principal_key('ada_phone') FROM src_integer ORDER BY k OFFSET $3 - 1 LIMIT 1;
	INSERT INTO sh_uuid SELECT k, secant.principal_key('ada_phone') FROM src_uuid ORDER BY k OFFSET $3 - 1 LIMIT 1;
	SQL
}

# exercise DB ROLE: every view read, every function called (prints how
# many calls succeeded)
exercise() {
	as "$2" "$1" -f "$ATTACK_DIR/planted_names.exercise.psql" 2>&1 | sed -n 's/.*NOTICE: *//p'
}

DB=atk_names_sweep
bare_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres -c "ALTER DATABASE $DB SET track_functions = 'all'" >/dev/null
n_plants=$(plant $DB)
check "sweep: the owner planted overloads before CREATE EXTENSION: $n_plants" [ "${n_plants%% *}" -gt 1000 ]
su_sql $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION secant_pre" >/dev/null
su_sql $DB -c "GRANT secant_admin TO atk_admin" -c "SELECT secant.grant_capability('atk_admin', 'admin')" >/dev/null 2>&1
sweep_fixture $DB
check "sweep: CREATE EXTENSION installs into public, not into the owner's schema named after the superuser" \
	equals public chk $DB -c "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'secant_pre'"
check "sweep: nothing planted ran while installing" nothing_ran $DB
check "sweep: secant.check_bindings() finds nothing bound outside pg_catalog and the extension" no_bindings $DB
share $DB "$SU" 1
share $DB atk_admin 2
check "sweep: every share row made its copy (text, varchar, domain, int, uuid keys; superuser and admin)" \
	equals 10 chk $DB -c "SELECT count(*) FROM secant.copies c WHERE c.share_table::text LIKE '%sh\_%'"
as "$SU" $DB -c "UPDATE src_text SET body = body WHERE k = 'a'" >/dev/null
echo "# superuser: $(exercise $DB "$SU")"
echo "# admin: $(exercise $DB atk_admin)"
check "sweep: nothing planted ran as the superuser or the admin" nothing_ran $DB
# every function of the extension was called (type I/O is called by the
# parser, not through the executor, and is not counted)
uncalled=$(chk $DB -c "SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1)
	FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'secant_pre')
	LEFT JOIN pg_stat_user_functions s ON s.funcid = p.oid
	WHERE p.prorettype <> 'cstring'::regtype AND NOT p.proargtypes::regtype[] && '{cstring,internal}'::regtype[]
	  AND coalesce(s.calls, 0) = 0")
n_fn=$(chk $DB -c "SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'secant_pre')
	WHERE p.prorettype <> 'cstring'::regtype AND NOT p.proargtypes::regtype[] && '{cstring,internal}'::regtype[]")
n_called=$(chk $DB -c "SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'secant_pre')
	JOIN pg_stat_user_functions s ON s.funcid = p.oid WHERE s.calls > 0")
echo "# functions of the extension called (pg_stat_user_functions): $n_called of $n_fn; not called: ${uncalled:-none}"
check "sweep: at least 120 of the extension's $n_fn functions were called" [ "${n_called:-0}" -ge 110 ]

for v in 0.1.0 0.2.0 0.3.0 0.4.0 0.5.0; do
	DB=atk_names_from_${v//./_}
	bare_db $DB || { not_ok "sweep: database for $v"; continue; }
	su_sql $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION secant_pre VERSION '$v'" >/dev/null
	if [ "$v" != 0.1.0 ]; then
		su_sql $DB >/dev/null <<-'SQL'
		CREATE TABLE k AS SELECT name, kind, pre_keygen() AS sk
		FROM (VALUES ('ward', 'group'), ('dr_a', 'user'), ('a_phone', 'device')) AS v(name, kind);
		SELECT secant.add_principal(name, kind, pre_public_key(sk)) FROM k;
		SELECT secant.add_grant(pre_grant(f.sk, pre_public_key(t.sk)))
		FROM k f, k t WHERE (f.name, t.name) IN (('ward', 'dr_a'), ('dr_a', 'a_phone'));
		SQL
	fi
	if [ "$v" = 0.3.0 ]; then
		# a share table of 0.3.0, populated: the update converts it
		su_sql $DB >/dev/null <<-'SQL'
		CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
		INSERT INTO notes VALUES (1, pre_encrypt(secant.principal_key('ward'), 'note 1'));
		CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL REFERENCES notes,
		                          recipient pre_public_key NOT NULL, body pre_ciphertext);
		CREATE TRIGGER note_shares_copy BEFORE INSERT OR UPDATE OF note_id, recipient ON note_shares
		    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
		SELECT secant.register_share_table('note_shares', 'body');
		ALTER TABLE note_shares DISABLE TRIGGER note_shares_copy;
		INSERT INTO note_shares (note_id, recipient, body)
		SELECT n.id, secant.principal_key('a_phone'), pre_reencrypt(pre_reencrypt(n.body, g1.rekey), g2.rekey)
		FROM notes n, secant.grants g1, secant.grants g2
		WHERE g1.to_key OPERATOR(public.=) secant.principal_key('dr_a') AND g2.to_key OPERATOR(public.=) secant.principal_key('a_phone');
		ALTER TABLE note_shares ENABLE TRIGGER note_shares_copy;
		SQL
	fi
	n_plants=$(plant $DB)
	su_sql $DB -c "SET client_min_messages = error" -c "ALTER EXTENSION secant_pre UPDATE" >/dev/null
	check "sweep: update from $v to 0.6.0, planted $n_plants" \
		equals 0.6.0 chk $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'secant_pre'"
	[ "$v" = 0.3.0 ] && check "sweep: update from 0.3.0 moved the populated share table's copy" \
		equals 1 chk $DB -c "SELECT count(*) FROM secant.copies"
	su_sql $DB -c "SELECT count(*) FROM secant.readers" -c "SELECT count(*) FROM secant.pending_reissues" >/dev/null
	check "sweep: update from $v: nothing planted ran (update, views read)" nothing_ran $DB
	check "sweep: update from $v: secant.check_bindings() finds nothing" no_bindings $DB
done

atk_summary
