-- text, binary and bytea I/O of every type; bad input with its SQLSTATE and
-- message (valid inputs first, then malformed ones)
\set VERBOSITY default
\set vec `cat test/vectors/scheme-v1.json`
CREATE TEMP TABLE v AS SELECT :'vec'::jsonb AS j;
CREATE TEMP TABLE vals AS
SELECT decode(j->'group'->>'secret_key_seed', 'hex')::pre_secret_key AS sk,
       decode(j->'group'->>'public_key', 'hex')::pre_public_key AS pk,
       decode(j->'hops'->0->>'grant', 'hex')::pre_grant AS g,
       decode(j->'encrypt'->>'ciphertext_level1', 'hex')::pre_ciphertext AS ct,
       decode(j->'token'->>'token', 'hex')::pre_token AS tok
FROM v;
-- text forms: prefix and length
SELECT left(sk::text, 6) AS sk, length(sk::text) AS sk_len,
       left(pk::text, 6) AS pk, length(pk::text) AS pk_len,
       left(g::text, 9) AS g, length(g::text) AS g_len,
       left(ct::text, 6) AS ct, length(ct::text) AS ct_len,
       tok::text AS tok
FROM vals;
-- surrounding white space is trimmed
SELECT (E' \n' || tok::text || E'\t ')::pre_token = tok AS trimmed FROM vals;
-- sizes: fixed types have no varlena header
SELECT pg_column_size(sk) AS sk, pg_column_size(pk) AS pk, pg_column_size(g) AS g,
       pg_column_size(tok) AS tok, octet_length(ct::bytea) AS ct_bytes FROM vals;
SELECT typname, typlen, typstorage FROM pg_type
WHERE typname IN ('pre_secret_key', 'pre_public_key', 'pre_grant', 'pre_ciphertext', 'pre_token')
ORDER BY typname;
-- binary COPY round trip of every type, through files in pg_regress's
-- results/ directory (relative to the directory it runs in): private to
-- this checkout and this run, unlike a fixed path in /tmp
CREATE TEMP TABLE copy_src AS SELECT * FROM vals;
\copy copy_src TO 'results/04_io_copy.bin' WITH (FORMAT binary)
CREATE TEMP TABLE copy_dst (LIKE copy_src);
\copy copy_dst FROM 'results/04_io_copy.bin' WITH (FORMAT binary)
SELECT count(*) AS copied FROM copy_dst d, copy_src s
WHERE d.sk::bytea = s.sk::bytea AND d.pk = s.pk AND d.g::bytea = s.g::bytea
  AND d.ct::bytea = s.ct::bytea AND d.tok = s.tok;
-- binary COPY of garbage: a valid-looking frame whose field is 10 zero bytes
CREATE TEMP TABLE garbage_src (b bytea);
INSERT INTO garbage_src VALUES ('\x00000000000000000000');
\copy garbage_src TO 'results/04_io_garbage.bin' WITH (FORMAT binary)
CREATE TEMP TABLE garbage_pk (v pre_public_key);
\copy garbage_pk FROM 'results/04_io_garbage.bin' WITH (FORMAT binary)
CREATE TEMP TABLE garbage_ct (v pre_ciphertext);
\copy garbage_ct FROM 'results/04_io_garbage.bin' WITH (FORMAT binary)
CREATE TEMP TABLE garbage_g (v pre_grant);
\copy garbage_g FROM 'results/04_io_garbage.bin' WITH (FORMAT binary)
CREATE TEMP TABLE garbage_sk (v pre_secret_key);
\copy garbage_sk FROM 'results/04_io_garbage.bin' WITH (FORMAT binary)
CREATE TEMP TABLE garbage_tok (v pre_token);
\copy garbage_tok FROM 'results/04_io_garbage.bin' WITH (FORMAT binary)
SELECT (SELECT count(*) FROM garbage_pk) + (SELECT count(*) FROM garbage_ct) AS accepted_garbage;
-- ERROR: wrong prefix (22P02, with a hint)
SELECT 'prepk_AAAA'::pre_secret_key;
SELECT 'presk_AAAA'::pre_public_key;
SELECT 'hello'::pre_ciphertext;
SELECT ''::pre_grant;
SELECT 'PRETOK_AAAAAAAAAAAAAAAAAAAAAA'::pre_token;
-- ERROR: nothing after the prefix
SELECT 'prect_'::pre_ciphertext;
SELECT 'pretok_'::pre_token;
-- ERROR: bad base64url: padding, standard alphabet, inner space, bad trailing bits
SELECT 'pretok_AAAAAAAAAAAAAAAAAAAAAA=='::pre_token;
SELECT 'pretok_AAAAAAAAAAAAAAAAAAAA+/'::pre_token;
SELECT 'pretok_AAAAAAAAAAA AAAAAAAAAA'::pre_token;
SELECT 'pretok_AAAAAAAAAAAAAAAAAAAAAB'::pre_token;
SELECT 'prect_A'::pre_ciphertext;
-- ERROR: wrong length
SELECT 'pretok_AAAAAAAAAAAAAAAAAAAAAAAA'::pre_token;
SELECT ('presk_' || repeat('A', 42))::pre_secret_key;
SELECT ('prepk_' || repeat('A', 87))::pre_public_key;
-- ERROR: valid syntax, invalid value (22023): all-zero public key and grant
SELECT ('prepk_' || repeat('A', 86))::pre_public_key;
SELECT ('\x' || repeat('00', 64))::bytea::pre_public_key;
SELECT ('\x' || repeat('00', 272))::bytea::pre_grant;
-- ERROR: truncated and extended bytes through bytea casts: shorter than the
-- header, body shorter than the tag, a wrong grant or key length
SELECT substr(ct::bytea, 1, 195)::pre_ciphertext FROM vals;
SELECT substr(ct::bytea, 1, 196 + 11 + 15)::pre_ciphertext FROM vals;
SELECT substr(g::bytea, 1, 271)::pre_grant FROM vals;
SELECT (pk::bytea || '\x00'::bytea)::pre_public_key FROM vals;
SELECT ''::bytea::pre_ciphertext;
SELECT '\x00'::bytea::pre_token;
-- a body truncated or extended by one byte is well formed (the body length
-- is not in the header) but is refused on decryption
SELECT pre_decrypt(substr(ct::bytea, 1, octet_length(ct::bytea) - 1)::pre_ciphertext, sk) FROM vals;
SELECT pre_decrypt((ct::bytea || '\x00'::bytea)::pre_ciphertext, sk) FROM vals;
-- ERROR: an index key of the wrong size
SELECT pre_token('\x00'::bytea, 'word');
-- NULL in, NULL out (STRICT)
SELECT pre_reencrypt(NULL, g) IS NULL AS a, pre_decrypt(ct, NULL) IS NULL AS b,
       pre_encrypt(pk, NULL::bytea) IS NULL AS c, pre_level(NULL) IS NULL AS d,
       pre_token(NULL, 'x') IS NULL AS e, NULL::pre_ciphertext IS NULL AS f
FROM vals;
-- operators and operator classes: btree and hash indexes, joins, GIN on pre_token[]
CREATE TEMP TABLE keys AS SELECT pre_public_key(pre_keygen()) AS pk FROM generate_series(1, 200);
INSERT INTO keys SELECT pk FROM vals;
CREATE INDEX keys_btree ON keys (pk);
SET enable_seqscan = off;
-- the plans are those of generic plans of prepared statements, whose
-- parameters every PostgreSQL major prints alike ($1)
SET plan_cache_mode = force_generic_plan;
PREPARE by_pk(pre_public_key) AS SELECT * FROM keys WHERE pk = $1;
EXPLAIN (COSTS OFF) EXECUTE by_pk(NULL);
SELECT count(*) AS found FROM keys WHERE pk = (SELECT pk FROM vals);
DROP INDEX keys_btree;
CREATE INDEX keys_hash ON keys USING hash (pk);
EXPLAIN (COSTS OFF) EXECUTE by_pk(NULL);
SELECT count(*) AS found FROM keys WHERE pk = (SELECT pk FROM vals);
RESET enable_seqscan;
SELECT count(DISTINCT pk) AS distinct_keys, count(*) FILTER (WHERE pk < (SELECT pk FROM vals))
       + count(*) FILTER (WHERE pk >= (SELECT pk FROM vals)) AS total FROM keys;
SELECT a.pk = b.pk AS eq, a.pk <> b.pk AS ne FROM vals a, vals b;
CREATE TEMP TABLE docs AS
SELECT i, pre_tokens('\x574c38032f94e0c099504633f8c371b428f34a9a043464f3caeb8a2ac9d2651e'::bytea,
                     CASE WHEN i % 10 = 0 THEN 'patient has diabetes' ELSE 'routine visit ' || i END) AS tokens
FROM generate_series(1, 1000) AS i;
CREATE INDEX docs_gin ON docs USING gin (tokens);
ANALYZE docs;
SET enable_seqscan = off;
PREPARE by_token(pre_token) AS SELECT i FROM docs WHERE tokens @> ARRAY[$1];
EXPLAIN (COSTS OFF) EXECUTE by_token(NULL);
SELECT count(*) AS diabetes_rows FROM docs WHERE tokens @> ARRAY[(SELECT tok FROM vals)];
RESET enable_seqscan;
RESET plan_cache_mode;
