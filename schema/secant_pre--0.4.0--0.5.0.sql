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
        -- a key of a principal, current or retired (key rotation)
        IF NOT EXISTS (SELECT FROM secant.principal_keys p WHERE p.public_key OPERATOR(@extschema@.=) k) THEN
            IF secant.restoring() THEN
                RAISE EXCEPTION 'restore loads %.% before secant.principals and secant.principal_keys', TG_TABLE_SCHEMA, TG_TABLE_NAME
                    USING ERRCODE = 'foreign_key_violation',
                          DETAIL = 'A row names a principal that is not restored (yet): pg_restore -j without session_replication_role = replica loads secant''s tables in parallel, and this row would be lost.',
                          HINT = 'Restore into a new database with PGOPTIONS="-c session_replication_role=replica" pg_restore ... (README, "Backup and restore"), then run SELECT * FROM secant.audit_check().';
            END IF;
            RAISE EXCEPTION '%.% names a principal that is not registered', TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = pg_catalog.format('No principal in secant.principals has (or had) the key %s.', k::text),
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

-- ---- key rotation (groups, users, devices) ----
-- secant.principal_keys: every key of every principal (current and
-- retired); grants and index keys refer to it.  Retired keys: valid
-- origins, never targets, delegators of their bridge only (secant.path,
-- the hop chain check, secant.grant_check_retired).  secant.rotate_group,
-- rotate_user, rotate_device, drop_bridges; secant.pending_reissues and a
-- pending_reissue column in secant.readers; audit_check knows rotations.
-- Key rotation: every key a principal has had, its current one
-- (retired_at NULL, the one in secant.principals) and those a rotation
-- retired (replaced_by: the key that followed).  Grants and index keys
-- refer to keys here, so a retired key stays known: a valid origin of
-- ciphertexts, never a target, the delegator of its bridge to the key that
-- replaced it only (see "key rotation").
CREATE TABLE secant.principal_keys (
    public_key pre_public_key PRIMARY KEY,
    principal_id bigint NOT NULL REFERENCES secant.principals (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    replaced_by pre_public_key REFERENCES secant.principal_keys (public_key) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT principal_keys_retired CHECK ((retired_at IS NULL) = (replaced_by IS NULL))
);
CREATE UNIQUE INDEX principal_keys_current ON secant.principal_keys (principal_id) WHERE retired_at IS NULL;
CREATE INDEX principal_keys_principal ON secant.principal_keys (principal_id);
COMMENT ON TABLE secant.principal_keys IS 'every key of every principal: the current one (retired_at NULL) and the ones key rotation retired, each with the key that replaced it';
INSERT INTO secant.principal_keys (public_key, principal_id, created_at)
SELECT p.public_key, p.id, p.created_at FROM secant.principals p;
SELECT pg_catalog.pg_extension_config_dump('secant.principal_keys', '');
GRANT SELECT ON secant.principal_keys TO PUBLIC;
GRANT SELECT (from_key, to_key, revoked_at, reason) ON secant.revoked_grants TO PUBLIC;
ALTER TABLE secant.grants DROP CONSTRAINT grants_from_key_fkey,
    ADD CONSTRAINT grants_from_key_fkey FOREIGN KEY (from_key)
        REFERENCES secant.principal_keys (public_key) ON DELETE RESTRICT,
    DROP CONSTRAINT grants_to_key_fkey,
    ADD CONSTRAINT grants_to_key_fkey FOREIGN KEY (to_key)
        REFERENCES secant.principal_keys (public_key) ON DELETE RESTRICT;
ALTER TABLE secant.index_keys DROP CONSTRAINT index_keys_group_key_fkey,
    ADD CONSTRAINT index_keys_group_key_fkey FOREIGN KEY (group_key)
        REFERENCES secant.principal_keys (public_key) ON DELETE RESTRICT;
-- key rotation deletes the copies addressed to a retired key
CREATE INDEX copies_recipient ON secant.copies (recipient);
ALTER TABLE secant.revoked_grants DROP CONSTRAINT revoked_grants_reason_check,
    ADD CONSTRAINT revoked_grants_reason_check CHECK (reason IN ('revoked', 'expired', 'rotated'));
COMMENT ON TABLE secant.revoked_grants IS 'hop keys of removed grants (revoked, expired and purged, or dropped by a key rotation): a grant with one of them can never be stored again';
-- Key rotations one at a time (only the extension's own code locks it).
CREATE TABLE secant.rotation_lock (id integer PRIMARY KEY CHECK (id = 1));
INSERT INTO secant.rotation_lock VALUES (1);
COMMENT ON TABLE secant.rotation_lock IS 'one row, locked by each key rotation until its transaction ends: rotations one at a time';
REVOKE ALL ON secant.rotation_lock FROM PUBLIC;

-- ---- key rotation: the keys of principals ----
-- (the rotations themselves are at the end: "key rotation")

-- Every key of the principal that has this key (current or retired).
CREATE FUNCTION secant.keys_of(public_key pre_public_key) RETURNS pre_public_key[]
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.array_agg(o.public_key ORDER BY o.created_at, o.public_key)
    FROM secant.principal_keys k
    JOIN secant.principal_keys o ON o.principal_id OPERATOR(pg_catalog.=) k.principal_id
    WHERE k.public_key OPERATOR(@extschema@.=) keys_of.public_key $$;
COMMENT ON FUNCTION secant.keys_of(pre_public_key) IS 'every key (current and retired) of the principal that has this key; NULL for an unknown key';

-- A new principal's key is its current key.  A restore brings the rows of
-- secant.principal_keys with it.
CREATE FUNCTION secant.principal_key_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.principals'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.principal_key_added() handles secant.principals only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    INSERT INTO secant.principal_keys (public_key, principal_id) VALUES (NEW.public_key, NEW.id);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.principal_key_added() FROM PUBLIC;
COMMENT ON FUNCTION secant.principal_key_added() IS 'trigger: record a new principal''s key in secant.principal_keys';
CREATE TRIGGER principals_key_added AFTER INSERT ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant.principal_key_added();

-- A principal's key changes only by a rotation, which records the new key
-- as current first.
CREATE FUNCTION secant.principal_key_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.public_key OPERATOR(@extschema@.<>) OLD.public_key AND NOT EXISTS (
           SELECT 1 FROM secant.principal_keys k
           WHERE k.public_key OPERATOR(@extschema@.=) NEW.public_key
             AND k.principal_id OPERATOR(pg_catalog.=) NEW.id AND k.retired_at IS NULL) THEN
        RAISE EXCEPTION 'a principal''s public key changes only by key rotation'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Use secant.rotate_group(), secant.rotate_user() or secant.rotate_device().';
    END IF;
    IF NEW.id OPERATOR(pg_catalog.<>) OLD.id THEN
        RAISE EXCEPTION 'a principal''s id never changes' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant.principal_key_changed() FROM PUBLIC;
COMMENT ON FUNCTION secant.principal_key_changed() IS 'trigger: refuse a change of a principal''s key other than by key rotation';
CREATE TRIGGER principals_key_changed BEFORE UPDATE ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant.principal_key_changed();

-- A retired key is never the grantee of a grant, and the delegator of
-- none but a bridge to the key that replaced it.  Compares the columns
-- that secant.grant_fill filled from the opened grant (it fires first).
CREATE FUNCTION secant.grant_check_retired() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k secant.principal_keys;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grants'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.grant_check_retired() checks secant.grants only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- FOR KEY SHARE: a rotation of either key (which locks its row FOR
    -- UPDATE first) waits for this insert, or this insert waits for it and
    -- sees the key retired
    SELECT * INTO k FROM secant.principal_keys v WHERE v.public_key OPERATOR(@extschema@.=) NEW.to_key
    FOR KEY SHARE OF v;
    IF FOUND AND k.retired_at IS NOT NULL THEN
        RAISE EXCEPTION 'grant to a retired key'
            USING ERRCODE = 'integrity_constraint_violation',
                  DETAIL = pg_catalog.format('The grantee''s key was retired at %s.', k.retired_at),
                  HINT = 'Grant to the principal''s current key: secant.principal_key(name).';
    END IF;
    SELECT * INTO k FROM secant.principal_keys v WHERE v.public_key OPERATOR(@extschema@.=) NEW.from_key
    FOR KEY SHARE OF v;
    IF FOUND AND k.retired_at IS NOT NULL AND k.replaced_by OPERATOR(@extschema@.<>) NEW.to_key THEN
        RAISE EXCEPTION 'grant from a retired key'
            USING ERRCODE = 'integrity_constraint_violation',
                  DETAIL = pg_catalog.format('The delegator''s key was retired at %s; it delegates only to the key that replaced it (its bridge).', k.retired_at),
                  HINT = 'The delegator grants with its current key.';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant.grant_check_retired() FROM PUBLIC;
COMMENT ON FUNCTION secant.grant_check_retired() IS 'trigger: refuse a grant to a retired key, or from one except its bridge to the key that replaced it';

-- Grants that a rotation dropped because their grantee's key was retired
-- (a user's group memberships, a group's parent groups, a device's
-- enrolments), until the delegator grants to the grantee's new key.  Read
-- from secant.revoked_grants with the caller's rights: its row-level
-- security shows them to this database's admins only.
CREATE FUNCTION secant.pending_reissue_list()
RETURNS TABLE (delegator text, delegator_kind text, delegator_key pre_public_key, grantee text,
               grantee_kind text, retired_key pre_public_key, new_key pre_public_key, since timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT ON (dp.id, gp.id)
           dp.name, dp.kind, dp.public_key, gp.name, gp.kind, v.to_key, gp.public_key, v.revoked_at
    FROM secant.revoked_grants v
    JOIN secant.principal_keys tk ON tk.public_key OPERATOR(@extschema@.=) v.to_key AND tk.retired_at IS NOT NULL
    JOIN secant.principals gp ON gp.id OPERATOR(pg_catalog.=) tk.principal_id
    JOIN secant.principal_keys fk ON fk.public_key OPERATOR(@extschema@.=) v.from_key
    JOIN secant.principals dp ON dp.id OPERATOR(pg_catalog.=) fk.principal_id
    WHERE v.reason OPERATOR(pg_catalog.=) 'rotated'
      AND dp.id OPERATOR(pg_catalog.<>) gp.id
      AND NOT EXISTS (SELECT 1 FROM secant.grants g
                      WHERE g.from_key OPERATOR(@extschema@.=) dp.public_key
                        AND g.to_key OPERATOR(@extschema@.=) gp.public_key)
    ORDER BY dp.id, gp.id, v.revoked_at DESC $$;
COMMENT ON FUNCTION secant.pending_reissue_list() IS 'the grants key rotations dropped (their grantee''s key was retired) that their delegator has not made again to the grantee''s new key (rows for this database''s admins only)';

CREATE VIEW secant.pending_reissues WITH (security_invoker = true) AS
SELECT * FROM secant.pending_reissue_list();
COMMENT ON VIEW secant.pending_reissues IS 'grants a key rotation dropped (their grantee''s key was retired) that the delegator has not yet made again to the grantee''s new key (secant-pre rotate reissue); paths through them are closed meanwhile; rows for this database''s admins only';
GRANT SELECT ON secant.pending_reissues TO PUBLIC;
-- fires after grants_fill and before grants_not_revoked (names sort)
CREATE TRIGGER grants_not_retired BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.grant_check_retired();

CREATE FUNCTION secant.audit_live(ins_actions text[], del_actions text[], keys text[])
RETURNS TABLE (item text, detail jsonb)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT x.item, x.detail
    FROM (SELECT DISTINCT ON (1)
                 pg_catalog.array_to_string(ARRAY(SELECT l.detail OPERATOR(pg_catalog.->>) k
                                                  FROM pg_catalog.unnest(keys) AS k), ' ') AS item,
                 l.action, l.detail
          FROM secant.audit_log l
          WHERE l.action OPERATOR(pg_catalog.=) ANY (ins_actions OPERATOR(pg_catalog.||) del_actions)
          ORDER BY 1, l.seq DESC) x
    WHERE x.action OPERATOR(pg_catalog.=) ANY (ins_actions) $$;
COMMENT ON FUNCTION secant.audit_live(text[], text[], text[]) IS 'the items whose last audit event is one of ins_actions (keyed by detail fields), with that event''s detail';
CREATE OR REPLACE FUNCTION secant.audit_live(ins_action text, del_action text, keys text[])
RETURNS TABLE (item text, detail jsonb)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.audit_live(ARRAY[ins_action], ARRAY[del_action], keys) $$;
CREATE OR REPLACE FUNCTION secant.audit_check()
RETURNS TABLE (kind text, item text, in_log text, in_table text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM secant.require_admin();
    RETURN QUERY
    SELECT 'principal'::text, coalesce(a.item, b.k), a.detail OPERATOR(pg_catalog.->>) 'name', b.name
    FROM secant.audit_live(ARRAY['insert principal', 'update principal'], ARRAY['delete principal', 'retire key'],
                           ARRAY['public_key']) a
    FULL JOIN (SELECT p.public_key::text AS k, p.name FROM secant.principals p) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
    RETURN QUERY
    SELECT 'grant'::text, coalesce(a.item, b.k),
           pg_catalog.concat(a.detail OPERATOR(pg_catalog.->>) 'from_key', ' -> ', a.detail OPERATOR(pg_catalog.->>) 'to_key'),
           b.link
    FROM secant.audit_live('insert grant', 'delete grant', ARRAY['grant_id']) a
    FULL JOIN (SELECT g.id::text AS k, pg_catalog.concat(g.from_key::text, ' -> ', g.to_key::text) AS link
               FROM secant.grants g) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
    RETURN QUERY
    SELECT 'revoked hop key'::text, coalesce(a.x, b.x),
           CASE WHEN a.x IS NULL THEN NULL ELSE 'removed' END,
           CASE WHEN b.x IS NULL THEN NULL ELSE 'remembered' END
    FROM (SELECT DISTINCT l.detail OPERATOR(pg_catalog.->>) 'hop_key' AS x FROM secant.audit_log l
          WHERE l.action OPERATOR(pg_catalog.=) 'delete grant' AND l.detail OPERATOR(pg_catalog.?) 'hop_key') a
    FULL JOIN (SELECT pg_catalog.encode(v.hop_key, 'hex') AS x FROM secant.revoked_grants v) b
      ON b.x OPERATOR(pg_catalog.=) a.x
    WHERE a.x IS NULL OR b.x IS NULL;
    RETURN QUERY
    SELECT 'binding'::text, coalesce(a.item, b.k),
           CASE WHEN a.item IS NULL THEN NULL ELSE 'bound' END,
           CASE WHEN b.k IS NULL THEN NULL ELSE 'bound' END
    FROM secant.audit_live('insert binding', 'delete binding', ARRAY['principal_key', 'role']) a
    FULL JOIN (SELECT pg_catalog.concat(t.principal_key::text, ' ', t.role::text) AS k FROM secant.bindings t) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
    RETURN QUERY
    SELECT 'capability'::text, coalesce(a.item, b.k),
           CASE WHEN a.item IS NULL THEN NULL ELSE 'held' END,
           CASE WHEN b.k IS NULL THEN NULL ELSE 'held' END
    FROM secant.audit_live('insert capability', 'delete capability', ARRAY['role', 'capability']) a
    FULL JOIN (SELECT pg_catalog.concat(t.role::text, ' ', t.capability) AS k FROM secant.capabilities t) b
      ON b.k OPERATOR(pg_catalog.=) a.item
    WHERE a.item IS NULL OR b.k IS NULL;
END $$;
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
              AND (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp())
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
COMMENT ON FUNCTION secant.path(pre_public_key, pre_public_key, integer) IS 'a shortest chain of active grants (unexpired at statement time, not revoked) between two keys, through a retired key only by its bridge; no rows when there is none or the target is a retired key';
CREATE OR REPLACE FUNCTION secant.rotate_index_key(group_key pre_public_key, key_ct pre_ciphertext) RETURNS integer
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v integer;
BEGIN
    -- one rotation at a time per group
    PERFORM 1 FROM secant.principals p
    WHERE p.public_key OPERATOR(@extschema@.=) rotate_index_key.group_key
      AND p.kind OPERATOR(pg_catalog.=) 'group' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no group with this public key'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Index keys belong to principals of kind ''group''.';
    END IF;
    IF @extschema@.pre_level(key_ct) OPERATOR(pg_catalog.<>) 1 OR
       @extschema@.pre_recipient(key_ct) OPERATOR(@extschema@.<>) group_key THEN
        RAISE EXCEPTION 'index key must be a level-1 ciphertext to the group'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Encrypt the 32-byte key on a client: secant-pre encrypt GROUP_KEY < KEY_FILE.';
    END IF;
    -- versions go on across the group's keys (key rotation)
    SELECT coalesce(pg_catalog.max(k.version), 0) OPERATOR(pg_catalog.+) 1 INTO v
    FROM secant.index_keys k
    WHERE k.group_key OPERATOR(@extschema@.=) ANY (secant.keys_of(rotate_index_key.group_key));
    INSERT INTO secant.index_keys (group_key, version, key_ct) VALUES (group_key, v, key_ct);
    RETURN v;
END $$;
CREATE OR REPLACE FUNCTION secant.index_keys_for(group_name text, target pre_public_key)
RETURNS TABLE (version integer, key_ct pre_ciphertext)
STRICT LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.version, secant.reencrypt_for(k.key_ct, target)
    FROM secant.index_keys k
    WHERE k.group_key OPERATOR(@extschema@.=) ANY (secant.keys_of(secant.principal_key(group_name)))
      -- versions under a retired key while its bridge is there
      AND (k.group_key OPERATOR(@extschema@.=) secant.principal_key(group_name)
           OR EXISTS (SELECT 1 FROM secant.grants g WHERE g.from_key OPERATOR(@extschema@.=) k.group_key))
    ORDER BY k.version DESC $$;
COMMENT ON FUNCTION secant.index_keys_for(text, pre_public_key) IS 'the group''s index key versions re-encrypted for target (newest first; those under a retired group key while its bridge is there), for a role bound to target or a proxy; error 42501 otherwise or without an active grant path';
CREATE OR REPLACE VIEW secant.readers WITH (security_invoker = true) AS
WITH RECURSIVE walk (group_key, principal_key, path_keys, expires) AS (
    SELECT p.public_key, p.public_key, ARRAY[p.public_key], NULL::timestamptz
    FROM secant.principals p WHERE p.kind = 'group'
  UNION ALL
    SELECT w.group_key, g.to_key, w.path_keys || g.to_key, LEAST(w.expires, g.not_after)
    FROM walk w JOIN secant.grants g ON g.from_key = w.principal_key
    WHERE (g.not_after IS NULL OR g.not_after > statement_timestamp())
      AND NOT g.to_key = ANY (w.path_keys)
      AND cardinality(w.path_keys) < 16
)
SELECT gp.name AS group_name, p.name AS principal, p.kind,
       ARRAY(SELECT q.name FROM unnest(w.path_keys) WITH ORDINALITY AS u(k, i)
             JOIN secant.principals q ON q.public_key = u.k ORDER BY u.i) AS path,
       w.expires,
       ARRAY(SELECT b.role::text FROM secant.bindings b WHERE b.principal_key = w.principal_key
             ORDER BY 1) AS roles,
       false AS pending_reissue
FROM walk w
JOIN secant.principals gp ON gp.public_key = w.group_key
JOIN secant.principals p ON p.public_key = w.principal_key
WHERE cardinality(w.path_keys) > 1
UNION ALL
-- paths closed by a key rotation until the delegator grants again
SELECT gp.name, r.grantee, r.grantee_kind,
       ARRAY(SELECT q.name FROM unnest(w.path_keys) WITH ORDINALITY AS u(k, i)
             JOIN secant.principals q ON q.public_key = u.k ORDER BY u.i) || r.grantee,
       w.expires,
       ARRAY(SELECT b.role::text FROM secant.bindings b WHERE b.principal_key = r.new_key
             ORDER BY 1),
       true
FROM walk w
JOIN secant.pending_reissue_list() r ON r.delegator_key = w.principal_key
JOIN secant.principals gp ON gp.public_key = w.group_key;
COMMENT ON VIEW secant.readers IS 'who can read what: each active grant path from a group to a principal (names), the earliest expiry on it, and the roles bound to the principal; rows with pending_reissue are paths a key rotation closed until the delegator grants to the principal''s new key (not served)';

-- ==== key rotation ====
-- A principal P moves from key K to a new key K' in one transaction,
-- driven by P's own client (secant-pre rotate), each step in the audit
-- log: K is retired (secant.principal_keys: replaced_by K'), P's row and
-- bindings move to K', every grant into or out of K is removed as by
-- secant.revoke (copies made through them deleted, hop keys remembered,
-- reason 'rotated'), copies addressed to K deleted; then the grants the
-- client made are stored: for a group a bridge K -> K' (the one grant a
-- retired key may delegate; it serves only ciphertexts whose hop chain
-- starts at K or an older key of P: records at rest) and K' -> each
-- remaining member; for a user K' -> its remaining devices; for a device
-- its enrolment grants into K'.  The delegators of the dropped grants into
-- K make them again to K' (secant.pending_reissues).
CREATE FUNCTION secant.rotate_key(principal_name text, want_kind text, new_key pre_public_key,
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
    -- every grant into or out of the old key, locked as secant.revoke
    -- locks them: waits for the transactions that read through them (and
    -- for a rotation of a key at their other end)
    -- (in id order, as the readers lock their paths: no lock cycle)
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
REVOKE ALL ON FUNCTION secant.rotate_key(text, text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) FROM PUBLIC;
COMMENT ON FUNCTION secant.rotate_key(text, text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) IS 'key rotation of a principal of the given kind (the body of secant.rotate_group, rotate_user and rotate_device)';

CREATE FUNCTION secant.rotate_group(group_name text, new_key pre_public_key, bridge pre_sealed_grant,
                                    member_grants pre_sealed_grant[], index_key_ct pre_ciphertext DEFAULT NULL)
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.rotate_key(group_name, 'group', new_key, bridge, member_grants, index_key_ct) $$;
REVOKE ALL ON FUNCTION secant.rotate_group(text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_group(text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_group(text, pre_public_key, pre_sealed_grant, pre_sealed_grant[], pre_ciphertext) IS 'rotate a group to a new key in one transaction (after a member left or a key leaked): the old key retired, every grant into or out of it dropped as by revoke, the bridge old -> new stored (it serves records at rest encrypted to the old key only), the new key''s grants to the remaining members and its new index key version (required when the group has one); admins';

CREATE FUNCTION secant.rotate_user(user_name text, new_key pre_public_key, device_grants pre_sealed_grant[],
                                   bridge pre_sealed_grant DEFAULT NULL)
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.rotate_key(user_name, 'user', new_key, bridge, device_grants, NULL) $$;
REVOKE ALL ON FUNCTION secant.rotate_user(text, pre_public_key, pre_sealed_grant[], pre_sealed_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_user(text, pre_public_key, pre_sealed_grant[], pre_sealed_grant) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_user(text, pre_public_key, pre_sealed_grant[], pre_sealed_grant) IS 'rotate a user to a new key in one transaction (after a device was lost): the old key retired, every grant into or out of it dropped as by revoke, the new key''s grants to the remaining devices stored; memberships stay closed until each group''s delegator grants to the new key (secant.pending_reissues); an optional bridge serves records encrypted to the old key; admins';

CREATE FUNCTION secant.rotate_device(device_name text, new_key pre_public_key, enrolments pre_sealed_grant[])
RETURNS TABLE (retired_key pre_public_key, grants_dropped bigint, copies_deleted bigint,
               grants_added bigint, bindings_moved bigint, index_key_version integer)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.rotate_key(device_name, 'device', new_key, NULL, enrolments, NULL) $$;
REVOKE ALL ON FUNCTION secant.rotate_device(text, pre_public_key, pre_sealed_grant[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_device(text, pre_public_key, pre_sealed_grant[]) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_device(text, pre_public_key, pre_sealed_grant[]) IS 'rotate a device to a new key enrolled by its user in one transaction: the old key retired, every grant into or out of it dropped as by revoke, its bindings removed (bind the new device''s login anew), the enrolment grants into the new key stored; admins';

-- After every record at rest was moved to the new key (secant-pre rewrap):
-- remove the bridges out of a principal's retired keys, as by revoke.
CREATE FUNCTION secant.drop_bridges(principal_name text) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    n bigint := 0;
BEGIN
    PERFORM secant.require_admin();
    FOR r IN SELECT g.from_key, g.to_key FROM secant.grants g
             JOIN secant.principal_keys k ON k.public_key OPERATOR(@extschema@.=) g.from_key
             WHERE k.retired_at IS NOT NULL
               AND k.principal_id OPERATOR(pg_catalog.=) (SELECT p.id FROM secant.principals p
                                                         WHERE p.name OPERATOR(pg_catalog.=) principal_name)
    LOOP
        PERFORM secant.revoke(r.from_key, r.to_key);
        n := n OPERATOR(pg_catalog.+) 1;
    END LOOP;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION secant.drop_bridges(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.drop_bridges(text) TO secant_admin;
COMMENT ON FUNCTION secant.drop_bridges(text) IS 'revoke the bridges out of a principal''s retired keys (after its records at rest were rewrapped to the new key); returns how many';
