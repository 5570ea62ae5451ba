-- secant_pre: proxy re-encryption (PRE) in PostgreSQL.  The whole current
-- schema, in reading order; `make` builds secant_pre--<version>.sql from
-- this file.  Byte formats: docs/SCHEME.md (secant-pre/v1).  Layers,
-- policies and the threat model: the README.
--
-- Sections: types (text, binary and bytea I/O, casts), functions,
-- operators and operator classes; then schema secant: roles, schema,
-- tables, privileges, audit, principals and grants, paths, sharing,
-- revocation, search.
--
-- Every change to the SQL surface is a new version: edit this file AND
-- add sql/secant_pre--<previous>--<new>.sql; the regression test
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

-- ---- functions ----

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
-- (principals, grants and their paths, re-encryption along a path, sharing
-- triggers, revocation, the hash-chained audit log)

-- ---- roles ----

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'secant_admin') THEN
        CREATE ROLE secant_admin NOLOGIN;
    END IF;
END $$;
COMMENT ON ROLE secant_admin IS 'manages secant_pre principals, grants and revocations';

-- ---- schema secant ----

CREATE SCHEMA secant;
COMMENT ON SCHEMA secant IS 'secant_pre access control: principals, grants, shares, revocation, audit';
REVOKE ALL ON SCHEMA secant FROM PUBLIC;
GRANT USAGE ON SCHEMA secant TO PUBLIC;

CREATE TABLE secant.principals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> ''),
    kind text NOT NULL CHECK (kind IN ('group', 'user', 'device')),
    public_key pre_public_key NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.principals IS 'groups, users and devices, each with its public key';

CREATE TABLE secant.grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rekey pre_grant NOT NULL,
    from_key pre_public_key NOT NULL GENERATED ALWAYS AS (pre_grant_from(rekey)) STORED
        REFERENCES secant.principals (public_key) ON DELETE RESTRICT,
    to_key pre_public_key NOT NULL GENERATED ALWAYS AS (pre_grant_to(rekey)) STORED
        REFERENCES secant.principals (public_key) ON DELETE RESTRICT,
    not_after timestamptz GENERATED ALWAYS AS (pre_grant_not_after(rekey)) STORED,
    hop_key bytea NOT NULL GENERATED ALWAYS AS (pre_grant_hop_key(rekey)) STORED UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grants_from_key ON secant.grants (from_key);
CREATE INDEX grants_to_key ON secant.grants (to_key);
COMMENT ON TABLE secant.grants IS 're-encryption keys: group->user is membership, user->device is enrolment; rekey is readable only by secant_admin and the extension''s functions';

CREATE TABLE secant.share_tables (
    table_name regclass CONSTRAINT share_tables_pkey PRIMARY KEY,
    copy_column name NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.share_tables IS 'tables holding copies made by secant.share_trigger, searched by secant.revoke';

CREATE TABLE secant.audit_log (
    seq bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    actor name NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL
);
COMMENT ON TABLE secant.audit_log IS 'append-only, hash-chained log of principal, grant, share and revocation changes';

SELECT pg_catalog.pg_extension_config_dump('secant.principals', '');
SELECT pg_catalog.pg_extension_config_dump('secant.grants', '');
SELECT pg_catalog.pg_extension_config_dump('secant.share_tables', '');
SELECT pg_catalog.pg_extension_config_dump('secant.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.principals', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.grants', 'id')::regclass, '');

-- ---- privileges ----

REVOKE ALL ON ALL TABLES IN SCHEMA secant FROM PUBLIC;
GRANT SELECT ON secant.principals TO PUBLIC;
GRANT SELECT (id, from_key, to_key, not_after, hop_key, created_at) ON secant.grants TO PUBLIC;
GRANT SELECT, INSERT, UPDATE (name), DELETE ON secant.principals TO secant_admin;
GRANT SELECT, INSERT, DELETE ON secant.grants TO secant_admin;
GRANT SELECT ON secant.share_tables, secant.audit_log TO secant_admin;

-- ---- audit log ----

-- The canonical bytes of an entry: a JSON array (unambiguous, independent
-- of DateStyle and TimeZone).
CREATE FUNCTION secant.audit_entry(seq bigint, at timestamptz, actor name, action text, detail jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT convert_to(jsonb_build_array(seq, (extract(epoch FROM at) * 1000000)::bigint,
                                          actor, action, detail)::text, 'UTF8') $$;
COMMENT ON FUNCTION secant.audit_entry(bigint, timestamptz, name, text, jsonb) IS 'canonical bytes of an audit entry, as hashed into the chain';

-- Chain a new entry: serialised by a transaction-level advisory lock, so
-- each entry links to the one committed before it.
CREATE FUNCTION secant.audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    last secant.audit_log;
BEGIN
    -- a restore (pg_dump data) brings whole rows: a superuser may load them
    IF NEW.hash IS NOT NULL AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('secant.audit_log'));
    SELECT * INTO last FROM secant.audit_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) + 1;
    NEW.at := clock_timestamp();
    NEW.actor := session_user;
    NEW.prev_hash := coalesce(last.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.hash := pre_audit_hash(NEW.prev_hash,
                               secant.audit_entry(NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.detail));
    RETURN NEW;
END $$;
COMMENT ON FUNCTION secant.audit_log_chain() IS 'trigger: number, time-stamp and hash-chain a new audit entry';

CREATE FUNCTION secant.audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'secant.audit_log is append-only'
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = format('%s is refused on the audit log.', TG_OP);
END $$;
COMMENT ON FUNCTION secant.audit_log_refuse() IS 'trigger: refuse UPDATE, DELETE and TRUNCATE of the audit log';

CREATE TRIGGER audit_log_chain BEFORE INSERT ON secant.audit_log
    FOR EACH ROW EXECUTE FUNCTION secant.audit_log_chain();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON secant.audit_log
    FOR EACH ROW EXECUTE FUNCTION secant.audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON secant.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION secant.audit_log_refuse();

CREATE FUNCTION secant.audit(action text, detail jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO secant.audit_log (action, detail) VALUES (action, detail) RETURNING seq $$;
REVOKE ALL ON FUNCTION secant.audit(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit(text, jsonb) TO secant_admin;
COMMENT ON FUNCTION secant.audit(text, jsonb) IS 'append an entry to the audit log; returns its sequence number';

CREATE FUNCTION secant.audit_verify() RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    r secant.audit_log;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    expect bigint := 1;
BEGIN
    FOR r IN SELECT * FROM secant.audit_log ORDER BY seq LOOP
        IF r.seq <> expect OR r.prev_hash <> prev OR
           r.hash <> pre_audit_hash(prev, secant.audit_entry(r.seq, r.at, r.actor, r.action, r.detail)) THEN
            RETURN r.seq;
        END IF;
        prev := r.hash;
        expect := expect + 1;
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_verify() TO secant_admin;
COMMENT ON FUNCTION secant.audit_verify() IS 'the sequence number of the first broken link of the audit chain, or NULL when it is intact';

CREATE FUNCTION secant.audit_head() RETURNS bytea
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT hash FROM secant.audit_log ORDER BY seq DESC LIMIT 1 $$;
REVOKE ALL ON FUNCTION secant.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_head() TO secant_admin;
COMMENT ON FUNCTION secant.audit_head() IS 'hash of the newest audit entry: anchor it outside the database to detect a rewritten chain';

-- A superuser loading secant's tables with COPY (pg_restore, or psql on a
-- plain dump): the rows come with their audit entries already in the dump,
-- so the audit triggers must not add new ones.
CREATE FUNCTION secant.restoring() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
             AND current_query() ~* '^\s*COPY\s+secant\.' $$;
COMMENT ON FUNCTION secant.restoring() IS 'true while a superuser loads secant tables with COPY (a restore): audit triggers then add nothing';

-- Audit every change of principals and grants, whoever makes it.
CREATE FUNCTION secant.audit_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    r record;
    detail jsonb;
BEGIN
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'principals' THEN
        detail := jsonb_build_object('name', r.name, 'kind', r.kind, 'public_key', r.public_key::text);
    ELSE
        detail := jsonb_build_object('grant_id', r.id, 'from_key', r.from_key::text,
                                     'to_key', r.to_key::text, 'not_after', r.not_after);
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES (lower(TG_OP) || ' ' || rtrim(TG_TABLE_NAME, 's'), detail);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION secant.audit_change() IS 'trigger: log a change of principals or grants in the audit log';
CREATE TRIGGER principals_audit AFTER INSERT OR UPDATE OR DELETE ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();
CREATE TRIGGER grants_audit AFTER INSERT OR DELETE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();

-- ---- principals and grants ----

CREATE FUNCTION secant.add_principal(name text, kind text, public_key pre_public_key) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ INSERT INTO secant.principals (name, kind, public_key) VALUES (name, kind, public_key) RETURNING id $$;
REVOKE ALL ON FUNCTION secant.add_principal(text, text, pre_public_key) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_principal(text, text, pre_public_key) TO secant_admin;
COMMENT ON FUNCTION secant.add_principal(text, text, pre_public_key) IS 'register a group, user or device by its public key; returns its id';

CREATE FUNCTION secant.principal_key(name text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    k pre_public_key;
BEGIN
    SELECT p.public_key INTO k FROM secant.principals p WHERE p.name = principal_key.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'principal "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN k;
END $$;
COMMENT ON FUNCTION secant.principal_key(text) IS 'the public key of a principal, by name';

CREATE FUNCTION secant.add_grant(rekey pre_grant) RETURNS bigint
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM secant.principals WHERE public_key = pre_grant_from(rekey)) OR
       NOT EXISTS (SELECT 1 FROM secant.principals WHERE public_key = pre_grant_to(rekey)) THEN
        RAISE EXCEPTION 'grant links an unknown principal'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Add both principals with secant.add_principal() first.';
    END IF;
    INSERT INTO secant.grants (rekey) VALUES (rekey) RETURNING grants.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant(pre_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(pre_grant) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(pre_grant) IS 'store a grant (membership or enrolment) between two known principals; returns its id';

CREATE FUNCTION secant.members(group_name text)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
    SELECT p.name, p.kind, p.public_key, g.not_after
    FROM secant.grants g JOIN secant.principals p ON p.public_key = g.to_key
    WHERE g.from_key = secant.principal_key(group_name)
    ORDER BY p.name $$;
COMMENT ON FUNCTION secant.members(text) IS 'principals holding a grant from the named group (its members), with expiry';

CREATE FUNCTION secant.devices(user_name text)
RETURNS TABLE (name text, public_key pre_public_key, not_after timestamptz)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
    SELECT p.name, p.public_key, g.not_after
    FROM secant.grants g JOIN secant.principals p ON p.public_key = g.to_key
    WHERE g.from_key = secant.principal_key(user_name) AND p.kind = 'device'
    ORDER BY p.name $$;
COMMENT ON FUNCTION secant.devices(text) IS 'devices enrolled by the named user';

-- ---- paths ----

-- Breadth-first search over active grants (unexpired at statement time),
-- backwards from the target: in a group -> user -> device hierarchy the
-- fan-in of a device or a user is small while a group's fan-out is large.
-- One indexed query per level; each principal is visited once.
CREATE FUNCTION secant.path(from_key pre_public_key, to_key pre_public_key, max_depth integer DEFAULT 8)
RETURNS TABLE (hop integer, grant_id bigint, hop_from pre_public_key, hop_to pre_public_key, not_after timestamptz)
STRICT LANGUAGE plpgsql STABLE PARALLEL SAFE
-- a few indexed queries per call, a handful of rows: tell the planner, so
-- that it evaluates a constant path once rather than per outer row
COST 10000 ROWS 4
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    frontier pre_public_key[] := ARRAY[to_key];
    seen pre_public_key[] := ARRAY[to_key];
    next_frontier pre_public_key[];
    -- the edge taken from each key discovered, towards the target
    e_id bigint[] := '{}';
    e_from pre_public_key[] := '{}';
    e_to pre_public_key[] := '{}';
    e_exp timestamptz[] := '{}';
    depth integer := 0;
    cur pre_public_key := from_key;
    i integer;
    r record;
BEGIN
    IF from_key = to_key THEN
        RETURN;
    END IF;
    WHILE NOT from_key = ANY (seen) AND depth < least(max_depth, 15) AND cardinality(frontier) > 0 LOOP
        depth := depth + 1;
        next_frontier := '{}';
        FOR r IN
            SELECT DISTINCT ON (g.from_key) g.id, g.from_key AS f, g.to_key AS t, g.not_after AS x
            FROM secant.grants g
            WHERE g.to_key = ANY (frontier)
              AND NOT g.from_key = ANY (seen)
              AND (g.not_after IS NULL OR g.not_after > statement_timestamp())
            ORDER BY g.from_key, g.not_after DESC NULLS FIRST, g.id DESC
        LOOP
            e_id := e_id || r.id;
            e_from := e_from || r.f;
            e_to := e_to || r.t;
            e_exp := e_exp || r.x;
            seen := seen || r.f;
            next_frontier := next_frontier || r.f;
        END LOOP;
        frontier := next_frontier;
    END LOOP;
    IF NOT from_key = ANY (seen) THEN
        RETURN;
    END IF;
    -- follow the recorded edges forwards from the start
    hop := 0;
    WHILE cur <> to_key LOOP
        i := array_position(e_from, cur);
        hop := hop + 1;
        grant_id := e_id[i];
        hop_from := e_from[i];
        hop_to := e_to[i];
        not_after := e_exp[i];
        cur := e_to[i];
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION secant.path(pre_public_key, pre_public_key, integer) IS 'a shortest chain of active grants (unexpired at statement time, not revoked) between two keys; no rows when there is none';

-- VOLATILE and PARALLEL UNSAFE on purpose: the path lookup takes a fresh
-- snapshot after locking secant.grants, so that no copy through a revoked
-- grant is made after the revocation commits.  Not SECURITY DEFINER: the
-- lookup alone (once per statement) runs as the owner with a safe
-- search_path, so the rows pay nothing for it (see src/path.c).
CREATE FUNCTION secant.reencrypt_for(ct pre_ciphertext, target pre_public_key) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_reencrypt_for' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, pre_public_key) IS 're-encrypt along the active grant path from the ciphertext''s current recipient to target (path looked up once per statement); error 42501 when there is none';

CREATE FUNCTION secant.grants_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_grants_changed' LANGUAGE C;
COMMENT ON FUNCTION secant.grants_changed() IS 'trigger: invalidate the paths cached by secant.reencrypt_for in this session';
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant.grants_changed();

-- ---- sharing ----

-- Only a table that has a secant.share_trigger and a pre_ciphertext copy
-- column of that name can be registered.
CREATE FUNCTION secant.register_share_table(table_name regclass, copy_column name) RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM secant.share_tables s
               WHERE s.table_name = register_share_table.table_name
                 AND s.copy_column = register_share_table.copy_column) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger
                   WHERE tgrelid = table_name AND tgfoid = 'secant.share_trigger()'::regprocedure)
       OR NOT EXISTS (SELECT 1 FROM pg_attribute
                      WHERE attrelid = table_name AND attname = copy_column AND NOT attisdropped
                        AND atttypid = 'pre_ciphertext'::regtype) THEN
        RAISE EXCEPTION 'table % has no secant.share_trigger with a pre_ciphertext column %', table_name, copy_column
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO secant.share_tables (table_name, copy_column)
    VALUES (table_name, copy_column)
    ON CONFLICT ON CONSTRAINT share_tables_pkey DO UPDATE SET copy_column = EXCLUDED.copy_column;
END $$;
COMMENT ON FUNCTION secant.register_share_table(regclass, name) IS 'record a table whose copy column holds re-encrypted copies, so that revocation finds them (done by secant.share_trigger)';

-- C: checks that the caller may write the share table and that the table
-- carries the sharing trigger, then writes the entry as the owner.
CREATE FUNCTION secant.log_share(table_name regclass, copy pre_ciphertext) RETURNS void
    AS 'MODULE_PATHNAME', 'pre_log_share' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.log_share(regclass, pre_ciphertext) IS 'log a copy made by secant.share_trigger in the audit log';

-- Arguments: source table, source ciphertext column, source key column,
-- the share's column referencing the source key, the share's recipient
-- column (pre_public_key), the share's copy column (pre_ciphertext).
CREATE FUNCTION secant.share_trigger() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    src regclass;
    ct pre_ciphertext;
    target pre_public_key;
    copy pre_ciphertext;
    changed boolean;
    n bigint;
BEGIN
    IF TG_NARGS <> 6 OR TG_LEVEL <> 'ROW' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION 'secant.share_trigger must be a BEFORE ... FOR EACH ROW trigger with 6 arguments'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Arguments: source table, source column, source key column, share reference column, recipient column, copy column.';
    END IF;
    src := TG_ARGV[0]::regclass;
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT ($1).%1$I IS DISTINCT FROM ($2).%1$I OR ($1).%2$I IS DISTINCT FROM ($2).%2$I',
                       TG_ARGV[3], TG_ARGV[4])
            INTO changed USING OLD, NEW;
        IF NOT changed THEN
            RETURN NEW;
        END IF;
    END IF;
    EXECUTE format('SELECT ($1).%I', TG_ARGV[4]) INTO target USING NEW;
    EXECUTE format('SELECT s.%I FROM %s s WHERE s.%I = ($1).%I', TG_ARGV[1], src, TG_ARGV[2], TG_ARGV[3])
        INTO ct USING NEW;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RAISE EXCEPTION 'shared row not found in %', src
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF ct IS NOT NULL AND target IS NOT NULL THEN
        copy := secant.reencrypt_for(ct, target);
        PERFORM secant.register_share_table(TG_RELID, TG_ARGV[5]);
        PERFORM secant.log_share(TG_RELID, copy);
    END IF;
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[5], copy::text));
    RETURN NEW;
END $$;
COMMENT ON FUNCTION secant.share_trigger() IS 'trigger: fill a share row''s copy column with the source ciphertext re-encrypted for the row''s recipient, and register it for revocation';

-- ---- revocation ----

-- Takes an ACCESS EXCLUSIVE lock on secant.grants: it waits for every
-- transaction that has read grants (shares, reencrypt_for) to end, and
-- blocks new readers until it commits, so no copy through the revoked
-- grant can be made after the revocation commits.
CREATE FUNCTION secant.revoke(from_key pre_public_key, to_key pre_public_key) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    marks bytea[];
    t record;
    n bigint;
    copies bigint := 0;
BEGIN
    LOCK TABLE secant.grants IN ACCESS EXCLUSIVE MODE;
    WITH gone AS (
        DELETE FROM secant.grants g
        WHERE g.from_key = revoke.from_key AND g.to_key = revoke.to_key
        RETURNING g.hop_key)
    SELECT array_agg(hop_key) INTO marks FROM gone;
    IF marks IS NULL THEN
        RAISE EXCEPTION 'no grant to revoke between these keys'
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'secant.grants holds no grant from the first key to the second.';
    END IF;
    FOR t IN
        SELECT s.table_name, s.copy_column
        FROM secant.share_tables s
        JOIN pg_attribute a ON a.attrelid = s.table_name AND a.attname = s.copy_column
                           AND NOT a.attisdropped
        ORDER BY s.table_name::oid
    LOOP
        EXECUTE format('DELETE FROM %s WHERE pre_hop_keys(%I) && $1', t.table_name, t.copy_column)
            USING marks;
        GET DIAGNOSTICS n = ROW_COUNT;
        copies := copies + n;
    END LOOP;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('revoke', jsonb_build_object('from_key', from_key::text, 'to_key', to_key::text,
                                         'grants', cardinality(marks), 'copies_deleted', copies));
    RETURN copies;
END $$;
REVOKE ALL ON FUNCTION secant.revoke(pre_public_key, pre_public_key) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(pre_public_key, pre_public_key) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(pre_public_key, pre_public_key) IS 'remove every grant from one key to another and, in the same transaction, every registered copy made through them; returns the number of copies deleted';

CREATE FUNCTION secant.revoke(from_name text, to_name text) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT secant.revoke(secant.principal_key(from_name), secant.principal_key(to_name)) $$;
REVOKE ALL ON FUNCTION secant.revoke(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(text, text) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(text, text) IS 'secant.revoke by principal names';

-- ==== search: index keys shared by PRE ====
-- A group's index key (32 random bytes, made on a client) is stored only as
-- a level-1 pre_ciphertext to the group, so grant paths and revocation
-- govern search exactly as they govern records.  Rows store pre_token[]
-- (GIN-indexed) and the key version they were tokenized with.

CREATE TABLE secant.index_keys (
    group_key pre_public_key NOT NULL REFERENCES secant.principals (public_key) ON DELETE RESTRICT,
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

CREATE FUNCTION secant.audit_index_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('index key', jsonb_build_object('group_key', NEW.group_key::text, 'version', NEW.version));
    RETURN NULL;
END $$;
COMMENT ON FUNCTION secant.audit_index_key() IS 'trigger: log a new index key version in the audit log';
CREATE TRIGGER index_keys_audit AFTER INSERT ON secant.index_keys
    FOR EACH ROW EXECUTE FUNCTION secant.audit_index_key();

-- Store a new version of a group's index key (the first one is version 1).
CREATE FUNCTION secant.rotate_index_key(group_key pre_public_key, key_ct pre_ciphertext) RETURNS integer
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    v integer;
BEGIN
    -- one rotation at a time per group
    PERFORM 1 FROM secant.principals p WHERE p.public_key = rotate_index_key.group_key AND p.kind = 'group' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no group with this public key'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Index keys belong to principals of kind ''group''.';
    END IF;
    IF pre_level(key_ct) <> 1 OR pre_recipient(key_ct) <> group_key THEN
        RAISE EXCEPTION 'index key must be a level-1 ciphertext to the group'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Encrypt the 32-byte key on a client: secant-pre encrypt GROUP_KEY < KEY_FILE.';
    END IF;
    SELECT coalesce(max(k.version), 0) + 1 INTO v FROM secant.index_keys k WHERE k.group_key = rotate_index_key.group_key;
    INSERT INTO secant.index_keys (group_key, version, key_ct) VALUES (group_key, v, key_ct);
    RETURN v;
END $$;
REVOKE ALL ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) IS 'store a new version of a group''s index key (a level-1 ciphertext to the group); returns the version';

CREATE FUNCTION secant.rotate_index_key(group_name text, key_ct pre_ciphertext) RETURNS integer
STRICT LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT secant.rotate_index_key(secant.principal_key(group_name), key_ct) $$;
REVOKE ALL ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) IS 'secant.rotate_index_key by group name';

-- Every version of a group's index key, re-encrypted for target along the
-- active grant path, newest first: a member's device decrypts them.
CREATE FUNCTION secant.index_keys_for(group_name text, target pre_public_key)
RETURNS TABLE (version integer, key_ct pre_ciphertext)
STRICT LANGUAGE sql VOLATILE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
    SELECT k.version, secant.reencrypt_for(k.key_ct, target)
    FROM secant.index_keys k
    WHERE k.group_key = secant.principal_key(group_name)
    ORDER BY k.version DESC $$;
COMMENT ON FUNCTION secant.index_keys_for(text, pre_public_key) IS 'the group''s index key versions re-encrypted for target (newest first); error 42501 without an active grant path';
