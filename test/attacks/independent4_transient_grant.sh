#!/usr/bin/env bash
# test/attacks/independent4_transient_grant.sh - a grant that never
# commits gives no path to a later statement.
#
# A backend keeps the paths it looks up across statements
# (src/pg/path_kept.c); a kept path is dropped when secant.grants changes
# (the statement trigger grants_changed, and the relcache invalidation it
# queues, which PostgreSQL also runs locally when the transaction aborts).
# But when a statement inserts a grant and reads through it before its
# AFTER STATEMENT trigger fires (a data-modifying WITH: the read's lookup
# sees the row after SPI's command counter increment), and then fails,
# the trigger never runs and nothing is queued: the path through the grant
# that was rolled back stays kept, and the next statement of the session
# re-encrypts through a grant that never existed in any committed state
# (not audited either: the audit row went with the rollback).
#
# Roles: an admin of the database bound to a device principal (it inserts
# grants; its reads are checked like anyone's).  The grant dr_ada ->
# atk4_tab is one a delegator made but that never committed.  Also: the
# same with a savepoint rolled back, and with a plain ROLLBACK of a
# transaction whose insert and read were separate statements (both hold).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk4_transient
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
INSERT INTO fixture_keys SELECT 'atk4_tab', 'device', pre_keygen();
SELECT secant.add_principal('atk4_tab', 'device', pre_public_key(fixture_sk('atk4_tab')));
SELECT secant.bind('atk4_tab', 'atk_admin');
SQL
# the grant the delegator made (not stored): the admin holds it
G=$(su_sql $DB -c "SELECT pre_grant(fixture_sk('dr_ada'), secant.principal_key('atk4_tab'))")
READ="SELECT count(secant.reencrypt_for(body, 'atk4_tab')) AS reads FROM notes;"

check "without the grant the admin's login gets no path" fails atk_admin $DB "$READ" "no active grant path"

# session SQL...: one psql session of the admin; each statement's output or
# error (without DETAIL, HINT, CONTEXT lines)
session() {
	printf '%s\n' "$@" | psql -X -q -At -U atk_admin -d $DB 2>&1 |
		grep -Ev '^ *$|^(DETAIL|HINT|CONTEXT): ' |
		sed 's/^psql:<stdin>:[0-9]*: //'
}
# no_path OUTPUT: the last line is the refusal
no_path() {
	tail -n 1 <<<"$1" | grep -E '^ERROR: .*no active grant path' >/dev/null ||
		{ echo "  last read not refused: $(printf '%s' "$1" | tr '\n' ' ')" >&2; return 1; }
}

# -- one statement: insert, read through it, then fail (division by zero)
OUT=$(session \
	"WITH g AS (INSERT INTO secant.grants (rekey) VALUES ('$G') RETURNING id)
	 SELECT count(secant.reencrypt_for(n.body, 'atk4_tab')) / 0 FROM g, notes AS n;" \
	"$READ")
check "the failed statement read through the uncommitted grant (setup)" \
	fails_text "$(printf '%s\n' "$OUT" | head -n 1)" "division by zero"
check "a failed statement's uncommitted grant gives the next statement no path" no_path "$OUT"
check "the grant is not in the table" equals 0 su_sql $DB -c \
	"SELECT count(*) FROM secant.grants WHERE to_key = secant.principal_key('atk4_tab')"

# -- the same inside a transaction, the failing statement in a savepoint
OUT=$(session "BEGIN;" "SAVEPOINT s;" \
	"WITH g AS (INSERT INTO secant.grants (rekey) VALUES ('$G') RETURNING id)
	 SELECT count(secant.reencrypt_for(n.body, 'atk4_tab')) / 0 FROM g, notes AS n;" \
	"ROLLBACK TO SAVEPOINT s;" "$READ" "ROLLBACK;")
check "a savepoint rolled back: no path after it" \
	fails_text "$(printf '%s\n' "$OUT" | grep -v 'current transaction is aborted' | sed -n '2p')" "no active grant path"

# -- separate statements, then ROLLBACK (the invalidation is run locally)
OUT=$(session "BEGIN;" "INSERT INTO secant.grants (rekey) VALUES ('$G');" "$READ" "ROLLBACK;" "$READ")
check "insert, read, ROLLBACK: the read in the transaction worked (setup)" \
	equals 5 printf '%s' "$(printf '%s\n' "$OUT" | head -n 1)"
check "insert, read, ROLLBACK: no path after it" no_path "$OUT"

atk_summary
