#!/usr/bin/env bash
# test/attacks/rotation.sh - after a key rotation, a departed member and a
# lost device, holding every secret they had and every d they learnt, open
# nothing written or produced after it.
#
# The clinic: dr_bob leaves (group rotation of clinic, with the worst case:
# the clinic's old secret key leaked to him too); dr_ada's phone is lost
# (user rotation of dr_ada, her tablet enrolled to the new key, the clinic's
# admin re-issues her membership).  Bob's login (atk_plain) and the lost
# phone's (atk_rot_lost, left bound to the phone by a careless admin) try
# every read path they have; test/attacks/rot_arith.py runs the arithmetic
# on every value they can obtain, including the values the database made
# for the remaining members after the rotation (as if stolen on the wire).
# The legitimate flow beside it: ada's tablet reads old and new records.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_rotation
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_rot_lost') THEN CREATE ROLE atk_rot_lost LOGIN; END IF; END \$\$" >/dev/null
su_sql $DB >/dev/null <<'SQL'
SELECT secant.bind('dr_bob', 'atk_plain'), secant.bind('bob_phone', 'atk_plain'), secant.bind('ada_phone', 'atk_rot_lost');
SELECT secant.rotate_index_key('clinic', pre_encrypt(secant.principal_key('clinic'), '\x1111111111111111111111111111111111111111111111111111111111111111'::bytea));
INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('bob_phone')), (1, secant.principal_key('ada_phone'));
-- the new keys, made on the clients (here: kept in fixture_keys)
INSERT INTO fixture_keys SELECT n, k, pre_keygen()
FROM (VALUES ('clinic_v2', 'group'), ('dr_ada_v2', 'user'), ('ada_tablet', 'device')) AS v(n, k);
SELECT secant.add_principal('ada_tablet', 'device', pre_public_key(fixture_sk('ada_tablet')));
CREATE FUNCTION sg(f pre_secret_key, t pre_public_key) RETURNS pre_sealed_grant
    LANGUAGE sql AS $$ SELECT secant.seal_grant_on_server(pre_grant(f, t)) $$;
SQL
hexes() { su_sql $DB -c "$1"; }
as_hex() { as "$1" $DB -c "$2"; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# -- before: what each of them obtains legitimately (kept for the arithmetic)
as_hex atk_plain "SELECT encode(secant.reencrypt_for(body, 'bob_phone')::bytea, 'hex') FROM notes" >"$T/bob_harvest"
as_hex atk_plain "SELECT encode(copy::bytea, 'hex') FROM secant.copies" >>"$T/bob_harvest"
as_hex atk_plain "SELECT encode(key_ct::bytea, 'hex') FROM secant.index_keys_for('clinic', 'bob_phone')" >>"$T/bob_harvest"
as_hex atk_rot_lost "SELECT encode(secant.reencrypt_for(body, 'ada_phone')::bytea, 'hex') FROM notes" >"$T/lost_harvest"
as_hex atk_rot_lost "SELECT encode(copy::bytea, 'hex') FROM secant.copies" >>"$T/lost_harvest"
check "before: bob's phone reads the clinic's notes and its copy" equals 7 wc -l <"$T/bob_harvest"
check "before: the phone reads the clinic's notes and its copy" equals 6 wc -l <"$T/lost_harvest"
hexes "SELECT encode(body::bytea, 'hex') FROM notes" >"$T/old_at_rest"
hexes "SELECT encode(sk::bytea, 'hex') FROM fixture_keys WHERE name IN ('dr_bob', 'bob_phone', 'clinic')" >"$T/bob_seeds"
hexes "SELECT encode(sk::bytea, 'hex') FROM fixture_keys WHERE name = 'ada_phone'" >"$T/lost_seeds"

# -- the rotations (client side: the new keys and the grants, sealed)
check "group rotation of clinic (bob left): one call" equals "2|2" su_sql $DB -c "
    SELECT grants_dropped, grants_added FROM secant.rotate_group('clinic', pre_public_key(fixture_sk('clinic_v2')),
        sg(fixture_sk('clinic'), pre_public_key(fixture_sk('clinic_v2'))),
        ARRAY[sg(fixture_sk('clinic_v2'), secant.principal_key('dr_ada'))],
        pre_encrypt(pre_public_key(fixture_sk('clinic_v2')), '\x2222222222222222222222222222222222222222222222222222222222222222'::bytea))"
check "user rotation of dr_ada (phone lost): one call" equals "2|1" su_sql $DB -c "
    SELECT grants_dropped, grants_added FROM secant.rotate_user('dr_ada', pre_public_key(fixture_sk('dr_ada_v2')),
        ARRAY[sg(fixture_sk('dr_ada_v2'), secant.principal_key('ada_tablet'))])"
check "the clinic's membership of dr_ada is pending re-issue" equals "clinic|dr_ada" \
	su_sql $DB -c "SELECT delegator, grantee FROM secant.pending_reissues"
check "the clinic's admin re-issues it" equals t su_sql $DB -c "
    SELECT secant.add_grant(sg(fixture_sk('clinic_v2'), secant.principal_key('dr_ada'))) > 0"
# written after the rotations
su_sql $DB -c "INSERT INTO notes SELECT i, pre_encrypt(secant.principal_key('clinic'), 'after ' || i) FROM generate_series(100, 102) i" >/dev/null

# -- the legitimate flow: ada's tablet reads old and new records, both index keys
check "ada's tablet reads the old records (bridge) and the new ones" equals "note 1|after 100" su_sql $DB -c "
    SELECT string_agg(pre_decrypt_text(secant.reencrypt_for(body, 'ada_tablet'), fixture_sk('ada_tablet')), '|' ORDER BY id)
    FROM notes WHERE id IN (1, 100)"
check "ada's tablet gets both index key versions" equals "2|1" su_sql $DB -c "
    SELECT string_agg(version::text, '|' ORDER BY version DESC) FROM secant.index_keys_for('clinic', 'ada_tablet')"

# -- every read path of bob's login
check "bob: no re-encryption of a new record for his phone" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 100" "no active grant path"
check "bob: none for his user key" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, 'dr_bob') FROM notes WHERE id = 100" "no active grant path"
check "bob: none of an old record either" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 1" "no active grant path"
check "bob: none for the group's keys (not bound)" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, 'clinic') FROM notes WHERE id = 100" "not bound|may not obtain|42501|permission"
check "bob: no index key" fails atk_plain $DB \
	"SELECT * FROM secant.index_keys_for('clinic', 'bob_phone')" "no active grant path"
check "bob: no share of a new record to his phone" fails atk_plain $DB \
	"INSERT INTO note_shares (note_id, recipient) VALUES (100, secant.principal_key('bob_phone'))" "no active grant path"
check "bob: no copy left for him" equals 0 as atk_plain $DB -c "SELECT count(*) FROM secant.copies"
# with the clinic's old key, bob makes himself a grant; an admin who helps him stores it
forged=$(su_sql $DB -c "SELECT sg(fixture_sk('clinic'), secant.principal_key('dr_bob'))")
check "bob + an admin: a grant from the retired key to him is refused" fails atk_admin $DB \
	"SELECT secant.add_grant('$forged'::pre_sealed_grant)" "grant from a retired key"
forged=$(su_sql $DB -c "SELECT sg(fixture_sk('clinic'), pre_public_key(fixture_sk('clinic_v2')))")
check "bob + an admin: a second bridge of his own (old key to new) may be stored" equals t as atk_admin $DB -c \
	"SELECT secant.add_grant('$forged'::pre_sealed_grant) > 0"
check "bob + an admin: ... but it serves only old records, and not him" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 1" "no active grant path"
# -- every read path of the lost phone's login
check "lost phone: no re-encryption of a new record" fails atk_rot_lost $DB \
	"SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 100" "no active grant path"
check "lost phone: none of an old record" fails atk_rot_lost $DB \
	"SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 1" "no active grant path"
check "lost phone: nothing for the tablet or the new user key (not bound)" fails atk_rot_lost $DB \
	"SELECT secant.reencrypt_for(body, 'ada_tablet') FROM notes WHERE id = 100" "not bound|may not obtain|42501|permission"
check "lost phone: no index key" fails atk_rot_lost $DB \
	"SELECT * FROM secant.index_keys_for('clinic', 'ada_phone')" "no active grant path"
check "lost phone: no copy left for it" equals 0 as atk_rot_lost $DB -c "SELECT count(*) FROM secant.copies"

# -- the arithmetic on every value they can obtain after the rotations:
#    the new records (the notes table is readable), the index keys (the
#    table is readable), and what the database made for ada's tablet
hexes "SELECT encode(body::bytea, 'hex') FROM notes WHERE id >= 100" >"$T/new_at_rest"
hexes "SELECT encode(key_ct::bytea, 'hex') FROM secant.index_keys WHERE version = 2" >>"$T/new_at_rest"
hexes "SELECT encode(secant.reencrypt_for(body, 'ada_tablet')::bytea, 'hex') FROM notes WHERE id >= 100" >"$T/new_made"
hexes "SELECT encode(key_ct::bytea, 'hex') FROM secant.index_keys_for('clinic', 'ada_tablet') WHERE version = 2" >>"$T/new_made"
hexes "SELECT encode(secant.reencrypt_for(body, 'ada_tablet')::bytea, 'hex') FROM notes WHERE id < 100" >"$T/old_made"
job() { # seeds harvest sanity targets...
	local seeds=$1 harvest=$2 sanity=$3
	shift 3
	/usr/bin/python3 - "$seeds" "$harvest" "$sanity" "$@" <<-'PY'
		import json, sys
		rd = lambda f: [l.strip() for l in open(f) if l.strip()]
		print(json.dumps({"seeds": rd(sys.argv[1]), "harvest": rd(sys.argv[2]), "sanity": rd(sys.argv[3]),
		                  "targets": [h for f in sys.argv[4:] for h in rd(f)]}))
	PY
}
ARITH="$(dirname "$0")/rot_arith.py"
job "$T/bob_seeds" "$T/bob_harvest" "$T/old_at_rest" "$T/new_at_rest" "$T/new_made" | /usr/bin/python3 "$ARITH" >"$T/bob_arith" 2>&1
cat "$T/bob_arith" | sed 's/^/  bob: /'
check "bob's arithmetic works on what he could read (old records at rest, with the clinic's old key)" \
	grep -qx "sanity 5/5" "$T/bob_arith"
check "bob learnt d values before (harvested)" grep -Eq "^harvested [1-9]" "$T/bob_arith"
n=$(cat "$T/new_at_rest" "$T/new_made" | grep -c .)
check "bob's arithmetic opens nothing written or made after the rotation ($n values)" grep -qx "targets 0/$n" "$T/bob_arith"
job "$T/lost_seeds" "$T/lost_harvest" "$T/lost_harvest" "$T/new_at_rest" "$T/new_made" "$T/old_made" | /usr/bin/python3 "$ARITH" >"$T/lost_arith" 2>&1
cat "$T/lost_arith" | sed 's/^/  lost phone: /'
check "the phone's arithmetic works on what it read before" grep -qx "sanity 6/6" "$T/lost_arith"
check "the phone learnt d values before (harvested)" grep -Eq "^harvested [1-9]" "$T/lost_arith"
n=$(cat "$T/new_at_rest" "$T/new_made" "$T/old_made" | grep -c .)
check "the phone's arithmetic opens nothing written or made after the rotation, old records included ($n values)" \
	grep -qx "targets 0/$n" "$T/lost_arith"
check "audit log and tables agree after the rotations" equals 0 su_sql $DB -c "SELECT count(*) FROM secant.audit_check()"
tap_finish
