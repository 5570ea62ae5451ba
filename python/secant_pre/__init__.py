"""secant_pre: the client half of secant_pre (proxy re-encryption in PostgreSQL).

Keys, grants sealed to the database's server key, encryption, re-encryption,
decryption (one value, or a batch through a decryption context), search
tokens, envelopes and inspection, over the C library libsecant-pre.

Every value type has a text form (its prefix and unpadded base64url, as
PostgreSQL prints it: ``prepk_...``) and a byte form (the SQL type's binary
format and bytea cast)::

    import secant_pre as sp
    alice = sp.SecretKey.generate()
    ct = alice.public_key.encrypt(b"HbA1c 7.9 %", aad=b"patient:4711")
    assert alice.decrypt(ct) == b"HbA1c 7.9 %"

``repr()`` and ``str()`` never show secret material (secret keys, index keys,
bare grants); their text form is only given by an explicit ``to_text()``.
Errors of the core raise :class:`SecantError` subclasses carrying the core's
code (``.code``, ``.name``) and its sentence (``.reason``).
"""
from __future__ import annotations

import datetime as _dt
import hmac as _hmac
import threading as _threading
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple, Type, TypeVar, Union

from ._native import LIBRARY_PATH, ffi as _ffi, lib as _lib

__all__ = [
    "SecretKey", "PublicKey", "Grant", "SealedGrant", "SealKey", "Ciphertext",
    "Token", "IndexKey", "Envelope", "Decryptor",
    "GrantShare", "Partial", "split_grant", "open_share", "make_partial", "verify_partial", "combine",
    "encrypt", "reencrypt", "decrypt", "decrypt_many", "seal_envelope",
    "open_envelope", "parse", "kind_of", "inspect", "library_version",
    "SecantError", "MalformedValueError", "InvalidValueError", "WrongRecipientError",
    "MaxLevelError", "WrongKeyError", "DecryptionError", "TooLongError",
    "TextError", "WrongDatabaseError", "KeyFileError", "PassphraseError",
    "LIBRARY_PATH",
]

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


# ---- errors ----

class SecantError(Exception):
    """An error of the core: ``code`` (the negative sp_err), ``name``
    (e.g. ``"SP_EDECRYPT"``), ``reason`` (the core's sentence) and ``what``
    (what was being done).  Never holds secret material."""

    code: int
    name: str
    reason: str

    def __init__(self, code: int, what: str = "") -> None:
        self.code = code
        self.name = _ERR_NAMES.get(code, "SP_E%d" % -code)
        self.reason = _strerror(code)
        self.what = what
        super().__init__("%s: %s (%s)" % (what, self.reason, self.name) if what
                         else "%s (%s)" % (self.reason, self.name))


class MalformedValueError(SecantError, ValueError):
    """The bytes or text are malformed: prefix, base64url, length, magic,
    version, reserved bytes, level."""


class InvalidValueError(SecantError, ValueError):
    """Well-formed but invalid: a point, scalar, capsule or signature check
    failed, or a grant is from a key to itself."""


class WrongRecipientError(SecantError):
    """The grant does not apply to this ciphertext (it is from another key)."""


class MaxLevelError(SecantError):
    """The ciphertext is already at level 16: no more hops."""


class WrongKeyError(SecantError):
    """The secret key is not the ciphertext's (or sealed grant's) current recipient."""


class DecryptionError(SecantError):
    """The AEAD failed: wrong key or a modified value."""


class TooLongError(SecantError, ValueError):
    """A message or associated data is too long."""


class TextError(SecantError, ValueError):
    """A keyword or document is not valid UTF-8, or a word or text is too long."""


class WrongDatabaseError(SecantError):
    """A sealed grant was sealed for another database."""


class KeyFileError(SecantError, ValueError):
    """A protected key file (prelocked_) is malformed or cannot be opened."""

    def __init__(self, code: int, what: str = "") -> None:
        self.code = code
        self.name = _KF_NAMES.get(code, "SP_KF_E%d" % -code)
        self.reason = _ffi.string(_lib.sp_keyfile_strerror(code)).decode()
        self.what = what
        Exception.__init__(self, "%s: %s (%s)" % (what, self.reason, self.name))


class PassphraseError(KeyFileError):
    """Wrong passphrase, or a modified key file."""


_ERR_NAMES = {
    -1: "SP_EPREFIX", -2: "SP_EBASE64", -3: "SP_ELENGTH", -4: "SP_EMAGIC",
    -5: "SP_EVERSION", -6: "SP_ERESERVED", -7: "SP_ELEVEL", -8: "SP_ELEVELMAX",
    -10: "SP_EPOINT", -11: "SP_ESCALAR", -12: "SP_ECAPSULE", -13: "SP_ESIGNATURE",
    -14: "SP_ESAMEKEY", -20: "SP_ERECIPIENT", -21: "SP_EMAXLEVEL",
    -22: "SP_EWRONGKEY", -23: "SP_EDECRYPT", -24: "SP_ERANDOM", -25: "SP_ETOOLONG",
    -26: "SP_EINTERNAL", -27: "SP_ENOMEM", -28: "SP_EUTF8", -29: "SP_ECANCELED",
    -30: "SP_EWORDLONG", -31: "SP_ETEXTLONG", -32: "SP_EDATABASE",
    -33: "SP_ETHRESHOLD", -34: "SP_ESHARE", -35: "SP_EPROOF",
}
_KF_NAMES = {
    -101: "SP_KF_ETEXT", -102: "SP_KF_EMAGIC", -103: "SP_KF_EVERSION",
    -104: "SP_KF_ECONTENT", -105: "SP_KF_EKDF", -106: "SP_KF_ERESERVED",
    -107: "SP_KF_ELIMITS", -108: "SP_KF_EPWHASH", -109: "SP_KF_EPASSPHRASE",
    -110: "SP_KF_EEMPTY",
}
_ERR_CLASS = {
    -10: InvalidValueError, -11: InvalidValueError, -12: InvalidValueError,
    -13: InvalidValueError, -14: InvalidValueError, -20: WrongRecipientError,
    -21: MaxLevelError, -22: WrongKeyError, -23: DecryptionError,
    -25: TooLongError, -28: TextError, -30: TextError, -31: TextError,
    -32: WrongDatabaseError,
}


def _strerror(code: int) -> str:
    return _ffi.string(_lib.sp_strerror(code)).decode()


def _error(code: int, what: str = "") -> SecantError:
    """The exception for a core code."""
    if code <= -100:
        return (PassphraseError if code == -109 else KeyFileError)(code, what)
    if code == -27:
        return SecantError(code, what)
    cls = _ERR_CLASS.get(code)
    if cls is None:
        cls = MalformedValueError if _lib.sp_err_is_malformed(code) else SecantError
    return cls(code, what)


def _check(code: int, what: str) -> None:
    if code != 0:
        raise _error(code, what)


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


# ---- values ----

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


class PublicKey(_Value):
    """A public key (``prepk_``, SQL ``pre_public_key``, 64 bytes)."""

    KIND, PREFIX, SQL_TYPE, SIZE = _K_PUBLIC, "prepk_", "pre_public_key", PUBLIC_KEY_BYTES
    __slots__ = ()

    def encrypt(self, data: Union[bytes, str], aad: Union[bytes, str] = b"") -> "Ciphertext":
        """Encrypt data (str as UTF-8) for this key, bound to aad, at level 1."""
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
        out = _ffi.new("uint8_t[%d]" % GRANT_BYTES)
        _check(_lib.sp_grant_random(out, self._key(), to.to_bytes(), seconds), "cannot make grant")
        return Grant(bytes(out), _checked=True)

    def decrypt(self, ct: Union["Ciphertext", str, bytes]) -> bytes:
        """Decrypt a ciphertext addressed to this key (any level)."""
        return _decrypt_one(self, _ct_bytes(ct), _ffi.NULL)

    def decryptor(self, slots: int = 256) -> "Decryptor":
        """A decryption context for a batch of values of this key."""
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
        out = _ffi.new("uint8_t[]", max(count, 1) * TOKEN_BYTES)
        _check(_lib.sp_tokens_document(out, count, n, self._data, doc, len(doc), int(prefixes)),
               "cannot tokenize")
        raw = _ffi.buffer(out, n[0] * TOKEN_BYTES)[:]
        return [Token(raw[i:i + 16], _checked=True) for i in range(0, len(raw), 16)]

    def encrypt_for(self, pk: Union[PublicKey, str, bytes], aad: Union[bytes, str] = b"") -> Ciphertext:
        """This key encrypted for a group's public key (for ``secant.rotate_index_key``)."""
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


# ---- operations ----

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


# ---- envelopes ----

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


# ---- protected key files ----

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


# ---- inspection ----

_KINDS: Sequence[Type[_Value]] = (SecretKey, PublicKey, Grant, Ciphertext, Token, SealedGrant, SealKey)


def kind_of(text: str) -> Optional[Type[_Value]]:
    """The value class of a text form, by its prefix; None if none matches."""
    raw = text.encode("ascii", "replace")
    k = _lib.sp_text_kind(raw, len(raw))
    return None if k < 0 else _KINDS[k]


def parse(text: str) -> _Value:
    """The value of any text form, of the class its prefix names."""
    cls = kind_of(text)
    if cls is None:
        raise MalformedValueError(-1, "not a secant_pre value (no known prefix)")
    return cls.from_text(text)


def inspect(value: Union[_Value, str]) -> dict:
    """What ``secant-pre inspect`` prints, as a dict: type, bytes and the
    public fields (never secret material)."""
    v = parse(value) if isinstance(value, str) else value
    d: dict = {"type": v.SQL_TYPE, "bytes": len(v)}
    if isinstance(v, SecretKey):
        d["public_key"] = v.public_key.to_text()
        return d
    d["valid"] = True
    if isinstance(v, Grant):
        d.update({"from": v.from_key.to_text(), "to": v.to_key.to_text(),
                  "not_after": _lib.sp_grant_not_after(v.to_bytes()), "X": v.hop_key.hex()})
    elif isinstance(v, Ciphertext):
        d.update({"level": v.level, "aad_bytes": len(v.aad), "plaintext_bytes": v.plaintext_length,
                  "origin": v.origin.to_text(), "recipient": v.recipient.to_text(),
                  "hops": [{"to": PublicKey(r[:64], _checked=True).to_text(), "X": r[64:96].hex()}
                           for r in v._hop_records()]})
    return d


from .threshold import (  # noqa: E402  (threshold grants build on the classes above)
    GrantShare, Partial, combine, make_partial, open_share, split_grant, verify_partial)
