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
COMMENT ON FUNCTION secant_internal.share_source() IS 'trigger on a registered source table: changing or deleting a row removes its copies from secant.copies';
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
BEGIN
    PERFORM secant_internal.require_sharing_rights(share_table, source_table);
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO src
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) source_table;
    PERFORM secant_internal.require_column(source_table, source_column, '@extschema@.pre_ciphertext'::regtype);
    PERFORM secant_internal.require_column(source_table, source_key, NULL);
    PERFORM secant_internal.require_column(share_table, reference_column, NULL);
    PERFORM secant_internal.require_column(share_table, recipient_column, '@extschema@.pre_public_key'::regtype);
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
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source AFTER UPDATE OF %I, %I OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant_internal.share_source(%L, %L)',
        source_key, source_column, source_table, source_key, source_column);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant_internal.share_source(%L, %L)',
        source_table, source_key, source_column);
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
    IF NOT EXISTS (SELECT 1 FROM secant.sharing s WHERE s.source_table OPERATOR(pg_catalog.=) reg.source_table) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source ON %s', reg.source_table);
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS secant_share_source_truncate ON %s', reg.source_table);
    END IF;
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
    DELETE FROM secant.copies x
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.share_table AND c.relpersistence OPERATOR(pg_catalog.=) 'p')
       OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) x.source_table AND c.relpersistence OPERATOR(pg_catalog.=) 'p');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.purge_copies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.purge_copies() TO secant_admin;
COMMENT ON FUNCTION secant.purge_copies() IS 'delete the registrations and copies of share or source tables that no longer exist or are not permanent (admin); returns the number of copies deleted';

-- Dropping a share or source table removes its registrations and copies.
-- An event trigger fires on every role's DDL, so this one never raises
-- (an error would block all DDL of the database): on failure it warns and
-- secant.purge_copies() cleans up later.
CREATE FUNCTION secant_internal.sharing_dropped() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.to_regclass('secant.copies') IS NULL OR pg_catalog.to_regclass('secant.sharing') IS NULL THEN
        RETURN;  -- the extension itself is being dropped
    END IF;
    DELETE FROM secant.sharing s
    WHERE s.share_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
       OR s.source_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass));
    DELETE FROM secant.copies c
    WHERE c.share_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
       OR c.source_table::pg_catalog.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d
                                                                          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass));
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'secant_pre: the copies of a dropped table were not removed: %', SQLERRM
        USING HINT = 'An admin runs SELECT secant.purge_copies().';
END $$;
REVOKE ALL ON FUNCTION secant_internal.sharing_dropped() FROM PUBLIC;
COMMENT ON FUNCTION secant_internal.sharing_dropped() IS 'event trigger (sql_drop): a dropped share or source table''s registrations and copies are deleted; never raises';
CREATE EVENT TRIGGER secant_sharing_dropped ON sql_drop
    EXECUTE FUNCTION secant_internal.sharing_dropped();


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
