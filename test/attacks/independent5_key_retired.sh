#!/usr/bin/env bash
# test/attacks/independent5_key_retired.sh - a key retired by a plain change
# of secant.principal_keys (the superuser's counterpart of a rotation, as a
# plain DELETE is of a revocation) serves no running statement after the
# change commits.
#
# A retired key is never a target (secant.path) and is passed only by its
# bridge; a rotation locks every grant into or out of the old key first
# (secant_internal.lock_removal).  The retirement itself is an UPDATE of
# secant.principal_keys, which has no removal lock trigger: a superuser who
# retires ada_phone's key by hand (retired_at, replaced_by a new key of the
# same principal) commits at once while the device's login has a statement
# running.  What holds (this script passes): the statement trigger of
# secant.principal_keys sends a relcache invalidation, which the reader
# takes in before every row (sp_path_find), so its next row looks the path
# up again and is refused; and the next statement too.
#
# Asserted: no re-encryption for the second row, as for a plain DELETE of
# the grant.  No timing: the reader waits at its second row on an advisory
# lock that the superuser's session holds until it has committed (lib.sh,
# take_away_during).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk5_retired
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
su_sql $DB >/dev/null <<'SQL'
SELECT secant.bind('ada_phone', 'atk_plain');
INSERT INTO fixture_keys SELECT 'ada_phone_v2', 'device', pre_keygen();
SQL
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")
NEW=$(su_sql $DB -c "SELECT pre_public_key(fixture_sk('ada_phone_v2'))")
READ="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"

take_away_during atk_plain "$READ" "SELECT 1"
check "control: the device's login obtains both rows" equals 2 grep -c '^3$' <<<"$T_OUT"

# -- what holds: a plain DELETE of the enrolment by the superuser
take_away_during atk_plain "$READ" "DELETE FROM secant.grants WHERE to_key = '$PHONE'::pre_public_key"
check "a plain DELETE of the grant: no re-encryption after it committed, same statement" no_second_row
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), '$PHONE'::pre_public_key))" >/dev/null
take_away_during atk_plain "$READ" "SELECT 1"
check "control: the device reads again with a new enrolment" equals 2 grep -c '^3$' <<<"$T_OUT"

# -- the hole: the device's key retired by hand while the statement runs
take_away_during atk_plain "$READ" "UPDATE secant.principal_keys SET retired_at = now(), replaced_by = '$NEW'::pre_public_key
    WHERE public_key = '$PHONE'::pre_public_key;
    INSERT INTO secant.principal_keys (public_key, principal_id)
    SELECT '$NEW'::pre_public_key, principal_id FROM secant.principal_keys WHERE public_key = '$PHONE'::pre_public_key"
check "the retirement committed" equals 1 su_sql $DB -c "SELECT count(*) FROM secant.principal_keys WHERE public_key = '$PHONE'::pre_public_key AND retired_at IS NOT NULL"
check "a key retired by hand: no re-encryption for it after the change committed, same statement" no_second_row
check "the next statement for the retired key is refused" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, '$PHONE'::pre_public_key) FROM notes WHERE id = 1" "no active grant path"

atk_summary
