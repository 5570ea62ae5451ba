#!/usr/bin/env bash
# test/bench/rotation.sh - the cost of key rotation on ROTATION_ROWS (100 000)
# stored records of a group, each shared once (a copy in secant.copies) to
# a member's device: what each rotation's one SQL call costs (it deletes
# the copies made through the dropped grants), a read through the bridge
# against a read of a new record, and the client's rewrap of every record
# (export, secant-pre rewrap, \copy and UPDATE).  Prints a Markdown
# table (make bench: build/bench/rotation.md).  Opt-in: BENCH_ONLY=rotation make bench (or run
# it against a running cluster: PGHOST/PGPORT/PGUSER a superuser, the CLI
# built in the source tree).  Keys are made on the server here (a
# benchmark shortcut; the grants are sealed on the server, the client
# side of a rotation is the CLI's and costs milliseconds).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${ROTATION_ROWS:-100000}
DB=secant_pre_bench_rotation
T=$(mktemp -d)
umask 077
trap 'rm -rf "$T"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $DB "$@"; }
now() { date +%s.%N; }
# timed LABEL COMMAND...: run it, print "LABEL<TAB>seconds"
timed() {
	local label=$1 t0 t1
	shift
	t0=$(now)
	"$@" >/dev/null || { echo "failed: $label" >&2; exit 1; }
	t1=$(now)
	printf '%s\t%.2f\n' "$label" "$(echo "$t1 - $t0" | bc)" | tee -a "$T/times" >&2
}
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
q <<'SQL' || exit 1
CREATE EXTENSION secant_pre;
CREATE TABLE k (name text PRIMARY KEY, kind text, sk pre_secret_key);
INSERT INTO k SELECT n, kd, pre_keygen() FROM (VALUES ('ward', 'group'), ('ann', 'user'), ('ben', 'user'),
    ('ann_phone', 'device'), ('ben_phone', 'device'), ('ward_v2', 'group'), ('ann_v2', 'user'),
    ('ann_phone_v2', 'device')) AS v(n, kd);
CREATE FUNCTION sk(n text) RETURNS pre_secret_key LANGUAGE sql AS $$ SELECT sk FROM k WHERE name = n $$;
CREATE FUNCTION sg(f text, t pre_public_key) RETURNS pre_sealed_grant LANGUAGE sql
    AS $$ SELECT secant.seal_grant_on_server(pre_grant(sk(f), t)) $$;
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k WHERE name NOT LIKE '%_v2';
SELECT count(secant.add_grant(sg(a, secant.principal_key(b))))
FROM (VALUES ('ward', 'ann'), ('ward', 'ben'), ('ann', 'ann_phone'), ('ben', 'ben_phone')) AS v(a, b);
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL, recipient pre_public_key NOT NULL);
SELECT secant.enable_sharing('note_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
SELECT secant.rotate_index_key('ward', pre_encrypt(secant.principal_key('ward'), gen_random_uuid()::text::bytea));
SQL
q -c "INSERT INTO notes SELECT i, pre_encrypt(secant.principal_key('ward'), repeat('x', 200)) FROM generate_series(1, $N) i" || exit 1
share() { q -c "TRUNCATE note_shares" -c "INSERT INTO note_shares (note_id, recipient) SELECT id, secant.principal_key('ann_phone') FROM notes"; }
timed "share every record to a device (setup, $N copies)" share
timed "rotate_group ($N copies deleted)" q -c "SELECT * FROM secant.rotate_group('ward', pre_public_key(sk('ward_v2')),
    sg('ward', pre_public_key(sk('ward_v2'))), ARRAY[sg('ward_v2', secant.principal_key('ann'))],
    pre_encrypt(pre_public_key(sk('ward_v2')), gen_random_uuid()::text::bytea))"
[ "$(q -c "SELECT count(*) FROM secant.copies")" = 0 ] || { echo "copies left after rotate_group" >&2; exit 1; }
timed "read $N old records through the bridge (level 4)" q -c "SELECT count(secant.reencrypt_for(body, 'ann_phone')) FROM notes"
q -c "INSERT INTO notes SELECT $N + i, pre_encrypt(secant.principal_key('ward'), repeat('x', 200)) FROM generate_series(1, $N) i"
timed "read $N new records (level 3)" q -c "SELECT count(secant.reencrypt_for(body, 'ann_phone')) FROM notes WHERE id > $N"
q -c "DELETE FROM notes WHERE id > $N"
timed "share again (setup, through the bridge)" share
timed "rotate_user ($N copies deleted)" q -c "SELECT * FROM secant.rotate_user('ann', pre_public_key(sk('ann_v2')),
    ARRAY[sg('ann_v2', secant.principal_key('ann_phone'))])"
q -c "SELECT secant.add_grant(sg('ward_v2', secant.principal_key('ann')))" >/dev/null
timed "share again (setup)" share
timed "rotate_device ($N copies deleted)" q -c "SELECT * FROM secant.rotate_device('ann_phone', pre_public_key(sk('ann_phone_v2')),
    ARRAY[sg('ann_v2', pre_public_key(sk('ann_phone_v2')))])"
timed "rotate_device, no copies" q -c "UPDATE k SET sk = pre_keygen() WHERE name = 'ann_phone'" \
	-c "SELECT * FROM secant.rotate_device('ann_phone', pre_public_key(sk('ann_phone')),
    ARRAY[sg('ann_v2', pre_public_key(sk('ann_phone')))])"
# the client's rewrap: the old group key in a file, as on the admin's client
q -c "SELECT sk FROM k WHERE name = 'ward'" >"$T/ward.key"
NEW=$(q -c "SELECT secant.principal_key('ward')")
OLD=$(q -c "SELECT pre_public_key(sk) FROM k WHERE name = 'ward'")
timed "rewrap: export $N records" sh -c "psql -X -q -At -F '$(printf '\t')' -d $DB -c \"SELECT id, body FROM notes WHERE pre_recipient(body) = '$OLD'\" > '$T/old.tsv'"
# its bound, per record in CPU time (test/bench/rewrap_bound.c), just before
cc -O2 -Isrc/core -o "$T/rewrap_bound" "$ROOT/test/bench/rewrap_bound.c" \
	$(cd "$ROOT" && make -s --no-print-directory -f src/core/core.mk print-core-srcs | sed "s|src/|$ROOT/src/|g") \
	-lsodium -lutf8proc -I"$ROOT/src/core" || exit 1
"$T/rewrap_bound" 2000 >"$T/bound" || exit 1
# one worker, then two (the ratio is the speed-up of -j 2), then the default
# (-j: the number of cores), whose output is stored; each also in CPU time
# (user + sys), per record: the machine may be shared
# rewrap_cpu J: secant-pre rewrap -j J (J empty: the default), its CPU
# seconds into $T/cpu_J
rewrap_cpu() {
	/usr/bin/time -f '%U %S' -o "$T/cpu_$1" "$ROOT/secant-pre" rewrap "$NEW" --secret-key "$T/ward.key" \
		${1:+-j "$1"} -q <"$T/old.tsv" >"$T/new.tsv"
}
timed "rewrap: secant-pre rewrap -j 1, $N records" rewrap_cpu 1
timed "rewrap: secant-pre rewrap -j 2, $N records" rewrap_cpu 2
timed "rewrap: secant-pre rewrap $N records" rewrap_cpu ""
timed "rewrap: \\copy and UPDATE $N records, drop the bridge" q -c "CREATE TEMP TABLE moved (id int, body pre_ciphertext)" \
	-c "\\copy moved FROM '$T/new.tsv'" -c "UPDATE notes n SET body = m.body FROM moved m WHERE m.id = n.id" \
	-c "SELECT secant.drop_bridges('ward')"
[ "$(q -c "SELECT count(*) FROM notes WHERE pre_recipient(body) <> secant.principal_key('ward')")" = 0 ] ||
	{ echo "records left under the old key" >&2; exit 1; }
echo "$N stored records of a group, each shared once to a device."
echo
echo "| step | seconds |"
echo "| --- | --- |"
sed 's/\t/ | /; s/^/| /; s/$/ |/' "$T/times"
# the rewrap per record in CPU time against its bound
python3 - "$T" "$N" <<'PY'
import sys
t, n = sys.argv[1], int(sys.argv[2])
b = dict(l.split() for l in open(t + "/bound"))
cpu = {j: sum(map(float, open("%s/cpu_%s" % (t, j)).read().split()[-2:])) / n * 1e6 for j in ("1", "2", "")}
w = dict(l.split("\t") for l in open(t + "/times"))
wall = [float(v) for k, v in w.items() if k.startswith("rewrap: secant-pre rewrap -j")]
bound, valid = float(b["bound_us"]), float(b["validated_us"])
print()
print("| rewrap, per record (CPU time, user + sys) | µs | bound / it |")
print("| --- | ---: | ---: |")
print("| bound: decrypt + encrypt (`rewrap_bound.c`) | %.0f | |" % bound)
print("| the same, each record validated first, keys checked once | %.0f | %.0f %% |" % (valid, 100 * bound / valid))
for j, label in (("1", "-j 1"), ("2", "-j 2"), ("", "default -j")):
    print("| `secant-pre rewrap %s` | %.0f | %.0f %% |" % (label, cpu[j], 100 * bound / cpu[j]))
print()
print("Wall clock from 1 to 2 workers: %.2f× (the target ≥ 1.7× needs two idle cores)." % (wall[0] / wall[1]))
PY
