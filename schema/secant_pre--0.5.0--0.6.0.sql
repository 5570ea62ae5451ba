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
-- This section runs with search_path pg_catalog, pg_temp (SET LOCAL: for
-- this script only) and names the extension's objects with their schema;
-- the sections after it run with the extension's schema again.
SET LOCAL search_path = pg_catalog, pg_temp;

-- secant.readers as 0.4.0 and 0.5.0 made it bound whatever text[] || text
-- and cardinality(pre_public_key[]) the update's search_path found first:
-- re-created with every operator and function qualified.
CREATE OR REPLACE VIEW secant.readers WITH (security_invoker = true) AS
WITH RECURSIVE walk (group_key, principal_key, path_keys, expires) AS (
    SELECT p.public_key, p.public_key, ARRAY[p.public_key], NULL::pg_catalog.timestamptz
    FROM secant.principals p WHERE p.kind OPERATOR(pg_catalog.=) 'group'
  UNION ALL
    SELECT w.group_key, g.to_key, w.path_keys OPERATOR(pg_catalog.||) g.to_key, LEAST(w.expires, g.not_after)
    FROM walk w JOIN secant.grants g ON g.from_key OPERATOR(@extschema@.=) w.principal_key
    WHERE (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp())
      AND NOT g.to_key OPERATOR(@extschema@.=) ANY (w.path_keys)
      AND pg_catalog.cardinality(w.path_keys) OPERATOR(pg_catalog.<) 16
)
SELECT gp.name AS group_name, p.name AS principal, p.kind,
       ARRAY(SELECT q.name FROM pg_catalog.unnest(w.path_keys) WITH ORDINALITY AS u(k, i)
             JOIN secant.principals q ON q.public_key OPERATOR(@extschema@.=) u.k ORDER BY u.i) AS path,
       w.expires,
       ARRAY(SELECT b.role::pg_catalog.text FROM secant.bindings b
             WHERE b.principal_key OPERATOR(@extschema@.=) w.principal_key ORDER BY 1) AS roles,
       false AS pending_reissue
FROM walk w
JOIN secant.principals gp ON gp.public_key OPERATOR(@extschema@.=) w.group_key
JOIN secant.principals p ON p.public_key OPERATOR(@extschema@.=) w.principal_key
WHERE pg_catalog.cardinality(w.path_keys) OPERATOR(pg_catalog.>) 1
UNION ALL
-- paths closed by a key rotation until the delegator grants again
SELECT gp.name, r.grantee, r.grantee_kind,
       ARRAY(SELECT q.name FROM pg_catalog.unnest(w.path_keys) WITH ORDINALITY AS u(k, i)
             JOIN secant.principals q ON q.public_key OPERATOR(@extschema@.=) u.k ORDER BY u.i)
           OPERATOR(pg_catalog.||) r.grantee,
       w.expires,
       ARRAY(SELECT b.role::pg_catalog.text FROM secant.bindings b
             WHERE b.principal_key OPERATOR(@extschema@.=) r.new_key ORDER BY 1),
       true
FROM walk w
JOIN secant.pending_reissue_list() r ON r.delegator_key OPERATOR(@extschema@.=) w.principal_key
JOIN secant.principals gp ON gp.public_key OPERATOR(@extschema@.=) w.group_key;

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
SET LOCAL search_path = @extschema@;

-- ==== Surface: only the documented API is reachable by PUBLIC;      ====
-- ==== sharing only on registered, permanent tables                  ====

-- ==== Finality: bindings and capabilities as final as revocations;  ====
-- ==== one lock order; a copy of a database starts closed; an admin  ====
-- ==== of one database reads nothing of another                      ====

-- ==== First contact: devices with their revocation reason            ====

-- ==== Performance: policy at the speed of the cryptography           ====

-- ==== Names, last: what the extension still binds (a WARNING each)   ====
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.object, c.binds, c.problem FROM secant.check_bindings() AS c LOOP
        RAISE WARNING 'secant_pre 0.6.0: % %: %', r.object, r.problem, r.binds
            USING HINT = 'An object of the extension names something a non-superuser may have planted; see docs/SECURITY.md, "Names".';
    END LOOP;
END $$;
