"""Threshold grants (docs/SCHEME.md, "Threshold grants"): a grant split
t-of-n into grant shares (``pretshare_``), each sealed to one holder's
server key; partials (``prepartial_``) with a Chaum-Pedersen proof; and
their combination into the v1 hop of the unsplit grant, byte for byte.
Everything runs in libsecant-pre (sp_threshold.h)."""
from __future__ import annotations

from typing import List, Optional, Sequence, Union

from . import Ciphertext, Grant, SealKey, SecretKey, _check, _Value, _ffi, _lib

_K_TSHARE, _K_TPARTIAL = 7, 8
THRESHOLD_MAX_N = 16
PARTIAL_BYTES = 104


def share_bytes(t: int) -> int:
    """Size of a grant share of threshold t."""
    return 352 + 32 * t


class GrantShare(_Value):
    """One holder's share of a threshold grant (``pretshare_``, 352 + 32·t
    bytes): public; its scalar is sealed to the holder's server key."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_TSHARE, "pretshare_", "pretshare_ text", 0
    __slots__ = ()

    @property
    def t(self) -> int:
        return self._data[5]

    @property
    def n(self) -> int:
        return self._data[6]

    @property
    def index(self) -> int:
        return self._data[7]

    def same_grant(self, other: "GrantShare") -> bool:
        """True if other is a share of the same threshold grant."""
        return _lib.sp_tshare_same_grant(self._data, len(self._data), other._data, len(other._data)) == 0


class Partial(_Value):
    """A holder's partial hop for one ciphertext with its proof (``prepartial_``, 104 bytes)."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_TPARTIAL, "prepartial_", "prepartial_ text", PARTIAL_BYTES
    __slots__ = ()

    @property
    def index(self) -> int:
        return self._data[5]


def _share(v) -> GrantShare:
    return v if isinstance(v, GrantShare) else (
        GrantShare.from_text(v) if isinstance(v, str) else GrantShare.from_bytes(v))


def _ct(v) -> Ciphertext:
    return v if isinstance(v, Ciphertext) else (
        Ciphertext.from_text(v) if isinstance(v, str) else Ciphertext.from_bytes(v))


def split_grant(grant: Grant, delegator: SecretKey, t: int,
                seal_to: Sequence[Union[SealKey, str]], *,
                coefficients: Optional[Sequence[bytes]] = None,
                seeds: Optional[Sequence[bytes]] = None) -> List[GrantShare]:
    """Split a grant of ``delegator`` t-of-n, one share per sealing key (n =
    len(seal_to), distinct server keys).  coefficients and seeds fix the
    randomness (known-answer tests only)."""
    keys = [k if isinstance(k, SealKey) else SealKey.from_text(k) for k in seal_to]
    n, one = len(keys), share_bytes(t)
    if not 1 <= t <= n <= THRESHOLD_MAX_N:
        _check(-33, "cannot split the grant %d-of-%d" % (t, n))
    out = _ffi.new("uint8_t[]", one * n)
    sk = b"".join(k.to_bytes() for k in keys)
    if coefficients is None and seeds is None:
        rc = _lib.sp_tshare_split_random(out, one * n, grant._data, delegator._key(), t, n, sk)
    else:
        rc = _lib.sp_tshare_split(out, one * n, grant._data, delegator._key(), t, n, sk,
                                  b"".join(coefficients or []) or _ffi.NULL, b"".join(seeds or []))
    _check(rc, "cannot split the grant")
    raw = bytes(_ffi.buffer(out, one * n))
    return [GrantShare(raw[one * i:one * (i + 1)], _checked=True) for i in range(n)]


def open_share(share, server_secret: bytes, database_identity: bytes) -> bytearray:
    """The share scalar rk_i, opened with the holder's X25519 server secret
    for its database (the holder's side; wipe the result after use)."""
    s = _share(share)
    if len(server_secret) != 32 or len(database_identity) != 16:
        _check(-3, "a server secret is 32 bytes, a database identity 16")
    rk = _ffi.new("uint8_t[32]")
    _check(_lib.sp_tshare_open(rk, s._data, len(s._data), bytes(server_secret), bytes(database_identity)),
           "cannot open the grant share")
    out = bytearray(_ffi.buffer(rk, 32))
    _ffi.memmove(rk, b"\0" * 32, 32)
    return out


def make_partial(share, rk: bytes, ciphertext, *, rho: Optional[bytes] = None) -> Partial:
    """The holder's partial for a ciphertext (fully validated, its current
    recipient the share's delegator).  At level >= 2 the caller must know
    that the last hop is one of its own grants."""
    s, c = _share(share), _ct(ciphertext)
    out = _ffi.new("uint8_t[104]")
    if len(rk) != 32 or (rho is not None and len(rho) != 32):
        _check(-3, "a share scalar and rho are 32 bytes")
    if rho is None:
        rc = _lib.sp_tpartial_random(out, s._data, len(s._data), bytes(rk), c._data, len(c._data))
    else:
        rc = _lib.sp_tpartial(out, s._data, len(s._data), bytes(rk), c._data, len(c._data), rho)
    _check(rc, "cannot make a partial")
    return Partial(bytes(_ffi.buffer(out, PARTIAL_BYTES)), _checked=True)


def _partial_bytes(p) -> bytes:
    if isinstance(p, Partial):
        return p._data
    if isinstance(p, str):
        return Partial.from_text(p)._data
    p = bytes(p)
    if len(p) != PARTIAL_BYTES:
        _check(-3, "a partial is 104 bytes")
    return p


def verify_partial(partial, share, ciphertext) -> None:
    """Raise unless the partial's proof holds for this ciphertext and any share of its grant."""
    s, c = _share(share), _ct(ciphertext)
    _check(_lib.sp_tpartial_verify(_partial_bytes(partial), s._data, len(s._data), c._data, len(c._data)),
           "invalid partial")


def combine(ciphertext, share, partials: Sequence) -> Ciphertext:
    """Exactly t partials (each verified) into the v1 re-encryption by the unsplit grant."""
    s, c = _share(share), _ct(ciphertext)
    ps = b"".join(_partial_bytes(p) for p in partials)
    out = _ffi.new("uint8_t[]", len(c._data) + 128)
    _check(_lib.sp_tcombine(out, len(c._data) + 128, c._data, len(c._data), s._data, len(s._data),
                            ps, len(partials)), "cannot combine the partials")
    return Ciphertext(bytes(_ffi.buffer(out, len(c._data) + 128)), _checked=True)
