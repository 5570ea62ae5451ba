#!/usr/bin/env bash
# test/attacks/surface_sweeps.sh - generic sweeps of the extension's
# surface, generated from the catalog, so that a new function is covered
# without editing this file (issue 29):
#   1. the functions a plain login can execute are the documented API (the
#      reference's function list), and every documented function exists;
#   2. no plain login can attach a trigger function of the extension, and
#      each, attached by the superuser to TEMP and permanent tables of many
#      column types with wrong argument lists and timings, gives an error or
#      nothing, never a backend crash;
#   3. every C function called with edge values of its argument types
#      (NULL, empty, large, extreme) gives an error or a value, never a
#      crash;
#   4. authority: the extension's tables carry its own triggers only, none
#      can be registered for sharing, owner-run code sits behind doors;
#   5. replication: every trigger left to fire at the origin only is in
#      docs/SECURITY.md's list, with why.
# A crash is "terminated by signal" in the server log ($SECANT_PRE_SERVER_LOG,
# set by test/cluster.sh) or a lost connection.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_surface_sweeps
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
SU=${PGUSER:-postgres}

# -- 1. the API
# The documented functions: every `name(` (or `name /`) in the first column
# of the function tables of docs/REFERENCE.md, else of the README's
# "### Functions" section.
doc_functions() {
	local src
	if [ -f "$ROOT/docs/REFERENCE.md" ]; then
		src=$(cat "$ROOT/docs/REFERENCE.md")
	else
		src=$(sed -n '/^### Functions/,/^### /p' "$ROOT/README.md")
	fi
	printf '%s\n' "$src" | grep '^| `' | cut -d'|' -f2 |
		grep -oE '(secant\.)?[a-z_][a-z0-9_]*( /|\()' | sed -E 's/( \/|\()$//' |
		sed -E 's/^([a-z])/public.\1/; s/^public\.secant\./secant./' | sed 's/^secant\.secant\./secant./' |
		sed -E 's/^public\.(secant)$/\1/' | sort -u
}
# The extension's functions that a plain login can call: USAGE on their
# schema and EXECUTE, not reached only as a type's, operator's or cast's
# support function.
callable_functions() {
	as atk_plain $DB <<-'SQL'
		SELECT DISTINCT p.pronamespace::regnamespace || '.' || p.proname
		FROM pg_proc p
		JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
		WHERE has_schema_privilege(p.pronamespace, 'USAGE')
		  AND has_function_privilege(p.oid, 'EXECUTE')
		  AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
		  AND NOT EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprcode = p.oid)
		  AND NOT EXISTS (SELECT 1 FROM pg_amproc a WHERE a.amproc = p.oid)
		  AND NOT EXISTS (SELECT 1 FROM pg_cast c WHERE c.castfunc = p.oid)
		ORDER BY 1
	SQL
}
all_functions() {
	su_sql $DB <<-'SQL'
		SELECT DISTINCT p.pronamespace::regnamespace || '.' || p.proname
		FROM pg_proc p
		JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
		ORDER BY 1
	SQL
}
doc_functions >"$ATK_TMP/documented"
callable_functions >"$ATK_TMP/callable"
all_functions >"$ATK_TMP/all"
undocumented=$(comm -23 "$ATK_TMP/callable" "$ATK_TMP/documented")
missing=$(comm -23 "$ATK_TMP/documented" "$ATK_TMP/all")
echo "# API: $(wc -l <"$ATK_TMP/documented") documented functions, $(wc -l <"$ATK_TMP/callable") callable by a plain login, $(wc -l <"$ATK_TMP/all") in the extension"
check "every function a plain login can call is documented" eq "$undocumented" ""
check "every documented function exists" eq "$missing" ""
check "the parsed list is the reference's, not empty" test "$(wc -l <"$ATK_TMP/documented")" -gt 20

# -- 2. trigger functions
su_sql $DB -f - >/dev/null <<'SQL'
CREATE DOMAIN d_int8 AS int8;
CREATE DOMAIN d_pk AS pre_public_key;
CREATE DOMAIN d_ct AS pre_ciphertext;
-- the column types and a value of each
CREATE TABLE sweep_types (typ text PRIMARY KEY, sample text NOT NULL);
INSERT INTO sweep_types VALUES
  ('int8', '1'), ('text', '''x'''), ('int8[]', 'ARRAY[1::int8]'),
  ('d_int8', '1'), ('d_pk', 'secant.principal_key(''clinic'')'), ('d_ct', '(SELECT body FROM notes LIMIT 1)'),
  ('pre_public_key', 'secant.principal_key(''clinic'')'), ('pre_public_key[]', 'ARRAY[secant.principal_key(''clinic'')]'),
  ('pre_ciphertext', '(SELECT body FROM notes LIMIT 1)'),
  ('pre_secret_key', 'pre_keygen()'), ('pre_grant', '(SELECT g FROM fixture_grants LIMIT 1)'),
  ('pre_token', 'pre_token(decode(repeat(''00'', 32), ''hex''), ''w'')'), ('pre_sealed_grant', '(SELECT sealed FROM secant.grants LIMIT 1)');
-- attach fn to tables (k T, v T) of every type, TEMP and permanent, with
-- each argument list and timing; then insert, update, delete, truncate
CREATE FUNCTION sweep_trigger(fn regproc) RETURNS integer LANGUAGE plpgsql AS $f$
DECLARE
    ty record;
    persist text;
    tbl text;
    args text;
    timing text;
    op text;
    n integer := 0;
BEGIN
    FOR ty IN SELECT * FROM sweep_types ORDER BY typ LOOP
        FOREACH persist IN ARRAY ARRAY['TEMP', ''] LOOP
            tbl := CASE persist WHEN 'TEMP' THEN 'pg_temp.' ELSE 'public.' END || 'sweep_t';
            EXECUTE format('DROP TABLE IF EXISTS %s', tbl);
            EXECUTE format('CREATE %s TABLE sweep_t (k %s, v %s)', persist, ty.typ, ty.typ);
            EXECUTE format('INSERT INTO %s VALUES (%s, %s), (NULL, NULL)', tbl, ty.sample, ty.sample);
            FOREACH args IN ARRAY ARRAY['', '''k'', ''v''', format('%L, ''v'', ''k'', ''k'', ''v''', tbl),
                                        format('%L, ''v'', ''k'', ''k'', ''v'', ''x''', tbl)] LOOP
                FOREACH timing IN ARRAY ARRAY['AFTER INSERT OR UPDATE OR DELETE %s FOR EACH ROW',
                                              'BEFORE INSERT OR UPDATE OR DELETE %s FOR EACH ROW',
                                              'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE %s FOR EACH STATEMENT'] LOOP
                    RAISE NOTICE 'sweep: % on % % (%) %', fn, persist, ty.typ, args, timing;
                    BEGIN
                        EXECUTE format('CREATE TRIGGER sweep ' || format(timing, 'ON ' || tbl) || ' EXECUTE FUNCTION %s(%s)', fn, args);
                    EXCEPTION WHEN OTHERS THEN
                        CONTINUE;
                    END;
                    FOREACH op IN ARRAY ARRAY[format('INSERT INTO %s VALUES (%s, %s), (NULL, NULL)', tbl, ty.sample, ty.sample),
                                              format('UPDATE %s SET k = k', tbl),
                                              format('UPDATE %s SET v = %s, k = NULL', tbl, ty.sample),
                                              format('DELETE FROM %s', tbl),
                                              format('TRUNCATE %s', tbl)] LOOP
                        BEGIN
                            EXECUTE op;
                            RAISE EXCEPTION USING ERRCODE = 'P0099';  -- keep the rows
                        EXCEPTION WHEN OTHERS THEN
                            n := n + 1;
                        END;
                    END LOOP;
                    EXECUTE format('DROP TRIGGER sweep ON %s', tbl);
                END LOOP;
            END LOOP;
            EXECUTE format('DROP TABLE %s', tbl);
        END LOOP;
    END LOOP;
    RETURN n;
END $f$;
SQL
# swept OUTPUT BEFORE N: no crash, and the sweep ran to its end
swept() {
	no_crash "$1" "$2" || return 1
	[ -n "$3" ] || { DIAG=$(printf '%s\n' "$1" | grep -v 'NOTICE' | tail -n 3); return 1; }
}
trigger_functions=$(su_sql $DB -c "
	SELECT p.oid::regproc FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
	WHERE p.prorettype = 'trigger'::regtype ORDER BY 1")
ntrig=0
nops=0
for f in $trigger_functions; do
	ntrig=$((ntrig + 1))
	check "plain login: cannot attach $f to its own TEMP table" fails atk_plain $DB \
		"CREATE TEMP TABLE t (k int8, v int8); CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION $f()" \
		"permission denied|does not exist"
	before=$(crash_count)
	out=$(su_sql $DB -c "SET client_min_messages = notice" -c "SELECT sweep_trigger('$f')" 2>&1)
	n=$(printf '%s\n' "$out" | grep -E '^[0-9]+$' | tail -n 1)
	nops=$((nops + ${n:-0}))
	check "superuser: $f on TEMP and permanent tables of $(su_sql $DB -c 'SELECT count(*) FROM sweep_types') types, wrong arguments and timings: no crash (${n:-no} statements)" \
		swept "$out" "$before" "$n"
done
echo "# trigger sweep: $ntrig trigger functions, $nops statements with a trigger attached"

# -- 3. C functions with edge values
su_sql $DB -f - >/dev/null <<'SQL'
CREATE TABLE sweep_edges (typ regtype, val text, ord int);
INSERT INTO sweep_edges VALUES
  ('bytea', '''\x''::bytea', 1), ('bytea', '''\x00''::bytea', 2), ('bytea', 'decode(repeat(''ff'', 32), ''hex'')', 3),
  ('bytea', 'decode(repeat(''ff'', 1048576), ''hex'')', 4),
  ('text', '''''', 1), ('text', '''x''', 2), ('text', 'repeat(''ab '', 100000)', 3), ('text', '''prepk_''', 4),
  ('cstring', '''''::cstring', 1), ('cstring', '''prepk_''::cstring', 2), ('cstring', 'repeat(''a'', 100000)::cstring', 3),
  ('integer', '0', 1), ('integer', '-1', 2), ('integer', '2147483647', 3), ('integer', '(-2147483648)::int', 4),
  ('bigint', '0', 1), ('bigint', '-1', 2), ('bigint', '9223372036854775807', 3),
  ('boolean', 'true', 1), ('boolean', 'false', 2),
  ('name', '''''::name', 1), ('name', 'repeat(''n'', 100)::name', 2),
  ('jsonb', '''{}''::jsonb', 1), ('jsonb', '''null''::jsonb', 2),
  ('timestamptz', '''infinity''::timestamptz', 1), ('timestamptz', '''-infinity''::timestamptz', 2), ('timestamptz', 'now()', 3),
  ('regclass', '''pg_class''::regclass', 1), ('regclass', '0::oid::regclass', 2),
  ('regtype', '''int8''::regtype', 1),
  ('bytea[]', '''{}''::bytea[]', 1), ('bytea[]', 'ARRAY[''\x''::bytea]', 2), ('bytea[]', 'ARRAY[NULL::bytea]', 3),
  ('bytea[]', 'array_fill(''\x00''::bytea, ARRAY[10000])', 4),
  ('text[]', '''{}''::text[]', 1), ('text[]', 'ARRAY[NULL::text]', 2),
  ('pre_public_key', 'secant.principal_key(''clinic'')', 1),
  ('pre_secret_key', 'pre_keygen()', 1),
  ('pre_ciphertext', '(SELECT body FROM notes LIMIT 1)', 1),
  ('pre_ciphertext', 'pre_encrypt(secant.principal_key(''clinic''), repeat(''x'', 1000000))', 2),
  ('pre_grant', '(SELECT g FROM fixture_grants LIMIT 1)', 1),
  ('pre_token', 'pre_token(decode(repeat(''00'', 32), ''hex''), ''w'')', 1),
  ('pre_sealed_grant', '(SELECT sealed FROM secant.grants LIMIT 1)', 1),
  ('pre_sealed_grant[]', '''{}''::pre_sealed_grant[]', 1), ('pre_sealed_grant[]', 'ARRAY[NULL::pre_sealed_grant]', 2),
  ('pre_sealed_grant[]', 'ARRAY(SELECT sealed FROM secant.grants)', 3),
  ('pre_public_key[]', '''{}''::pre_public_key[]', 1), ('pre_token[]', '''{}''::pre_token[]', 1);
-- fn with each argument in turn NULL and each edge value of its type, the
-- others their first edge value; and all NULL
CREATE FUNCTION sweep_c(fn regprocedure) RETURNS integer LANGUAGE plpgsql AS $f$
DECLARE
    types oid[] := (SELECT proargtypes::oid[] FROM pg_proc WHERE oid = fn);
    nargs int := coalesce(array_length(types, 1), 0);
    base text[];
    call text[];
    v text;
    i int;
    n int := 0;
BEGIN
    FOR i IN 1 .. nargs LOOP
        base[i] := coalesce((SELECT e.val FROM sweep_edges e WHERE e.typ = types[i] ORDER BY ord LIMIT 1),
                            format('NULL::%s', types[i]::regtype));
    END LOOP;
    FOR i IN 0 .. nargs LOOP
        FOR v IN SELECT e.val FROM sweep_edges e WHERE i > 0 AND e.typ = types[i]
                 UNION ALL SELECT format('NULL::%s', types[greatest(i, 1)]::regtype) WHERE nargs > 0 LOOP
            call := base;
            IF i = 0 THEN
                call := (SELECT array_agg(format('NULL::%s', t::regtype)) FROM unnest(types) t);
            ELSE
                call[i] := v;
            END IF;
            RAISE NOTICE 'sweep: %(%)', fn::regproc, array_to_string(call, ', ');
            BEGIN
                EXECUTE format('SELECT %s(%s)', fn::regproc, array_to_string(call, ', '));
                RAISE EXCEPTION USING ERRCODE = 'P0099';
            EXCEPTION WHEN OTHERS THEN
                n := n + 1;
            END;
            EXIT WHEN i = 0;
        END LOOP;
    END LOOP;
    IF nargs = 0 THEN
        BEGIN
            EXECUTE format('SELECT %s()', fn::regproc);
            RAISE EXCEPTION USING ERRCODE = 'P0099';
        EXCEPTION WHEN OTHERS THEN
            n := n + 1;
        END;
    END IF;
    RETURN n;
END $f$;
SQL
# every C function of the extension but triggers, event triggers and the
# functions that take internal (only PostgreSQL itself can call those)
c_functions=$(su_sql $DB -c "
	SELECT p.oid::regprocedure FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
	WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
	  AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
	  AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
	ORDER BY 1::text")
before=$(crash_count)
ncf=0
ncalls=0
crashed=""
while IFS= read -r f; do
	[ -n "$f" ] || continue
	ncf=$((ncf + 1))
	b=$(crash_count)
	out=$(su_sql $DB -c "SET client_min_messages = notice" -c "SELECT sweep_c('$f')" 2>&1)
	n=$(printf '%s\n' "$out" | grep -E '^[0-9]+$' | tail -n 1)
	ncalls=$((ncalls + ${n:-0}))
	if ! DIAG="" no_crash "$out" "$b"; then
		crashed="$crashed $f: $(printf '%s\n' "$out" | grep 'sweep:' | tail -n 1)"
	fi
done <<<"$c_functions"
echo "# C function sweep: $ncf functions, $ncalls calls"
check "every C function with NULL, empty, large and extreme arguments: no crash" eq "$crashed" ""
check "the sweep covered the C functions" test "$ncf" -gt 50

# -- 4. authority (docs/SECURITY.md, "Authority"), from the catalog
# no table of the extension carries a trigger but the extension's own: its
# function a member of the extension, or the internal trigger of a foreign
# key between two tables of the extension
foreign_triggers=$(su_sql $DB -c "
	SELECT string_agg(format('%s on %s', t.tgname, t.tgrelid::regclass), ', ' ORDER BY t.tgname)
	FROM pg_trigger t
	WHERE secant_internal.extension_table(t.tgrelid)
	  AND NOT (t.tgisinternal AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = t.tgconstraint
	           AND secant_internal.extension_table(k.conrelid) AND secant_internal.extension_table(k.confrelid)))
	  AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
	                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = t.tgfoid AND d.deptype = 'e'
	                    AND e.extname = 'secant_pre')")
check "every trigger on a table of the extension calls a function of the extension" eq "$foreign_triggers" ""
# an admin registers no table of the extension, as share table or as source
ext_tables=$(su_sql $DB -c "
	SELECT c.oid::regclass FROM pg_class c WHERE c.relkind IN ('r', 'p') AND secant_internal.extension_table(c.oid)
	ORDER BY 1::text")
registered=""
ntables=0
while IFS= read -r t; do
	[ -n "$t" ] || continue
	ntables=$((ntables + 1))
	for call in "'$t', 'notes', 'body', 'id', 'x', 'y'" "'note_shares', '$t', 'x', 'y', 'note_id', 'recipient'"; do
		out=$(as atk_admin $DB -c "SELECT secant.enable_sharing($call)" 2>&1)
		grep -q "never uses a table of the extension" <<<"$out" || registered="$registered [$call: $out]"
	done
done <<<"$ext_tables"
check "no table of the extension ($ntables) can be registered for sharing by an admin, either way" eq "$registered" ""
check "the sweep covered the extension's tables" test "$ntables" -gt 10
# every owner-run function that asks who asks is reachable through a door only
askers=$(su_sql $DB -c "
	SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
	FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
	WHERE p.prosecdef
	  AND p.prosrc ~ '(is_admin|require_admin|asking_user|owner_bootstraps|is_database_owner|require_sharing_rights)\('
	  AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
	              WHERE a.grantee <> p.proowner)")
check "no SECURITY DEFINER function of the extension that asks who asks is executable but by its owner (doors call them)" eq "$askers" ""
doors=$(su_sql $DB -c "
	SELECT count(*) FILTER (WHERE b.oid IS NOT NULL AND b.prosecdef AND b.proowner = p.proowner
	                          AND NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(b.proacl, acldefault('f', b.proowner))) a
	                                          WHERE a.grantee <> b.proowner)) || '/' || count(*)
	FROM pg_proc p
	LEFT JOIN pg_proc b ON b.proname = p.proname AND b.proargtypes = p.proargtypes
	 AND b.pronamespace = 'secant_internal'::regnamespace
	WHERE p.prosrc IN ('pre_door', 'pre_enable_sharing') AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')")
# every SECURITY DEFINER function of secant that anyone but its owner may run
# is a door (the rule of the schema's DO block; secant.enable_sharing a door
# that also shares the existing rows): 16 since the doors came, more with
# every such function added since
doors_ok() {
	local good=${doors%/*} all=${doors#*/}
	[ "$good" = "$all" ] && [ "$all" -ge 16 ] || { DIAG="doors with a sound body / all doors: $doors"; return 1; }
}
check "every door has its body in secant_internal, SECURITY DEFINER, executable by its owner only ($doors)" doors_ok
outer=$(su_sql $DB -c "
	SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text) FROM pg_proc p
	WHERE p.pronamespace IN ('secant'::regnamespace, 'secant_internal'::regnamespace)
	  AND p.prosrc ~* 'outer_user' AND p.oid <> 'secant.outer_user()'::regprocedure")
check "no function of the extension decides by the outer role" eq "$outer" ""
# the session role: recorded as the actor of audit entries and revocations
# (of grants and of threshold shares),
# and restoring() (a superuser's COPY skips the audit); a new use is reviewed
session=$(su_sql $DB -c "
	SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p
	WHERE p.pronamespace IN ('secant'::regnamespace, 'secant_internal'::regnamespace)
	  AND p.prosrc ~* '(session_user|GetSessionUserId)'")
check "the session role is used by the audit records and restoring() only" eq "$session" \
	"audit_log_chain,grant_removed,purge_expired,restoring,revoke_threshold,rotate_key,tshare_audit"

# -- 5. replication (docs/SECURITY.md, "Replication"), from the catalog
# A logical replication apply, and a restore under session_replication_role
# = replica, fire only ENABLE ALWAYS and ENABLE REPLICA triggers: every
# trigger on a table of the extension that is left ENABLE (origin only) is
# in the documented list, with why, and every listed one is such a trigger;
# none is disabled.
doc_origin_only() {
	sed -n '/^### Replication/,/^##* /p' "$ROOT/docs/SECURITY.md" | grep '^| `' |
		cut -d'|' -f2 | grep -oE '`[a-z_]+`' | tr -d '`' | sort -u
}
doc_origin_only >"$ATK_TMP/origin_doc"
# (the extension's tables, and the sharing triggers it installs on a
# registered share and source table: the fixture registers one)
ext_trigger="NOT t.tgisinternal AND (secant_internal.extension_table(t.tgrelid) OR EXISTS (
	SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
	WHERE d.classid = 'pg_proc'::regclass AND d.objid = t.tgfoid AND d.deptype = 'e'))"
su_sql $DB -c "
	SELECT t.tgname FROM pg_trigger t WHERE $ext_trigger AND t.tgenabled = 'O'
	ORDER BY 1" | sort -u >"$ATK_TMP/origin_catalog"
check "every ENABLE (origin only) trigger of the extension is in SECURITY.md's list" eq \
	"$(comm -13 "$ATK_TMP/origin_doc" "$ATK_TMP/origin_catalog" | paste -sd' ')" ""
check "every trigger of SECURITY.md's origin-only list is one" eq \
	"$(comm -23 "$ATK_TMP/origin_doc" "$ATK_TMP/origin_catalog" | paste -sd' ')" ""
check "the list is parsed, not empty" test "$(wc -l <"$ATK_TMP/origin_doc")" -gt 10
check "the sweep saw the sharing triggers of a registration" equals 1 \
	su_sql $DB -c "SELECT count(*) FROM pg_trigger t WHERE $ext_trigger AND t.tgname = 'secant_share_source_replica'"
check "no trigger of the extension is disabled" eq "$(su_sql $DB -c "
	SELECT string_agg(t.tgname, ' ') FROM pg_trigger t WHERE $ext_trigger AND t.tgenabled = 'D'")" ""

atk_summary
