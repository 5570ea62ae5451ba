-- secant_pre 0.3.0 -> 0.4.0: no role gains another's rights through the
-- extension, and revocation that no one can race, block or stall.
--
-- * Copies live in secant.copies (the extension's storage), made by the
--   sharing triggers that secant.enable_sharing() installs; revocation
--   deletes from secant.copies only.  secant.share_trigger(),
--   secant.register_share_table(), secant.log_share() and
--   secant.share_tables are gone: the share tables registered so far are
--   converted below (their copies are copied into secant.copies and the
--   new triggers installed); the old copy columns are left alone, with a
--   WARNING naming each: clear them (UPDATE t SET col = NULL).
-- * Owner-run code names everything it calls (pg_catalog., @extschema@.)
--   and runs with search_path pg_catalog, pg_temp.
-- * The audit chain serialises on secant.audit_lock, not an advisory key;
--   shares are logged in secant.access_log (not chained); restores are
--   recognised by the session user, which a non-superuser cannot fake.
-- * Revocation locks only the grant rows it removes; readers lock the rows
--   of their path FOR KEY SHARE; removed hop keys are remembered in
--   secant.revoked_grants and can never be stored again; a plain DELETE of
--   a grant does what secant.revoke does; secant.revoke(..., wait => false)
--   fails at once.

\echo Use "ALTER EXTENSION secant_pre UPDATE TO '0.4.0'" to load this file. \quit

-- ---- new tables ----

-- ---- pre_sealed_grant (presealed_) ----
CREATE TYPE pre_sealed_grant;
CREATE FUNCTION pre_sealed_grant_in(cstring) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_sealed_grant_out(pre_sealed_grant) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_sealed_grant_recv(internal) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pre_sealed_grant_send(pre_sealed_grant) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE pre_sealed_grant (
    INPUT = pre_sealed_grant_in, OUTPUT = pre_sealed_grant_out,
    RECEIVE = pre_sealed_grant_recv, SEND = pre_sealed_grant_send,
    INTERNALLENGTH = 360, ALIGNMENT = char, STORAGE = plain
);
COMMENT ON TYPE pre_sealed_grant IS 'a grant sealed to a server key for one database (360 bytes): only that server opens it, in memory';
CREATE FUNCTION pre_sealed_grant(bytea) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME', 'pre_sealed_grant_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bytea(pre_sealed_grant) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pre_sealed_grant_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (bytea AS pre_sealed_grant) WITH FUNCTION pre_sealed_grant(bytea);
CREATE CAST (pre_sealed_grant AS bytea) WITH FUNCTION bytea(pre_sealed_grant);
COMMENT ON FUNCTION pre_sealed_grant_in(cstring) IS 'text input of pre_sealed_grant: "presealed_" and unpadded base64url, layout checked';
COMMENT ON FUNCTION pre_sealed_grant_out(pre_sealed_grant) IS 'text output of pre_sealed_grant: "presealed_" and unpadded base64url';
COMMENT ON FUNCTION pre_sealed_grant_recv(internal) IS 'binary input of pre_sealed_grant: the SCHEME.md bytes, layout checked';
COMMENT ON FUNCTION pre_sealed_grant_send(pre_sealed_grant) IS 'binary output of pre_sealed_grant: the SCHEME.md bytes';
COMMENT ON FUNCTION pre_sealed_grant(bytea) IS 'cast from the SCHEME.md bytes, layout checked';
COMMENT ON FUNCTION bytea(pre_sealed_grant) IS 'cast to the SCHEME.md bytes';

-- The database's identity, bound into every sealed grant: a grant sealed
-- for one database does not open in another.  Made on first use; dumped.
CREATE TABLE secant.database_identity (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id bytea NOT NULL CHECK (octet_length(id) = 16)
);
COMMENT ON TABLE secant.database_identity IS 'this database''s random identity, bound into its sealed grants (kept across dump and restore)';

-- Settings an admin of this database controls (readable by everyone, so
-- that readers know whether their reads are logged).
CREATE TABLE secant.settings (
    name text PRIMARY KEY CHECK (name IN ('read_audit')),
    value text NOT NULL CHECK (value IN ('on', 'off')),
    changed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE secant.settings IS 'settings of this database''s admins: read_audit (on: every statement that re-encrypts for a target is logged in secant.access_log)';

CREATE TABLE secant.revoked_grants (
    hop_key bytea PRIMARY KEY,
    from_key pre_public_key NOT NULL,
    to_key pre_public_key NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    revoked_by name NOT NULL,
    reason text NOT NULL DEFAULT 'revoked' CHECK (reason IN ('revoked', 'expired'))
);
COMMENT ON TABLE secant.revoked_grants IS 'hop keys of removed grants (revoked, or expired and purged): a grant with one of them can never be stored again';

-- Who may obtain what is addressed to a principal: the roles bound to it,
-- and the roles holding the proxy capability (application servers that
-- authenticate their users themselves).  Membership counts
-- (pg_has_role(..., 'MEMBER')); the role that counts is current_user.
CREATE TABLE secant.bindings (
    principal_key pre_public_key NOT NULL REFERENCES secant.principals (public_key) ON DELETE CASCADE,
    role regrole NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_key, role)
);
COMMENT ON TABLE secant.bindings IS 'database roles bound to principals: a role obtains re-encryptions, index keys and copies for the principals it is bound to (by OID: a dropped role''s binding stays inert, a new role of the same name gets nothing)';

CREATE TABLE secant.capabilities (
    role regrole NOT NULL,
    capability text NOT NULL CHECK (capability IN ('admin', 'proxy')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (role, capability)
);
COMMENT ON TABLE secant.capabilities IS 'capabilities of roles in this database: admin = manage principals, grants, bindings, revocation and read the logs here (with membership in secant_admin for the table privileges); proxy = may obtain what is addressed to any principal (an application server that authenticates its users; part of the trusted computing base)';

CREATE TABLE secant.copies (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    share_table regclass NOT NULL,
    source_table regclass NOT NULL,
    source_row text NOT NULL,
    recipient pre_public_key NOT NULL,
    copy pre_ciphertext NOT NULL,
    hop_keys bytea[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by name NOT NULL,
    UNIQUE (share_table, source_row, recipient)
);
CREATE INDEX copies_hop_keys ON secant.copies USING gin (hop_keys);
CREATE INDEX copies_source ON secant.copies (source_table, source_row);
COMMENT ON TABLE secant.copies IS 'copies of shared records re-encrypted for their recipients, made by the sharing triggers; a role reads the copies addressed to principals it is bound to (or all, as a proxy)';
COMMENT ON COLUMN secant.copies.share_table IS 'the application''s share table whose row asked for the copy';
COMMENT ON COLUMN secant.copies.source_row IS 'the shared row''s key, as text';
COMMENT ON COLUMN secant.copies.hop_keys IS 'pre_hop_keys(copy): revocation deletes every copy made through a revoked grant';
COMMENT ON COLUMN secant.copies.created_by IS 'the role that inserted the share row';

-- The one row that the audit chain serialises on: only the extension's
-- own code can lock it (no role has any privilege on it).
CREATE TABLE secant.audit_lock (id integer PRIMARY KEY CHECK (id = 1));
INSERT INTO secant.audit_lock VALUES (1);
COMMENT ON TABLE secant.audit_lock IS 'one row, locked by each new audit entry until its transaction ends: the chain''s order';

CREATE TABLE secant.access_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor name NOT NULL,
    role name NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL
);
COMMENT ON TABLE secant.access_log IS 'append-only log of copies made by sharing and, with read audit on, of reads (not chained: readers and sharers never wait for each other or for a revocation)';

SELECT pg_catalog.pg_extension_config_dump('secant.database_identity', '');
SELECT pg_catalog.pg_extension_config_dump('secant.revoked_grants', '');
SELECT pg_catalog.pg_extension_config_dump('secant.bindings', '');
SELECT pg_catalog.pg_extension_config_dump('secant.capabilities', '');
SELECT pg_catalog.pg_extension_config_dump('secant.settings', '');
SELECT pg_catalog.pg_extension_config_dump('secant.copies', '');
SELECT pg_catalog.pg_extension_config_dump('secant.access_log', '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.copies', 'id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_get_serial_sequence('secant.access_log', 'id')::regclass, '');
COMMENT ON TABLE secant.grants IS 're-encryption keys sealed to the server key: group->user is membership, user->device is enrolment; only the server opens them, in memory';
REVOKE ALL ON secant.database_identity FROM PUBLIC;
REVOKE ALL ON secant.revoked_grants, secant.copies, secant.audit_lock, secant.access_log,
    secant.bindings, secant.capabilities, secant.settings FROM PUBLIC;
GRANT SELECT ON secant.access_log, secant.revoked_grants TO secant_admin;
GRANT SELECT ON secant.bindings, secant.capabilities, secant.settings TO PUBLIC;
GRANT INSERT, DELETE ON secant.bindings, secant.capabilities TO secant_admin;
GRANT INSERT, UPDATE, DELETE ON secant.settings TO secant_admin;
GRANT SELECT ON secant.copies TO PUBLIC;
COMMENT ON TABLE secant.audit_log IS 'append-only, hash-chained log of principal, grant, revocation and index key changes';

-- ---- audit ----

CREATE OR REPLACE FUNCTION secant.audit_entry(seq bigint, at timestamptz, actor name, action text, detail jsonb)
RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.convert_to(pg_catalog.jsonb_build_array(seq,
             (extract(epoch FROM at) OPERATOR(pg_catalog.*) 1000000)::bigint,
             actor, action, detail)::text, 'UTF8') $$;
COMMENT ON FUNCTION secant.audit_entry(bigint, timestamptz, name, text, jsonb) IS 'canonical bytes of an audit entry, as hashed into the chain';

CREATE OR REPLACE FUNCTION secant.restoring() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                       WHERE r.rolname OPERATOR(pg_catalog.=) SESSION_USER), false)
             AND pg_catalog.current_query() OPERATOR(pg_catalog.~*) '^\s*COPY\s+secant\.' $$;
COMMENT ON FUNCTION secant.restoring() IS 'true while a superuser''s session loads secant tables with COPY (a restore): audit triggers then add nothing';

CREATE OR REPLACE FUNCTION secant.audit_log_chain() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last record;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.audit_log'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.audit_log_chain() chains secant.audit_log only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.hash IS NOT NULL AND secant.restoring() THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM secant.audit_lock FOR UPDATE;
    SELECT l.seq, l.hash INTO last FROM secant.audit_log l ORDER BY l.seq DESC LIMIT 1;
    NEW.seq := coalesce(last.seq, 0) OPERATOR(pg_catalog.+) 1;
    NEW.at := pg_catalog.clock_timestamp();
    NEW.actor := SESSION_USER;
    NEW.prev_hash := coalesce(last.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.hash := @extschema@.pre_audit_hash(NEW.prev_hash,
                    secant.audit_entry(NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.detail));
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant.audit_log_chain() FROM PUBLIC;
COMMENT ON FUNCTION secant.audit_log_chain() IS 'trigger: number, time-stamp and hash-chain a new audit entry';

CREATE OR REPLACE FUNCTION secant.audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_SCHEMA OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = pg_catalog.format('%s is refused on the %s.', TG_OP,
                                         CASE WHEN TG_TABLE_NAME OPERATOR(pg_catalog.=) 'audit_log'
                                              THEN 'audit log' ELSE 'access log' END);
END $$;
REVOKE ALL ON FUNCTION secant.audit_log_refuse() FROM PUBLIC;
COMMENT ON FUNCTION secant.audit_log_refuse() IS 'trigger: refuse UPDATE, DELETE and TRUNCATE of the audit and access logs';

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON secant.access_log
    FOR EACH ROW EXECUTE FUNCTION secant.audit_log_refuse();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON secant.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION secant.audit_log_refuse();

CREATE OR REPLACE FUNCTION secant.audit(action text, detail jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.require_admin();
      INSERT INTO secant.audit_log (action, detail) VALUES (action, detail) RETURNING seq $$;
REVOKE ALL ON FUNCTION secant.audit(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit(text, jsonb) TO secant_admin;
COMMENT ON FUNCTION secant.audit(text, jsonb) IS 'append an entry to the audit log; returns its sequence number';

CREATE OR REPLACE FUNCTION secant.audit_verify() RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r secant.audit_log;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    expect bigint := 1;
BEGIN
    PERFORM secant.require_admin();
    FOR r IN SELECT * FROM secant.audit_log l ORDER BY l.seq LOOP
        IF r.seq OPERATOR(pg_catalog.<>) expect OR r.prev_hash OPERATOR(pg_catalog.<>) prev OR
           r.hash OPERATOR(pg_catalog.<>) @extschema@.pre_audit_hash(prev,
               secant.audit_entry(r.seq, r.at, r.actor, r.action, r.detail)) THEN
            RETURN r.seq;
        END IF;
        prev := r.hash;
        expect := expect OPERATOR(pg_catalog.+) 1;
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_verify() TO secant_admin;
COMMENT ON FUNCTION secant.audit_verify() IS 'the sequence number of the first broken link of the audit chain, or NULL when it is intact';

CREATE OR REPLACE FUNCTION secant.audit_head() RETURNS bytea
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.require_admin();
      SELECT l.hash FROM secant.audit_log l ORDER BY l.seq DESC LIMIT 1 $$;
REVOKE ALL ON FUNCTION secant.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_head() TO secant_admin;
COMMENT ON FUNCTION secant.audit_head() IS 'hash of the newest audit entry: anchor it outside the database to detect a rewritten chain';

-- The items the audit log says exist now: for each item (the values of
-- the detail fields keys, joined by a space), its last event among
-- ins_action and del_action, when that was ins_action, with its detail.
CREATE FUNCTION secant.audit_live(ins_action text, del_action text, keys text[])
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
          WHERE l.action OPERATOR(pg_catalog.=) ANY (ARRAY[ins_action, del_action])
          ORDER BY 1, l.seq DESC) x
    WHERE x.action OPERATOR(pg_catalog.=) ins_action $$;
COMMENT ON FUNCTION secant.audit_live(text, text, text[]) IS 'the items whose last audit event is an insert (keyed by detail fields), with that event''s detail';

-- State versus log: replay the audit log's events and return each
-- difference from the tables (no rows: they agree).  Run it after a
-- restore: a restore that lost rows (or an edit behind the triggers' back)
-- shows up here even when the chain itself verifies.
CREATE FUNCTION secant.audit_check()
RETURNS TABLE (kind text, item text, in_log text, in_table text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM secant.require_admin();
    RETURN QUERY
    SELECT 'principal'::text, coalesce(a.item, b.k), a.detail OPERATOR(pg_catalog.->>) 'name', b.name
    FROM secant.audit_live('insert principal', 'delete principal', ARRAY['public_key']) a
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
REVOKE ALL ON FUNCTION secant.audit_check() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.audit_check() TO secant_admin;
COMMENT ON FUNCTION secant.audit_check() IS 'state versus log: every difference between the audit log''s events (principals, grants, revoked hop keys, bindings, capabilities) and the tables; no rows when they agree';

-- The audit log with principals named: each detail field holding a public
-- key gets a *_name companion when a principal has that key (keys of
-- principals since removed stay as keys).
CREATE FUNCTION secant.name_keys(detail jsonb) RETURNS jsonb
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT detail OPERATOR(pg_catalog.||) coalesce(
        (SELECT pg_catalog.jsonb_object_agg(e.key OPERATOR(pg_catalog.||) '_name', p.name)
         FROM pg_catalog.jsonb_each_text(detail) AS e
         JOIN secant.principals p
           ON e.value OPERATOR(pg_catalog.~~) 'prepk\_%'
          AND p.public_key::text OPERATOR(pg_catalog.=) e.value),
        '{}'::jsonb) $$;
COMMENT ON FUNCTION secant.name_keys(jsonb) IS 'an audit detail with a *_name field beside each public key that names a principal';

CREATE VIEW secant.audit_entries WITH (security_invoker = true) AS
SELECT l.seq, l.at, l.actor, l.action, secant.name_keys(l.detail) AS detail
FROM secant.audit_log l;
COMMENT ON VIEW secant.audit_entries IS 'the audit log with principals named (readable by this database''s admins)';
GRANT SELECT ON secant.audit_entries TO secant_admin;

-- The role at the outer level (SET ROLE counts; SECURITY DEFINER does not):
-- who asked, also inside the extension's owner-run functions.
CREATE FUNCTION secant.outer_user() RETURNS oid
    AS 'MODULE_PATHNAME', 'pre_outer_user' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION secant.outer_user() IS 'the role at the outer level of this session (SET ROLE counts, SECURITY DEFINER does not)';

-- Is the outer role an admin of this database?  A superuser, or a member
-- of a role holding the admin capability here.  Roles are cluster-wide;
-- the capability is not.
CREATE FUNCTION secant.is_admin() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.oid OPERATOR(pg_catalog.=) secant.outer_user() AND r.rolsuper)
        OR EXISTS (SELECT 1 FROM secant.capabilities c
                   JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.role
                   WHERE c.capability OPERATOR(pg_catalog.=) 'admin'
                     AND pg_catalog.pg_has_role(secant.outer_user(), r.oid, 'MEMBER')) $$;
COMMENT ON FUNCTION secant.is_admin() IS 'true when the outer role is a superuser or holds the admin capability in this database';

CREATE FUNCTION secant.require_admin() RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT secant.is_admin() THEN
        RAISE EXCEPTION 'role "%" is not a secant_pre admin of database "%"',
            (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) secant.outer_user()),
            pg_catalog.current_database()
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An admin of this database, or its owner, runs SELECT secant.grant_capability(''role'', ''admin'').';
    END IF;
END $$;
COMMENT ON FUNCTION secant.require_admin() IS 'raise unless the outer role is an admin of this database';

-- Statement trigger on the tables admins write: only this database's
-- admins (membership in secant_admin gives the table privileges in every
-- database; the capability decides in which).  The database owner may also
-- give capabilities (bootstrap).
CREATE FUNCTION secant.admin_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF secant.is_admin() THEN
        RETURN NULL;
    END IF;
    IF TG_RELID OPERATOR(pg_catalog.=) 'secant.capabilities'::pg_catalog.regclass
       AND secant.is_database_owner() THEN
        RETURN NULL;
    END IF;
    PERFORM secant.require_admin();
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.admin_only() FROM PUBLIC;
COMMENT ON FUNCTION secant.admin_only() IS 'trigger: only admins of this database change secant''s tables';

CREATE FUNCTION secant.is_database_owner() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(secant.outer_user(), d.datdba, 'MEMBER')
    FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database() $$;
COMMENT ON FUNCTION secant.is_database_owner() IS 'true when the outer role is (a member of) the owner of this database';

CREATE OR REPLACE FUNCTION secant.audit_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    detail jsonb;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) ALL (ARRAY['secant.principals'::pg_catalog.regclass,
            'secant.grants'::pg_catalog.regclass, 'secant.bindings'::pg_catalog.regclass,
            'secant.capabilities'::pg_catalog.regclass, 'secant.settings'::pg_catalog.regclass]) THEN
        RAISE EXCEPTION 'secant.audit_change() logs changes of secant.principals, grants, bindings, capabilities and settings only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_RELID OPERATOR(pg_catalog.=) 'secant.principals'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('name', r.name, 'kind', r.kind, 'public_key', r.public_key::text);
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.bindings'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('principal_key', r.principal_key::text, 'role', r.role::text);
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.capabilities'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('role', r.role::text, 'capability', r.capability);
    ELSIF TG_RELID OPERATOR(pg_catalog.=) 'secant.settings'::pg_catalog.regclass THEN
        detail := pg_catalog.jsonb_build_object('name', r.name, 'value', r.value);
    ELSE
        detail := pg_catalog.jsonb_build_object('grant_id', r.id, 'from_key', r.from_key::text,
                                                'to_key', r.to_key::text, 'not_after', r.not_after,
                                                'hop_key', pg_catalog.encode(r.hop_key, 'hex'));
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES (pg_catalog.concat(pg_catalog.lower(TG_OP), ' ',
                              CASE TG_TABLE_NAME WHEN 'capabilities' THEN 'capability'
                                   WHEN 'settings' THEN 'setting'
                                   ELSE pg_catalog.rtrim(TG_TABLE_NAME, 's') END), detail);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_change() FROM PUBLIC;
COMMENT ON FUNCTION secant.audit_change() IS 'trigger: log a change of principals or grants in the audit log';
CREATE TRIGGER bindings_audit AFTER INSERT OR DELETE ON secant.bindings
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();
CREATE TRIGGER capabilities_audit AFTER INSERT OR DELETE ON secant.capabilities
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();
CREATE TRIGGER principals_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.principals
    FOR EACH STATEMENT EXECUTE FUNCTION secant.admin_only();
CREATE TRIGGER grants_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant.admin_only();
CREATE TRIGGER bindings_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.bindings
    FOR EACH STATEMENT EXECUTE FUNCTION secant.admin_only();
CREATE TRIGGER capabilities_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.capabilities
    FOR EACH STATEMENT EXECUTE FUNCTION secant.admin_only();
CREATE TRIGGER settings_audit AFTER INSERT OR UPDATE OR DELETE ON secant.settings
    FOR EACH ROW EXECUTE FUNCTION secant.audit_change();
CREATE TRIGGER settings_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.settings
    FOR EACH STATEMENT EXECUTE FUNCTION secant.admin_only();
-- the logs are read by this database's admins only
ALTER TABLE secant.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_admins ON secant.audit_log FOR SELECT USING (secant.is_admin());
ALTER TABLE secant.access_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY access_log_admins ON secant.access_log FOR SELECT USING (secant.is_admin());
ALTER TABLE secant.revoked_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY revoked_grants_admins ON secant.revoked_grants FOR SELECT USING (secant.is_admin());

-- ---- principals and grants ----

CREATE OR REPLACE FUNCTION secant.add_principal(name text, kind text, public_key pre_public_key) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO secant.principals (name, kind, public_key) VALUES (name, kind, public_key) RETURNING id $$;
REVOKE ALL ON FUNCTION secant.add_principal(text, text, pre_public_key) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_principal(text, text, pre_public_key) TO secant_admin;
COMMENT ON FUNCTION secant.add_principal(text, text, pre_public_key) IS 'register a group, user or device by its public key; returns its id';

CREATE OR REPLACE FUNCTION secant.principal_key(name text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key;
BEGIN
    SELECT p.public_key INTO k FROM secant.principals p WHERE p.name OPERATOR(pg_catalog.=) principal_key.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'principal "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN k;
END $$;
COMMENT ON FUNCTION secant.principal_key(text) IS 'the public key of a principal, by name';

-- A principal given as text: its name, or its public key's text form (so
-- that untyped literals and driver parameters work for both).
CREATE FUNCTION secant.principal(ref text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key;
BEGIN
    IF pg_catalog.starts_with(ref, 'prepk_') THEN
        k := ref::@extschema@.pre_public_key;
        PERFORM 1 FROM secant.principals p WHERE p.public_key OPERATOR(@extschema@.=) k;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no principal has this public key'
                USING ERRCODE = 'undefined_object',
                      HINT = 'Register it with secant.add_principal(name, kind, key).';
        END IF;
        RETURN k;
    END IF;
    RETURN secant.principal_key(ref);
END $$;
COMMENT ON FUNCTION secant.principal(text) IS 'the public key of a principal given by name or by its prepk_ text';

CREATE FUNCTION secant.bind(principal text, role_name name) RETURNS void
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO secant.bindings (principal_key, role)
    VALUES (secant.principal(principal), pg_catalog.quote_ident(role_name)::pg_catalog.regrole)
    ON CONFLICT DO NOTHING;
END $$;
REVOKE ALL ON FUNCTION secant.bind(text, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.bind(text, name) TO secant_admin;
COMMENT ON FUNCTION secant.bind(text, name) IS 'bind a database role (and its members) to a principal, by name or key: the role may then obtain what is addressed to it';

CREATE FUNCTION secant.unbind(principal text, role_name name) RETURNS boolean
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM secant.bindings b
        WHERE b.principal_key OPERATOR(@extschema@.=) secant.principal(principal)
          AND b.role OPERATOR(pg_catalog.=) pg_catalog.quote_ident(unbind.role_name)::pg_catalog.regrole
        RETURNING 1)
    SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM gone $$;
REVOKE ALL ON FUNCTION secant.unbind(text, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.unbind(text, name) TO secant_admin;
COMMENT ON FUNCTION secant.unbind(text, name) IS 'remove a binding; true if there was one';

CREATE FUNCTION secant.grant_capability(role_name name, capability text) RETURNS void
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT secant.is_admin() AND NOT secant.is_database_owner() THEN
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
REVOKE ALL ON FUNCTION secant.grant_capability(name, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.grant_capability(name, text) TO PUBLIC;
COMMENT ON FUNCTION secant.grant_capability(name, text) IS 'give a role a capability in this database (admin: manage secant here; proxy: obtain what is addressed to any principal); by an admin of this database or its owner';

CREATE FUNCTION secant.revoke_capability(role_name name, capability text) RETURNS boolean
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM secant.capabilities c
        WHERE c.role OPERATOR(pg_catalog.=) pg_catalog.quote_ident(revoke_capability.role_name)::pg_catalog.regrole
          AND c.capability OPERATOR(pg_catalog.=) revoke_capability.capability
        RETURNING 1)
    SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM gone $$;
REVOKE ALL ON FUNCTION secant.revoke_capability(name, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke_capability(name, text) TO secant_admin;
COMMENT ON FUNCTION secant.revoke_capability(name, text) IS 'take a capability from a role; true if it had it';

-- Read audit (opt-in): with it on, each statement that re-encrypts for a
-- target through secant.reencrypt_for (or index_keys_for) adds one entry to
-- secant.access_log when its transaction commits: role, target, the grant
-- ids of the path, rows.  Reads are then refused in READ ONLY transactions
-- and on standbys (fail closed), and each read statement is also written to
-- the server log at once (so that a rolled-back read is not lost).
CREATE FUNCTION secant.set_read_audit(enabled boolean) RETURNS void
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO secant.settings (name, value)
    VALUES ('read_audit', CASE WHEN enabled THEN 'on' ELSE 'off' END)
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, changed_at = pg_catalog.now() $$;
REVOKE ALL ON FUNCTION secant.set_read_audit(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.set_read_audit(boolean) TO secant_admin;
COMMENT ON FUNCTION secant.set_read_audit(boolean) IS 'turn read audit on or off in this database (admin)';

CREATE FUNCTION secant.read_audit_on() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce((SELECT s.value OPERATOR(pg_catalog.=) 'on' FROM secant.settings s
                       WHERE s.name OPERATOR(pg_catalog.=) 'read_audit'), false) $$;
COMMENT ON FUNCTION secant.read_audit_on() IS 'true when read audit is on in this database';

-- May current_user obtain what is addressed to the principal with this key?
CREATE FUNCTION secant.may_obtain(target pre_public_key) RETURNS boolean
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM secant.bindings b
                   JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) b.role
                   WHERE b.principal_key OPERATOR(@extschema@.=) target
                     AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
        OR EXISTS (SELECT 1 FROM secant.capabilities c
                   JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.role
                   WHERE c.capability OPERATOR(pg_catalog.=) 'proxy'
                     AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
        OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER AND r.rolsuper) $$;
COMMENT ON FUNCTION secant.may_obtain(pre_public_key) IS 'true when current_user is bound to the principal (or a member of a bound role), holds the proxy capability, or is a superuser';

CREATE FUNCTION secant.add_grant(sealed pre_sealed_grant) RETURNS bigint
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    INSERT INTO secant.grants (sealed) VALUES (sealed) RETURNING grants.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant(pre_sealed_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(pre_sealed_grant) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(pre_sealed_grant) IS 'store a sealed grant (membership or enrolment) between two known principals; returns its id';

-- A grant given as text (an untyped literal or a driver parameter): its
-- sealed form (presealed_) or, as a convenience, its unsealed one.
CREATE FUNCTION secant.add_grant(grant_text text) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN pg_catalog.starts_with(grant_text, 'presealed_')
                  THEN secant.add_grant(grant_text::@extschema@.pre_sealed_grant)
                  ELSE secant.add_grant(grant_text::@extschema@.pre_grant) END $$;
REVOKE ALL ON FUNCTION secant.add_grant(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(text) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(text) IS 'secant.add_grant with the grant as text: presealed_ (sealed by a client) or pregrant_ (sealed here)';

CREATE OR REPLACE FUNCTION secant.add_grant(rekey pre_grant) RETURNS bigint
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM secant.principals p
                   WHERE p.public_key OPERATOR(@extschema@.=) @extschema@.pre_grant_from(rekey)) OR
       NOT EXISTS (SELECT 1 FROM secant.principals p
                   WHERE p.public_key OPERATOR(@extschema@.=) @extschema@.pre_grant_to(rekey)) THEN
        RAISE EXCEPTION 'grant links an unknown principal'
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'Add both principals with secant.add_principal() first.';
    END IF;
    INSERT INTO secant.grants (rekey) VALUES (rekey) RETURNING grants.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION secant.add_grant(pre_grant) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.add_grant(pre_grant) TO secant_admin;
COMMENT ON FUNCTION secant.add_grant(pre_grant) IS 'demos and tests: store an unsealed grant, sealed on the server (the server sees rk); returns its id';

DROP FUNCTION secant.members(text);
DROP FUNCTION secant.devices(text);
-- A principal given as text, which must be of the given kind.
CREATE FUNCTION secant.principal_of_kind(ref text, want text) RETURNS pre_public_key
STRICT LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k @extschema@.pre_public_key := secant.principal(ref);
    got text;
BEGIN
    SELECT p.kind INTO got FROM secant.principals p WHERE p.public_key OPERATOR(@extschema@.=) k;
    IF got OPERATOR(pg_catalog.<>) want THEN
        RAISE EXCEPTION 'principal "%" is a %, not a %', ref, got, want
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = CASE want WHEN 'group' THEN 'secant.members() lists the members of a group; secant.devices() the devices of a user.'
                                   ELSE 'secant.devices() lists the devices of a user; secant.members() the members of a group.' END;
    END IF;
    RETURN k;
END $$;
COMMENT ON FUNCTION secant.principal_of_kind(text, text) IS 'the public key of a principal (name or prepk_ text) that must be of the given kind';

-- The principals a principal has granted to, one row each: active when an
-- unexpired grant leads to it, else (on request) with the reason.
CREATE FUNCTION secant.grantees(from_key pre_public_key, want_kind text, include_inactive boolean)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz, active boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.name, p.kind, p.public_key, a.not_after, a.active,
           CASE WHEN a.active THEN NULL ELSE 'expired' END
    FROM (SELECT g.to_key,
                 pg_catalog.bool_or(g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()) AS active,
                 CASE WHEN pg_catalog.bool_or(g.not_after IS NULL) THEN NULL ELSE pg_catalog.max(g.not_after) END AS not_after
          FROM secant.grants g WHERE g.from_key OPERATOR(@extschema@.=) grantees.from_key
          GROUP BY g.to_key) a
    JOIN secant.principals p ON p.public_key OPERATOR(@extschema@.=) a.to_key
    WHERE (a.active OR include_inactive)
      AND (want_kind IS NULL OR p.kind OPERATOR(pg_catalog.=) want_kind)
    ORDER BY p.name $$;
COMMENT ON FUNCTION secant.grantees(pre_public_key, text, boolean) IS 'the principals (of a kind, or any when NULL) holding a grant from a key, once each, active or (on request) inactive with the reason';

CREATE FUNCTION secant.members(group_name text, include_inactive boolean DEFAULT false)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz, active boolean, reason text)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.grantees(secant.principal_of_kind(group_name, 'group'), NULL, include_inactive) $$;
COMMENT ON FUNCTION secant.members(text, boolean) IS 'the members of a group (name or key), once each, with expiry; inactive ones (expired grants) on request, with the reason';

CREATE FUNCTION secant.devices(user_name text, include_inactive boolean DEFAULT false)
RETURNS TABLE (name text, kind text, public_key pre_public_key, not_after timestamptz, active boolean, reason text)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.grantees(secant.principal_of_kind(user_name, 'user'), 'device', include_inactive) $$;
COMMENT ON FUNCTION secant.devices(text, boolean) IS 'the devices a user (name or key) enrolled, once each, with expiry; inactive ones on request, with the reason';

-- Who can read what: every active path from a group to a principal, as
-- names, with the earliest expiry on it and the roles bound to the end.
CREATE VIEW secant.readers WITH (security_invoker = true) AS
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
             ORDER BY 1) AS roles
FROM walk w
JOIN secant.principals gp ON gp.public_key = w.group_key
JOIN secant.principals p ON p.public_key = w.principal_key
WHERE cardinality(w.path_keys) > 1;
COMMENT ON VIEW secant.readers IS 'who can read what: each active grant path from a group to a principal (names), the earliest expiry on it, and the roles bound to the principal';
GRANT SELECT ON secant.readers TO PUBLIC;

CREATE FUNCTION secant.grant_check_revoked() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r secant.revoked_grants;
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grants'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.grant_check_revoked() checks secant.grants only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO r FROM secant.revoked_grants v
    WHERE v.hop_key OPERATOR(pg_catalog.=) NEW.hop_key;
    IF FOUND THEN
        RAISE EXCEPTION 'grant was revoked and cannot be stored again'
            USING ERRCODE = 'integrity_constraint_violation',
                  DETAIL = pg_catalog.format('Its hop key was revoked at %s by %s.', r.revoked_at, r.revoked_by),
                  HINT = 'To re-admit the grantee, the delegator makes a new grant (pre_grant or secant-pre grant).';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION secant.grant_check_revoked() FROM PUBLIC;
COMMENT ON FUNCTION secant.grant_check_revoked() IS 'trigger: refuse a grant whose hop key was revoked';
CREATE TRIGGER grants_not_revoked BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.grant_check_revoked();

-- C, owner-run: seal an unsealed rekey (dropping it), open the sealed grant
-- with the server key, check it is for this database, fill the columns.
-- Fires before grants_not_revoked (trigger names sort).
CREATE FUNCTION secant.grant_fill() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_grant_fill' LANGUAGE C;
REVOKE ALL ON FUNCTION secant.grant_fill() FROM PUBLIC;
COMMENT ON FUNCTION secant.grant_fill() IS 'trigger: open a grant being stored with the server key and fill its columns from it; an unsealed rekey is sealed and dropped';
CREATE TRIGGER grants_fill BEFORE INSERT ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.grant_fill();

-- The key clients seal grants to: the server key and this database.
CREATE FUNCTION secant.server_public_key() RETURNS text
    AS 'MODULE_PATHNAME', 'pre_server_public_key' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.server_public_key() IS 'the presealkey_ text that clients seal grants to (secant-pre grant --seal-to): the server''s public key, its key id and this database''s identity';

-- Demos and tests only: seal a grant on the server (the server sees rk).
CREATE FUNCTION secant.seal_grant_on_server(pre_grant) RETURNS pre_sealed_grant
    AS 'MODULE_PATHNAME', 'pre_seal_grant_on_server' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION secant.seal_grant_on_server(pre_grant) IS 'demos and tests only: seal a grant with this server''s key (the server sees the grant''s secret); clients seal with secant-pre grant --seal-to';

CREATE FUNCTION secant.grant_removed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.grants'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.grant_removed() handles secant.grants only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO secant.revoked_grants (hop_key, from_key, to_key, revoked_by)
    VALUES (OLD.hop_key, OLD.from_key, OLD.to_key, SESSION_USER)
    ON CONFLICT (hop_key) DO NOTHING;
    PERFORM secant.delete_copies_through(ARRAY[OLD.hop_key]);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.grant_removed() FROM PUBLIC;
COMMENT ON FUNCTION secant.grant_removed() IS 'trigger: a removed grant''s hop key is remembered and its copies deleted';
CREATE TRIGGER grants_removed AFTER DELETE ON secant.grants
    FOR EACH ROW EXECUTE FUNCTION secant.grant_removed();

CREATE FUNCTION secant.grants_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE is refused on secant.grants'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Remove grants with secant.revoke(from, to): it deletes their copies and remembers their hop keys.';
END $$;
REVOKE ALL ON FUNCTION secant.grants_refuse_truncate() FROM PUBLIC;
COMMENT ON FUNCTION secant.grants_refuse_truncate() IS 'trigger: refuse TRUNCATE of secant.grants';
CREATE TRIGGER grants_no_truncate BEFORE TRUNCATE ON secant.grants
    FOR EACH STATEMENT EXECUTE FUNCTION secant.grants_refuse_truncate();

-- ---- paths ----

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
    WHILE NOT from_key OPERATOR(@extschema@.=) ANY (seen)
          AND depth OPERATOR(pg_catalog.<) least(max_depth, 15)
          AND pg_catalog.cardinality(frontier) OPERATOR(pg_catalog.>) 0 LOOP
        depth := depth OPERATOR(pg_catalog.+) 1;
        next_frontier := '{}';
        FOR r IN
            SELECT DISTINCT ON (g.from_key) g.id, g.from_key AS f, g.to_key AS t, g.not_after AS x
            FROM secant.grants g
            WHERE g.to_key OPERATOR(@extschema@.=) ANY (frontier)
              AND NOT g.from_key OPERATOR(@extschema@.=) ANY (seen)
              AND (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp())
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
COMMENT ON FUNCTION secant.path(pre_public_key, pre_public_key, integer) IS 'a shortest chain of active grants (unexpired at statement time, not revoked) between two keys; no rows when there is none';

COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, pre_public_key) IS 're-encrypt along the active grant path from the ciphertext''s current recipient to target (path looked up once per statement), for a role bound to target or holding the proxy capability; error 42501 otherwise or when there is no path';

CREATE FUNCTION secant.reencrypt_for(ct pre_ciphertext, target text) RETURNS pre_ciphertext
    AS 'MODULE_PATHNAME', 'pre_reencrypt_for_text' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION secant.reencrypt_for(pre_ciphertext, text) IS 'secant.reencrypt_for with the target by name or prepk_ text';

CREATE FUNCTION secant.path(from_ref text, to_ref text, max_depth integer DEFAULT 8)
RETURNS TABLE (hop integer, grant_id bigint, hop_from pre_public_key, hop_to pre_public_key, not_after timestamptz)
STRICT LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.path(secant.principal(from_ref), secant.principal(to_ref), max_depth) $$;
COMMENT ON FUNCTION secant.path(text, text, integer) IS 'secant.path with principals by name or prepk_ text';

REVOKE ALL ON FUNCTION secant.grants_changed() FROM PUBLIC;
COMMENT ON FUNCTION secant.grants_changed() IS 'trigger: invalidate the paths and access decisions cached by secant.reencrypt_for and sharing in this session';
CREATE TRIGGER bindings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.bindings
    FOR EACH STATEMENT EXECUTE FUNCTION secant.grants_changed();
CREATE TRIGGER capabilities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secant.capabilities
    FOR EACH STATEMENT EXECUTE FUNCTION secant.grants_changed();

-- ---- sharing ----

ALTER TABLE secant.copies ENABLE ROW LEVEL SECURITY;
ALTER TABLE secant.copies FORCE ROW LEVEL SECURITY;
CREATE POLICY copies_for_bound_roles ON secant.copies FOR SELECT
    USING ((recipient OPERATOR(@extschema@.=) ANY (ARRAY(
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
               WHERE g.not_after OPERATOR(pg_catalog.<=) pg_catalog.statement_timestamp()));
-- the extension's owner (the role that ran CREATE EXTENSION) stores and
-- removes copies; when it is a superuser, row-level security is bypassed
CREATE POLICY copies_by_owner ON secant.copies TO CURRENT_USER USING (true) WITH CHECK (true);

CREATE FUNCTION secant.delete_copies_through(hop_keys bytea[]) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pre_delete_copies_through' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION secant.delete_copies_through(bytea[]) FROM PUBLIC;
COMMENT ON FUNCTION secant.delete_copies_through(bytea[]) IS 'delete the copies made through any of these hop keys (revocation; owner only)';

CREATE FUNCTION secant.share_copy() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_share_copy' LANGUAGE C;
COMMENT ON FUNCTION secant.share_copy() IS 'trigger on a share table: a share row asks for a copy of its source row for its recipient (stored in secant.copies); deleting or changing the row removes it';

CREATE FUNCTION secant.share_source() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pre_share_source' LANGUAGE C;
COMMENT ON FUNCTION secant.share_source() IS 'trigger on a shared table: changing or deleting a row removes its copies from secant.copies';

CREATE FUNCTION secant.enable_sharing(share_table regclass, source_table regclass, source_column name,
                                      source_key name, reference_column name, recipient_column name)
RETURNS void
STRICT LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src text;
BEGIN
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO src
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) source_table;
    PERFORM secant.require_column(source_table, source_column, '@extschema@.pre_ciphertext'::regtype);
    PERFORM secant.require_column(source_table, source_key, NULL);
    PERFORM secant.require_column(share_table, reference_column, NULL);
    PERFORM secant.require_column(share_table, recipient_column, '@extschema@.pre_public_key'::regtype);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share AFTER INSERT OR UPDATE OF %I, %I OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant.share_copy(%L, %L, %L, %L, %L)',
        reference_column, recipient_column, share_table,
        src, source_column, source_key, reference_column, recipient_column);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant.share_copy(%L, %L, %L, %L, %L)',
        share_table, src, source_column, source_key, reference_column, recipient_column);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source AFTER UPDATE OF %I, %I OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION secant.share_source(%L, %L)',
        source_key, source_column, source_table, source_key, source_column);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER secant_share_source_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION secant.share_source(%L, %L)',
        source_table, source_key, source_column);
END $$;
COMMENT ON FUNCTION secant.enable_sharing(regclass, regclass, name, name, name, name) IS 'install the sharing triggers: a row inserted into share_table asks for a copy of source_table''s source_column (the row whose source_key equals the share''s reference_column) for the share''s recipient_column; runs with the caller''s rights';

CREATE FUNCTION secant.require_column(rel regclass, col name, typ regtype) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t regtype;
BEGIN
    SELECT a.atttypid INTO t FROM pg_catalog.pg_attribute a
    WHERE a.attrelid OPERATOR(pg_catalog.=) rel AND a.attname OPERATOR(pg_catalog.=) col
      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of relation % does not exist', col, rel
            USING ERRCODE = 'undefined_column';
    END IF;
    IF typ IS NOT NULL AND t OPERATOR(pg_catalog.<>) typ THEN
        RAISE EXCEPTION 'column "%" of relation % must be of type %', col, rel, typ
            USING ERRCODE = 'datatype_mismatch', DETAIL = pg_catalog.format('It is of type %s.', t);
    END IF;
END $$;
COMMENT ON FUNCTION secant.require_column(regclass, name, regtype) IS 'raise unless the relation has the column (of the type, when given)';

-- Convert the share tables registered by 0.3.0: each trigger that calls
-- secant.share_trigger() is replaced by the triggers of
-- secant.enable_sharing(), and its copies are copied into secant.copies.
-- The copies are read with SELECT only (no user code runs: the reference
-- column must be of a built-in type), and the old copy columns are left
-- in place: a WARNING names each one to clear.
DO $$
DECLARE
    t record;
    a text[];
    n bigint;
BEGIN
    FOR t IN
        SELECT tg.tgrelid::regclass AS share_table, tg.tgname,
               pg_catalog.encode(tg.tgargs, 'escape') AS args
        FROM pg_catalog.pg_trigger tg
        WHERE tg.tgfoid OPERATOR(pg_catalog.=) 'secant.share_trigger()'::pg_catalog.regprocedure
        ORDER BY tg.tgrelid
    LOOP
        a := pg_catalog.string_to_array(pg_catalog.rtrim(t.args, E'\\000'), E'\\000');
        IF pg_catalog.cardinality(a) OPERATOR(pg_catalog.<>) 6 THEN
            RAISE WARNING 'secant_pre 0.4.0: trigger % on % has % arguments: not converted; drop it',
                t.tgname, t.share_table, pg_catalog.cardinality(a);
            CONTINUE;
        END IF;
        PERFORM 1 FROM pg_catalog.pg_attribute att
        JOIN pg_catalog.pg_type ty ON ty.oid OPERATOR(pg_catalog.=) att.atttypid
        WHERE att.attrelid OPERATOR(pg_catalog.=) t.share_table
          AND att.attname OPERATOR(pg_catalog.=) a[4] AND NOT att.attisdropped
          AND ty.typnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace;
        IF FOUND THEN
            EXECUTE pg_catalog.format(
                'INSERT INTO secant.copies (share_table, source_table, source_row, recipient, copy, hop_keys, created_by) '
                'SELECT %L::pg_catalog.regclass, %L::pg_catalog.regclass, s.%I::pg_catalog.text, s.%I, s.%I, '
                '@extschema@.pre_hop_keys(s.%I), %L FROM %s AS s '
                'WHERE s.%I IS NOT NULL AND s.%I IS NOT NULL AND s.%I IS NOT NULL '
                'ON CONFLICT (share_table, source_row, recipient) DO NOTHING',
                t.share_table, a[1], a[4], a[5], a[6], a[6], 'secant_pre upgrade', t.share_table,
                a[4], a[5], a[6]);
            GET DIAGNOSTICS n = ROW_COUNT;
        ELSE
            n := 0;
            RAISE WARNING 'secant_pre 0.4.0: copies of % not moved (column % is not of a built-in type)',
                t.share_table, a[4];
        END IF;
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.share_table);
        PERFORM secant.enable_sharing(t.share_table, a[1]::pg_catalog.regclass, a[2], a[3], a[4], a[5]);
        RAISE WARNING 'secant_pre 0.4.0: % copies of %.% now live in secant.copies; that column still holds them and revocation no longer deletes them there',
            n, t.share_table, a[6]
            USING HINT = pg_catalog.format('Clear it: UPDATE %s SET %I = NULL;', t.share_table, a[6]);
    END LOOP;
END $$;
DROP FUNCTION secant.share_trigger();
DROP FUNCTION secant.log_share(regclass, pre_ciphertext);
DROP FUNCTION secant.register_share_table(regclass, name);
ALTER EXTENSION secant_pre DROP TABLE secant.share_tables;
DROP TABLE secant.share_tables;

-- ---- revocation ----

DROP FUNCTION secant.revoke(text, text);
DROP FUNCTION secant.revoke(pre_public_key, pre_public_key);
CREATE FUNCTION secant.revoke(from_key pre_public_key, to_key pre_public_key, wait boolean DEFAULT true) RETURNS bigint
STRICT LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    marks bytea[];
    holders text;
    copies bigint;
BEGIN
    PERFORM secant.require_admin();
    IF wait THEN
        SELECT pg_catalog.array_agg(s.hop_key) INTO marks
        FROM (SELECT g.hop_key FROM secant.grants g
              WHERE g.from_key OPERATOR(@extschema@.=) revoke.from_key
                AND g.to_key OPERATOR(@extschema@.=) revoke.to_key
              FOR UPDATE OF g) s;
    ELSE
        BEGIN
            SELECT pg_catalog.array_agg(s.hop_key) INTO marks
            FROM (SELECT g.hop_key FROM secant.grants g
                  WHERE g.from_key OPERATOR(@extschema@.=) revoke.from_key
                    AND g.to_key OPERATOR(@extschema@.=) revoke.to_key
                  FOR UPDATE OF g NOWAIT) s;
        EXCEPTION WHEN lock_not_available THEN
            SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s)', a.pid, a.usename), ', ' ORDER BY a.pid)
            INTO holders
            FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid
            WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'
              AND l.relation OPERATOR(pg_catalog.=) 'secant.grants'::pg_catalog.regclass::pg_catalog.oid
              AND l.mode OPERATOR(pg_catalog.=) 'RowShareLock'
              AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid();
            RAISE EXCEPTION 'grant is in use by other sessions'
                USING ERRCODE = 'lock_not_available',
                      DETAIL = pg_catalog.format('Sessions in a transaction that read through grants: %s.',
                                                 coalesce(holders, 'none left')),
                      HINT = 'Retry, call secant.revoke(..., wait => true), or end those sessions with pg_terminate_backend().';
        END;
    END IF;
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
REVOKE ALL ON FUNCTION secant.revoke(pre_public_key, pre_public_key, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(pre_public_key, pre_public_key, boolean) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(pre_public_key, pre_public_key, boolean) IS 'remove every grant from one key to another and, in the same transaction, every copy made through them; returns the number of copies deleted; wait => false fails at once if a session holds the grant';

CREATE FUNCTION secant.revoke(from_name text, to_name text, wait boolean DEFAULT true) RETURNS bigint
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.revoke(secant.principal(from_name), secant.principal(to_name), wait) $$;
REVOKE ALL ON FUNCTION secant.revoke(text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.revoke(text, text, boolean) TO secant_admin;
COMMENT ON FUNCTION secant.revoke(text, text, boolean) IS 'secant.revoke with principals by name or prepk_ text';

-- Expiry: remove the grants past not_after, remembered as expired, and
-- every copy made through them; logged when there was something to do.
-- Schedule it (pg_cron: see the README).
CREATE FUNCTION secant.purge_expired() RETURNS TABLE (grants_removed bigint, copies_deleted bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    marks bytea[];
BEGIN
    PERFORM secant.require_admin();
    SELECT pg_catalog.array_agg(s.hop_key) INTO marks
    FROM (SELECT g.hop_key FROM secant.grants g
          WHERE g.not_after OPERATOR(pg_catalog.<=) pg_catalog.statement_timestamp()
          FOR UPDATE OF g) s;
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
REVOKE ALL ON FUNCTION secant.purge_expired() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.purge_expired() TO secant_admin;
COMMENT ON FUNCTION secant.purge_expired() IS 'remove expired grants (remembered as expired) and every copy made through them; returns how many of each';

-- ---- search ----

CREATE OR REPLACE FUNCTION secant.audit_index_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_RELID OPERATOR(pg_catalog.<>) 'secant.index_keys'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'secant.audit_index_key() logs secant.index_keys only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF secant.restoring() THEN
        RETURN NULL;
    END IF;
    INSERT INTO secant.audit_log (action, detail)
    VALUES ('index key', pg_catalog.jsonb_build_object('group_key', NEW.group_key::text, 'version', NEW.version));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION secant.audit_index_key() FROM PUBLIC;
COMMENT ON FUNCTION secant.audit_index_key() IS 'trigger: log a new index key version in the audit log';
CREATE TRIGGER index_keys_admin_only BEFORE INSERT OR UPDATE OR DELETE ON secant.index_keys
    FOR EACH STATEMENT EXECUTE FUNCTION secant.admin_only();

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
    SELECT coalesce(pg_catalog.max(k.version), 0) OPERATOR(pg_catalog.+) 1 INTO v
    FROM secant.index_keys k WHERE k.group_key OPERATOR(@extschema@.=) rotate_index_key.group_key;
    INSERT INTO secant.index_keys (group_key, version, key_ct) VALUES (group_key, v, key_ct);
    RETURN v;
END $$;
REVOKE ALL ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_index_key(pre_public_key, pre_ciphertext) IS 'store a new version of a group''s index key (a level-1 ciphertext to the group); returns the version';

CREATE OR REPLACE FUNCTION secant.rotate_index_key(group_name text, key_ct pre_ciphertext) RETURNS integer
STRICT LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT secant.rotate_index_key(secant.principal_key(group_name), key_ct) $$;
REVOKE ALL ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) TO secant_admin;
COMMENT ON FUNCTION secant.rotate_index_key(text, pre_ciphertext) IS 'secant.rotate_index_key by group name';

CREATE OR REPLACE FUNCTION secant.index_keys_for(group_name text, target pre_public_key)
RETURNS TABLE (version integer, key_ct pre_ciphertext)
STRICT LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.version, secant.reencrypt_for(k.key_ct, target)
    FROM secant.index_keys k
    WHERE k.group_key OPERATOR(@extschema@.=) secant.principal_key(group_name)
    ORDER BY k.version DESC $$;
COMMENT ON FUNCTION secant.index_keys_for(text, pre_public_key) IS 'the group''s index key versions re-encrypted for target (newest first), for a role bound to target or a proxy; error 42501 otherwise or without an active grant path';

CREATE FUNCTION secant.index_keys_for(group_name text, target text)
RETURNS TABLE (version integer, key_ct pre_ciphertext)
STRICT LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM secant.index_keys_for(group_name, secant.principal(target)) $$;
COMMENT ON FUNCTION secant.index_keys_for(text, text) IS 'secant.index_keys_for with the target by name or prepk_ text';


-- ---- administration ----

-- Admin is a capability of each database now (roles are cluster-wide):
-- the direct members of secant_admin become admins of this database, as
-- they were; take it away per database with secant.revoke_capability().
INSERT INTO secant.capabilities (role, capability)
SELECT m.member::pg_catalog.regrole, 'admin' FROM pg_catalog.pg_auth_members m
WHERE m.roleid OPERATOR(pg_catalog.=) 'secant_admin'::pg_catalog.regrole
ON CONFLICT DO NOTHING;

-- ---- grants sealed to the server key ----

-- from_key, to_key, not_after and hop_key become ordinary columns (filled
-- from the opened grant when it is stored, so that a restore needs no
-- key); rekey takes an unsealed grant on insert and is never stored.  The
-- grants stored so far are sealed now: that needs the server key
-- (secant_pre.server_key_file) when there are any.  Their rk stays in old
-- dumps, base backups and WAL forever: their delegators must rotate their
-- keys.
ALTER TABLE secant.grants
    ALTER COLUMN from_key DROP EXPRESSION,
    ALTER COLUMN to_key DROP EXPRESSION,
    ALTER COLUMN not_after DROP EXPRESSION,
    ALTER COLUMN hop_key DROP EXPRESSION,
    ALTER COLUMN rekey DROP NOT NULL,
    ADD COLUMN sealed pre_sealed_grant;
DO $$
DECLARE
    n bigint;
BEGIN
    UPDATE secant.grants SET sealed = secant.seal_grant_on_server(rekey), rekey = NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n OPERATOR(pg_catalog.>) 0 THEN
        RAISE WARNING 'secant_pre 0.4.0: % grants were stored unsealed until now and are sealed now', n
            USING DETAIL = 'Their grant secrets (rk) remain in every earlier dump, base backup and WAL archive: whoever holds one of those and the secret of a grantee (or of a device below it) recovers the delegator''s key.',
                  HINT = 'Delegators (groups, users) of those grants should rotate their keys; keep old backups under the custody their keys deserve, or destroy them.';
    END IF;
END $$;
ALTER TABLE secant.grants
    ALTER COLUMN sealed SET NOT NULL,
    ADD CONSTRAINT grants_rekey_check CHECK (rekey IS NULL);
