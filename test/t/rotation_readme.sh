#!/usr/bin/env bash
# test/t/rotation_readme.sh - the key rotation worked example of
# docs/OPERATIONS.md (a departed member, a lost phone), its shell blocks run
# as they are written (taken from docs/OPERATIONS.md), with secant-pre and psql on a clinic made here.
#
# Where: the running cluster (PGHOST/PGPORT/PGUSER, a superuser), as `make
# test` provides; the CLI built in the source tree.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
DB=secant_pre_rotation_readme
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
mkdir "$T/bin" && ln -s "$ROOT/secant-pre" "$T/bin/secant-pre"
export PATH="$T/bin:$PATH" PGDATABASE=$DB
cd "$T" || exit 1
umask 077
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# the doc's blocks of the worked example, one file each
/usr/bin/python3 - "$ROOT/docs/OPERATIONS.md" <<'PY' || exit 1
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
sec = s.split("### Worked example: a departed member, a lost phone", 1)[1].split("\n## ", 1)[0]
for i, b in enumerate(re.findall(r"```sh\n(.*?)```", sec, re.S), 1):
    open("block%d.sh" % i, "w").write(b)
print(i)
PY
check "docs/OPERATIONS.md has the three blocks of the worked example" test -s block3.sh -a ! -e block4.sh

# the clinic before: keys on clients, sealed grants, notes, an index key
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -c "CREATE EXTENSION secant_pre" || exit 1
for k in clinic dr_ada dr_bob ada_phone ada_tablet bob_phone; do secant-pre keygen -o $k.key; done
secant-pre index-keygen -o clinic-index.v1.key
SEAL=$(q -c "SELECT secant.server_public_key()")
pk() { secant-pre pubkey --secret-key "$1.key"; }
for p in clinic:group dr_ada:user dr_bob:user ada_phone:device ada_tablet:device bob_phone:device; do
	q -c "SELECT secant.add_principal('${p%%:*}', '${p##*:}', '$(pk ${p%%:*})')" >/dev/null
done
for g in clinic:dr_ada clinic:dr_bob dr_ada:ada_phone dr_ada:ada_tablet dr_bob:bob_phone; do
	q -c "SELECT secant.add_grant('$(secant-pre grant "$(pk ${g##*:})" --secret-key ${g%%:*}.key --seal-to "$SEAL")')" >/dev/null
done
q -c "CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL)"
for i in 1 2 3; do
	q -c "INSERT INTO notes VALUES ($i, '$(printf 'old note %s' $i | secant-pre encrypt "$(pk clinic)")')"
done
q -c "SELECT secant.rotate_index_key('clinic', '$(xxd -r -p clinic-index.v1.key | secant-pre encrypt "$(pk clinic)")')" >/dev/null

# read ID FOR KEY: the note re-encrypted for a device, decrypted on it
read_note() { q -c "SELECT secant.reencrypt_for(body, '$2') FROM notes WHERE id = $1" | secant-pre decrypt --secret-key "$3.key"; }
check "before: bob's phone reads the clinic's notes" test "$(read_note 1 bob_phone bob_phone)" = "old note 1"

# block 1: dr_bob left, the clinic rotates
bash -e block1.sh >block1.out 2>&1
check "block 1 (rotate group) runs" test $? -eq 0
check "block 1 prints the rotation's result (two grants dropped, two added, index key 2)" \
	grep -qE '^ *prepk_[A-Za-z0-9_-]+ \| +2 \| +0 \| +2 \| +0 \| +2$' block1.out
q -c "INSERT INTO notes VALUES (10, '$(printf 'new note' | secant-pre encrypt "$(q -c "SELECT secant.principal_key('clinic')")")')"
check "ada's tablet reads an old note through the bridge" test "$(read_note 1 ada_tablet ada_tablet)" = "old note 1"
check "... and the new one" test "$(read_note 10 ada_tablet ada_tablet)" = "new note"
check "bob's phone reads neither" test -z "$(read_note 10 bob_phone bob_phone 2>/dev/null)$(read_note 1 bob_phone bob_phone 2>/dev/null)"

# block 2: the records at rest move, the bridge goes
bash -e block2.sh >block2.out 2>&1
check "block 2 (rewrap, drop the bridge) runs" test $? -eq 0
check "every note is under the new key now" test "$(q -c "SELECT count(*) FROM notes WHERE pre_recipient(body) <> secant.principal_key('clinic')")" = 0
check "no grant out of a retired key is left" test "$(q -c "SELECT count(*) FROM secant.grants g JOIN secant.principal_keys k ON k.public_key = g.from_key WHERE k.retired_at IS NOT NULL")" = 0
check "the tablet reads the rewrapped note" test "$(read_note 2 ada_tablet ada_tablet)" = "old note 2"
check "the old key opens no rewrapped note" test -z "$(q -c "SELECT body FROM notes WHERE id = 2" | secant-pre decrypt --secret-key clinic.key 2>/dev/null)"

# block 3: dr_ada lost her phone
bash -e block3.sh >block3.out 2>&1
check "block 3 (rotate user, re-issue) runs" test $? -eq 0
check "block 3 showed the pending re-issue" grep -qx 'clinic|dr_ada' block3.out
check "nothing pending after the re-issue" test "$(q -c "SELECT count(*) FROM secant.pending_reissues")" = 0
check "the tablet reads old and new notes" test "$(read_note 3 ada_tablet ada_tablet)|$(read_note 10 ada_tablet ada_tablet)" = "old note 3|new note"
check "the lost phone reads nothing" test -z "$(read_note 10 ada_phone ada_phone 2>/dev/null)"
check "the tablet gets the new index key (the old version went with the bridge)" test \
	"$(q -c "SELECT string_agg(version::text, ',') FROM secant.index_keys_for('clinic', 'ada_tablet')")" = 2
check "... and it is the new index key" test \
	"$(q -c "SELECT key_ct FROM secant.index_keys_for('clinic', 'ada_tablet') WHERE version = 2" | secant-pre decrypt --secret-key ada_tablet.key | od -An -tx1 | tr -d ' \n')" = "$(cat clinic-index.v2.key | tr -d '\n')"
check "audit log and tables agree" test "$(q -c "SELECT count(*) FROM secant.audit_check()")" = 0
tap_finish
