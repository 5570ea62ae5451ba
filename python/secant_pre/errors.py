"""The exceptions: one class per kind of core error (sp_err), with the
core's code, name and sentence; never secret material."""
from __future__ import annotations

from ._native import ffi as _ffi, lib as _lib


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
