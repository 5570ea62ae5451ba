-- secant_pre 0.1.0 -> 0.2.0: access control in the database.
-- Schema secant: principals, grants (membership and enrolment), grant
-- paths, re-encryption along a path, sharing triggers, revocation, and a
-- tamper-evident audit log.  See ARCHITECTURE.md and the README.

\echo Use "ALTER EXTENSION secant_pre UPDATE TO '0.2.0'" to load this file. \quit

-- ---- roles ----

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'secant_admin') THEN
        CREATE ROLE secant_admin NOLOGIN;
    END IF;
END $$;
COMMENT ON ROLE secant_admin IS 'manages secant_pre principals, grants and revocations';

-- ---- helpers in the extension schema ----

CREATE FUNCTION pre_audit_hash(prev bytea, entry bytea) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION pre_audit_hash(bytea, bytea) IS 'BLAKE2b-256 of prev || entry: the link of the audit log''s hash chain';

-- ---- schema secant ----

CREATE SCHEMA secant;
COMMENT ON SCHEMA secant IS 'secant_pre access control: principals, grants, shares, revocation, audit';
REVOKE ALL ON SCHEMA secant FROM PUBLIC;
GRANT USAGE ON SCHEMA secant TO PUBLIC;

CREATE TABLE secant.principals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> ''),
    kind text NOT NULL CHECK (kind IN ('group', 'user', 'device')),
    public_key pre_public_key NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.principals IS 'groups, users and devices, each with its public key';

CREATE TABLE secant.grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rekey pre_grant NOT NULL,
    from_key pre_public_key NOT NULL GENERATED ALWAYS AS (pre_grant_from(rekey)) STORED
        REFERENCES secant.principals (public_key) ON DELETE RESTRICT,
    to_key pre_public_key NOT NULL GENERATED ALWAYS AS (pre_grant_to(rekey)) STORED
        REFERENCES secant.principals (public_key) ON DELETE RESTRICT,
    not_after timestamptz GENERATED ALWAYS AS (pre_grant_not_after(rekey)) STORED,
    hop_key bytea NOT NULL GENERATED ALWAYS AS (pre_grant_hop_key(rekey)) STORED UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grants_from_key ON secant.grants (from_key);
CREATE INDEX grants_to_key ON secant.grants (to_key);
COMMENT ON TABLE secant.grants IS 're-encryption keys: group->user is membership, user->device is enrolment; rekey is readable only by secant_admin and the extension''s functions';

CREATE TABLE secant.share_tables (
    table_name regclass CONSTRAINT share_tables_pkey PRIMARY KEY,
    copy_column name NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.share_tables IS 'tables holding copies made by secant.share_trigger, searched by secant.revoke';

CREATE TABLE secant.audit_log (
    seq bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    actor name NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL
);
COMMENT ON TABLE secant.audit_log IS 'append-only, hash-chained log of principal, grant, share and revocation changes';

SELECT pg_catalog.pg_extension_config_dump('secant.principals', '');
SELECT pg_catalog.pg_extension_config_dump('secant.grants', '');
SELECT pg_catalog.pg_extension_config_dump('secant.share_tables', '');
SELECT pg_catalog.pg_extension_config_dump('secant.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.principals', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.grants', 'id')::regclass, '');

-- ---- privileges ----

REVOKE ALL ON ALL TABLES IN SCHEMA secant FROM PUBLIC;
GRANT SELECT ON secant.principals TO PUBLIC;
GRANT SELECT (id, from_key, to_key, not_after, hop_key, created_at) ON secant.grants TO PUBLIC;
GRANT SELECT, INSERT, UPDATE (name), DELETE ON secant.principals TO secant_admin;
GRANT SELECT, INSERT, DELETE ON secant.grants TO secant_admin;
GRANT SELECT ON secant.share_tables, secant.audit_log TO secant_admin;

-- ---- audit log ----

-- The canonical bytes of an entry: a JSON array (unambiguous, independent
-- of DateStyle and TimeZone).
CREATE FUNCTION secant.audit_entry(seq bigint, at timestamptz, actor name, action text, detail jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT convert_to(jsonb_build_array(seq, (extract(epoch FROM at) * 1000000)::bigint,
                                          actor, action, detail)::text, 'UTF8') $$;
COMMENT ON FUNCTION secant.audit_entry(bigint, timestamptz, name, text, jsonb) IS 'canonical bytes of an audit entry, as hashed into the chain';

-- Chain a new entry: serialised by a transaction-level advisory lock, so
-- each entry links to the one committed before it.
CREATE FUNCTION secant.audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    last secant.audit_log;
BEGIN
    -- a restore (pg_dump data) brings whole rows: a superuser may load them
    IF NEW.hash IS NOT NULL AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('secant.audit_log'));
    SELECT * INTO last FROM secant.audit_log ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) + 1;
    NEW.at := clock_timestamp();
    NEW.actor := session_user;
    NEW.prev_hash := coalesce(last.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.hash := pre_audit_hash(NEW.prev_hash,
                               secant.audit_entry(NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.detail));
    RETURN NEW;
END $$;
COMMENT ON FUNCTION secant.audit_log_chain() IS 'trigger: number, time-stamp and hash-chain a new audit entry';

CREATE FUNCTION secant.audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'secant.audit_log is append-only'
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = format('%s is refused on the audit log.', TG_OP);
END $$;
COMMENT ON FUNCTION secant.audit_log_refuse() IS 'trigger: refuse UPDATE, DELETE and TRUNCATE of the audit log';

CREATE TRIGGER audit_log_chain BEFORE INSERT ON secant.audit_log
    FOR EACH ROW EXECUTE FUNCTION secant.audit_log_chain();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON secant.audit_log
    FOR EACH ROW EXECUTE FUNCTION secant.audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON secant.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION secant.audit_log_refuse();

CREATE FUNCTION secant.audit(action text, detail jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO secant.audit_log (action, detail) VALUES (action, detail) RETURNING seq $$;
REVOKE ALL ON FUNCTION secant.audit(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit(text, jsonb) TO secant_admin;
COMMENT ON FUNCTION secant.audit(text, jsonb) IS 'append an entry to the audit log; returns its sequence number';

CREATE FUNCTION secant.audit_verify() RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    r secant.audit_log;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    expect bigint := 1;
BEGIN
    FOR r IN SELECT * FROM secant.audit_log ORDER BY seq LOOP
        IF r.seq <> expect OR r.prev_hash <> prev OR
           r.hash <> pre_audit_hash(prev, secant.audit_entry(r.seq, r.at, r.actor, r.action, r.detail)) THEN
            RETURN r.seq;
        END IF;
        prev := r.hash;
        expect := expect + 1;
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_verify() TO secant_admin;
COMMENT ON FUNCTION secant.audit_verify() IS 'the sequence number of the first broken link of the audit chain, or NULL when it is intact';

CREATE FUNCTION secant.audit_head() RETURNS bytea
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT hash FROM secant.audit_log ORDER BY seq DESC LIMIT 1 $$;
REVOKE ALL ON FUNCTION secant.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_head() TO secant_admin;
COMMENT ON FUNCTION secant.audit_head() IS 'hash of the newest audit entry: anchor it outside the database to detect a rewritten chain';

-- A superuser loading secant's tables with COPY (pg_restore, or psql on a
-- plain dump): the rows come with their audit entries already in the dump,
-- so the audit triggers must not add new ones.
CREATE FUNCTION secant.restoring() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
             AND current_query() ~* '^\s*COPY\s+secant\.' $$;
COMMENT ON FUNCTION secant.restoring() IS 'true while a superuser loads secant tables with COPY (a restore): audit triggers then add nothing';

-- Audit every change of principals and grants, whoever makes it.
CREATE FUNCTION secant.audit_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    r record;
    detail jsonb;
BEGIN
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'principals' THEN
        detail := jsonb_build_object('name', r.name, 'kind', r.kind, 'public_key', r.public_key::text);
    ELSE
        detail := jsonb_build_object('grant_id', r.id, 'from_key', r.from_key::text,
                                     'to_key', r.to_key::text, 'not_after', r.not_after);
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES (lower(TG_OP) || ' ' || rtrim(TG_TABLE_NAME, 's'), detail);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION secant.audit_change() IS 'trigger: log a change of principals or grants in the audit log';
CREATE TRIGGER principals_audit AFTER INSERT OR UPDATE OR DELETE ON secant.principals
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();
CREATE TRIGGER grants_audit AFTER INSERT OR DELETE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();

-- ---- principals and grants ----

CREATE FUNCTION secant.add_principal(name text, kind text, public_key pre_public_key) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ INSERT INTO secant.principals (name, kind, public_key) VALUES (name, kind, public_key) RETURNING id $$;
REVOKE ALL ON FUNCTION secant.add_principal(text, text, pre_public_key) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_principal(text, text, pre_public_key) TO secant_admin;
COMMENT ON FUNCTION secant.add_principal(text, text, pre_public_key) IS 'register a group, user or device by its public key; returns its id';

CREATE FUNCTION secant.principal_key(name text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    k pre_public_key;
BEGIN
    SELECT p.public_key INTO k FROM secant.principals p WHERE p.name = principal_key.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'principal "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN k;
END $$;
COMMENT ON FUNCTION secant.principal_key(text) IS 'the public key of a principal, by name';

CREATE FUNCTION secant.add_grant(rekey pre_grant) RETURNS bigint
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM secant.principals WHERE public_key = pre_grant_from(rekey)) OR
       NOT EXISTS (SELECT 1 FROM secant.principals WHERE public_key = pre_grant_to(rekey)) THEN
        RAISE EXCEPTION 'grant links an unknown principal'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Add both principals with secant.add_principal() first.';
    END IF;
    INSERT INTO secant.grants (rekey) VALUES (rekey) RETURNING grants.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant(pre_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(pre_grant) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(pre_grant) IS 'store a grant (membership or enrolment) between two known principals; returns its id';

CREATE FUNCTION secant.members(group_name text)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
    SELECT p.name, p.kind, p.public_key, g.not_after
    FROM secant.grants g JOIN secant.principals p ON p.public_key = g.to_key
    WHERE g.from_key = secant.principal_key(group_name)
    ORDER BY p.name $$;
COMMENT ON FUNCTION secant.members(text) IS 'principals holding a grant from the named group (its members), with expiry';

CREATE FUNCTION secant.devices(user_name text)
RETURNS TABLE (name text, public_key pre_public_key, not_after timestamptz)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
    SELECT p.name, p.public_key, g.not_after
    FROM secant.grants g JOIN secant.principals p ON p.public_key = g.to_key
    WHERE g.from_key = secant.principal_key(user_name) AND p.kind = 'device'
    ORDER BY p.name $$;
COMMENT ON FUNCTION secant.devices(text) IS 'devices enrolled by the named user';

-- ---- paths ----

-- Breadth-first search over active grants (unexpired at statement time),
-- backwards from the target: in a group -> user -> device hierarchy the
-- fan-in of a device or a user is small while a group's fan-out is large.
-- One indexed query per level; each principal is visited once.
CREATE FUNCTION secant.path(from_key pre_public_key, to_key pre_public_key, max_depth integer DEFAULT 8)
RETURNS TABLE (hop integer, grant_id bigint, hop_from pre_public_key, hop_to pre_public_key, not_after timestamptz)
STRICT LANGUAGE plpgsql STABLE PARALLEL SAFE
-- a few indexed queries per call, a handful of rows: tell the planner, so
-- that it evaluates a constant path once rather than per outer row
COST 10000 ROWS 4
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    frontier pre_public_key[] := ARRAY[to_key];
    seen pre_public_key[] := ARRAY[to_key];
    next_frontier pre_public_key[];
    -- the edge taken from each key discovered, towards the target
    e_id bigint[] := '{}';
    e_from pre_public_key[] := '{}';
    e_to pre_public_key[] := '{}';
    e_exp timestamptz[] := '{}';
    depth integer := 0;
    cur pre_public_key := from_key;
    i integer;
    r record;
BEGIN
    IF from_key = to_key THEN
        RETURN;
    END IF;
    WHILE NOT from_key = ANY (seen) AND depth < least(max_depth, 15) AND cardinality(frontier) > 0 LOOP
        depth := depth + 1;
        next_frontier := '{}';
        FOR r IN
            SELECT DISTINCT ON (g.from_key) g.id, g.from_key AS f, g.to_key AS t, g.not_after AS x
            FROM secant.grants g
            WHERE g.to_key = ANY (frontier)
              AND NOT g.from_key = ANY (seen)
              AND (g.not_after IS NULL OR g.not_after > statement_timestamp())
            ORDER BY g.from_key, g.not_after DESC NULLS FIRST, g.id DESC
        LOOP
            e_id := e_id || r.id;
            e_from := e_from || r.f;
            e_to := e_to || r.t;
            e_exp := e_exp || r.x;
            seen := seen || r.f;
            next_frontier := next_frontier || r.f;
        END LOOP;
        frontier := next_frontier;
    END LOOP;
    IF NOT from_key = ANY (seen) THEN
        RETURN;
    END IF;
    -- follow the recorded edges forwards from the start
    hop := 0;
    WHILE cur <> to_key LOOP
        i := array_position(e_from, cur);
        hop := hop + 1;
        grant_id := e_id[i];
        hop_from := e_from[i];
        hop_to := e_to[i];
        not_after := e_exp[i];
        cur := e_to[i];
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION secant.path(pre_public_key, pre_public_key, integer) IS 'a shortest chain of active grants (unexpired at statement time, not revoked) between two keys; no rows when there is none';

-- VOLATILE and PARALLEL UNSAFE on purpose: the path lookup takes a fresh
-- snapshot after locking secant.grants, so that no copy through a revoked
-- grant is made after the revocation commits.  Not SECURITY DEFINER: the
-- lookup alone (once per statement) runs as the owner with a safe
-- search_path, so the rows pay nothing for it (see src/path.c).
CREATE FUNCTION secant.reencrypt_for(ct pre_ciphertext, target pre_public_key) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_reencrypt_for' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, pre_public_key) IS 're-encrypt along the active grant path from the ciphertext''s current recipient to target (path looked up once per statement); error 42501 when there is none';

CREATE FUNCTION secant.grants_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_grants_changed' LANGUAGE C;
COMMENT ON FUNCTION secant.grants_changed() IS 'trigger: invalidate the paths cached by secant.reencrypt_for in this session';
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant.grants_changed();

-- ---- sharing ----

-- Only a table that has a secant.share_trigger and a pre_ciphertext copy
-- column of that name can be registered.
CREATE FUNCTION secant.register_share_table(table_name regclass, copy_column name) RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM secant.share_tables s
               WHERE s.table_name = register_share_table.table_name
                 AND s.copy_column = register_share_table.copy_column) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger
                   WHERE tgrelid = table_name AND tgfoid = 'secant.share_trigger()'::regprocedure)
       OR NOT EXISTS (SELECT 1 FROM pg_attribute
                      WHERE attrelid = table_name AND attname = copy_column AND NOT attisdropped
                        AND atttypid = 'pre_ciphertext'::regtype) THEN
        RAISE EXCEPTION 'table % has no secant.share_trigger with a pre_ciphertext column %', table_name, copy_column
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO secant.share_tables (table_name, copy_column)
    VALUES (table_name, copy_column)
    ON CONFLICT ON CONSTRAINT share_tables_pkey DO UPDATE SET copy_column = EXCLUDED.copy_column;
END $$;
COMMENT ON FUNCTION secant.register_share_table(regclass, name) IS 'record a table whose copy column holds re-encrypted copies, so that revocation finds them (done by secant.share_trigger)';

-- C: checks that the caller may write the share table and that the table
-- carries the sharing trigger, then writes the entry as the owner.
CREATE FUNCTION secant.log_share(table_name regclass, copy pre_ciphertext) RETURNS void
    AS 'MODULE_PATHNAME', 'pre_log_share' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.log_share(regclass, pre_ciphertext) IS 'log a copy made by secant.share_trigger in the audit log';

-- Arguments: source table, source ciphertext column, source key column,
-- the share's column referencing the source key, the share's recipient
-- column (pre_public_key), the share's copy column (pre_ciphertext).
CREATE FUNCTION secant.share_trigger() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    src regclass;
    ct pre_ciphertext;
    target pre_public_key;
    copy pre_ciphertext;
    changed boolean;
    n bigint;
BEGIN
    IF TG_NARGS <> 6 OR TG_LEVEL <> 'ROW' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION 'secant.share_trigger must be a BEFORE ... FOR EACH ROW trigger with 6 arguments'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Arguments: source table, source column, source key column, share reference column, recipient column, copy column.';
    END IF;
    src := TG_ARGV[0]::regclass;
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT ($1).%1$I IS DISTINCT FROM ($2).%1$I OR ($1).%2$I IS DISTINCT FROM ($2).%2$I',
                       TG_ARGV[3], TG_ARGV[4])
            INTO changed USING OLD, NEW;
        IF NOT changed THEN
            RETURN NEW;
        END IF;
    END IF;
    EXECUTE format('SELECT ($1).%I', TG_ARGV[4]) INTO target USING NEW;
    EXECUTE format('SELECT s.%I FROM %s s WHERE s.%I = ($1).%I', TG_ARGV[1], src, TG_ARGV[2], TG_ARGV[3])
        INTO ct USING NEW;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RAISE EXCEPTION 'shared row not found in %', src
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF ct IS NOT NULL AND target IS NOT NULL THEN
        copy := secant.reencrypt_for(ct, target);
        PERFORM secant.register_share_table(TG_RELID, TG_ARGV[5]);
        PERFORM secant.log_share(TG_RELID, copy);
    END IF;
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[5], copy::text));
    RETURN NEW;
END $$;
COMMENT ON FUNCTION secant.share_trigger() IS 'trigger: fill a share row''s copy column with the source ciphertext re-encrypted for the row''s recipient, and register it for revocation';

-- ---- revocation ----

-- Takes an ACCESS EXCLUSIVE lock on secant.grants: it waits for every
-- transaction that has read grants (shares, reencrypt_for) to end, and
-- blocks new readers until it commits, so no copy through the revoked
-- grant can be made after the revocation commits.
CREATE FUNCTION secant.revoke(from_key pre_public_key, to_key pre_public_key) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
    marks bytea[];
    t record;
    n bigint;
    copies bigint := 0;
BEGIN
    LOCK TABLE secant.grants IN ACCESS EXCLUSIVE MODE;
    WITH gone AS (
        DELETE FROM secant.grants g
        WHERE g.from_key = revoke.from_key AND g.to_key = revoke.to_key
        RETURNING g.hop_key)
    SELECT array_agg(hop_key) INTO marks FROM gone;
    IF marks IS NULL THEN
        RAISE EXCEPTION 'no grant to revoke between these keys'
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'secant.grants holds no grant from the first key to the second.';
    END IF;
    FOR t IN
        SELECT s.table_name, s.copy_column
        FROM secant.share_tables s
        JOIN pg_attribute a ON a.attrelid = s.table_name AND a.attname = s.copy_column
                           AND NOT a.attisdropped
        ORDER BY s.table_name::oid
    LOOP
        EXECUTE format('DELETE FROM %s WHERE pre_hop_keys(%I) && $1', t.table_name, t.copy_column)
            USING marks;
        GET DIAGNOSTICS n = ROW_COUNT;
        copies := copies + n;
    END LOOP;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('revoke', jsonb_build_object('from_key', from_key::text, 'to_key', to_key::text,
                                         'grants', cardinality(marks), 'copies_deleted', copies));
    RETURN copies;
END $$;
REVOKE ALL ON FUNCTION secant.revoke(pre_public_key, pre_public_key) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(pre_public_key, pre_public_key) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(pre_public_key, pre_public_key) IS 'remove every grant from one key to another and, in the same transaction, every registered copy made through them; returns the number of copies deleted';

CREATE FUNCTION secant.revoke(from_name text, to_name text) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$ SELECT secant.revoke(secant.principal_key(from_name), secant.principal_key(to_name)) $$;
REVOKE ALL ON FUNCTION secant.revoke(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(text, text) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(text, text) IS 'secant.revoke by principal names';
