-- setup: install the extension (later releases: install the oldest and
-- update step by step, as hll does)
CREATE EXTENSION secant_pre;
SELECT extversion FROM pg_extension WHERE extname = 'secant_pre';
-- every function of the extension has a comment (rows only on mismatch)
SELECT p.oid::regprocedure
FROM pg_proc p
JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
-- every type too
SELECT t.typname
FROM pg_type t
JOIN pg_depend d ON d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
WHERE obj_description(t.oid, 'pg_type') IS NULL;
