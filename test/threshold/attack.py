"""test/threshold/attack.py SHARE_FILE [KEYS_FILE SHARE_FILE]... - the
compromise test's arithmetic (test/threshold/run.sh).

For each compromised node: its KEYS_FILE ("index server-key-hex
database-identity-hex", from its server key file and its dump) opens its
SHARE_FILE (pretshare_ text) into rk_i, as the node itself would.  The
shares held are interpolated at 0 (Lagrange, mod l) into a candidate rk;
prints "recovered" when candidate·G is the commitment C_0 = rk·G of the
grant (SHARE_FILE: any share of it), else "not recovered".  With rk and the
grantee's key, the delegator's secret is p_A = rk·d (docs/SCHEME.md), so
"not recovered" means no delegator secret either.  No randomness.
"""
import ctypes
import ctypes.util
import sys

from secant_pre.threshold import GrantShare, open_share

L = 2**252 + 27742317777372353535851937790883648493
sodium = ctypes.CDLL(ctypes.util.find_library("sodium"))


def base_mult(scalar: int) -> bytes:
    out = ctypes.create_string_buffer(32)
    if sodium.crypto_scalarmult_ristretto255_base(out, scalar.to_bytes(32, "little")) != 0:
        return b"\0" * 32
    return out.raw


def main(argv):
    share0 = GrantShare.from_text(open(argv[1]).read().strip())
    c0 = bytes(share0)[176:208]
    held = []
    for keys_file, share_file in zip(argv[2::2], argv[3::2]):
        i, sk_hex, db_hex = open(keys_file).read().split()
        share = GrantShare.from_text(open(share_file).read().strip())
        rk_i = open_share(share, bytes.fromhex(sk_hex), bytes.fromhex(db_hex))
        held.append((share.index, int.from_bytes(bytes(rk_i), "little")))
    rk = 0
    for i, rk_i in held:
        lam = 1
        for j, _ in held:
            if j != i:
                lam = lam * j * pow(j - i, -1, L) % L
        rk = (rk + lam * rk_i) % L
    print("recovered" if base_mult(rk) == c0 else "not recovered")


if __name__ == "__main__":
    main(sys.argv)
