#!/bin/sh
# src/lib/mkheader.sh VERSION TEMPLATE HEADER... - print the installed
# header secant_pre.h: TEMPLATE with @VERSION@ and, at @BODY@, each HEADER
# in order without its include guard and its #include lines (the public
# headers include each other; the template includes the system ones).
set -eu
version=$1
template=$2
shift 2
body=$(mktemp)
trap 'rm -f "$body"' EXIT
for h in "$@"; do
	printf '\n/* ---- from %s ---- */\n' "${h##*/}" >>"$body"
	awk '
		/^#include / { next }
		!guard && /^#ifndef SP_[A-Z_]*_H$/ { guard = 1; skipdef = 1; next }
		skipdef && /^#define SP_[A-Z_]*_H$/ { skipdef = 0; next }
		/^#endif[ \t]*\/\* SP_[A-Z_]*_H \*\/$/ { next }
		{ print }
	' "$h" >>"$body"
done
awk -v version="$version" -v body="$body" '
	/^@BODY@$/ { while ((getline line < body) > 0) print line; next }
	{ gsub(/@VERSION@/, version); print }
' "$template"
