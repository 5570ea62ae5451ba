#!/usr/bin/env bash
# test/attacks/independent2_admin_superuser.sh - an admin of one database
# who can create a table (here the database owner, made an admin as is
# common, or having made itself one: independent2_outer_user.sh) becomes
# SUPERUSER.
#
#   1. secant.enable_sharing skips every check for admins: it registers the
#      extension's own table secant.copies as a share table (reference
#      column source_row, recipient column recipient), with the admin's own
#      table src as the source (independent2_admin_registers.sh).
#   2. The registration is checked once: the admin drops the source
#      triggers of src, VACUUMs it and turns it into a VIEW (PostgreSQL 15
#      still converts an empty table with CREATE RULE "_RETURN"), whose
#      body column calls a function of the admin.
#   3. Any share (the admin's own INSERT into note_shares) stores a copy
#      in secant.copies as the extension's owner (src/pg/share.c,
#      owner_run); that fires the admin's registration on secant.copies,
#      which reads the source "with the caller's rights" - the owner's -
#      so the view's function runs as the superuser that owns the
#      extension: ALTER ROLE atk_owner SUPERUSER.
# A database owner with the admin capability must never become superuser
# (SECURITY.md: the database owner never has code "run with the
# extension owner's rights").  Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# attack DB: the database owner, admin of DB, escalates
attack() {
	local db=$1
	as atk_owner "$db" >/dev/null 2>&1 <<'SQL'
CREATE TABLE public.src (id text, body pre_ciphertext);
SELECT secant.enable_sharing('secant.copies', 'public.src', 'body', 'id', 'source_row', 'recipient');
DROP TRIGGER IF EXISTS secant_share_source ON public.src;
DROP TRIGGER IF EXISTS secant_share_source_truncate ON public.src;
CREATE FUNCTION public.evil() RETURNS pre_ciphertext LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE atk_owner SUPERUSER';
    END IF;
    RETURN NULL;
END $$;
SQL
	as atk_owner "$db" -c "VACUUM public.src" >/dev/null 2>&1
	as atk_owner "$db" >/dev/null 2>&1 <<'SQL'
CREATE RULE "_RETURN" AS ON SELECT TO public.src DO INSTEAD
    SELECT t::text AS id, public.evil() AS body FROM generate_series(1, 100) t;
SQL
	as atk_owner "$db" -c "INSERT INTO note_shares (note_id, recipient) VALUES (3, secant.principal_key('ada_phone'))" >/dev/null 2>&1
}

DB=atk_ind2_adminsu
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB -c "SELECT secant.grant_capability('atk_owner', 'admin')" >/dev/null 2>&1
check "control: the database owner is not superuser" not_super atk_owner
attack $DB
check "an admin that owns a table does not become superuser through a registration on secant.copies" not_super atk_owner
check "the registered source is not a view when sharing reads it" equals r \
	su_sql $DB -c "SELECT relkind FROM pg_class WHERE oid = to_regclass('public.src')"

# the same from the database owner alone: the admin capability from a
# superuser's routine ANALYZE (independent2_outer_user.sh), then as above
DB2=atk_ind2_adminsu2
fresh_db $DB2 || { echo "0 passed, 1 failed"; exit 1; }
as atk_owner $DB2 >/dev/null 2>&1 <<'SQL'
CREATE FUNCTION public.idx(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    BEGIN
        PERFORM secant.grant_capability('atk_owner', 'admin');
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RETURN i;
END $$;
CREATE TABLE public.stats_me (i int);
INSERT INTO public.stats_me SELECT generate_series(1, 100);
CREATE INDEX ON public.stats_me ((public.idx(i)));
SQL
su_sql $DB2 -c "ANALYZE" >/dev/null 2>&1
attack $DB2
check "the database owner (no capability given) does not become superuser after a superuser's ANALYZE" not_super atk_owner

atk_summary
