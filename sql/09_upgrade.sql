-- upgrade path = fresh install: the oldest version updated step by step
-- must give the same objects as CREATE EXTENSION from schema/secant_pre.sql.
-- Compared by name: functions' full definitions, operators, casts, types,
-- operator classes, relations (columns by name, defaults, constraints,
-- indexes, triggers, policies, row security), privileges, comments and
-- extconfig.  OIDs, column order and dropped columns are ignored.
-- Rows only on mismatch.  Runs last: it drops and re-creates the extension.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE TEMP VIEW surface (kind, name, def) AS
WITH ext AS (
    SELECT oid FROM pg_extension WHERE extname = 'secant_pre'
), members AS (
    SELECT d.classid, d.objid
    FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
      AND d.deptype = 'e'
), acl(a) AS (
    SELECT NULL::aclitem[]
), rels AS (
    SELECT c.oid, c.oid::regclass::text AS name
    FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
)
SELECT 'member', pg_describe_object(m.classid, m.objid, 0), ''
FROM members m
UNION ALL
SELECT 'function', p.oid::regprocedure::text,
       pg_get_functiondef(p.oid) || ' acl=' ||
       coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(p.proacl) x), 'default')
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT 'operator', o.oid::regoperator::text,
       concat_ws(' ', o.oprcode::regprocedure, o.oprcom::regoperator, o.oprnegate::regoperator,
                 o.oprrest::regproc, o.oprjoin::regproc, o.oprcanhash, o.oprcanmerge)
FROM pg_operator o JOIN members m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
UNION ALL
SELECT 'type', t.typname,
       concat_ws(' ', t.typnamespace::regnamespace, t.typlen, t.typbyval, t.typtype, t.typalign, t.typstorage,
                 t.typinput::regproc, t.typoutput::regproc, t.typreceive::regproc, t.typsend::regproc,
                 t.typelem::regtype, t.typarray::regtype)
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT 'cast', format('%s -> %s', c.castsource::regtype, c.casttarget::regtype),
       concat_ws(' ', c.castfunc::regprocedure, c.castcontext, c.castmethod)
FROM pg_cast c JOIN members m ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'opclass', format('%s %s', a.amname, oc.opcname),
       concat_ws(' ', oc.opcintype::regtype, oc.opcdefault,
                 (SELECT string_agg(format('op%s %s', ao.amopstrategy, ao.amopopr::regoperator), ' ' ORDER BY ao.amopstrategy)
                  FROM pg_amop ao WHERE ao.amopfamily = oc.opcfamily),
                 (SELECT string_agg(format('fn%s %s', ap.amprocnum, ap.amproc::regprocedure), ' ' ORDER BY ap.amprocnum)
                  FROM pg_amproc ap WHERE ap.amprocfamily = oc.opcfamily))
FROM pg_opclass oc JOIN pg_am a ON a.oid = oc.opcmethod
JOIN members m ON m.classid = 'pg_opclass'::regclass AND m.objid = oc.oid
UNION ALL
SELECT 'relation', r.name,
       concat_ws(' ', c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
                 coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) x), 'default'))
FROM rels r JOIN pg_class c ON c.oid = r.oid
UNION ALL
SELECT 'column', r.name || '.' || a.attname,
       concat_ws(' ', format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,
                 pg_get_expr(ad.adbin, ad.adrelid),
                 coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x), ''),
                 col_description(r.oid, a.attnum))
FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT 'constraint', r.name || '.' || k.conname, pg_get_constraintdef(k.oid)
FROM rels r JOIN pg_constraint k ON k.conrelid = r.oid
UNION ALL
SELECT 'index', r.name || '.' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM rels r JOIN pg_index i ON i.indrelid = r.oid
UNION ALL
SELECT 'trigger', r.name || '.' || tg.tgname, pg_get_triggerdef(tg.oid)
FROM rels r JOIN pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal
UNION ALL
SELECT 'policy', r.name || '.' || pol.polname,
       concat_ws(' ', pol.polcmd, pol.polpermissive, pg_get_expr(pol.polqual, pol.polrelid),
                 pg_get_expr(pol.polwithcheck, pol.polrelid),
                 (SELECT string_agg(rl::regrole::text, ',' ORDER BY rl::regrole::text) FROM unnest(pol.polroles) rl))
FROM rels r JOIN pg_policy pol ON pol.polrelid = r.oid
UNION ALL
SELECT 'view', r.name, pg_get_viewdef(r.oid)
FROM rels r JOIN pg_class c ON c.oid = r.oid AND c.relkind IN ('v', 'm')
UNION ALL
SELECT 'comment', pg_describe_object(m.classid, m.objid, 0),
       obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid))
FROM members m
UNION ALL
SELECT 'schema', n.nspname,
       coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(n.nspacl) x), 'default')
       || ' ' || coalesce(obj_description(n.oid, 'pg_namespace'), '')
FROM pg_namespace n JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
UNION ALL
SELECT 'extconfig', c::regclass::text, coalesce(e.extcondition[i], '')
FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS u(c, i)
WHERE e.extname = 'secant_pre'
UNION ALL
SELECT 'extension', e.extname, concat_ws(' ', e.extversion, e.extrelocatable, e.extnamespace::regnamespace)
FROM pg_extension e WHERE e.extname = 'secant_pre';
-- the oldest version, updated (0.1.0 -> 0.2.0 -> 0.3.0, then the direct
-- update 0.3.0 -> current), and the last release updated
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.1.0';
ALTER EXTENSION secant_pre UPDATE;
CREATE TEMP TABLE upgraded AS SELECT 'from 0.1.0' AS origin, * FROM surface;
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.5.0';
ALTER EXTENSION secant_pre UPDATE;
INSERT INTO upgraded SELECT 'from 0.5.0', * FROM surface;
-- a fresh install of the current version
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre;
CREATE TEMP TABLE fresh AS SELECT * FROM surface;
RESET client_min_messages;
-- enough described to mean something
SELECT count(*) > 300 AS described, count(DISTINCT kind) >= 12 AS kinds FROM fresh;
-- differences (rows only on mismatch)
(SELECT 'only after upgrade ' || origin AS side, kind, name, def FROM upgraded
 EXCEPT SELECT 'only after upgrade ' || o.origin, f.* FROM fresh f, (VALUES ('from 0.1.0'), ('from 0.5.0')) AS o(origin))
UNION ALL
(SELECT 'only in fresh install, not ' || o.origin, f.* FROM fresh f, (VALUES ('from 0.1.0'), ('from 0.5.0')) AS o(origin)
 EXCEPT SELECT 'only in fresh install, not ' || origin, kind, name, def FROM upgraded)
ORDER BY kind, name, side;
