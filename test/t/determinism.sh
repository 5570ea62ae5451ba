#!/usr/bin/env bash
# test/t/determinism.sh - the tests give the same verdict on every run
# (docs/DEVELOPMENT.md, "Deterministic tests"); the cheap part, checked on
# the test sources (test/, examples/, js/test/):
#   - a test that draws from a seedable generator (bash $RANDOM, Python's
#     random, C rand()/srand(), JavaScript Math.random) takes its seed from
#     SECANT_PRE_SEED when set and prints it ("# seed N"), so a failing
#     run can be replayed;
#   - the Python tests take invalid values of the adapters' and the
#     package's types from the fixed vectors (test/python/vectors.py), and
#     never make one by flipping a bit of a fresh random public key (a
#     flipped Ed25519 half is still a valid point about 1 time in 16);
#   - a C test drawing from libsodium's randomness seeds it from a printed,
#     replayable seed (test/unit/test_seed.h).
# Offending lines are printed.  Needs no server.  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
cd "$ROOT" || exit 1
SELF=test/t/determinism.sh

none() {
	if [ -z "$2" ]; then ok "$1"; else not_ok "$1"; printf '%s\n' "$2" | sed 's/^/#   /'; fi
}
mapfile -t FILES < <(git ls-files -- test examples js/test 2>/dev/null | grep -v -e "^$SELF\$" -e '^test/vectors/' -e '\.png$')

# 1. seedable generators: the file names SECANT_PRE_SEED and prints a seed
unseeded=$(grep -lIE '\$RANDOM\b|^\s*(import random|from random import)|\b(s?rand)\(|Math\.random\(' "${FILES[@]}" 2>/dev/null |
	while IFS= read -r f; do
		grep -q 'SECANT_PRE_SEED' "$f" && grep -qiE '(echo|print|printf|note).*seed' "$f" || echo "$f"
	done)
none "every test drawing from a seedable generator takes SECANT_PRE_SEED and prints its seed" "$unseeded"

# 2. a C test drawing from libsodium's randomness (randombytes_*, sp_random_*)
# seeds it: test/unit/test_seed.h (SECANT_PRE_SEED), or a *SEED variable of
# its own that it prints (benchmarks have no verdict to replay)
unseeded_c=$(printf '%s\n' "${FILES[@]}" | grep -E '\.c$' | grep -v '^test/bench/' |
	xargs -r grep -lIE '\b(randombytes_(buf|uniform|random)|sp_random_(bytes|scalar))\(' 2>/dev/null |
	while IFS= read -r f; do
		grep -q '#include "test_seed.h"' "$f" ||
			{ grep -qE 'getenv\("[A-Z_]*SEED"\)' "$f" && grep -qE 'printf\(.*SEED' "$f"; } || echo "$f"
	done)
none "every C test drawing from libsodium's randomness prints a replayable seed (test/unit/test_seed.h)" "$unseeded_c"

# 3. no invalid public key made by flipping a bit of a fresh key in the Python tests
flips=$(grep -nIHE 'public_key(\(\))?\.to_bytes\(\)|\.public_key\b.*bytearray' test/python/test_*.py 2>/dev/null |
	while IFS=: read -r f n _; do
		grep -qE '\^=? *(0x)?[0-9]' <<<"$(sed -n "$n,$((n + 3))p" "$f")" && echo "$f:$n: $(sed -n "${n}p" "$f")"
	done)
none "no Python test makes an invalid public key by flipping a bit of a fresh one (use vectors.invalid)" "$flips"

tap_summary
