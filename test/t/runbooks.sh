#!/usr/bin/env bash
# test/t/runbooks.sh - the runbooks of docs/OPERATIONS.md ("## Runbooks")
# and the client path of README.md ("### On clients"), their shell blocks
# run as written (taken from the docs), in order, with secant-pre and psql,
# against a throwaway cluster of its own: a database clinic with the group
# clinic (clinic.key in the work directory), notes owned by the admin alice
# (secant_admin, the admin capability, CREATEROLE), and dr_bob with his
# phone bound to a login.  The blocks run as the cluster's OS user (the
# server key runbook writes a key file the server reads) with PGUSER=alice.
# Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_RUNBOOKS_PORT:-$((${PGPORT:-55432} + 9))}

DIR=$(pgc_dir secant_pre_runbooks) || exit 1
trap 'pgc_stop "$DIR"' EXIT
trap 'exit 130' INT TERM
pgc_start "$DIR" "$PORT" >/dev/null || { not_ok "cluster starts"; tap_finish; }
W="$DIR/work"
mkdir -p "$W/bin" "$W/keys" && ln -s "$ROOT/secant-pre" "$W/bin/secant-pre"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$W"
cd "$W" || exit 1
q() { pgc_psql "$DIR" "$PORT" -At -d "${QDB:-clinic}" "$@"; }
# as WHO: a command as the cluster's OS user, with the docs' environment
as() {
	local user=$1
	shift
	$RUN_AS env PATH="$W/bin:$PATH" PGHOST="$DIR" PGPORT="$PORT" PGUSER="$user" \
		PGDATABASE="${BLOCKDB:-postgres}" KEYS="$W/keys" HOME="$W" "$@"
}

# the docs' blocks, one file each: rb1.sh... (runbooks), rm1.sh... (README)
$RUN_AS /usr/bin/python3 - "$ROOT/docs/OPERATIONS.md" "$ROOT/README.md" <<'PY' || exit 1
import re, sys
ops = open(sys.argv[1], encoding="utf-8").read().split("\n## Runbooks\n", 1)[1].split("\n## ", 1)[0]
readme = open(sys.argv[2], encoding="utf-8").read().split("### On clients", 1)[1].split("\n### ", 1)[0]
for prefix, sec in (("rb", ops), ("rm", readme)):
    for i, b in enumerate(re.findall(r"```sh\n(.*?)```", sec, re.S), 1):
        open("%s%d.sh" % (prefix, i), "w").write(b)
PY
check "docs/OPERATIONS.md has the runbooks' 10 blocks" test -s rb10.sh -a ! -e rb11.sh
check "README.md has the client path's 3 blocks" test -s rm3.sh -a ! -e rm4.sh
# run N [DB]: block N as alice; its output in rbN.out
# (a failing block's output is shown under the next check)
run() {
	BLOCKDB=${2:-postgres} as alice bash -e -o pipefail "rb$1.sh" >"rb$1.out" 2>&1 && return 0
	local rc=$?
	sed 's/^/#   /' "rb$1.out"
	return $rc
}

# ---- the clinic before the runbooks ----
pgc_psql "$DIR" "$PORT" -c "CREATE DATABASE clinic" -c "CREATE ROLE alice LOGIN CREATEROLE" >/dev/null || exit 1
q -c "CREATE EXTENSION secant_pre" -c "GRANT secant_admin TO alice" \
	-c "SELECT secant.grant_capability('alice', 'admin')" >/dev/null || exit 1
as alice secant-pre keygen -o clinic.key
for k in dr_bob bob_phone; do as alice secant-pre keygen -o $k.key; done
pk() { as alice secant-pre pubkey --secret-key "$1.key"; }
SEAL=$(q -c "SELECT secant.server_public_key()")
q -c "SELECT secant.add_principal('clinic', 'group', '$(pk clinic)')" \
	-c "SELECT secant.add_principal('dr_bob', 'user', '$(pk dr_bob)')" \
	-c "SELECT secant.add_principal('bob_phone', 'device', '$(pk bob_phone)')" \
	-c "SELECT secant.add_grant('$(as alice secant-pre grant "$(pk dr_bob)" --secret-key clinic.key --seal-to "$SEAL")')" \
	-c "SELECT secant.add_grant('$(as alice secant-pre grant "$(pk bob_phone)" --secret-key dr_bob.key --seal-to "$SEAL")')" \
	-c "CREATE ROLE bob_phone_login LOGIN" -c "SELECT secant.bind('bob_phone', 'bob_phone_login')" \
	-c "CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL)" -c "ALTER TABLE notes OWNER TO alice" >/dev/null || exit 1
for i in 1 2 3; do
	q -c "INSERT INTO notes VALUES ($i, '$(printf 'note %s' $i | as alice secant-pre encrypt "$(pk clinic)")')" >/dev/null
done
# the notes as KEY's device reads them, re-encrypted for PRINCIPAL
reads() { q -c "SELECT secant.reencrypt_for(body, secant.principal_key('$1')) FROM notes ORDER BY id" 2>/dev/null |
	as alice secant-pre decrypt --batch --secret-key "$2.key" 2>/dev/null | grep -c '"ok":true'; }

# ---- Onboard a user and a device ----
run 1
check "onboard, block 1 (keys on the laptop and the phone) runs" test $? -eq 0
check "... secret key files of mode 600" test "$(stat -c %a dr_ada.key ada_phone.key | sort -u)" = 600
run 2
check "onboard, block 2 (the admin registers, makes the phone's login, grants membership) runs" test $? -eq 0
check "... dr_ada is a member" test "$(q -c "SELECT string_agg(name, ',') FROM secant.members('clinic')")" = "dr_ada,dr_bob"
check "... the phone's login is bound" test "$(q -c "SELECT count(*) FROM secant.bindings WHERE role = 'ada_phone_login'::regrole")" = 1
run 3
check "onboard, block 3 (Dr Ada enrols her phone) runs" test $? -eq 0
check "... and lists it" grep -qx 'ada_phone|t' rb3.out
run 4
check "onboard, block 4 (the phone reads in a batch, as its login) runs" test $? -eq 0
check "... three notes decrypted" test "$(grep -c '"ok":true' notes.jsonl)" = 3

# ---- A lost phone ----
run 5
check "lost phone, block 1 (revoke, unbind, drop the login) runs" test $? -eq 0
check "... the phone is listed revoked, with the reason" grep -qx 'ada_phone|f|revoked' rb5.out
check "... its login is gone" test "$(q -c "SELECT count(*) FROM pg_roles WHERE rolname = 'ada_phone_login'")" = 0
check "... and it reads nothing" test "$(reads ada_phone ada_phone)" = 0
run 6
check "lost phone, block 2 (new phone, rotate the user, re-issue) runs" test $? -eq 0
check "... nothing pending" test "$(tail -n 1 rb6.out)" = 0
check "... the new phone reads the notes" test "$(reads ada_phone2 ada_phone2)" = 3

# ---- A departed member ----
check "before: bob's phone reads the notes" test "$(reads bob_phone bob_phone)" = 3
run 7
check "departed member, block 1 (revoke, unbind) runs" test $? -eq 0
check "... dr_bob is listed revoked" grep -qx 'dr_bob|f|revoked' rb7.out
check "... bob's phone's login is unbound" test "$(q -c "SELECT count(*) FROM secant.bindings")" = 0
check "... bob's phone reads nothing" test "$(reads bob_phone bob_phone)" = 0

# ---- Rotate a group key ----
run 8
check "rotate a group key, block 1 (rotate, rewrap, drop the bridge) runs" test $? -eq 0
check "... every note is under the new key" \
	test "$(q -c "SELECT count(*) FROM notes WHERE pre_recipient(body) <> secant.principal_key('clinic')")" = 0
check "... the new phone reads them" test "$(reads ada_phone2 ada_phone2)" = 3
check "... the old group key opens none" test "$(q -c "SELECT body FROM notes" | as alice secant-pre decrypt --batch --secret-key clinic.key 2>/dev/null | grep -c '"ok":true')" = 0

# ---- Rotate the server key ----
OLDID=$(q -c "SELECT encode(secant.server_key_id(), 'hex')")
run 9
check "rotate the server key, block 1 runs" test $? -eq 0
check "... no grant left under the old key" grep -qx 0 rb9.out
check "... the server key changed" test "$(q -c "SELECT encode(secant.server_key_id(), 'hex')")" != "$OLDID"
check "... the previous key is no longer configured" test -z "$(q -c "SHOW secant_pre.previous_server_key_file")"
check "... the new phone still reads" test "$(reads ada_phone2 ada_phone2)" = 3

# ---- Restore a dump ----
run 10
check "restore a dump, block 1 (dump, restore, adopt, check) runs" test $? -eq 0
check "... chain intact, no difference" test "$(grep -cxE ' *t *| *0 *' rb10.out)" -ge 2
check "... the restored copy re-encrypts" test "$(QDB=clinic_restored reads ada_phone2 ada_phone2)" = 3

# ---- README: the client path, in a database and a directory of its own ----
pgc_psql "$DIR" "$PORT" -c "CREATE DATABASE readme" >/dev/null
QDB=readme q -c "CREATE EXTENSION secant_pre" >/dev/null
mkdir readme && mv rm?.sh readme/ && { [ "$(id -u)" -ne 0 ] || chown postgres readme; }
cd readme || exit 1
for i in 1 2 3; do
	BLOCKDB=readme as postgres bash -e -o pipefail "rm$i.sh" >"rm$i.out" 2>&1
	check "README client path, block $i runs" test $? -eq 0 || sed 's/^/#   /' "rm$i.out"
done
check "... the phone reads the note" test "$(tail -n 1 rm3.out)" = "HbA1c 7.9 %"
tap_finish
