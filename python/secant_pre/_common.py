"""Sizes and kinds of secant_pre.h, and the small helpers every module uses."""
from __future__ import annotations

import threading as _threading
from typing import Union

from ._native import ffi as _ffi, lib as _lib


# ---- sizes (secant_pre.h) ----
SEED_BYTES = 32
PUBLIC_KEY_BYTES = 64
GRANT_BYTES = 272
HOP_BYTES = 128
TOKEN_BYTES = 16
INDEX_KEY_BYTES = 32
SEAL_KEY_BYTES = 64
SEALED_GRANT_BYTES = 360
MAX_LEVEL = 16
_AEAD_KEY_BYTES = 32
_NONCE_BYTES = 24
_GR_FROM, _GR_TO, _GR_X = 8, 72, 136
_CT_P0 = 8
_ENVELOPE_V2 = 2
_KF_BYTES = 112
_KF_TEXT_BYTES = 10 + 150 + 1
_KF_SECRET_KEY, _KF_INDEX_KEY = 1, 2

# sp_kind
_K_SECRET, _K_PUBLIC, _K_GRANT, _K_CT, _K_TOKEN, _K_SEALED, _K_SEALKEY = range(7)


def library_version() -> str:
    """The version of libsecant-pre, e.g. ``"0.5.0"``."""
    return _ffi.string(_lib.sp_library_version()).decode()


# A cache of public keys found valid, one per thread (the C calls run
# without the GIL).
_local = _threading.local()


def _keycache():
    cache = getattr(_local, "keycache", None)
    if cache is None:
        cache = _local.keycache = _ffi.new("sp_keycache *")
    return cache


def _bytes(data: Union[bytes, bytearray, memoryview, str], what: str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError("%s: expected bytes or str, not %s" % (what, type(data).__name__))


def _short(text: str) -> str:
    return text[:18] + "\u2026"
