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

-- Internal functions out of PUBLIC's reach: the trigger functions and the
-- column check move to secant_internal, where PUBLIC has no USAGE (the
-- existing triggers keep calling them: a trigger names its function by
-- oid).
CREATE SCHEMA secant_internal;
COMMENT ON SCHEMA secant_internal IS 'secant_pre internals: trigger functions and checks, out of every role''s reach but the extension owner''s';
REVOKE ALL ON SCHEMA secant_internal FROM PUBLIC;
ALTER FUNCTION secant.audit_log_chain() SET SCHEMA secant_internal;
ALTER FUNCTION secant.audit_log_refuse() SET SCHEMA secant_internal;
ALTER FUNCTION secant.admin_only() SET SCHEMA secant_internal;
ALTER FUNCTION secant.audit_change() SET SCHEMA secant_internal;
ALTER FUNCTION secant.principal_key_added() SET SCHEMA secant_internal;
ALTER FUNCTION secant.principal_key_changed() SET SCHEMA secant_internal;
ALTER FUNCTION secant.grant_check_retired() SET SCHEMA secant_internal;
ALTER FUNCTION secant.grant_check_revoked() SET SCHEMA secant_internal;
ALTER FUNCTION secant.grant_fill() SET SCHEMA secant_internal;
ALTER FUNCTION secant.grant_removed() SET SCHEMA secant_internal;
ALTER FUNCTION secant.grants_refuse_truncate() SET SCHEMA secant_internal;
ALTER FUNCTION secant.grants_changed() SET SCHEMA secant_internal;
ALTER FUNCTION secant.share_copy() SET SCHEMA secant_internal;
ALTER FUNCTION secant.share_source() SET SCHEMA secant_internal;
ALTER FUNCTION secant.audit_index_key() SET SCHEMA secant_internal;
ALTER FUNCTION secant.require_principals() SET SCHEMA secant_internal;
ALTER FUNCTION secant.require_column(regclass, name, regtype) SET SCHEMA secant_internal;

REVOKE ALL ON FUNCTION secant_internal.share_copy() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.share_copy() IS 'trigger on a registered share table: a share row asks for a copy of its source row for its recipient (stored in secant.copies); deleting or changing the row removes it';
REVOKE ALL ON FUNCTION secant_internal.share_source() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.share_source() IS 'trigger on a registered source table: changing a registration''s key or shared value, or deleting a row, removes the copies made of it through that registration''s share table';
REVOKE ALL ON FUNCTION secant_internal.require_column(regclass, name, regtype) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.require_column(regclass, name, regtype) IS 'raise unless the relation has the column (of the type, when given)';

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

-- The existing registrations: every share table that 0.5.0's enable_sharing
-- wired (its trigger's arguments).  0.5.0 let any role attach such a
-- trigger by hand (secant.share_copy was PUBLIC's), so a trigger becomes a
-- registration only if it passes secant.enable_sharing's checks for the
-- share table's owner: SELECT and TRIGGER on the source, the columns and
-- their types, both tables permanent, neither one of the extension's.  A
-- trigger of secant_internal.share_copy() that is not registered (nor the
-- TRUNCATE trigger of a registered one) is disabled (TEMP tables of other sessions: left as they are) with a
-- WARNING naming it; nothing is dropped (docs/OPERATIONS.md, "Upgrades").
DO $$
DECLARE
    t record;
    why text;
BEGIN
    FOR t IN SELECT tr.tgrelid::pg_catalog.regclass AS share_table, tr.tgname, tr.tgnargs, c.relowner,
                    c.relpersistence, pg_catalog.to_regclass(x.a[1]) AS source_table, x.a
             FROM pg_catalog.pg_trigger tr
             JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tr.tgrelid,
             LATERAL (SELECT pg_catalog.regexp_split_to_array(pg_catalog.encode(tr.tgargs, 'escape'), '\\000') AS a) AS x
             WHERE tr.tgfoid OPERATOR(pg_catalog.=) 'secant_internal.share_copy()'::pg_catalog.regprocedure
             ORDER BY tr.tgrelid, tr.tgname
    LOOP
        why := NULL;
        -- the TRUNCATE trigger of a share table registered just now
        CONTINUE WHEN t.tgname OPERATOR(pg_catalog.=) 'secant_share_truncate' AND t.tgnargs OPERATOR(pg_catalog.=) 5
            AND EXISTS (SELECT 1 FROM secant.sharing s
                        WHERE s.share_table OPERATOR(pg_catalog.=) t.share_table
                          AND s.source_table OPERATOR(pg_catalog.=) t.source_table
                          AND (s.source_column::pg_catalog.text, s.source_key::pg_catalog.text,
                               s.reference_column::pg_catalog.text, s.recipient_column::pg_catalog.text)
                              OPERATOR(pg_catalog.=) (t.a[2], t.a[3], t.a[4], t.a[5]));
        IF t.tgname OPERATOR(pg_catalog.<>) 'secant_share' OR t.tgnargs OPERATOR(pg_catalog.<>) 5 OR t.source_table IS NULL THEN
            why := 'not a trigger of secant.enable_sharing (name, arguments or source table)';
        ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_class r
                      WHERE r.oid OPERATOR(pg_catalog.=) ANY (ARRAY[t.share_table, t.source_table]::pg_catalog.oid[])
                        AND (r.relpersistence OPERATOR(pg_catalog.<>) 'p' OR r.relkind NOT IN ('r', 'p')
                             OR r.relnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace)) THEN
            why := 'sharing needs permanent tables (no system catalog)';
        ELSIF secant_internal.extension_table(t.share_table) OR secant_internal.extension_table(t.source_table) THEN
            why := 'sharing never uses a table of the extension';
        ELSIF NOT pg_catalog.has_table_privilege(t.relowner, t.source_table, 'SELECT')
              OR NOT pg_catalog.has_table_privilege(t.relowner, t.source_table, 'TRIGGER') THEN
            why := pg_catalog.format('its owner %s lacks SELECT or TRIGGER on %s', pg_catalog.pg_get_userbyid(t.relowner), t.source_table);
        ELSE
            BEGIN
                PERFORM secant_internal.require_column(t.source_table, t.a[2], '@extschema@.pre_ciphertext'::regtype);
                PERFORM secant_internal.require_column(t.source_table, t.a[3], NULL);
                PERFORM secant_internal.require_column(t.share_table, t.a[4], NULL);
                PERFORM secant_internal.require_column(t.share_table, t.a[5], '@extschema@.pre_public_key'::regtype);
            EXCEPTION WHEN undefined_column OR datatype_mismatch THEN
                why := SQLERRM;
            END;
        END IF;
        IF why IS NULL THEN
            INSERT INTO secant.sharing (share_table, source_table, source_column, source_key, reference_column,
                                        recipient_column, registered_by)
            VALUES (t.share_table, t.source_table, t.a[2], t.a[3], t.a[4], t.a[5], pg_catalog.pg_get_userbyid(t.relowner));
            CONTINUE;
        END IF;
        IF t.relpersistence OPERATOR(pg_catalog.<>) 't' THEN
            EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', t.share_table, t.tgname);
        END IF;
        RAISE WARNING 'secant_pre 0.6.0: trigger % on % is not registered for sharing%: %', t.tgname, t.share_table,
            CASE WHEN t.relpersistence OPERATOR(pg_catalog.<>) 't' THEN ' (disabled)' ELSE '' END, why
            USING HINT = 'Its owner (or an admin) registers it with SELECT secant.enable_sharing(...), or drops it; see docs/OPERATIONS.md, "Upgrades".';
    END LOOP;
END $$;
-- Copies of share tables that are not registered (TEMP tables, tables
-- dropped, triggers attached by hand) are dropped.
DELETE FROM secant.copies AS c
WHERE NOT EXISTS (SELECT 1 FROM secant.sharing s WHERE s.share_table OPERATOR(pg_catalog.=) c.share_table);

-- The source table's triggers, from its registrations: one row trigger on
-- UPDATE of every registered key and shared column or DELETE, one on
-- TRUNCATE; dropped when no registration is left.  Nothing when the table
-- no longer exists.  Called whenever registrations change.
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
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source_truncate ON %s', source_table);
        RETURN;
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source AFTER UPDATE OF %s OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant_internal.share_source()', cols, source_table);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_source()', source_table);
END $$;
REVOKE ALL ON FUNCTION secant_internal.source_triggers(regclass) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.source_triggers(regclass) IS 'create, replace or drop a source table''s sharing triggers to match its registrations in secant.sharing (one row trigger on UPDATE of every registered key and shared column or DELETE, one on TRUNCATE)';

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

-- May the asking role register (or unregister) sharing on these tables?  An
-- admin of this database, or a member of the share table's owner with the
-- TRIGGER privilege on the source table; either with SELECT on the source
-- table (the copies show its column); both tables permanent, neither one
-- of the extension's.
CREATE FUNCTION secant_internal.require_sharing_rights(share_table regclass, source_table regclass) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who oid := secant.asking_user();
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
               WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[share_table, source_table]::pg_catalog.oid[])
                 AND (c.relpersistence OPERATOR(pg_catalog.<>) 'p' OR c.relkind NOT IN ('r', 'p')
                      OR c.relnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace)) THEN
        RAISE EXCEPTION 'sharing needs permanent tables: % or % is TEMP, UNLOGGED, a system catalog or not a table', share_table, source_table
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
COMMENT ON FUNCTION secant_internal.require_sharing_rights(regclass, regclass) IS 'raise unless the asking role may register sharing on these tables (admin, or share table owner with TRIGGER on the source; SELECT on the source) and both are permanent tables, neither one of the extension''s';

CREATE OR REPLACE FUNCTION secant.enable_sharing(share_table regclass, source_table regclass, source_column name,
                                      source_key name, reference_column name, recipient_column name)
RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src text;
    prev secant.sharing;
BEGIN
    PERFORM secant_internal.require_sharing_rights(share_table, source_table);
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO src
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) source_table;
    PERFORM secant_internal.require_column(source_table, source_column, '@extschema@.pre_ciphertext'::regtype);
    PERFORM secant_internal.require_column(source_table, source_key, NULL);
    PERFORM secant_internal.require_column(share_table, reference_column, NULL);
    PERFORM secant_internal.require_column(share_table, recipient_column, '@extschema@.pre_public_key'::regtype);
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
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share AFTER INSERT OR UPDATE OF %I, %I OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant_internal.share_copy(%L, %L, %L, %L, %L)',
        reference_column, recipient_column, share_table,
        src, source_column, source_key, reference_column, recipient_column);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_copy(%L, %L, %L, %L, %L)',
        share_table, src, source_column, source_key, reference_column, recipient_column);
    PERFORM secant_internal.source_triggers(source_table);
    IF prev.source_table OPERATOR(pg_catalog.<>) source_table THEN
        PERFORM secant_internal.source_triggers(prev.source_table);
    END IF;
END $$;
COMMENT ON FUNCTION secant.enable_sharing(regclass, regclass, name, name, name, name) IS 'register share_table for sharing and install its triggers: a row inserted into share_table asks for a copy of source_table''s source_column (the row whose source_key equals the share''s reference_column) for the share''s recipient_column; by the share table''s owner (with TRIGGER on the source table) or an admin; permanent tables only';

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

-- Dropping a share or source table removes its registrations and copies.
-- An event trigger fires on every role's DDL, so this one never raises
-- (an error would block all DDL of the database): on failure it warns and
-- secant.purge_copies() cleans up later.
CREATE FUNCTION secant_internal.sharing_dropped() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sources regclass[];
    src regclass;
BEGIN
    IF pg_catalog.to_regclass('secant.copies') IS NULL OR pg_catalog.to_regclass('secant.sharing') IS NULL THEN
        RETURN;  -- the extension itself is being dropped
    END IF;
    WITH gone AS (
        DELETE FROM secant.sharing s
        WHERE s.share_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
           OR s.source_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                              WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
        RETURNING s.source_table)
    SELECT pg_catalog.array_agg(DISTINCT g.source_table) INTO sources FROM gone g;
    DELETE FROM secant.copies c
    WHERE c.share_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
       OR c.source_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass));
    -- the source tables that remain: triggers for their remaining
    -- registrations, or none
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
COMMENT ON FUNCTION secant_internal.sharing_dropped() IS 'event trigger (sql_drop): a dropped share or source table''s registrations and copies are deleted, the remaining source tables'' triggers rebuilt; never raises';
CREATE EVENT TRIGGER secant_sharing_dropped ON sql_drop
    EXECUTE FUNCTION secant_internal.sharing_dropped();

-- 0.5.0's source triggers carry the key and column of one registration
-- (the latest on their table): each source table gets the trigger of all
-- its registrations, with no arguments; unregistered ones lose theirs.
SELECT secant_internal.source_triggers(x.t) FROM secant_internal.source_tables() x(t);


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

-- ==== Finality: bindings and capabilities as final as revocations;  ====
-- ==== one lock order; a copy of a database starts closed; an admin  ====
-- ==== of one database reads nothing of another                      ====

-- admin scope: secant_admin (cluster-wide) reads nothing PUBLIC may not;
-- the admin capability of this database gives the rest
REVOKE SELECT ON secant.grants FROM secant_admin;
REVOKE SELECT ON secant.database_identity FROM secant_admin;
REVOKE SELECT ON ALL SEQUENCES IN SCHEMA secant FROM secant_admin;
ALTER FUNCTION secant.is_admin() SECURITY DEFINER;
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
-- the identity belongs to this database of this cluster: the database
-- being updated claims it, unless another database of the cluster claimed
-- it first (a copy made under 0.5.0: it starts closed, naming that one).
-- Copies made from now on start closed: docs/OPERATIONS.md, "Copies,
-- standbys, base backups and pg_upgrade".
ALTER TABLE secant.database_identity ADD COLUMN database_oid oid, ADD COLUMN system_identifier bigint;
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
UPDATE secant.database_identity
SET database_oid = COALESCE(secant_internal.identity_claimed_by(id),
                            (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())),
    system_identifier = (SELECT c.system_identifier FROM pg_catalog.pg_control_system() c);
DO $$
DECLARE
    first_db name := (SELECT d.datname FROM secant.database_identity i
                   JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) i.database_oid
                   WHERE d.datname OPERATOR(pg_catalog.<>) pg_catalog.current_database());
BEGIN
    IF first_db IS NOT NULL THEN
        RAISE WARNING 'database "%" claimed this database''s secant_pre identity first: this one is a copy and starts closed', first_db
            USING HINT = 'An admin of this database runs SELECT secant.adopt_database() (docs/OPERATIONS.md).';
    END IF;
END $$;
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

-- ---- finality: bindings and capabilities locked as grants are ----
-- (readers take heavyweight locks instead of row locks: src/pg/policy_lock.c)
DROP FUNCTION secant.unbind(text, name);
DROP FUNCTION secant.revoke_capability(name, text);
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
CREATE OR REPLACE FUNCTION secant.may_obtain(target pre_public_key) RETURNS boolean
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM secant.obtain_basis(target)) $$;
COMMENT ON FUNCTION secant.may_obtain(pre_public_key) IS 'true when current_user is bound to the principal (or a member of a bound role), holds the proxy capability, or is a superuser';

CREATE OR REPLACE FUNCTION secant.revoke(from_key pre_public_key, to_key pre_public_key, wait boolean DEFAULT true) RETURNS bigint
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
    copies := secant.delete_copies_through(marks);
    DELETE FROM secant.grants g WHERE g.hop_key OPERATOR(pg_catalog.=) ANY (marks);
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('revoke', pg_catalog.jsonb_build_object('from_key', from_key::text, 'to_key', to_key::text,
                                                    'grants', pg_catalog.cardinality(marks),
                                                    'copies_deleted', copies));
    RETURN copies;
END $$;

CREATE OR REPLACE FUNCTION secant.purge_expired() RETURNS TABLE (grants_removed bigint, copies_deleted bigint)
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
COMMENT ON FUNCTION secant.purge_expired() IS 'remove expired grants (remembered as expired) and every copy made through them, and expired threshold grant shares (remembered, audited each); returns how many grants and copies';

CREATE OR REPLACE FUNCTION secant.rotate_key(principal_name text, want_kind text, new_key pre_public_key,
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


-- the database owner gives capabilities only while the database has no
-- admin (bootstrap); after that only admins do
-- The database owner gives capabilities only to bootstrap: while the
-- database has no admin.  Once it has one, the owner is a role like any
-- other (it cannot make itself a proxy behind the admins' backs).
CREATE FUNCTION secant_internal.owner_bootstraps() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT secant.is_database_owner()
       AND NOT EXISTS (SELECT 1 FROM secant.capabilities c WHERE c.capability OPERATOR(pg_catalog.=) 'admin') $$;
REVOKE ALL ON FUNCTION secant_internal.owner_bootstraps() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.owner_bootstraps() IS 'true when the outer role owns this database and the database has no admin yet (the owner gives the first capabilities only)';
CREATE OR REPLACE FUNCTION secant_internal.admin_only() RETURNS trigger
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

CREATE OR REPLACE FUNCTION secant.grant_capability(role_name name, capability text) RETURNS void
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
COMMENT ON FUNCTION secant.grant_capability(name, text) IS 'give a role a capability in this database (admin: manage secant here; proxy: obtain what is addressed to any principal); by an admin of this database, or by its owner while it has no admin';

-- (Names, found later) renaming the extension's schemas is refused: an
-- owner's schema of the old name would take their place in the bodies;
-- here, once secant_internal exists
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

-- ==== First contact: devices with their revocation reason            ====

-- The principals a principal has granted to, one row each: active when an
-- unexpired grant leads to it, else (on request) with the reason: expired,
-- or, when no grant leads to it any more, the reason of its last removed
-- grant (revoked, expired and purged, rotated; secant.revoked_grants, read
-- by this database's admins).
CREATE OR REPLACE FUNCTION secant.grantees(from_key pre_public_key, want_kind text, include_inactive boolean)
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
COMMENT ON FUNCTION secant.members(text, boolean) IS 'the members of a group (name or key), once each, with expiry; inactive ones (expired, revoked, rotated) on request, with the reason';
COMMENT ON FUNCTION secant.devices(text, boolean) IS 'the devices a user (name or key) enrolled, once each, with expiry; inactive ones (expired, revoked, rotated) on request, with the reason';

-- ==== Performance: policy at the speed of the cryptography           ====

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
CREATE OR REPLACE VIEW secant.readers WITH (security_invoker = true) AS
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
-- ---- Performance: bulk ----

-- Sharing and storing many records at once: a share table's INSERT and a
-- source table's UPDATE and DELETE fire once per statement over their
-- transition tables (a statement's copies are filed, or deleted, a batch
-- of rows per query, the path looked up once).  The registered tables get
-- the new triggers.

-- The source table's triggers, from its registrations: one statement
-- trigger on UPDATE and one on DELETE over their transition tables (a
-- statement's copies go in one query per registration), one on
-- TRUNCATE.  Dropped when no registration is left.  Nothing
-- when the table no longer exists.  Called whenever registrations change.
CREATE OR REPLACE FUNCTION secant_internal.source_triggers(source_table regclass) RETURNS void
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

CREATE OR REPLACE FUNCTION secant.enable_sharing(share_table regclass, source_table regclass, source_column name,
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

CREATE OR REPLACE FUNCTION secant.disable_sharing(share_table regclass) RETURNS bigint
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

SELECT secant_internal.share_triggers(s.share_table) FROM secant.sharing s;
SELECT secant_internal.source_triggers(x.t) FROM secant_internal.source_tables() x(t);

-- ---- Performance: paths kept across statements ----

-- A backend keeps the paths it looked up across statements
-- (src/pg/path_kept.c): a change of the grants or of the keys (a key
-- retired, its bridge) makes them stale, in this session at once and in
-- every session of the database when it commits (a relcache invalidation
-- of the table).
CREATE TRIGGER principal_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.principal_keys
    FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.grants_changed();
-- (ALTER TABLE refuses a table with pending trigger events: the checks of
-- the deferred foreign key that the earlier steps of this update queued
-- run now, and the key is deferred again after)
SET CONSTRAINTS secant.principal_keys_replaced_by_fkey IMMEDIATE;
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
SET CONSTRAINTS secant.principal_keys_replaced_by_fkey DEFERRED;
COMMENT ON FUNCTION secant_internal.grants_changed() IS 'trigger: invalidate the paths and access decisions cached by secant.reencrypt_for and sharing, in this session at once and in every session of the database when the change commits';

COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, pre_public_key) IS 're-encrypt along the active grant path from the ciphertext''s current recipient to target (path looked up once per statement, kept for the session until a grant or key changes), for a role bound to target or holding the proxy capability; error 42501 otherwise or when there is no path';

-- Expiry is judged at the start of the statement, or of the transaction
-- when that is later: a procedure or DO block that commits inside runs new
-- transactions under one frozen statement_timestamp() (independent attack
-- 4: an expired grant served the later transactions of such a block).
CREATE OR REPLACE FUNCTION secant.path(from_key pre_public_key, to_key pre_public_key, max_depth integer DEFAULT 8)
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

-- The same for the copies: a copy made through a grant expired at the
-- later of the statement's and the transaction's start is unreadable
-- (independent attack 5: a DO block that commits read them on).
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
ALTER POLICY copies_for_bound_roles ON secant.copies
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

-- Server key rotation re-seals the shares too (secant.reseal_grants).
CREATE OR REPLACE FUNCTION secant.reseal_grants() RETURNS bigint
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
COMMENT ON FUNCTION secant.reseal_grants() IS 'server key rotation: re-seal every grant and threshold grant share of this database to secant_pre.server_key_file (the old key in secant_pre.previous_server_key_file); returns how many';

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

-- ==== Sharing, second round: what an independent attacker found     ====
-- ==== (canonical keys, plain tables, no wait under wait => false)  ====
-- A registration's key and reference are of one type of int2, int4, int8,
-- uuid, text or varchar (deterministic collation), checked at registration
-- and by the triggers on every run; share and source tables are ordinary
-- permanent tables (not partitioned, not partitions, no extension's),
-- checked likewise; revoke(wait => false) does not wait for the rows of
-- copies another transaction holds; dropping an unrelated column keeps a
-- registration, dropping a registered column removes it.  (The partitioned
-- branches of the trigger functions above are unreachable since.)

CREATE OR REPLACE FUNCTION secant_internal.require_sharing_rights(share_table regclass, source_table regclass) RETURNS void
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
COMMENT ON FUNCTION secant_internal.require_sharing_rights(regclass, regclass) IS 'raise unless the asking role may register sharing on these tables (admin, or share table owner with TRIGGER on the source; SELECT on the source) and both are ordinary permanent tables (not partitioned, not partitions), neither one of the extension''s nor a system catalog';

CREATE FUNCTION secant_internal.require_sharing_key(share_table regclass, reference_column name,
                                                    source_table regclass, source_key name) RETURNS void
    AS 'MODULE_PATHNAME', 'pre_require_sharing_key' LANGUAGE C STABLE STRICT;
REVOKE ALL ON FUNCTION secant_internal.require_sharing_key(regclass, name, regclass, name) FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.require_sharing_key(regclass, name, regclass, name) IS 'raise unless the share''s reference column and the source''s key column are of one type of int2, int4, int8, uuid, text or varchar (or a domain over one), text and varchar with a deterministic collation';

CREATE OR REPLACE FUNCTION secant.enable_sharing(share_table regclass, source_table regclass, source_column name,
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

DROP FUNCTION secant.delete_copies_through(bytea[]);
CREATE FUNCTION secant.delete_copies_through(hop_keys bytea[], wait boolean DEFAULT true) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pre_delete_copies_through' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION secant.delete_copies_through(bytea[], boolean) FROM PUBLIC;
COMMENT ON FUNCTION secant.delete_copies_through(bytea[], boolean) IS 'delete the copies made through any of these hop keys (revocation; owner only); wait => false fails at once (SQLSTATE 55P03, naming the sessions) when another transaction holds one of them';

CREATE OR REPLACE FUNCTION secant.revoke(from_key pre_public_key, to_key pre_public_key, wait boolean DEFAULT true) RETURNS bigint
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

CREATE OR REPLACE FUNCTION secant_internal.sharing_dropped() RETURNS event_trigger
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

-- the registrations the triggers now refuse to serve: a WARNING each
DO $$
DECLARE
    r secant.sharing;
BEGIN
    FOR r IN SELECT * FROM secant.sharing LOOP
        BEGIN
            PERFORM secant_internal.require_sharing_key(r.share_table, r.reference_column, r.source_table, r.source_key);
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                       WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[r.share_table, r.source_table]::pg_catalog.oid[])
                         AND (c.relkind OPERATOR(pg_catalog.<>) 'r' OR c.relispartition)) THEN
                RAISE EXCEPTION 'sharing needs ordinary tables: % or % is partitioned, a partition or not a table',
                    r.share_table, r.source_table;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'secant_pre: the sharing triggers of % will refuse to run: %', r.share_table, SQLERRM
                USING HINT = 'Change the tables or column types and register it again with secant.enable_sharing(), or unregister it with secant.disable_sharing().';
        END;
    END LOOP;
END $$;


-- ==== Authority: the asking role (current_user) decides, never the  ====
-- ==== outer role; owner-run functions behind doors (independent     ====
-- ==== attack 2: outer user, admin registers, update registrations)  ====

-- The role at the outer level (SET ROLE counts; SECURITY DEFINER does not).
-- Information only: it never decides authority (docs/SECURITY.md,
-- "Authority": a definer function or an index expression runs someone
-- else's code with the outer role unchanged).
CREATE OR REPLACE FUNCTION secant.outer_user() RETURNS oid
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
CREATE OR REPLACE FUNCTION secant.is_admin() RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_is_admin' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION secant.is_admin() IS 'true when the asking role (secant.asking_user) is a superuser or holds the admin capability in this database; false inside a security-restricted operation';

CREATE OR REPLACE FUNCTION secant.require_admin() RETURNS void
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

CREATE OR REPLACE FUNCTION secant.is_database_owner() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(secant.asking_user(), d.datdba, 'MEMBER')
    FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database() $$;
COMMENT ON FUNCTION secant.is_database_owner() IS 'true when the asking role is (a member of) the owner of this database';

CREATE OR REPLACE FUNCTION secant_internal.owner_bootstraps() RETURNS boolean
    AS 'MODULE_PATHNAME', 'pre_owner_bootstraps' LANGUAGE C STABLE STRICT;
REVOKE ALL ON FUNCTION secant_internal.owner_bootstraps() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.owner_bootstraps() IS 'true when the asking role owns this database and the database has no admin yet (the owner gives the first capabilities only); false inside a security-restricted operation';

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
