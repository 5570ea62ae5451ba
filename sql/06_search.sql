-- searchable encrypted index: normalisation, tokens, GIN lookups, index keys
-- shared by PRE, rotation and revocation
\set VERBOSITY default
\set vec `cat test/vectors/scheme-v1.json`
CREATE TEMP TABLE ik AS SELECT decode(:'vec'::jsonb->'token'->>'index_key', 'hex') AS key;
-- normalisation: NFKC case folding and trimmed white space (rows only on mismatch)
SELECT a, b FROM ik, (VALUES ('diabetes', ' Diabetes '), ('Ärztin', 'ärztin'), ('ÄRZTIN', 'ärztin'),
                             ('naïve', E'nai\u0308ve'), ('ΣΊΣΥΦΟΣ', 'σίσυφοσ'), ('ﬁnal', 'final'),
                             ('Ⅻ', 'xii'), ('Straße', 'strasse')) AS t(a, b)
WHERE pre_token(key, a) <> pre_token(key, b);
-- different words give different tokens
SELECT pre_token(key, 'diabetes') <> pre_token(key, 'diabetic') AS differ FROM ik;
-- the KAT token survives normalisation
SELECT pre_token(key, E'\tDIABETES\n')::bytea = decode(:'vec'::jsonb->'token'->>'token', 'hex') AS kat FROM ik;
-- documents: split on non-letters/digits, de-duplicated, sorted by token bytes
SELECT cardinality(pre_tokens(key, 'Diabetes, diabetes; DIABETES! type-2 (HbA1c 7.9%)')) AS n FROM ik;
SELECT pre_tokens(key, 'type-2 diabetes') @> ARRAY[pre_token(key, 'type'), pre_token(key, '2'), pre_token(key, 'diabetes')] AS has_all,
       pre_tokens(key, 'type-2 diabetes') @> ARRAY[pre_token(key, 'type-2')] AS has_hyphenated
FROM ik;
SELECT t = (SELECT array_agg(x ORDER BY x) FROM unnest(t) AS x) AS sorted
FROM ik, pre_tokens(key, 'zebra apple mango kiwi banana') AS t;
SELECT cardinality(pre_tokens(key, '')) AS empty_doc, cardinality(pre_tokens(key, ' ,.;!? ')) AS only_separators FROM ik;
-- prefix tokens: "diab" finds "diabetes"; nothing under 3 characters
SELECT pre_tokens(key, 'diabetes', true) @> ARRAY[pre_token(key, 'diab')] AS diab,
       pre_tokens(key, 'diabetes', true) @> ARRAY[pre_token(key, 'dia')] AS dia,
       pre_tokens(key, 'diabetes', true) @> ARRAY[pre_token(key, 'di')] AS di,
       cardinality(pre_tokens(key, 'diabetes', true)) AS n
FROM ik;
-- ERROR: invalid UTF-8 cannot reach a text argument; a wrong key size can
SELECT pre_tokens('\x00'::bytea, 'word');
-- index keys shared by PRE: a group, two nurses, their tablets
CREATE TEMP TABLE sk AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('oncology', 'group'), ('nurse_eve', 'user'), ('nurse_fay', 'user'),
             ('eve_tablet', 'device'), ('fay_tablet', 'device')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) AS principals FROM sk;
CREATE FUNCTION pg_temp.sk(n text) RETURNS pre_secret_key LANGUAGE sql AS $$ SELECT sk FROM sk WHERE name = n $$;
SELECT count(secant.add_grant(pre_grant(pg_temp.sk(a), secant.principal_key(b))))
FROM (VALUES ('oncology', 'nurse_eve'), ('oncology', 'nurse_fay'),
             ('nurse_eve', 'eve_tablet'), ('nurse_fay', 'fay_tablet')) AS g(a, b);
-- version 1: a random key, encrypted to the group on a client
CREATE TEMP TABLE key_v1 AS SELECT decode(md5('v1') || md5('v1 again'), 'hex') AS key;
SELECT secant.rotate_index_key('oncology', pre_encrypt(secant.principal_key('oncology'), (SELECT key FROM key_v1))) AS version;
-- a tablet gets the key through its nurse's grants and decrypts it
SELECT version, pre_level(key_ct) AS level,
       pre_decrypt(key_ct, pg_temp.sk('eve_tablet')) = (SELECT key FROM key_v1) AS same_key
FROM secant.index_keys_for('oncology', secant.principal_key('eve_tablet'));
-- records with tokens and the key version they were made with
CREATE TABLE records (
    id int PRIMARY KEY,
    body pre_ciphertext NOT NULL,
    index_version int NOT NULL,
    tokens pre_token[] NOT NULL
);
INSERT INTO records
SELECT i, pre_encrypt(secant.principal_key('oncology'), d), 1, pre_tokens((SELECT key FROM key_v1), d)
FROM (SELECT i, CASE WHEN i % 50 = 0 THEN 'Patient with diabetes, HbA1c 8.1'
                     WHEN i % 7 = 0 THEN 'Chemotherapy cycle ' || i
                     ELSE 'Routine follow-up visit ' || i END AS d
      FROM generate_series(1, 2000) AS i) x;
CREATE INDEX records_tokens ON records USING gin (tokens);
ANALYZE records;
-- the lookup uses the index
EXPLAIN (COSTS OFF) SELECT id FROM records WHERE tokens @> ARRAY[pre_token('\x00000000000000000000000000000000000000000000000000000000000000ff'::bytea, 'x')];
SELECT count(*) AS diabetes FROM records WHERE tokens @> ARRAY[pre_token((SELECT key FROM key_v1), 'Diabetes')];
SELECT count(*) AS both_words FROM records
WHERE tokens @> ARRAY[pre_token((SELECT key FROM key_v1), 'diabetes'), pre_token((SELECT key FROM key_v1), 'hba1c')];
SELECT count(*) AS chemo FROM records WHERE tokens @> ARRAY[pre_token((SELECT key FROM key_v1), 'chemotherapy')];
-- Fay leaves: revoked, she cannot fetch the index key any more
SELECT secant.revoke('oncology', 'nurse_fay') >= 0 AS revoked;
SELECT * FROM secant.index_keys_for('oncology', secant.principal_key('fay_tablet'));
-- rotation: version 2; new rows use it; Fay's old key does not match them
CREATE TEMP TABLE key_v2 AS SELECT decode(md5('v2') || md5('v2 again'), 'hex') AS key;
SELECT secant.rotate_index_key('oncology', pre_encrypt(secant.principal_key('oncology'), (SELECT key FROM key_v2))) AS version;
INSERT INTO records
SELECT 3000 + i, pre_encrypt(secant.principal_key('oncology'), 'New diabetes case ' || i), 2,
       pre_tokens((SELECT key FROM key_v2), 'New diabetes case ' || i)
FROM generate_series(1, 10) AS i;
SELECT count(*) AS old_key_matches_new_rows FROM records
WHERE index_version = 2 AND tokens @> ARRAY[pre_token((SELECT key FROM key_v1), 'diabetes')];
SELECT count(*) AS new_key_matches_new_rows FROM records
WHERE index_version = 2 AND tokens @> ARRAY[pre_token((SELECT key FROM key_v2), 'diabetes')];
-- Eve gets both versions, newest first
SELECT version, pre_decrypt(key_ct, pg_temp.sk('eve_tablet')) = CASE version WHEN 1 THEN (SELECT key FROM key_v1) ELSE (SELECT key FROM key_v2) END AS same_key
FROM secant.index_keys_for('oncology', secant.principal_key('eve_tablet'));
-- ERROR: an index key that is not a level-1 ciphertext to the group, or for a non-group
SELECT secant.rotate_index_key('oncology', pre_encrypt(secant.principal_key('nurse_eve'), (SELECT key FROM key_v2)));
SELECT secant.rotate_index_key('nurse_eve', pre_encrypt(secant.principal_key('nurse_eve'), (SELECT key FROM key_v2)));
\set VERBOSITY terse
INSERT INTO secant.index_keys (group_key, version, key_ct)
VALUES (secant.principal_key('oncology'), 9, pre_encrypt(secant.principal_key('nurse_eve'), '\x00'::bytea));
\set VERBOSITY default
-- the audit log records index key changes
SELECT action, detail->>'version' AS version FROM secant.audit_log WHERE action = 'index key' ORDER BY seq;
DROP TABLE records;
