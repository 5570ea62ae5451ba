"""Envelopes: a record too large to re-encrypt, sealed once under a data
key that travels as a small ciphertext."""
from __future__ import annotations

from typing import Union

from ._common import _AEAD_KEY_BYTES, _ENVELOPE_V2, _bytes
from ._native import ffi as _ffi, lib as _lib
from .ciphertexts import Ciphertext, encrypt
from .errors import MalformedValueError, TooLongError, _check
from .keys import PublicKey, SecretKey


class Envelope:
    """A record too large to re-encrypt: a small key ciphertext (re-encrypted
    like any value) and a body sealed once under the data key it carries."""

    __slots__ = ("key_ciphertext", "body")

    def __init__(self, key_ciphertext: Ciphertext, body: bytes) -> None:
        self.key_ciphertext = key_ciphertext
        self.body = body

    def open(self, key: SecretKey) -> bytes:
        """The plaintext, with the secret key of the key ciphertext's recipient."""
        return open_envelope(key, self.key_ciphertext, self.body)

    def __repr__(self) -> str:
        return "<Envelope %r, body %d bytes>" % (self.key_ciphertext, len(self.body))


def seal_envelope(pk: Union[PublicKey, str, bytes], data: Union[bytes, str],
                  aad: Union[bytes, str] = b"") -> Envelope:
    """Seal data for a public key as an envelope (v2 body)."""
    m = _bytes(data, "data")
    dk = _ffi.new("uint8_t[32]")
    nonce = _ffi.new("uint8_t[24]")
    _lib.sp_random_bytes(dk, 32)
    _lib.sp_random_bytes(nonce, 24)
    try:
        kct = encrypt(pk, bytes(dk), aad)
        n = _lib.sp_envelope_body_bytes(_ENVELOPE_V2, len(m))
        if n == 0:
            raise TooLongError(-25, "cannot seal envelope")
        body = _ffi.new("uint8_t[]", n)
        _check(_lib.sp_envelope_seal(body, n, _ENVELOPE_V2, dk, nonce, kct.to_bytes(), len(kct),
                                     m, len(m)), "cannot seal envelope")
        return Envelope(kct, bytes(body))
    finally:
        _lib.sp_random_bytes(dk, 32)


def open_envelope(key: SecretKey, key_ciphertext: Union[Ciphertext, str, bytes],
                  body: Union[bytes, bytearray, memoryview]) -> bytes:
    """Open an envelope body (v1 or v2) with the key ciphertext it is bound to."""
    kct = Ciphertext.parse(key_ciphertext)
    dk = key.decrypt(kct)
    if len(dk) != _AEAD_KEY_BYTES:
        raise MalformedValueError(-3, "the key ciphertext does not hold a data key")
    body = bytes(body)
    cap = _lib.sp_envelope_plaintext_bytes(len(body))
    out = _ffi.new("uint8_t[]", max(cap, 1))
    n = _ffi.new("size_t *")
    if cap == 0:
        raise MalformedValueError(-3, "cannot open envelope")
    _check(_lib.sp_envelope_open(out, cap, n, _ffi.NULL, dk, kct.to_bytes(), len(kct), body, len(body)),
           "cannot open envelope")
    return _ffi.buffer(out, n[0])[:]
