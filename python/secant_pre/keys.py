"""Public and secret keys."""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Union

from ._common import _K_PUBLIC, _K_SECRET, _KF_SECRET_KEY, GRANT_BYTES, PUBLIC_KEY_BYTES, SEED_BYTES, _short
from ._native import ffi as _ffi, lib as _lib
from .errors import _check, _error
from .keyfiles import _protect, _unprotect
from .values import _Value

if TYPE_CHECKING:
    from .ciphertexts import Ciphertext, Decryptor
    from .grants import Grant


class PublicKey(_Value):
    """A public key (``prepk_``, SQL ``pre_public_key``, 64 bytes)."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_PUBLIC, "prepk_", "pre_public_key", PUBLIC_KEY_BYTES
    __slots__ = ()

    def encrypt(self, data: Union[bytes, str], aad: Union[bytes, str] = b"") -> "Ciphertext":
        """Encrypt data (str as UTF-8) for this key, bound to aad, at level 1."""
        from .ciphertexts import encrypt
        return encrypt(self, data, aad)

    def _describe(self) -> str:
        return _short(self.to_text())


class SecretKey(_Value):
    """A secret key (``presk_``, SQL ``pre_secret_key``): a 32-byte seed.

    The expanded key lives in guarded, locked memory of the library while
    the object lives (or until :meth:`close`); the 32-byte seed is also
    kept as a Python ``bytes`` object, which Python cannot wipe (keep key
    objects few and long-lived).  ``repr()`` shows only the public key."""

    KIND, PREFIX, SQL_TYPE, SIZE, SECRET = _K_SECRET, "presk_", "pre_secret_key", SEED_BYTES, True
    __slots__ = ("_handle", "_pk")

    def __init__(self, data: bytes, *, _checked: bool = False) -> None:
        super().__init__(data, _checked=_checked)
        err = _ffi.new("int *")
        handle = _lib.sp_secret_new(data, err)
        if handle == _ffi.NULL:
            raise _error(err[0], "cannot expand secret key")
        self._handle = _ffi.gc(handle, _lib.sp_secret_free)
        pk = _ffi.new("uint8_t[64]")
        _lib.sp_secret_public_key(pk, handle)
        self._pk = PublicKey(bytes(pk), _checked=True)

    @classmethod
    def generate(cls) -> "SecretKey":
        """A new random secret key."""
        seed = _ffi.new("uint8_t[32]")
        _check(_lib.sp_keygen(seed), "cannot make a key")
        try:
            return cls(bytes(seed), _checked=True)
        finally:
            _lib.sp_random_bytes(seed, 32)

    @property
    def public_key(self) -> PublicKey:
        """The public key of this secret key."""
        return self._pk

    def _key(self):
        if self._handle is None:
            raise ValueError("the secret key was closed")
        return self._handle

    def close(self) -> None:
        """Wipe and free the expanded key now (the object is then unusable)."""
        if self._handle is not None:
            _ffi.release(self._handle)
            self._handle = None

    def grant(self, to: Union[PublicKey, str, bytes],
              not_after: Union[None, int, _dt.datetime] = None) -> "Grant":
        """A grant (re-encryption key) from this key to ``to``, signed by this
        key; ``not_after``: expiry (Unix seconds or an aware datetime), None = never."""
        to = PublicKey.parse(to)
        if not_after is None:
            seconds = 0
        elif isinstance(not_after, _dt.datetime):
            if not_after.tzinfo is None:
                raise ValueError("not_after: give an aware datetime")
            seconds = int(not_after.timestamp())
        else:
            seconds = int(not_after)
        from .grants import Grant
        out = _ffi.new("uint8_t[%d]" % GRANT_BYTES)
        _check(_lib.sp_grant_random(out, self._key(), to.to_bytes(), seconds), "cannot make grant")
        return Grant(bytes(out), _checked=True)

    def decrypt(self, ct: Union["Ciphertext", str, bytes]) -> bytes:
        """Decrypt a ciphertext addressed to this key (any level)."""
        from .ciphertexts import _ct_bytes, _decrypt_one
        return _decrypt_one(self, _ct_bytes(ct), _ffi.NULL)

    def decryptor(self, slots: int = 256) -> "Decryptor":
        """A decryption context for a batch of values of this key."""
        from .ciphertexts import Decryptor
        return Decryptor(self, slots)

    def protect(self, passphrase: Union[str, bytes], *, opslimit: int = 3,
                memlimit: int = 256 << 20) -> str:
        """This key as a passphrase-protected key file text (``prelocked_``)."""
        return _protect(_KF_SECRET_KEY, self._data, passphrase, opslimit, memlimit)

    @classmethod
    def unprotect(cls, text: str, passphrase: Union[str, bytes]) -> "SecretKey":
        """The key in a protected key file text (``prelocked_``)."""
        return cls.from_bytes(_unprotect(_KF_SECRET_KEY, text, passphrase))

    def _describe(self) -> str:
        return "public_key=%s" % _short(self._pk.to_text())
