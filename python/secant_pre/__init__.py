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

The modules: errors, values (the base of every value type), keys,
grants, ciphertexts (encryption, re-encryption, decryption), search,
envelopes, keyfiles, inspection, threshold (t-of-n grant shares); psycopg (adapters, imported on its own).
"""
from __future__ import annotations

from ._common import (GRANT_BYTES, HOP_BYTES, INDEX_KEY_BYTES, MAX_LEVEL, PUBLIC_KEY_BYTES,
                      SEAL_KEY_BYTES, SEALED_GRANT_BYTES, SEED_BYTES, TOKEN_BYTES,
                      library_version)
from ._native import LIBRARY_PATH
from .ciphertexts import Ciphertext, Decryptor, decrypt, decrypt_many, encrypt, reencrypt
from .envelopes import Envelope, open_envelope, seal_envelope
from .errors import (DecryptionError, InvalidValueError, KeyFileError, MalformedValueError,
                     MaxLevelError, PassphraseError, SecantError, TextError, TooLongError,
                     WrongDatabaseError, WrongKeyError, WrongRecipientError)
from .grants import Grant, SealedGrant, SealKey
from .inspection import inspect, kind_of, parse
from .keys import PublicKey, SecretKey
from .search import IndexKey, Token
from .threshold import (GrantShare, Partial, combine, make_partial, open_share, split_grant,
                        verify_partial)

__all__ = [
    "SecretKey", "PublicKey", "Grant", "SealedGrant", "SealKey", "Ciphertext",
    "Token", "IndexKey", "Envelope", "Decryptor",
    "GrantShare", "Partial", "split_grant", "open_share", "make_partial", "verify_partial", "combine",
    "encrypt", "reencrypt", "decrypt", "decrypt_many", "seal_envelope",
    "open_envelope", "parse", "kind_of", "inspect", "library_version",
    "SecantError", "MalformedValueError", "InvalidValueError", "WrongRecipientError",
    "MaxLevelError", "WrongKeyError", "DecryptionError", "TooLongError",
    "TextError", "WrongDatabaseError", "KeyFileError", "PassphraseError",
    "LIBRARY_PATH", "SEED_BYTES", "PUBLIC_KEY_BYTES", "GRANT_BYTES", "HOP_BYTES",
    "TOKEN_BYTES", "INDEX_KEY_BYTES", "SEAL_KEY_BYTES", "SEALED_GRANT_BYTES", "MAX_LEVEL",
]
