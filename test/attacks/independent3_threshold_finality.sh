#!/usr/bin/env bash
# test/attacks/independent3_threshold_finality.sh - finality
# (docs/SECURITY.md, "Finality": once secant.unbind has committed no
# session gets another re-encryption on the strength of the binding, "not
# even a statement that was already running"; a reader locks the bindings
# it relies on, so unbind(wait => false) fails at once, 55P03) does not
# hold for secant.reencrypt_threshold: its check
# secant_internal.asking_may_obtain(target) reads secant.bindings without
# the reader's lock, once, before asking the nodes.  A revoked device's
# login whose threshold read is running (a slow node: a lock held on node
# 1 here) is unbound with wait => false, which succeeds at once, and the
# read then returns the re-encrypted notes anyway.  Starts three clusters
# of its own (test/threshold/lib.sh).  Each check asserts the safe outcome.
# Ends with "N passed, M failed".
set -uo pipefail
THRESHOLD_PORT=${THRESHOLD_PORT:-55595}
. "$(dirname "$0")/../threshold/lib.sh"
trap stop_all EXIT
trap 'exit 130' INT TERM

start_clusters 3 || { echo "could not start the clusters"; echo "0 passed, 1 failed"; exit 1; }
on 1 postgres >/dev/null <<-SQL
	CREATE ROLE reader LOGIN;
	\c coord
	CREATE TABLE keys AS
	SELECT name, kind, pre_keygen() AS sk
	FROM (VALUES ('cardiology', 'group'), ('dr_ada', 'user')) AS v(name, kind);
	SELECT secant.add_principal(name, kind, pre_public_key(sk)) FROM keys ORDER BY name;
	SELECT secant.bind('dr_ada', 'reader');
	GRANT SELECT ON keys TO reader;
	CREATE TABLE notes (id integer PRIMARY KEY, body pre_ciphertext);
	INSERT INTO notes SELECT i, pre_encrypt(pre_public_key(k.sk), 'note ' || i)
	FROM generate_series(1, 2) i, keys k WHERE k.name = 'cardiology';
	GRANT SELECT ON notes TO PUBLIC;
SQL
split cardiology dr_ada 2/3 1 2 3 >/dev/null
READ="SELECT 'read:' || string_agg(pre_decrypt_text(c, (SELECT sk FROM keys WHERE name = 'dr_ada')), ',')
      FROM unnest(secant.reencrypt_threshold(ARRAY(SELECT body FROM notes ORDER BY id),
                  (SELECT pre_public_key(sk) FROM keys WHERE name = 'dr_ada'))) c"
check "control: the reader (bound to dr_ada) reads the notes through the nodes" \
	eq "$(on 1 coord -U reader -At -c "$READ" 2>&1)" "read:note 1,note 2"

# node 1 slow for 5 s; the reader's read starts, waits for it; meanwhile
# the admin unbinds the reader with wait => false
on 1 node -c "BEGIN; LOCK TABLE secant.grant_shares IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(5); COMMIT" >/dev/null 2>&1 &
LOCKER=$!
sleep 1
on 1 coord -U reader -At -c "$READ" >"$WORK/read.out" 2>&1 &
READER=$!
sleep 1.5
UNBIND=$(q 1 coord "SELECT secant.unbind('dr_ada', 'reader', wait => false)")
wait "$LOCKER"
wait "$READER"
READOUT=$(cat "$WORK/read.out")
check "unbind(wait => false) fails at once (55P03) while a threshold read relying on the binding runs" \
	eq "$(grep -c 'in use\|could not obtain\|55P03\|lock' <<<"$UNBIND")" 1
if [ "$UNBIND" = t ]; then
	check "the threshold read that was running when the unbind committed gets no re-encryption" \
		eq "$(grep -c '^read:note' <<<"$READOUT")" 0
fi
printf '  # unbind: %s\n  # reader: %s\n' "$UNBIND" "$READOUT"
check "control: after the unbind, a new threshold read is refused" \
	eq "$(on 1 coord -U reader -At -c "$READ" 2>&1 | grep -c 'may not obtain')" 1

tap_summary
