-- administration in psql: who can read what, members and devices once
-- each, names everywhere, a clear error for the wrong kind, the audit log
-- with names (rows only on mismatch where the values are random)
\set VERBOSITY terse
CREATE TEMP TABLE ak AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('radiology', 'group'), ('dr_gus', 'user'), ('dr_hal', 'user'),
             ('gus_phone', 'device'), ('gus_tablet', 'device'), ('hal_phone', 'device')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) AS principals FROM ak;
CREATE FUNCTION pg_temp.g(a text, b text, x timestamptz DEFAULT 'infinity') RETURNS bigint LANGUAGE sql AS $$
    SELECT secant.add_grant(pre_grant((SELECT sk FROM ak WHERE name = a), secant.principal_key(b), x)) $$;
-- dr_gus is a member twice (one grant expired, one expiring next year),
-- dr_hal once until tomorrow; gus_tablet's enrolment expired
SELECT count(*) AS grants FROM (VALUES
    (pg_temp.g('radiology', 'dr_gus', now() - interval '1 day')),
    (pg_temp.g('radiology', 'dr_gus', date_trunc('year', now()) + interval '2 years')),
    (pg_temp.g('radiology', 'dr_hal', date_trunc('day', now()) + interval '2 days')),
    (pg_temp.g('dr_gus', 'gus_phone')),
    (pg_temp.g('dr_gus', 'gus_tablet', now() - interval '1 hour')),
    (pg_temp.g('dr_hal', 'hal_phone'))) AS v(id);
CREATE ROLE secant_regress_gus_phone;
SELECT secant.bind('gus_phone', 'secant_regress_gus_phone');
-- members: once each, active only unless asked
SELECT name, kind, active, reason, not_after = date_trunc('year', now()) + interval '2 years' AS latest_expiry
FROM secant.members('radiology') ORDER BY name;
SELECT name, active, reason FROM secant.members('radiology', include_inactive => true) ORDER BY name;
SELECT name, active, reason FROM secant.devices('dr_gus', true) ORDER BY name;
SELECT name FROM secant.devices('dr_gus');
-- a key works as well as a name
SELECT count(*) AS by_key FROM secant.members((SELECT pre_public_key(sk)::text FROM ak WHERE name = 'radiology'));
-- ERROR: the wrong kind, and unknown principals
SELECT * FROM secant.members('dr_gus');
SELECT * FROM secant.devices('radiology');
SELECT * FROM secant.members('nobody');
SELECT * FROM secant.members('prepk_AAAA');
-- who can read what: each path as names, its earliest expiry, bound roles
SELECT principal, kind, path, expires = date_trunc('day', now()) + interval '2 days' AS hal_expiry,
       expires IS NOT NULL AS expires, roles
FROM secant.readers WHERE group_name = 'radiology' ORDER BY principal;
-- the audit log with names, keys kept when no principal has them
SELECT action, detail ? 'from_key_name' AS named, detail->>'from_key_name' AS from_name, detail->>'to_key_name' AS to_name
FROM secant.audit_entries WHERE action = 'insert grant' AND detail->>'to_key_name' IN ('gus_phone', 'hal_phone') ORDER BY seq;
SELECT action, detail->>'principal_key_name' AS principal, detail->>'role' AS role FROM secant.audit_entries
WHERE action IN ('insert binding') ORDER BY seq DESC LIMIT 1;
-- every new object is commented (rows only on mismatch)
SELECT c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'secant'::regnamespace
  AND c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'secant'::regnamespace
  AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT secant.unbind('gus_phone', 'secant_regress_gus_phone');
DROP ROLE secant_regress_gus_phone;
-- read audit, opt-in: one entry per statement and target when the
-- transaction commits, with the rows; none while it is off
CREATE TABLE radiology_notes AS
SELECT i AS id, pre_encrypt(secant.principal_key('radiology'), 'scan ' || i) AS body FROM generate_series(1, 7) i;
CREATE ROLE secant_regress_hal_phone;
SELECT secant.bind('hal_phone', 'secant_regress_hal_phone');
GRANT SELECT ON radiology_notes TO secant_regress_hal_phone;
SET ROLE secant_regress_hal_phone;
SELECT count(secant.reencrypt_for(body, 'hal_phone')) AS reads_unaudited FROM radiology_notes;
RESET ROLE;
SELECT secant.read_audit_on() AS before;
SELECT secant.set_read_audit(true);
SELECT secant.read_audit_on() AS after;
SET ROLE secant_regress_hal_phone;
SELECT count(secant.reencrypt_for(body, 'hal_phone')) AS reads FROM radiology_notes;
SELECT count(secant.reencrypt_for(body, 'hal_phone')) AS reads FROM radiology_notes WHERE id <= 2;
-- ERROR: fail closed in a READ ONLY transaction
BEGIN READ ONLY;
SELECT count(secant.reencrypt_for(body, 'hal_phone')) FROM radiology_notes;
ROLLBACK;
RESET ROLE;
SELECT role, detail->>'rows' AS rows, jsonb_array_length(detail->'path') AS hops,
       detail->>'target' = secant.principal_key('hal_phone')::text AS for_phone
FROM secant.access_log WHERE action = 'read' ORDER BY id;
SELECT action, detail->>'name' AS name, detail->>'value' AS value FROM secant.audit_log
WHERE action LIKE '% setting' ORDER BY seq;
SELECT secant.set_read_audit(false);
SELECT secant.unbind('hal_phone', 'secant_regress_hal_phone');
DROP TABLE radiology_notes;
DROP ROLE secant_regress_hal_phone;
-- ERROR: an unknown capability, an unknown role
SELECT secant.grant_capability('secant_admin', 'superuser');
SELECT secant.grant_capability('no_such_role_here', 'proxy');
SELECT secant.bind('gus_phone', 'no_such_role_here');
-- a revoked device is listed, on request, with the reason
SELECT secant.revoke('dr_hal', 'hal_phone') AS copies_deleted;
SELECT name, active, reason, not_after FROM secant.devices('dr_hal', include_inactive => true);
SELECT count(*) AS active_devices FROM secant.devices('dr_hal');
