"""Ciphertexts: encryption, re-encryption and decryption (one value, or a
batch through a decryption context)."""
from __future__ import annotations

from typing import Iterable, List, Tuple, Union

from ._common import _CT_P0, _K_CT, HOP_BYTES, _bytes
from ._native import ffi as _ffi, lib as _lib
from .errors import SecantError, TooLongError, _check, _error
from .grants import Grant
from .keys import PublicKey, SecretKey
from .values import _Value


class Ciphertext(_Value):
    """A ciphertext (``prect_``, SQL ``pre_ciphertext``): level 1 from
    encryption, one hop record more per re-encryption."""

    KIND, PREFIX, SQL_TYPE = _K_CT, "prect_", "pre_ciphertext"
    __slots__ = ()

    @classmethod
    def from_bytes_unchecked(cls, data: Union[bytes, bytearray, memoryview]) -> "Ciphertext":
        """Bytes with only their layout checked (decryption checks the rest:
        a modified value fails with DecryptionError); for fast batches."""
        data = bytes(data)
        _check(_lib.sp_ciphertext_check_layout(data, len(data)), "invalid pre_ciphertext")
        return cls(data, _checked=True)

    @classmethod
    def from_text_unchecked(cls, text: str) -> "Ciphertext":
        """A text form with only its layout checked, as :meth:`from_bytes_unchecked`."""
        return cls.from_bytes_unchecked(cls._decode_text(text))

    @property
    def level(self) -> int:
        """1 + the number of hops."""
        return _lib.sp_ciphertext_level(self._data)

    @property
    def aad(self) -> bytes:
        """The associated data (public, authenticated)."""
        n = _lib.sp_ciphertext_aadlen(self._data)
        return self._data[196:196 + n]

    @property
    def origin(self) -> PublicKey:
        """The key it was encrypted for (level 1 recipient)."""
        return PublicKey(self._data[_CT_P0:_CT_P0 + 64], _checked=True)

    @property
    def recipient(self) -> PublicKey:
        """The key that decrypts it now."""
        return PublicKey(bytes(_ffi.buffer(_lib.sp_ciphertext_recipient(self._data), 64)), _checked=True)

    def _hop_records(self) -> List[bytes]:
        return [bytes(_ffi.buffer(_lib.sp_ciphertext_hop(self._data, k), HOP_BYTES))
                for k in range(1, self.level)]

    @property
    def hops(self) -> List[PublicKey]:
        """The grantees of its hops, first hop first."""
        return [PublicKey(r[:64], _checked=True) for r in self._hop_records()]

    @property
    def plaintext_length(self) -> int:
        """Bytes of the plaintext."""
        return _lib.sp_plaintext_bytes(self._data, len(self._data))

    def reencrypt(self, grant: Union[Grant, str, bytes]) -> "Ciphertext":
        """One hop with a grant from the current recipient (what the server does)."""
        return reencrypt(self, grant)

    def _describe(self) -> str:
        return "level=%d %d bytes" % (self.level, len(self._data))


def encrypt(pk: Union[PublicKey, str, bytes], data: Union[bytes, str],
            aad: Union[bytes, str] = b"") -> Ciphertext:
    """Encrypt data (str as UTF-8) for a public key at level 1, bound to aad
    (SQL ``pre_encrypt(pk, data, aad)``)."""
    pk = PublicKey.parse(pk)
    m = _bytes(data, "data")
    a = _bytes(aad, "aad")
    n = _lib.sp_ciphertext_bytes(1, len(a), len(m))
    if n == 0:
        raise TooLongError(-25, "cannot encrypt")
    out = _ffi.new("uint8_t[]", n)
    _check(_lib.sp_encrypt_random(out, n, pk.to_bytes(), m, len(m), a, len(a)), "cannot encrypt")
    return Ciphertext(bytes(out), _checked=True)


def reencrypt(ct: Union[Ciphertext, str, bytes], grant: Union[Grant, str, bytes]) -> Ciphertext:
    """One hop: ct re-encrypted with a grant from its current recipient
    (SQL ``pre_reencrypt``)."""
    ct = Ciphertext.parse(ct)
    g = Grant.parse(grant)
    n = len(ct) + HOP_BYTES
    out = _ffi.new("uint8_t[]", n)
    _check(_lib.sp_reencrypt(out, n, ct.to_bytes(), len(ct), g.to_bytes()), "cannot re-encrypt")
    return Ciphertext(bytes(out), _checked=True)


def _ct_bytes(ct: Union[Ciphertext, str, bytes, bytearray, memoryview]) -> bytes:
    if isinstance(ct, Ciphertext):
        return ct.to_bytes()
    return Ciphertext.parse(ct).to_bytes()


def _decrypt_one(key: SecretKey, data: bytes, ctx) -> bytes:
    cap = _lib.sp_plaintext_bytes(data, len(data)) if _lib.sp_ciphertext_check_layout(data, len(data)) == 0 else 0
    out = _ffi.new("uint8_t[]", max(cap, 1))
    n = _ffi.new("size_t *")
    rc = _lib.sp_decrypt_cached(out, cap, n, data, len(data), key._key(), ctx)
    if rc != 0:
        raise _error(rc, "cannot decrypt")
    return _ffi.buffer(out, n[0])[:]


def decrypt(key: SecretKey, ct: Union[Ciphertext, str, bytes]) -> bytes:
    """Decrypt ct with the secret key of its current recipient."""
    return key.decrypt(ct)


class Decryptor:
    """A decryption context for one secret key: values that came along one
    grant path cost one scalar multiplication each after the first
    (sp_dctx of sp_cache.h).  Holds secret-derived values: use it as a
    context manager, or call :meth:`close`, to wipe it.  Not thread-safe
    (the library runs without the GIL): one Decryptor per thread."""

    def __init__(self, key: SecretKey, slots: int = 256) -> None:
        if not isinstance(key, SecretKey):
            raise TypeError("Decryptor needs a SecretKey")
        ctx = _lib.sp_dctx_new(slots)
        if ctx == _ffi.NULL:
            raise ValueError("slots must be 1..65536")
        self._ctx = _ffi.gc(ctx, _lib.sp_dctx_free)
        self._key = key

    def decrypt(self, ct: Union[Ciphertext, str, bytes]) -> bytes:
        """Decrypt one value through the context."""
        return _decrypt_one(self._key, _ct_bytes(ct), self._live())

    def decrypt_many(self, cts: Iterable[Union[Ciphertext, str, bytes]], *,
                     errors: str = "raise") -> List[Union[bytes, SecantError]]:
        """Decrypt many values in order.  ``errors="raise"`` stops at the first
        failure; ``errors="return"`` puts the exception in its place."""
        if errors not in ("raise", "return"):
            raise ValueError('errors is "raise" or "return"')
        ctx = self._live()
        out: List[Union[bytes, SecantError]] = []
        for ct in cts:
            try:
                data = ct.to_bytes() if isinstance(ct, Ciphertext) else (
                    Ciphertext.from_bytes_unchecked(ct).to_bytes()
                    if isinstance(ct, (bytes, bytearray, memoryview)) else _ct_bytes(ct))
                out.append(_decrypt_one(self._key, data, ctx))
            except SecantError as e:
                if errors == "raise":
                    raise
                out.append(e)
        return out

    @property
    def stats(self) -> Tuple[int, int]:
        """(hits, misses) of path lookups since the context was last emptied."""
        h = _ffi.new("uint64_t *")
        m = _ffi.new("uint64_t *")
        _lib.sp_dctx_stats(self._live(), h, m)
        return h[0], m[0]

    def _live(self):
        if self._ctx is None:
            raise ValueError("the Decryptor was closed")
        return self._ctx

    def close(self) -> None:
        """Wipe and free the context."""
        if self._ctx is not None:
            _ffi.release(self._ctx)
            self._ctx = None

    def __enter__(self) -> "Decryptor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<Decryptor for %r>" % (self._key,)


def decrypt_many(key: SecretKey, cts: Iterable[Union[Ciphertext, str, bytes]], *,
                 errors: str = "raise", slots: int = 256) -> List[Union[bytes, SecantError]]:
    """Decrypt a batch with one key through a fresh decryption context."""
    with Decryptor(key, slots) as d:
        return d.decrypt_many(cts, errors=errors)
