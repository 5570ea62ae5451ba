#!/usr/bin/env bash
# test/attacks/independent2_outer_user.sh - secant.is_admin() asks about
# the OUTER role of the session (secant.outer_user(): GetOuterUserId),
# and a superuser counts as an admin.  PostgreSQL runs code of a table's
# owner with the outer role unchanged: ANALYZE (autovacuum's included,
# whose outer role is the bootstrap superuser), VACUUM FULL, CLUSTER,
# REINDEX and CREATE INDEX evaluate index expressions as the table's
# owner (SECURITY_RESTRICTED_OPERATION); a SECURITY DEFINER function runs
# as its owner.  So the database owner (not superuser, the database having
# admins) writes an index expression that calls
# secant.grant_capability('atk_owner', 'proxy'); the next ANALYZE - a
# superuser's routine one, or autovacuum's, with no one's help - runs it
# as atk_owner with a superuser as the outer role: is_admin() says yes,
# and atk_owner is a proxy (or an admin) of the database.  Likewise a
# SECURITY DEFINER function of atk_owner called by an admin acts as that
# admin.  SECURITY.md: the database owner "cannot make itself a proxy
# behind the admins' backs".  Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_outer
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }

caps() {
	su_sql $DB -c "SELECT count(*) FROM secant.capabilities WHERE role = 'atk_owner'::regrole"
}
check "control: the database owner cannot give itself the proxy capability (the database has an admin)" \
	fails atk_owner $DB "SELECT secant.grant_capability('atk_owner', 'proxy')" "only while it has no admin"

as atk_owner $DB >/dev/null 2>&1 <<'SQL'
CREATE FUNCTION public.idx(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    BEGIN
        PERFORM secant.grant_capability('atk_owner', 'proxy');
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RETURN i;
END $$;
CREATE TABLE public.stats_me (i int);
INSERT INTO public.stats_me SELECT generate_series(1, 100);
CREATE INDEX ON public.stats_me ((public.idx(i)));
SQL
check "control: the owner's index made no capability as the owner" equals 0 caps
su_sql $DB -c "ANALYZE" >/dev/null 2>&1
check "a superuser's ANALYZE does not make the database owner a proxy (its index expression)" equals 0 caps
check "the database owner obtains no re-encryption for a device it is not bound to" \
	fails atk_owner $DB "SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 1" "may not obtain|not bound|permission denied"

su_sql $DB -c "DELETE FROM secant.capabilities WHERE role = 'atk_owner'::regrole" >/dev/null
as atk_owner $DB >/dev/null 2>&1 <<'SQL'
CREATE FUNCTION public.owner_report() RETURNS int LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    BEGIN
        PERFORM secant.grant_capability('atk_owner', 'admin');
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RETURN 1;
END $$;
SQL
as atk_admin $DB -c "SELECT public.owner_report()" >/dev/null 2>&1
check "an admin calling the owner's SECURITY DEFINER function gives the owner no capability" equals 0 caps

check "the database owner reads no sealed grant" reads_nothing atk_owner $DB \
	"SELECT count(sealed) FROM secant.grants"

atk_summary
