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
