"""test/python/cdef_check.py HEADER - the cffi declarations of
secant_pre._native (CDEF) and the sizes, kinds and error codes of
secant_pre against the library's generated header (build/lib/secant_pre.h):
a C file includes HEADER, declares every CDEF function again (the compiler
refuses a conflicting type), and asserts each struct's size and field
offsets as cffi lays them out and each constant's value.  Needs cc.
Ends with "N passed, M failed"."""
import os
import re
import subprocess
import sys
import tempfile

from secant_pre import _common, errors
from secant_pre._native import CDEF, ffi, lib

HEADER = os.path.abspath(sys.argv[1])
STRUCT = re.compile(r"typedef struct \{[^}]*\} (\w+);")
ENUM = re.compile(r"typedef enum \{([^}]*)\} (\w+);")

# Python name -> the header's expression
CONSTANTS = {
    "SEED_BYTES": "SP_SEEDBYTES", "PUBLIC_KEY_BYTES": "SP_PUBLICKEYBYTES",
    "GRANT_BYTES": "SP_GRANTBYTES", "HOP_BYTES": "SP_HOPBYTES", "TOKEN_BYTES": "SP_TOKENBYTES",
    "INDEX_KEY_BYTES": "SP_INDEXKEYBYTES", "SEAL_KEY_BYTES": "SP_SEALKEYBYTES",
    "SEALED_GRANT_BYTES": "SP_SEALEDBYTES", "MAX_LEVEL": "SP_MAXLEVEL",
    "_AEAD_KEY_BYTES": "SP_AEADKEYBYTES", "_NONCE_BYTES": "SP_NONCEBYTES",
    "_ENVELOPE_V2": "SP_ENVELOPE_V2", "_KF_BYTES": "SP_KF_BYTES",
    "_KF_TEXT_BYTES": "SP_KF_TEXTBYTES", "_KF_SECRET_KEY": "SP_KF_PRE_SECRET_KEY",
    "_KF_INDEX_KEY": "SP_KF_INDEX_KEY", "_K_SECRET": "SP_KIND_SECRET_KEY",
    "_K_PUBLIC": "SP_KIND_PUBLIC_KEY", "_K_GRANT": "SP_KIND_GRANT",
    "_K_CT": "SP_KIND_CIPHERTEXT", "_K_TOKEN": "SP_KIND_TOKEN",
    "_K_SEALED": "SP_KIND_SEALED_GRANT", "_K_SEALKEY": "SP_KIND_SEAL_KEY",
}


def asserts(pairs):
    return "".join('_Static_assert((%s) == (%s), "%s");\n' % (c, v, c.replace('"', "'"))
                   for c, v in pairs)


def compiles(body):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "check.c")
        with open(path, "w") as f:
            f.write('#include <stddef.h>\n#include "%s"\n%s' % (HEADER, body))
        r = subprocess.run(["cc", "-std=gnu11", "-fsyntax-only", "-Werror", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        return r.returncode == 0, r.stdout


structs = STRUCT.findall(CDEF)
enums = [(n, [c.strip() for c in body.split(",")]) for body, n in ENUM.findall(CDEF)]
layout = [("sizeof(%s)" % n, ffi.sizeof(n)) for n in structs]
layout += [("offsetof(%s, %s)" % (n, f), ffi.offsetof(n, f))
           for n in structs for f, _ in ffi.typeof(n).fields]
names = list(errors._ERR_NAMES.items()) + list(errors._KF_NAMES.items())
checks = [
    ("every function of CDEF is declared alike in the header", ENUM.sub("", STRUCT.sub("", CDEF))),
    ("the enums of CDEF have the header's size and values (%s)" % ", ".join(n for n, _ in enums),
     asserts([("sizeof(%s)" % n, ffi.sizeof(n)) for n, _ in enums] +
             [(c, getattr(lib, c)) for _, cs in enums for c in cs])),
    ("the structs of CDEF have the header's size and field offsets (%s)" % ", ".join(structs),
     asserts(layout)),
    ("the sizes and kinds of secant_pre are the header's",
     asserts((c, getattr(_common, p)) for p, c in CONSTANTS.items())),
    ("the error names of secant_pre.errors have the header's codes",
     asserts((name, code) for code, name in names)),
]
failed = 0
for i, (title, body) in enumerate(checks, 1):
    ok, out = compiles(body)
    print("%s %d - %s" % ("ok" if ok else "not ok", i, title))
    if not ok:
        failed += 1
        print("".join("# " + line + "\n" for line in out.splitlines()[:20]), end="")
print("%d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
