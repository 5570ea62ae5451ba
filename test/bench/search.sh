#!/usr/bin/env bash
# test/bench/search.sh - the searchable index (pre_token[] under GIN) at scale: SEARCH_ROWS
# rows (default 1 000 000) of ~20 tokens each, drawn from a 20 000-word
# vocabulary with a skewed (Zipf-like) frequency; prints the GIN index size,
# build time and p50/p99 lookup latency (in the server, 1 000 lookups each,
# tokens of random vocabulary words) for one token (all matching rows, and a
# first page of 50) and for two tokens (AND), as a Markdown table.
# Needs a running server (PGHOST/PGPORT/PGUSER) with secant_pre installed.
set -euo pipefail
ROWS=${SEARCH_ROWS:-1000000}
DB=secant_bench_search
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
q "CREATE EXTENSION secant_pre"
q "SET maintenance_work_mem = '512MB'" >/dev/null
# the vocabulary's tokens under one index key (computed once, as a client would)
q "CREATE TABLE vocab AS
   SELECT i, pre_token('\\x574c38032f94e0c099504633f8c371b428f34a9a043464f3caeb8a2ac9d2651e', 'word' || i) AS tok
   FROM generate_series(1, 20000) AS i"
q "CREATE TABLE docs (id int, tokens pre_token[])"
t0=$(date +%s.%N)
q "ALTER TABLE vocab ADD PRIMARY KEY (i)"
q "INSERT INTO docs
   SELECT d, ARRAY(SELECT DISTINCT w.v[1 + floor(19999 * power(random(), 3))::int + 0 * d]
                   FROM generate_series(1, 20))
   FROM generate_series(1, $ROWS) AS d, (SELECT array_agg(tok ORDER BY i) AS v FROM vocab) AS w"
t1=$(date +%s.%N)
build=$(psql -X -q -At -d "$DB" -c "SET maintenance_work_mem = '512MB'" -c '\timing on' \
	-c "CREATE INDEX docs_tokens ON docs USING gin (tokens)" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
q "ANALYZE docs"
avg_tokens=$(q "SELECT round(avg(cardinality(tokens)), 1) FROM docs")
size=$(q "SELECT pg_size_pretty(pg_relation_size('docs_tokens'))")
table_size=$(q "SELECT pg_size_pretty(pg_relation_size('docs'))")
# latency percentiles of N lookups with tokens of random vocabulary words
lat() {
	q "DO \$\$
DECLARE t timestamptz; ms float8[] := '{}'; a pre_token; b pre_token; n bigint;
BEGIN
    FOR i IN 1..1000 LOOP
        SELECT tok INTO a FROM vocab WHERE vocab.i = 1 + floor(random() * 20000)::int;
        SELECT tok INTO b FROM vocab WHERE vocab.i = 1 + floor(random() * 200)::int;
        t := clock_timestamp();
        IF $1 = 1 THEN
            SELECT count(*) INTO n FROM docs WHERE tokens @> ARRAY[a];
        ELSIF $1 = 3 THEN
            SELECT count(*) INTO n FROM (SELECT id FROM docs WHERE tokens @> ARRAY[a] LIMIT 50) x;
        ELSE
            SELECT count(*) INTO n FROM docs WHERE tokens @> ARRAY[a, b];
        END IF;
        ms := ms || extract(epoch FROM clock_timestamp() - t) * 1000;
    END LOOP;
    RAISE NOTICE '% %', (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 3) FROM unnest(ms) x),
                        (SELECT round(percentile_cont(0.99) WITHIN GROUP (ORDER BY x)::numeric, 3) FROM unnest(ms) x);
END \$\$" 2>&1 | sed -n 's/.*NOTICE:  //p'
}
read -r p50_1 p99_1 <<<"$(lat 1)"
read -r p50_2 p99_2 <<<"$(lat 2)"
read -r p50_3 p99_3 <<<"$(lat 3)"
cat <<EOF2
| search benchmark ($ROWS rows, $avg_tokens tokens per row, 20 000-word skewed vocabulary) | measured | target |
| --- | --- | --- |
| rows with tokens, load time | $(python3 -c "print(f'{$t1 - $t0:.1f} s')") (table $table_size) | |
| GIN index build | $(python3 -c "print(f'{$build / 1000:.1f} s')") | |
| GIN index size | $size | |
| one token, all matching rows: p50 / p99 | $p50_1 / $p99_1 ms | < 1 / < 5 ms |
| one token, first 50 rows: p50 / p99 | $p50_3 / $p99_3 ms | < 1 / < 5 ms |
| two tokens (AND), all matching rows: p50 / p99 | $p50_2 / $p99_2 ms | < 1 / < 5 ms |
EOF2
