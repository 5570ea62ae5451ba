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
SELECT pre_sealed_grant(set_byte(s1::bytea, 199, get_byte(s1::bytea, 199) # 1)) FROM made;
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
-- the known-answer sealed grant of test/vectors/sealed.json: its bytes are a
-- pre_sealed_grant (text and bytea forms agree), sealed to key id 4cee9a1aa6efd0a2;
-- it was made for another server, so it does not open here
\set kat_sealed '\\x53505347010000004cee9a1aa6efd0a20ebf980a860de51ca2e0806f41f5276624ee1ae4ce239fcb72d1b028db7e391e221147411918033766d24e7ea684efd84eb43f69980e472b28b032c63f3fec8e8c216f8697e66cc84c1e0e16d0311aa053edf2e762cbb018740899d7dd8db0e07ea50fba95c70242675d61b8fc9fa20ce2e68ea85389a11800196e9a2c296bedde57332c0ac000fc9a77b9a243076f69d1a92f0c60af9aabc55d7421a9a499f16588d79fa3746364292f27c327ed480bca6ea56112389b1b6a9ec09465915993c2925b18794b981b6fd04ae7ce8bb30bc61a7b98470221ee1600bafd8b7507f0b8ed36d9b82bcf558593919d842daf2c518a3a606cf777d8ba0d1316ec023c5a3524689c4de035e5f042a87c828ec9a41e9e790fdfa5a41cff38adc100934702270a07f70fd220c1dce49f246a925929f062e67596fd73c487140250611be92ad02965e2967c2b205670edeec7d5be1cfbb59389b6e27c05'
SELECT encode(pre_sealed_grant_key_id(:'kat_sealed'::bytea::pre_sealed_grant), 'hex') AS kat_key_id,
       (:'kat_sealed'::bytea::pre_sealed_grant)::text::pre_sealed_grant::bytea = :'kat_sealed'::bytea AS text_round_trip;
INSERT INTO secant.grants (sealed) VALUES (:'kat_sealed'::bytea::pre_sealed_grant);
-- the server key's id is the one in the sealing key clients get
SELECT substr(secant.server_public_key(), 1, 11) = 'presealkey_' AS prefix,
       octet_length(secant.server_key_id()) AS key_id_bytes;
