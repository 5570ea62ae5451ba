-- secant_pre 0.4.0 -> 0.5.0
--
-- Each change below is mirrored in sql/secant_pre.sql (the whole schema);
-- sql/09_upgrade.sql checks that this update gives the same objects as a
-- fresh install.

\echo Use "ALTER EXTENSION secant_pre UPDATE TO '0.5.0'" to load this file. \quit

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
BEGIN
    PERFORM secant.require_admin();
    kid := secant.server_key_id();
    UPDATE secant.grants g SET sealed = secant.reseal(g.sealed, g.hop_key)
    WHERE @extschema@.pre_sealed_grant_key_id(g.sealed) OPERATOR(pg_catalog.<>) kid;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n OPERATOR(pg_catalog.>) 0 THEN
        INSERT INTO secant.audit_log (action, detail)
        VALUES ('reseal grants', pg_catalog.jsonb_build_object('grants', n,
                                                               'server_key_id', pg_catalog.encode(kid, 'hex')));
    END IF;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.reseal_grants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.reseal_grants() TO secant_admin;
COMMENT ON FUNCTION secant.reseal_grants() IS 'server key rotation: re-seal every grant of this database to secant_pre.server_key_file (the old key in secant_pre.previous_server_key_file); returns how many';

-- ---- restores in the wrong order fail with the extension's advice ----
-- A grant or an index key must name registered principals.  The foreign
-- keys say so too, but a parallel pg_restore without the replica role
-- loads these tables before secant.principals: this trigger (before the
-- foreign key) then says what went wrong and how to restore.
CREATE FUNCTION secant.require_principals() RETURNS trigger
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
        IF NOT EXISTS (SELECT FROM secant.principals p WHERE p.public_key OPERATOR(@extschema@.=) k) THEN
            IF secant.restoring() THEN
                RAISE EXCEPTION 'restore loads %.% before secant.principals', TG_TABLE_SCHEMA, TG_TABLE_NAME
                    USING ERRCODE = 'foreign_key_violation',
                          DETAIL = 'A row names a principal that is not restored (yet): pg_restore -j without session_replication_role = replica loads secant''s tables in parallel, and this row would be lost.',
                          HINT = 'Restore into a new database with PGOPTIONS="-c session_replication_role=replica" pg_restore ... (README, "Backup and restore"), then run SELECT * FROM secant.audit_check().';
            END IF;
            RAISE EXCEPTION '%.% names a principal that is not registered', TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = pg_catalog.format('No principal in secant.principals has the key %s.', k::text),
                      HINT = 'Register it first: SELECT secant.add_principal(name, kind, public_key).';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant.require_principals() FROM PUBLIC;
COMMENT ON FUNCTION secant.require_principals() IS 'trigger: a grant or an index key names registered principals; in a restore that loads them first, say how to restore';
CREATE TRIGGER grants_known_principals BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.require_principals();
CREATE TRIGGER index_keys_known_principals BEFORE INSERT ON secant.index_keys
    FOR EACH ROW EXECUTE FUNCTION secant.require_principals();

-- ---- dumps by an admin ----
-- pg_dump reads every sequence of the tables it dumps: an admin of the
-- database (a secant_admin member) may read where secant's sequences are
-- (SELECT only: not nextval, not setval).
GRANT SELECT ON ALL SEQUENCES IN SCHEMA secant TO secant_admin;
-- the database's identity is public (it is in secant.server_public_key())
GRANT SELECT ON secant.database_identity TO secant_admin;
