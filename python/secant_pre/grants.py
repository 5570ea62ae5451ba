"""Grants (re-encryption keys), the server's sealing key and sealed grants."""
from __future__ import annotations

import datetime as _dt
from typing import Optional, Union

from ._common import _GR_FROM, _GR_TO, _GR_X, _K_GRANT, _K_SEALED, _K_SEALKEY, GRANT_BYTES, \
    SEAL_KEY_BYTES, SEALED_GRANT_BYTES, _short
from ._native import ffi as _ffi, lib as _lib
from .errors import _check
from .keys import PublicKey
from .values import _Value


class Grant(_Value):
    """A bare grant (``pregrant_``, SQL ``pre_grant``, 272 bytes), signed by its
    delegator.  It holds the re-encryption key rk: seal it to the server
    (:meth:`seal`) rather than sending it; ``repr()`` shows only its ends."""

    KIND, PREFIX, SQL_TYPE, SIZE, SECRET = _K_GRANT, "pregrant_", "pre_grant", GRANT_BYTES, True
    __slots__ = ()

    @property
    def from_key(self) -> PublicKey:
        """The delegator's public key."""
        return PublicKey(self._data[_GR_FROM:_GR_FROM + 64], _checked=True)

    @property
    def to_key(self) -> PublicKey:
        """The grantee's public key."""
        return PublicKey(self._data[_GR_TO:_GR_TO + 64], _checked=True)

    @property
    def not_after(self) -> Optional[_dt.datetime]:
        """Expiry (UTC), or None."""
        t = _lib.sp_grant_not_after(self._data)
        return None if t == 0 else _dt.datetime.fromtimestamp(t, _dt.timezone.utc)

    @property
    def hop_key(self) -> bytes:
        """X, the grant's public hop point (what revocation remembers)."""
        return self._data[_GR_X:_GR_X + 32]

    def seal(self, key: Union["SealKey", str]) -> "SealedGrant":
        """This grant sealed to a server's sealing key (``secant.server_public_key()``)."""
        key = SealKey.parse(key)
        out = _ffi.new("uint8_t[%d]" % SEALED_GRANT_BYTES)
        _check(_lib.sp_seal_grant_random(out, self._data, key.to_bytes()), "cannot seal grant")
        return SealedGrant(bytes(out), _checked=True)

    def _describe(self) -> str:
        return "from=%s to=%s" % (_short(self.from_key.to_text()), _short(self.to_key.to_text()))


class SealKey(_Value):
    """A server's sealing key (``presealkey_``, the text of
    ``secant.server_public_key()``): its X25519 key, key id and database identity."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_SEALKEY, "presealkey_", "presealkey_ text", SEAL_KEY_BYTES
    __slots__ = ()

    @property
    def key_id(self) -> bytes:
        """The server key's id (8 bytes)."""
        return self._data[8:16]


class SealedGrant(_Value):
    """A grant sealed to a server key (``presealed_``, SQL ``pre_sealed_grant``,
    360 bytes): only that server opens it; store it in ``secant.grants.sealed``."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_SEALED, "presealed_", "pre_sealed_grant", SEALED_GRANT_BYTES
    __slots__ = ()

    @property
    def key_id(self) -> bytes:
        """The id of the server key it is sealed to (8 bytes)."""
        return self._data[8:16]
