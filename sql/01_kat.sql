-- known-answer vectors (test/vectors/scheme-v1.json): rows only on mismatch
\set vec `cat test/vectors/scheme-v1.json`
CREATE TEMP TABLE kat AS SELECT :'vec'::jsonb AS v;
CREATE TEMP TABLE kat_keys AS
SELECT k AS who,
       decode(v->k->>'secret_key_seed', 'hex')::pre_secret_key AS sk,
       decode(v->k->>'public_key', 'hex')::pre_public_key AS pk
FROM kat, unnest(ARRAY['group', 'user', 'device', 'backup']) AS k;
CREATE TEMP TABLE kat_hops AS
SELECT n + 1 AS level_after, h->>'from' AS from_who, h->>'to' AS to_who,
       decode(h->>'grant', 'hex')::pre_grant AS g,
       decode(h->>('ciphertext_level' || (n + 1)), 'hex')::pre_ciphertext AS ct
FROM kat, jsonb_array_elements(v->'hops') WITH ORDINALITY AS e(h, n);
-- public keys derive from the seeds
SELECT who FROM kat_keys WHERE pre_public_key(sk) IS DISTINCT FROM pk;
-- the level-1 ciphertext decrypts with the group key to the message
SELECT 'L1' FROM kat, kat_keys
WHERE who = 'group'
  AND pre_decrypt(decode(v->'encrypt'->>'ciphertext_level1', 'hex')::pre_ciphertext, sk)
      IS DISTINCT FROM decode(v->'encrypt'->>'message', 'hex');
-- the table of hops is complete (so the NULL-safe checks below can fail)
SELECT count(*) AS hops, count(ct) AS ciphertexts, count(g) AS grants FROM kat_hops;
-- re-encryption with each grant gives the next level byte for byte
WITH RECURSIVE chain(level, ct) AS (
    SELECT 1, decode(v->'encrypt'->>'ciphertext_level1', 'hex')::pre_ciphertext FROM kat
  UNION ALL
    SELECT c.level + 1, pre_reencrypt(c.ct, h.g)
    FROM chain c JOIN kat_hops h ON h.level_after = c.level + 1
)
SELECT c.level FROM chain c JOIN kat_hops h ON h.level_after = c.level
WHERE c.ct::bytea IS DISTINCT FROM h.ct::bytea;
-- every level decrypts with its recipient's key
SELECT h.level_after FROM kat, kat_hops h JOIN kat_keys k ON k.who = h.to_who
WHERE pre_decrypt(h.ct, k.sk) IS DISTINCT FROM decode(v->'encrypt'->>'message', 'hex');
-- accessors agree with the vectors
SELECT h.level_after FROM kat_hops h JOIN kat_keys k ON k.who = h.to_who
WHERE h.ct IS NULL OR pre_level(h.ct) <> h.level_after OR pre_recipient(h.ct) <> k.pk
   OR pre_origin(h.ct) <> (SELECT pk FROM kat_keys WHERE who = 'group')
   OR pre_aad(h.ct) <> '\x7265636f72643a34373131'::bytea
   OR array_length(pre_hop_keys(h.ct), 1) <> h.level_after - 1
   OR (pre_hop_keys(h.ct))[h.level_after - 1] <> pre_grant_hop_key(h.g);
SELECT h.level_after FROM kat_hops h
JOIN kat_keys f ON f.who = h.from_who JOIN kat_keys t ON t.who = h.to_who
WHERE pre_grant_from(h.g) <> f.pk OR pre_grant_to(h.g) <> t.pk;
-- not_after: none for the first two grants, 2030-01-01 for the third
SELECT level_after, pre_grant_not_after(g) AT TIME ZONE 'UTC' AS not_after_utc FROM kat_hops ORDER BY 1;
-- the search token
SELECT pre_token(decode(v->'token'->>'index_key', 'hex'), v->'token'->>'keyword')::bytea
       = decode(v->'token'->>'token', 'hex') AS token_matches
FROM kat;
-- text forms round-trip and look as expected
SELECT left(pk::text, 10) AS pk_text, length(pk::text) FROM kat_keys WHERE who = 'group';
SELECT who FROM kat_keys WHERE pk::text::pre_public_key <> pk OR sk::text::pre_secret_key::bytea <> sk::bytea;
SELECT level_after FROM kat_hops WHERE ct::text::pre_ciphertext::bytea <> ct::bytea OR g::text::pre_grant::bytea <> g::bytea;
