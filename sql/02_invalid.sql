-- every value of test/vectors/scheme-v1-invalid.json is refused at the
-- stage it names; rows only on mismatch, then a summary by SQLSTATE
\set inv `cat test/vectors/scheme-v1-invalid.json`
\set vec `cat test/vectors/scheme-v1.json`
CREATE TEMP TABLE cases AS
SELECT n, c->>'stage' AS stage, c->>'type' AS typ, c->>'why' AS why,
       c->>'value' AS value, c->>'grant' AS grant_text, c->>'key' AS key_who
FROM jsonb_array_elements(:'inv'::jsonb->'cases') WITH ORDINALITY AS e(c, n);
SELECT count(*) AS cases, count(*) FILTER (WHERE stage = 'input') AS input,
       count(*) FILTER (WHERE stage = 'reencrypt') AS reencrypt,
       count(*) FILTER (WHERE stage = 'decrypt') AS decrypt
FROM cases;
-- SQLSTATE of running a statement, or 'ok'
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
-- input stage, text: every one refused
CREATE TEMP TABLE input_text AS
SELECT n, typ, why, pg_temp.sqlstate_of(format('SELECT %L::%s', value, typ)) AS state
FROM cases WHERE stage = 'input';
SELECT n, typ, why FROM input_text WHERE state = 'ok';
SELECT typ, state, count(*) FROM input_text GROUP BY 1, 2 ORDER BY 1, 2;
-- input stage, bytea cast of the same bytes (where the text decodes at all)
CREATE FUNCTION pg_temp.b64url(t text) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(translate(t, '-_', '+/') ||
                  repeat('=', (4 - length(t) % 4) % 4), 'base64') $$;
CREATE TEMP TABLE input_bytea AS
SELECT n, typ, why,
       pg_temp.sqlstate_of(format('SELECT %L::bytea::%s',
                                  pg_temp.b64url(substr(value, strpos(value, '_') + 1)), typ)) AS state
FROM cases
WHERE stage = 'input' AND value ~ '^pre[a-z]+_[A-Za-z0-9_-]+$'
  AND why NOT LIKE 'wrong prefix%' AND length(value) % 4 <> 1 + strpos(value, '_') % 4;
SELECT n, typ, why FROM input_bytea WHERE state = 'ok';
SELECT typ, state, count(*) FROM input_bytea GROUP BY 1, 2 ORDER BY 1, 2;
-- the reencrypt stage: valid values, refused by pre_reencrypt
SELECT n, why, pg_temp.sqlstate_of(format('SELECT %L::pre_ciphertext', value)) AS ct_input,
       pg_temp.sqlstate_of(format('SELECT %L::pre_grant', grant_text)) AS grant_input,
       pg_temp.sqlstate_of(format('SELECT pre_reencrypt(%L, %L)', value, grant_text)) AS reencrypt
FROM cases WHERE stage = 'reencrypt' ORDER BY n;
-- the decrypt stage: valid values, refused by pre_decrypt with the named key
SELECT n, why, pg_temp.sqlstate_of(format('SELECT %L::pre_ciphertext', value)) AS ct_input,
       pg_temp.sqlstate_of(format('SELECT pre_decrypt(%L, %L::bytea::pre_secret_key)', value,
              decode(:'vec'::jsonb->key_who->>'secret_key_seed', 'hex'))) AS decrypt
FROM cases WHERE stage = 'decrypt' ORDER BY n;
-- the messages name the type and the failed check, never the value
\set VERBOSITY default
SELECT value::pre_ciphertext FROM cases WHERE why = 'capsule check fails (s + 1)';
SELECT value::pre_grant FROM cases WHERE why = 'signature does not verify (one bit flipped)';
SELECT value::pre_public_key FROM cases WHERE why = 'P is the identity';
SELECT value::pre_ciphertext FROM cases WHERE why = 'level 17 (16 hop records present): above the maximum level 16';
SELECT value::pre_secret_key FROM cases WHERE why = '31 bytes' AND typ = 'pre_secret_key';
SELECT pre_reencrypt(value::pre_ciphertext, grant_text::pre_grant) FROM cases WHERE why LIKE 'grant is from the group%';
SELECT pre_reencrypt(value::pre_ciphertext, grant_text::pre_grant) FROM cases WHERE why LIKE 'level 16 is the maximum%';
SELECT pre_decrypt(value::pre_ciphertext, decode(:'vec'::jsonb->key_who->>'secret_key_seed', 'hex')::pre_secret_key)
FROM cases WHERE why = 'aad byte changed';
SELECT pre_decrypt(value::pre_ciphertext, decode(:'vec'::jsonb->key_who->>'secret_key_seed', 'hex')::pre_secret_key)
FROM cases WHERE why LIKE 'wrong key%';
