"""Searchable encryption: index keys and the tokens of keywords."""
from __future__ import annotations

import hmac as _hmac
from typing import TYPE_CHECKING, List, Union

from ._common import _K_TOKEN, _KF_INDEX_KEY, INDEX_KEY_BYTES, TOKEN_BYTES, _bytes
from ._native import ffi as _ffi, lib as _lib
from .errors import MalformedValueError, _check, _error
from .keyfiles import _protect, _unprotect
from .keys import PublicKey

if TYPE_CHECKING:
    from .ciphertexts import Ciphertext
from .values import _Value


class Token(_Value):
    """A search token (``pretok_``, SQL ``pre_token``, 16 bytes)."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_TOKEN, "pretok_", "pre_token", TOKEN_BYTES
    __slots__ = ()

    def __lt__(self, other: "Token") -> bool:
        return self._data < other._data

    def _describe(self) -> str:
        return self.to_text()


class IndexKey:
    """A search index key (32 bytes, secret; SQL passes it as bytea).  Its
    text form is 64 hexadecimal digits, as ``secant-pre index-keygen`` writes."""

    SECRET = True
    __slots__ = ("_data",)

    def __init__(self, data: Union[bytes, bytearray, memoryview]) -> None:
        data = bytes(data)
        if len(data) != INDEX_KEY_BYTES:
            raise MalformedValueError(-3, "an index key is 32 bytes")
        self._data = data

    @classmethod
    def generate(cls) -> "IndexKey":
        """A new random index key."""
        buf = _ffi.new("uint8_t[32]")
        _lib.sp_random_bytes(buf, 32)
        return cls(bytes(buf))

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> "IndexKey":
        """The key of 32 bytes."""
        return cls(data)

    @classmethod
    def from_text(cls, text: str) -> "IndexKey":
        """The key of 64 hexadecimal digits (white space around them ignored)."""
        try:
            data = bytes.fromhex(text.strip())
        except ValueError:
            raise MalformedValueError(-2, "an index key text is 64 hexadecimal digits") from None
        return cls(data)

    def to_bytes(self) -> bytes:
        return self._data

    def __bytes__(self) -> bytes:
        return self._data

    def to_text(self) -> str:
        return self._data.hex()

    def token(self, keyword: Union[str, bytes]) -> Token:
        """The token of one keyword, normalised as SQL ``pre_token(key, word)``."""
        word = _bytes(keyword, "keyword")
        out = _ffi.new("uint8_t[16]")
        _check(_lib.sp_token_keyword(out, self._data, word, len(word)), "cannot make token")
        return Token(bytes(out), _checked=True)

    def tokens(self, document: Union[str, bytes], prefixes: bool = False) -> List[Token]:
        """The distinct tokens of a document's words (with ``prefixes``, also
        of their prefixes), sorted: SQL ``pre_tokens(key, doc, prefixes)``."""
        doc = _bytes(document, "document")
        n = _ffi.new("size_t *")
        rc = _lib.sp_tokens_document(_ffi.NULL, 0, n, self._data, doc, len(doc), int(prefixes))
        if rc not in (0, -3):
            raise _error(rc, "cannot tokenize")
        count = n[0]
        out = _ffi.new("uint8_t[][%d]" % TOKEN_BYTES, max(count, 1))
        _check(_lib.sp_tokens_document(out, count, n, self._data, doc, len(doc), int(prefixes)),
               "cannot tokenize")
        raw = _ffi.buffer(out, n[0] * TOKEN_BYTES)[:]
        return [Token(raw[i:i + 16], _checked=True) for i in range(0, len(raw), 16)]

    def encrypt_for(self, pk: Union[PublicKey, str, bytes], aad: Union[bytes, str] = b"") -> Ciphertext:
        """This key encrypted for a group's public key (for ``secant.rotate_index_key``)."""
        from .ciphertexts import encrypt
        return encrypt(pk, self._data, aad)

    def protect(self, passphrase: Union[str, bytes], *, opslimit: int = 3,
                memlimit: int = 256 << 20) -> str:
        """This key as a protected key file text (``prelocked_``)."""
        return _protect(_KF_INDEX_KEY, self._data, passphrase, opslimit, memlimit)

    @classmethod
    def unprotect(cls, text: str, passphrase: Union[str, bytes]) -> "IndexKey":
        """The key in a protected key file text."""
        return cls(_unprotect(_KF_INDEX_KEY, text, passphrase))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndexKey):
            return NotImplemented
        return _hmac.compare_digest(self._data, other._data)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<IndexKey (secret)>"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("IndexKey is secret and not picklable")
