#!/usr/bin/env bash
# test/matrix/run.sh MAJOR... - secant_pre on other PostgreSQL majors
# (`make test-matrix PG="17 18"`).  Per major, a Debian root of the suite
# that carries it (15 bookworm, 17 trixie, 18 sid; test/matrix/root.sh)
# with that major's server, headers and the build dependencies from
# Debian, cached in SECANT_PRE_MATRIX_CACHE (default
# /var/cache/secant-pre-matrix).  Each run copies the source tree into a
# throwaway overlay over that root, builds and installs the extension there
# and runs test/cluster.sh with SECANT_PRE_ONLY set to the SQL regression and
# isolation tests and the attacker suite (MATRIX_ONLY overrides it), against
# a throwaway cluster of that major (as postgres, socket only).  With 17,
# also the way from 15 to 17 (test/matrix/upgrade.sh: needs this machine's
# PostgreSQL 15 with secant_pre installed, as make test leaves it).
# Needs root.  Ends with "N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/test/matrix/root.sh"

[ "$(id -u)" -eq 0 ] || { echo "test/matrix/run.sh: needs root (debootstrap, mount, chroot)" >&2; exit 2; }
[ $# -gt 0 ] || set -- 17 18
if ! command -v debootstrap >/dev/null; then
	[ "${SECANT_PRE_NO_APT:-0}" = 1 ] && { echo "needs debootstrap" >&2; exit 2; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || exit 2
fi

ONLY=${MATRIX_ONLY:-regression|attacker}
PASSED=0
FAILED=0
W=$(mktemp -d /tmp/secant-pre-matrix.XXXXXX)
trap 'rm -rf "$W"' EXIT

for major in "$@"; do
	suite=$(mx_suite "$major") || { FAILED=$((FAILED + 1)); continue; }
	start=$(date +%s)
	mx_layer "pg$major" "$suite" postgresql-"$major" postgresql-server-dev-"$major" \
		libsodium-dev libutf8proc-dev build-essential pkg-config python3 ||
		{ echo "PostgreSQL $major: the root could not be made" >&2; FAILED=$((FAILED + 1)); continue; }
	mx_say "PostgreSQL $major on Debian $suite (root ready after $(($(date +%s) - start)) s)"
	d=$W/pg$major
	mx_copy_tree "$ROOT" "$d/upper/src"
	out=$(mx_run "$d" "$MX_CACHE/layer-pg$major:$MX_CACHE/base-$suite" "
		cd /src && PG_MAJOR=$major SECANT_PRE_NO_APT=1 SECANT_PRE_ONLY='$ONLY' \
			SECANT_PRE_PORT=${SECANT_PRE_PORT:-55432} bash test/cluster.sh test" 2>&1)
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
	else
		p=0 f=1
	fi
	mx_say "PostgreSQL $major: $p passed, $f failed ($(($(date +%s) - start)) s)"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	rm -rf "$d"
done
# the way from 15 to 17 (docs/OPERATIONS.md), when 17 is in the matrix
case " $* " in
	*" 17 "*)
		out=$(bash "$ROOT/test/matrix/upgrade.sh" 17 2>&1)
		printf '%s\n' "$out"
		PASSED=$((PASSED + $(printf '%s\n' "$out" | grep -c '^ok ')))
		FAILED=$((FAILED + $(printf '%s\n' "$out" | grep -c '^not ok ')))
		;;
esac
mx_say "test matrix: PostgreSQL $*"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
