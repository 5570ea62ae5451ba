#!/usr/bin/env bash
# The README's Getting started SQL and sql/07_readme.sql (a regression test)
# must not drift apart.
cd "$(dirname "$0")/.." || exit 1
if diff -u sql/07_readme.sql <(python3 test/readme_sql.py README.md); then
	echo "ok - sql/07_readme.sql mirrors the README"
	echo "1 passed, 0 failed"
else
	echo "not ok - sql/07_readme.sql differs from the README: run python3 test/readme_sql.py > sql/07_readme.sql"
	echo "0 passed, 1 failed"
	exit 1
fi
