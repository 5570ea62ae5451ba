#!/usr/bin/env bash
# test/attacks/copy_update.sh - a copy made under 0.5.0 is not a second
# live database after the 0.6.0 update (issue 30, item 2): 0.5.0 did not
# record which database an identity belongs to, so the update lets a
# database claim it.  The first database of the cluster to claim an
# identity keeps it; the second (a copy made under 0.5.0: TEMPLATE, or a
# restore into another database) starts closed, naming its first claimer,
# until an admin adopts it with an identity of its own.  The claims are in
# the shared catalog (ALTER DATABASE ... SET secant_pre.identity_claim, a
# hash of the identity), which only a superuser writes; a marker can only
# close a database, never open one.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
A=atk_cu_orig
B=atk_cu_copy
C=atk_cu_copy2
D=atk_cu_first
E=atk_cu_firstcopy

# old_db NAME: a database owned by atk_owner with secant_pre 0.5.0 and the
# clinic fixture loaded under 0.5.0 (keys, grants sealed for its identity)
old_db() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1
	su_sql postgres -c "CREATE DATABASE $1 OWNER atk_owner" >/dev/null || return 1
	ATK_DBS="$ATK_DBS $1"
	su_sql "$1" -c "CREATE EXTENSION secant_pre VERSION '0.5.0'" >/dev/null &&
		su_sql "$1" -f "$ROOT/test/fixtures/clinic.sql" >/dev/null 2>&1 &&
		su_sql "$1" -c "SELECT secant.bind('ada_phone', 'atk_plain')" >/dev/null
}
copy_of() { # copy_of ORIGINAL COPY: CREATE DATABASE COPY TEMPLATE ORIGINAL
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" >/dev/null 2>&1
	su_sql postgres -c "CREATE DATABASE $2 TEMPLATE $1 OWNER atk_owner" >/dev/null && ATK_DBS="$ATK_DBS $2"
}
update() { su_sql "$1" -c "SET client_min_messages = error; ALTER EXTENSION secant_pre UPDATE"; }
setup_admin() {
	su_sql "$1" -c "GRANT secant_admin TO atk_admin" >/dev/null 2>&1
	su_sql "$1" -c "SELECT secant.grant_capability('atk_admin', 'admin')" >/dev/null
}
read_note() { # read_note DB: note 1 re-encrypted for ada_phone by its bound login
	as atk_plain "$1" -c "SELECT pre_level(secant.reencrypt_for(body, secant.principal_key('ada_phone'))) FROM notes WHERE id = 1"
}
id_of() { su_sql "$1" -c "SELECT encode(id, 'hex') FROM secant.database_identity"; }
oid_of() { su_sql postgres -c "SELECT oid FROM pg_database WHERE datname = '$1'"; }
claim_of() { # the identity claim recorded for database $1 in the shared catalog
	su_sql postgres -c "SELECT substr(c, length('secant_pre.identity_claim=') + 1)
		FROM pg_db_role_setting s, unnest(s.setconfig) c
		WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = '$1')
		  AND c LIKE 'secant_pre.identity_claim=%'"
}
closed="copy of a secant_pre database|adopt_database"

check "0.5.0: the original, with grants sealed for its identity" old_db $A
check "0.5.0: a copy (CREATE DATABASE ... TEMPLATE) and a second one" eval "copy_of $A $B && copy_of $A $C"
check "the copy's owner (no superuser) cannot run the update itself (a superuser created the untrusted extension)" fails atk_owner $B \
	"ALTER EXTENSION secant_pre UPDATE" "must be owner of extension|permission denied|must be superuser"
check "the original, updated first" update $A
check "the copy, updated second" update $B
check "original: the phone's login reads (level 3)" equals 3 read_note $A
check "copy: the phone's login reads nothing (closed)" fails atk_plain $B \
	"SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" "$closed"
check "copy: a superuser's read is refused too" fails postgres $B \
	"SELECT secant.reencrypt_for(body, secant.principal_key('dr_bob')) FROM notes WHERE id = 1" "$closed"
check "copy: no grant is sealed for the shared identity" fails postgres $B \
	"SELECT secant.seal_grant_on_server(pre_grant(fixture_sk('dr_bob'), secant.principal_key('bob_phone')))" "$closed"
check "copy: its identity names the original (the first claimer)" equals "$(oid_of $A)" \
	su_sql $B -c "SELECT database_oid FROM secant.database_identity"
check "original: its claim is in the shared catalog, a hash, not the identity" \
	eval '[ "$(claim_of '$A' | wc -c)" -eq 65 ] && [ "$(claim_of '$A')" != "$(id_of '$A')" ]'
check "copy: no claim of its own" equals "" claim_of $B

# the markers: only a superuser writes them; the owners of either database
# cannot remove, forge or move them
check "original's owner cannot remove the claim" fails atk_owner $A \
	"ALTER DATABASE $A RESET secant_pre.identity_claim" "permission denied"
as atk_owner $A -c "ALTER DATABASE $A RESET ALL" >/dev/null 2>&1
check "original's owner: RESET ALL keeps the claim" equals 65 eval "claim_of $A | wc -c"
check "copy's owner cannot claim the identity for the copy" fails atk_owner $B \
	"ALTER DATABASE $B SET secant_pre.identity_claim = '$(claim_of $A)'" "permission denied"
check "a plain login cannot set the claim in a session" fails atk_plain $B \
	"SET secant_pre.identity_claim = '$(claim_of $A)'" "permission denied"
check "the claim is a reserved name: no other secant_pre.* placeholder" fails postgres $B \
	"SET secant_pre.no_such_setting = 'x'" "reserved|invalid configuration parameter"

# adoption: not as a moved database while the original is live; with an
# identity of its own, audited
setup_admin $B
check "copy: adopting it as moved (keeping the identity) is refused: the original is live" \
	fails atk_admin $B "SELECT secant.adopt_database(new_identity => false)" "$A|claimed|live"
check "copy: an admin adopts it with an identity of its own" equals 4 as atk_admin $B -c "SELECT secant.adopt_database()"
check "copy, adopted: reads work" equals 3 read_note $B
check "copy, adopted: a claim of its own, not the original's" \
	eval '[ -n "$(claim_of '$B')" ] && [ "$(claim_of '$B')" != "$(claim_of '$A')" ]'
check "original: still works, identity unchanged" equals 3 read_note $A

# a third copy updated after the second's adoption: closed all the same
check "the second copy, updated after the adoption" update $C
check "second copy: closed, naming the original" fails atk_plain $C \
	"SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" "$closed"

# the other order: the copy updated first keeps the identity, the original
# updated second is the one that starts closed
check "0.5.0: another database and its copy" eval "old_db $D && copy_of $D $E"
check "the copy, updated first" update $E
check "the original, updated second" update $D
check "copy updated first: reads" equals 3 read_note $E
check "original updated second: closed" fails atk_plain $D \
	"SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" "$closed"
# once the first claimer is gone, the database moved: it keeps its identity
psql -X -q -d postgres -c "DROP DATABASE $E WITH (FORCE)" >/dev/null 2>&1
setup_admin $D
check "first claimer dropped: the original adopts its identity back (moved)" equals 0 \
	as atk_admin $D -c "SELECT secant.adopt_database(new_identity => false)"
check "original, adopted as moved: reads" equals 3 read_note $D

# the class, over the catalog: no role may set a secant_pre parameter but
# superusers, and every live identity of every database of the cluster is
# claimed for its database (a hash of it, in the shared catalog)
check "no role was granted SET on a secant_pre parameter (pg_parameter_acl)" equals 0 \
	su_sql postgres -c "SELECT count(*) FROM pg_parameter_acl WHERE parname LIKE 'secant_pre.%'"
unclaimed=""
for db in $(su_sql postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"); do
	live=$(su_sql "$db" -c "SELECT secant_internal.identity_claim(i.id) FROM secant.database_identity i
		WHERE i.database_oid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND i.system_identifier = (SELECT system_identifier FROM pg_control_system())" 2>/dev/null) || continue
	[ -z "$live" ] || [ "$(claim_of "$db")" = "$live" ] || unclaimed="$unclaimed $db"
done
check "every live identity of the cluster is claimed for its database" eq "$unclaimed" ""
atk_summary
