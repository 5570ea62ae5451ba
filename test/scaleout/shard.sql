-- test/scaleout/shard.sql - schema of a shard (run on each shard as the
-- superuser).  See docs/SCALEOUT.md.
--
-- A shard holds the records of the groups placed on it, and the principals
-- and grants those groups need (the admin replicates a group's principals
-- and grants to the shards of that group).  It exposes one view,
-- public.notes_for(id, group_name, target, body), whose rows are already
-- re-encrypted, here, for the device key in column `target`.  The
-- coordinator reads it through postgres_fdw with WHERE target = $1: the
-- filter is shipped, and on the shard the planner pushes it into the view
-- below the re-encryption (`target` is a plain column; only `body`, the
-- column holding the VOLATILE secant.reencrypt_for, is unsafe for pushdown),
-- so each shard re-encrypts only its own rows and only for that target.

CREATE EXTENSION secant_pre;

-- The records: level-1 ciphertexts to their group's key.
CREATE TABLE notes (
    id bigint PRIMARY KEY,
    group_key pre_public_key NOT NULL,
    body pre_ciphertext NOT NULL,
    CONSTRAINT notes_to_group CHECK (pre_level(body) = 1 AND pre_recipient(body) = group_key)
);
CREATE INDEX notes_group_key ON notes (group_key);

-- (group, device) pairs joined by an active grant path on this shard.
-- secant.reencrypt_for raises 42501 when there is no path, so the view only
-- offers pairs that have one: a target from another shard's groups, or an
-- unenrolled device, gets no rows instead of an error.  If a revocation
-- commits between this check and the re-encryption, reencrypt_for (which
-- looks the path up again under its lock) raises: fail closed.
-- DISTINCT keeps the planner from flattening this view into notes_for:
-- flattened, the EXISTS could become a join filter above the join with
-- notes and run secant.path once per record (it did, at 20 000 rows);
-- as a separate subquery it runs once per (group, target) pair, and the
-- filter on target is still pushed into it (target is a DISTINCT column).
CREATE VIEW reach AS
SELECT DISTINCT g.public_key AS group_key, g.name AS group_name, t.public_key AS target
FROM secant.principals g
JOIN secant.principals t ON t.kind = 'device'
WHERE g.kind = 'group'
  AND EXISTS (SELECT 1 FROM secant.path(g.public_key, t.public_key));

CREATE VIEW notes_for AS
SELECT n.id, r.group_name, r.target,
       secant.reencrypt_for(n.body, r.target) AS body
FROM notes n
JOIN reach r ON r.group_key = n.group_key;
COMMENT ON VIEW notes_for IS 'records re-encrypted on this shard for the device key in column target; filter on target';

-- Revocation requests from the coordinator.  The coordinator INSERTs a row
-- through postgres_fdw inside its own transaction; the BEFORE trigger runs
-- secant.revoke here (ACCESS EXCLUSIVE on secant.grants, in the
-- coordinator's remote transaction), so the revocation commits or aborts
-- with the coordinator's transaction.  Idempotent: a shard without that
-- grant (or one where a retry finds it already gone) reports 0 grants.
CREATE SCHEMA scaleout;
CREATE TABLE scaleout.revocations (
    request bigint NOT NULL,
    from_key pre_public_key NOT NULL,
    to_key pre_public_key NOT NULL,
    grants integer,
    copies bigint,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Fault injection for the test: when set, the next commit of a revocation
-- on this shard fails (a deferred constraint trigger), as if the shard died
-- between the coordinator's remote COMMITs.
CREATE TABLE scaleout.fault (fail_at_commit boolean NOT NULL);

CREATE FUNCTION scaleout.apply_revocation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    LOCK TABLE secant.grants IN ACCESS EXCLUSIVE MODE;
    SELECT count(*) INTO NEW.grants FROM secant.grants g
    WHERE g.from_key = NEW.from_key AND g.to_key = NEW.to_key;
    NEW.copies := CASE WHEN NEW.grants > 0 THEN secant.revoke(NEW.from_key, NEW.to_key) ELSE 0 END;
    RETURN NEW;
END $$;
CREATE TRIGGER apply BEFORE INSERT ON scaleout.revocations
    FOR EACH ROW EXECUTE FUNCTION scaleout.apply_revocation();

CREATE FUNCTION scaleout.fault_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM scaleout.fault WHERE fail_at_commit) THEN
        RAISE EXCEPTION 'injected fault: shard fails at commit';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER fault_at_commit AFTER INSERT ON scaleout.revocations
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION scaleout.fault_at_commit();

-- The role the coordinator logs in as: it reads re-encrypted rows and files
-- revocation requests; it cannot read grant bytes (secant.grants.rekey).
-- SELECT on the raw notes is only for the naive comparison (test, bench).
CREATE ROLE coordinator LOGIN;
GRANT SELECT ON notes_for TO coordinator;
GRANT SELECT ON notes TO coordinator;
GRANT USAGE ON SCHEMA scaleout TO coordinator;
GRANT INSERT, SELECT ON scaleout.revocations TO coordinator;
-- In secant's terms the coordinator is an application server: a proxy (it
-- reads re-encryptions for the devices it serves) and, for the revocations
-- it files, an admin of this shard's database.
SELECT secant.grant_capability('coordinator', 'proxy');
SELECT secant.grant_capability('coordinator', 'admin');
