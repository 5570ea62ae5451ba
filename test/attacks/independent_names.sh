#!/usr/bin/env bash
# test/attacks/independent_names.sh - names the extension's owner-run code
# binds by the *name* of the extension's schema (@extschema@, substituted
# into function bodies at CREATE EXTENSION time): a database owner who is
# not superuser owns that schema (public) and may rename it, then create a
# new schema of the old name holding functions and operators of its own.
# Owner-run code must never run them.  Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind_names
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_plain')" >/dev/null

# The database owner moves the extension's schema aside and plants, under
# the old name, a pre_audit_hash (called by the SECURITY DEFINER audit
# trigger) and an = operator on pre_public_key (called by secant.path,
# which the C path lookup runs as the owner).  Each does what the real one
# does, so the statements succeed and an escalation commits.
as atk_owner $DB >/dev/null 2>&1 <<'SQL'
ALTER SCHEMA public RENAME TO public_moved;
CREATE SCHEMA public;
CREATE FUNCTION public.pre_audit_hash(bytea, bytea) RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN
    BEGIN EXECUTE 'ALTER ROLE atk_owner SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
    RETURN public_moved.pre_audit_hash($1, $2);
END $$;
CREATE FUNCTION public.pk_eq(public_moved.pre_public_key, public_moved.pre_public_key) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    BEGIN EXECUTE 'ALTER ROLE atk_plain SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
    RETURN $1 OPERATOR(public_moved.=) $2;
END $$;
CREATE FUNCTION public.pk_ne(public_moved.pre_public_key, public_moved.pre_public_key) RETURNS boolean
LANGUAGE sql AS $$ SELECT $1 OPERATOR(public_moved.<>) $2 $$;
CREATE OPERATOR public.= (LEFTARG = public_moved.pre_public_key, RIGHTARG = public_moved.pre_public_key,
                          FUNCTION = public.pk_eq);
CREATE OPERATOR public.<> (LEFTARG = public_moved.pre_public_key, RIGHTARG = public_moved.pre_public_key,
                           FUNCTION = public.pk_ne);
-- the type names the bodies use resolve too (a domain over the real type)
CREATE DOMAIN public.pre_public_key AS public_moved.pre_public_key;
GRANT USAGE ON SCHEMA public TO PUBLIC;
SQL

# the owner may give capabilities (bootstrap): that writes an audit entry,
# whose chain trigger runs as the extension's owner
as atk_owner $DB -c "SELECT secant.grant_capability('atk_plain', 'proxy')" >/dev/null 2>&1
check "database owner: a renamed extension schema's replacement does not run as the owner (audit chain)" \
	not_super atk_owner

# a plain login's read: the path lookup runs secant.path as the owner
out=$(as atk_plain $DB -c "SELECT public_moved.pre_level(secant.reencrypt_for(body,
	(SELECT public_key FROM secant.principals WHERE name = 'ada_phone'))) FROM public_moved.notes WHERE id = 1" 2>&1)
check "database owner: an operator in a schema named like the extension's does not run as the owner (path lookup)" \
	not_super atk_plain

atk_summary
