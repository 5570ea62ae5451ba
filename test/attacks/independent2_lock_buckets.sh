#!/usr/bin/env bash
# test/attacks/independent2_lock_buckets.sh - who can delay a revocation
# (REFERENCE.md: "a role bound to a principal on the path ... that reads
# through the grant", and a sharer; SECURITY.md: "readers of other grants
# ... never wait").  A reader's locks switch to one lock per bucket
# (grant id + 0x9e3779b9 mod 512: src/pg/policy_lock.c) once it has taken
# 256 items in its transaction - items counted per lookup, not distinct:
# a device's login reaching that count by re-reading its own two paths
# alternately, for free.  From then on it holds the whole bucket of each
# grant it reads, so the revocation of a grant it never read (another
# user's device, id 512 further) waits for it (wait => false: fails
# naming it).  Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_buckets
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }

# another user's new device, whose grant's id is 512 after the id of the
# grant dr_ada -> ada_phone (same bucket); the reader never uses it
su_sql $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
INSERT INTO fixture_keys VALUES ('bob_tablet', 'device', pre_keygen());
SELECT secant.add_principal('bob_tablet', 'device', pre_public_key(fixture_sk('bob_tablet')));
SELECT setval(pg_get_serial_sequence('secant.grants', 'id'),
              (SELECT id FROM secant.grants WHERE from_key = secant.principal_key('dr_ada')
                                              AND to_key = secant.principal_key('ada_phone')) + 511);
SELECT secant.add_grant(pre_grant(fixture_sk('dr_bob'), secant.principal_key('bob_tablet')));
SELECT secant.bind('ada_phone', 'atk_plain');
SQL
check "control: the two grants are 512 apart" equals 512 su_sql $DB -c \
	"SELECT (SELECT id FROM secant.grants WHERE to_key = secant.principal_key('bob_tablet'))
	      - (SELECT id FROM secant.grants WHERE to_key = secant.principal_key('ada_phone'))"

# the device's login: reads its own records (to its group and to its
# user, alternately: one lookup each), and keeps its transaction open
fifo="$ATK_TMP/reader"
mkfifo "$fifo"
as atk_plain $DB <"$fifo" >"$ATK_TMP/reader.out" 2>&1 &
reader=$!
exec 3>"$fifo"
cat >&3 <<'SQL'
BEGIN;
DO $$
DECLARE
    c1 pre_ciphertext := pre_encrypt(secant.principal_key('clinic'), 'to the group');
    c2 pre_ciphertext := pre_encrypt(secant.principal_key('dr_ada'), 'to the user');
    t pre_public_key := secant.principal_key('ada_phone');
BEGIN
    FOR i IN 1..200 LOOP
        PERFORM secant.reencrypt_for(CASE WHEN i % 2 = 0 THEN c1 ELSE c2 END, t);
    END LOOP;
END $$;
SELECT 'read';
SQL
for _ in $(seq 300); do
	grep -q '^read' "$ATK_TMP/reader.out" 2>/dev/null && break
	sleep 0.1
done
check "control: the device's login read its records" grep -q '^read' "$ATK_TMP/reader.out"
out=$(as atk_admin $DB -c "SELECT secant.revoke(secant.principal_key('dr_bob'), secant.principal_key('bob_tablet'), wait => false)" 2>&1)
check "a device's login does not delay the revocation of another user's device's grant it never read" \
	eq "$(printf '%s' "$out" | grep -c 'in use by other sessions')" 0
echo "COMMIT;" >&3
exec 3>&-
wait "$reader"

atk_summary
