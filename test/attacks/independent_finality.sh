#!/usr/bin/env bash
# test/attacks/independent_finality.sh - a capability or a binding taken
# away (committed) ends what it gave, even inside a statement that is
# running: the threat model's proxy row ("anything once its capability is
# revoked (committed), even inside a running statement") and a revoked
# device's login.  The database owner (not superuser) obtains only what its
# grants say.  Each check asserts the safe outcome.
#
# No timing: the reader's statement stops at its second row on an advisory
# lock that the admin's session holds; the admin's session takes the
# capability or the binding away and commits, which releases the lock, so
# the second row is computed after the revocation has committed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind_final
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")

READ="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"

# -- a proxy (application server) whose capability is revoked mid-statement
su_sql $DB -c "SELECT secant.grant_capability('atk_plain', 'proxy')" >/dev/null
take_away_during atk_plain "$READ" "SELECT 1"
check "proxy: with nothing taken away, both rows are served (control)" eq "$(printf '%s\n' "$T_OUT" | grep -c '^3$')" 2
take_away_during atk_plain "$READ" "SELECT secant.revoke_capability('atk_plain', 'proxy')"
check "proxy: no re-encryption after its capability was revoked (committed), in the same statement" no_second_row

# -- a device's own login whose binding is removed mid-statement
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_plain')" >/dev/null
take_away_during atk_plain "$READ" "SELECT secant.unbind('ada_phone', 'atk_plain')"
check "device login: no re-encryption after it was unbound (committed), in the same statement" no_second_row

# -- the same inside one function call (one client statement, many inner ones)
su_sql $DB >/dev/null <<'SQL'
CREATE FUNCTION public.read_twice(target pre_public_key) RETURNS SETOF int LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT n.id, n.body FROM notes n WHERE n.id <= 2 ORDER BY n.id LOOP
        PERFORM wait_at(r.id);
        RETURN NEXT pre_level(secant.reencrypt_for(r.body, target));
    END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION public.read_twice(pre_public_key) TO PUBLIC;
SQL
su_sql $DB -c "SELECT secant.grant_capability('atk_plain', 'proxy')" >/dev/null
take_away_during atk_plain "SELECT * FROM read_twice('$PHONE')" "SELECT secant.revoke_capability('atk_plain', 'proxy')"
check "proxy: no re-encryption after its capability was revoked, in a later statement of the same function call" no_second_row

# -- the database owner (not superuser, not an admin, bound to nothing)
#    obtains only what its grants say: once the database has an admin (it
#    gives the first capability: OPERATIONS.md), no capability of its own making
as atk_owner $DB -c "SELECT secant.grant_capability('atk_owner', 'proxy')" >/dev/null 2>&1
check "database owner, the database having an admin: cannot make itself a proxy and obtain a re-encryption" \
	fails atk_owner $DB "SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 1" "may not obtain|permission denied|not a secant_pre admin"

atk_summary
