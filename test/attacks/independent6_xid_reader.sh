#!/usr/bin/env bash
# test/attacks/independent6_xid_reader.sh - a running statement takes in a
# committed key retirement even when its transaction has a transaction id.
#
# test/attacks/independent5_key_retired.sh: a key retired by a plain
# change of secant.principal_keys (no removal lock) serves no later row of
# a running statement, because the table's statement trigger sends a
# relcache invalidation that the reader takes in before every row
# (sp_path_find -> AcceptInvalidationMessages -> relation_changed, which
# bumps grants_generation).  But relation_changed recognises the table
# only through sp_kept_relation(), whose relation ids (grants_relid,
# keys_relid in src/pg/path_kept.c) are noted by kept_relations(), called
# only from sp_kept_put: only after this backend has once kept a path.
# A path is kept only by a transaction that wrote nothing, so a session
# whose reads all run in transactions with a transaction id (an
# application server that writes and reads in one transaction; here:
# pg_current_xact_id()) never notes them: the invalidation of
# secant.principal_keys is taken in and ignored, the statement's cached
# path stays valid, and its next rows are re-encrypted for the key retired
# meanwhile.
#
# Role: a device's login (bound to ada_phone), in a fresh session.  The
# retirement is a superuser's (the hand-made counterpart of a rotation, as
# in independent5_key_retired.sh).  No timing: the reader waits at its
# second row on an advisory lock the superuser's session holds until it
# has committed (lib.sh, take_away_during).
#
# Safe outcome: as for a reader without a transaction id (checked below:
# that holds), no re-encryption for the second row.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk6_xid
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
su_sql $DB >/dev/null <<'SQL'
SELECT secant.bind('ada_phone', 'atk_plain');
INSERT INTO fixture_keys SELECT 'ada_phone_v2', 'device', pre_keygen();
INSERT INTO fixture_keys SELECT 'bob_phone_v2', 'device', pre_keygen();
SQL
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")
READ="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"
XREAD="BEGIN; SELECT pg_current_xact_id() IS NOT NULL AS has_xid; $READ; COMMIT;"
# retire KEY for NEXT (by hand, as a superuser)
retire() {
	local next
	next=$(su_sql $DB -c "SELECT pre_public_key(fixture_sk('$2'))")
	echo "UPDATE secant.principal_keys SET retired_at = now(), replaced_by = '$next'::pre_public_key
    WHERE public_key = '$1'::pre_public_key;
    INSERT INTO secant.principal_keys (public_key, principal_id)
    SELECT '$next'::pre_public_key, principal_id FROM secant.principal_keys WHERE public_key = '$1'::pre_public_key"
}

take_away_during atk_plain "$XREAD" "SELECT 1"
check "control: a reader with a transaction id obtains both rows" equals 2 grep -c '^3$' <<<"$T_OUT"

# -- the hole: the reader's transaction has an xid
take_away_during atk_plain "$XREAD" "$(retire "$PHONE" ada_phone_v2)"
check "the retirement committed" equals 1 su_sql $DB -c \
	"SELECT count(*) FROM secant.principal_keys WHERE public_key = '$PHONE'::pre_public_key AND retired_at IS NOT NULL"
check "a reader with a transaction id: no re-encryption for a key retired after the change committed, same statement" no_second_row

# -- what holds: a reader without a transaction id (a fresh session that
# keeps its path), on bob_phone, retired the same way
BOB=$(su_sql $DB -c "SELECT secant.principal_key('bob_phone')")
su_sql $DB -c "SELECT secant.bind('bob_phone', 'atk_plain')" >/dev/null
READ="SELECT pre_level(secant.reencrypt_for(n.body, '$BOB'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"
take_away_during atk_plain "$READ" "SELECT 1"
check "control: the device's login reads bob_phone's notes" equals 2 grep -c '^3$' <<<"$T_OUT"
take_away_during atk_plain "$READ" "$(retire "$BOB" bob_phone_v2)"
check "a reader without a transaction id: no re-encryption after the retirement committed (holds)" no_second_row

atk_summary
