"""Values of any kind from their text form, and what they show."""
from __future__ import annotations

from typing import Optional, Sequence, Type, Union

from ._native import lib as _lib
from .ciphertexts import Ciphertext
from .errors import MalformedValueError
from .grants import Grant, SealedGrant, SealKey
from .keys import PublicKey, SecretKey
from .search import Token
from .values import _Value


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
