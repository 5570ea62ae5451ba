"""test/python/readme_python.py docs/CLIENTS.md - run the ```python blocks of
the "Python" section of docs/CLIENTS.md as written, in order, in one namespace, against a
fresh database (PGDATABASE is set to it, so psycopg.connect() finds it);
each block is one check.  Ends with "N passed, M failed"."""
import os
import re
import sys
import traceback

import pgtest

DB = "secant_py_readme"
text = open(sys.argv[1], encoding="utf-8").read()
section = re.search(r"^## Python\n(.*?)(?:^## |\Z)", text, re.S | re.M)
blocks = re.findall(r"^```python\n(.*?)^```", section.group(1), re.S | re.M) if section else []

pgtest.create_database(DB)
os.environ["PGDATABASE"] = DB
passed = failed = 0
if len(blocks) < 3:
    print("not ok - the Python section of %s has %d python blocks (expected 3 or more)" % (sys.argv[1], len(blocks)))
    failed += 1
namespace = {"__name__": "readme"}
try:
    for i, block in enumerate(blocks, start=1):
        first = block.strip().splitlines()[0]
        try:
            exec(compile(block, "%s, Python block %d" % (sys.argv[1], i), "exec"), namespace)
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
