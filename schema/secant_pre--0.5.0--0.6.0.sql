-- secant_pre 0.5.0 -> 0.6.0 (ALTER EXTENSION secant_pre UPDATE).
--
-- One script for the whole of 0.6.0: each change to the SQL surface adds
-- its own section below, under its header.  Until 0.6.0 is released this
-- script may still change; once released it is frozen (its hash goes into
-- schema/released.sha256).  A fresh install of 0.6.0 (schema/secant_pre.sql)
-- and 0.5.0 updated by this script must give the same objects
-- (sql/09_upgrade.sql checks it).
\echo Use "ALTER EXTENSION secant_pre UPDATE TO '0.6.0'" to load this file. \quit

-- ==== Names: nothing the extension binds or runs resolves through a ====
-- ==== schema a non-superuser can create in                          ====

-- ==== Surface: only the documented API is reachable by PUBLIC;      ====
-- ==== sharing only on registered, permanent tables                  ====

-- ==== Finality: bindings and capabilities as final as revocations;  ====
-- ==== one lock order; a copy of a database starts closed; an admin  ====
-- ==== of one database reads nothing of another                      ====

-- admin scope: secant_admin (cluster-wide) reads nothing PUBLIC may not;
-- the admin capability of this database gives the rest
REVOKE SELECT ON secant.grants FROM secant_admin;
REVOKE SELECT ON secant.database_identity FROM secant_admin;
REVOKE SELECT ON ALL SEQUENCES IN SCHEMA secant FROM secant_admin;
ALTER FUNCTION secant.is_admin() SECURITY DEFINER;
CREATE FUNCTION secant.capability_privileges() RETURNS trigger
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
REVOKE ALL ON FUNCTION secant.capability_privileges() FROM PUBLIC;
COMMENT ON FUNCTION secant.capability_privileges() IS 'trigger: the admin capability''s role reads the sealed grants, the identity and the sequences of this database (pg_dump), and no longer once it is revoked';
CREATE TRIGGER capabilities_privileges AFTER INSERT OR DELETE ON secant.capabilities
    FOR EACH ROW EXECUTE FUNCTION secant.capability_privileges();
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
-- the identity belongs to this database of this cluster: the database
-- being updated claims it.  Copies made from now on start closed; a copy
-- made before 0.6.0 and updated claims it too (no cluster-wide registry):
-- docs/OPERATIONS.md, "Copies, standbys, base backups and pg_upgrade".
ALTER TABLE secant.database_identity ADD COLUMN database_oid oid, ADD COLUMN system_identifier bigint;
UPDATE secant.database_identity
SET database_oid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()),
    system_identifier = (SELECT c.system_identifier FROM pg_catalog.pg_control_system() c);
ALTER TABLE secant.database_identity ALTER COLUMN database_oid SET NOT NULL, ALTER COLUMN system_identifier SET NOT NULL;
COMMENT ON TABLE secant.database_identity IS 'this database''s random identity, bound into its sealed grants (kept across dump and restore), and the database it belongs to';
COMMENT ON COLUMN secant.database_identity.database_oid IS 'the OID of the database the identity belongs to: another database with this row is a copy, closed until adopted';
COMMENT ON COLUMN secant.database_identity.system_identifier IS 'the system identifier of the cluster the identity belongs to (pg_control_system()); a standby and a base backup share it';

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
-- original is gone, clients' secant.server_public_key() stays valid).
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
    n bigint := 0;
BEGIN
    PERFORM secant.require_admin();
    SELECT i.id, i.database_oid, i.system_identifier INTO prev FROM secant.database_identity i FOR UPDATE;
    IF NOT FOUND OR (prev.database_oid OPERATOR(pg_catalog.=) here_oid
                     AND prev.system_identifier OPERATOR(pg_catalog.=) here_sysid) THEN
        RAISE EXCEPTION 'database "%" is live already: there is nothing to adopt', pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Only a copy (TEMPLATE, a restore into another database or cluster, pg_upgrade) is adopted.';
    END IF;
    next_id := CASE WHEN new_identity THEN pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) ELSE prev.id END;
    UPDATE secant.database_identity
    SET id = next_id, database_oid = here_oid, system_identifier = here_sysid;
    IF new_identity THEN
        UPDATE secant.grants g SET sealed = secant.reseal_adopted(g.sealed, g.hop_key, prev.id);
        GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('adopt database', pg_catalog.jsonb_build_object(
        'previous_identity', pg_catalog.encode(prev.id, 'hex'), 'identity', pg_catalog.encode(next_id, 'hex'),
        'previous_database_oid', prev.database_oid, 'database_oid', here_oid,
        'previous_system_identifier', prev.system_identifier::pg_catalog.text,
        'system_identifier', here_sysid::pg_catalog.text, 'grants', n));
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.adopt_database(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.adopt_database(boolean) TO secant_admin;
COMMENT ON FUNCTION secant.adopt_database(boolean) IS 'make a copy of a database (TEMPLATE, restore, pg_upgrade) live here, audited: an identity of its own with every grant re-sealed for it (new_identity => false: the database moved, it keeps its identity); returns the grants re-sealed';

-- the admins of this database keep what they read
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.role FROM secant.capabilities c JOIN pg_catalog.pg_roles x ON x.oid OPERATOR(pg_catalog.=) c.role
             WHERE c.capability OPERATOR(pg_catalog.=) 'admin' LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON secant.grants, secant.database_identity TO %s', r.role::pg_catalog.text);
        EXECUTE pg_catalog.format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA secant TO %s', r.role::pg_catalog.text);
    END LOOP;
END $$;

-- ==== First contact: devices with their revocation reason            ====

-- ==== Performance: policy at the speed of the cryptography           ====
