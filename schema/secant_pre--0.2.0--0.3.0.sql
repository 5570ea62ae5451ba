-- secant_pre 0.2.0 -> 0.3.0: searchable encrypted index keys.
-- A group's index key (32 random bytes, made on a client) is stored only as
-- a level-1 pre_ciphertext to the group, so grant paths and revocation
-- govern search exactly as they govern records.  Rows store pre_token[]
-- (GIN-indexed) and the key version they were tokenized with.

\echo Use "ALTER EXTENSION secant_pre UPDATE TO '0.3.0'" to load this file. \quit

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
