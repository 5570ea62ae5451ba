-- secant_pre: proxy re-encryption (PRE) in PostgreSQL.  The whole current
-- schema, in reading order; `make` builds secant_pre--<version>.sql from
-- this file.  Byte formats: docs/SCHEME.md (secant-pre/v1).  The SQL
-- surface: docs/REFERENCE.md; the threat model and the owner-run code:
-- docs/SECURITY.md.
--
-- Sections: the six types (text, binary and bytea I/O, casts, operators
-- and operator classes), the functions on them; then schema secant:
-- roles, the schema and its tables, privileges, the audit log,
-- administration, principals, the keys of principals, bindings and
-- capabilities, read audit, storing grants, members and readers, grants as
-- they are stored, server key rotation, removing grants, paths, sharing,
-- revocation and expiry; search (index keys); key rotation; restores in
-- the wrong order; dumps by an admin.
--
-- Every change to the SQL surface is a new version: edit this file AND
-- add schema/secant_pre--<previous>--<new>.sql; the regression test
-- sql/09_upgrade.sql checks that both give the same objects.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION secant_pre" to load this file. \quit
-- ---- pre_secret_key (presk_) ----
CREATE TYPE pre_secret_key;
CREATE FUNCTION pre_secret_key_in(cstring) RETURNS pre_secret_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_secret_key_out(pre_secret_key) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_secret_key_recv(internal) RETURNS pre_secret_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_secret_key_send(pre_secret_key) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_secret_key (
    INPUT = pre_secret_key_in, OUTPUT = pre_secret_key_out,
    RECEIVE = pre_secret_key_recv, SEND = pre_secret_key_send,
    INTERNALLENGTH = 32, ALIGNMENT = char, STORAGE = plain
);
COMMENT ON TYPE pre_secret_key IS 'secret key: a 32-byte seed; text output shows the secret (trusted servers, demos and tests only)';
CREATE FUNCTION pre_secret_key(bytea) RETURNS pre_secret_key
    AS 'MODULE_PATHNAME', 'pre_secret_key_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_secret_key) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_secret_key_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_secret_key) WITH FUNCTION pre_secret_key(bytea);
CREATE CAST (pre_secret_key AS bytea) WITH FUNCTION bytea(pre_secret_key);
COMMENT ON FUNCTION pre_secret_key_in(cstring) IS 'text input of pre_secret_key: "presk_" and unpadded base64url, fully validated';
COMMENT ON FUNCTION pre_secret_key_out(pre_secret_key) IS 'text output of pre_secret_key: "presk_" and unpadded base64url';
COMMENT ON FUNCTION pre_secret_key_recv(internal) IS 'binary input of pre_secret_key: the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION pre_secret_key_send(pre_secret_key) IS 'binary output of pre_secret_key: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_secret_key(bytea) IS 'cast from the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION bytea(pre_secret_key) IS 'cast to the SCHEME.md bytes';

-- ---- pre_public_key (prepk_) ----
CREATE TYPE pre_public_key;
CREATE FUNCTION pre_public_key_in(cstring) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_public_key_out(pre_public_key) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_public_key_recv(internal) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_public_key_send(pre_public_key) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_public_key (
    INPUT = pre_public_key_in, OUTPUT = pre_public_key_out,
    RECEIVE = pre_public_key_recv, SEND = pre_public_key_send,
    INTERNALLENGTH = 64, ALIGNMENT = char, STORAGE = plain
);
COMMENT ON TYPE pre_public_key IS 'public key: ristretto255 point P and Ed25519 key (64 bytes)';
CREATE FUNCTION pre_public_key(bytea) RETURNS pre_public_key
    AS 'MODULE_PATHNAME', 'pre_public_key_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_public_key) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_public_key_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_public_key) WITH FUNCTION pre_public_key(bytea);
CREATE CAST (pre_public_key AS bytea) WITH FUNCTION bytea(pre_public_key);
COMMENT ON FUNCTION pre_public_key_in(cstring) IS 'text input of pre_public_key: "prepk_" and unpadded base64url, fully validated';
COMMENT ON FUNCTION pre_public_key_out(pre_public_key) IS 'text output of pre_public_key: "prepk_" and unpadded base64url';
COMMENT ON FUNCTION pre_public_key_recv(internal) IS 'binary input of pre_public_key: the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION pre_public_key_send(pre_public_key) IS 'binary output of pre_public_key: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_public_key(bytea) IS 'cast from the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION bytea(pre_public_key) IS 'cast to the SCHEME.md bytes';

CREATE FUNCTION pre_public_key_eq(pre_public_key, pre_public_key) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_ne(pre_public_key, pre_public_key) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_lt(pre_public_key, pre_public_key) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_le(pre_public_key, pre_public_key) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_gt(pre_public_key, pre_public_key) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_ge(pre_public_key, pre_public_key) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_cmp(pre_public_key, pre_public_key) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_hash(pre_public_key) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_public_key_hash_extended(pre_public_key, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OPERATOR = (LEFTARG = pre_public_key, RIGHTARG = pre_public_key, PROCEDURE = pre_public_key_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = pre_public_key, RIGHTARG = pre_public_key, PROCEDURE = pre_public_key_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = pre_public_key, RIGHTARG = pre_public_key, PROCEDURE = pre_public_key_lt,
    COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = pre_public_key, RIGHTARG = pre_public_key, PROCEDURE = pre_public_key_le,
    COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = pre_public_key, RIGHTARG = pre_public_key, PROCEDURE = pre_public_key_gt,
    COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = pre_public_key, RIGHTARG = pre_public_key, PROCEDURE = pre_public_key_ge,
    COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR CLASS pre_public_key_ops DEFAULT FOR TYPE pre_public_key USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 pre_public_key_cmp(pre_public_key, pre_public_key);
CREATE OPERATOR CLASS pre_public_key_hash_ops DEFAULT FOR TYPE pre_public_key USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 pre_public_key_hash(pre_public_key),
    FUNCTION 2 pre_public_key_hash_extended(pre_public_key, bigint);
COMMENT ON FUNCTION pre_public_key_eq(pre_public_key, pre_public_key) IS 'byte-order comparison of pre_public_key (=)';
COMMENT ON FUNCTION pre_public_key_ne(pre_public_key, pre_public_key) IS 'byte-order comparison of pre_public_key (<>)';
COMMENT ON FUNCTION pre_public_key_lt(pre_public_key, pre_public_key) IS 'byte-order comparison of pre_public_key (<)';
COMMENT ON FUNCTION pre_public_key_le(pre_public_key, pre_public_key) IS 'byte-order comparison of pre_public_key (<=)';
COMMENT ON FUNCTION pre_public_key_gt(pre_public_key, pre_public_key) IS 'byte-order comparison of pre_public_key (>)';
COMMENT ON FUNCTION pre_public_key_ge(pre_public_key, pre_public_key) IS 'byte-order comparison of pre_public_key (>=)';
COMMENT ON FUNCTION pre_public_key_cmp(pre_public_key, pre_public_key) IS 'btree support: byte-order comparison of pre_public_key';
COMMENT ON FUNCTION pre_public_key_hash(pre_public_key) IS 'hash support for pre_public_key';
COMMENT ON FUNCTION pre_public_key_hash_extended(pre_public_key, bigint) IS 'extended hash support for pre_public_key';

-- ---- pre_grant (pregrant_) ----
CREATE TYPE pre_grant;
CREATE FUNCTION pre_grant_in(cstring) RETURNS pre_grant
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_grant_out(pre_grant) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_grant_recv(internal) RETURNS pre_grant
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_grant_send(pre_grant) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_grant (
    INPUT = pre_grant_in, OUTPUT = pre_grant_out,
    RECEIVE = pre_grant_recv, SEND = pre_grant_send,
    INTERNALLENGTH = 272, ALIGNMENT = char, STORAGE = plain
);
COMMENT ON TYPE pre_grant IS 're-encryption key from one public key to another, signed by its delegator (272 bytes); holds a secret of the delegator';
CREATE FUNCTION pre_grant(bytea) RETURNS pre_grant
    AS 'MODULE_PATHNAME', 'pre_grant_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_grant) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_grant_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_grant) WITH FUNCTION pre_grant(bytea);
CREATE CAST (pre_grant AS bytea) WITH FUNCTION bytea(pre_grant);
COMMENT ON FUNCTION pre_grant_in(cstring) IS 'text input of pre_grant: "pregrant_" and unpadded base64url, fully validated';
COMMENT ON FUNCTION pre_grant_out(pre_grant) IS 'text output of pre_grant: "pregrant_" and unpadded base64url';
COMMENT ON FUNCTION pre_grant_recv(internal) IS 'binary input of pre_grant: the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION pre_grant_send(pre_grant) IS 'binary output of pre_grant: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_grant(bytea) IS 'cast from the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION bytea(pre_grant) IS 'cast to the SCHEME.md bytes';

-- ---- pre_ciphertext (prect_) ----
CREATE TYPE pre_ciphertext;
CREATE FUNCTION pre_ciphertext_in(cstring) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_ciphertext_out(pre_ciphertext) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_ciphertext_recv(internal) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_ciphertext_send(pre_ciphertext) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_ciphertext (
    INPUT = pre_ciphertext_in, OUTPUT = pre_ciphertext_out,
    RECEIVE = pre_ciphertext_recv, SEND = pre_ciphertext_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = external
);
COMMENT ON TYPE pre_ciphertext IS 'leveled PRE ciphertext, validated on entry (capsule check)';
CREATE FUNCTION pre_ciphertext(bytea) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_ciphertext_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_ciphertext) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_ciphertext_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_ciphertext) WITH FUNCTION pre_ciphertext(bytea);
CREATE CAST (pre_ciphertext AS bytea) WITH FUNCTION bytea(pre_ciphertext);
COMMENT ON FUNCTION pre_ciphertext_in(cstring) IS 'text input of pre_ciphertext: "prect_" and unpadded base64url, fully validated';
COMMENT ON FUNCTION pre_ciphertext_out(pre_ciphertext) IS 'text output of pre_ciphertext: "prect_" and unpadded base64url';
COMMENT ON FUNCTION pre_ciphertext_recv(internal) IS 'binary input of pre_ciphertext: the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION pre_ciphertext_send(pre_ciphertext) IS 'binary output of pre_ciphertext: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_ciphertext(bytea) IS 'cast from the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION bytea(pre_ciphertext) IS 'cast to the SCHEME.md bytes';

-- ---- pre_token (pretok_) ----
CREATE TYPE pre_token;
CREATE FUNCTION pre_token_in(cstring) RETURNS pre_token
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_token_out(pre_token) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_token_recv(internal) RETURNS pre_token
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_token_send(pre_token) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_token (
    INPUT = pre_token_in, OUTPUT = pre_token_out,
    RECEIVE = pre_token_recv, SEND = pre_token_send,
    INTERNALLENGTH = 16, ALIGNMENT = char, STORAGE = plain
);
COMMENT ON TYPE pre_token IS 'searchable index token: BLAKE2b-128 of a normalised keyword under a group index key';
CREATE FUNCTION pre_token(bytea) RETURNS pre_token
    AS 'MODULE_PATHNAME', 'pre_token_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_token) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_token_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_token) WITH FUNCTION pre_token(bytea);
CREATE CAST (pre_token AS bytea) WITH FUNCTION bytea(pre_token);
COMMENT ON FUNCTION pre_token_in(cstring) IS 'text input of pre_token: "pretok_" and unpadded base64url, fully validated';
COMMENT ON FUNCTION pre_token_out(pre_token) IS 'text output of pre_token: "pretok_" and unpadded base64url';
COMMENT ON FUNCTION pre_token_recv(internal) IS 'binary input of pre_token: the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION pre_token_send(pre_token) IS 'binary output of pre_token: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_token(bytea) IS 'cast from the SCHEME.md bytes, fully validated';
COMMENT ON FUNCTION bytea(pre_token) IS 'cast to the SCHEME.md bytes';

CREATE FUNCTION pre_token_eq(pre_token, pre_token) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_ne(pre_token, pre_token) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_lt(pre_token, pre_token) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_le(pre_token, pre_token) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_gt(pre_token, pre_token) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_ge(pre_token, pre_token) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_cmp(pre_token, pre_token) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_hash(pre_token) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION pre_token_hash_extended(pre_token, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OPERATOR = (LEFTARG = pre_token, RIGHTARG = pre_token, PROCEDURE = pre_token_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = pre_token, RIGHTARG = pre_token, PROCEDURE = pre_token_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = pre_token, RIGHTARG = pre_token, PROCEDURE = pre_token_lt,
    COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = pre_token, RIGHTARG = pre_token, PROCEDURE = pre_token_le,
    COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = pre_token, RIGHTARG = pre_token, PROCEDURE = pre_token_gt,
    COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = pre_token, RIGHTARG = pre_token, PROCEDURE = pre_token_ge,
    COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
CREATE OPERATOR CLASS pre_token_ops DEFAULT FOR TYPE pre_token USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 pre_token_cmp(pre_token, pre_token);
CREATE OPERATOR CLASS pre_token_hash_ops DEFAULT FOR TYPE pre_token USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 pre_token_hash(pre_token),
    FUNCTION 2 pre_token_hash_extended(pre_token, bigint);
COMMENT ON FUNCTION pre_token_eq(pre_token, pre_token) IS 'byte-order comparison of pre_token (=)';
COMMENT ON FUNCTION pre_token_ne(pre_token, pre_token) IS 'byte-order comparison of pre_token (<>)';
COMMENT ON FUNCTION pre_token_lt(pre_token, pre_token) IS 'byte-order comparison of pre_token (<)';
COMMENT ON FUNCTION pre_token_le(pre_token, pre_token) IS 'byte-order comparison of pre_token (<=)';
COMMENT ON FUNCTION pre_token_gt(pre_token, pre_token) IS 'byte-order comparison of pre_token (>)';
COMMENT ON FUNCTION pre_token_ge(pre_token, pre_token) IS 'byte-order comparison of pre_token (>=)';
COMMENT ON FUNCTION pre_token_cmp(pre_token, pre_token) IS 'btree support: byte-order comparison of pre_token';
COMMENT ON FUNCTION pre_token_hash(pre_token) IS 'hash support for pre_token';
COMMENT ON FUNCTION pre_token_hash_extended(pre_token, bigint) IS 'extended hash support for pre_token';

-- ---- pre_sealed_grant (presealed_) ----
CREATE TYPE pre_sealed_grant;
CREATE FUNCTION pre_sealed_grant_in(cstring) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_sealed_grant_out(pre_sealed_grant) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_sealed_grant_recv(internal) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_sealed_grant_send(pre_sealed_grant) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_sealed_grant (
    INPUT = pre_sealed_grant_in, OUTPUT = pre_sealed_grant_out,
    RECEIVE = pre_sealed_grant_recv, SEND = pre_sealed_grant_send,
    INTERNALLENGTH = 360, ALIGNMENT = char, STORAGE = plain
);
COMMENT ON TYPE pre_sealed_grant IS 'a grant sealed to a server key for one database (360 bytes): only that server opens it, in memory';
CREATE FUNCTION pre_sealed_grant(bytea) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME', 'pre_sealed_grant_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_sealed_grant) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_sealed_grant_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_sealed_grant) WITH FUNCTION pre_sealed_grant(bytea);
CREATE CAST (pre_sealed_grant AS bytea) WITH FUNCTION bytea(pre_sealed_grant);
COMMENT ON FUNCTION pre_sealed_grant_in(cstring) IS 'text input of pre_sealed_grant: "presealed_" and unpadded base64url, layout checked';
COMMENT ON FUNCTION pre_sealed_grant_out(pre_sealed_grant) IS 'text output of pre_sealed_grant: "presealed_" and unpadded base64url';
COMMENT ON FUNCTION pre_sealed_grant_recv(internal) IS 'binary input of pre_sealed_grant: the SCHEME.md bytes, layout checked';
COMMENT ON FUNCTION pre_sealed_grant_send(pre_sealed_grant) IS 'binary output of pre_sealed_grant: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_sealed_grant(bytea) IS 'cast from the SCHEME.md bytes, layout checked';
COMMENT ON FUNCTION bytea(pre_sealed_grant) IS 'cast to the SCHEME.md bytes';

-- ---- functions on the types: keys, encryption, grants, re-encryption, decryption, inspection, tokens, the audit hash ----

CREATE FUNCTION pre_keygen() RETURNS pre_secret_key
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_keygen() IS 'a new random secret key (server-side convenience: the normal path makes keys on clients)';

CREATE FUNCTION pre_public_key(pre_secret_key) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_public_key(pre_secret_key) IS 'the public key of a secret key';

CREATE FUNCTION pre_encrypt(pre_public_key, bytea, aad bytea DEFAULT '') RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_encrypt(pre_public_key, bytea, bytea) IS 'encrypt bytes to a public key (level 1); aad is authenticated, not secret';
CREATE FUNCTION pre_encrypt(pre_public_key, text, aad bytea DEFAULT '') RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_encrypt(pre_public_key, text, bytea) IS 'encrypt text (its bytes in the database encoding) to a public key (level 1)';

CREATE FUNCTION pre_grant(pre_secret_key, pre_public_key) RETURNS pre_grant
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_grant(pre_secret_key, pre_public_key) IS 'a signed re-encryption key from the secret key''s owner to a public key, without expiry';
CREATE FUNCTION pre_grant(pre_secret_key, pre_public_key, not_after timestamptz) RETURNS pre_grant
    AS 'MODULE_PATHNAME', 'pre_grant_expiring' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_grant(pre_secret_key, pre_public_key, timestamptz) IS 'a signed re-encryption key that expires at not_after (''infinity'' = never)';

CREATE FUNCTION pre_reencrypt(pre_ciphertext, pre_grant) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_reencrypt(pre_ciphertext, pre_grant) IS 'one proxy hop: the ciphertext for the grant''s grantee, one level higher (one scalar multiplication); ignores expiry, which is policy';

CREATE FUNCTION pre_decrypt(pre_ciphertext, pre_secret_key) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_decrypt(pre_ciphertext, pre_secret_key) IS 'decrypt with the current recipient''s secret key (trusted-server convenience)';
CREATE FUNCTION pre_decrypt_text(pre_ciphertext, pre_secret_key) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_decrypt_text(pre_ciphertext, pre_secret_key) IS 'decrypt to text, checked against the database encoding';

CREATE FUNCTION pre_level(pre_ciphertext) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_level(pre_ciphertext) IS 'level of a ciphertext: 1 + number of re-encryptions (1..16)';
CREATE FUNCTION pre_recipient(pre_ciphertext) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_recipient(pre_ciphertext) IS 'the public key that can decrypt the ciphertext now';
CREATE FUNCTION pre_origin(pre_ciphertext) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_origin(pre_ciphertext) IS 'the public key the ciphertext was first encrypted to (level 1)';
CREATE FUNCTION pre_aad(pre_ciphertext) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_aad(pre_ciphertext) IS 'the associated data (authenticated, not secret)';
CREATE FUNCTION pre_hop_keys(pre_ciphertext) RETURNS bytea[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_hop_keys(pre_ciphertext) IS 'the X of every hop, in order: compare with pre_grant_hop_key() to find copies made through a grant';

CREATE FUNCTION pre_grant_from(pre_grant) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_grant_from(pre_grant) IS 'the delegator of a grant';
CREATE FUNCTION pre_grant_to(pre_grant) RETURNS pre_public_key
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_grant_to(pre_grant) IS 'the grantee of a grant';
CREATE FUNCTION pre_grant_not_after(pre_grant) RETURNS timestamptz
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_grant_not_after(pre_grant) IS 'expiry of a grant, NULL if none';
CREATE FUNCTION pre_grant_hop_key(pre_grant) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_grant_hop_key(pre_grant) IS 'the grant''s X: it appears in the hop record of every copy the grant makes';

CREATE FUNCTION pre_token(key bytea, word text) RETURNS pre_token
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_token(bytea, text) IS 'search token of one keyword (NFKC case-folded, trimmed) under a 32-byte index key';
CREATE FUNCTION pre_tokens(key bytea, doc text, prefixes boolean DEFAULT false) RETURNS pre_token[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tokens(bytea, text, boolean) IS 'distinct search tokens of the words of a document (sorted by token bytes); with prefixes, also of word prefixes of 3+ characters';

CREATE FUNCTION pre_audit_hash(prev bytea, entry bytea) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_audit_hash(bytea, bytea) IS 'BLAKE2b-256 of prev || entry: the link of the audit log''s hash chain';

-- ==== schema secant: access control ====
-- (principals, grants and their paths, re-encryption along a path, copies
-- shared by trigger, revocation, the hash-chained audit log, admins per
-- database, bindings, read audit, the server key)
--
-- Code that runs with the owner's rights (SECURITY DEFINER functions, the
-- functions they call, and the C functions that switch to the owner) is
-- listed in docs/SECURITY.md ("Owner-run code").  It runs with search_path
-- pg_catalog, pg_temp and names everything it calls: pg_catalog.f() and
-- OPERATOR(pg_catalog.op) for built-ins, @extschema@.f() with exactly typed
-- arguments for the extension's own, so that nothing a database owner
-- creates in the extension's schema can be chosen; it touches only the
-- extension's own tables.  Every other function here runs with the
-- caller's rights and the same search_path.

-- ---- roles ----

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'secant_admin') THEN
        CREATE ROLE secant_admin NOLOGIN;
    END IF;
END $$;
COMMENT ON ROLE secant_admin IS 'manages secant_pre principals, grants and revocations';

-- ---- schema secant and its tables ----

CREATE SCHEMA secant;
COMMENT ON SCHEMA secant IS 'secant_pre access control: principals, grants, shares, revocation, audit';
REVOKE ALL ON SCHEMA secant FROM PUBLIC;
GRANT USAGE ON SCHEMA secant TO PUBLIC;

-- Everything that is not the API (trigger functions, checks): PUBLIC has
-- no USAGE here, so no role but the extension's owner can call these or
-- attach them to a table (PostgreSQL checks EXECUTE on a trigger function
-- only at CREATE TRIGGER).
CREATE SCHEMA secant_internal;
COMMENT ON SCHEMA secant_internal IS 'secant_pre internals: trigger functions and checks, out of every role''s reach but the extension owner''s';
REVOKE ALL ON SCHEMA secant_internal FROM PUBLIC;

CREATE TABLE secant.principals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> ''),
    kind text NOT NULL CHECK (kind IN ('group', 'user', 'device')),
    public_key pre_public_key NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.principals IS 'groups, users and devices, each with its public key';

-- Key rotation: every key a principal has had, its current one
-- (retired_at NULL, the one in secant.principals) and those a rotation
-- retired (replaced_by: the key that followed).  Grants and index keys
-- refer to keys here, so a retired key stays known: a valid origin of
-- ciphertexts, never a target, the delegator of its bridge to the key that
-- replaced it only (see "key rotation").
CREATE TABLE secant.principal_keys (
    public_key pre_public_key PRIMARY KEY,
    principal_id bigint NOT NULL REFERENCES secant.principals (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    replaced_by pre_public_key REFERENCES secant.principal_keys (public_key) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT principal_keys_retired CHECK ((retired_at IS NULL) = (replaced_by IS NULL))
);
CREATE UNIQUE INDEX principal_keys_current ON secant.principal_keys (principal_id) WHERE retired_at IS NULL;
CREATE INDEX principal_keys_principal ON secant.principal_keys (principal_id);
COMMENT ON TABLE secant.principal_keys IS 'every key of every principal: the current one (retired_at NULL) and the ones key rotation retired, each with the key that replaced it';

-- Grants are stored sealed to the server key (sealed); from_key, to_key,
-- not_after and hop_key are filled from the opened grant when it is
-- inserted (secant.grant_fill), ordinary columns so that a restore needs no
-- key.  rekey takes an unsealed grant on insert (a server-side convenience:
-- the server then sees rk) and is never stored.
CREATE TABLE secant.grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rekey pre_grant CHECK (rekey IS NULL),
    from_key pre_public_key NOT NULL
        REFERENCES secant.principal_keys (public_key) ON DELETE RESTRICT,
    to_key pre_public_key NOT NULL
        REFERENCES secant.principal_keys (public_key) ON DELETE RESTRICT,
    not_after timestamptz,
    hop_key bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    sealed pre_sealed_grant NOT NULL
);
CREATE INDEX grants_from_key ON secant.grants (from_key);
CREATE INDEX grants_to_key ON secant.grants (to_key);
COMMENT ON TABLE secant.grants IS 're-encryption keys sealed to the server key: group->user is membership, user->device is enrolment; only the server opens them, in memory';

-- The database's identity, bound into every sealed grant: a grant sealed
-- for one database does not open in another.  Made on first use with the
-- database's OID and the cluster's system identifier, and claimed in the
-- shared catalog (secant_internal.claim_identity); dumped.  A copy
-- (TEMPLATE, a restore into another database or cluster) inherits the row
-- but not the OID and cluster: it stays closed until an admin adopts it
-- (secant.adopt_database).
CREATE TABLE secant.database_identity (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id bytea NOT NULL CHECK (octet_length(id) = 16),
    database_oid oid NOT NULL,
    system_identifier bigint NOT NULL
);
COMMENT ON TABLE secant.database_identity IS 'this database''s random identity, bound into its sealed grants (kept across dump and restore), and the database it belongs to';
COMMENT ON COLUMN secant.database_identity.database_oid IS 'the OID of the database the identity belongs to: another database with this row is a copy, closed until adopted';
COMMENT ON COLUMN secant.database_identity.system_identifier IS 'the system identifier of the cluster the identity belongs to (pg_control_system()); a standby and a base backup share it';

-- Settings an admin of this database controls (readable by everyone, so
-- that readers know whether their reads are logged).
CREATE TABLE secant.settings (
    name text PRIMARY KEY CHECK (name IN ('read_audit')),
    value text NOT NULL CHECK (value IN ('on', 'off')),
    changed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.settings IS 'settings of this database''s admins: read_audit (on: every statement that re-encrypts for a target is logged in secant.access_log)';

CREATE TABLE secant.revoked_grants (
    hop_key bytea PRIMARY KEY,
    from_key pre_public_key NOT NULL,
    to_key pre_public_key NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    revoked_by name NOT NULL,
    reason text NOT NULL DEFAULT 'revoked' CHECK (reason IN ('revoked', 'expired', 'rotated'))
);
COMMENT ON TABLE secant.revoked_grants IS 'hop keys of removed grants (revoked, expired and purged, or dropped by a key rotation): a grant with one of them can never be stored again';

-- Who may obtain what is addressed to a principal: the roles bound to it,
-- and the roles holding the proxy capability (application servers that
-- authenticate their users themselves).  Membership counts
-- (pg_has_role(..., 'MEMBER')); the role that counts is current_user.
CREATE TABLE secant.bindings (
    principal_key pre_public_key NOT NULL REFERENCES secant.principals (public_key) ON DELETE CASCADE,
    role regrole NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_key, role)
);
COMMENT ON TABLE secant.bindings IS 'database roles bound to principals: a role obtains re-encryptions, index keys and copies for the principals it is bound to (by OID: a dropped role''s binding stays inert, a new role of the same name gets nothing)';

CREATE TABLE secant.capabilities (
    role regrole NOT NULL,
    capability text NOT NULL CHECK (capability IN ('admin', 'proxy')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (role, capability)
);
COMMENT ON TABLE secant.capabilities IS 'capabilities of roles in this database: admin = manage principals, grants, bindings, revocation and read the logs here (with membership in secant_admin for the table privileges); proxy = may obtain what is addressed to any principal (an application server that authenticates its users; part of the trusted computing base)';

CREATE TABLE secant.copies (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    share_table regclass NOT NULL,
    source_table regclass NOT NULL,
    source_row text NOT NULL,
    recipient pre_public_key NOT NULL,
    copy pre_ciphertext NOT NULL,
    hop_keys bytea[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by name NOT NULL,
    UNIQUE (share_table, source_row, recipient)
);
CREATE INDEX copies_hop_keys ON secant.copies USING gin (hop_keys);
CREATE INDEX copies_source ON secant.copies (source_table, source_row);
-- key rotation deletes the copies addressed to a retired key
CREATE INDEX copies_recipient ON secant.copies (recipient);
COMMENT ON TABLE secant.copies IS 'copies of shared records re-encrypted for their recipients, made by the sharing triggers; a role reads the copies addressed to principals it is bound to (or all, as a proxy)';
COMMENT ON COLUMN secant.copies.share_table IS 'the application''s share table whose row asked for the copy';
COMMENT ON COLUMN secant.copies.source_row IS 'the shared row''s key, as text';
COMMENT ON COLUMN secant.copies.hop_keys IS 'pre_hop_keys(copy): revocation deletes every copy made through a revoked grant';
COMMENT ON COLUMN secant.copies.created_by IS 'the role that inserted the share row';

CREATE TABLE secant.audit_log (
    seq bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    actor name NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL
);
COMMENT ON TABLE secant.audit_log IS 'append-only, hash-chained log of principal, grant, revocation and index key changes';

-- The one row that the audit chain serialises on: only the extension's
-- own code can lock it (no role has any privilege on it).
CREATE TABLE secant.audit_lock (id integer PRIMARY KEY CHECK (id = 1));
INSERT INTO secant.audit_lock VALUES (1);
COMMENT ON TABLE secant.audit_lock IS 'one row, locked by each new audit entry until its transaction ends: the chain''s order';

-- Key rotations one at a time (only the extension's own code locks it).
CREATE TABLE secant.rotation_lock (id integer PRIMARY KEY CHECK (id = 1));
INSERT INTO secant.rotation_lock VALUES (1);
COMMENT ON TABLE secant.rotation_lock IS 'one row, locked by each key rotation until its transaction ends: rotations one at a time';

CREATE TABLE secant.access_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor name NOT NULL,
    role name NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL
);
COMMENT ON TABLE secant.access_log IS 'append-only log of copies made by sharing and, with read audit on, of reads (not chained: readers and sharers never wait for each other or for a revocation)';

SELECT pg_catalog.pg_extension_config_dump('secant.principals', '');
SELECT pg_catalog.pg_extension_config_dump('secant.principal_keys', '');
SELECT pg_catalog.pg_extension_config_dump('secant.grants', '');
SELECT pg_catalog.pg_extension_config_dump('secant.database_identity', '');
SELECT pg_catalog.pg_extension_config_dump('secant.revoked_grants', '');
SELECT pg_catalog.pg_extension_config_dump('secant.bindings', '');
SELECT pg_catalog.pg_extension_config_dump('secant.capabilities', '');
SELECT pg_catalog.pg_extension_config_dump('secant.settings', '');
SELECT pg_catalog.pg_extension_config_dump('secant.copies', '');
SELECT pg_catalog.pg_extension_config_dump('secant.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('secant.access_log', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.principals', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.grants', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.copies', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.access_log', 'id')::regclass, '');

-- ---- privileges ----

REVOKE ALL ON ALL TABLES IN SCHEMA secant FROM PUBLIC;
GRANT SELECT ON secant.principals, secant.principal_keys TO PUBLIC;
GRANT SELECT (id, from_key, to_key, not_after, hop_key, created_at) ON secant.grants TO PUBLIC;
GRANT SELECT, INSERT, UPDATE (name), DELETE ON secant.principals TO secant_admin;
-- (the sealed grants: admins of this database only, see "admin scope")
GRANT INSERT, DELETE ON secant.grants TO secant_admin;
GRANT SELECT ON secant.audit_log, secant.access_log, secant.revoked_grants TO secant_admin;
-- (row-level security: admins of this database see the rows; the pending
-- re-issues in secant.readers read these columns as the caller)
GRANT SELECT (from_key, to_key, revoked_at, reason) ON secant.revoked_grants TO PUBLIC;
GRANT SELECT ON secant.bindings, secant.capabilities, secant.settings TO PUBLIC;
GRANT INSERT, DELETE ON secant.bindings, secant.capabilities TO secant_admin;
GRANT INSERT, UPDATE, DELETE ON secant.settings TO secant_admin;
-- copies: row-level security decides (see "sharing")
GRANT SELECT ON secant.copies TO PUBLIC;

-- ---- audit log ----

-- The canonical bytes of an entry: a JSON array (unambiguous, independent
-- of DateStyle and TimeZone).
CREATE FUNCTION secant.audit_entry(seq bigint, at timestamptz, actor name, action text, detail jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.convert_to(pg_catalog.jsonb_build_array(seq,
             (extract(epoch FROM at) OPERATOR(pg_catalog.*) 1000000)::bigint,
             actor, action, detail)::text, 'UTF8') $$;
COMMENT ON FUNCTION secant.audit_entry(bigint, timestamptz, name, text, jsonb) IS 'canonical bytes of an audit entry, as hashed into the chain';

-- A restore: a superuser's session (session_user, which no SET ROLE or
-- SECURITY DEFINER changes) loading secant's tables with COPY.  The rows
-- come with their audit entries already in the dump.  A restore with
-- session_replication_role = replica (superuser only) fires no triggers.
CREATE FUNCTION secant.restoring() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                       WHERE r.rolname OPERATOR(pg_catalog.=) SESSION_USER), false)
             AND pg_catalog.current_query() OPERATOR(pg_catalog.~*) '^\s*COPY\s+secant\.' $$;
COMMENT ON FUNCTION secant.restoring() IS 'true while a superuser''s session loads secant tables with COPY (a restore): audit triggers then add nothing';

-- Chain a new entry: serialised by the row of secant.audit_lock, so each
-- entry links to the one committed before it.  Inserts into the log come
-- only from the extension's own (owner-run) code.
CREATE FUNCTION secant_internal.audit_log_chain() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last record;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.audit_log'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.audit_log_chain() chains secant.audit_log only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.hash IS NOT NULL AND secant.restoring() THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM secant.audit_lock FOR UPDATE;
    SELECT l.seq, l.hash INTO last FROM secant.audit_log l ORDER BY l.seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) OPERATOR(pg_catalog.+) 1;
    NEW.at := pg_catalog.clock_timestamp();
    NEW.actor := SESSION_USER;
    NEW.prev_hash := coalesce(last.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.hash := @extschema@.pre_audit_hash(NEW.prev_hash,
                    secant.audit_entry(NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.detail));
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant_internal.audit_log_chain() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.audit_log_chain() IS 'trigger: number, time-stamp and hash-chain a new audit entry';

CREATE FUNCTION secant_internal.audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_SCHEMA OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = pg_catalog.format('%s is refused on the %s.', TG_OP,
                                         CASE WHEN TG_TABLE_NAME OPERATOR(pg_catalog.=) 'audit_log'
                                              THEN 'audit log' ELSE 'access log' END);
END $$;
REVOKE ALL ON FUNCTION secant_internal.audit_log_refuse() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.audit_log_refuse() IS 'trigger: refuse UPDATE, DELETE and TRUNCATE of the audit and access logs';

CREATE TRIGGER audit_log_chain BEFORE INSERT ON secant.audit_log
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_log_chain();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON secant.audit_log
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON secant.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.audit_log_refuse();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON secant.access_log
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_log_refuse();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON secant.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.audit_log_refuse();

CREATE FUNCTION secant.audit(action text, detail jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.require_admin();
      INSERT INTO secant.audit_log (action, detail) VALUES (action, detail) RETURNING seq $$;
REVOKE ALL ON FUNCTION secant.audit(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit(text, jsonb) TO secant_admin;
COMMENT ON FUNCTION secant.audit(text, jsonb) IS 'append an entry to the audit log; returns its sequence number';

CREATE FUNCTION secant.audit_verify() RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r secant.audit_log;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    expect bigint := 1;
BEGIN
    PERFORM secant.require_admin();
    FOR r IN SELECT * FROM secant.audit_log l ORDER BY l.seq LOOP
        IF r.seq OPERATOR(pg_catalog.<>) expect OR r.prev_hash OPERATOR(pg_catalog.<>) prev OR
           r.hash OPERATOR(pg_catalog.<>) @extschema@.pre_audit_hash(prev,
               secant.audit_entry(r.seq, r.at, r.actor, r.action, r.detail)) THEN
            RETURN r.seq;
        END IF;
        prev := r.hash;
        expect := expect OPERATOR(pg_catalog.+) 1;
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_verify() TO secant_admin;
COMMENT ON FUNCTION secant.audit_verify() IS 'the sequence number of the first broken link of the audit chain, or NULL when it is intact';

CREATE FUNCTION secant.audit_head() RETURNS bytea
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.require_admin();
      SELECT l.hash FROM secant.audit_log l ORDER BY l.seq DESC LIMIT 1 $$;
REVOKE ALL ON FUNCTION secant.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_head() TO secant_admin;
COMMENT ON FUNCTION secant.audit_head() IS 'hash of the newest audit entry: anchor it outside the database to detect a rewritten chain';

-- The audit log with principals named: each detail field holding a public
-- key gets a *_name companion when a principal has that key (keys of
-- principals since removed stay as keys).
CREATE FUNCTION secant.name_keys(detail jsonb) RETURNS jsonb
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT detail OPERATOR(pg_catalog.||) coalesce(
        (SELECT pg_catalog.jsonb_object_agg(e.key OPERATOR(pg_catalog.||) '_name', p.name)
         FROM pg_catalog.jsonb_each_text(detail) AS e
         JOIN secant.principals p
           ON e.value OPERATOR(pg_catalog.~~) 'prepk\_%'
          AND p.public_key::text OPERATOR(pg_catalog.=) e.value),
        '{}'::jsonb) $$;
COMMENT ON FUNCTION secant.name_keys(jsonb) IS 'an audit detail with a *_name field beside each public key that names a principal';

CREATE VIEW secant.audit_entries WITH (security_invoker = true) AS
SELECT l.seq, l.at, l.actor, l.action, secant.name_keys(l.detail) AS detail
FROM secant.audit_log l;
COMMENT ON VIEW secant.audit_entries IS 'the audit log with principals named (readable by this database''s admins)';
GRANT SELECT ON secant.audit_entries TO secant_admin;

-- The items the audit log says exist now: for each item (the values of
-- the detail fields keys, joined by a space), its last event among
-- ins_actions and del_actions, when that was one of ins_actions, with its
-- detail.  (Several actions: a key rotation logs 'retire key' for the old
-- key and 'update principal' for the new one.)
CREATE FUNCTION secant.audit_live(ins_actions text[], del_actions text[], keys text[])
RETURNS TABLE (item text, detail jsonb)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT x.item, x.detail
    FROM (SELECT DISTINCT ON (1)
                 pg_catalog.array_to_string(ARRAY(SELECT l.detail OPERATOR(pg_catalog.->>) k
                                                  FROM pg_catalog.unnest(keys) AS k), ' ') AS item,
                 l.action, l.detail
          FROM secant.audit_log l
          WHERE l.action OPERATOR(pg_catalog.=) ANY (ins_actions OPERATOR(pg_catalog.||) del_actions)
          ORDER BY 1, l.seq DESC) x
    WHERE x.action OPERATOR(pg_catalog.=) ANY (ins_actions) $$;
COMMENT ON FUNCTION secant.audit_live(text[], text[], text[]) IS 'the items whose last audit event is one of ins_actions (keyed by detail fields), with that event''s detail';

CREATE FUNCTION secant.audit_live(ins_action text, del_action text, keys text[])
RETURNS TABLE (item text, detail jsonb)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.audit_live(ARRAY[ins_action], ARRAY[del_action], keys) $$;
COMMENT ON FUNCTION secant.audit_live(text, text, text[]) IS 'the items whose last audit event is an insert (keyed by detail fields), with that event''s detail';

-- State versus log: replay the audit log's events and return each
-- difference from the tables (no rows: they agree).  Run it after a
-- restore: a restore that lost rows (or an edit behind the triggers' back)
-- shows up here even when the chain itself verifies.
CREATE FUNCTION secant.audit_check()
RETURNS TABLE (kind text, item text, in_log text, in_table text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM secant.require_admin();
    RETURN QUERY
    SELECT 'principal'::text, coalesce(a.item, b.k), a.detail OPERATOR(pg_catalog.->>) 'name', b.name
    FROM secant.audit_live(ARRAY['insert principal', 'update principal'], ARRAY['delete principal', 'retire key'],
                           ARRAY['public_key']) a
    FULL JOIN (SELECT p.public_key::text AS k, p.name FROM secant.principals p) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
    RETURN QUERY
    SELECT 'grant'::text, coalesce(a.item, b.k),
           pg_catalog.concat(a.detail OPERATOR(pg_catalog.->>) 'from_key', ' -> ', a.detail OPERATOR(pg_catalog.->>) 'to_key'),
           b.link
    FROM secant.audit_live('insert grant', 'delete grant', ARRAY['grant_id']) a
    FULL JOIN (SELECT g.id::text AS k, pg_catalog.concat(g.from_key::text, ' -> ', g.to_key::text) AS link
               FROM secant.grants g) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
    RETURN QUERY
    SELECT 'revoked hop key'::text, coalesce(a.x, b.x),
           CASE WHEN a.x IS NULL THEN NULL ELSE 'removed' END,
           CASE WHEN b.x IS NULL THEN NULL ELSE 'remembered' END
    FROM (SELECT DISTINCT l.detail OPERATOR(pg_catalog.->>) 'hop_key' AS x FROM secant.audit_log l
          WHERE l.action OPERATOR(pg_catalog.=) 'delete grant' AND l.detail OPERATOR(pg_catalog.?) 'hop_key') a
    FULL JOIN (SELECT pg_catalog.encode(v.hop_key, 'hex') AS x FROM secant.revoked_grants v) b
      ON b.x OPERATOR(pg_catalog.=) a.x
    WHERE a.x IS NULL OR b.x IS NULL;
    RETURN QUERY
    SELECT 'binding'::text, coalesce(a.item, b.k),
           CASE WHEN a.item IS NULL THEN NULL ELSE 'bound' END,
           CASE WHEN b.k IS NULL THEN NULL ELSE 'bound' END
    FROM secant.audit_live('insert binding', 'delete binding', ARRAY['principal_key', 'role']) a
    FULL JOIN (SELECT pg_catalog.concat(t.principal_key::text, ' ', t.role::text) AS k FROM secant.bindings t) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
    RETURN QUERY
    SELECT 'capability'::text, coalesce(a.item, b.k),
           CASE WHEN a.item IS NULL THEN NULL ELSE 'held' END,
           CASE WHEN b.k IS NULL THEN NULL ELSE 'held' END
    FROM secant.audit_live('insert capability', 'delete capability', ARRAY['role', 'capability']) a
    FULL JOIN (SELECT pg_catalog.concat(t.role::text, ' ', t.capability) AS k FROM secant.capabilities t) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_check() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_check() TO secant_admin;
COMMENT ON FUNCTION secant.audit_check() IS 'state versus log: every difference between the audit log''s events (principals, grants, revoked hop keys, bindings, capabilities) and the tables; no rows when they agree';

-- ---- administration: admins per database, the admin-only and audit triggers of the admins' tables, row-level security of the logs ----

-- The role at the outer level (SET ROLE counts; SECURITY DEFINER does not).
-- Information only: it never decides authority (docs/SECURITY.md,
-- "Authority": a definer function or an index expression runs someone
-- else's code with the outer role unchanged).
CREATE FUNCTION secant.outer_user() RETURNS oid
    AS 'MODULE_PATHNAME', 'pre_outer_user' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION secant.outer_user() IS 'the role at the outer level of this session (SET ROLE counts, SECURITY DEFINER does not); information only, never authority';

-- The asking role, whose authority decides (src/pg/authority.c):
-- current_user, the role whose code runs; inside the body of one of the
-- extension's owner-run functions, the current_user that called its door.
CREATE FUNCTION secant.asking_user() RETURNS oid
    AS 'MODULE_PATHNAME', 'pre_asking_user' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION secant.asking_user() IS 'the role whose authority decides: current_user (inside an owner-run function of the extension: the current_user that called it)';

-- Is the asking role an admin of this database?  A superuser, or a member
-- of a role holding the admin capability here.  Roles are cluster-wide;
-- the capability is not.  Never inside a security-restricted operation.
CREATE FUNCTION secant.is_admin() RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_is_admin' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION secant.is_admin() IS 'true when the asking role (secant.asking_user) is a superuser or holds the admin capability in this database; false inside a security-restricted operation';

CREATE FUNCTION secant.require_admin() RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT secant.is_admin() THEN
        RAISE EXCEPTION 'role "%" is not a secant_pre admin of database "%"',
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) secant.asking_user()),
            pg_catalog.current_database()
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An admin of this database, or its owner, runs SELECT secant.grant_capability(''role'', ''admin'').';
    END IF;
END $$;
COMMENT ON FUNCTION secant.require_admin() IS 'raise unless the asking role is an admin of this database';

-- Statement trigger on the tables admins write: only this database's
-- admins (membership in secant_admin gives the table privileges in every
-- database; the capability decides in which).  The database owner may also
-- give capabilities while the database has no admin (bootstrap).
CREATE FUNCTION secant_internal.admin_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF secant.is_admin() THEN
        RETURN NULL;
    END IF;
    IF TG_RELID OPERATOR(pg_catalog.=) 'secant.capabilities'::pg_catalog.regclass THEN
        IF secant_internal.owner_bootstraps() THEN  -- (parsed only here)
            RETURN NULL;
        END IF;
    END IF;
    PERFORM secant.require_admin();
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.admin_only() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.admin_only() IS 'trigger: only admins of this database change secant''s tables';

CREATE FUNCTION secant.is_database_owner() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(secant.asking_user(), d.datdba, 'MEMBER')
    FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database() $$;
COMMENT ON FUNCTION secant.is_database_owner() IS 'true when the asking role is (a member of) the owner of this database';

-- The database owner gives capabilities only to bootstrap: while the
-- database has no admin.  Once it has one, the owner is a role like any
-- other (it cannot make itself a proxy behind the admins' backs).
CREATE FUNCTION secant_internal.owner_bootstraps() RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_owner_bootstraps' LANGUAGE C STABLE STRICT;
REVOKE ALL ON FUNCTION secant_internal.owner_bootstraps() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.owner_bootstraps() IS 'true when the asking role owns this database and the database has no admin yet (the owner gives the first capabilities only); false inside a security-restricted operation';

-- Audit every change of principals and grants, whoever makes it (COPY
-- included); a superuser's restore adds nothing (secant.restoring).
CREATE FUNCTION secant_internal.audit_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    detail jsonb;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) ALL (ARRAY['secant.principals'::pg_catalog.regclass,
            'secant.grants'::pg_catalog.regclass, 'secant.bindings'::pg_catalog.regclass,
            'secant.capabilities'::pg_catalog.regclass, 'secant.settings'::pg_catalog.regclass]) THEN
        RAISE EXCEPTION 'secant.audit_change() logs changes of secant.principals, grants, bindings, capabilities and settings only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_RELID OPERATOR(pg_catalog.=) 'secant.principals'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('name', r.name, 'kind', r.kind, 'public_key', r.public_key::text);
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.bindings'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('principal_key', r.principal_key::text, 'role', r.role::text);
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.capabilities'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('role', r.role::text, 'capability', r.capability);
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.settings'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('name', r.name, 'value', r.value);
    ELSE
        detail := pg_catalog.jsonb_build_object('grant_id', r.id, 'from_key', r.from_key::text,
                                                'to_key', r.to_key::text, 'not_after', r.not_after,
                                                'hop_key', pg_catalog.encode(r.hop_key, 'hex'));
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES (pg_catalog.concat(pg_catalog.lower(TG_OP), ' ',
                              CASE TG_TABLE_NAME WHEN 'capabilities' THEN 'capability'
                                   WHEN 'settings' THEN 'setting'
                                   ELSE pg_catalog.rtrim(TG_TABLE_NAME, 's') END), detail);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.audit_change() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.audit_change() IS 'trigger: log a change of principals or grants in the audit log';
CREATE TRIGGER principals_audit AFTER INSERT OR UPDATE OR DELETE ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_change();
CREATE TRIGGER grants_audit AFTER INSERT OR DELETE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_change();
CREATE TRIGGER bindings_audit AFTER INSERT OR DELETE ON secant.bindings
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_change();
CREATE TRIGGER capabilities_audit AFTER INSERT OR DELETE ON secant.capabilities
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_change();
CREATE TRIGGER principals_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.principals
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.admin_only();
CREATE TRIGGER grants_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.admin_only();
CREATE TRIGGER bindings_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.bindings
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.admin_only();
CREATE TRIGGER capabilities_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.capabilities
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.admin_only();
CREATE TRIGGER settings_audit AFTER INSERT OR UPDATE OR DELETE ON secant.settings
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_change();
CREATE TRIGGER settings_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.settings
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.admin_only();
-- the logs are read by this database's admins only
ALTER TABLE secant.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_admins ON secant.audit_log FOR SELECT USING (secant.is_admin());
ALTER TABLE secant.access_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY access_log_admins ON secant.access_log FOR SELECT USING (secant.is_admin());
ALTER TABLE secant.revoked_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY revoked_grants_admins ON secant.revoked_grants FOR SELECT USING (secant.is_admin());

-- ---- principals ----

CREATE FUNCTION secant.add_principal(name text, kind text, public_key pre_public_key) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO secant.principals (name, kind, public_key) VALUES (name, kind, public_key) RETURNING id $$;
REVOKE ALL ON FUNCTION secant.add_principal(text, text, pre_public_key) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_principal(text, text, pre_public_key) TO secant_admin;
COMMENT ON FUNCTION secant.add_principal(text, text, pre_public_key) IS 'register a group, user or device by its public key; returns its id';

CREATE FUNCTION secant.principal_key(name text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key;
BEGIN
    SELECT p.public_key INTO k FROM secant.principals p WHERE p.name OPERATOR(pg_catalog.=) principal_key.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'principal "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN k;
END $$;
COMMENT ON FUNCTION secant.principal_key(text) IS 'the public key of a principal, by name';

-- A principal given as text: its name, or its public key's text form (so
-- that untyped literals and driver parameters work for both).
CREATE FUNCTION secant.principal(ref text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key;
BEGIN
    IF pg_catalog.starts_with(ref, 'prepk_') THEN
        k := ref::@extschema@.pre_public_key;
        PERFORM 1 FROM secant.principals p WHERE p.public_key OPERATOR(@extschema@.=) k;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no principal has this public key'
                USING ERRCODE = 'undefined_object',
                      HINT = 'Register it with secant.add_principal(name, kind, key).';
        END IF;
        RETURN k;
    END IF;
    RETURN secant.principal_key(ref);
END $$;
COMMENT ON FUNCTION secant.principal(text) IS 'the public key of a principal given by name or by its prepk_ text';

-- ---- key rotation: the keys of principals ----
-- (the rotations themselves are at the end: "key rotation")

-- Every key of the principal that has this key (current or retired).
CREATE FUNCTION secant.keys_of(public_key pre_public_key) RETURNS pre_public_key[]
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.array_agg(o.public_key ORDER BY o.created_at, o.public_key)
    FROM secant.principal_keys k
    JOIN secant.principal_keys o ON o.principal_id OPERATOR(pg_catalog.=) k.principal_id
    WHERE k.public_key OPERATOR(@extschema@.=) keys_of.public_key $$;
COMMENT ON FUNCTION secant.keys_of(pre_public_key) IS 'every key (current and retired) of the principal that has this key; NULL for an unknown key';

-- A new principal's key is its current key.  A restore brings the rows of
-- secant.principal_keys with it.
CREATE FUNCTION secant_internal.principal_key_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.principals'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.principal_key_added() handles secant.principals only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    INSERT INTO secant.principal_keys (public_key, principal_id) VALUES (NEW.public_key, NEW.id);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.principal_key_added() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.principal_key_added() IS 'trigger: record a new principal''s key in secant.principal_keys';
CREATE TRIGGER principals_key_added AFTER INSERT ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant_internal.principal_key_added();

-- A principal's key changes only by a rotation, which records the new key
-- as current first.
CREATE FUNCTION secant_internal.principal_key_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.public_key OPERATOR(@extschema@.<>) OLD.public_key AND NOT EXISTS (
           SELECT 1 FROM secant.principal_keys k
           WHERE k.public_key OPERATOR(@extschema@.=) NEW.public_key
             AND k.principal_id OPERATOR(pg_catalog.=) NEW.id AND k.retired_at IS NULL) THEN
        RAISE EXCEPTION 'a principal''s public key changes only by key rotation'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Use secant.rotate_group(), secant.rotate_user() or secant.rotate_device().';
    END IF;
    IF NEW.id OPERATOR(pg_catalog.<>) OLD.id THEN
        RAISE EXCEPTION 'a principal''s id never changes' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant_internal.principal_key_changed() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.principal_key_changed() IS 'trigger: refuse a change of a principal''s key other than by key rotation';
CREATE TRIGGER principals_key_changed BEFORE UPDATE ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant_internal.principal_key_changed();

-- A retired key is never the grantee of a grant, and the delegator of
-- none but a bridge to the key that replaced it.  Compares the columns
-- that secant.grant_fill filled from the opened grant (it fires first).
CREATE FUNCTION secant_internal.grant_check_retired() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k secant.principal_keys;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grants'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.grant_check_retired() checks secant.grants only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- FOR KEY SHARE: a rotation of either key (which locks its row FOR
    -- UPDATE first) waits for this insert, or this insert waits for it and
    -- sees the key retired
    SELECT * INTO k FROM secant.principal_keys v WHERE v.public_key OPERATOR(@extschema@.=) NEW.to_key
    FOR KEY SHARE OF v;
    IF FOUND AND k.retired_at IS NOT NULL THEN
        RAISE EXCEPTION 'grant to a retired key'
            USING ERRCODE = 'integrity_constraint_violation',
                  DETAIL = pg_catalog.format('The grantee''s key was retired at %s.', k.retired_at),
                  HINT = 'Grant to the principal''s current key: secant.principal_key(name).';
    END IF;
    SELECT * INTO k FROM secant.principal_keys v WHERE v.public_key OPERATOR(@extschema@.=) NEW.from_key
    FOR KEY SHARE OF v;
    IF FOUND AND k.retired_at IS NOT NULL AND k.replaced_by OPERATOR(@extschema@.<>) NEW.to_key THEN
        RAISE EXCEPTION 'grant from a retired key'
            USING ERRCODE = 'integrity_constraint_violation',
                  DETAIL = pg_catalog.format('The delegator''s key was retired at %s; it delegates only to the key that replaced it (its bridge).', k.retired_at),
                  HINT = 'The delegator grants with its current key.';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant_internal.grant_check_retired() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.grant_check_retired() IS 'trigger: refuse a grant to a retired key, or from one except its bridge to the key that replaced it';

-- Grants that a rotation dropped because their grantee's key was retired
-- (a user's group memberships, a group's parent groups, a device's
-- enrolments), until the delegator grants to the grantee's new key.  Read
-- from secant.revoked_grants with the caller's rights: its row-level
-- security shows them to this database's admins only.
CREATE FUNCTION secant.pending_reissue_list()
RETURNS TABLE (delegator text, delegator_kind text, delegator_key pre_public_key, grantee text,
               grantee_kind text, retired_key pre_public_key, new_key pre_public_key, since timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT ON (dp.id, gp.id)
           dp.name, dp.kind, dp.public_key, gp.name, gp.kind, v.to_key, gp.public_key, v.revoked_at
    FROM secant.revoked_grants v
    JOIN secant.principal_keys tk ON tk.public_key OPERATOR(@extschema@.=) v.to_key AND tk.retired_at IS NOT NULL
    JOIN secant.principals gp ON gp.id OPERATOR(pg_catalog.=) tk.principal_id
    JOIN secant.principal_keys fk ON fk.public_key OPERATOR(@extschema@.=) v.from_key
    JOIN secant.principals dp ON dp.id OPERATOR(pg_catalog.=) fk.principal_id
    WHERE v.reason OPERATOR(pg_catalog.=) 'rotated'
      AND dp.id OPERATOR(pg_catalog.<>) gp.id
      AND NOT EXISTS (SELECT 1 FROM secant.grants g
                      WHERE g.from_key OPERATOR(@extschema@.=) dp.public_key
                        AND g.to_key OPERATOR(@extschema@.=) gp.public_key)
    ORDER BY dp.id, gp.id, v.revoked_at DESC $$;
COMMENT ON FUNCTION secant.pending_reissue_list() IS 'the grants key rotations dropped (their grantee''s key was retired) that their delegator has not made again to the grantee''s new key (rows for this database''s admins only)';

CREATE VIEW secant.pending_reissues WITH (security_invoker = true) AS
SELECT * FROM secant.pending_reissue_list();
COMMENT ON VIEW secant.pending_reissues IS 'grants a key rotation dropped (their grantee''s key was retired) that the delegator has not yet made again to the grantee''s new key (secant-pre rotate reissue); paths through them are closed meanwhile; rows for this database''s admins only';
GRANT SELECT ON secant.pending_reissues TO PUBLIC;

-- ---- finality: the locks of what a re-encryption relies on ----

-- Readers (secant.reencrypt_for, sharing, index_keys_for) lock the grants
-- of their path and hop chain and the binding or proxy capability they
-- rely on, shared, until their transaction ends; a removal locks what it
-- removes exclusive, all in one batch, in one global order (src/pg/
-- policy_lock.c: PostgreSQL heavyweight locks SQL cannot take; a reader
-- takes no transaction id and writes no WAL for them).
CREATE FUNCTION secant_internal.lock_removal(grant_ids bigint[], binding_key pre_public_key,
                                             binding_roles oid[], proxy_roles oid[], wait boolean)
RETURNS void AS 'MODULE_PATHNAME', 'pre_lock_removal' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION secant_internal.lock_removal(bigint[], pre_public_key, oid[], oid[], boolean) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.lock_removal(bigint[], pre_public_key, oid[], oid[], boolean) IS 'before a removal: lock, in one batch, the grants, the bindings of a key (per role) and the proxy capabilities (per role) it removes, waiting for their readers, or (wait => false) failing at once naming them';
CREATE FUNCTION secant_internal.lock_removed_row() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_lock_removed_row' LANGUAGE C;
REVOKE ALL ON FUNCTION secant_internal.lock_removed_row() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.lock_removed_row() IS 'trigger: a grant, binding or proxy capability deleted or changed in any way is locked as a removal first';
CREATE TRIGGER grants_lock_removed BEFORE DELETE OR UPDATE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.lock_removed_row();
CREATE TRIGGER bindings_lock_removed BEFORE DELETE OR UPDATE ON secant.bindings
    FOR EACH ROW EXECUTE FUNCTION secant_internal.lock_removed_row();
CREATE TRIGGER capabilities_lock_removed BEFORE DELETE OR UPDATE ON secant.capabilities
    FOR EACH ROW EXECUTE FUNCTION secant_internal.lock_removed_row();

-- ---- bindings and capabilities ----

CREATE FUNCTION secant.bind(principal text, role_name name) RETURNS void
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO secant.bindings (principal_key, role)
    VALUES (secant.principal(principal), pg_catalog.quote_ident(role_name)::pg_catalog.regrole)
    ON CONFLICT DO NOTHING;
END $$;
REVOKE ALL ON FUNCTION secant.bind(text, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.bind(text, name) TO secant_admin;
COMMENT ON FUNCTION secant.bind(text, name) IS 'bind a database role (and its members) to a principal, by name or key: the role may then obtain what is addressed to it';

-- A removal locks what it removes (secant_internal.lock_removal): it waits
-- for the transactions that re-encrypted on its strength (or, with wait =>
-- false, fails at once naming them); once it committed, no session gets a
-- re-encryption on its strength.
CREATE FUNCTION secant.unbind(principal text, role_name name, wait boolean DEFAULT true) RETURNS boolean
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key := secant.principal(principal);
    r pg_catalog.regrole := pg_catalog.quote_ident(role_name)::pg_catalog.regrole;
    n bigint;
BEGIN
    PERFORM secant.require_admin();
    PERFORM secant_internal.lock_removal(NULL, k, ARRAY[r::pg_catalog.oid], NULL, wait);
    DELETE FROM secant.bindings b
    WHERE b.principal_key OPERATOR(@extschema@.=) k AND b.role OPERATOR(pg_catalog.=) r;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n OPERATOR(pg_catalog.>) 0;
END $$;
REVOKE ALL ON FUNCTION secant.unbind(text, name, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.unbind(text, name, boolean) TO secant_admin;
COMMENT ON FUNCTION secant.unbind(text, name, boolean) IS 'remove a binding; true if there was one; waits for the transactions that re-encrypted through it (wait => false: fails at once naming them)';

CREATE FUNCTION secant.grant_capability(role_name name, capability text) RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT secant.is_admin() AND NOT secant_internal.owner_bootstraps() THEN
        IF secant.is_database_owner() THEN
            RAISE EXCEPTION 'the owner of database "%" gives capabilities only while it has no admin', pg_catalog.current_database()
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'An admin of this database runs SELECT secant.grant_capability(...).';
        END IF;
        PERFORM secant.require_admin();
    END IF;
    IF capability OPERATOR(pg_catalog.<>) ALL (ARRAY['admin', 'proxy']) THEN
        RAISE EXCEPTION 'unknown capability "%"', capability
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The capabilities are admin and proxy.';
    END IF;
    INSERT INTO secant.capabilities (role, capability)
    VALUES (pg_catalog.quote_ident(role_name)::pg_catalog.regrole, capability)
    ON CONFLICT DO NOTHING;
    IF capability OPERATOR(pg_catalog.=) 'admin' AND NOT pg_catalog.pg_has_role(role_name, 'secant_admin', 'MEMBER') THEN
        RAISE NOTICE 'role "%" is an admin of this database now, but needs membership in secant_admin for the table privileges', role_name
            USING HINT = pg_catalog.format('GRANT secant_admin TO %I;', role_name);
    END IF;
END $$;
REVOKE ALL ON FUNCTION secant.grant_capability(name, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.grant_capability(name, text) TO PUBLIC;
COMMENT ON FUNCTION secant.grant_capability(name, text) IS 'give a role a capability in this database (admin: manage secant here; proxy: obtain what is addressed to any principal); by an admin of this database, or by its owner while it has no admin';

CREATE FUNCTION secant.revoke_capability(role_name name, capability text, wait boolean DEFAULT true) RETURNS boolean
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r pg_catalog.regrole := pg_catalog.quote_ident(role_name)::pg_catalog.regrole;
    n bigint;
BEGIN
    PERFORM secant.require_admin();
    IF capability OPERATOR(pg_catalog.=) 'proxy' THEN
        PERFORM secant_internal.lock_removal(NULL, NULL, NULL, ARRAY[r::pg_catalog.oid], wait);
    END IF;
    DELETE FROM secant.capabilities c
    WHERE c.role OPERATOR(pg_catalog.=) r AND c.capability OPERATOR(pg_catalog.=) revoke_capability.capability;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n OPERATOR(pg_catalog.>) 0;
END $$;
REVOKE ALL ON FUNCTION secant.revoke_capability(name, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke_capability(name, text, boolean) TO secant_admin;
COMMENT ON FUNCTION secant.revoke_capability(name, text, boolean) IS 'take a capability from a role; true if it had it; the proxy capability waits for the transactions that re-encrypted on its strength (wait => false: fails at once naming them)';

-- ---- read audit ----

-- Read audit (opt-in): with it on, each statement that re-encrypts for a
-- target through secant.reencrypt_for (or index_keys_for) adds one entry to
-- secant.access_log when its transaction commits: role, target, the grant
-- ids of the path, rows.  Reads are then refused in READ ONLY transactions
-- and on standbys (fail closed), and each read statement is also written to
-- the server log at once (so that a rolled-back read is not lost).
CREATE FUNCTION secant.set_read_audit(enabled boolean) RETURNS void
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO secant.settings (name, value)
    VALUES ('read_audit', CASE WHEN enabled THEN 'on' ELSE 'off' END)
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, changed_at = pg_catalog.now() $$;
REVOKE ALL ON FUNCTION secant.set_read_audit(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.set_read_audit(boolean) TO secant_admin;
COMMENT ON FUNCTION secant.set_read_audit(boolean) IS 'turn read audit on or off in this database (admin)';

CREATE FUNCTION secant.read_audit_on() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT s.value OPERATOR(pg_catalog.=) 'on' FROM secant.settings s
                       WHERE s.name OPERATOR(pg_catalog.=) 'read_audit'), false) $$;
COMMENT ON FUNCTION secant.read_audit_on() IS 'true when read audit is on in this database';

-- ---- who may obtain: bindings and capabilities ----

-- What current_user relies on to obtain what is addressed to the principal
-- with this key: its bindings to it and its proxy capabilities (through
-- the roles it is a member of), or being a superuser.  secant.reencrypt_for
-- locks what this returns (src/pg/grant_path.c).
CREATE FUNCTION secant.obtain_basis(target pre_public_key) RETURNS TABLE (kind text, role oid)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT x.kind, x.role FROM (
        SELECT 'superuser'::pg_catalog.text AS kind, r.oid AS role FROM pg_catalog.pg_roles r
        WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER AND r.rolsuper
        UNION ALL
        SELECT 'binding', b.role::pg_catalog.oid FROM secant.bindings b
        JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) b.role
        WHERE b.principal_key OPERATOR(@extschema@.=) target
          AND pg_catalog.pg_has_role(r.oid, 'MEMBER')
        UNION ALL
        SELECT 'proxy', c.role::pg_catalog.oid FROM secant.capabilities c
        JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.role
        WHERE c.capability OPERATOR(pg_catalog.=) 'proxy'
          AND pg_catalog.pg_has_role(r.oid, 'MEMBER')) AS x
    ORDER BY x.kind OPERATOR(pg_catalog.=) 'superuser' DESC, x.kind, x.role $$;
COMMENT ON FUNCTION secant.obtain_basis(pre_public_key) IS 'what current_user relies on to obtain what is addressed to the principal: superuser, or its bindings to it and proxy capabilities (by role); none: it may not';

-- May current_user obtain what is addressed to the principal with this key?
CREATE FUNCTION secant.may_obtain(target pre_public_key) RETURNS boolean
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM secant.obtain_basis(target)) $$;
COMMENT ON FUNCTION secant.may_obtain(pre_public_key) IS 'true when current_user is bound to the principal (or a member of a bound role), holds the proxy capability, or is a superuser';

-- ---- storing grants ----

CREATE FUNCTION secant.add_grant(sealed pre_sealed_grant) RETURNS bigint
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    INSERT INTO secant.grants (sealed) VALUES (sealed) RETURNING grants.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant(pre_sealed_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(pre_sealed_grant) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(pre_sealed_grant) IS 'store a sealed grant (membership or enrolment) between two known principals; returns its id';

-- A grant given as text (an untyped literal or a driver parameter): its
-- sealed form (presealed_) or, as a convenience, its unsealed one.
CREATE FUNCTION secant.add_grant(grant_text text) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN pg_catalog.starts_with(grant_text, 'presealed_')
                  THEN secant.add_grant(grant_text::@extschema@.pre_sealed_grant)
                  ELSE secant.add_grant(grant_text::@extschema@.pre_grant) END $$;
REVOKE ALL ON FUNCTION secant.add_grant(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(text) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(text) IS 'secant.add_grant with the grant as text: presealed_ (sealed by a client) or pregrant_ (sealed here)';

CREATE FUNCTION secant.add_grant(rekey pre_grant) RETURNS bigint
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM secant.principals p
                   WHERE p.public_key OPERATOR(@extschema@.=) @extschema@.pre_grant_from(rekey)) OR
       NOT EXISTS (SELECT 1 FROM secant.principals p
                   WHERE p.public_key OPERATOR(@extschema@.=) @extschema@.pre_grant_to(rekey)) THEN
        RAISE EXCEPTION 'grant links an unknown principal'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Add both principals with secant.add_principal() first.';
    END IF;
    INSERT INTO secant.grants (rekey) VALUES (rekey) RETURNING grants.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant(pre_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(pre_grant) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(pre_grant) IS 'demos and tests: store an unsealed grant, sealed on the server (the server sees rk); returns its id';

-- ---- members, devices, readers ----

-- A principal given as text, which must be of the given kind.
CREATE FUNCTION secant.principal_of_kind(ref text, want text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key := secant.principal(ref);
    got text;
BEGIN
    SELECT p.kind INTO got FROM secant.principals p WHERE p.public_key OPERATOR(@extschema@.=) k;
    IF got OPERATOR(pg_catalog.<>) want THEN
        RAISE EXCEPTION 'principal "%" is a %, not a %', ref, got, want
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = CASE want WHEN 'group' THEN 'secant.members() lists the members of a group; secant.devices() the devices of a user.'
                                   ELSE 'secant.devices() lists the devices of a user; secant.members() the members of a group.' END;
    END IF;
    RETURN k;
END $$;
COMMENT ON FUNCTION secant.principal_of_kind(text, text) IS 'the public key of a principal (name or prepk_ text) that must be of the given kind';

-- The principals a principal has granted to, one row each: active when an
-- unexpired grant leads to it, else (on request) with the reason: expired,
-- or, when no grant leads to it any more, the reason of its last removed
-- grant (revoked, expired and purged, rotated; secant.revoked_grants, read
-- by this database's admins).
CREATE FUNCTION secant.grantees(from_key pre_public_key, want_kind text, include_inactive boolean)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz, active boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.name, p.kind, p.public_key, a.not_after, a.active, a.reason
    FROM (SELECT g.to_key,
                 pg_catalog.bool_or(g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()) AS active,
                 CASE WHEN pg_catalog.bool_or(g.not_after IS NULL) THEN NULL ELSE pg_catalog.max(g.not_after) END AS not_after,
                 CASE WHEN pg_catalog.bool_or(g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp())
                      THEN NULL ELSE 'expired' END AS reason
          FROM secant.grants g WHERE g.from_key OPERATOR(@extschema@.=) grantees.from_key
          GROUP BY g.to_key
          UNION ALL
          (SELECT DISTINCT ON (r.to_key) r.to_key, false, NULL, r.reason
           FROM secant.revoked_grants r
           WHERE include_inactive AND r.from_key OPERATOR(@extschema@.=) grantees.from_key
             AND NOT EXISTS (SELECT FROM secant.grants g
                             WHERE g.from_key OPERATOR(@extschema@.=) grantees.from_key
                               AND g.to_key OPERATOR(@extschema@.=) r.to_key)
           ORDER BY r.to_key, r.revoked_at DESC)) a
    JOIN secant.principals p ON p.public_key OPERATOR(@extschema@.=) a.to_key
    WHERE (a.active OR include_inactive)
      AND (want_kind IS NULL OR p.kind OPERATOR(pg_catalog.=) want_kind)
    ORDER BY p.name $$;
COMMENT ON FUNCTION secant.grantees(pre_public_key, text, boolean) IS 'the principals (of a kind, or any when NULL) holding a grant from a key, once each, active or (on request) inactive with the reason: expired, or revoked, purged or rotated away (the last removed grant''s reason)';

CREATE FUNCTION secant.members(group_name text, include_inactive boolean DEFAULT false)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz, active boolean, reason text)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.grantees(secant.principal_of_kind(group_name, 'group'), NULL, include_inactive) $$;
COMMENT ON FUNCTION secant.members(text, boolean) IS 'the members of a group (name or key), once each, with expiry; inactive ones (expired, revoked, rotated) on request, with the reason';

CREATE FUNCTION secant.devices(user_name text, include_inactive boolean DEFAULT false)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz, active boolean, reason text)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.grantees(secant.principal_of_kind(user_name, 'user'), 'device', include_inactive) $$;
COMMENT ON FUNCTION secant.devices(text, boolean) IS 'the devices a user (name or key) enrolled, once each, with expiry; inactive ones (expired, revoked, rotated) on request, with the reason';

-- Every active path from one group (the group itself first, with a path
-- of one key): a walk over grants_from_key, so that the readers of one
-- group cost what that group's paths cost, whatever the size of the graph.
-- Each step looks its principal up once (name, kind; a retired key has
-- none and is left out of path_names, as secant.readers always showed it).
-- Runs as the caller (secant.readers is security_invoker).
CREATE FUNCTION secant.reader_paths(group_key pre_public_key)
RETURNS TABLE (principal_key pre_public_key, path_keys pre_public_key[], expires timestamptz,
               principal_name text, principal_kind text, path_names text[])
STRICT LANGUAGE sql STABLE PARALLEL SAFE ROWS 100
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE walk (principal_key, path_keys, expires, principal_name, principal_kind, path_names) AS (
        SELECT group_key, ARRAY[group_key], NULL::timestamptz, q.name, q.kind,
               pg_catalog.array_remove(ARRAY[q.name], NULL)
        FROM (SELECT) one LEFT JOIN secant.principals q ON q.public_key OPERATOR(@extschema@.=) group_key
      UNION ALL
        SELECT g.to_key, w.path_keys OPERATOR(pg_catalog.||) g.to_key,
               LEAST(w.expires, g.not_after), q.name, q.kind,
               CASE WHEN q.name IS NULL THEN w.path_names ELSE pg_catalog.array_append(w.path_names, q.name) END
        FROM walk w JOIN secant.grants g ON g.from_key OPERATOR(@extschema@.=) w.principal_key
        LEFT JOIN secant.principals q ON q.public_key OPERATOR(@extschema@.=) g.to_key
        WHERE (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp())
          AND NOT g.to_key OPERATOR(@extschema@.=) ANY (w.path_keys)
          AND pg_catalog.cardinality(w.path_keys) OPERATOR(pg_catalog.<) 16
    )
    SELECT * FROM walk $$;
COMMENT ON FUNCTION secant.reader_paths(pre_public_key) IS 'every active grant path from a group''s key (the group itself first): the principal at its end, its keys, the earliest expiry on it, and the name and kind of that principal and the names along the path as secant.principals has them (none for a retired key); what secant.readers is made of';

-- Who can read what: every active path from a group to a principal, as
-- names, with the earliest expiry on it and the roles bound to the end.
-- One walk per group (secant.reader_paths): a condition on group_name
-- walks that group's paths only, and the walk names each principal as it
-- reaches it (one probe of principals per path row, not one per key of it).
-- (A view binds the operators and functions it names when it is created,
-- under the creating script's search_path: every one is qualified.)
CREATE VIEW secant.readers WITH (security_invoker = true) AS
SELECT gp.name AS group_name, w.principal_name AS principal, w.principal_kind AS kind,
       w.path_names AS path,
       w.expires,
       ARRAY(SELECT b.role::pg_catalog.text FROM secant.bindings b
             WHERE b.principal_key OPERATOR(@extschema@.=) w.principal_key ORDER BY 1) AS roles,
       false AS pending_reissue
FROM secant.principals gp
CROSS JOIN LATERAL secant.reader_paths(gp.public_key) w
WHERE gp.kind OPERATOR(pg_catalog.=) 'group'
  AND w.principal_name IS NOT NULL
  AND pg_catalog.cardinality(w.path_keys) OPERATOR(pg_catalog.>) 1
UNION ALL
-- paths closed by a key rotation until the delegator grants again
SELECT gp.name, r.grantee, r.grantee_kind,
       w.path_names OPERATOR(pg_catalog.||) r.grantee,
       w.expires,
       ARRAY(SELECT b.role::pg_catalog.text FROM secant.bindings b
             WHERE b.principal_key OPERATOR(@extschema@.=) r.new_key ORDER BY 1),
       true
FROM secant.principals gp
CROSS JOIN LATERAL secant.reader_paths(gp.public_key) w
JOIN secant.pending_reissue_list() r ON r.delegator_key OPERATOR(@extschema@.=) w.principal_key
WHERE gp.kind OPERATOR(pg_catalog.=) 'group';
COMMENT ON VIEW secant.readers IS 'who can read what: each active grant path from a group to a principal (names), the earliest expiry on it, and the roles bound to the principal; rows with pending_reissue are paths a key rotation closed until the delegator grants to the principal''s new key (not served)';
GRANT SELECT ON secant.readers TO PUBLIC;

-- ---- grants as they are stored: never a revoked or retired one; opened, checked and filled; the key clients seal to ----

-- A grant whose hop key was revoked can never be stored again: compare the
-- hop key X (filled by secant.grant_fill, which fires first), never the
-- stored bytes.
CREATE FUNCTION secant_internal.grant_check_revoked() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r secant.revoked_grants;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grants'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.grant_check_revoked() checks secant.grants only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO r FROM secant.revoked_grants v
    WHERE v.hop_key OPERATOR(pg_catalog.=) NEW.hop_key;
    IF FOUND THEN
        RAISE EXCEPTION 'grant was revoked and cannot be stored again'
            USING ERRCODE = 'integrity_constraint_violation',
                  DETAIL = pg_catalog.format('Its hop key was revoked at %s by %s.', r.revoked_at, r.revoked_by),
                  HINT = 'To re-admit the grantee, the delegator makes a new grant (pre_grant or secant-pre grant).';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant_internal.grant_check_revoked() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.grant_check_revoked() IS 'trigger: refuse a grant whose hop key was revoked';
CREATE TRIGGER grants_not_revoked BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.grant_check_revoked();
-- fires after grants_fill and before grants_not_revoked (names sort)
CREATE TRIGGER grants_not_retired BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.grant_check_retired();

-- C, owner-run: seal an unsealed rekey (dropping it), open the sealed grant
-- with the server key, check it is for this database, fill the columns.
-- Fires before grants_not_revoked (trigger names sort).
CREATE FUNCTION secant_internal.grant_fill() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_grant_fill' LANGUAGE C;
REVOKE ALL ON FUNCTION secant_internal.grant_fill() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.grant_fill() IS 'trigger: open a grant being stored with the server key and fill its columns from it; an unsealed rekey is sealed and dropped';
CREATE TRIGGER grants_fill BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.grant_fill();

-- The key clients seal grants to: the server key and this database.
CREATE FUNCTION secant.server_public_key() RETURNS text
    AS 'MODULE_PATHNAME', 'pre_server_public_key' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.server_public_key() IS 'the presealkey_ text that clients seal grants to (secant-pre grant --seal-to): the server''s public key, its key id and this database''s identity';

-- Demos and tests only: seal a grant on the server (the server sees rk).
CREATE FUNCTION secant.seal_grant_on_server(pre_grant) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME', 'pre_seal_grant_on_server' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.seal_grant_on_server(pre_grant) IS 'demos and tests only: seal a grant with this server''s key (the server sees the grant''s secret); clients seal with secant-pre grant --seal-to';

-- ---- server key rotation: re-sealing every grant ----
-- The id of the server key a sealed grant is sealed to (bytes 8..16).
CREATE FUNCTION pre_sealed_grant_key_id(pre_sealed_grant) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_sealed_grant_key_id(pre_sealed_grant) IS 'the id (8 bytes) of the server key a sealed grant is sealed to';

CREATE FUNCTION secant.server_key_id() RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_server_key_id' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.server_key_id() IS 'the id (8 bytes) of the server key of secant_pre.server_key_file';

-- C, owner only: a grant sealed again to the server key, opened with the key
-- it names (the server key or secant_pre.previous_server_key_file); the
-- opened grant must have the given hop key.
CREATE FUNCTION secant.reseal(pre_sealed_grant, bytea) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME', 'pre_reseal' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION secant.reseal(pre_sealed_grant, bytea) FROM PUBLIC;
COMMENT ON FUNCTION secant.reseal(pre_sealed_grant, bytea) IS 'a stored grant sealed again to the server key (secant.reseal_grants)';

-- Server key rotation: with the new key in secant_pre.server_key_file and
-- the old one in secant_pre.previous_server_key_file, re-seal every grant
-- of this database that is not sealed to the new key.  No key bytes pass
-- through SQL: both are read from the files the configuration names.
CREATE FUNCTION secant.reseal_grants() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kid bytea;
    n bigint;
    m bigint;
BEGIN
    PERFORM secant.require_admin();
    kid := secant.server_key_id();
    UPDATE secant.grants g SET sealed = secant.reseal(g.sealed, g.hop_key)
    WHERE @extschema@.pre_sealed_grant_key_id(g.sealed) OPERATOR(pg_catalog.<>) kid;
    GET DIAGNOSTICS n = ROW_COUNT;
    -- threshold grant shares: the delegator's signature covers the share's
    -- own sealed part, so the node's re-seal is kept beside it (resealed)
    UPDATE secant.grant_shares s SET resealed = secant_internal.tshare_reseal(s.share, s.resealed)
    WHERE coalesce(pg_catalog.substr(s.resealed, 1, 8),
                   pg_catalog.substr(s.share, 177 OPERATOR(pg_catalog.+) 32 OPERATOR(pg_catalog.*) s.t, 8))
          OPERATOR(pg_catalog.<>) kid;
    GET DIAGNOSTICS m = ROW_COUNT;
    IF n OPERATOR(pg_catalog.+) m OPERATOR(pg_catalog.>) 0 THEN
        INSERT INTO secant.audit_log (action, detail)
        VALUES ('reseal grants', pg_catalog.jsonb_build_object('grants', n, 'grant_shares', m,
                                                               'server_key_id', pg_catalog.encode(kid, 'hex')));
    END IF;
    RETURN n OPERATOR(pg_catalog.+) m;
END $$;
REVOKE ALL ON FUNCTION secant.reseal_grants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.reseal_grants() TO secant_admin;
COMMENT ON FUNCTION secant.reseal_grants() IS 'server key rotation: re-seal every grant and threshold grant share of this database to secant_pre.server_key_file (the old key in secant_pre.previous_server_key_file); returns how many';

-- ---- copies of the database: adoption ----
-- C, owner only: a grant sealed for the identity the database had before
-- its adoption, sealed again for the one it has now.
CREATE FUNCTION secant.reseal_adopted(pre_sealed_grant, bytea, bytea) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME', 'pre_reseal_adopted' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION secant.reseal_adopted(pre_sealed_grant, bytea, bytea) FROM PUBLIC;
COMMENT ON FUNCTION secant.reseal_adopted(pre_sealed_grant, bytea, bytea) IS 'a stored grant (sealed, hop key) sealed for a previous identity of this database, sealed again for its identity (secant.adopt_database)';

-- A copy of a database (TEMPLATE, a restore into another database or
-- cluster) is closed: its identity was recorded for another database.  An
-- admin makes it live here, audited: by default with an identity of its
-- own, every grant re-sealed for it (a copy beside a live original);
-- new_identity => false keeps the identity (the database moved: the
-- original is gone, clients' secant.server_public_key() stays valid),
-- refused while another database of the cluster claims the identity.
CREATE FUNCTION secant.adopt_database(new_identity boolean DEFAULT true) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    prev record;
    here_oid oid := (SELECT d.oid FROM pg_catalog.pg_database d
                     WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database());
    here_sysid bigint := (SELECT c.system_identifier FROM pg_catalog.pg_control_system() c);
    next_id bytea;
    claimer oid;
    n bigint := 0;
    m bigint := 0;
BEGIN
    PERFORM secant.require_admin();
    SELECT i.id, i.database_oid, i.system_identifier INTO prev FROM secant.database_identity i FOR UPDATE;
    IF NOT FOUND OR (prev.database_oid OPERATOR(pg_catalog.=) here_oid
                     AND prev.system_identifier OPERATOR(pg_catalog.=) here_sysid) THEN
        RAISE EXCEPTION 'database "%" is live already: there is nothing to adopt', pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Only a copy (TEMPLATE, a restore into another database or cluster, pg_upgrade) is adopted.';
    END IF;
    IF NOT new_identity THEN
        claimer := secant_internal.identity_claimed_by(prev.id);
        IF claimer IS NOT NULL THEN
            RAISE EXCEPTION 'database "%" claimed this identity and is live: a copy beside it takes an identity of its own',
                (SELECT d.datname FROM pg_catalog.pg_database d WHERE d.oid OPERATOR(pg_catalog.=) claimer)
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'SELECT secant.adopt_database() gives this database a new identity; new_identity => false is for a database moved, whose original is gone.';
        END IF;
    END IF;
    next_id := CASE WHEN new_identity THEN pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) ELSE prev.id END;
    UPDATE secant.database_identity
    SET id = next_id, database_oid = here_oid, system_identifier = here_sysid;
    IF new_identity THEN
        UPDATE secant.grants g SET sealed = secant.reseal_adopted(g.sealed, g.hop_key, prev.id);
        GET DIAGNOSTICS n = ROW_COUNT;
        -- a node's threshold grant shares: the re-seal kept beside each
        -- (the delegator's signature covers the share's own sealed part)
        UPDATE secant.grant_shares s SET resealed = secant_internal.tshare_reseal(s.share, s.resealed, prev.id);
        GET DIAGNOSTICS m = ROW_COUNT;
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('adopt database', pg_catalog.jsonb_build_object(
        'previous_identity', pg_catalog.encode(prev.id, 'hex'), 'identity', pg_catalog.encode(next_id, 'hex'),
        'previous_database_oid', prev.database_oid, 'database_oid', here_oid,
        'previous_system_identifier', prev.system_identifier::pg_catalog.text,
        'system_identifier', here_sysid::pg_catalog.text, 'grants', n, 'grant_shares', m));
    RETURN n OPERATOR(pg_catalog.+) m;
END $$;
REVOKE ALL ON FUNCTION secant.adopt_database(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.adopt_database(boolean) TO secant_admin;
COMMENT ON FUNCTION secant.adopt_database(boolean) IS 'make a copy of a database (TEMPLATE, restore, pg_upgrade) live here, audited: an identity of its own with every grant and threshold grant share re-sealed for it (new_identity => false: the database moved, it keeps its identity); returns how many were re-sealed';

-- ---- copies made under 0.5.0: one claim per identity in the cluster ----
-- 0.5.0 did not record which database an identity belongs to: the first
-- database of the cluster to claim one keeps it, a second (a copy made
-- under 0.5.0) starts closed.  A claim is a database setting in the shared
-- catalog, ALTER DATABASE ... SET secant_pre.identity_claim = a hash of the
-- identity (not the identity: pg_db_role_setting is readable by all),
-- written when a database's identity becomes its own (made, updated to
-- 0.6.0, adopted).  Only a superuser sets it (the module defines it
-- PGC_SUSET and reserves the prefix secant_pre); a claim only closes a
-- database or refuses an adoption as moved, it never opens one.
CREATE FUNCTION secant_internal.identity_claim(id bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.encode(pg_catalog.sha256('secant_pre identity claim v1'::pg_catalog.bytea OPERATOR(pg_catalog.||) id), 'hex') $$;
REVOKE ALL ON FUNCTION secant_internal.identity_claim(bytea) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.identity_claim(bytea) IS 'the value of secant_pre.identity_claim for an identity: a hash of it, in hex';
CREATE FUNCTION secant_internal.identity_claimed_by(id bytea) RETURNS oid
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- one claimer at a time in the cluster: ALTER DATABASE ... SET waits
    -- for this lock, held until the transaction ends
    LOCK TABLE pg_catalog.pg_db_role_setting IN SHARE ROW EXCLUSIVE MODE;
    RETURN (SELECT pg_catalog.min(s.setdatabase)
            FROM pg_catalog.pg_db_role_setting s
            JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) s.setdatabase
            WHERE s.setrole OPERATOR(pg_catalog.=) 0
              AND d.datname OPERATOR(pg_catalog.<>) pg_catalog.current_database()
              AND ('secant_pre.identity_claim=' OPERATOR(pg_catalog.||) secant_internal.identity_claim(id))
                  OPERATOR(pg_catalog.=) ANY (s.setconfig));
END $$;
REVOKE ALL ON FUNCTION secant_internal.identity_claimed_by(bytea) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.identity_claimed_by(bytea) IS 'the database of this cluster, other than this one, that claimed this identity first (secant_pre.identity_claim), or NULL; serializes claims';
CREATE FUNCTION secant_internal.claim_identity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.database_oid OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                                                WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
       AND NEW.system_identifier OPERATOR(pg_catalog.=) (SELECT c.system_identifier FROM pg_catalog.pg_control_system() c) THEN
        EXECUTE pg_catalog.format('ALTER DATABASE %I SET secant_pre.identity_claim = %L',
                                  pg_catalog.current_database(), secant_internal.identity_claim(NEW.id));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.claim_identity() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.claim_identity() IS 'trigger: an identity that belongs to this database (made, updated to 0.6.0, adopted) is claimed for it in the shared catalog (ALTER DATABASE ... SET secant_pre.identity_claim)';
CREATE TRIGGER database_identity_claim AFTER INSERT OR UPDATE ON secant.database_identity
    FOR EACH ROW EXECUTE FUNCTION secant_internal.claim_identity();

-- ---- removing grants: every way is a revocation; TRUNCATE refused ----

-- Removing a grant, by secant.revoke or by a plain DELETE, does all that a
-- revocation does: its hop key is remembered and every copy made through
-- it is deleted, in the same transaction.
CREATE FUNCTION secant_internal.grant_removed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grants'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.grant_removed() handles secant.grants only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO secant.revoked_grants (hop_key, from_key, to_key, revoked_by)
    VALUES (OLD.hop_key, OLD.from_key, OLD.to_key, SESSION_USER)
    ON CONFLICT (hop_key) DO NOTHING;
    PERFORM secant.delete_copies_through(ARRAY[OLD.hop_key]);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.grant_removed() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.grant_removed() IS 'trigger: a removed grant''s hop key is remembered and its copies deleted';
CREATE TRIGGER grants_removed AFTER DELETE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.grant_removed();

CREATE FUNCTION secant_internal.grants_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE is refused on secant.grants'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Remove grants with secant.revoke(from, to): it deletes their copies and remembers their hop keys.';
END $$;
REVOKE ALL ON FUNCTION secant_internal.grants_refuse_truncate() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.grants_refuse_truncate() IS 'trigger: refuse TRUNCATE of secant.grants';
CREATE TRIGGER grants_no_truncate BEFORE TRUNCATE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.grants_refuse_truncate();

-- ---- paths, re-encryption along them, and the triggers that tell the backends' caches of a change ----

-- Breadth-first search over active grants (unexpired at statement time),
-- backwards from the target: in a group -> user -> device hierarchy the
-- fan-in of a device or a user is small while a group's fan-out is large.
-- One indexed query per level; each principal is visited once.  Runs as
-- the owner when re-encryption looks a path up: every name is qualified.
CREATE FUNCTION secant.path(from_key pre_public_key, to_key pre_public_key, max_depth integer DEFAULT 8)
RETURNS TABLE (hop integer, grant_id bigint, hop_from pre_public_key, hop_to pre_public_key, not_after timestamptz)
STRICT LANGUAGE plpgsql STABLE PARALLEL SAFE
-- a few indexed queries per call, a handful of rows: tell the planner, so
-- that it evaluates a constant path once rather than per outer row
COST 10000 ROWS 4
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    frontier @extschema@.pre_public_key[] := ARRAY[to_key];
    seen @extschema@.pre_public_key[] := ARRAY[to_key];
    next_frontier @extschema@.pre_public_key[];
    -- the edge taken from each key discovered, towards the target
    e_id bigint[] := '{}';
    e_from @extschema@.pre_public_key[] := '{}';
    e_to @extschema@.pre_public_key[] := '{}';
    e_exp timestamptz[] := '{}';
    depth integer := 0;
    cur @extschema@.pre_public_key := from_key;
    i integer;
    r record;
BEGIN
    IF from_key OPERATOR(@extschema@.=) to_key THEN
        RETURN;
    END IF;
    -- a retired key is never a target
    IF EXISTS (SELECT 1 FROM secant.principal_keys k
               WHERE k.public_key OPERATOR(@extschema@.=) to_key AND k.retired_at IS NOT NULL) THEN
        RETURN;
    END IF;
    WHILE NOT from_key OPERATOR(@extschema@.=) ANY (seen)
          AND depth OPERATOR(pg_catalog.<) least(max_depth, 15)
          AND pg_catalog.cardinality(frontier) OPERATOR(pg_catalog.>) 0 LOOP
        depth := depth OPERATOR(pg_catalog.+) 1;
        next_frontier := '{}';
        FOR r IN
            SELECT DISTINCT ON (g.from_key) g.id, g.from_key AS f, g.to_key AS t, g.not_after AS x
            FROM secant.grants g
            JOIN secant.principal_keys kf ON kf.public_key OPERATOR(@extschema@.=) g.from_key
            JOIN secant.principal_keys kt ON kt.public_key OPERATOR(@extschema@.=) g.to_key
            WHERE g.to_key OPERATOR(@extschema@.=) ANY (frontier)
              AND NOT g.from_key OPERATOR(@extschema@.=) ANY (seen)
              AND (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.transaction_timestamp()))
              -- through a retired key only by its bridge to the key that
              -- replaced it: a path that uses a retired key starts at one
              AND ((kf.retired_at IS NULL AND kt.retired_at IS NULL)
                   OR kf.replaced_by OPERATOR(@extschema@.=) g.to_key)
            ORDER BY g.from_key, g.not_after DESC NULLS FIRST, g.id DESC
        LOOP
            e_id := pg_catalog.array_append(e_id, r.id);
            e_from := pg_catalog.array_append(e_from, r.f);
            e_to := pg_catalog.array_append(e_to, r.t);
            e_exp := pg_catalog.array_append(e_exp, r.x);
            seen := pg_catalog.array_append(seen, r.f);
            next_frontier := pg_catalog.array_append(next_frontier, r.f);
        END LOOP;
        frontier := next_frontier;
    END LOOP;
    IF NOT from_key OPERATOR(@extschema@.=) ANY (seen) THEN
        RETURN;
    END IF;
    -- follow the recorded edges forwards from the start
    hop := 0;
    WHILE cur OPERATOR(@extschema@.<>) to_key LOOP
        i := pg_catalog.array_position(e_from, cur);
        hop := hop OPERATOR(pg_catalog.+) 1;
        grant_id := e_id[i];
        hop_from := e_from[i];
        hop_to := e_to[i];
        not_after := e_exp[i];
        cur := e_to[i];
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION secant.path(pre_public_key, pre_public_key, integer) IS 'a shortest chain of active grants (unexpired at statement time, not revoked) between two keys, through a retired key only by its bridge; no rows when there is none or the target is a retired key';

-- VOLATILE and PARALLEL UNSAFE on purpose: the path lookup locks the rows
-- of the grants it uses (FOR KEY SHARE, until the transaction ends) with
-- the latest snapshot, so that a revocation waits for this transaction or
-- this lookup waits for it.  Not SECURITY DEFINER: the lookup alone (once
-- per statement) runs as the owner (see src/pg/grant_path.c).
CREATE FUNCTION secant.reencrypt_for(ct pre_ciphertext, target pre_public_key) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_reencrypt_for' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, pre_public_key) IS 're-encrypt along the active grant path from the ciphertext''s current recipient to target (path looked up once per statement, kept for the session until a grant or key changes), for a role bound to target or holding the proxy capability; error 42501 otherwise or when there is no path';

-- C as well (a SQL wrapper would look the path up again on every row)
CREATE FUNCTION secant.reencrypt_for(ct pre_ciphertext, target text) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_reencrypt_for_text' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, text) IS 'secant.reencrypt_for with the target by name or prepk_ text';

CREATE FUNCTION secant.path(from_ref text, to_ref text, max_depth integer DEFAULT 8)
RETURNS TABLE (hop integer, grant_id bigint, hop_from pre_public_key, hop_to pre_public_key, not_after timestamptz)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.path(secant.principal(from_ref), secant.principal(to_ref), max_depth) $$;
COMMENT ON FUNCTION secant.path(text, text, integer) IS 'secant.path with principals by name or prepk_ text';

CREATE FUNCTION secant_internal.grants_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_grants_changed' LANGUAGE C;
REVOKE ALL ON FUNCTION secant_internal.grants_changed() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.grants_changed() IS 'trigger: invalidate the paths and access decisions cached by secant.reencrypt_for and sharing, in this session at once and in every session of the database when the change commits';
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.grants_changed();
CREATE TRIGGER bindings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.bindings
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.grants_changed();
CREATE TRIGGER capabilities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.capabilities
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.grants_changed();
-- A backend keeps the paths it looked up across statements
-- (src/pg/path_kept.c): a change of the grants or of the keys (a key
-- retired, its bridge) makes them stale, in this session at once and in
-- every session of the database when it commits (a relcache invalidation
-- of the table).
CREATE TRIGGER principal_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.principal_keys
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.grants_changed();
ALTER TABLE secant.grants ENABLE ALWAYS TRIGGER grants_changed;
ALTER TABLE secant.principal_keys ENABLE ALWAYS TRIGGER principal_keys_changed;
-- A logical replication apply fires row triggers only, under
-- session_replication_role = replica: the removal locks fire there too
-- (a replicated removal waits for the readers that use it), so do the
-- revocation's (its copies deleted, its hop key remembered) and its audit
-- (the log's chain and append-only rule with it), and a row
-- trigger sends the invalidation there (elsewhere the statement trigger).
ALTER TABLE secant.grants ENABLE ALWAYS TRIGGER grants_lock_removed;
ALTER TABLE secant.bindings ENABLE ALWAYS TRIGGER bindings_lock_removed;
ALTER TABLE secant.capabilities ENABLE ALWAYS TRIGGER capabilities_lock_removed;
ALTER TABLE secant.grants ENABLE ALWAYS TRIGGER grants_removed;
ALTER TABLE secant.grants ENABLE ALWAYS TRIGGER grants_audit;
ALTER TABLE secant.audit_log ENABLE ALWAYS TRIGGER audit_log_chain;
ALTER TABLE secant.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
ALTER TABLE secant.audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
CREATE TRIGGER grants_changed_replica AFTER INSERT OR UPDATE OR DELETE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.grants_changed();
CREATE TRIGGER principal_keys_changed_replica AFTER INSERT OR UPDATE OR DELETE ON secant.principal_keys
    FOR EACH ROW EXECUTE FUNCTION secant_internal.grants_changed();
ALTER TABLE secant.grants ENABLE REPLICA TRIGGER grants_changed_replica;
ALTER TABLE secant.principal_keys ENABLE REPLICA TRIGGER principal_keys_changed_replica;

-- ---- sharing ----

-- Copies live in secant.copies.  A role reads the copies addressed to the
-- principals it is bound to, or all of them with the proxy capability
-- (row-level security, forced: the table's owner too, unless superuser).
ALTER TABLE secant.copies ENABLE ROW LEVEL SECURITY;
ALTER TABLE secant.copies FORCE ROW LEVEL SECURITY;
-- A copy of a database is closed until an admin adopts it: its stored
-- copies too (independent attack 6: a revoked device read them in an
-- unadopted copy). C, run as the owner, reading only.
-- A dropped login's open sessions, and a SET ROLE whose membership was
-- revoked, keep acting as that role in PostgreSQL: they obtain nothing
-- (independent attack 7). C, as the check of secant.reencrypt_for.
CREATE FUNCTION secant.caller_stands() RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_caller_stands' LANGUAGE C STABLE PARALLEL SAFE;
REVOKE ALL ON FUNCTION secant.caller_stands() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.caller_stands() TO PUBLIC;
COMMENT ON FUNCTION secant.caller_stands() IS 'may current_user still act: it exists, and when a SET ROLE chose it, the session''s user is still a member of it (false in a dropped login''s open session or after REVOKE role FROM the session''s user); re-encryption and the row-level security of secant.copies ask it';
CREATE FUNCTION secant.require_live() RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_require_live' LANGUAGE C STABLE PARALLEL RESTRICTED;
REVOKE ALL ON FUNCTION secant.require_live() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.require_live() TO PUBLIC;
COMMENT ON FUNCTION secant.require_live() IS 'true in a database whose identity is its own (a hot standby too); in a copy no admin has adopted yet (TEMPLATE, a restore), the error a re-encryption there gives, naming secant.adopt_database(); the row-level security of secant.copies asks it';
CREATE POLICY copies_for_bound_roles ON secant.copies FOR SELECT
    USING ((SELECT secant.require_live()) AND (SELECT secant.caller_stands())
           AND (recipient OPERATOR(@extschema@.=) ANY (ARRAY(
               SELECT b.principal_key FROM secant.bindings b
               JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) b.role
               WHERE pg_catalog.pg_has_role(r.oid, 'MEMBER')))
           OR EXISTS (SELECT 1 FROM secant.capabilities c
                      JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.role
                      WHERE c.capability OPERATOR(pg_catalog.=) 'proxy'
                        AND pg_catalog.pg_has_role(r.oid, 'MEMBER')))
           -- a copy made through a grant that has expired is unreadable
           -- (secant.purge_expired deletes it)
           AND NOT hop_keys OPERATOR(pg_catalog.&&) ARRAY(
               SELECT g.hop_key FROM secant.grants g
               WHERE g.not_after OPERATOR(pg_catalog.<=) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.transaction_timestamp())));
-- the extension's owner (the role that ran CREATE EXTENSION) stores and
-- removes copies; when it is a superuser, row-level security is bypassed
CREATE POLICY copies_by_owner ON secant.copies TO CURRENT_USER USING (true) WITH CHECK (true);

-- C, owner-run: delete every copy whose hop keys meet hop_keys, with the
-- latest snapshot (so that copies committed after a REPEATABLE READ
-- revocation's snapshot are found too); returns the number deleted.
-- wait => false: fails at once (55P03, naming the sessions) when another
-- transaction holds one of their rows.
CREATE FUNCTION secant.delete_copies_through(hop_keys bytea[], wait boolean DEFAULT true) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pre_delete_copies_through' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION secant.delete_copies_through(bytea[], boolean) FROM PUBLIC;
COMMENT ON FUNCTION secant.delete_copies_through(bytea[], boolean) IS 'delete the copies made through any of these hop keys (revocation; owner only); wait => false fails at once (SQLSTATE 55P03, naming the sessions) when another transaction holds one of them';

-- Sharing is registered: secant.enable_sharing (by the share table's owner
-- or an admin) records the tables and columns here and installs the
-- triggers itself; the triggers refuse to run on a table that is not
-- registered with exactly their arguments, or is not permanent.
CREATE TABLE secant.sharing (
    share_table regclass PRIMARY KEY,
    source_table regclass NOT NULL,
    source_column name NOT NULL,
    source_key name NOT NULL,
    reference_column name NOT NULL,
    recipient_column name NOT NULL,
    registered_by name NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sharing_source ON secant.sharing (source_table);
COMMENT ON TABLE secant.sharing IS 'registered share tables (secant.enable_sharing): a row inserted into share_table asks for a copy of source_table.source_column, the row whose source_key equals the share''s reference_column, for its recipient_column';
SELECT pg_catalog.pg_extension_config_dump('secant.sharing', '');
REVOKE ALL ON secant.sharing FROM PUBLIC;
GRANT SELECT ON secant.sharing TO PUBLIC;

-- The trigger on an application's share table (installed by
-- secant.enable_sharing).  Arguments: source table (schema-qualified),
-- source ciphertext column, source key column, the share's reference
-- column, the share's recipient column: those of the registration.  It
-- reads the source row with the caller's privileges; extension code checks
-- the path and stores the copy.
CREATE FUNCTION secant_internal.share_copy() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_share_copy' LANGUAGE C;
REVOKE ALL ON FUNCTION secant_internal.share_copy() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.share_copy() IS 'trigger on a registered share table: a share row asks for a copy of its source row for its recipient (stored in secant.copies); deleting or changing the row removes it';

-- The trigger on the shared (source) table, one per table for all the
-- registrations on it (secant_internal.source_triggers): for each, an
-- update of its shared value or of its key, or a delete, removes that
-- row's copies made through its share table.  No arguments: it reads the
-- registrations.
CREATE FUNCTION secant_internal.share_source() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_share_source' LANGUAGE C;
REVOKE ALL ON FUNCTION secant_internal.share_source() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.share_source() IS 'trigger on a registered source table: changing a registration''s key or shared value, or deleting a row, removes the copies made of it through that registration''s share table';

CREATE FUNCTION secant_internal.require_column(rel regclass, col name, typ regtype) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t regtype;
BEGIN
    SELECT a.atttypid INTO t FROM pg_catalog.pg_attribute a
    WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) col
      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of relation % does not exist', col, rel
            USING ERRCODE = 'undefined_column';
    END IF;
    IF typ IS NOT NULL AND t OPERATOR(pg_catalog.<>) typ THEN
        RAISE EXCEPTION 'column "%" of relation % must be of type %', col, rel, typ
            USING ERRCODE = 'datatype_mismatch', DETAIL = pg_catalog.format('It is of type %s.', t);
    END IF;
END $$;
REVOKE ALL ON FUNCTION secant_internal.require_column(regclass, name, regtype) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.require_column(regclass, name, regtype) IS 'raise unless the relation has the column (of the type, when given)';

-- The source table's triggers, from its registrations: one statement
-- trigger on UPDATE and one on DELETE over their transition tables (a
-- statement's copies go in one query per registration), one on
-- TRUNCATE.  Dropped when no registration is left.  Nothing
-- when the table no longer exists.  Called whenever registrations change.
CREATE FUNCTION secant_internal.source_triggers(source_table regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cols text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source_table) THEN
        RETURN;
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(x.col), ', ' ORDER BY x.col) INTO cols
    FROM (SELECT s.source_key::pg_catalog.text AS col FROM secant.sharing s
          WHERE s.source_table OPERATOR(pg_catalog.=) source_triggers.source_table
          UNION
          SELECT s.source_column::pg_catalog.text FROM secant.sharing s
          WHERE s.source_table OPERATOR(pg_catalog.=) source_triggers.source_table) x;
    IF cols IS NULL THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source ON %s', source_table);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source_delete ON %s', source_table);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source_truncate ON %s', source_table);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source_replica ON %s', source_table);
        RETURN;
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source AFTER UPDATE ON %s '
        'REFERENCING OLD TABLE AS secant_old NEW TABLE AS secant_new '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_source()', source_table);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source_delete AFTER DELETE ON %s '
        'REFERENCING OLD TABLE AS secant_old '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_source()', source_table);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_source()', source_table);
    -- a logical replication apply fires row triggers only: there the same
    -- function, row by row (docs/SECURITY.md, "Replication")
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source_replica AFTER UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant_internal.share_source()', source_table);
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER secant_share_source_replica', source_table);
    -- an apply fires TRUNCATE triggers that are ENABLE ALWAYS: a replicated
    -- TRUNCATE of the records deletes their copies there too
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER secant_share_source_truncate', source_table);
END $$;
REVOKE ALL ON FUNCTION secant_internal.source_triggers(regclass) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.source_triggers(regclass) IS 'create, replace or drop a source table''s sharing triggers to match its registrations in secant.sharing (statement triggers on UPDATE and on DELETE over their transition tables, one on TRUNCATE; under a logical replication apply, a row trigger on UPDATE or DELETE)';

-- A registered share table's triggers: secant_share, a statement trigger
-- on INSERT over its new rows (their copies filed in a few queries, the
-- path looked up once); secant_share_change, a row trigger on UPDATE or
-- DELETE (a row whose reference and recipient stayed is left alone); one
-- on TRUNCATE.  The arguments are the registration's.  Nothing when it or
-- its table is gone.
CREATE FUNCTION secant_internal.share_triggers(share_table regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg secant.sharing;
    args text;
BEGIN
    SELECT * INTO reg FROM secant.sharing s WHERE s.share_table OPERATOR(pg_catalog.=) share_triggers.share_table;
    IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) share_table) THEN
        RETURN;
    END IF;
    SELECT pg_catalog.format('%L, %L, %L, %L, %L', pg_catalog.format('%I.%I', n.nspname, c.relname),
                             reg.source_column, reg.source_key, reg.reference_column, reg.recipient_column) INTO args
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) reg.source_table;
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share AFTER INSERT ON %s '
        'REFERENCING NEW TABLE AS secant_new '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_copy(%s)', share_table, args);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_change AFTER UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant_internal.share_copy(%s)', share_table, args);
    -- an unshare a logical replication apply brings (a row's DELETE or
    -- UPDATE, a TRUNCATE) deletes the copies there too; it makes none there
    -- (src/pg/share.c: under session_replication_role = replica)
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER secant_share_change', share_table);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_copy(%s)', share_table, args);
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ALWAYS TRIGGER secant_share_truncate', share_table);
END $$;
REVOKE ALL ON FUNCTION secant_internal.share_triggers(regclass) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.share_triggers(regclass) IS 'create or replace a registered share table''s sharing triggers from its registration in secant.sharing (secant_share: a statement trigger on INSERT over its new rows, secant_share_change: a row trigger on UPDATE or DELETE; one on TRUNCATE)';

-- The tables that are, or have triggers as, sources of sharing: the
-- registered ones and the permanent tables with a trigger of
-- secant_internal.share_source() (repairs: secant.purge_copies, updates).
CREATE FUNCTION secant_internal.source_tables() RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.source_table FROM secant.sharing s
    UNION
    SELECT t.tgrelid::pg_catalog.regclass FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
    WHERE t.tgfoid OPERATOR(pg_catalog.=) 'secant_internal.share_source()'::pg_catalog.regprocedure
      AND c.relpersistence OPERATOR(pg_catalog.=) 'p'
$$;
REVOKE ALL ON FUNCTION secant_internal.source_tables() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.source_tables() IS 'the registered source tables of sharing and the permanent tables with a trigger of secant_internal.share_source()';

-- Is the relation one of the extension's own: a member of secant_pre, or in
-- its schemas secant and secant_internal?  Never a share table or a source
-- (owner-run code stores copies in them: a registration on one would fire
-- as the extension's owner; docs/SECURITY.md, "Authority").
CREATE FUNCTION secant_internal.extension_table(rel regclass) RETURNS boolean
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                   WHERE c.oid OPERATOR(pg_catalog.=) rel AND n.nspname OPERATOR(pg_catalog.=) ANY (ARRAY['secant', 'secant_internal']::pg_catalog.name[]))
        OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
                   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                     AND d.objid OPERATOR(pg_catalog.=) rel
                     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                     AND d.deptype OPERATOR(pg_catalog.=) 'e' AND e.extname OPERATOR(pg_catalog.=) 'secant_pre') $$;
REVOKE ALL ON FUNCTION secant_internal.extension_table(regclass) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.extension_table(regclass) IS 'true for a table of the extension (a member of secant_pre, or in schema secant or secant_internal): never a share table or a source of sharing';

-- May the asking role register (or unregister) sharing on these tables?  An
-- admin of this database, or a member of the share table's owner with the
-- TRIGGER privilege on the source table; either with SELECT on the source
-- table (the copies show its column); both tables ordinary (relkind 'r',
-- not partitioned, not a partition) and permanent, neither one of the
-- extension's nor a system catalog.
CREATE FUNCTION secant_internal.require_sharing_rights(share_table regclass, source_table regclass) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who oid := secant.asking_user();
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
               WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[share_table, source_table]::pg_catalog.oid[])
                 AND (c.relpersistence OPERATOR(pg_catalog.<>) 'p' OR c.relkind OPERATOR(pg_catalog.<>) 'r' OR c.relispartition
                      OR c.relnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace)) THEN
        RAISE EXCEPTION 'sharing needs ordinary permanent tables: % or % is TEMP, UNLOGGED, partitioned, a partition, a system catalog or not a table', share_table, source_table
            USING ERRCODE = 'wrong_object_type';
    END IF;
    IF secant_internal.extension_table(share_table) OR secant_internal.extension_table(source_table) THEN
        RAISE EXCEPTION 'sharing never uses a table of the extension: % or % is one', share_table, source_table
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF source_table IS NOT NULL AND NOT pg_catalog.has_table_privilege(who, source_table, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied: sharing % needs the SELECT privilege on it', source_table
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.is_admin() THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                   WHERE c.oid OPERATOR(pg_catalog.=) share_table
                     AND pg_catalog.pg_has_role(who, c.relowner, 'USAGE'))
       OR (source_table IS NOT NULL
           AND NOT pg_catalog.has_table_privilege(who, source_table, 'TRIGGER')) THEN
        RAISE EXCEPTION 'only the owner of % (with the TRIGGER privilege on %) or an admin may register it for sharing',
            share_table, coalesce(source_table::pg_catalog.text, 'its source table')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;
REVOKE ALL ON FUNCTION secant_internal.require_sharing_rights(regclass, regclass) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.require_sharing_rights(regclass, regclass) IS 'raise unless the asking role may register sharing on these tables (admin, or share table owner with TRIGGER on the source; SELECT on the source) and both are ordinary permanent tables (not partitioned, not partitions), neither one of the extension''s nor a system catalog';

-- The key and the reference: one type of int2, int4, int8, uuid, text or
-- varchar (or a domain over one), text and varchar with a deterministic
-- collation, whose text (secant.copies.source_row) is the same in every
-- session and equal exactly when the values are (docs/SECURITY.md,
-- "Sharing").  The triggers check it again on every run.
CREATE FUNCTION secant_internal.require_sharing_key(share_table regclass, reference_column name,
                                                    source_table regclass, source_key name) RETURNS void
    AS 'MODULE_PATHNAME', 'pre_require_sharing_key' LANGUAGE C STABLE STRICT;
REVOKE ALL ON FUNCTION secant_internal.require_sharing_key(regclass, name, regclass, name) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.require_sharing_key(regclass, name, regclass, name) IS 'raise unless the share''s reference column and the source''s key column are of one type of int2, int4, int8, uuid, text or varchar (or a domain over one), text and varchar with a deterministic collation';

CREATE FUNCTION secant.enable_sharing(share_table regclass, source_table regclass, source_column name,
                                      source_key name, reference_column name, recipient_column name)
RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    prev secant.sharing;
BEGIN
    PERFORM secant_internal.require_sharing_rights(share_table, source_table);
    PERFORM secant_internal.require_column(source_table, source_column, '@extschema@.pre_ciphertext'::regtype);
    PERFORM secant_internal.require_column(source_table, source_key, NULL);
    PERFORM secant_internal.require_column(share_table, reference_column, NULL);
    PERFORM secant_internal.require_column(share_table, recipient_column, '@extschema@.pre_public_key'::regtype);
    PERFORM secant_internal.require_sharing_key(share_table, reference_column, source_table, source_key);
    SELECT * INTO prev FROM secant.sharing s WHERE s.share_table OPERATOR(pg_catalog.=) enable_sharing.share_table FOR UPDATE;
    -- a changed registration: the copies made through the old one go
    IF FOUND AND (prev.source_table, prev.source_column, prev.source_key, prev.reference_column, prev.recipient_column)
                 IS DISTINCT FROM (source_table, source_column, source_key, reference_column, recipient_column) THEN
        DELETE FROM secant.copies c WHERE c.share_table OPERATOR(pg_catalog.=) enable_sharing.share_table;
    END IF;
    INSERT INTO secant.sharing AS s (share_table, source_table, source_column, source_key, reference_column,
                                     recipient_column, registered_by)
    VALUES (share_table, source_table, source_column, source_key, reference_column, recipient_column,
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) secant.asking_user()))
    ON CONFLICT ON CONSTRAINT sharing_pkey DO UPDATE SET
        source_table = EXCLUDED.source_table, source_column = EXCLUDED.source_column,
        source_key = EXCLUDED.source_key, reference_column = EXCLUDED.reference_column,
        recipient_column = EXCLUDED.recipient_column, registered_by = EXCLUDED.registered_by,
        registered_at = EXCLUDED.registered_at;
    PERFORM secant_internal.share_triggers(share_table);
    PERFORM secant_internal.source_triggers(source_table);
    IF prev.source_table OPERATOR(pg_catalog.<>) source_table THEN
        PERFORM secant_internal.source_triggers(prev.source_table);
    END IF;
END $$;
COMMENT ON FUNCTION secant.enable_sharing(regclass, regclass, name, name, name, name) IS 'register share_table for sharing and install its triggers: a row inserted into share_table asks for a copy of source_table''s source_column (the row whose source_key equals the share''s reference_column) for the share''s recipient_column; by the share table''s owner (with TRIGGER on the source table) or an admin; ordinary permanent tables only, the key and the reference of one type of int2, int4, int8, uuid, text or varchar (deterministic collation)';

CREATE FUNCTION secant.disable_sharing(share_table regclass) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reg secant.sharing;
    n bigint;
BEGIN
    SELECT * INTO reg FROM secant.sharing s WHERE s.share_table OPERATOR(pg_catalog.=) disable_sharing.share_table;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not registered for sharing', share_table USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM secant_internal.require_sharing_rights(share_table, NULL);
    DELETE FROM secant.sharing s WHERE s.share_table OPERATOR(pg_catalog.=) disable_sharing.share_table;
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share ON %s', share_table);
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_change ON %s', share_table);
    EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_truncate ON %s', share_table);
    PERFORM secant_internal.source_triggers(reg.source_table);
    DELETE FROM secant.copies c WHERE c.share_table OPERATOR(pg_catalog.=) disable_sharing.share_table;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION secant.disable_sharing(regclass) IS 'unregister a share table: drop its sharing triggers and delete its copies (by its owner or an admin); returns the number of copies deleted';

CREATE FUNCTION secant.delete_copies(share_table regclass, source_row text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM secant.require_admin();
    DELETE FROM secant.copies c
    WHERE (c.share_table OPERATOR(pg_catalog.=) delete_copies.share_table OR delete_copies.share_table IS NULL)
      AND (c.source_row OPERATOR(pg_catalog.=) delete_copies.source_row OR delete_copies.source_row IS NULL);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.delete_copies(regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.delete_copies(regclass, text) TO secant_admin;
COMMENT ON FUNCTION secant.delete_copies(regclass, text) IS 'delete the copies made through a share table (of one source row, when given; every copy when share_table is NULL) (admin); returns the number deleted';

-- Copies and registrations of tables that no longer exist, or are no
-- longer permanent: removed by the drop trigger below, or by this (after a
-- restore under session_replication_role = replica, where event triggers
-- do not fire).
CREATE FUNCTION secant.purge_copies() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM secant.require_admin();
    DELETE FROM secant.sharing s
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.share_table AND c.relpersistence OPERATOR(pg_catalog.=) 'p')
       OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) s.source_table AND c.relpersistence OPERATOR(pg_catalog.=) 'p');
    -- every source table's triggers match its registrations
    PERFORM secant_internal.source_triggers(x.t) FROM secant_internal.source_tables() x(t);
    DELETE FROM secant.copies x
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.share_table AND c.relpersistence OPERATOR(pg_catalog.=) 'p')
       OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.source_table AND c.relpersistence OPERATOR(pg_catalog.=) 'p');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.purge_copies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.purge_copies() TO secant_admin;
COMMENT ON FUNCTION secant.purge_copies() IS 'delete the registrations and copies of share or source tables that no longer exist or are not permanent, and make every source table''s sharing triggers match its registrations (admin); returns the number of copies deleted';

-- Dropping a share or source table, or a registered column of one (its
-- key, shared value, reference or recipient column), removes its
-- registrations and copies; an unrelated column's drop changes nothing.
-- An event trigger fires on every role's DDL, so this one never raises
-- (an error would block all DDL of the database): on failure it warns and
-- secant.purge_copies() cleans up later.
CREATE FUNCTION secant_internal.sharing_dropped() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sources regclass[];
    shares regclass[];
    src regclass;
    sh regclass;
BEGIN
    IF pg_catalog.to_regclass('secant.copies') IS NULL OR pg_catalog.to_regclass('secant.sharing') IS NULL THEN
        RETURN;  -- the extension itself is being dropped
    END IF;
    -- a dropped table is reported with objsubid 0, a dropped column with
    -- its number and its name in address_names[3]: the registrations of a
    -- dropped table or of a dropped registered column go
    WITH gone AS (
        DELETE FROM secant.sharing s
        WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger_dropped_objects() d
                      WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND ((d.objid OPERATOR(pg_catalog.=) s.share_table::pg_catalog.oid
                              AND (d.objsubid OPERATOR(pg_catalog.=) 0
                                   OR d.address_names[3] OPERATOR(pg_catalog.=) ANY (ARRAY[s.reference_column::pg_catalog.text,
                                                                                           s.recipient_column::pg_catalog.text])))
                          OR (d.objid OPERATOR(pg_catalog.=) s.source_table::pg_catalog.oid
                              AND (d.objsubid OPERATOR(pg_catalog.=) 0
                                   OR d.address_names[3] OPERATOR(pg_catalog.=) ANY (ARRAY[s.source_key::pg_catalog.text,
                                                                                           s.source_column::pg_catalog.text])))))
        RETURNING s.share_table, s.source_table)
    SELECT pg_catalog.array_agg(DISTINCT g.source_table), pg_catalog.array_agg(g.share_table) INTO sources, shares FROM gone g;
    DELETE FROM secant.copies c
    WHERE c.share_table OPERATOR(pg_catalog.=) ANY (coalesce(shares, '{}'))
       OR c.share_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                                                                           AND d.objsubid OPERATOR(pg_catalog.=) 0))
       OR c.source_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                                                                            AND d.objsubid OPERATOR(pg_catalog.=) 0));
    -- the share tables that remain (a registered column dropped): no
    -- sharing triggers; the source tables that remain: triggers for their
    -- remaining registrations, or none
    FOREACH sh IN ARRAY coalesce(shares, '{}') LOOP
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) sh);
        BEGIN
            EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share ON %s', sh);
            EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_change ON %s', sh);
            EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_truncate ON %s', sh);
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'secant_pre: the sharing triggers of % were not dropped: %', sh, SQLERRM
                USING HINT = 'Its owner drops them.';
        END;
    END LOOP;
    FOREACH src IN ARRAY coalesce(sources, '{}') LOOP
        BEGIN
            PERFORM secant_internal.source_triggers(src);
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'secant_pre: the sharing triggers of % were not rebuilt: %', src, SQLERRM
                USING HINT = 'An admin runs SELECT secant.purge_copies().';
        END;
    END LOOP;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'secant_pre: the copies of a dropped table were not removed: %', SQLERRM
        USING HINT = 'An admin runs SELECT secant.purge_copies().';
END $$;
REVOKE ALL ON FUNCTION secant_internal.sharing_dropped() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.sharing_dropped() IS 'event trigger (sql_drop): the registrations of a dropped share or source table, or of a dropped registered column, and their copies are deleted, the remaining tables'' sharing triggers dropped or rebuilt; never raises';
CREATE EVENT TRIGGER secant_sharing_dropped ON sql_drop
    EXECUTE FUNCTION secant_internal.sharing_dropped();

-- The extension's code names its schemas (the bodies say @extschema@,
-- secant and secant_internal, resolved when they run): renaming one would
-- let a schema of the old name take its place, with functions and
-- operators of whoever made it, run by owner-run code.  The database owner
-- owns the extension's schema (public), so renaming it, or secant or
-- secant_internal, is refused.  An event trigger fires on every role's
-- DDL: this one looks only at ALTER SCHEMA and raises only for that rename.
CREATE FUNCTION secant_internal.keep_schema_names() RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    moved text;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(n.nspname::pg_catalog.text), ', ') INTO moved
    FROM pg_catalog.pg_event_trigger_ddl_commands() c
    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.objid
    JOIN pg_catalog.pg_extension e ON e.extname OPERATOR(pg_catalog.=) 'secant_pre'
    WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
      AND ((n.oid OPERATOR(pg_catalog.=) e.extnamespace
            AND n.nspname OPERATOR(pg_catalog.<>) '@extschema@')
        OR (n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['secant', 'secant_internal']::pg_catalog.name[])
            AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
                          AND d.objid OPERATOR(pg_catalog.=) n.oid
                          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                          AND d.refobjid OPERATOR(pg_catalog.=) e.oid
                          AND d.deptype OPERATOR(pg_catalog.=) 'e')));
    IF moved IS NOT NULL THEN
        RAISE EXCEPTION 'the schemas of secant_pre cannot be renamed (schema %)', moved
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The extension''s code names @extschema@, secant and secant_internal; a schema of the old name would take their place.',
                  HINT = 'Rename it back; to move the extension, dump, drop and re-create it.';
    END IF;
END $$;
REVOKE ALL ON FUNCTION secant_internal.keep_schema_names() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.keep_schema_names() IS 'event trigger (ddl_command_end, ALTER SCHEMA): refuse to rename the extension''s schema, secant or secant_internal';
CREATE EVENT TRIGGER secant_keep_schema_names ON ddl_command_end
    WHEN TAG IN ('ALTER SCHEMA')
    EXECUTE FUNCTION secant_internal.keep_schema_names();

-- ---- revocation and expiry ----

-- Locks the grants (secant_internal.lock_removal): it waits only for
-- transactions that used these grants (readers lock the grants of their
-- path), and readers of the same grants that come later wait for it and
-- then find no path; readers of other paths never wait.  With wait =>
-- false it fails at once, naming the sessions that hold the grants.
CREATE FUNCTION secant.revoke(from_key pre_public_key, to_key pre_public_key, wait boolean DEFAULT true) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    marks bytea[];
    copies bigint;
BEGIN
    PERFORM secant.require_admin();
    PERFORM secant_internal.lock_removal(ARRAY(
        SELECT g.id FROM secant.grants g
        WHERE g.from_key OPERATOR(@extschema@.=) revoke.from_key
          AND g.to_key OPERATOR(@extschema@.=) revoke.to_key), NULL, NULL, NULL, wait);
    SELECT pg_catalog.array_agg(s.hop_key) INTO marks
    FROM (SELECT g.hop_key FROM secant.grants g
          WHERE g.from_key OPERATOR(@extschema@.=) revoke.from_key
            AND g.to_key OPERATOR(@extschema@.=) revoke.to_key
          ORDER BY g.id FOR UPDATE OF g) s;
    IF marks IS NULL THEN
        RAISE EXCEPTION 'no grant to revoke between these keys'
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'secant.grants holds no grant from the first key to the second.';
    END IF;
    copies := secant.delete_copies_through(marks, wait);
    DELETE FROM secant.grants g WHERE g.hop_key OPERATOR(pg_catalog.=) ANY (marks);
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('revoke', pg_catalog.jsonb_build_object('from_key', from_key::text, 'to_key', to_key::text,
                                                    'grants', pg_catalog.cardinality(marks),
                                                    'copies_deleted', copies));
    RETURN copies;
END $$;
REVOKE ALL ON FUNCTION secant.revoke(pre_public_key, pre_public_key, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(pre_public_key, pre_public_key, boolean) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(pre_public_key, pre_public_key, boolean) IS 'remove every grant from one key to another and, in the same transaction, every copy made through them; returns the number of copies deleted; wait => false fails at once if a session holds the grant or a copy made through it';

CREATE FUNCTION secant.revoke(from_name text, to_name text, wait boolean DEFAULT true) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.revoke(secant.principal(from_name), secant.principal(to_name), wait) $$;
REVOKE ALL ON FUNCTION secant.revoke(text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(text, text, boolean) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(text, text, boolean) IS 'secant.revoke with principals by name or prepk_ text';

-- Expiry: remove the grants past not_after, remembered as expired, and
-- every copy made through them; logged when there was something to do.
-- Schedule it (pg_cron: see docs/OPERATIONS.md).
CREATE FUNCTION secant.purge_expired() RETURNS TABLE (grants_removed bigint, copies_deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    marks bytea[];
BEGIN
    PERFORM secant.require_admin();
    PERFORM secant_internal.lock_removal(ARRAY(
        SELECT g.id FROM secant.grants g
        WHERE g.not_after OPERATOR(pg_catalog.<=) pg_catalog.statement_timestamp()), NULL, NULL, NULL, true);
    SELECT pg_catalog.array_agg(s.hop_key) INTO marks
    FROM (SELECT g.hop_key FROM secant.grants g
          WHERE g.not_after OPERATOR(pg_catalog.<=) pg_catalog.statement_timestamp()
          ORDER BY g.id FOR UPDATE OF g) s;
    grants_removed := coalesce(pg_catalog.cardinality(marks), 0);
    copies_deleted := 0;
    IF marks IS NOT NULL THEN
        INSERT INTO secant.revoked_grants (hop_key, from_key, to_key, revoked_by, reason)
        SELECT g.hop_key, g.from_key, g.to_key, SESSION_USER, 'expired' FROM secant.grants g
        WHERE g.hop_key OPERATOR(pg_catalog.=) ANY (marks)
        ON CONFLICT (hop_key) DO NOTHING;
        copies_deleted := secant.delete_copies_through(marks);
        DELETE FROM secant.grants g WHERE g.hop_key OPERATOR(pg_catalog.=) ANY (marks);
        INSERT INTO secant.audit_log (action, detail)
        VALUES ('purge expired', pg_catalog.jsonb_build_object('grants', grants_removed,
                                                               'copies_deleted', copies_deleted));
    END IF;
    -- expired threshold grant shares (a node's): remembered as expired,
    -- each removal audited (secant_internal.tshare_audit)
    INSERT INTO secant.revoked_grants (hop_key, from_key, to_key, revoked_by, reason)
    SELECT s.hop_key, s.from_key, s.to_key, SESSION_USER, 'expired' FROM secant.grant_shares s
    WHERE s.not_after OPERATOR(pg_catalog.<=) pg_catalog.statement_timestamp()
    ON CONFLICT (hop_key) DO NOTHING;
    DELETE FROM secant.grant_shares s WHERE s.not_after OPERATOR(pg_catalog.<=) pg_catalog.statement_timestamp();
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION secant.purge_expired() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.purge_expired() TO secant_admin;
COMMENT ON FUNCTION secant.purge_expired() IS 'remove expired grants (remembered as expired) and every copy made through them, and expired threshold grant shares (remembered, audited each); returns how many grants and copies';

-- ==== search: index keys shared by PRE ====
-- A group's index key (32 random bytes, made on a client) is stored only as
-- a level-1 pre_ciphertext to the group, so grant paths and revocation
-- govern search exactly as they govern records.  Rows store pre_token[]
-- (GIN-indexed) and the key version they were tokenized with.

CREATE TABLE secant.index_keys (
    group_key pre_public_key NOT NULL REFERENCES secant.principal_keys (public_key) ON DELETE RESTRICT,
    version integer NOT NULL CHECK (version > 0),
    key_ct pre_ciphertext NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_key, version),
    CONSTRAINT index_keys_to_group CHECK (pre_level(key_ct) = 1 AND pre_recipient(key_ct) = group_key)
);
COMMENT ON TABLE secant.index_keys IS 'searchable index keys of groups, one row per version, each a level-1 ciphertext to the group';
SELECT pg_catalog.pg_extension_config_dump('secant.index_keys', '');
REVOKE ALL ON secant.index_keys FROM PUBLIC;
GRANT SELECT ON secant.index_keys TO PUBLIC;
GRANT SELECT, INSERT ON secant.index_keys TO secant_admin;

CREATE FUNCTION secant_internal.audit_index_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.index_keys'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.audit_index_key() logs secant.index_keys only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('index key', pg_catalog.jsonb_build_object('group_key', NEW.group_key::text, 'version', NEW.version));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.audit_index_key() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.audit_index_key() IS 'trigger: log a new index key version in the audit log';
CREATE TRIGGER index_keys_audit AFTER INSERT ON secant.index_keys
    FOR EACH ROW EXECUTE FUNCTION secant_internal.audit_index_key();
CREATE TRIGGER index_keys_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.index_keys
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.admin_only();

-- Store a new version of a group's index key (the first one is version 1).
CREATE FUNCTION secant.rotate_index_key(group_key pre_public_key, key_ct pre_ciphertext) RETURNS integer
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v integer;
BEGIN
    -- one rotation at a time per group
    PERFORM 1 FROM secant.principals p
    WHERE p.public_key OPERATOR(@extschema@.=) rotate_index_key.group_key
      AND p.kind OPERATOR(pg_catalog.=) 'group' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no group with this public key'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Index keys belong to principals of kind ''group''.';
    END IF;
    IF @extschema@.pre_level(key_ct) OPERATOR(pg_catalog.<>) 1 OR
       @extschema@.pre_recipient(key_ct) OPERATOR(@extschema@.<>) group_key THEN
        RAISE EXCEPTION 'index key must be a level-1 ciphertext to the group'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Encrypt the 32-byte key on a client: secant-pre encrypt GROUP_KEY < KEY_FILE.';
    END IF;
    -- versions go on across the group's keys (key rotation)
    SELECT coalesce(pg_catalog.max(k.version), 0) OPERATOR(pg_catalog.+) 1 INTO v
    FROM secant.index_keys k
    WHERE k.group_key OPERATOR(@extschema@.=) ANY (secant.keys_of(rotate_index_key.group_key));
    INSERT INTO secant.index_keys (group_key, version, key_ct) VALUES (group_key, v, key_ct);
    RETURN v;
END $$;
REVOKE ALL ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) IS 'store a new version of a group''s index key (a level-1 ciphertext to the group); returns the version';

CREATE FUNCTION secant.rotate_index_key(group_name text, key_ct pre_ciphertext) RETURNS integer
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.rotate_index_key(secant.principal_key(group_name), key_ct) $$;
REVOKE ALL ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) IS 'secant.rotate_index_key by group name';

-- Every version of a group's index key, re-encrypted for target along the
-- active grant path, newest first: a member's device decrypts them.
CREATE FUNCTION secant.index_keys_for(group_name text, target pre_public_key)
RETURNS TABLE (version integer, key_ct pre_ciphertext)
STRICT LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.version, secant.reencrypt_for(k.key_ct, target)
    FROM secant.index_keys k
    WHERE k.group_key OPERATOR(@extschema@.=) ANY (secant.keys_of(secant.principal_key(group_name)))
      -- versions under a retired key while its bridge is there
      AND (k.group_key OPERATOR(@extschema@.=) secant.principal_key(group_name)
           OR EXISTS (SELECT 1 FROM secant.grants g WHERE g.from_key OPERATOR(@extschema@.=) k.group_key))
    ORDER BY k.version DESC $$;
COMMENT ON FUNCTION secant.index_keys_for(text, pre_public_key) IS 'the group''s index key versions re-encrypted for target (newest first; those under a retired group key while its bridge is there), for a role bound to target or a proxy; error 42501 otherwise or without an active grant path';

CREATE FUNCTION secant.index_keys_for(group_name text, target text)
RETURNS TABLE (version integer, key_ct pre_ciphertext)
STRICT LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.index_keys_for(group_name, secant.principal(target)) $$;
COMMENT ON FUNCTION secant.index_keys_for(text, text) IS 'secant.index_keys_for with the target by name or prepk_ text';


-- ==== key rotation ====
-- A principal P moves from key K to a new key K' in one transaction,
-- driven by P's own client (secant-pre rotate), each step in the audit
-- log: K is retired (secant.principal_keys: replaced_by K'), P's row and
-- bindings move to K', every grant into or out of K is removed as by
-- secant.revoke (copies made through them deleted, hop keys remembered,
-- reason 'rotated'), copies addressed to K deleted; then the grants the
-- client made are stored: for a group a bridge K -> K' (the one grant a
-- retired key may delegate; it serves only ciphertexts whose hop chain
-- starts at K or an older key of P: records at rest) and K' -> each
-- remaining member; for a user K' -> its remaining devices; for a device
-- its enrolment grants into K'.  The delegators of the dropped grants into
-- K make them again to K' (secant.pending_reissues).
CREATE FUNCTION secant.rotate_key(principal_name text, want_kind text, new_key pre_public_key,
                                  bridge pre_sealed_grant, new_grants pre_sealed_grant[],
                                  index_key_ct pre_ciphertext)
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pid bigint;
    got_kind text;
    old_key @extschema@.pre_public_key;
    marks bytea[];
    moved pg_catalog.regrole[];
    g @extschema@.pre_sealed_grant;
    r record;
    n bigint;
BEGIN
    PERFORM secant.require_admin();
    IF principal_name IS NULL OR new_key IS NULL THEN
        RAISE EXCEPTION 'a rotation needs the principal and its new key'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- one rotation at a time (two at once could wait for each other's key
    -- rows); and none with an index key rotation of the principal
    PERFORM 1 FROM secant.rotation_lock FOR UPDATE;
    SELECT p.id, p.kind, p.public_key INTO pid, got_kind, old_key
    FROM secant.principals p WHERE p.name OPERATOR(pg_catalog.=) principal_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'principal "%" does not exist', principal_name USING ERRCODE = 'undefined_object';
    END IF;
    IF got_kind OPERATOR(pg_catalog.<>) want_kind THEN
        RAISE EXCEPTION 'principal "%" is a %, not a %', principal_name, got_kind, want_kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = pg_catalog.format('Use secant.rotate_%s().', got_kind);
    END IF;
    IF EXISTS (SELECT 1 FROM secant.principal_keys k WHERE k.public_key OPERATOR(@extschema@.=) new_key) THEN
        RAISE EXCEPTION 'the new key is already known to this database'
            USING ERRCODE = 'unique_violation',
                  DETAIL = 'A rotation needs a key never used here before (retired keys stay known).',
                  HINT = 'Make a new key: secant-pre rotate makes one.';
    END IF;
    IF want_kind OPERATOR(pg_catalog.=) 'group' AND bridge IS NULL THEN
        RAISE EXCEPTION 'a group rotation needs a bridge grant from the old key to the new one'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'secant-pre rotate group makes it: the group''s records at rest stay readable through it.';
    END IF;
    IF want_kind OPERATOR(pg_catalog.=) 'group' AND index_key_ct IS NULL AND EXISTS (
           SELECT 1 FROM secant.index_keys k WHERE k.group_key OPERATOR(@extschema@.=) ANY (secant.keys_of(old_key))) THEN
        RAISE EXCEPTION 'group "%" has a searchable index key: rotate it with the group', principal_name
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass a new index key encrypted to the new group key (secant-pre rotate group --index-key FILE).';
    END IF;
    -- every grant into or out of the old key and every binding of it,
    -- locked in one batch as secant.revoke and secant.unbind lock them:
    -- waits for the transactions that read through them; then their rows
    -- (for a rotation of a key at their other end)
    PERFORM secant_internal.lock_removal(
        ARRAY(SELECT x.id FROM secant.grants x
              WHERE x.from_key OPERATOR(@extschema@.=) old_key OR x.to_key OPERATOR(@extschema@.=) old_key),
        old_key,
        ARRAY(SELECT b.role::pg_catalog.oid FROM secant.bindings b
              WHERE b.principal_key OPERATOR(@extschema@.=) old_key),
        NULL, true);
    PERFORM 1 FROM secant.grants x
    WHERE x.from_key OPERATOR(@extschema@.=) old_key OR x.to_key OPERATOR(@extschema@.=) old_key
    ORDER BY x.id FOR UPDATE OF x;
    -- then the old key's row: a grant being stored into or out of it
    -- (secant.grant_check_retired locks it FOR KEY SHARE) is waited for and
    -- found by the second look, or waits and then finds the key retired
    PERFORM 1 FROM secant.principal_keys k WHERE k.public_key OPERATOR(@extschema@.=) old_key FOR UPDATE OF k;
    -- (but the bridges into the old key from the keys it replaced: records
    -- at rest under those go on through the bridges, to the new key)
    SELECT pg_catalog.array_agg(s.hop_key) INTO marks
    FROM (SELECT x.hop_key FROM secant.grants x
          WHERE (x.from_key OPERATOR(@extschema@.=) old_key OR x.to_key OPERATOR(@extschema@.=) old_key)
            AND NOT EXISTS (SELECT 1 FROM secant.principal_keys b
                            WHERE b.public_key OPERATOR(@extschema@.=) x.from_key
                              AND b.replaced_by OPERATOR(@extschema@.=) old_key
                              AND x.to_key OPERATOR(@extschema@.=) old_key)
          ORDER BY x.id FOR UPDATE OF x) s;
    -- the copies made through them, and those addressed to the old key
    -- (a retired key is no target), first: as secant.revoke does, copies
    -- before the audit log's lock, in id order
    copies_deleted := 0;
    IF marks IS NOT NULL THEN
        copies_deleted := secant.delete_copies_through(marks);
    END IF;
    DELETE FROM secant.copies c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY(
        SELECT y.id FROM secant.copies y WHERE y.recipient OPERATOR(@extschema@.=) old_key
        ORDER BY y.id FOR UPDATE OF y));
    GET DIAGNOSTICS n = ROW_COUNT;
    copies_deleted := copies_deleted OPERATOR(pg_catalog.+) n;
    -- retire the old key, the new one is current
    UPDATE secant.principal_keys k SET retired_at = pg_catalog.now(), replaced_by = new_key
    WHERE k.public_key OPERATOR(@extschema@.=) old_key;
    INSERT INTO secant.principal_keys (public_key, principal_id) VALUES (new_key, pid);
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('retire key', pg_catalog.jsonb_build_object('name', principal_name, 'kind', got_kind,
                                                        'public_key', old_key::text, 'replaced_by', new_key::text));
    -- the principal and (but a device's) its bindings move to the new key
    -- (each change logged)
    WITH gone AS (DELETE FROM secant.bindings b WHERE b.principal_key OPERATOR(@extschema@.=) old_key
                  RETURNING b.role)
    SELECT pg_catalog.array_agg(gone.role) INTO moved FROM gone;
    UPDATE secant.principals p SET public_key = new_key WHERE p.id OPERATOR(pg_catalog.=) pid;
    -- a device's login may be what was lost: its bindings go, the new
    -- device is bound anew
    IF want_kind OPERATOR(pg_catalog.=) 'device' THEN
        moved := NULL;
    END IF;
    INSERT INTO secant.bindings (principal_key, role) SELECT new_key, m FROM pg_catalog.unnest(moved) AS m;
    bindings_moved := coalesce(pg_catalog.cardinality(moved), 0);
    -- drop the old key's grants as a revocation does
    grants_dropped := coalesce(pg_catalog.cardinality(marks), 0);
    IF marks IS NOT NULL THEN
        INSERT INTO secant.revoked_grants (hop_key, from_key, to_key, revoked_by, reason)
        SELECT x.hop_key, x.from_key, x.to_key, SESSION_USER, 'rotated' FROM secant.grants x
        WHERE x.hop_key OPERATOR(pg_catalog.=) ANY (marks)
        ON CONFLICT (hop_key) DO NOTHING;
        DELETE FROM secant.grants x WHERE x.hop_key OPERATOR(pg_catalog.=) ANY (marks);
    END IF;
    -- the client's grants
    grants_added := 0;
    IF bridge IS NOT NULL THEN
        INSERT INTO secant.grants (sealed) VALUES (bridge) RETURNING from_key AS f, to_key AS t INTO r;
        IF r.f OPERATOR(@extschema@.<>) old_key OR r.t OPERATOR(@extschema@.<>) new_key THEN
            RAISE EXCEPTION 'the bridge must be a grant from the retired key to the new key'
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'secant-pre rotate makes it with the old secret key and the new public key.';
        END IF;
        grants_added := 1;
    END IF;
    FOREACH g IN ARRAY coalesce(new_grants, '{}'::@extschema@.pre_sealed_grant[]) LOOP
        IF g IS NULL THEN
            RAISE EXCEPTION 'a rotation''s grants must not be NULL' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        INSERT INTO secant.grants (sealed) VALUES (g) RETURNING from_key AS f, to_key AS t INTO r;
        IF want_kind OPERATOR(pg_catalog.=) 'device' AND r.t OPERATOR(@extschema@.<>) new_key THEN
            RAISE EXCEPTION 'a device rotation''s grants are enrolments: grants to the new device key'
                USING ERRCODE = 'invalid_parameter_value';
        ELSIF want_kind OPERATOR(pg_catalog.<>) 'device' AND r.f OPERATOR(@extschema@.<>) new_key THEN
            RAISE EXCEPTION 'a % rotation''s grants must be from the new key', want_kind
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'secant-pre rotate makes them with the new secret key.';
        END IF;
        grants_added := grants_added OPERATOR(pg_catalog.+) 1;
    END LOOP;
    index_key_version := NULL;
    IF index_key_ct IS NOT NULL THEN
        index_key_version := secant.rotate_index_key(new_key, index_key_ct);
    END IF;
    retired_key := old_key;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('rotate key', pg_catalog.jsonb_build_object('name', principal_name, 'kind', got_kind,
                'retired_key', old_key::text, 'public_key', new_key::text,
                'grants_dropped', grants_dropped, 'copies_deleted', copies_deleted,
                'grants_added', grants_added, 'bindings_moved', bindings_moved,
                'index_key_version', index_key_version));
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION secant.rotate_key(text, text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) FROM PUBLIC;
COMMENT ON FUNCTION secant.rotate_key(text, text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) IS 'key rotation of a principal of the given kind (the body of secant.rotate_group, rotate_user and rotate_device)';

CREATE FUNCTION secant.rotate_group(group_name text, new_key pre_public_key, bridge pre_sealed_grant,
                                    member_grants pre_sealed_grant[], index_key_ct pre_ciphertext DEFAULT NULL)
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.rotate_key(group_name, 'group', new_key, bridge, member_grants, index_key_ct) $$;
REVOKE ALL ON FUNCTION secant.rotate_group(text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_group(text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_group(text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) IS 'rotate a group to a new key in one transaction (after a member left or a key leaked): the old key retired, every grant into or out of it dropped as by revoke, the bridge old -> new stored (it serves records at rest encrypted to the old key only), the new key''s grants to the remaining members and its new index key version (required when the group has one); admins';

CREATE FUNCTION secant.rotate_user(user_name text, new_key pre_public_key, device_grants pre_sealed_grant[],
                                   bridge pre_sealed_grant DEFAULT NULL)
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.rotate_key(user_name, 'user', new_key, bridge, device_grants, NULL) $$;
REVOKE ALL ON FUNCTION secant.rotate_user(text, pre_public_key, pre_sealed_grant[], pre_sealed_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_user(text, pre_public_key, pre_sealed_grant[], pre_sealed_grant) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_user(text, pre_public_key, pre_sealed_grant[], pre_sealed_grant) IS 'rotate a user to a new key in one transaction (after a device was lost): the old key retired, every grant into or out of it dropped as by revoke, the new key''s grants to the remaining devices stored; memberships stay closed until each group''s delegator grants to the new key (secant.pending_reissues); an optional bridge serves records encrypted to the old key; admins';

CREATE FUNCTION secant.rotate_device(device_name text, new_key pre_public_key, enrolments pre_sealed_grant[])
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.rotate_key(device_name, 'device', new_key, NULL, enrolments, NULL) $$;
REVOKE ALL ON FUNCTION secant.rotate_device(text, pre_public_key, pre_sealed_grant[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_device(text, pre_public_key, pre_sealed_grant[]) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_device(text, pre_public_key, pre_sealed_grant[]) IS 'rotate a device to a new key enrolled by its user in one transaction: the old key retired, every grant into or out of it dropped as by revoke, its bindings removed (bind the new device''s login anew), the enrolment grants into the new key stored; admins';

-- After every record at rest was moved to the new key (secant-pre rewrap):
-- remove the bridges out of a principal's retired keys, as by revoke.
CREATE FUNCTION secant.drop_bridges(principal_name text) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    n bigint := 0;
BEGIN
    PERFORM secant.require_admin();
    FOR r IN SELECT g.from_key, g.to_key FROM secant.grants g
             JOIN secant.principal_keys k ON k.public_key OPERATOR(@extschema@.=) g.from_key
             WHERE k.retired_at IS NOT NULL
               AND k.principal_id OPERATOR(pg_catalog.=) (SELECT p.id FROM secant.principals p
                                                         WHERE p.name OPERATOR(pg_catalog.=) principal_name)
    LOOP
        PERFORM secant.revoke(r.from_key, r.to_key);
        n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.drop_bridges(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.drop_bridges(text) TO secant_admin;
COMMENT ON FUNCTION secant.drop_bridges(text) IS 'revoke the bridges out of a principal''s retired keys (after its records at rest were rewrapped to the new key); returns how many';
-- ---- restores in the wrong order fail with the extension's advice ----
-- A grant or an index key must name registered principals.  The foreign
-- keys say so too, but a parallel pg_restore without the replica role
-- loads these tables before secant.principals: this trigger (before the
-- foreign key) then says what went wrong and how to restore.
CREATE FUNCTION secant_internal.require_principals() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    keys @extschema@.pre_public_key[];
    k @extschema@.pre_public_key;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.=) 'secant.grants'::pg_catalog.regclass THEN
        keys := ARRAY[NEW.from_key, NEW.to_key];
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.index_keys'::pg_catalog.regclass THEN
        keys := ARRAY[NEW.group_key];
    ELSE
        RAISE EXCEPTION 'secant.require_principals() checks secant.grants and secant.index_keys only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOREACH k IN ARRAY keys LOOP
        -- a key of a principal, current or retired (key rotation)
        IF NOT EXISTS (SELECT FROM secant.principal_keys p WHERE p.public_key OPERATOR(@extschema@.=) k) THEN
            IF secant.restoring() THEN
                RAISE EXCEPTION 'restore loads %.% before secant.principals and secant.principal_keys', TG_TABLE_SCHEMA, TG_TABLE_NAME
                    USING ERRCODE = 'foreign_key_violation',
                          DETAIL = 'A row names a principal that is not restored (yet): pg_restore -j without session_replication_role = replica loads secant''s tables in parallel, and this row would be lost.',
                          HINT = 'Restore into a new database with PGOPTIONS="-c session_replication_role=replica" pg_restore ... (README, "Backup and restore"), then run SELECT * FROM secant.audit_check().';
            END IF;
            RAISE EXCEPTION '%.% names a principal that is not registered', TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = pg_catalog.format('No principal in secant.principals has (or had) the key %s.', k::text),
                      HINT = 'Register it first: SELECT secant.add_principal(name, kind, public_key).';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant_internal.require_principals() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.require_principals() IS 'trigger: a grant or an index key names registered principals; in a restore that loads them first, say how to restore';
CREATE TRIGGER grants_known_principals BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant_internal.require_principals();
CREATE TRIGGER index_keys_known_principals BEFORE INSERT ON secant.index_keys
    FOR EACH ROW EXECUTE FUNCTION secant_internal.require_principals();

-- ---- admin scope: an admin of one database reads nothing of another ----
REVOKE ALL ON ALL SEQUENCES IN SCHEMA secant FROM PUBLIC;
-- secant_admin is a cluster-wide role: it holds no privilege to read
-- anything of secant that PUBLIC may not read.  What admins read beyond
-- that is filtered by the admin capability of this database: row-level
-- security (bindings, capabilities, the logs, revoked hop keys), or a
-- privilege given to the capability's role in this database only, and taken
-- back with it (the sealed grants, the identity, the sequences, which
-- pg_dump reads).
CREATE FUNCTION secant_internal.capability_privileges() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF r.capability OPERATOR(pg_catalog.<>) 'admin'
       OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.oid OPERATOR(pg_catalog.=) r.role) THEN
        RETURN NULL;
    END IF;
    EXECUTE pg_catalog.format('%s SELECT ON secant.grants, secant.database_identity %s %s',
                              CASE TG_OP WHEN 'DELETE' THEN 'REVOKE' ELSE 'GRANT' END,
                              CASE TG_OP WHEN 'DELETE' THEN 'FROM' ELSE 'TO' END, r.role::pg_catalog.text);
    EXECUTE pg_catalog.format('%s SELECT ON ALL SEQUENCES IN SCHEMA secant %s %s',
                              CASE TG_OP WHEN 'DELETE' THEN 'REVOKE' ELSE 'GRANT' END,
                              CASE TG_OP WHEN 'DELETE' THEN 'FROM' ELSE 'TO' END, r.role::pg_catalog.text);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.capability_privileges() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.capability_privileges() IS 'trigger: the admin capability''s role reads the sealed grants, the identity and the sequences of this database (pg_dump), and no longer once it is revoked';
CREATE TRIGGER capabilities_privileges AFTER INSERT OR DELETE ON secant.capabilities
    FOR EACH ROW EXECUTE FUNCTION secant_internal.capability_privileges();
-- bindings and capabilities: a role reads its own (those of roles it is a
-- member of: what secant.may_obtain and the copies' policy need); admins
-- of this database read and change all
ALTER TABLE secant.bindings ENABLE ROW LEVEL SECURITY;
CREATE POLICY bindings_own ON secant.bindings FOR SELECT
    USING (pg_catalog.pg_has_role(role::pg_catalog.oid, 'MEMBER'));
CREATE POLICY bindings_admins ON secant.bindings USING (secant.is_admin()) WITH CHECK (secant.is_admin());
ALTER TABLE secant.capabilities ENABLE ROW LEVEL SECURITY;
CREATE POLICY capabilities_own ON secant.capabilities FOR SELECT
    USING (pg_catalog.pg_has_role(role::pg_catalog.oid, 'MEMBER'));
CREATE POLICY capabilities_admins ON secant.capabilities USING (secant.is_admin()) WITH CHECK (secant.is_admin());

-- Helpers that only admins' views and checks call: not PUBLIC's.
REVOKE ALL ON FUNCTION secant.audit_entry(bigint, timestamptz, name, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION secant.name_keys(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION secant.audit_live(text[], text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION secant.audit_live(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION secant.is_database_owner() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_entry(bigint, timestamptz, name, text, jsonb) TO secant_admin;
GRANT EXECUTE ON FUNCTION secant.name_keys(jsonb) TO secant_admin;
GRANT EXECUTE ON FUNCTION secant.audit_live(text[], text[], text[]) TO secant_admin;
GRANT EXECUTE ON FUNCTION secant.audit_live(text, text, text[]) TO secant_admin;
GRANT EXECUTE ON FUNCTION secant.is_database_owner() TO secant_admin;

-- ---- names: nothing the extension binds or runs can be planted ----
-- (docs/SECURITY.md, "Names")  Every function, operator, cast, type and
-- collation that an object of the extension binds (views, policies,
-- defaults, constraints, indexes, triggers, SQL-standard bodies) is in
-- pg_catalog or a member of the extension, and every SQL or PL/pgSQL
-- function of the extension has a SQL-standard body or runs with
-- search_path pg_catalog, pg_temp.  The objects checked are the members
-- and whatever belongs to them (pg_depend 'a' and 'i': a view's rule, a
-- table's policies, defaults and constraints); PostgreSQL records no
-- dependency on its built-ins (pinned, all in pg_catalog), so any
-- dependency on a function, operator, cast, type, collation or relation
-- outside pg_catalog and the extension is a name that was resolved
-- through a schema someone else may create in.
CREATE FUNCTION secant.check_bindings()
RETURNS TABLE (object text, binds text, problem text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE ours (classid, objid) AS (
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e
          ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
         AND d.refobjid OPERATOR(pg_catalog.=) e.oid
        WHERE e.extname OPERATOR(pg_catalog.=) 'secant_pre' AND d.deptype OPERATOR(pg_catalog.=) 'e'
      UNION
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend d JOIN ours o
          ON d.refclassid OPERATOR(pg_catalog.=) o.classid AND d.refobjid OPERATOR(pg_catalog.=) o.objid
        WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog."char"[])
    )
    SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid),
           pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid),
           'binds an object outside pg_catalog and the extension'
    FROM pg_catalog.pg_depend d JOIN ours o
      ON d.classid OPERATOR(pg_catalog.=) o.classid AND d.objid OPERATOR(pg_catalog.=) o.objid
    WHERE d.deptype OPERATOR(pg_catalog.=) 'n'
      AND d.refclassid OPERATOR(pg_catalog.=) ANY ('{pg_proc,pg_operator,pg_cast,pg_type,pg_collation,pg_class,pg_opclass,pg_opfamily,pg_conversion,pg_ts_config,pg_ts_dict}'::pg_catalog.regclass[])
      AND NOT EXISTS (SELECT 1 FROM ours x
                      WHERE x.classid OPERATOR(pg_catalog.=) d.refclassid AND x.objid OPERATOR(pg_catalog.=) d.refobjid)
      AND (pg_catalog.pg_identify_object(d.refclassid, d.refobjid, 0)).schema IS DISTINCT FROM 'pg_catalog'
    UNION ALL
    SELECT p.oid::pg_catalog.regprocedure::pg_catalog.text, l.lanname::pg_catalog.text,
           'runs with the caller''s search_path (no SQL-standard body, search_path not pinned to pg_catalog, pg_temp)'
    FROM pg_catalog.pg_proc p
    JOIN ours o ON o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
               AND o.objid OPERATOR(pg_catalog.=) p.oid
    JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
    WHERE l.lanname OPERATOR(pg_catalog.<>) ALL ('{c,internal}'::pg_catalog.name[])
      AND p.prosqlbody IS NULL
      AND NOT coalesce('search_path=pg_catalog, pg_temp' OPERATOR(pg_catalog.=) ANY (p.proconfig), false)
    ORDER BY 1, 2 $$;
REVOKE ALL ON FUNCTION secant.check_bindings() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.check_bindings() TO secant_admin;
COMMENT ON FUNCTION secant.check_bindings() IS 'the names the extension binds or runs that someone else could have planted: each object of the extension that binds a function, operator, cast, type, collation or relation outside pg_catalog and the extension, and each SQL or PL/pgSQL function that neither has a SQL-standard body nor pins search_path to pg_catalog, pg_temp (no rows: none); admins';

-- ==== Threshold nodes: grant shares on n nodes, a coordinator that   ====
-- ==== asks t of them, verifies and combines (docs/THRESHOLD.md)      ====

-- ---- C helpers over the core (sp_threshold.h): reading, checking, combining ----

CREATE FUNCTION pre_tshare(share text) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_tshare_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tshare(text) IS 'a threshold grant share from its pretshare_ text (secant-pre grant --threshold), checked (layout, points, the delegator''s signature)';

CREATE FUNCTION pre_tshare_fields(share bytea, OUT from_key pre_public_key, OUT to_key pre_public_key,
                                  OUT hop_key bytea, OUT not_after timestamptz,
                                  OUT t integer, OUT n integer, OUT idx integer)
    AS 'MODULE_PATHNAME', 'pre_tshare_fields' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tshare_fields(bytea) IS 'the public fields of a checked grant share: the grant''s from, to, hop key X and not_after, t, n and the share''s index';

CREATE FUNCTION pre_tshare_same_grant(bytea, bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_tshare_same_grant' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tshare_same_grant(bytea, bytea) IS 'true when two checked grant shares split the same threshold grant (same t, n, header and commitments)';

CREATE FUNCTION pre_tpartial_verify(partial bytea, share bytea, ct pre_ciphertext) RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_tpartial_verify' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tpartial_verify(bytea, bytea, pre_ciphertext) IS 'true when the partial''s proof verifies for the ciphertext against the share''s commitments; false for any fault of the partial; an error for a wrong share or ciphertext';

CREATE FUNCTION pre_tcombine_batch(cts pre_ciphertext[], share bytea, partials bytea[], t integer, verify boolean DEFAULT true) RETURNS pre_ciphertext[]
    AS 'MODULE_PATHNAME', 'pre_tcombine_batch' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tcombine_batch(pre_ciphertext[], bytea, bytea[], integer, boolean) IS 'pre_tcombine for a batch of m ciphertexts of one threshold grant, the share checked once: partials holds t·m partials, holder k''s at k·m+1 .. k·m+m; NULL where they do not combine (a proof fails: find the holder with pre_tpartial_verify); verify false: no proof checked, only the structure (a wrong partial gives a value whose AEAD fails at the client)';

CREATE FUNCTION pre_tcombine(ct pre_ciphertext, share bytea, partials bytea[]) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_tcombine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_tcombine(pre_ciphertext, bytea, bytea[]) IS 'exactly t partials of one threshold grant (distinct indices, every proof verified here) combined into the re-encryption by the unsplit grant, byte for byte';

-- Does the asking role hold the proxy capability here (through membership)?
CREATE FUNCTION secant_internal.asking_is_proxy() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM secant.capabilities c
                   JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.role
                   WHERE c.capability OPERATOR(pg_catalog.=) 'proxy'
                     AND pg_catalog.pg_has_role(secant.asking_user(), r.oid, 'MEMBER')) $$;
REVOKE ALL ON FUNCTION secant_internal.asking_is_proxy() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.asking_is_proxy() IS 'true when the asking role (secant.asking_user()) holds the proxy capability in this database';

-- C: may role who obtain what is addressed to target?  What it relies on
-- (bindings, proxy capabilities) is locked until the transaction ends, as
-- for secant.reencrypt_for, so unbind and revoke_capability wait for a
-- running threshold read (docs/SECURITY.md, "Finality").
CREATE FUNCTION secant_internal.lock_obtain_basis(target pre_public_key, who oid) RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_lock_obtain_basis' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION secant_internal.lock_obtain_basis(pre_public_key, oid) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.lock_obtain_basis(pre_public_key, oid) IS 'may the role obtain what is addressed to the principal (superuser, bound, proxy)?  What it relies on is locked until the transaction ends, as for secant.reencrypt_for';

-- ---- a node: the grant shares it holds ----

-- Shares are stored as the delegator made them (the scalar sealed to this
-- node's server key); every other column is filled from the share when it
-- is stored, after opening it with the server key and checking it against
-- its commitments (secant_internal.tshare_fill).  Removing a share is a
-- revocation: its hop key is remembered in secant.revoked_grants.
CREATE TABLE secant.grant_shares (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    share bytea NOT NULL,
    resealed bytea,
    from_key pre_public_key NOT NULL,
    to_key pre_public_key NOT NULL,
    hop_key bytea NOT NULL UNIQUE,
    not_after timestamptz,
    t integer NOT NULL,
    n integer NOT NULL,
    idx integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.grant_shares IS 'threshold grant shares this node holds (one per threshold grant), each sealed to the server key: the node makes partials with them for a coordinator (secant.threshold_partials)';
COMMENT ON COLUMN secant.grant_shares.resealed IS 'after a server key rotation (secant.reseal_grants): the share''s scalar sealed again to the server key (key id, sealed box), used instead of the share''s own sealed part, which the delegator signed; NULL: the share''s own';
REVOKE ALL ON secant.grant_shares FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('secant.grant_shares', '');
GRANT SELECT ON secant.grant_shares TO secant_admin;
ALTER TABLE secant.grant_shares ENABLE ROW LEVEL SECURITY;
CREATE POLICY grant_shares_admins ON secant.grant_shares FOR SELECT USING (secant.is_admin());

CREATE FUNCTION secant_internal.tshare_fill() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_tshare_fill' LANGUAGE C;
REVOKE ALL ON FUNCTION secant_internal.tshare_fill() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.tshare_fill() IS 'trigger: open a grant share being stored with the server key (checked against its commitments) and fill its columns from it';
CREATE TRIGGER grant_shares_fill BEFORE INSERT OR UPDATE ON secant.grant_shares
    FOR EACH ROW EXECUTE FUNCTION secant_internal.tshare_fill();

-- A share whose hop key was revoked (as a grant or a share) is refused;
-- fires after grant_shares_fill (trigger names sort).
CREATE FUNCTION secant_internal.tshare_check_revoked() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grant_shares'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant_internal.tshare_check_revoked() checks secant.grant_shares only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM secant.revoked_grants v WHERE v.hop_key OPERATOR(pg_catalog.=) NEW.hop_key) THEN
        RAISE EXCEPTION 'grant share was revoked and cannot be stored again'
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'To re-admit the grantee, the delegator makes a new threshold grant.';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant_internal.tshare_check_revoked() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.tshare_check_revoked() IS 'trigger: refuse a grant share whose hop key was revoked';
CREATE TRIGGER grant_shares_not_revoked BEFORE INSERT OR UPDATE ON secant.grant_shares
    FOR EACH ROW EXECUTE FUNCTION secant_internal.tshare_check_revoked();

-- Stored and removed shares are audited; a removed share's hop key is
-- remembered (it can never be stored again, as a share or a grant).
CREATE FUNCTION secant_internal.tshare_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grant_shares'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant_internal.tshare_audit() logs secant.grant_shares only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        r := OLD;
        INSERT INTO secant.revoked_grants (hop_key, from_key, to_key, revoked_by)
        VALUES (OLD.hop_key, OLD.from_key, OLD.to_key, SESSION_USER)
        ON CONFLICT (hop_key) DO NOTHING;
    ELSE
        r := NEW;
    END IF;
    IF NOT secant.restoring() THEN
        INSERT INTO secant.audit_log (action, detail)
        VALUES (pg_catalog.concat(pg_catalog.lower(TG_OP), ' grant share'),
                pg_catalog.jsonb_build_object('share_id', r.id, 'from_key', r.from_key::text,
                                              'to_key', r.to_key::text, 'not_after', r.not_after,
                                              't', r.t, 'n', r.n, 'index', r.idx,
                                              'hop_key', pg_catalog.encode(r.hop_key, 'hex')));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.tshare_audit() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.tshare_audit() IS 'trigger: audit a stored or removed grant share; a removed share''s hop key is remembered as revoked';
CREATE TRIGGER grant_shares_audit AFTER INSERT OR DELETE ON secant.grant_shares
    FOR EACH ROW EXECUTE FUNCTION secant_internal.tshare_audit();

-- C, owner only: the partials of a share for a batch of ciphertexts.
CREATE FUNCTION secant_internal.tpartials(share bytea, resealed bytea, cts pre_ciphertext[]) RETURNS bytea[]
    AS 'MODULE_PATHNAME', 'pre_tpartials' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION secant_internal.tpartials(bytea, bytea, pre_ciphertext[]) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.tpartials(bytea, bytea, pre_ciphertext[]) IS 'the partials (with proofs) of a stored grant share for a batch of ciphertexts, the share opened once with the server key (from the node''s re-seal when resealed is not NULL; secant.threshold_partials checks first)';

-- C, owner only: a stored share's scalar sealed again to the server key.
CREATE FUNCTION secant_internal.tshare_reseal(share bytea, resealed bytea, previous_identity bytea DEFAULT NULL) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_tshare_reseal' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION secant_internal.tshare_reseal(bytea, bytea, bytea) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.tshare_reseal(bytea, bytea, bytea) IS 'server key rotation and adoption: a stored grant share''s scalar (opened from resealed, else from the share, with the key it names, for previous_identity when given, else for this database''s identity) sealed again to the server key and this database''s identity, for secant.grant_shares.resealed (secant.reseal_grants, secant.adopt_database)';

CREATE FUNCTION secant.add_grant_share(share text) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    PERFORM secant.require_admin();
    INSERT INTO secant.grant_shares (share) VALUES (@extschema@.pre_tshare(share))
    RETURNING grant_shares.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant_share(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant_share(text) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant_share(text) IS 'admins: store a threshold grant share (pretshare_ text) sealed to this node''s server key, checked against its commitments; returns its id';

-- Removing a share: admins, and the coordinator (proxy capability) pushing
-- a revocation.  Removing only takes power away.
CREATE FUNCTION secant.revoke_grant_share(hop_key bytea) RETURNS boolean
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT (secant.is_admin() OR secant_internal.asking_is_proxy()) THEN
        RAISE EXCEPTION 'only an admin or a proxy of this database removes grant shares'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM secant.grant_shares g WHERE g.hop_key OPERATOR(pg_catalog.=) revoke_grant_share.hop_key;
    RETURN FOUND;
END $$;
REVOKE ALL ON FUNCTION secant.revoke_grant_share(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke_grant_share(bytea) TO PUBLIC;
COMMENT ON FUNCTION secant.revoke_grant_share(bytea) IS 'admins and proxies: remove the grant share with this hop key (a revocation: audited, its hop key remembered); true when one was removed';

-- What a coordinator calls on a node, one round trip per batch: first the
-- revocations it pushes (applied before serving), then the node's own
-- checks, then the partials.  Never an open oracle: the core multiplies
-- only E+V of a level-1 capsule that passes the capsule check, and this
-- function only the X of a hop made by a grant or share this node stores.
CREATE FUNCTION secant.threshold_partials(hop_key bytea, cts pre_ciphertext[], revoked bytea[] DEFAULT '{}')
RETURNS bytea[]
STRICT LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s secant.grant_shares;
BEGIN
    IF pg_catalog.cardinality(revoked) OPERATOR(pg_catalog.>) 0 THEN
        IF NOT (secant.is_admin() OR secant_internal.asking_is_proxy()) THEN
            RAISE EXCEPTION 'only an admin or a proxy of this database pushes revocations'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        DELETE FROM secant.grant_shares g WHERE g.hop_key OPERATOR(pg_catalog.=) ANY (revoked);
    END IF;
    SELECT * INTO s FROM secant.grant_shares g
    WHERE g.hop_key OPERATOR(pg_catalog.=) $1 FOR KEY SHARE;  -- $1: hop_key
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no grant share with this hop key on this node'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'It was revoked, or never stored here.';
    END IF;
    IF s.not_after IS NOT NULL AND s.not_after OPERATOR(pg_catalog.<=) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.transaction_timestamp()) THEN
        RAISE EXCEPTION 'grant share expired at %', s.not_after USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT secant_internal.lock_obtain_basis(s.to_key, secant.asking_user()) THEN
        RAISE EXCEPTION 'role "%" may not obtain what is addressed to the grant share''s grantee',
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) secant.asking_user())
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A coordinator''s role holds the proxy capability on each node (secant.grant_capability).';
    END IF;
    -- the hop chain: past level 1, the last hop is one of this node's
    IF EXISTS (SELECT 1 FROM pg_catalog.unnest(cts) c
               CROSS JOIN LATERAL (SELECT (@extschema@.pre_hop_keys(c))[@extschema@.pre_level(c) OPERATOR(pg_catalog.-) 1] AS x) l
               WHERE @extschema@.pre_level(c) OPERATOR(pg_catalog.>) 1
                 AND NOT EXISTS (SELECT 1 FROM secant.grant_shares g WHERE g.hop_key OPERATOR(pg_catalog.=) l.x)
                 AND NOT EXISTS (SELECT 1 FROM secant.grants g WHERE g.hop_key OPERATOR(pg_catalog.=) l.x)) THEN
        RAISE EXCEPTION 'a ciphertext''s last hop was not made by a grant or grant share of this node'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN secant_internal.tpartials(s.share, s.resealed, cts);
END $$;
REVOKE ALL ON FUNCTION secant.threshold_partials(bytea, pre_ciphertext[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.threshold_partials(bytea, pre_ciphertext[], bytea[]) TO PUBLIC;
COMMENT ON FUNCTION secant.threshold_partials(bytea, pre_ciphertext[], bytea[]) IS 'a node''s partials with proofs for a batch of ciphertexts, by its share of the threshold grant with this hop key: revocations pushed in revoked applied first; then share present and unexpired, caller bound to the grantee or a proxy, hop chain; error 42501 otherwise';

-- ---- the coordinator: nodes, threshold grants and who holds their shares ----

CREATE TABLE secant.threshold_nodes (
    name text PRIMARY KEY CHECK (name OPERATOR(pg_catalog.<>) ''),
    conninfo text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.threshold_nodes IS 'the nodes this coordinator asks for partials, each with the libpq connection string dblink uses (superusers set it: the coordinator connects with the extension owner''s rights)';
REVOKE ALL ON secant.threshold_nodes FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('secant.threshold_nodes', '');
GRANT SELECT ON secant.threshold_nodes TO secant_admin;
ALTER TABLE secant.threshold_nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY threshold_nodes_admins ON secant.threshold_nodes FOR SELECT USING (secant.is_admin());

CREATE TABLE secant.threshold_grants (
    hop_key bytea PRIMARY KEY,
    from_key pre_public_key NOT NULL,
    to_key pre_public_key NOT NULL,
    not_after timestamptz,
    t integer NOT NULL,
    n integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_by name
);
CREATE INDEX threshold_grants_from_key ON secant.threshold_grants (from_key);
COMMENT ON TABLE secant.threshold_grants IS 'threshold grants the coordinator combines (public header only: no node''s scalar is here); revoked_at set by secant.revoke_threshold';
REVOKE ALL ON secant.threshold_grants FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('secant.threshold_grants', '');
GRANT SELECT ON secant.threshold_grants TO secant_admin;
ALTER TABLE secant.threshold_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY threshold_grants_admins ON secant.threshold_grants FOR SELECT USING (secant.is_admin());

CREATE TABLE secant.threshold_holders (
    hop_key bytea NOT NULL REFERENCES secant.threshold_grants (hop_key) ON DELETE CASCADE,
    idx integer NOT NULL,
    node text NOT NULL REFERENCES secant.threshold_nodes (name),
    share bytea NOT NULL,
    removed_at timestamptz,
    PRIMARY KEY (hop_key, idx)
);
COMMENT ON TABLE secant.threshold_holders IS 'which node holds share idx of each threshold grant (the share''s public part checks its partials); removed_at: when the node confirmed the share removed (a revocation pushed and applied)';
REVOKE ALL ON secant.threshold_holders FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('secant.threshold_holders', '');
GRANT SELECT ON secant.threshold_holders TO secant_admin;
ALTER TABLE secant.threshold_holders ENABLE ROW LEVEL SECURITY;
CREATE POLICY threshold_holders_admins ON secant.threshold_holders FOR SELECT USING (secant.is_admin());

CREATE FUNCTION secant.add_threshold_node(name text, conninfo text) RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.oid OPERATOR(pg_catalog.=) secant.asking_user() AND r.rolsuper) THEN
        RAISE EXCEPTION 'only a superuser names threshold nodes'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The coordinator connects to them with the extension owner''s rights.';
    END IF;
    -- no secret in a row that admins read and dumps keep: a password file
    -- or a client certificate of the server's user instead
    IF conninfo OPERATOR(pg_catalog.~*) '(^|[[:space:]?&])password[[:space:]]*='
       OR conninfo OPERATOR(pg_catalog.~*) '^postgres(ql)?://[^/@]*:[^/@]*@' THEN
        RAISE EXCEPTION 'a threshold node''s connection string holds no password'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Admins read it and dumps keep it: give the server''s user a password file (passfile) or a client certificate (sslcert, sslkey).';
    END IF;
    INSERT INTO secant.threshold_nodes (name, conninfo) VALUES (name, conninfo)
    ON CONFLICT ON CONSTRAINT threshold_nodes_pkey DO UPDATE SET conninfo = EXCLUDED.conninfo;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('set threshold node', pg_catalog.jsonb_build_object('name', name));
END $$;
REVOKE ALL ON FUNCTION secant.add_threshold_node(text, text) FROM PUBLIC;
COMMENT ON FUNCTION secant.add_threshold_node(text, text) IS 'superusers: name a node (or change its libpq connection string) that the coordinator asks for partials';

-- All n shares of one threshold grant, share k held by nodes[k].
CREATE FUNCTION secant.add_threshold_grant(shares text[], nodes text[]) RETURNS bytea
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b bytea[];
    f record;
    k integer;
BEGIN
    PERFORM secant.require_admin();
    b := ARRAY(SELECT @extschema@.pre_tshare(s) FROM pg_catalog.unnest(shares) WITH ORDINALITY u(s, o) ORDER BY u.o);
    IF pg_catalog.cardinality(b) OPERATOR(pg_catalog.=) 0
       OR pg_catalog.cardinality(b) OPERATOR(pg_catalog.<>) pg_catalog.cardinality(nodes) THEN
        RAISE EXCEPTION 'one node for each share' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO f FROM @extschema@.pre_tshare_fields(b[1]);
    IF pg_catalog.cardinality(b) OPERATOR(pg_catalog.<>) f.n THEN
        RAISE EXCEPTION 'a threshold grant % of % needs all % shares', f.t, f.n, f.n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO secant.threshold_grants (hop_key, from_key, to_key, not_after, t, n)
    VALUES (f.hop_key, f.from_key, f.to_key, f.not_after, f.t, f.n);
    FOR k IN 1 .. pg_catalog.cardinality(b) LOOP
        IF NOT @extschema@.pre_tshare_same_grant(b[1], b[k]) THEN
            RAISE EXCEPTION 'share % is not of the same threshold grant as share 1', k
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO secant.threshold_holders (hop_key, idx, node, share)
        VALUES (f.hop_key, (@extschema@.pre_tshare_fields(b[k])).idx, nodes[k], b[k]);
    END LOOP;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('insert threshold grant', pg_catalog.jsonb_build_object(
        'from_key', f.from_key::text, 'to_key', f.to_key::text, 't', f.t, 'n', f.n,
        'nodes', nodes, 'hop_key', pg_catalog.encode(f.hop_key, 'hex')));
    RETURN f.hop_key;
END $$;
REVOKE ALL ON FUNCTION secant.add_threshold_grant(text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_threshold_grant(text[], text[]) TO secant_admin;
COMMENT ON FUNCTION secant.add_threshold_grant(text[], text[]) IS 'admins of the coordinator: record a threshold grant from all n of its shares (pretshare_ text), share k held by nodes[k]; returns its hop key';

-- ---- the coordinator: reaching the nodes (dblink, owner-run) ----

-- The schema dblink is installed in, or an error: the coordinator needs it.
CREATE FUNCTION secant_internal.dblink_schema() RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s text;
BEGIN
    SELECT n.nspname INTO s FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
    WHERE e.extname OPERATOR(pg_catalog.=) 'dblink';
    IF s IS NULL THEN
        RAISE EXCEPTION 'a threshold coordinator needs the dblink extension'
            USING ERRCODE = 'feature_not_supported', HINT = 'CREATE EXTENSION dblink;';
    END IF;
    -- the connections are the extension owner's (a node's proxy): no one
    -- else may run dblink's functions, or a connection left by a cancelled
    -- call would be theirs (docs/THRESHOLD.md)
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
               JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
               JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objid
               CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
               WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                 AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                 AND d.deptype OPERATOR(pg_catalog.=) 'e' AND e.extname OPERATOR(pg_catalog.=) 'dblink'
                 AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
                 AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
                 AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) a.grantee), false)) THEN
        RAISE EXCEPTION 'a threshold coordinator needs dblink''s functions executable by superusers only'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = pg_catalog.format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC; with dblink in a schema of its own (docs/THRESHOLD.md).', s);
    END IF;
    RETURN s;
END $$;
REVOKE ALL ON FUNCTION secant_internal.dblink_schema() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.dblink_schema() IS 'the schema of the dblink extension, which threshold coordinators use to reach their nodes';

-- Close a connection to a node if it is open (never raises).
CREATE FUNCTION secant_internal.node_close(dl text, conn text) RETURNS void
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE pg_catalog.format('SELECT %I.dblink_disconnect(%L) WHERE %L OPERATOR(pg_catalog.=) ANY (%I.dblink_get_connections())',
                              dl, conn, conn, dl);
EXCEPTION WHEN OTHERS THEN
    NULL;
END $$;
REVOKE ALL ON FUNCTION secant_internal.node_close(text, text) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.node_close(text, text) IS 'close the dblink connection to a threshold node if it is open; never raises';

-- Open a connection to a node and send it a query (asynchronously).
CREATE FUNCTION secant_internal.node_send(dl text, conn text, node text, query text) RETURNS void
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM secant_internal.node_close(dl, conn);
    EXECUTE pg_catalog.format('SELECT %I.dblink_connect(%L, %L)', dl, conn,
                              (SELECT x.conninfo FROM secant.threshold_nodes x WHERE x.name OPERATOR(pg_catalog.=) node));
    EXECUTE pg_catalog.format('SELECT %I.dblink_send_query(%L, %L)', dl, conn, query);
END $$;
REVOKE ALL ON FUNCTION secant_internal.node_send(text, text, text, text) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.node_send(text, text, text, text) IS 'connect to a threshold node (dblink, named connection) and send it a query without waiting';

-- ---- the coordinator: reads ----

-- C, owner only: the coordinator's own grants after a threshold hop.
CREATE FUNCTION secant_internal.reencrypt_after_threshold(cts pre_ciphertext[], target pre_public_key)
RETURNS pre_ciphertext[]
    AS 'MODULE_PATHNAME', 'pre_reencrypt_after_threshold' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION secant_internal.reencrypt_after_threshold(pre_ciphertext[], pre_public_key) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.reencrypt_after_threshold(pre_ciphertext[], pre_public_key) IS 'level-2 ciphertexts whose hop a threshold grant made, re-encrypted along the coordinator''s active path from their recipient to target (secant.reencrypt_threshold checked the caller)';

-- Re-encrypt a batch of ciphertexts (one recipient) for target through a
-- threshold grant from their recipient (then the coordinator's own grants
-- from its grantee to target, as secant.reencrypt_for): t nodes are asked
-- at once (dblink_send_query), a node that is down or errs is named in a
-- WARNING and the next one asked; every partial's proof is checked by
-- pre_tcombine before any value is returned; a node whose partial fails
-- its proof is named in a WARNING and replaced.  verify false: no proof is
-- checked (the structure is); a wrong partial then gives a value whose
-- AEAD fails at the client, which re-reads that record with verify true
-- (docs/THRESHOLD.md, "What is checked, where, when").
CREATE FUNCTION secant.reencrypt_threshold(cts pre_ciphertext[], target pre_public_key, verify boolean DEFAULT true)
RETURNS pre_ciphertext[]
STRICT LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dl text;
    m integer := pg_catalog.cardinality(cts);
    recipient @extschema@.pre_public_key;
    g secant.threshold_grants;
    nodes text[];
    idxs integer[];
    shares bytea[];
    next_pos integer := 1;
    good integer[] := '{}';     -- positions (into nodes) whose partials are held
    res bytea[] := '{}';        -- their partials, m per position, in good's order
    launched integer[];
    pend bytea[];
    got bytea[];
    parts bytea[];
    bad integer[];
    out @extschema@.pre_ciphertext[];
    pos integer;
    j integer;
    k integer;
    q text;
BEGIN
    IF m OPERATOR(pg_catalog.=) 0 THEN
        RETURN cts;
    END IF;
    IF NOT secant_internal.lock_obtain_basis(target, secant.asking_user()) THEN
        RAISE EXCEPTION 'role "%" may not obtain what is addressed to this principal',
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) secant.asking_user())
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.unnest(cts) c WHERE @extschema@.pre_level(c) OPERATOR(pg_catalog.<>) 1) THEN
        RAISE EXCEPTION 'a threshold hop is the first hop: the ciphertexts must be at level 1'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    recipient := @extschema@.pre_recipient(cts[1]);
    IF EXISTS (SELECT 1 FROM pg_catalog.unnest(cts) c WHERE @extschema@.pre_recipient(c) OPERATOR(@extschema@.<>) recipient) THEN
        RAISE EXCEPTION 'a batch is for one recipient' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO g FROM secant.threshold_grants x
    WHERE x.from_key OPERATOR(@extschema@.=) recipient AND x.revoked_at IS NULL
      AND (x.not_after IS NULL OR x.not_after OPERATOR(pg_catalog.>) GREATEST(pg_catalog.statement_timestamp(), pg_catalog.transaction_timestamp()))
      AND (x.to_key OPERATOR(@extschema@.=) target OR EXISTS (SELECT 1 FROM secant.path(x.to_key, target)))
    ORDER BY x.created_at DESC LIMIT 1 FOR SHARE;  -- revoke_threshold's UPDATE waits for the read
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no active threshold grant from the ciphertexts'' recipient towards this principal'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT pg_catalog.array_agg(h.node ORDER BY h.idx), pg_catalog.array_agg(h.idx ORDER BY h.idx),
           pg_catalog.array_agg(h.share ORDER BY h.idx)
    INTO nodes, idxs, shares
    FROM secant.threshold_holders h
    WHERE h.hop_key OPERATOR(pg_catalog.=) g.hop_key AND h.removed_at IS NULL;
    IF coalesce(pg_catalog.cardinality(nodes), 0) OPERATOR(pg_catalog.<) g.t THEN
        RAISE EXCEPTION 'fewer than % nodes hold shares of this threshold grant', g.t
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    dl := secant_internal.dblink_schema();
    BEGIN
        LOOP
            -- ask as many nodes at once as partials are missing
            launched := '{}';
            WHILE pg_catalog.cardinality(good) OPERATOR(pg_catalog.+) pg_catalog.cardinality(launched) OPERATOR(pg_catalog.<) g.t
                  AND next_pos OPERATOR(pg_catalog.<=) pg_catalog.cardinality(nodes) LOOP
                pos := next_pos;
                next_pos := next_pos OPERATOR(pg_catalog.+) 1;
                pend := ARRAY(SELECT h.hop_key FROM secant.threshold_holders h
                              JOIN secant.threshold_grants x ON x.hop_key OPERATOR(pg_catalog.=) h.hop_key
                              WHERE h.node OPERATOR(pg_catalog.=) nodes[pos] AND x.revoked_at IS NOT NULL
                                AND h.removed_at IS NULL);
                q := pg_catalog.format('SELECT secant.threshold_partials(%L::pg_catalog.bytea, %L, %L::pg_catalog.bytea[])',
                                       g.hop_key, cts::pg_catalog.text, pend);
                BEGIN
                    PERFORM secant_internal.node_send(dl, 'secant_node_' OPERATOR(pg_catalog.||) pos, nodes[pos], q);
                    launched := launched OPERATOR(pg_catalog.||) pos;
                EXCEPTION WHEN OTHERS THEN
                    RAISE WARNING 'threshold node "%" is unreachable: %', nodes[pos], SQLERRM;
                    PERFORM secant_internal.node_close(dl, 'secant_node_' OPERATOR(pg_catalog.||) pos);
                END;
            END LOOP;
            IF pg_catalog.cardinality(good) OPERATOR(pg_catalog.+) pg_catalog.cardinality(launched) OPERATOR(pg_catalog.<) g.t THEN
                RAISE EXCEPTION 'fewer than % nodes of this threshold grant answered', g.t
                    USING ERRCODE = 'connection_failure';
            END IF;
            FOREACH pos IN ARRAY launched LOOP
                BEGIN
                    EXECUTE pg_catalog.format('SELECT r.p FROM %I.dblink_get_result(%L) AS r(p pg_catalog.bytea[])',
                                              dl, 'secant_node_' OPERATOR(pg_catalog.||) pos) INTO got;
                    IF coalesce(pg_catalog.cardinality(got), 0) OPERATOR(pg_catalog.<>) m
                       OR EXISTS (SELECT 1 FROM pg_catalog.unnest(got) p
                                  WHERE p IS NULL OR pg_catalog.octet_length(p) OPERATOR(pg_catalog.<>) 104
                                     OR pg_catalog.get_byte(p, 5) OPERATOR(pg_catalog.<>) idxs[pos]) THEN
                        RAISE EXCEPTION 'answered % values, not % partials of share %', coalesce(pg_catalog.cardinality(got), 0), m, idxs[pos];
                    END IF;
                    good := good OPERATOR(pg_catalog.||) pos;
                    res := res OPERATOR(pg_catalog.||) got;
                    UPDATE secant.threshold_holders h SET removed_at = pg_catalog.now()
                    WHERE h.node OPERATOR(pg_catalog.=) nodes[pos] AND h.removed_at IS NULL
                      AND h.hop_key OPERATOR(pg_catalog.=) ANY (ARRAY(
                          SELECT x.hop_key FROM secant.threshold_grants x WHERE x.revoked_at IS NOT NULL));
                EXCEPTION WHEN OTHERS THEN
                    RAISE WARNING 'threshold node "%" failed: %', nodes[pos], SQLERRM;
                END;
                PERFORM secant_internal.node_close(dl, 'secant_node_' OPERATOR(pg_catalog.||) pos);
            END LOOP;
            CONTINUE WHEN pg_catalog.cardinality(good) OPERATOR(pg_catalog.<) g.t;
            -- combine (every proof checked); on a failure, find the liars
            out := @extschema@.pre_tcombine_batch(cts, shares[good[1]], res, g.t, verify);
            bad := '{}';
            j := (SELECT u.o FROM pg_catalog.unnest(out) WITH ORDINALITY u(c, o)
                  WHERE u.c IS NULL ORDER BY u.o LIMIT 1);
            IF j IS NOT NULL THEN
                parts := ARRAY(SELECT res[(gk.i OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.*) m OPERATOR(pg_catalog.+) j]
                               FROM pg_catalog.generate_series(1, g.t) gk(i) ORDER BY gk.i);
                FOR k IN 1 .. g.t LOOP
                    IF NOT @extschema@.pre_tpartial_verify(parts[k], shares[good[k]], cts[j]) THEN
                        bad := bad OPERATOR(pg_catalog.||) good[k];
                    END IF;
                END LOOP;
                IF pg_catalog.cardinality(bad) OPERATOR(pg_catalog.=) 0 THEN
                    PERFORM @extschema@.pre_tcombine(cts[j], shares[good[1]], parts);  -- raises its error
                    RAISE EXCEPTION 'partials for ciphertext % do not combine', j;
                END IF;
            END IF;
            EXIT WHEN pg_catalog.cardinality(bad) OPERATOR(pg_catalog.=) 0;
            FOREACH pos IN ARRAY bad LOOP
                RAISE WARNING 'threshold node "%" returned a partial whose proof does not verify: ignored, another node asked', nodes[pos];
            END LOOP;
            res := ARRAY(SELECT res[(gk.i OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.*) m OPERATOR(pg_catalog.+) gj.i]
                         FROM pg_catalog.generate_series(1, pg_catalog.cardinality(good)) gk(i)
                         CROSS JOIN pg_catalog.generate_series(1, m) gj(i)
                         WHERE good[gk.i] OPERATOR(pg_catalog.<>) ALL (bad) ORDER BY gk.i, gj.i);
            good := ARRAY(SELECT x FROM pg_catalog.unnest(good) WITH ORDINALITY u(x, o)
                          WHERE x OPERATOR(pg_catalog.<>) ALL (bad) ORDER BY u.o);
        END LOOP;
    EXCEPTION WHEN OTHERS OR query_canceled THEN  -- a cancel too: no connection outlives the call
        FOR pos IN 1 .. pg_catalog.cardinality(nodes) LOOP
            PERFORM secant_internal.node_close(dl, 'secant_node_' OPERATOR(pg_catalog.||) pos);
        END LOOP;
        RAISE;
    END;
    IF g.to_key OPERATOR(@extschema@.<>) target THEN
        out := secant_internal.reencrypt_after_threshold(out, target);
    END IF;
    RETURN out;
END $$;
GRANT EXECUTE ON FUNCTION secant.reencrypt_threshold(pre_ciphertext[], pre_public_key, boolean) TO PUBLIC;
COMMENT ON FUNCTION secant.reencrypt_threshold(pre_ciphertext[], pre_public_key, boolean) IS 're-encrypt a batch of ciphertexts (one recipient) for target through a threshold grant from their recipient: t nodes asked at once (dblink), every partial''s proof checked before combining (verify false: only the structure; a wrong partial gives a value whose AEAD fails at the client, which re-reads with verify true), a node down or lying named in a WARNING and replaced; then the coordinator''s own grants to target; for a role bound to target or a proxy';

-- ---- the coordinator: revocation across nodes ----

-- Revoke a threshold grant: refused at once here; its share removed on
-- every node that answers (a WARNING names each that does not); the
-- others remove it in the first request the coordinator sends them
-- (secant.threshold_partials' revoked).  One row per node.
CREATE FUNCTION secant.revoke_threshold(hop_key bytea)
RETURNS TABLE (node text, removed boolean)
STRICT LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g secant.threshold_grants;
    h record;
    dl text;
    ok boolean;
BEGIN
    PERFORM secant.require_admin();
    UPDATE secant.threshold_grants x
    SET revoked_at = coalesce(x.revoked_at, pg_catalog.now()), revoked_by = coalesce(x.revoked_by, SESSION_USER)
    WHERE x.hop_key OPERATOR(pg_catalog.=) revoke_threshold.hop_key RETURNING x.* INTO g;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no threshold grant with this hop key' USING ERRCODE = 'no_data_found';
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('revoke threshold grant', pg_catalog.jsonb_build_object(
        'from_key', g.from_key::text, 'to_key', g.to_key::text, 'hop_key', pg_catalog.encode(g.hop_key, 'hex')));
    dl := secant_internal.dblink_schema();
    FOR h IN SELECT x.node, x.idx FROM secant.threshold_holders x
             WHERE x.hop_key OPERATOR(pg_catalog.=) g.hop_key AND x.removed_at IS NULL ORDER BY x.idx LOOP
        BEGIN
            PERFORM secant_internal.node_send(dl, 'secant_revoke', h.node,
                pg_catalog.format('SELECT secant.revoke_grant_share(%L::pg_catalog.bytea)', g.hop_key));
            EXECUTE pg_catalog.format('SELECT r.x FROM %I.dblink_get_result(%L) AS r(x boolean)', dl, 'secant_revoke')
            INTO ok;
            UPDATE secant.threshold_holders x SET removed_at = pg_catalog.now()
            WHERE x.hop_key OPERATOR(pg_catalog.=) g.hop_key AND x.idx OPERATOR(pg_catalog.=) h.idx;
            removed := true;
        EXCEPTION WHEN query_canceled THEN  -- no connection outlives the call
            PERFORM secant_internal.node_close(dl, 'secant_revoke');
            RAISE;
        WHEN OTHERS THEN
            RAISE WARNING 'threshold node "%" did not remove its share: %', h.node, SQLERRM
                USING HINT = 'It removes it in the first request this coordinator sends it; secant.threshold_status shows what is left.';
            removed := false;
        END;
        PERFORM secant_internal.node_close(dl, 'secant_revoke');
        node := h.node;
        RETURN NEXT;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION secant.revoke_threshold(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke_threshold(bytea) TO secant_admin;
COMMENT ON FUNCTION secant.revoke_threshold(bytea) IS 'admins of the coordinator: revoke a threshold grant: refused here at once, its share removed on every node that answers (one row per node: removed or not; a WARNING names each unreachable one, which removes it when next asked)';

CREATE VIEW secant.threshold_status WITH (security_invoker = true) AS
SELECT g.hop_key, g.from_key, g.to_key, g.t, g.n, g.not_after, g.revoked_at,
       pg_catalog.count(h.idx) FILTER (WHERE h.removed_at IS NULL) AS holders_left,
       pg_catalog.array_agg(h.node ORDER BY h.idx) FILTER (WHERE h.removed_at IS NULL) AS nodes_left,
       pg_catalog.count(h.idx) FILTER (WHERE h.removed_at IS NULL) OPERATOR(pg_catalog.<) g.t AS closed
FROM secant.threshold_grants g
LEFT JOIN secant.threshold_holders h ON h.hop_key OPERATOR(pg_catalog.=) g.hop_key
GROUP BY g.hop_key;
COMMENT ON VIEW secant.threshold_status IS 'each threshold grant of this coordinator: revoked here (revoked_at), the nodes that may still hold its share (not confirmed removed), and closed: fewer than t of them, so no t nodes can serve it even without this coordinator';
REVOKE ALL ON secant.threshold_status FROM PUBLIC;
GRANT SELECT ON secant.threshold_status TO secant_admin;

-- ---- authority: the doors of the owner-run functions ----
-- (docs/SECURITY.md, "Authority")  Authority is the asking role's: the
-- current_user whose code calls.  A SECURITY DEFINER function cannot see
-- its caller's current_user, so each function below that runs with the
-- extension owner's rights and decides by who asks has its body in
-- secant_internal (SECURITY DEFINER, executable by its owner only) and a
-- door in secant (src/pg/authority.c: a C function run with the caller's
-- rights, which records the caller as the asking role and calls the body;
-- refused inside a security-restricted operation), with the body's
-- signature, defaults, volatility, strictness, privileges and comment.
DO $$
DECLARE
    f record;
    g record;
    door text;
BEGIN
    FOR f IN SELECT p.oid, p.proname, p.proisstrict, p.provolatile,
                    pg_catalog.pg_get_function_arguments(p.oid) AS args,
                    pg_catalog.pg_get_function_result(p.oid) AS result,
                    pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
                    coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)) AS acl
             FROM pg_catalog.pg_proc p
             -- every SECURITY DEFINER function of secant that anyone but its
             -- owner may execute (the rule: docs/SECURITY.md, "Authority")
             WHERE p.pronamespace OPERATOR(pg_catalog.=) 'secant'::pg_catalog.regnamespace
               AND p.prosecdef
               AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
                           WHERE a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
                             AND a.grantee OPERATOR(pg_catalog.<>) p.proowner)
             ORDER BY p.proname
    LOOP
        IF NOT (SELECT p.prosecdef FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) f.oid) THEN
            RAISE EXCEPTION 'secant_pre: % is not SECURITY DEFINER', f.oid::pg_catalog.regprocedure;
        END IF;
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET SCHEMA secant_internal', f.oid::pg_catalog.regprocedure);
        EXECUTE pg_catalog.format('CREATE FUNCTION secant.%I(%s) RETURNS %s AS %L, %L LANGUAGE C %s %s',
                                  f.proname, f.args, f.result, 'MODULE_PATHNAME', 'pre_door',
                                  CASE f.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
                                  CASE WHEN f.proisstrict THEN 'STRICT' ELSE 'CALLED ON NULL INPUT' END);
        door := pg_catalog.format('secant.%I(%s)', f.proname,
                                  pg_catalog.pg_get_function_identity_arguments(f.oid));
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', door);
        FOR g IN SELECT a.grantee FROM pg_catalog.aclexplode(f.acl) a
                 WHERE a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
                   AND a.grantee OPERATOR(pg_catalog.<>) (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) f.oid)
                 ORDER BY a.grantee
        LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', door,
                                      CASE g.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END);
            EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM %s', f.oid::pg_catalog.regprocedure,
                                      CASE g.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END);
        END LOOP;
        EXECUTE pg_catalog.format('COMMENT ON FUNCTION %s IS %L', door, f.comment);
        EXECUTE pg_catalog.format('COMMENT ON FUNCTION %s IS %L', f.oid::pg_catalog.regprocedure,
                                  pg_catalog.format('the body of %s, run as the extension''s owner through that door only (docs/SECURITY.md, "Authority")', door));
    END LOOP;
END $$;

-- ---- Performance: bulk, after the doors ----
-- secant.enable_sharing is a door that does one thing more: once its body
-- (owner-run) has registered the share table and installed its triggers,
-- it shares the rows the table already holds, with the caller's rights, as
-- one INSERT of them would (src/pg/share.c, pre_enable_sharing).
CREATE OR REPLACE FUNCTION secant.enable_sharing(share_table regclass, source_table regclass, source_column name,
                                                 source_key name, reference_column name, recipient_column name)
RETURNS void AS 'MODULE_PATHNAME', 'pre_enable_sharing' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.enable_sharing(regclass, regclass, name, name, name, name) IS 'register share_table for sharing and install its triggers: a row inserted into share_table asks for a copy of source_table''s source_column (the row whose source_key equals the share''s reference_column) for the share''s recipient_column; the rows share_table already holds are shared at once, with the caller''s rights, as one INSERT of them would (their copies made anew); by the share table''s owner (with TRIGGER on the source table) or an admin; ordinary permanent tables only, the key and the reference of one type of int2, int4, int8, uuid, text or varchar (deterministic collation)';

-- ---- Performance: replicated removals, every effect ----
-- A logical replication apply (and a restore under session_replication_role
-- = replica) fires only the triggers that are ENABLE ALWAYS or ENABLE
-- REPLICA. Every effect of a change that is not itself replicated fires
-- there: beside the removal locks, the revocation and the invalidations
-- above, the capability's privileges (an admin capability revoked at the
-- origin takes its role's SELECT on the sealed grants on a subscriber as
-- well) and the audit of every table (a subscriber's log is its own; the
-- audit triggers add nothing to a restore). The triggers that stay ENABLE
-- (origin only: checks and fills of a row, which arrives checked and
-- filled) are listed, with why, in docs/SECURITY.md ("Replication"), and
-- test/attacks/surface_sweeps.sh checks the catalog against that list.
ALTER TABLE secant.capabilities ENABLE ALWAYS TRIGGER capabilities_privileges;
ALTER TABLE secant.principals ENABLE ALWAYS TRIGGER principals_audit;
ALTER TABLE secant.bindings ENABLE ALWAYS TRIGGER bindings_audit;
ALTER TABLE secant.capabilities ENABLE ALWAYS TRIGGER capabilities_audit;
ALTER TABLE secant.settings ENABLE ALWAYS TRIGGER settings_audit;
ALTER TABLE secant.index_keys ENABLE ALWAYS TRIGGER index_keys_audit;
ALTER TABLE secant.grant_shares ENABLE ALWAYS TRIGGER grant_shares_audit;
