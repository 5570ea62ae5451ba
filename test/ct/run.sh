#!/bin/sh
# test/ct/run.sh - constant-time check of the core under valgrind memcheck
# (test/ct/ctgrind.c marks secrets undefined; memcheck reports every branch
# or memory index that depends on them).
#
#   BUILD_DIR  where to build (default build/ct)
#
# Lists each reported site once, with the section where it first occurred.
# Memcheck reports a site only once, so later sections that reach the same
# line stay quiet.  Expected (reviewed) findings: conditional jumps in
# src/core/sp_core.c on the validity of a result (zero scalar, identity point,
# canonical scalar); in src/core/sp_threshold.c, in the functions that check
# results (split_check, sp_tshare_split, split_one, sp_tshare_open, prove,
# sp_tpartial: a zero share or nonce, an identity point, a sealed box that
# does not open, a share off its commitments; sp_tshare_open_sealed, which
# sp_tshare_open calls: the server key's validity, its public key id
# against the sealed part's (a key id that is not this key's), the box
# opening, the public key id and database identity inside against the
# expected ones, rk_i canonical and rk_i·G = U_i; sp_tshare_reseal: rk_i
# canonical and non-zero; never in the arithmetic of poly_at, proof_nonce,
# commitment_at, hs_final); the tag checks in
# libsodium's crypto_aead_xchacha20poly1305_ietf_decrypt_detached and
# crypto_secretbox_open_detached (a sealed box), and X25519's all-zero
# check in crypto_box_curve25519xsalsa20poly1305_beforenm; and, called from
# sp_grant_validate_cached, libsodium's Ed25519 verification of a grant's
# signature over bytes that hold rk (its variable-time double scalar
# multiplication indexes tables by h = SHA-512(R || A || grant): timing
# shows bits of that hash, not of rk).  Anything else (a branch inside
# libsodium's arithmetic, a secret-dependent memory index or syscall) is
# unexpected and fails.  Skips (exit 0) without valgrind or
# valgrind/memcheck.h.

set -u

. "$(dirname "$0")/../prologue.sh"
cd "$ROOT" || exit 2
BUILD_DIR=${BUILD_DIR:-build/ct}

if ! command -v valgrind > /dev/null 2>&1; then
	echo "ctgrind: skipped (valgrind is not installed)"
	exit 0
fi
if ! echo '#include <valgrind/memcheck.h>' | gcc -E - > /dev/null 2>&1; then
	echo "ctgrind: skipped (valgrind/memcheck.h not found)"
	exit 0
fi

mkdir -p "$BUILD_DIR" || exit 2
python3 test/unit/gen_vectors.py > "$BUILD_DIR/vectors.h.tmp" &&
	mv "$BUILD_DIR/vectors.h.tmp" "$BUILD_DIR/vectors.h" || exit 2
python3 test/vectors/gen_threshold.py --header > "$BUILD_DIR/threshold_vectors.h.tmp" &&
	mv "$BUILD_DIR/threshold_vectors.h.tmp" "$BUILD_DIR/threshold_vectors.h" || exit 2
gcc -std=c99 -O2 -g -Wall -Wextra -Werror -I"$BUILD_DIR" -Isrc/core \
	$(make -s --no-print-directory -f src/core/core.mk print-core-srcs) test/ct/ctgrind.c \
	-o "$BUILD_DIR/ctgrind" -lsodium -lutf8proc || exit 2

log="$BUILD_DIR/ctgrind.log"
valgrind --track-origins=yes --num-callers=20 "$BUILD_DIR/ctgrind" > "$log" 2>&1
rc=$?
grep '^ctgrind:' "$log"

awk '
	# a report: its kind, its top frame, and its first frame outside libsodium
	function report(   key, expected) {
		key = kind " @ " top
		if (key in seen)
			return
		seen[key] = 1
		expected = (kind ~ /^Conditional jump/) &&
			(top ~ /\(sp_core\.c:[0-9]+\)$/ ||
			 top ~ /^(split_check|sp_tshare_split|split_one|sp_tshare_open|sp_tshare_open_sealed|sp_tshare_reseal|prove|sp_tpartial) \(sp_threshold\.c:[0-9]+\)$/ ||
			 top ~ /^(crypto_aead_xchacha20poly1305_ietf_decrypt_detached|crypto_secretbox_open_detached|crypto_box_curve25519xsalsa20poly1305_beforenm) /)
		# Ed25519 verification of a grant whose signed bytes hold rk
		if (top ~ /libsodium/ && own ~ /^sp_grant_validate_cached \(sp_core\.c:[0-9]+\)$/)
			expected = 1
		if (expected) nexp++; else nbad++
		printf "%s  %s\n      at %s\n%s      first in: %s\n",
			expected ? "expected  " : "UNEXPECTED", kind, top,
			own != "" && own != top ? "      from " own "\n" : "", section
	}
	/^=== / { section = substr($0, 5); next }
	/^==[0-9]+==    (at|by) / {
		if (!want)
			next
		loc = $0; sub(/^==[0-9]+==    (at|by) 0x[0-9A-Fa-f]+: /, "", loc)
		if (top == "")
			top = loc
		if (loc !~ /libsodium/) {
			own = loc
			report()
			want = 0
		}
		next
	}
	# the end of a stack that never left libsodium
	want && top != "" { report(); want = 0 }
	/^==[0-9]+== [A-Z]/ {
		kind = $0; sub(/^==[0-9]+== /, "", kind)
		want = kind ~ /^(Conditional jump|Use of uninitialised|Syscall param|Invalid|Mismatched)/
		top = own = ""
		next
	}
	END {
		printf "ctgrind: %d reviewed site(s), %d unexpected\n", nexp, nbad
		exit nbad > 0
	}
' "$log"
bad=$?

if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
	echo "ctgrind: FAILED (program exit $rc; see $log)"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "ctgrind: passed"
echo "1 passed, 0 failed"
