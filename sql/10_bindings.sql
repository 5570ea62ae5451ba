-- secant.check_bindings(): nothing the extension binds is outside
-- pg_catalog and the extension, and every SQL or PL/pgSQL function of the
-- extension pins its search_path (docs/SECURITY.md, "Names").  No rows
-- after a fresh install and after an update from every released version;
-- rows for a deliberately unqualified view and an unpinned function; the
-- update to 0.6.0 warns of each.  Runs after 09_upgrade (it drops and
-- re-creates the extension).
\set VERBOSITY terse
SET client_min_messages = warning;
-- a fresh install
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre;
SELECT 'fresh' AS installed, count(*) AS bindings FROM secant.check_bindings();
-- an update from every released version (0.1.0 to 0.3.0 take the direct
-- update from 0.3.0, 0.4.0 and 0.5.0 the released steps)
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.1.0';
ALTER EXTENSION secant_pre UPDATE;
SELECT 'from 0.1.0' AS installed, count(*) AS bindings FROM secant.check_bindings();
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.2.0';
ALTER EXTENSION secant_pre UPDATE;
SELECT 'from 0.2.0' AS installed, count(*) AS bindings FROM secant.check_bindings();
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.3.0';
ALTER EXTENSION secant_pre UPDATE;
SELECT 'from 0.3.0' AS installed, count(*) AS bindings FROM secant.check_bindings();
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.3.0';
ALTER EXTENSION secant_pre UPDATE TO '0.4.0';
ALTER EXTENSION secant_pre UPDATE;
SELECT 'from 0.3.0 through 0.4.0' AS installed, count(*) AS bindings FROM secant.check_bindings();
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.4.0';
ALTER EXTENSION secant_pre UPDATE;
SELECT 'from 0.4.0' AS installed, count(*) AS bindings FROM secant.check_bindings();
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.5.0';
ALTER EXTENSION secant_pre UPDATE;
SELECT 'from 0.5.0' AS installed, count(*) AS bindings FROM secant.check_bindings();
-- the check finds a view that binds an operator outside pg_catalog and the
-- extension, and a function that runs with the caller's search_path
CREATE FUNCTION public.planted_cat(text[], text) RETURNS text[]
    LANGUAGE sql AS 'SELECT pg_catalog.array_append($1, $2)';
CREATE OPERATOR public.|| (LEFTARG = text[], RIGHTARG = text, FUNCTION = public.planted_cat);
CREATE VIEW secant.unqualified AS SELECT ARRAY['a'] || 'b'::text AS x;
ALTER EXTENSION secant_pre ADD VIEW secant.unqualified;
CREATE FUNCTION secant.unpinned() RETURNS integer LANGUAGE sql AS 'SELECT 1';
ALTER EXTENSION secant_pre ADD FUNCTION secant.unpinned();
SELECT * FROM secant.check_bindings();
-- a function with a SQL-standard body binds at creation: checked as a view is
CREATE FUNCTION secant.standard() RETURNS text[] LANGUAGE sql RETURN ARRAY['a'] || 'b'::text;
ALTER EXTENSION secant_pre ADD FUNCTION secant.standard();
SELECT * FROM secant.check_bindings() WHERE object LIKE '%standard%';
-- admins only
SELECT has_function_privilege('public', 'secant.check_bindings()', 'EXECUTE') AS public_may,
       has_function_privilege('secant_admin', 'secant.check_bindings()', 'EXECUTE') AS admins_may;
-- the update to 0.6.0 warns of each binding it finds
DROP EXTENSION secant_pre CASCADE;
CREATE EXTENSION secant_pre VERSION '0.5.0';
CREATE VIEW secant.unqualified AS SELECT ARRAY['a'] || 'b'::text AS x;
ALTER EXTENSION secant_pre ADD VIEW secant.unqualified;
RESET client_min_messages;
ALTER EXTENSION secant_pre UPDATE;
SET client_min_messages = warning;
-- back to a fresh install
DROP EXTENSION secant_pre CASCADE;
DROP OPERATOR public.|| (text[], text);
DROP FUNCTION public.planted_cat(text[], text);
CREATE EXTENSION secant_pre;
SELECT count(*) AS bindings FROM secant.check_bindings();
