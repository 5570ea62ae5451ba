-- secant_pre 0.1.0: proxy re-encryption in PostgreSQL.
-- Byte formats: SCHEME.md (secant-pre/v1).  Sections: types, I/O,
-- casts, functions, operators, operator classes.

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
