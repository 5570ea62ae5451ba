"""psycopg 3 adapters for the SQL types of the secant_pre extension.

    import psycopg, secant_pre.psycopg
    conn = psycopg.connect(...)
    secant_pre.psycopg.register(conn)
    # or, on a psycopg.AsyncConnection
    await secant_pre.psycopg.register_async(aconn)

Loaders, text and binary, for every type (pre_secret_key, pre_public_key,
pre_grant, pre_ciphertext, pre_token, pre_sealed_grant) and their arrays;
values are validated as the server validates them (ciphertexts fully; a
loader given bad bytes raises secant_pre's exception).  Dumpers, text and
binary, for public keys, ciphertexts, tokens and sealed grants.  Secret
keys, bare grants and index keys are refused as query parameters unless
``register(conn, send_secrets=True)``: an application does not send a
secret to the server by accident.  The types' OIDs are looked up on the
connection given (psycopg.types.TypeInfo.fetch), so register each
connection (or a cursor).
"""
from __future__ import annotations

from typing import Dict, Type, Union

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

import secant_pre as sp
from secant_pre.values import _Value

__all__ = ["register", "register_async", "TYPES", "SecretRefused"]

# SQL type -> value class; the second set are secret.
TYPES: Dict[str, Type[_Value]] = {
    "pre_public_key": sp.PublicKey,
    "pre_ciphertext": sp.Ciphertext,
    "pre_token": sp.Token,
    "pre_sealed_grant": sp.SealedGrant,
    "pre_secret_key": sp.SecretKey,
    "pre_grant": sp.Grant,
}
_SECRET = {"pre_secret_key", "pre_grant"}


class SecretRefused(psycopg.ProgrammingError):
    """A secret value (secret key, bare grant, index key) was passed as a
    query parameter without ``register(conn, send_secrets=True)``."""


def _loaders(cls: Type[_Value], validate: bool = True):
    from_text = cls.from_text if validate else cls.from_text_unchecked  # type: ignore[attr-defined]
    from_bytes = cls.from_bytes if validate else cls.from_bytes_unchecked  # type: ignore[attr-defined]

    class TextLoader(Loader):
        format = Format.TEXT

        def load(self, data) -> _Value:
            return from_text(bytes(data).decode("ascii", "replace"))

    class BinaryLoader(Loader):
        format = Format.BINARY

        def load(self, data) -> _Value:
            return from_bytes(data)

    TextLoader.__name__ = "%sTextLoader" % cls.__name__
    BinaryLoader.__name__ = "%sBinaryLoader" % cls.__name__
    return TextLoader, BinaryLoader


def _dumpers(cls: type, type_oid: int, prefix: str = ""):
    class TextDumper(Dumper):
        format = Format.TEXT
        oid = type_oid

        def dump(self, obj) -> bytes:
            return (prefix + obj.to_text()).encode("ascii")

    class BinaryDumper(Dumper):
        format = Format.BINARY
        oid = type_oid

        def dump(self, obj) -> bytes:
            return obj.to_bytes()

    TextDumper.__name__ = "%sTextDumper" % cls.__name__
    BinaryDumper.__name__ = "%sBinaryDumper" % cls.__name__
    return TextDumper, BinaryDumper


def _refusers(cls: type):
    class Refuse(Dumper):
        def dump(self, obj) -> bytes:
            raise SecretRefused(
                "secant_pre: refusing to send a %s to the server; register the "
                "connection with send_secrets=True if that is really meant" % cls.__name__)

    class TextRefuse(Refuse):
        format = Format.TEXT

    class BinaryRefuse(Refuse):
        format = Format.BINARY

    return TextRefuse, BinaryRefuse


def register(context: Union[psycopg.Connection, psycopg.Cursor], *,
             send_secrets: bool = False, validate_ciphertexts: bool = True) -> None:
    """Register the loaders and dumpers of the extension's types on a
    connection or cursor (the OIDs are looked up through it).  With
    ``send_secrets``, secret keys and bare grants are sent as their types
    and index keys as bytea; else passing one raises SecretRefused.
    ``validate_ciphertexts=False`` loads ciphertexts with their layout
    checked only (points and capsule are not: about three times faster
    to load; decryption still fails on a modified value, and the server
    validates whatever is sent back).  On an AsyncConnection or
    AsyncCursor use :func:`register_async`."""
    if isinstance(context, (psycopg.AsyncConnection, psycopg.AsyncCursor)):
        raise TypeError("secant_pre: on an async connection, await secant_pre.psycopg.register_async(conn)")
    conn = context if isinstance(context, psycopg.Connection) else context.connection
    infos = {name: TypeInfo.fetch(conn, name) for name in _NAMES}
    _register_infos(context, infos, send_secrets, validate_ciphertexts)


async def register_async(context: Union[psycopg.AsyncConnection, psycopg.AsyncCursor], *,
                         send_secrets: bool = False, validate_ciphertexts: bool = True) -> None:
    """:func:`register` on an AsyncConnection or AsyncCursor (the OIDs are
    looked up through it, awaited)."""
    conn = context if isinstance(context, psycopg.AsyncConnection) else context.connection
    infos = {name: await TypeInfo.fetch(conn, name) for name in _NAMES}
    _register_infos(context, infos, send_secrets, validate_ciphertexts)


# the types looked up: the extension's and bytea (index keys)
_NAMES = list(TYPES) + ["bytea"]


def _register_infos(context, infos: Dict[str, TypeInfo], send_secrets: bool,
                    validate_ciphertexts: bool) -> None:
    adapters = context.adapters
    for name, cls in TYPES.items():
        info = infos[name]
        if info is None:
            raise psycopg.ProgrammingError(
                "secant_pre: type %s not found: CREATE EXTENSION secant_pre (and check search_path)" % name)
        info.register(context)
        for loader in _loaders(cls, validate_ciphertexts or cls is not sp.Ciphertext):
            adapters.register_loader(info.oid, loader)
        if name not in _SECRET or send_secrets:
            dumpers = _dumpers(cls, info.oid)
        else:
            dumpers = _refusers(cls)
        for dumper in dumpers:
            adapters.register_dumper(cls, dumper)
    bytea = infos["bytea"]
    dumpers = _dumpers(sp.IndexKey, bytea.oid, "\\x") if send_secrets else _refusers(sp.IndexKey)
    for dumper in dumpers:
        adapters.register_dumper(sp.IndexKey, dumper)
