"""Passphrase-protected key files (prelocked_)."""
from __future__ import annotations

from typing import Union

from ._common import _KF_BYTES, _KF_TEXT_BYTES, _bytes
from ._native import ffi as _ffi, lib as _lib
from .errors import KeyFileError, _check


def _protect(content: int, secret: bytes, passphrase: Union[str, bytes], ops: int, mem: int) -> str:
    pw = _bytes(passphrase, "passphrase")
    salt = _ffi.new("uint8_t[16]")
    nonce = _ffi.new("uint8_t[24]")
    _lib.sp_random_bytes(salt, 16)
    _lib.sp_random_bytes(nonce, 24)
    out = _ffi.new("uint8_t[%d]" % _KF_BYTES)
    _check(_lib.sp_keyfile_seal(out, content, secret, pw, len(pw), ops, mem, salt, nonce),
           "cannot protect key")
    text = _ffi.new("char[%d]" % _KF_TEXT_BYTES)
    _check(_lib.sp_keyfile_text_encode(text, out), "cannot protect key")
    return _ffi.string(text).decode("ascii")


def _unprotect(content: int, text: str, passphrase: Union[str, bytes]) -> bytes:
    pw = _bytes(passphrase, "passphrase")
    raw = text.encode("ascii", "replace")
    buf = _ffi.new("uint8_t[%d]" % _KF_BYTES)
    _check(_lib.sp_keyfile_text_decode(buf, raw, len(raw)), "not a protected key file")
    secret = _ffi.new("uint8_t[32]")
    h = _ffi.new("sp_kf_header *")
    _check(_lib.sp_keyfile_open(secret, h, buf, _KF_BYTES, pw, len(pw)), "cannot open key file")
    try:
        if h.content != content:
            raise KeyFileError(-104, "the key file holds another kind of key")
        return bytes(secret)
    finally:
        _lib.sp_random_bytes(secret, 32)
