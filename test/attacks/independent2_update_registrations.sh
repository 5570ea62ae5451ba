#!/usr/bin/env bash
# test/attacks/independent2_update_registrations.sh - the update from 0.5.0
# to 0.6.0 turns every trigger named secant_share that calls
# secant.share_copy() into a registration in secant.sharing, from the
# trigger's own arguments (schema/secant_pre--0.5.0--0.6.0.sql, "The
# existing registrations"), and installs the source triggers of those
# registrations - as the superuser running the update.  In 0.5.0
# secant.share_copy() is executable by PUBLIC: any role owning a table
# (the database owner here) attaches such a trigger by hand, naming ANY
# table as the source.  The update registers it without the checks of
# secant.enable_sharing (the TRIGGER privilege on the source, its
# columns' types) and puts a sharing trigger on that table: on
# secant.grants, with a column that is not a ciphertext, every revocation
# fails from then on (the source trigger raises on each deleted grant).
# The threat model: no role outside secant's may "make a revoke fail".
# Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_update
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
su_sql postgres -c "CREATE DATABASE $DB OWNER atk_owner" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
ATK_DBS="$ATK_DBS $DB"
su_sql $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION secant_pre VERSION '0.5.0'" >/dev/null
check "control: 0.5.0 installed" equals 0.5.0 su_sql $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'secant_pre'"

# the database owner's table, with a hand-made trigger naming secant.grants
as atk_owner $DB >/dev/null 2>&1 <<'SQL'
CREATE TABLE public.my_shares (ref bigint, recipient pre_public_key);
CREATE TRIGGER secant_share AFTER INSERT ON public.my_shares FOR EACH ROW
    EXECUTE FUNCTION secant.share_copy('secant.grants', 'hop_key', 'id', 'ref', 'recipient');
SQL
su_sql $DB -c "SET client_min_messages = warning" -c "ALTER EXTENSION secant_pre UPDATE TO '0.6.0'" >/dev/null
check "control: updated to 0.6.0" equals 0.6.0 su_sql $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'secant_pre'"
su_sql $DB -f "$ROOT/test/fixtures/clinic.sql" >/dev/null 2>&1
su_sql $DB -c "GRANT secant_admin TO atk_admin" >/dev/null 2>&1
su_sql $DB -c "SELECT secant.grant_capability('atk_admin', 'admin')" >/dev/null

check "the update registers no source its share table's owner has no TRIGGER privilege on" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.sharing s JOIN pg_class c ON c.oid = s.share_table
	               WHERE NOT has_table_privilege(c.relowner, s.source_table, 'TRIGGER')"
check "no sharing trigger on a table of the extension" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	               JOIN pg_namespace n ON n.oid = c.relnamespace
	               WHERE n.nspname IN ('secant', 'secant_internal') AND t.tgname LIKE 'secant_share%'"
check "an admin still revokes a grant after the update" \
	as atk_admin $DB -c "SELECT secant.revoke(secant.principal_key('dr_ada'), secant.principal_key('ada_phone'))"

# the same trigger naming a system catalog: the update itself fails (the
# superuser cannot update the extension until the trigger is found)
DB2=${DB}_2
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1
su_sql postgres -c "CREATE DATABASE $DB2 OWNER atk_owner" >/dev/null
ATK_DBS="$ATK_DBS $DB2"
su_sql $DB2 -c "SET client_min_messages = warning" -c "CREATE EXTENSION secant_pre VERSION '0.5.0'" >/dev/null
as atk_owner $DB2 >/dev/null 2>&1 <<'SQL'
CREATE TABLE public.my_shares (ref bigint, recipient pre_public_key);
CREATE TRIGGER secant_share AFTER INSERT ON public.my_shares FOR EACH ROW
    EXECUTE FUNCTION secant.share_copy('pg_catalog.pg_class', 'relname', 'oid', 'ref', 'recipient');
SQL
su_sql $DB2 -c "SET client_min_messages = warning" -c "ALTER EXTENSION secant_pre UPDATE TO '0.6.0'" >/dev/null 2>&1
check "a table owner's hand-made trigger does not make the update to 0.6.0 fail" equals 0.6.0 \
	su_sql $DB2 -c "SELECT extversion FROM pg_extension WHERE extname = 'secant_pre'"

atk_summary
