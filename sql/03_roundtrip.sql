-- randomized operations, tested by their properties (never print random bytes)
CREATE TEMP TABLE chain AS
SELECT i, pre_keygen() AS sk FROM generate_series(1, 17) AS i;
ALTER TABLE chain ADD COLUMN pk pre_public_key;
UPDATE chain SET pk = pre_public_key(sk);
CREATE TEMP TABLE grants AS
SELECT a.i, pre_grant(a.sk, b.pk) AS g FROM chain a JOIN chain b ON b.i = a.i + 1;
-- level 1 .. 16 through 16 keys, decrypting at every level
CREATE TEMP TABLE levels AS
WITH RECURSIVE walk(level, ct) AS (
    SELECT 1, pre_encrypt(pk, 'note for the care team'::text, 'record:1'::bytea) FROM chain WHERE i = 1
  UNION ALL
    SELECT w.level + 1, pre_reencrypt(w.ct, g.g) FROM walk w JOIN grants g ON g.i = w.level
    WHERE w.level < 16
)
SELECT * FROM walk;
SELECT count(*) AS levels, min(level), max(level) FROM levels;
-- rows only on mismatch: level, recipient, size, plaintext
SELECT l.level FROM levels l JOIN chain c ON c.i = l.level
WHERE pre_level(l.ct) <> l.level
   OR pre_recipient(l.ct) <> c.pk
   OR pre_origin(l.ct) <> (SELECT pk FROM chain WHERE i = 1)
   OR octet_length(l.ct::bytea) <> 196 + 8 + 128 * (l.level - 1) + 22 + 16
   OR pre_decrypt_text(l.ct, c.sk) IS DISTINCT FROM 'note for the care team'
   OR pre_aad(l.ct) <> 'record:1'::bytea
   OR cardinality(pre_hop_keys(l.ct)) <> l.level - 1;
-- the 16th re-encryption is refused
SELECT pre_reencrypt(ct, (SELECT g FROM grants WHERE i = 16)) FROM levels WHERE level = 16;
-- only the current recipient can decrypt
SELECT pre_decrypt(ct, (SELECT sk FROM chain WHERE i = 1)) FROM levels WHERE level = 2;
-- a flipped byte anywhere in a level-3 ciphertext is refused on input or on
-- decryption; never the plaintext (rows only on mismatch)
CREATE FUNCTION pg_temp.try_decrypt(ct bytea, sk pre_secret_key) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN pre_decrypt_text(ct::pre_ciphertext, sk);
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused ' || SQLSTATE;
END $$;
CREATE TEMP TABLE flips AS
SELECT pos, pg_temp.try_decrypt(set_byte(b, pos, get_byte(b, pos) # 1), (SELECT sk FROM chain WHERE i = 3)) AS result
FROM (SELECT ct::bytea AS b FROM levels WHERE level = 3) x, generate_series(0, octet_length(b) - 1) AS pos;
SELECT count(*) AS flipped_bytes FROM flips;
-- The one exception: the Ed25519 half of an earlier hop's public key is not
-- bound by decryption (SCHEME.md v1 hashes only the ristretto half); a
-- flip there that still gives a valid Ed25519 point goes unnoticed.
SELECT pos, result FROM flips
WHERE result NOT LIKE 'refused %' AND pos NOT BETWEEN 204 + 32 AND 204 + 63;
SELECT split_part(result, ' ', 2) AS sqlstate, count(*) > 0 AS seen FROM flips WHERE result LIKE 'refused %' GROUP BY 1 ORDER BY 1;
-- a flipped byte anywhere in a grant is refused on input (rows only on mismatch)
CREATE FUNCTION pg_temp.grant_refused(b bytea) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM b::pre_grant;
    RETURN false;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN true;
END $$;
SELECT pos FROM (SELECT g::bytea AS b FROM grants WHERE i = 1) x, generate_series(0, 271) AS pos
WHERE NOT pg_temp.grant_refused(set_byte(b, pos, get_byte(b, pos) # 1));
SELECT pg_temp.grant_refused(g::bytea) AS valid_grant_refused FROM grants WHERE i = 1;
-- grants: expiry accessor, no grant to oneself, expiry must be after 1970
SELECT pre_grant_not_after(pre_grant(sk, (SELECT pk FROM chain WHERE i = 2), '2031-05-06 07:08:09.5+00'))
       AT TIME ZONE 'UTC' AS not_after FROM chain WHERE i = 1;
SELECT pre_grant_not_after(pre_grant(sk, (SELECT pk FROM chain WHERE i = 2), 'infinity')) FROM chain WHERE i = 1;
SELECT pre_grant(sk, pk) FROM chain WHERE i = 1;
SELECT pre_grant(sk, (SELECT pk FROM chain WHERE i = 2), '1969-12-31 23:00:00+00') FROM chain WHERE i = 1;
-- bytea and text messages, empty message, empty and absent aad
SELECT pre_decrypt(pre_encrypt(pk, '\x00ff'::bytea), sk) AS bytes,
       pre_decrypt(pre_encrypt(pk, ''::bytea), sk) AS empty,
       pre_aad(pre_encrypt(pk, 'x'::text)) AS no_aad,
       octet_length(pre_encrypt(pk, ''::bytea)::bytea) AS empty_size
FROM chain WHERE i = 1;
-- a 1 MiB message round-trips at level 2
SELECT md5(pre_decrypt(pre_reencrypt(pre_encrypt(c1.pk, convert_to(repeat('0123456789abcdef', 65536), 'UTF8')), g.g), c2.sk))
       = md5(repeat('0123456789abcdef', 65536)) AS big_roundtrip
FROM chain c1, chain c2, grants g WHERE c1.i = 1 AND c2.i = 2 AND g.i = 1;
-- encryption is randomized: the same message twice gives different values
SELECT pre_encrypt(pk, 'same'::text)::bytea <> pre_encrypt(pk, 'same'::text)::bytea AS randomized
FROM chain WHERE i = 1;
-- re-encryption is deterministic
SELECT pre_reencrypt(ct, g)::bytea = pre_reencrypt(ct, g)::bytea AS deterministic
FROM levels, grants WHERE level = 1 AND i = 1;
-- non-UTF-8 plaintext asked for as text
SELECT pre_decrypt_text(pre_encrypt(pk, '\xff'::bytea), sk) FROM chain WHERE i = 1;
