-- test/scaleout/coordinator.sql - schema of the coordinator (run as the
-- superuser with psql variables s1_host, s1_port, s2_host, s2_port: the
-- shards' socket directories and ports).  See docs/SCALEOUT.md.
--
-- The coordinator holds no records and no grants.  It reads the shards'
-- notes_for views through postgres_fdw foreign tables, combined as the
-- partitions of one table partitioned by group, and it runs revocations on
-- every shard inside one of its own transactions.

CREATE EXTENSION secant_pre;
CREATE EXTENSION postgres_fdw;

-- extensions 'secant_pre': operators and functions of the extension (here
-- the = of pre_public_key) may be shipped to the shards.  async_capable:
-- an Append over these foreign scans starts them all at once.
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host :'s1_host', port :'s1_port', dbname 'postgres',
             extensions 'secant_pre', async_capable 'true', fetch_size '1000');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host :'s2_host', port :'s2_port', dbname 'postgres',
             extensions 'secant_pre', async_capable 'true', fetch_size '1000');
CREATE USER MAPPING FOR postgres SERVER shard1 OPTIONS (user 'coordinator');
CREATE USER MAPPING FOR postgres SERVER shard2 OPTIONS (user 'coordinator');

-- Records already re-encrypted on the shards, one partition per shard
-- (list of the groups placed on it).
CREATE TABLE notes_for_all (
    id bigint,
    group_name text,
    target pre_public_key,
    body pre_ciphertext
) PARTITION BY LIST (group_name);
CREATE FOREIGN TABLE notes_for_shard1 PARTITION OF notes_for_all
    FOR VALUES IN ('cardiology') SERVER shard1
    OPTIONS (schema_name 'public', table_name 'notes_for');
CREATE FOREIGN TABLE notes_for_shard2 PARTITION OF notes_for_all
    FOR VALUES IN ('oncology') SERVER shard2
    OPTIONS (schema_name 'public', table_name 'notes_for');

-- The raw ciphertexts, for the naive comparison only (test and bench):
-- re-encrypting these on the coordinator is what the design avoids.
CREATE FOREIGN TABLE notes_raw_shard1 (id bigint, group_key pre_public_key, body pre_ciphertext)
    SERVER shard1 OPTIONS (schema_name 'public', table_name 'notes');
CREATE FOREIGN TABLE notes_raw_shard2 (id bigint, group_key pre_public_key, body pre_ciphertext)
    SERVER shard2 OPTIONS (schema_name 'public', table_name 'notes');
CREATE VIEW notes_raw_all AS
    SELECT * FROM notes_raw_shard1 UNION ALL SELECT * FROM notes_raw_shard2;

-- ---- revocation, fail closed ----
--
-- scaleout.revocations is the coordinator's journal.  A revocation is first
-- recorded (and committed) as pending; from then on every read through
-- notes_for is refused until it is completed on every shard.  Completion
-- runs secant.revoke on each shard through postgres_fdw inside one
-- coordinator transaction: an unreachable shard, or any error, aborts all of
-- it, and the journal entry stays pending.  postgres_fdw has no two-phase
-- commit: it commits the shards one after the other at pre-commit, so a
-- failure between two remote COMMITs leaves some shards revoked and others
-- not; the entry then stays pending too (reads refused), and a retry
-- completes it (the shard side is idempotent).
CREATE SCHEMA scaleout;
CREATE TABLE scaleout.revocations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_key pre_public_key NOT NULL,
    to_key pre_public_key NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    completed_at timestamptz,
    grants integer,
    copies bigint
);
CREATE INDEX revocations_pending ON scaleout.revocations (id) WHERE completed_at IS NULL;

-- The shards' revocation request tables, one foreign table per shard.
CREATE FOREIGN TABLE scaleout.revocations_shard1 (
    request bigint, from_key pre_public_key, to_key pre_public_key, grants integer, copies bigint)
    SERVER shard1 OPTIONS (schema_name 'scaleout', table_name 'revocations');
CREATE FOREIGN TABLE scaleout.revocations_shard2 (
    request bigint, from_key pre_public_key, to_key pre_public_key, grants integer, copies bigint)
    SERVER shard2 OPTIONS (schema_name 'scaleout', table_name 'revocations');

-- Advisory lock key shared by readers and revokers.
CREATE FUNCTION scaleout.gate_key() RETURNS bigint LANGUAGE sql IMMUTABLE
AS $$ SELECT 7355608001 $$;

-- The read gate (a one-time filter of every read through notes_for).  It
-- takes the gate lock in shared mode (held to the end of the reader's
-- transaction) and refuses to read while a revocation is pending.  A
-- revoker, after recording its revocation, takes the lock exclusively: it
-- waits for the reads already past the gate, whose remote REPEATABLE READ
-- snapshots on the shards may predate the shard-side revocation.
CREATE FUNCTION scaleout.reads_allowed() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(scaleout.gate_key());
    SELECT count(*) INTO n FROM scaleout.revocations WHERE completed_at IS NULL;
    IF n > 0 THEN
        RAISE EXCEPTION 'reads refused: % revocation(s) not yet applied on every shard', n
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'CALL secant_complete_revocations() once every shard is reachable.';
    END IF;
    RETURN true;
END $$;

-- What clients read: SELECT ... FROM notes_for WHERE target = $1 (the
-- device key).  The gate is a qual without Vars, so the planner makes it a
-- One-Time Filter, evaluated once before anything is fetched.  The join
-- with a one-row function scan is there so that the filter sits above the
-- join: on a bare partitioned table the planner copies it onto every
-- partition, as a Result over each Foreign Scan, and an Append whose
-- children are not bare Foreign Scans is not executed asynchronously.
CREATE VIEW notes_for AS
SELECT n.id, n.group_name, n.target, n.body
FROM notes_for_all n CROSS JOIN generate_series(1, 1) AS one
WHERE scaleout.reads_allowed();

-- Apply every pending revocation on every shard, in the caller's
-- transaction (the remote statements run in the coordinator's remote
-- transactions and commit with it).
CREATE FUNCTION secant_apply_pending_revocations() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    r scaleout.revocations;
    g1 integer; c1 bigint; g2 integer; c2 bigint;
    n bigint := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(scaleout.gate_key());
    FOR r IN SELECT * FROM scaleout.revocations WHERE completed_at IS NULL ORDER BY id FOR UPDATE LOOP
        INSERT INTO scaleout.revocations_shard1 (request, from_key, to_key)
        VALUES (r.id, r.from_key, r.to_key) RETURNING grants, copies INTO g1, c1;
        INSERT INTO scaleout.revocations_shard2 (request, from_key, to_key)
        VALUES (r.id, r.from_key, r.to_key) RETURNING grants, copies INTO g2, c2;
        UPDATE scaleout.revocations
        SET completed_at = clock_timestamp(),
            grants = coalesce(grants, 0) + g1 + g2, copies = coalesce(copies, 0) + c1 + c2
        WHERE id = r.id;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- Revoke every grant from one key to another on every shard, fail closed:
-- the request is committed as pending first (reads refused from then on),
-- then applied on all shards in one transaction.  On error the request
-- stays pending and reads stay refused until secant_complete_revocations()
-- succeeds.  CALL it outside a transaction block.
-- (No SET clause: a procedure with one cannot COMMIT.)
CREATE PROCEDURE secant_revoke_everywhere(from_key pre_public_key, to_key pre_public_key)
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO scaleout.revocations (from_key, to_key)
    VALUES (secant_revoke_everywhere.from_key, secant_revoke_everywhere.to_key);
    COMMIT;
    PERFORM public.secant_apply_pending_revocations();
    COMMIT;
END $$;

CREATE PROCEDURE secant_complete_revocations()
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM public.secant_apply_pending_revocations();
    COMMIT;
END $$;
