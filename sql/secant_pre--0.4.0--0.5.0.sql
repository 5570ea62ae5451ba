-- secant_pre 0.4.0 -> 0.5.0
--
-- Each change below is mirrored in sql/secant_pre.sql (the whole schema);
-- sql/09_upgrade.sql checks that this update gives the same objects as a
-- fresh install.

\echo Use "ALTER EXTENSION secant_pre UPDATE TO '0.5.0'" to load this file. \quit
