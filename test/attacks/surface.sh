#!/usr/bin/env bash
# test/attacks/surface.sh - a plain login (CONNECT, TEMP) against the
# sharing triggers (issue 29): it cannot crash the cluster, cannot make a
# revocation wait, cannot leave copies behind; sharing works only on
# registered, permanent tables, and dropping or unregistering a table
# removes its copies.  (The generic sweeps are in surface_sweeps.sh.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_surface
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
# the schema of the sharing triggers (secant_internal; secant before 0.6.0)
TS=$(su_sql $DB -c "SELECT pronamespace::regnamespace FROM pg_proc WHERE proname = 'share_copy'")

# as_plain_may_fail: the SQL on stdin as atk_plain, going on after errors
as_plain_may_fail() {
	psql -X -q -At -U atk_plain -d $DB -v ON_ERROR_STOP=0 || true
}
# su_expect_error PATTERN: the SQL on stdin as the superuser fails with an
# error matching PATTERN
su_expect_error() {
	local out
	out=$(su_sql $DB 2>&1) && { echo "  unexpectedly succeeded" >&2; return 1; }
	printf '%s\n' "$out"
	grep -Eq "$1" <<<"$out" || { echo "  wrong error: $out" >&2; return 1; }
}

# -- the crash: a column of the wrong type read as a pointer
check "plain login: attaching a sharing trigger to its TEMP table is refused" crash_free \
	as_plain_may_fail <<SQL
CREATE TEMP TABLE s (r int, rec bigint);
CREATE TRIGGER x AFTER INSERT OR UPDATE OR DELETE ON s FOR EACH ROW
    EXECUTE FUNCTION $TS.share_copy('nosuch', 'a', 'b', 'r', 'rec');
CREATE TRIGGER x AFTER INSERT OR UPDATE OR DELETE ON s FOR EACH ROW
    EXECUTE FUNCTION secant.share_copy('nosuch', 'a', 'b', 'r', 'rec');
ALTER TABLE s DISABLE TRIGGER x;
INSERT INTO s VALUES (1, 12345);
ALTER TABLE s ENABLE TRIGGER x;
DELETE FROM s;
SQL
check "plain login: no sharing trigger of the extension on any of its tables" \
	equals 0 su_sql $DB -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	  WHERE pg_get_userbyid(c.relowner) = 'atk_plain'"
check "superuser: share_copy on a TEMP table with a bigint recipient: an error, no crash" crash_free \
	su_expect_error "refused|registered|TEMP|type" <<SQL
CREATE TEMP TABLE s (r int, rec bigint);
CREATE TRIGGER x AFTER INSERT OR UPDATE OR DELETE ON s FOR EACH ROW
    EXECUTE FUNCTION $TS.share_copy('nosuch', 'a', 'b', 'r', 'rec');
ALTER TABLE s DISABLE TRIGGER x;
INSERT INTO s VALUES (1, 12345);
ALTER TABLE s ENABLE TRIGGER x;
DELETE FROM s;
SQL
check "superuser: share_source on an unregistered table with a bigint value column: an error, no crash" crash_free \
	su_expect_error "refused|registered|type" <<SQL
CREATE TABLE src_bigint (id int, v bigint);
INSERT INTO src_bigint VALUES (1, 12345);
CREATE TRIGGER x AFTER UPDATE OR DELETE ON src_bigint FOR EACH ROW
    EXECUTE FUNCTION $TS.share_source();
UPDATE src_bigint SET v = 54321;
SQL

# -- a registered table whose column types changed afterwards: the
#    triggers re-check them before reading a value
su_sql $DB >/dev/null <<'SQL'
CREATE TABLE reg_src (id int PRIMARY KEY, body pre_ciphertext);
INSERT INTO reg_src SELECT id, body FROM notes;
CREATE TABLE reg_shares (note_id int, recipient pre_public_key);
SELECT secant.enable_sharing('reg_shares', 'reg_src', 'body', 'id', 'note_id', 'recipient');
DROP TRIGGER secant_share ON reg_shares;
ALTER TABLE reg_shares ALTER COLUMN recipient TYPE bigint USING 12345;
INSERT INTO reg_shares VALUES (1, 12345);
CREATE TRIGGER secant_share AFTER INSERT OR DELETE ON reg_shares FOR EACH ROW
    EXECUTE FUNCTION secant_internal.share_copy('public.reg_src', 'body', 'id', 'note_id', 'recipient');
DROP TRIGGER secant_share_source ON reg_src;
ALTER TABLE reg_src ALTER COLUMN body TYPE bigint USING 12345;
CREATE TRIGGER secant_share_source AFTER UPDATE OR DELETE ON reg_src FOR EACH ROW
    EXECUTE FUNCTION secant_internal.share_source();
SQL
check "a registered share table's recipient turned bigint: an error, no crash" crash_free \
	su_expect_error "is of type bigint" <<<"DELETE FROM reg_shares"
check "a registered source table's value turned bigint: an error, no crash" crash_free \
	su_expect_error "is of type bigint" <<<"UPDATE reg_src SET body = 54321"

# -- sharing only on registered, permanent tables
su_sql $DB >/dev/null <<SQL
CREATE TABLE other_shares (note_id int, recipient pre_public_key);
CREATE TRIGGER x AFTER INSERT ON other_shares FOR EACH ROW
    EXECUTE FUNCTION $TS.share_copy('public.notes', 'body', 'id', 'note_id', 'recipient');
CREATE TABLE wrong_args_shares (note_id int, recipient pre_public_key, r2 pre_public_key);
SELECT secant.enable_sharing('wrong_args_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
CREATE TRIGGER y AFTER INSERT ON wrong_args_shares FOR EACH ROW
    EXECUTE FUNCTION $TS.share_copy('public.notes', 'body', 'id', 'note_id', 'r2');
CREATE UNLOGGED TABLE unlogged_shares (note_id int, recipient pre_public_key);
SQL
check "superuser: a trigger on an unregistered table is refused" fails "${PGUSER:-postgres}" $DB \
	"INSERT INTO other_shares VALUES (1, secant.principal_key('dr_bob'))" "not registered"
check "superuser: a trigger with other arguments than the registration's is refused" fails "${PGUSER:-postgres}" $DB \
	"INSERT INTO wrong_args_shares VALUES (1, secant.principal_key('dr_bob'), secant.principal_key('dr_ada'))" "not registered"
check "enable_sharing refuses an UNLOGGED share table" fails "${PGUSER:-postgres}" $DB \
	"SELECT secant.enable_sharing('unlogged_shares', 'notes', 'body', 'id', 'note_id', 'recipient')" "permanent"
check "plain login: enable_sharing on a table it does not own is refused" fails atk_plain $DB \
	"SELECT secant.enable_sharing('note_shares', 'notes', 'body', 'id', 'note_id', 'recipient')" "owner|admin"
check "plain login: enable_sharing on its TEMP table is refused" fails atk_plain $DB \
	"CREATE TEMP TABLE s (note_id int, recipient pre_public_key);
	 SELECT secant.enable_sharing('s', 'notes', 'body', 'id', 'note_id', 'recipient')" "permanent"
check "no copy was stored by any of these" equals 0 su_sql $DB -c "SELECT count(*) FROM secant.copies"

# -- storage: TEMP shares leave nothing; dropping or unregistering removes copies
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TEMP TABLE src (id int, ct pre_ciphertext);
INSERT INTO src VALUES (1, pre_encrypt(secant.principal_key('clinic'), repeat('x', 100000)));
CREATE TEMP TABLE s (r int, rec pre_public_key);
CREATE TRIGGER x AFTER INSERT ON s FOR EACH ROW
    EXECUTE FUNCTION secant.share_copy('pg_temp.src', 'ct', 'id', 'r', 'rec');
INSERT INTO s VALUES (1, secant.principal_key('dr_bob'));
SQL
check "plain login: its TEMP share left no copy behind" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies"
su_sql $DB >/dev/null <<'SQL'
INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('dr_bob')), (2, secant.principal_key('dr_bob'));
CREATE TABLE notes2 AS SELECT * FROM notes;
ALTER TABLE notes2 ADD PRIMARY KEY (id);
CREATE TABLE shares2 (note_id int, recipient pre_public_key);
SELECT secant.enable_sharing('shares2', 'notes2', 'body', 'id', 'note_id', 'recipient');
INSERT INTO shares2 VALUES (3, secant.principal_key('dr_bob'));
CREATE TABLE notes3 AS SELECT * FROM notes;
CREATE TABLE shares3 (note_id int, recipient pre_public_key);
SELECT secant.enable_sharing('shares3', 'notes3', 'body', 'id', 'note_id', 'recipient');
INSERT INTO shares3 VALUES (4, secant.principal_key('dr_bob'));
SQL
check "registered shares made their copies" equals 4 su_sql $DB -c "SELECT count(*) FROM secant.copies"
su_sql $DB -c "DROP TABLE shares2" >/dev/null
check "dropping a share table removes its copies" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE source_table = 'notes2'::regclass"
su_sql $DB -c "DROP TABLE notes2" >/dev/null
check "dropping the source table removes its registrations" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.sharing WHERE source_table::text = 'notes2'"
su_sql $DB -c "SELECT secant.disable_sharing('shares3')" >/dev/null
check "disable_sharing removes its copies and triggers" equals "0 0" su_sql $DB -F ' ' -c \
	"SELECT (SELECT count(*) FROM secant.copies WHERE share_table = 'shares3'::regclass),
	        (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'shares3'::regclass)"
check "DDL by a plain login still works beside the drop trigger" \
	as atk_plain $DB -c "CREATE TEMP TABLE t (i int); DROP TABLE t"
check "admin: deletes a copy" equals 1 as atk_admin $DB -c "SELECT secant.delete_copies('note_shares', '2')"
check "plain login: delete_copies is refused" fails atk_plain $DB "SELECT secant.delete_copies('note_shares')" "permission denied"
check "plain login: deletes no copy" fails atk_plain $DB "DELETE FROM secant.copies" "permission denied"

# -- reencrypt_for works with its declared types, never the caller's: a
#    domain in pg_temp beside a pg_temp.pre_public_key names nothing
check "a domain argument does not make reencrypt_for use the caller's types" equals 2 su_sql $DB \
	-c "CREATE DOMAIN pg_temp.d AS pre_ciphertext" -c "CREATE TYPE pg_temp.pre_public_key AS (x int)" \
	-c "SELECT pre_level(secant.reencrypt_for(body::pg_temp.d, 'dr_bob')) FROM notes WHERE id = 5"

# -- no lock on secant rows for an outsider: a revocation does not wait
mkfifo "$ATK_TMP/in"
as atk_plain $DB <"$ATK_TMP/in" >"$ATK_TMP/out" 2>&1 &
holder=$!
exec 7>"$ATK_TMP/in"
cat >&7 <<'SQL'
\set ON_ERROR_STOP 0
CREATE TEMP TABLE src (id int, ct pre_ciphertext);
INSERT INTO src VALUES (1, pre_encrypt(secant.principal_key('clinic'), 'mine'));
CREATE TEMP TABLE s (r int, rec pre_public_key);
CREATE TRIGGER x AFTER INSERT ON s FOR EACH ROW
    EXECUTE FUNCTION secant.share_copy('pg_temp.src', 'ct', 'id', 'r', 'rec');
BEGIN;
INSERT INTO s VALUES (1, secant.principal_key('ada_phone'));
\echo holding
SQL
for _ in $(seq 600); do grep -q holding "$ATK_TMP/out" && break; sleep 0.1; done
check "plain login: its open transaction does not make revoke(wait => false) fail" \
	equals 0 as atk_admin $DB -c "SELECT secant.revoke('dr_ada', 'ada_phone', wait => false)"
echo "ROLLBACK;" >&7
exec 7>&-
wait $holder

atk_summary
