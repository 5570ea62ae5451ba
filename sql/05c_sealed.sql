-- grants sealed to the server key: stored and used sealed, never as rk;
-- bound to this database; the columns filled from the opened grant
\set VERBOSITY terse
SELECT left(secant.server_public_key(), 11) AS prefix,
       secant.server_public_key() = secant.server_public_key() AS stable;
CREATE TEMP TABLE sk AS
SELECT name, pre_keygen() AS k FROM (VALUES ('ophtho'), ('dr_ivy'), ('ivy_phone')) AS v(name);
SELECT count(secant.add_principal(name, CASE name WHEN 'ophtho' THEN 'group' WHEN 'dr_ivy' THEN 'user' ELSE 'device' END,
                                  pre_public_key(k))) FROM sk;
CREATE TEMP TABLE made AS
SELECT secant.seal_grant_on_server(pre_grant((SELECT k FROM sk WHERE name = 'ophtho'), secant.principal_key('dr_ivy'))) AS s1,
       secant.seal_grant_on_server(pre_grant((SELECT k FROM sk WHERE name = 'dr_ivy'), secant.principal_key('ivy_phone'))) AS s2;
SELECT left(s1::text, 10) AS prefix, octet_length(s1::bytea) AS bytes FROM made;
SELECT secant.add_grant(s1) > 0 AS stored, secant.add_grant(s2) > 0 AS stored FROM made;
-- stored sealed, columns from the opened grant, rk never stored
SELECT count(*) AS grants, count(rekey) AS rekeys, bool_and(sealed IS NOT NULL) AS sealed
FROM secant.grants WHERE from_key IN (secant.principal_key('ophtho'), secant.principal_key('dr_ivy'));
-- and used: the path opens them in memory
CREATE TEMP TABLE eye_notes AS SELECT pre_encrypt(secant.principal_key('ophtho'), 'fundus normal') AS body;
SELECT pre_decrypt_text(secant.reencrypt_for(body, 'ivy_phone'), (SELECT k FROM sk WHERE name = 'ivy_phone')) FROM eye_notes;
-- ERROR: a tampered sealed grant does not open; columns must say what the grant says
INSERT INTO secant.grants (sealed)
SELECT pre_sealed_grant(overlay(s1::bytea PLACING '\xff'::bytea FROM 200 FOR 1)) FROM made;
INSERT INTO secant.grants (rekey, from_key)
VALUES (pre_grant((SELECT k FROM sk WHERE name = 'ophtho'), secant.principal_key('ivy_phone')), secant.principal_key('dr_ivy'));
-- ERROR: a value that is not a sealed grant
SELECT 'presealed_AAAA'::pre_sealed_grant;
SELECT pre_sealed_grant('\x00'::bytea);
-- ERROR: a grant sealed for another database does not open here
\set here :DBNAME
CREATE DATABASE secant_pre_sealed_other;
\c secant_pre_sealed_other
CREATE EXTENSION secant_pre;
SELECT secant.seal_grant_on_server(pre_grant(pre_keygen(), pre_public_key(pre_keygen()))) AS foreign_grant \gset
SELECT left(secant.server_public_key(), 11) AS other_prefix;
\c :here
SELECT secant.server_public_key() <> :'foreign_grant' AS differs;
INSERT INTO secant.grants (sealed) VALUES (:'foreign_grant');
DROP DATABASE secant_pre_sealed_other;
