#!/usr/bin/env bash
# test/attacks/independent6_role_churn.sh - a plain login cannot make other
# sessions' reads look their grant paths up again.
#
# src/pg/grant_path.c registers roles_changed() for every change of
# pg_authid and pg_auth_members (syscache callbacks AUTHOID and
# AUTHMEMROLEMEM): any committed change of any role, in any database of the
# cluster (they are shared catalogs), bumps grants_generation, the one
# counter that also invalidates the statement's path caches (path_hit, the
# table of the statement's paths, the hop chains checked) and every path
# the backend keeps across statements (path_kept.c).  The caller's
# decision does depend on roles, the grant path does not, yet both go.
# A role with no privilege at all may change its own password
# (ALTER ROLE self PASSWORD 'md5...': a pre-hashed value costs nothing to
# store), so a plain login of any database can, at its commit rate, make
# every reader of the cluster redo for its next row the whole lookup
# (secant.path as the owner, the grants locked, read again and opened with
# the server key) that a statement otherwise does once, and empty every
# backend's kept paths.  (Measured while writing this: a 3 000-row
# reencrypt_for statement did 35 to 55 lookups instead of 1 while one
# plain login looped over such ALTER ROLEs, with two cores.)
#
# Role: a plain login (atk_plain), its own password only.  Deterministic:
# the reader waits at its second row (lib.sh, take_away_during) while the
# password change commits; the lookups of its statement are counted with
# track_functions (secant.path's calls).
#
# Safe outcome: a role change that concerns neither the reader nor its
# bindings leaves its path looked up once for the statement (the caller's
# decision may be checked again; the path need not be searched again).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk6_churn
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk6_dev') THEN CREATE ROLE atk6_dev LOGIN; END IF;
END $$;
SQL
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk6_dev')" >/dev/null
su_sql postgres -c "ALTER DATABASE $DB SET track_functions = 'pl'" >/dev/null
READ="SELECT pre_level(secant.reencrypt_for(n.body, 'ada_phone')) FROM notes n WHERE n.id <= 3 AND wait_at(n.id) > 0;
SELECT 'lookups ' || pg_stat_get_xact_function_calls('secant.path(pre_public_key,pre_public_key,integer)'::regprocedure);"
lookups() { grep -E '^lookups ' <<<"$T_OUT"; }

take_away_during atk6_dev "$READ" "SELECT 1"
check "control: the reader's statement (3 rows) looks its path up once" equals "lookups 1" lookups
check "control: it re-encrypts its 3 rows" equals 3 grep -c '^3$' <<<"$T_OUT"

# the plain login changes its own password while the reader waits
take_away_during atk6_dev "$READ" "SET ROLE atk_plain; ALTER ROLE atk_plain PASSWORD 'md5$(printf '%032d' 6)'; RESET ROLE"
check "the password change was the plain login's own (it committed)" equals "md5$(printf '%032d' 6)" \
	su_sql postgres -c "SELECT rolpassword FROM pg_authid WHERE rolname = 'atk_plain'"
check "a plain login's password change does not make the reader look its path up again" equals "lookups 1" lookups

su_sql postgres -c "ALTER ROLE atk_plain PASSWORD NULL" >/dev/null
atk_summary
