-- setup: install the oldest version and update step by step (hll), then
-- check that every object of the extension has a comment
CREATE EXTENSION secant_pre VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'secant_pre';
ALTER EXTENSION secant_pre UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'secant_pre';
ALTER EXTENSION secant_pre UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'secant_pre';
-- the versions a user can install or update to
SELECT version FROM pg_available_extension_versions
WHERE name = 'secant_pre' ORDER BY version;
-- every function of the extension has a comment (rows only on mismatch)
SELECT p.oid::regprocedure
FROM pg_proc p
JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
-- every type and table too (not the array and row types PostgreSQL makes
-- for them, which newer majors record as the extension's members too)
SELECT t.typname
FROM pg_type t
JOIN pg_depend d ON d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
WHERE obj_description(t.oid, 'pg_type') IS NULL AND t.typtype <> 'c'
  AND NOT EXISTS (SELECT FROM pg_type a WHERE a.typarray = t.oid);
SELECT c.oid::regclass
FROM pg_class c
JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'secant_pre'
WHERE c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL;
-- SECURITY DEFINER functions all pin their search_path (rows only on mismatch)
SELECT p.oid::regprocedure
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'secant' AND p.prosecdef
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');
