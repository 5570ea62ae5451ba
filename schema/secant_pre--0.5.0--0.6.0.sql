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

-- The existing registrations: every share table that 0.5.0's enable_sharing
-- wired (its trigger's arguments), if it and its source are permanent.
INSERT INTO secant.sharing (share_table, source_table, source_column, source_key, reference_column,
                            recipient_column, registered_by)
SELECT t.tgrelid, pg_catalog.to_regclass(x.a[1]), x.a[2], x.a[3], x.a[4], x.a[5], pg_catalog.pg_get_userbyid(c.relowner)
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid,
LATERAL (SELECT pg_catalog.regexp_split_to_array(pg_catalog.encode(t.tgargs, 'escape'), '\\000') AS a) AS x
WHERE t.tgname OPERATOR(pg_catalog.=) 'secant_share'
  AND t.tgfoid OPERATOR(pg_catalog.=) 'secant_internal.share_copy()'::pg_catalog.regprocedure
  AND t.tgnargs OPERATOR(pg_catalog.=) 5
  AND c.relpersistence OPERATOR(pg_catalog.=) 'p'
  AND (SELECT s.relpersistence FROM pg_catalog.pg_class s
       WHERE s.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(x.a[1])) OPERATOR(pg_catalog.=) 'p';
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

-- May the outer role register (or unregister) sharing on these tables?  An
-- admin of this database, or a member of the share table's owner with the
-- TRIGGER privilege on the source table; both tables permanent.
CREATE FUNCTION secant_internal.require_sharing_rights(share_table regclass, source_table regclass) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who oid := secant.outer_user();
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
               WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[share_table, source_table]::pg_catalog.oid[])
                 AND (c.relpersistence OPERATOR(pg_catalog.<>) 'p' OR c.relkind NOT IN ('r', 'p'))) THEN
        RAISE EXCEPTION 'sharing needs permanent tables: % or % is TEMP, UNLOGGED or not a table', share_table, source_table
            USING ERRCODE = 'wrong_object_type';
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
COMMENT ON FUNCTION secant_internal.require_sharing_rights(regclass, regclass) IS 'raise unless the outer role may register sharing on these tables (admin, or share table owner with TRIGGER on the source) and both are permanent tables';

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
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) secant.outer_user()))
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
    RETURN NEXT;
END $$;

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
-- Runs as the caller (secant.readers is security_invoker).
CREATE FUNCTION secant.reader_paths(group_key pre_public_key)
RETURNS TABLE (principal_key pre_public_key, path_keys pre_public_key[], expires timestamptz)
STRICT LANGUAGE sql STABLE PARALLEL SAFE ROWS 100
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE walk (principal_key, path_keys, expires) AS (
        SELECT group_key, ARRAY[group_key], NULL::timestamptz
      UNION ALL
        SELECT g.to_key, w.path_keys OPERATOR(pg_catalog.||) g.to_key,
               LEAST(w.expires, g.not_after)
        FROM walk w JOIN secant.grants g ON g.from_key OPERATOR(@extschema@.=) w.principal_key
        WHERE (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp())
          AND NOT g.to_key OPERATOR(@extschema@.=) ANY (w.path_keys)
          AND pg_catalog.cardinality(w.path_keys) OPERATOR(pg_catalog.<) 16
    )
    SELECT * FROM walk $$;
COMMENT ON FUNCTION secant.reader_paths(pre_public_key) IS 'every active grant path from a group''s key (the group itself first): the principal at its end, its keys, the earliest expiry on it; what secant.readers is made of';

-- Who can read what: every active path from a group to a principal, as
-- names, with the earliest expiry on it and the roles bound to the end.
-- One walk per group (secant.reader_paths): a condition on group_name
-- walks that group's paths only.
-- (A view binds the operators and functions it names when it is created,
-- under the creating script's search_path: every one is qualified.)
CREATE OR REPLACE VIEW secant.readers WITH (security_invoker = true) AS
SELECT gp.name AS group_name, p.name AS principal, p.kind,
       ARRAY(SELECT q.name FROM pg_catalog.unnest(w.path_keys) WITH ORDINALITY AS u(k, i)
             JOIN secant.principals q ON q.public_key OPERATOR(@extschema@.=) u.k ORDER BY u.i) AS path,
       w.expires,
       ARRAY(SELECT b.role::pg_catalog.text FROM secant.bindings b
             WHERE b.principal_key OPERATOR(@extschema@.=) w.principal_key ORDER BY 1) AS roles,
       false AS pending_reissue
FROM secant.principals gp
CROSS JOIN LATERAL secant.reader_paths(gp.public_key) w
JOIN secant.principals p ON p.public_key OPERATOR(@extschema@.=) w.principal_key
WHERE gp.kind OPERATOR(pg_catalog.=) 'group'
  AND pg_catalog.cardinality(w.path_keys) OPERATOR(pg_catalog.>) 1
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
FROM secant.principals gp
CROSS JOIN LATERAL secant.reader_paths(gp.public_key) w
JOIN secant.pending_reissue_list() r ON r.delegator_key OPERATOR(@extschema@.=) w.principal_key
WHERE gp.kind OPERATOR(pg_catalog.=) 'group';

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
