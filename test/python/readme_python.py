"""test/python/readme_python.py README.md - run the ```python blocks of the
README's "Python" section as written, in order, in one namespace, against a
fresh database (PGDATABASE is set to it, so psycopg.connect() finds it);
each block is one check.  Ends with "N passed, M failed"."""
import os
import re
import sys
import traceback

import pgtest

DB = "secant_py_readme"
text = open(sys.argv[1], encoding="utf-8").read()
section = re.search(r"^## Python\n(.*?)^## ", text, re.S | re.M)
blocks = re.findall(r"^```python\n(.*?)^```", section.group(1), re.S | re.M) if section else []

pgtest.create_database(DB)
os.environ["PGDATABASE"] = DB
passed = failed = 0
if len(blocks) < 3:
    print("not ok - the README's Python section has %d python blocks (expected 3 or more)" % len(blocks))
    failed += 1
namespace = {"__name__": "readme"}
try:
    for i, block in enumerate(blocks, start=1):
        first = block.strip().splitlines()[0]
        try:
            exec(compile(block, "README.md, Python block %d" % i, "exec"), namespace)
            passed += 1
            print("ok - block %d: %s" % (i, first))
        except Exception:
            failed += 1
            print("not ok - block %d: %s" % (i, first))
            traceback.print_exc(file=sys.stdout)
finally:
    conn = namespace.get("conn")
    if conn is not None:
        conn.close()
    pgtest.drop_database(DB)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
