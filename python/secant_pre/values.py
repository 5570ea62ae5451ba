"""The base of every value type: bytes validated as the server validates
them, a text form (prefix + base64url), constant-time equality, no secret
in repr/str/pickle."""
from __future__ import annotations

import hmac as _hmac
from typing import Type, TypeVar, Union

from ._common import _keycache
from ._native import ffi as _ffi, lib as _lib
from .errors import _check


V = TypeVar("V", bound="_Value")


class _Value:
    """A secant_pre value: its bytes, validated as the server validates them."""

    KIND: int = -1
    PREFIX: str = ""
    SQL_TYPE: str = ""
    SIZE: int = 0            # 0: variable length
    SECRET: bool = False
    __slots__ = ("_data",)

    def __init__(self, data: bytes, *, _checked: bool = False) -> None:
        if not _checked:
            raise TypeError("use %s.from_bytes() or .from_text()" % type(self).__name__)
        self._data = data

    @classmethod
    def from_bytes(cls: Type[V], data: Union[bytes, bytearray, memoryview]) -> V:
        """The value of these bytes (the SQL type's binary form), fully validated."""
        data = bytes(data)
        _check(_lib.sp_validate_cached(cls.KIND, data, len(data), _keycache()),
               "invalid %s" % cls.SQL_TYPE)
        return cls(data, _checked=True)

    @classmethod
    def from_text(cls: Type[V], text: str) -> V:
        """The value of a text form (``prefix`` + base64url, as SQL prints it)."""
        return cls.from_bytes(cls._decode_text(text))

    @classmethod
    def _decode_text(cls, text: str) -> bytes:
        """The bytes of a text form: prefix, base64url and length checked."""
        if not isinstance(text, str):
            raise TypeError("%s.from_text: expected str" % cls.__name__)
        raw = text.encode("ascii", "replace")
        cap = _lib.sp_text_decoded_max(len(raw))
        buf = _ffi.new("uint8_t[]", max(cap, 1))
        n = _ffi.new("size_t *")
        _check(_lib.sp_text_decode(buf, cap, n, cls.KIND, raw, len(raw)),
               "invalid %s text" % cls.SQL_TYPE)
        data = bytes(_ffi.buffer(buf, n[0]))
        _lib.sp_random_bytes(buf, cap)  # overwrite the copy
        return data

    @classmethod
    def parse(cls: Type[V], value: Union[V, str, bytes, bytearray, memoryview]) -> V:
        """A value from an instance, its text form or its bytes."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls.from_text(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return cls.from_bytes(value)
        raise TypeError("expected %s, str or bytes, not %s" % (cls.__name__, type(value).__name__))

    def to_bytes(self) -> bytes:
        """The bytes of the value (the SQL type's binary form)."""
        return self._data

    def __bytes__(self) -> bytes:
        return self._data

    def to_text(self) -> str:
        """The text form, as PostgreSQL prints the value."""
        cap = _lib.sp_text_bytes(self.KIND, len(self._data))
        out = _ffi.new("char[]", cap)
        _check(_lib.sp_text_encode(out, cap, self.KIND, self._data, len(self._data)),
               "cannot encode %s" % self.SQL_TYPE)
        return _ffi.string(out).decode("ascii")

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _hmac.compare_digest(self._data, other._data)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._data))

    def _describe(self) -> str:
        return "%d bytes" % len(self._data)

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self._describe())

    def __str__(self) -> str:
        return repr(self) if self.SECRET else self.to_text()

    def __reduce__(self):
        if self.SECRET:
            raise TypeError("%s is secret and not picklable" % type(self).__name__)
        return (type(self).from_bytes, (self._data,))
