-- bad-input catalogue: hostile or mistaken input to every type and function,
-- each case with the SQLSTATE, message and detail it gets (or "ok" and a
-- deterministic result).  Cases already in 02_invalid, 03_roundtrip and
-- 04_io are not repeated.  Never prints a random value: cases return
-- booleans, counts, or NULL.
\set VERBOSITY default
\set vec `cat test/vectors/scheme-v1.json`
-- known-answer values (deterministic)
CREATE TEMP TABLE kat AS
SELECT decode(j->'group'->>'secret_key_seed', 'hex')::pre_secret_key AS sk,
       decode(j->'group'->>'public_key', 'hex')::pre_public_key AS pk,
       decode(j->'user'->>'public_key', 'hex')::pre_public_key AS upk,
       decode(j->'hops'->0->>'grant', 'hex')::pre_grant AS g,
       decode(j->'encrypt'->>'ciphertext_level1', 'hex')::pre_ciphertext AS ct,
       decode(j->'hops'->0->>'ciphertext_level2', 'hex')::pre_ciphertext AS ct2,
       decode(j->'token'->>'token', 'hex')::pre_token AS tok,
       decode(j->'token'->>'index_key', 'hex') AS ikey
FROM (SELECT :'vec'::jsonb AS j) v;
-- random keys for the access-control cases (never printed)
CREATE TEMP TABLE bk AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('bi_group', 'group'), ('bi_user', 'user'), ('bi_phone', 'device'),
             ('bi_tablet', 'device'), ('bi_old', 'user'), ('bi_stranger', 'user')) AS v(name, kind);
ALTER TABLE bk ADD COLUMN pk pre_public_key;
UPDATE bk SET pk = pre_public_key(sk);
CREATE FUNCTION pg_temp.sk(n text) RETURNS pre_secret_key LANGUAGE sql AS $$ SELECT sk FROM bk WHERE name = n $$;
CREATE FUNCTION pg_temp.pk(n text) RETURNS pre_public_key LANGUAGE sql AS $$ SELECT pk FROM bk WHERE name = n $$;
SELECT count(secant.add_principal(name, kind, pk)) AS principals FROM bk WHERE name <> 'bi_stranger';
-- bi_group -> bi_user -> bi_phone active; bi_user -> bi_tablet expired a
-- second ago; bi_group -> bi_old revoked below
SELECT count(secant.add_grant(pre_grant(pg_temp.sk(a), pg_temp.pk(b), x))) AS grants
FROM (VALUES ('bi_group', 'bi_user', 'infinity'::timestamptz), ('bi_user', 'bi_phone', 'infinity'),
             ('bi_user', 'bi_tablet', now() - interval '1 second'), ('bi_group', 'bi_old', 'infinity')) AS g(a, b, x);
SELECT secant.revoke('bi_group', 'bi_old') AS copies_deleted;
CREATE TABLE bi_notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO bi_notes VALUES (1, pre_encrypt(pg_temp.pk('bi_group'), 'bad input note'::text, 'bi:1'::bytea));
CREATE TABLE bi_shares (id serial PRIMARY KEY, note_id int NOT NULL, recipient pre_public_key);
SELECT secant.enable_sharing('bi_shares', 'bi_notes', 'body', 'id', 'note_id', 'recipient');
CREATE TABLE bi_plain (id int, body pre_ciphertext);
SELECT secant.rotate_index_key('bi_group', pre_encrypt(pg_temp.pk('bi_group'), ikey)) AS index_key_version FROM kat;
-- the audit chain's state before the cases (05_access breaks it on purpose)
CREATE TEMP TABLE audit_before AS SELECT secant.audit_verify() AS first_broken;
-- a chain of 17 keys: a level-16 ciphertext (to c16) and a level-15 one (to c15);
-- every key and grant of the chain is registered (the hop chain of a
-- level-15 value must match active grants), so c15 -> c17 would need level 17
CREATE TEMP TABLE chain AS SELECT i, pre_keygen() AS sk FROM generate_series(1, 17) AS i;
ALTER TABLE chain ADD COLUMN pk pre_public_key;
UPDATE chain SET pk = pre_public_key(sk);
CREATE TEMP TABLE chain_grants AS
SELECT a.i, pre_grant(a.sk, b.pk) AS g FROM chain a JOIN chain b ON b.i = a.i + 1;
CREATE TEMP TABLE levels AS
WITH RECURSIVE walk(level, ct) AS (
    SELECT 1, pre_encrypt(pk, 'sixteen hops'::text, 'chain'::bytea) FROM chain WHERE i = 1
  UNION ALL
    SELECT w.level + 1, pre_reencrypt(w.ct, g.g) FROM walk w JOIN chain_grants g ON g.i = w.level
    WHERE w.level < 16
)
SELECT level, ct, ct::bytea AS b FROM walk;
SELECT count(secant.add_principal('bi_c' || i, 'user', pk)) AS chain_principals FROM chain;
SELECT count(secant.add_grant(g)) AS chain_grants FROM chain_grants;
-- crafted values (aad 'chain' is 5 bytes: hop records start at offset 201)
CREATE TEMP TABLE crafted AS
SELECT
    -- level 17: a level-16 value with its last hop record repeated and the level byte set to 17
    (SELECT set_byte(substr(b, 1, 201 + 128 * 15) || substr(b, 201 + 128 * 14 + 1, 128)
                     || substr(b, 201 + 128 * 15 + 1), 5, 17) FROM levels WHERE level = 16) AS l17,
    -- level byte 17 without the extra hop record, and level byte 255
    (SELECT set_byte(b, 5, 17) FROM levels WHERE level = 16) AS l17_short,
    (SELECT set_byte(b, 5, 255) FROM levels WHERE level = 16) AS l255,
    -- a ciphertext of exactly 272 bytes (the size of a grant): aad 10, message 50
    (SELECT pre_encrypt(pk, convert_to(repeat('x', 50), 'UTF8'), '0123456789'::bytea)::bytea FROM kat) AS ct272,
    -- a grant's bytes with the ciphertext magic, and a 272-byte ciphertext with the grant magic
    (SELECT overlay(g::bytea PLACING 'SPCT'::bytea FROM 1) FROM kat) AS grant_as_ct;
ALTER TABLE crafted ADD COLUMN ct272_as_grant bytea;
UPDATE crafted SET ct272_as_grant = overlay(ct272 PLACING 'SPGR'::bytea FROM 1);
SELECT octet_length(l17) AS l17_bytes, octet_length(ct272) AS ct272_bytes FROM crafted;
-- binary COPY of arbitrary bytes as one field: the COPY BINARY frame of a
-- one-column row, fed through a shell program (no files left behind)
CREATE FUNCTION pg_temp.copy_bytes(tbl text, v bytea) RETURNS text LANGUAGE sql AS $$
    SELECT format('COPY %s FROM PROGRAM %L WITH (FORMAT binary)', tbl,
                  'echo ''' || encode('\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
                                      || '\x0001'::bytea || int4send(octet_length(v)) || v || '\xffff'::bytea,
                                      'base64') || ''' | base64 -d') $$;
CREATE TEMP TABLE dst_sk (v pre_secret_key);
CREATE TEMP TABLE dst_pk (v pre_public_key);
CREATE TEMP TABLE dst_g (v pre_grant);
CREATE TEMP TABLE dst_ct (v pre_ciphertext);
CREATE TEMP TABLE dst_tok (v pre_token);
-- the runner: SQLSTATE, message and detail of a statement, or "ok" and its
-- (deterministic) first column
CREATE FUNCTION pg_temp.run(stmt text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    IF stmt ~* '^\s*(select|with|values)' THEN
        EXECUTE stmt INTO r;
        message := 'result: ' || coalesce(r, 'NULL');
    ELSE
        EXECUTE stmt;
        message := 'done';
    END IF;
    state := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    detail := nullif(detail, '');
    hint := nullif(hint, '');
END $$;
-- a revocation followed, in the same transaction and statement, by a read
CREATE FUNCTION pg_temp.revoke_then_read() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pre_level(secant.reencrypt_for(body, pg_temp.pk('bi_phone'))) FROM bi_notes;
    PERFORM secant.revoke('bi_user', 'bi_phone');
    RETURN (SELECT pre_level(secant.reencrypt_for(body, pg_temp.pk('bi_phone'))) FROM bi_notes);
END $$;
CREATE TEMP TABLE cases (n serial, label text NOT NULL, stmt text NOT NULL);
INSERT INTO cases (label, stmt) VALUES
-- NULLs: STRICT functions give NULL; the SQL-level helpers raise or refuse
('null: pre_public_key(NULL)', $c$SELECT pre_public_key(NULL::pre_secret_key)$c$),
('null: pre_grant(NULL sk, pk)', $c$SELECT pre_grant(NULL::pre_secret_key, pk) FROM kat$c$),
('null: pre_grant(sk, NULL pk)', $c$SELECT pre_grant(sk, NULL::pre_public_key) FROM kat$c$),
('null: pre_grant(sk, pk, NULL not_after)', $c$SELECT pre_grant(sk, upk, NULL::timestamptz) FROM kat$c$),
('null: pre_encrypt(NULL pk, text)', $c$SELECT pre_encrypt(NULL::pre_public_key, 'x'::text)$c$),
('null: pre_encrypt(pk, text, NULL aad)', $c$SELECT pre_encrypt(pk, 'x'::text, NULL::bytea) FROM kat$c$),
('null: pre_decrypt_text(NULL, sk)', $c$SELECT pre_decrypt_text(NULL::pre_ciphertext, sk) FROM kat$c$),
('null: ciphertext accessors', $c$SELECT concat_ws(',', pre_recipient(NULL) IS NULL, pre_origin(NULL) IS NULL, pre_aad(NULL) IS NULL, pre_hop_keys(NULL) IS NULL)$c$),
('null: grant accessors', $c$SELECT concat_ws(',', pre_grant_from(NULL) IS NULL, pre_grant_to(NULL) IS NULL, pre_grant_not_after(NULL) IS NULL, pre_grant_hop_key(NULL) IS NULL)$c$),
('null: pre_tokens(key, NULL doc)', $c$SELECT pre_tokens(ikey, NULL) FROM kat$c$),
('null: pre_tokens(key, doc, NULL prefixes)', $c$SELECT pre_tokens(ikey, 'doc', NULL) FROM kat$c$),
('null: pre_audit_hash(NULL, entry)', $c$SELECT pre_audit_hash(NULL, '\x00')$c$),
('null: secant.reencrypt_for(NULL, pk)', $c$SELECT secant.reencrypt_for(NULL, pg_temp.pk('bi_phone'))$c$),
('null: secant.reencrypt_for(ct, NULL)', $c$SELECT secant.reencrypt_for(body, NULL) FROM bi_notes$c$),
('null: secant.path(NULL, pk) has no rows', $c$SELECT count(*) FROM secant.path(NULL, pg_temp.pk('bi_phone'))$c$),
('null: secant.principal_key(NULL)', $c$SELECT secant.principal_key(NULL)$c$),
('null: secant.add_principal(NULL name)', $c$SELECT secant.add_principal(NULL, 'user', pk) FROM bk WHERE name = 'bi_stranger'$c$),
('null: secant.add_principal(NULL kind)', $c$SELECT secant.add_principal('bi_x', NULL, pk) FROM bk WHERE name = 'bi_stranger'$c$),
('null: secant.add_principal(NULL key)', $c$SELECT secant.add_principal('bi_x', 'user', NULL)$c$),
('null: secant.add_grant(NULL)', $c$SELECT secant.add_grant(NULL::pre_sealed_grant)$c$),
('null: INSERT a NULL grant', $c$INSERT INTO secant.grants (rekey) VALUES (NULL)$c$),
('null: INSERT pre_grant(sk, pk, NULL)', $c$INSERT INTO secant.grants (rekey) VALUES (pre_grant(pg_temp.sk('bi_group'), pg_temp.pk('bi_phone'), NULL))$c$),
('null: secant.revoke(NULL key, key)', $c$SELECT secant.revoke(NULL::pre_public_key, pg_temp.pk('bi_user'))$c$),
('null: secant.revoke(NULL name, name)', $c$SELECT secant.revoke(NULL::text, 'bi_user')$c$),
('null: secant.members(NULL)', $c$SELECT count(*) FROM secant.members(NULL)$c$),
('null: secant.rotate_index_key(NULL key, ct)', $c$SELECT secant.rotate_index_key(NULL::pre_public_key, body) FROM bi_notes$c$),
-- empty strings and empty values
('empty: '''' as pre_secret_key', $c$SELECT ''::pre_secret_key$c$),
('empty: '''' as pre_public_key', $c$SELECT ''::pre_public_key$c$),
('empty: '''' as pre_ciphertext', $c$SELECT ''::pre_ciphertext$c$),
('empty: '''' as pre_token', $c$SELECT ''::pre_token$c$),
('empty: white space only as pre_public_key', $c$SELECT E' \t\n '::pre_public_key$c$),
('empty: ''''::bytea as pre_secret_key', $c$SELECT ''::bytea::pre_secret_key$c$),
('empty: ''''::bytea as pre_public_key', $c$SELECT ''::bytea::pre_public_key$c$),
('empty: ''''::bytea as pre_grant', $c$SELECT ''::bytea::pre_grant$c$),
('empty: ''''::bytea as pre_token', $c$SELECT ''::bytea::pre_token$c$),
('empty: empty text message and aad round-trip', $c$SELECT pre_decrypt_text(pre_encrypt(pk, ''::text, ''::bytea), sk) = '' FROM kat$c$),
('empty: pre_token of the empty word', $c$SELECT pre_token(ikey, '') IS NOT NULL FROM kat$c$),
('empty: pre_token of a blank word equals the empty word', $c$SELECT pre_token(ikey, E' \t ') = pre_token(ikey, '') FROM kat$c$),
('empty: pre_token with an empty key', $c$SELECT pre_token(''::bytea, 'word')$c$),
('empty: pre_audit_hash of empty values', $c$SELECT octet_length(pre_audit_hash('', ''))$c$),
('empty: secant.add_principal('''')', $c$SELECT secant.add_principal('', 'user', pk) FROM bk WHERE name = 'bi_stranger'$c$),
('empty: secant.principal_key('''')', $c$SELECT secant.principal_key('')$c$),
-- huge inputs: refused with a short message that never echoes them
('huge: 10 MB of garbage as pre_ciphertext', $c$SELECT repeat('x', 10 * 1024 * 1024)::pre_ciphertext$c$),
('huge: prect_ + 10 MB of base64url', $c$SELECT ('prect_' || repeat('A', 10 * 1024 * 1024))::pre_ciphertext$c$),
('huge: prect_ + 10 MB outside base64url', $c$SELECT ('prect_' || repeat('!', 10 * 1024 * 1024))::pre_ciphertext$c$),
('huge: presk_ + 10 MB', $c$SELECT ('presk_' || repeat('A', 10 * 1024 * 1024))::pre_secret_key$c$),
('huge: pregrant_ + 10 MB', $c$SELECT ('pregrant_' || repeat('A', 10 * 1024 * 1024))::pre_grant$c$),
('huge: prepk_ + 10 MB', $c$SELECT ('prepk_' || repeat('A', 10 * 1024 * 1024))::pre_public_key$c$),
('huge: pretok_ + 10 MB', $c$SELECT ('pretok_' || repeat('A', 10 * 1024 * 1024))::pre_token$c$),
('huge: 10 MB of zero bytes as pre_ciphertext', $c$SELECT decode(repeat('00', 10 * 1024 * 1024), 'hex')::pre_ciphertext$c$),
('huge: 10 MB of bytes as pre_grant', $c$SELECT decode(repeat('00', 10 * 1024 * 1024), 'hex')::pre_grant$c$),
('huge: 10 MB message round-trips', $c$SELECT md5(pre_decrypt(pre_encrypt(pk, decode(repeat('5a', 10 * 1024 * 1024), 'hex')), sk)) = md5(decode(repeat('5a', 10 * 1024 * 1024), 'hex')) FROM kat$c$),
('huge: 10 MB aad round-trips', $c$SELECT octet_length(pre_aad(pre_encrypt(pk, 'x'::text, decode(repeat('5a', 10 * 1024 * 1024), 'hex')))) FROM kat$c$),
('huge: pre_token of a 10 MB word', $c$SELECT pre_token(ikey, repeat('a', 10 * 1024 * 1024)) IS NOT NULL FROM kat$c$),
('huge: pre_tokens of 100000 distinct words', $c$SELECT cardinality(pre_tokens(ikey, (SELECT string_agg('w' || i, ' ') FROM generate_series(1, 100000) i))) FROM kat$c$),
-- truncated values of every type (text forms; the bytea forms are in 02/04)
('truncated: presk_ text without its last character', $c$SELECT left(sk::text, -1)::pre_secret_key FROM kat$c$),
('truncated: prepk_ text without its last two characters', $c$SELECT left(pk::text, -2)::pre_public_key FROM kat$c$),
('truncated: pregrant_ text, first half', $c$SELECT left(g::text, 190)::pre_grant FROM kat$c$),
('truncated: prect_ text, first 200 characters', $c$SELECT left(ct::text, 200)::pre_ciphertext FROM kat$c$),
('truncated: prect_ text without its last 4 characters (well formed)', $c$SELECT pre_decrypt(left(ct::text, -4)::pre_ciphertext, sk) FROM kat$c$),
('truncated: pretok_ text without its last character', $c$SELECT left(tok::text, -1)::pre_token FROM kat$c$),
('truncated: level-2 bytes cut inside the hop record', $c$SELECT substr(ct2::bytea, 1, 196 + 11 + 64)::pre_ciphertext FROM kat$c$),
('truncated: level-2 bytes cut after the hop record', $c$SELECT substr(ct2::bytea, 1, 196 + 11 + 128)::pre_ciphertext FROM kat$c$),
('truncated: level-2 bytes, one byte out of the hop record', $c$SELECT (substr(ct2::bytea, 1, 196 + 11 + 100) || substr(ct2::bytea, 196 + 11 + 102))::pre_ciphertext FROM kat$c$),
('truncated: ciphertext of header and aad only', $c$SELECT substr(ct::bytea, 1, 196 + 11)::pre_ciphertext FROM kat$c$),
-- binary COPY (22P03) of truncated, extended and foreign values
('copy binary: secret key of 31 bytes', $c$SELECT 1$c$),
('copy binary: public key of 63 bytes', $c$SELECT 1$c$),
('copy binary: grant of 271 bytes', $c$SELECT 1$c$),
('copy binary: token of 17 bytes', $c$SELECT 1$c$),
('copy binary: level-2 ciphertext cut inside the hop record', $c$SELECT 1$c$),
('copy binary: a grant into a pre_ciphertext column', $c$SELECT 1$c$),
('copy binary: a public key into a pre_grant column', $c$SELECT 1$c$),
('copy binary: crafted level 17', $c$SELECT 1$c$),
('copy binary: 64 bytes of md5 garbage as a public key', $c$SELECT 1$c$),
('copy binary: valid level-16 ciphertext is accepted', $c$SELECT 1$c$),
-- wrong types through bytea casts (22023)
('bytea: a grant''s bytes as pre_ciphertext', $c$SELECT g::bytea::pre_ciphertext FROM kat$c$),
('bytea: a grant''s bytes with the SPCT magic', $c$SELECT grant_as_ct::pre_ciphertext FROM crafted$c$),
('bytea: a public key''s bytes as pre_grant', $c$SELECT pk::bytea::pre_grant FROM kat$c$),
('bytea: a public key''s bytes as pre_secret_key', $c$SELECT pk::bytea::pre_secret_key FROM kat$c$),
('bytea: a secret key''s bytes as pre_public_key', $c$SELECT sk::bytea::pre_public_key FROM kat$c$),
('bytea: a secret key''s bytes as pre_token', $c$SELECT sk::bytea::pre_token FROM kat$c$),
('bytea: a token''s bytes as pre_secret_key', $c$SELECT tok::bytea::pre_secret_key FROM kat$c$),
('bytea: a ciphertext''s bytes as pre_grant', $c$SELECT ct::bytea::pre_grant FROM kat$c$),
('bytea: a 272-byte ciphertext as pre_grant', $c$SELECT ct272::pre_grant FROM crafted$c$),
('bytea: a 272-byte ciphertext with the SPGR magic', $c$SELECT ct272_as_grant::pre_grant FROM crafted$c$),
('bytea: a grant''s bytes as pre_public_key', $c$SELECT g::bytea::pre_public_key FROM kat$c$),
('bytea: a public key''s bytes as pre_ciphertext', $c$SELECT pk::bytea::pre_ciphertext FROM kat$c$),
('bytea: a ciphertext''s bytes as pre_token', $c$SELECT ct::bytea::pre_token FROM kat$c$),
('bytea: two tokens are 32 bytes: a valid seed', $c$SELECT (tok::bytea || tok::bytea)::pre_secret_key IS NOT NULL FROM kat$c$),
('bytea: 32 zero bytes are a valid seed', $c$SELECT pre_public_key(decode(repeat('00', 32), 'hex')::pre_secret_key) IS NOT NULL$c$),
-- the text form of one type given to another (22P02, with a hint)
('text: prect_ value as pre_grant', $c$SELECT ct::text::pre_grant FROM kat$c$),
('text: pregrant_ value as pre_ciphertext', $c$SELECT g::text::pre_ciphertext FROM kat$c$),
('text: prepk_ value as pre_token', $c$SELECT pk::text::pre_token FROM kat$c$),
('text: pretok_ value as pre_secret_key', $c$SELECT tok::text::pre_secret_key FROM kat$c$),
('text: presk_ value as pre_grant', $c$SELECT sk::text::pre_grant FROM kat$c$),
('text: pregrant_ value as pre_public_key', $c$SELECT g::text::pre_public_key FROM kat$c$),
('text: a secret key''s body behind prepk_', $c$SELECT ('prepk_' || substr(sk::text, 7))::pre_public_key FROM kat$c$),
('text: a ciphertext''s body behind pregrant_', $c$SELECT ('pregrant_' || substr(ct::text, 7))::pre_grant FROM kat$c$),
('text: a 272-byte ciphertext''s body behind pregrant_', $c$SELECT ('pregrant_' || substr(ct272::pre_ciphertext::text, 7))::pre_grant FROM crafted$c$),
('text: a grant''s body behind prect_', $c$SELECT ('prect_' || substr(g::text, 10))::pre_ciphertext FROM kat$c$),
('text: the prefix twice', $c$SELECT ('prepk_' || pk::text)::pre_public_key FROM kat$c$),
('text: prefix without its underscore', $c$SELECT ('prepk' || substr(pk::text, 7))::pre_public_key FROM kat$c$),
('text: no-break spaces around a valid value', $c$SELECT (E'\u00a0' || tok::text || E'\u00a0')::pre_token FROM kat$c$),
('text: a line break inside a valid value', $c$SELECT (left(tok::text, 12) || E'\n' || substr(tok::text, 13))::pre_token FROM kat$c$),
-- crafted levels
('level: crafted level 17 as bytea', $c$SELECT l17::pre_ciphertext FROM crafted$c$),
('level: crafted level 17 as text', $c$SELECT ('prect_' || rtrim(translate(encode(l17, 'base64'), E'+/\n', '-_'), '='))::pre_ciphertext FROM crafted$c$),
('level: level byte 17 without a 16th hop record', $c$SELECT l17_short::pre_ciphertext FROM crafted$c$),
('level: level byte 255', $c$SELECT l255::pre_ciphertext FROM crafted$c$),
('level: the level-16 value decrypts', $c$SELECT pre_decrypt_text(ct, (SELECT sk FROM chain WHERE i = 16)) = 'sixteen hops' FROM levels WHERE level = 16$c$),
('level: reencrypt_for a level-15 value over 2 hops', $c$SELECT secant.reencrypt_for(ct, (SELECT pk FROM chain WHERE i = 17)) FROM levels WHERE level = 15$c$),
('level: reencrypt_for a level-15 value over 1 hop', $c$SELECT pre_level(secant.reencrypt_for(ct, (SELECT pk FROM chain WHERE i = 16))) FROM levels WHERE level = 15$c$),
-- grants: expiry arguments, duplicates, reuse
('grant: not_after -infinity', $c$SELECT pre_grant(sk, upk, '-infinity') FROM kat$c$),
('grant: not_after exactly 1970-01-01 00:00:00 UTC', $c$SELECT pre_grant(sk, upk, '1970-01-01 00:00:00+00') FROM kat$c$),
('grant: not_after 1970-01-01 00:00:00.5 UTC', $c$SELECT pre_grant(sk, upk, '1970-01-01 00:00:00.5+00') FROM kat$c$),
('grant: not_after 1970-01-01 00:00:01 UTC is accepted', $c$SELECT pre_grant_not_after(pre_grant(sk, upk, '1970-01-01 00:00:01+00')) = '1970-01-01 00:00:01+00' FROM kat$c$),
('grant: the same grant stored twice', $c$SELECT secant.add_grant(sealed) FROM secant.grants WHERE from_key = pg_temp.pk('bi_group') AND to_key = pg_temp.pk('bi_user')$c$),
('grant: a grant used twice on one ciphertext', $c$SELECT pre_reencrypt(pre_reencrypt(ct, g), g) FROM kat$c$),
('grant: decrypt with a grant (wrong type)', $c$SELECT pre_decrypt(ct, g) FROM kat$c$),
('grant: decrypt with a grant''s bytes as a key', $c$SELECT pre_decrypt(ct, g::bytea::pre_secret_key) FROM kat$c$),
('grant: decrypt with the grant''s rk as a seed', $c$SELECT pre_decrypt(ct, substr(g::bytea, 169, 32)::pre_secret_key) FROM kat$c$),
('grant: decrypt with the recipient''s public key half', $c$SELECT pre_decrypt(ct, substr(pk::bytea, 1, 32)::pre_secret_key) FROM kat$c$),
('decrypt: text with a NUL byte', $c$SELECT pre_decrypt_text(pre_encrypt(pk, '\x610062'::bytea), sk) FROM kat$c$),
-- expired and revoked grants in secant.reencrypt_for and sharing
('path: expired grant (1 second ago)', $c$SELECT secant.reencrypt_for(body, pg_temp.pk('bi_tablet')) FROM bi_notes$c$),
('path: revoked grant', $c$SELECT secant.reencrypt_for(body, pg_temp.pk('bi_old')) FROM bi_notes$c$),
('path: unregistered target', $c$SELECT secant.reencrypt_for(body, pg_temp.pk('bi_stranger')) FROM bi_notes$c$),
('path: backwards (device to group)', $c$SELECT secant.reencrypt_for(secant.reencrypt_for(body, pg_temp.pk('bi_phone')), pg_temp.pk('bi_group')) FROM bi_notes$c$),
('path: active grant is used, two hops', $c$SELECT pre_level(secant.reencrypt_for(body, pg_temp.pk('bi_phone'))) FROM bi_notes$c$),
('path: revoke then read in one statement', $c$SELECT pg_temp.revoke_then_read()$c$),
('path: share to an expired grantee', $c$INSERT INTO bi_shares (note_id, recipient) VALUES (1, pg_temp.pk('bi_tablet'))$c$),
('path: share to a revoked grantee', $c$INSERT INTO bi_shares (note_id, recipient) VALUES (1, pg_temp.pk('bi_old'))$c$),
('path: share with a NULL recipient makes no copy', $c$WITH s AS (INSERT INTO bi_shares (note_id, recipient) VALUES (1, NULL) RETURNING recipient) SELECT recipient IS NULL FROM s$c$),
('path: index_keys_for a revoked member', $c$SELECT count(*) FROM secant.index_keys_for('bi_group', pg_temp.pk('bi_old'))$c$),
('path: secant.path with max_depth 0', $c$SELECT count(*) FROM secant.path(pg_temp.pk('bi_group'), pg_temp.pk('bi_user'), 0)$c$),
-- principals, revocation, sharing set-up, index keys
('principal: delete one that has grants', $c$DELETE FROM secant.principals WHERE name = 'bi_user'$c$),
('principal: public key already registered', $c$SELECT secant.add_principal('bi_user_again', 'user', pg_temp.pk('bi_user'))$c$),
('revoke: between unknown keys', $c$SELECT secant.revoke(pg_temp.pk('bi_stranger'), pg_temp.pk('bi_group'))$c$),
('revoke: backwards (grantee to delegator)', $c$SELECT secant.revoke('bi_user', 'bi_group')$c$),
('revoke: twice', $c$SELECT secant.revoke('bi_group', 'bi_old')$c$),
('share: trigger with four arguments', $c$SELECT pg_temp.share_setup('public.bi_notes'', ''body'', ''id'', ''note_id', 'AFTER')$c$),
('share: BEFORE trigger', $c$SELECT pg_temp.share_setup('public.bi_notes'', ''body'', ''id'', ''note_id'', ''recipient', 'BEFORE')$c$),
('share: source table does not exist', $c$SELECT pg_temp.share_setup('public.bi_nowhere'', ''body'', ''id'', ''note_id'', ''recipient', 'AFTER')$c$),
('share: source column is not pre_ciphertext', $c$SELECT pg_temp.share_setup('public.bi_notes'', ''id'', ''id'', ''note_id'', ''recipient', 'AFTER')$c$),
('share: a share table that is not registered', $c$SELECT pg_temp.share_setup('public.bi_notes'', ''body'', ''id'', ''note_id'', ''recipient', 'AFTER')$c$),
('share: source row does not exist', $c$INSERT INTO bi_shares (note_id, recipient) VALUES (2, pg_temp.pk('bi_phone'))$c$),
('share: enable_sharing on a column that is not pre_ciphertext', $c$SELECT secant.enable_sharing('bi_shares', 'bi_notes', 'id', 'id', 'note_id', 'recipient')$c$),
('share: enable_sharing with a recipient that is not pre_public_key', $c$SELECT secant.enable_sharing('bi_shares', 'bi_notes', 'body', 'id', 'note_id', 'note_id')$c$),
('share: enable_sharing on a table that does not exist', $c$SELECT secant.enable_sharing('bi_nowhere', 'bi_notes', 'body', 'id', 'note_id', 'recipient')$c$),
('share: call the trigger function directly', $c$SELECT secant_internal.share_copy()$c$),
('share: a source trigger on INSERT', $c$SELECT pg_temp.source_setup('INSERT')$c$),
('index key: a level-2 ciphertext', $c$SELECT secant.rotate_index_key('bi_group', secant.reencrypt_for(body, pg_temp.pk('bi_user'))) FROM bi_notes$c$),
('index key: for a device', $c$SELECT secant.rotate_index_key('bi_phone', pre_encrypt(pg_temp.pk('bi_phone'), ikey)) FROM kat$c$),
('index key: version 0', $c$INSERT INTO secant.index_keys (group_key, version, key_ct) SELECT pg_temp.pk('bi_group'), 0, pre_encrypt(pg_temp.pk('bi_group'), ikey) FROM kat$c$),
-- tokens
('token: a 33-byte key', $c$SELECT pre_token(ikey || '\x00'::bytea, 'word') FROM kat$c$),
('token: pre_tokens with a 31-byte key and prefixes', $c$SELECT pre_tokens(substr(ikey, 1, 31), 'some words', true) FROM kat$c$),
('token: a noncharacter word (U+10FFFF)', $c$SELECT pre_token(ikey, E'\U0010FFFF') IS NOT NULL FROM kat$c$),
('token: an unassigned code point (U+0378)', $c$SELECT pre_token(ikey, E'\u0378') IS NOT NULL FROM kat$c$),
('token: a document of separators only, with prefixes', $c$SELECT cardinality(pre_tokens(ikey, '--- ... ---', true)) FROM kat$c$);
-- the binary COPY cases get their statements now (they embed the bytes)
UPDATE cases SET stmt = x.stmt FROM (
    SELECT 'copy binary: secret key of 31 bytes' AS label, pg_temp.copy_bytes('dst_sk', substr(sk::bytea, 1, 31)) AS stmt FROM kat
    UNION ALL SELECT 'copy binary: public key of 63 bytes', pg_temp.copy_bytes('dst_pk', substr(pk::bytea, 1, 63)) FROM kat
    UNION ALL SELECT 'copy binary: grant of 271 bytes', pg_temp.copy_bytes('dst_g', substr(g::bytea, 1, 271)) FROM kat
    UNION ALL SELECT 'copy binary: token of 17 bytes', pg_temp.copy_bytes('dst_tok', tok::bytea || '\x00'::bytea) FROM kat
    UNION ALL SELECT 'copy binary: level-2 ciphertext cut inside the hop record', pg_temp.copy_bytes('dst_ct', substr(ct2::bytea, 1, 196 + 11 + 64)) FROM kat
    UNION ALL SELECT 'copy binary: a grant into a pre_ciphertext column', pg_temp.copy_bytes('dst_ct', g::bytea) FROM kat
    UNION ALL SELECT 'copy binary: a public key into a pre_grant column', pg_temp.copy_bytes('dst_g', pk::bytea) FROM kat
    UNION ALL SELECT 'copy binary: crafted level 17', pg_temp.copy_bytes('dst_ct', l17) FROM crafted
    UNION ALL SELECT 'copy binary: 64 bytes of md5 garbage as a public key', pg_temp.copy_bytes('dst_pk', decode(md5('a') || md5('b') || md5('c') || md5('d'), 'hex'))
    UNION ALL SELECT 'copy binary: valid level-16 ciphertext is accepted', pg_temp.copy_bytes('dst_ct', b) FROM levels WHERE level = 16
) x WHERE x.label = cases.label;
-- helper of the share cases: a share table with the given trigger arguments
CREATE FUNCTION pg_temp.share_setup(args text, timing text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    CREATE TABLE bi_shares2 (id serial, note_id int, recipient pre_public_key);
    EXECUTE format('CREATE TRIGGER bi_shares2_copy %s INSERT ON bi_shares2 FOR EACH ROW '
                   'EXECUTE FUNCTION secant_internal.share_copy(''%s'')', timing, args);
    INSERT INTO bi_shares2 (note_id, recipient) VALUES (1, pg_temp.pk('bi_phone'));
    RETURN 'shared';
END $$;
-- helper of the share cases: a source-table trigger fired by the given event
CREATE FUNCTION pg_temp.source_setup(event text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    CREATE TABLE bi_notes2 (id int, body pre_ciphertext);
    EXECUTE format('CREATE TRIGGER bi_notes2_source AFTER %s ON bi_notes2 FOR EACH ROW '
                   'EXECUTE FUNCTION secant_internal.share_source()', event);
    INSERT INTO bi_notes2 VALUES (1, NULL);
    RETURN 'fired';
END $$;
-- run every case in order, each in its own subtransaction
CREATE TEMP TABLE results (n int, label text, state text, message text, detail text, hint text);
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM cases ORDER BY n LOOP
        INSERT INTO results SELECT c.n, c.label, r.* FROM pg_temp.run(c.stmt) r;
    END LOOP;
END $$;
SELECT count(*) AS cases, count(*) FILTER (WHERE state <> 'ok') AS refused FROM results;
-- details may name a key or a failing row: shown with the values elided
CREATE FUNCTION pg_temp.elide(t text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(regexp_replace(t,
               'Failing row contains \(.*\)', 'Failing row contains (…)'),
               'pre(sk|pk|grant|ct|tok)_[A-Za-z0-9_-]+', 'pre\1_…', 'g'),
               '\\x[0-9a-f]+', '\\x…', 'g') $$;
SELECT n, label, state, message, pg_temp.elide(detail) AS detail FROM results ORDER BY n;
-- hints given (wrong prefixes and helpers)
SELECT n, hint FROM results WHERE hint IS NOT NULL ORDER BY n;
-- no message, detail or hint holds a secret key, grant, ciphertext or token,
-- or is long (rows only on mismatch).  Not counted: PostgreSQL's own
-- "Failing row contains (...)" details of constraint violations, which show
-- the whole row (for secant.index_keys, the key ciphertext), and its key
-- details, which show public keys.
SELECT n, label FROM results
WHERE concat_ws(' ', message, detail, hint) ~ 'pre(sk|grant|ct|tok)_[A-Za-z0-9_-]{8,}'
  AND coalesce(detail, '') NOT LIKE 'Failing row contains (%'
   OR length(concat_ws(' ', message, detail, hint)) > 300
  AND coalesce(detail, '') NOT LIKE 'Failing row contains (%';
-- the constraint violations whose detail PostgreSQL fills with the failing row
SELECT n, label, detail ~ 'prect_' AS shows_a_ciphertext FROM results
WHERE detail LIKE 'Failing row contains (%' ORDER BY n;
-- nothing was stored by the refused binary COPYs but the valid value
SELECT (SELECT count(*) FROM dst_sk) AS sk, (SELECT count(*) FROM dst_pk) AS pk,
       (SELECT count(*) FROM dst_g) AS g, (SELECT count(*) FROM dst_ct) AS ct,
       (SELECT count(*) FROM dst_tok) AS tok;
SELECT pre_level(v) AS level FROM dst_ct;
-- the audit chain is as it was: no refused statement broke a link
SELECT secant.audit_verify() IS NOT DISTINCT FROM (SELECT first_broken FROM audit_before) AS audit_chain_unchanged;
DROP TABLE bi_shares, bi_notes, bi_plain;
