#!/usr/bin/env bash
# test/attacks/independent2_membership.sh - "membership counts"
# (SECURITY.md, "Who may ask": a role obtains what is addressed to T if
# current_user is bound to T, pg_has_role MEMBER, or holds the proxy
# capability through a role it is a member of).  The reader locks the
# binding or capability row it relies on, so secant.unbind and
# secant.revoke_capability wait for it; but taking the MEMBERSHIP away
# (REVOKE group_role FROM login, DROP ROLE of the bound role) locks
# nothing, and the statement that is running keeps its cached decision:
# it obtains re-encryptions after the membership's removal committed.
# Each check asserts the safe outcome (no re-encryption for the second
# row).  No timing: the reader's statement waits at its second row on an
# advisory lock that the admin's session holds until it has committed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_member
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
su_sql postgres >/dev/null 2>&1 <<'SQL'
DROP ROLE IF EXISTS atk2_phones; DROP ROLE IF EXISTS atk2_apps;
CREATE ROLE atk2_phones NOLOGIN; CREATE ROLE atk2_apps NOLOGIN;
SQL
trap 'atk_cleanup; su_sql postgres -c "DROP ROLE IF EXISTS atk2_phones" -c "DROP ROLE IF EXISTS atk2_apps" >/dev/null 2>&1; rm -rf "$ATK_TMP"' EXIT
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")

READ="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"

# -- a device login, member of the role bound to the device
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk2_phones')" >/dev/null
su_sql postgres -c "GRANT atk2_phones TO atk_plain" >/dev/null
take_away_during atk_plain "$READ" "SELECT 1"
check "control: a member of the bound role obtains both rows" eq "$(printf '%s\n' "$T_OUT" | grep -c '^3$')" 2
take_away_during atk_plain "$READ" "REVOKE atk2_phones FROM atk_plain"
check "member of a bound role: no re-encryption after its membership was revoked (committed), same statement" no_second_row
su_sql postgres -c "GRANT atk2_phones TO atk_plain" >/dev/null
take_away_during atk_plain "$READ" "SET client_min_messages = error; DROP OWNED BY atk2_phones; DROP ROLE atk2_phones"
check "member of a bound role: no re-encryption after the bound role was dropped (committed), same statement" no_second_row

# -- an application server login, member of the role with the proxy capability
su_sql $DB -c "SELECT secant.grant_capability('atk2_apps', 'proxy')" >/dev/null
su_sql postgres -c "GRANT atk2_apps TO atk_plain" >/dev/null
take_away_during atk_plain "$READ" "REVOKE atk2_apps FROM atk_plain"
check "member of a proxy role: no re-encryption after its membership was revoked (committed), same statement" no_second_row

atk_summary
