-- key rotation: a group after a member left, a device after it was lost,
-- a user after a device was lost; retired keys never targets, delegators
-- of their bridge only; the bridge serves records whose chain starts at the
-- retired key; pending re-issues; the audit log follows each step
\set VERBOSITY terse
-- a database of its own: its audit log holds this test's entries only
CREATE DATABASE secant_pre_rotation;
\c secant_pre_rotation
SET client_min_messages = warning;
CREATE EXTENSION secant_pre;
RESET client_min_messages;
\set VERBOSITY terse
CREATE TEMP TABLE rk (name text PRIMARY KEY, kind text, sk pre_secret_key);
INSERT INTO rk SELECT name, kind, pre_keygen()
FROM (VALUES ('rot_org', 'group'), ('rot_ward', 'group'), ('rot_ann', 'user'), ('rot_ben', 'user'),
             ('rot_ann_phone', 'device'), ('rot_ben_phone', 'device')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM rk;
CREATE FUNCTION pg_temp.sk(n text) RETURNS pre_secret_key LANGUAGE sql AS $$ SELECT sk FROM rk WHERE name = n $$;
-- a sealed grant from a secret key to a principal's current key (or a key)
CREATE FUNCTION pg_temp.sg(f pre_secret_key, t pre_public_key) RETURNS pre_sealed_grant
    LANGUAGE sql AS $$ SELECT secant.seal_grant_on_server(pre_grant(f, t)) $$;
SELECT count(secant.add_grant(pg_temp.sg(pg_temp.sk(a), secant.principal_key(b))))
FROM (VALUES ('rot_org', 'rot_ward'), ('rot_ward', 'rot_ann'), ('rot_ward', 'rot_ben'),
             ('rot_ann', 'rot_ann_phone'), ('rot_ben', 'rot_ben_phone')) AS v(a, b);
-- the ward's records at rest, its index key, a copy shared to each phone
CREATE TABLE rot_notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO rot_notes SELECT i, pre_encrypt(secant.principal_key('rot_ward'), 'old note ' || i) FROM generate_series(1, 3) i;
SELECT secant.rotate_index_key('rot_ward', pre_encrypt(secant.principal_key('rot_ward'), '\x0101010101010101010101010101010101010101010101010101010101010101'::bytea)) AS index_version;
CREATE TABLE rot_shares (id serial PRIMARY KEY, note_id int NOT NULL, recipient pre_public_key NOT NULL);
SELECT secant.enable_sharing('rot_shares', 'rot_notes', 'body', 'id', 'note_id', 'recipient');
INSERT INTO rot_shares (note_id, recipient) VALUES (1, secant.principal_key('rot_ann_phone')), (1, secant.principal_key('rot_ben_phone'));
SELECT count(*) AS copies FROM secant.copies WHERE source_table = 'rot_notes'::regclass;
CREATE TEMP TABLE old_ward AS SELECT secant.principal_key('rot_ward') AS k, pg_temp.sk('rot_ward') AS sk;
CREATE TEMP TABLE old_bridge_input AS SELECT body FROM rot_notes WHERE id = 1;

-- ---- group rotation: ben left the ward ----
INSERT INTO rk VALUES ('rot_ward_v2', 'group', pre_keygen());
-- ERROR: no bridge, a bridge the wrong way, a member grant not from the new key, no new index key
SELECT * FROM secant.rotate_group('rot_ward', pre_public_key(pg_temp.sk('rot_ward_v2')), NULL, '{}');
SELECT * FROM secant.rotate_group('rot_ward', pre_public_key(pg_temp.sk('rot_ward_v2')),
    pg_temp.sg(pg_temp.sk('rot_ward_v2'), (SELECT k FROM old_ward)), '{}',
    pre_encrypt(pre_public_key(pg_temp.sk('rot_ward_v2')), '\x02'::bytea));
SELECT * FROM secant.rotate_group('rot_ward', pre_public_key(pg_temp.sk('rot_ward_v2')),
    pg_temp.sg(pg_temp.sk('rot_ward'), pre_public_key(pg_temp.sk('rot_ward_v2'))),
    ARRAY[pg_temp.sg(pg_temp.sk('rot_ward'), secant.principal_key('rot_ann'))],
    pre_encrypt(pre_public_key(pg_temp.sk('rot_ward_v2')), '\x02'::bytea));
SELECT * FROM secant.rotate_group('rot_ward', pre_public_key(pg_temp.sk('rot_ward_v2')),
    pg_temp.sg(pg_temp.sk('rot_ward'), pre_public_key(pg_temp.sk('rot_ward_v2'))), '{}');
-- ERROR: not a group; a key already known; not an admin
SELECT * FROM secant.rotate_group('rot_ann', pre_public_key(pg_temp.sk('rot_ward_v2')), NULL, '{}');
SELECT * FROM secant.rotate_group('rot_ward', secant.principal_key('rot_ben'), NULL, '{}');
SET ROLE secant_admin;
SELECT * FROM secant.rotate_group('rot_ward', pre_public_key(pre_keygen()), NULL, '{}');
RESET ROLE;
-- nothing changed by the failures
SELECT count(*) AS ward_keys FROM secant.principal_keys k JOIN secant.principals p ON p.id = k.principal_id WHERE p.name = 'rot_ward';
-- the rotation: bridge, ann kept, ben not, new index key version
SELECT retired_key = (SELECT k FROM old_ward) AS retired_old, grants_dropped, copies_deleted, grants_added,
       bindings_moved, index_key_version
FROM secant.rotate_group('rot_ward', pre_public_key(pg_temp.sk('rot_ward_v2')),
    pg_temp.sg(pg_temp.sk('rot_ward'), pre_public_key(pg_temp.sk('rot_ward_v2'))),
    ARRAY[pg_temp.sg(pg_temp.sk('rot_ward_v2'), secant.principal_key('rot_ann'))],
    pre_encrypt(pre_public_key(pg_temp.sk('rot_ward_v2')), '\x0202020202020202020202020202020202020202020202020202020202020202'::bytea));
SELECT secant.principal_key('rot_ward') = pre_public_key(pg_temp.sk('rot_ward_v2')) AS current_is_new,
       (SELECT replaced_by = secant.principal_key('rot_ward') AND retired_at IS NOT NULL
        FROM secant.principal_keys WHERE public_key = (SELECT k FROM old_ward)) AS old_retired;
-- the old key's grants are gone (remembered as rotated), only the bridge leaves it
SELECT reason, count(*) FROM secant.revoked_grants
WHERE from_key = (SELECT k FROM old_ward) OR to_key = (SELECT k FROM old_ward) GROUP BY reason;
SELECT count(*) AS grants_out_of_old, bool_and(to_key = secant.principal_key('rot_ward')) AS only_bridge
FROM secant.grants WHERE from_key = (SELECT k FROM old_ward);
SELECT count(*) AS grants_into_old FROM secant.grants WHERE to_key = (SELECT k FROM old_ward);
-- the copies made through the old grants are gone
SELECT count(*) AS copies FROM secant.copies WHERE source_table = 'rot_notes'::regclass;
-- ann reads the old records (through the bridge) and new ones
INSERT INTO rot_notes VALUES (10, pre_encrypt(secant.principal_key('rot_ward'), 'new note'));
SELECT id, pre_level(secant.reencrypt_for(body, 'rot_ann_phone')) AS level,
       pre_decrypt_text(secant.reencrypt_for(body, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone')) AS plain
FROM rot_notes ORDER BY id;
-- ben's phone reads nothing: no path from either key
SELECT count(*) AS old_path FROM secant.path((SELECT k FROM old_ward), secant.principal_key('rot_ben_phone'));
SELECT count(*) AS new_path FROM secant.path(secant.principal_key('rot_ward'), secant.principal_key('rot_ben_phone'));
SELECT secant.reencrypt_for(body, 'rot_ben_phone') FROM rot_notes WHERE id = 1;
SELECT secant.reencrypt_for(body, 'rot_ben_phone') FROM rot_notes WHERE id = 10;
INSERT INTO rot_shares (note_id, recipient) VALUES (10, secant.principal_key('rot_ben_phone'));
-- a share to ann's phone works again, through the bridge for an old record
INSERT INTO rot_shares (note_id, recipient) VALUES (2, secant.principal_key('rot_ann_phone')), (10, secant.principal_key('rot_ann_phone'));
SELECT c.source_row, pre_decrypt_text(c.copy, pg_temp.sk('rot_ann_phone')) FROM secant.copies c
WHERE c.source_table = 'rot_notes'::regclass ORDER BY 1;
-- the index key: both versions for ann's phone, none for ben's
SELECT version, encode(pre_decrypt(key_ct, pg_temp.sk('rot_ann_phone')), 'hex') LIKE '0' || version || '%' AS opens
FROM secant.index_keys_for('rot_ward', 'rot_ann_phone');
SELECT * FROM secant.index_keys_for('rot_ward', 'rot_ben_phone');
-- ERROR: a retired key is no target, and delegates nothing but its bridge
SELECT secant.add_grant(pg_temp.sg(pg_temp.sk('rot_ann'), (SELECT k FROM old_ward)));
SELECT secant.add_grant(pg_temp.sg((SELECT sk FROM old_ward), secant.principal_key('rot_ben')));
SELECT secant.reencrypt_for(body, (SELECT k FROM old_ward)) FROM rot_notes WHERE id = 10;
SELECT count(*) AS path_to_retired FROM secant.path(secant.principal_key('rot_org'), (SELECT k FROM old_ward));
-- ERROR: the principal's key changes only by rotation
UPDATE secant.principals SET public_key = pre_public_key(pre_keygen()) WHERE name = 'rot_ward';

-- ---- the hop chain: the bridge serves only chains that start at the old key ----
-- a level-2 value old -> new (through the stored bridge) goes on to ann's phone
CREATE TEMP TABLE bridged AS
SELECT secant.reencrypt_for(body, secant.principal_key('rot_ward')) AS c FROM old_bridge_input;
SELECT pre_level(c) AS level, pre_origin(c) = (SELECT k FROM old_ward) AS origin_old FROM bridged;
SELECT pre_decrypt_text(secant.reencrypt_for(c, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone')) AS bridged FROM bridged;
-- ERROR: a bridge hop the database did not make (another grant old -> new, made by a holder of the old key)
SELECT secant.reencrypt_for(pre_reencrypt(body, pre_grant((SELECT sk FROM old_ward), secant.principal_key('rot_ward'))),
                            'rot_ann_phone')
FROM old_bridge_input;
-- a record of the parent group re-encrypted into the old key (its grant was dropped): refused
CREATE TEMP TABLE org_into_old AS
SELECT pre_reencrypt(pre_encrypt(secant.principal_key('rot_org'), 'org memo'),
                     pre_grant(pg_temp.sk('rot_org'), (SELECT k FROM old_ward))) AS c;
SELECT secant.reencrypt_for(c, 'rot_ann_phone') FROM org_into_old;
-- even with a grant into the old key stored behind the triggers' back
-- (a superuser, triggers off): no path through it, the chain check refuses it
SET session_replication_role = replica;
INSERT INTO secant.grants (from_key, to_key, hop_key, sealed)
SELECT pre_grant_from(g), pre_grant_to(g), pre_grant_hop_key(g), secant.seal_grant_on_server(g)
FROM (SELECT pre_grant(pg_temp.sk('rot_org'), (SELECT k FROM old_ward)) AS g) s;
RESET session_replication_role;
SELECT count(*) AS org_path FROM secant.path(secant.principal_key('rot_org'), secant.principal_key('rot_ann_phone'));
SELECT secant.reencrypt_for(pre_reencrypt(pre_encrypt(secant.principal_key('rot_org'), 'x'),
                                          pre_grant(pg_temp.sk('rot_org'), (SELECT k FROM old_ward))), 'rot_ann_phone');
SET session_replication_role = replica;
DELETE FROM secant.grants WHERE to_key = (SELECT k FROM old_ward);
RESET session_replication_role;

-- ---- pending re-issues: the parent group's grant to the ward was dropped ----
SELECT delegator, grantee, retired_key = (SELECT k FROM old_ward) AS from_old, new_key = secant.principal_key('rot_ward') AS to_new
FROM secant.pending_reissues WHERE grantee LIKE 'rot_%';
SELECT group_name, principal, path, pending_reissue FROM secant.readers
WHERE group_name LIKE 'rot_%' ORDER BY group_name, principal, pending_reissue;
-- not an admin of this database: no pending rows (they come from the revoked grants), the view works
SET ROLE secant_admin;
SELECT count(*) AS rows, count(*) FILTER (WHERE pending_reissue) AS pending FROM secant.readers WHERE group_name LIKE 'rot_%';
SELECT count(*) AS pending FROM secant.pending_reissues;
RESET ROLE;
SELECT secant.add_grant(pg_temp.sg(pg_temp.sk('rot_org'), secant.principal_key('rot_ward'))) > 0 AS reissued;
SELECT count(*) AS pending FROM secant.pending_reissues WHERE grantee LIKE 'rot_%';
SELECT pre_decrypt_text(secant.reencrypt_for(pre_encrypt(secant.principal_key('rot_org'), 'org memo 2'), 'rot_ann_phone'),
                        pg_temp.sk('rot_ann_phone')) AS org_reads;
-- the walk names every principal on a path of three hops, in order
SELECT principal, kind, path FROM secant.readers WHERE group_name = 'rot_org' ORDER BY cardinality(path);

-- ---- device rotation: ann's phone replaced ----
INSERT INTO rk VALUES ('rot_ann_phone_v2', 'device', pre_keygen());
CREATE TEMP TABLE old_phone AS SELECT secant.principal_key('rot_ann_phone') AS k;
SELECT secant.bind('rot_ann_phone', 'secant_admin');
-- ERROR: an enrolment must be a grant to the new device key
SELECT * FROM secant.rotate_device('rot_ann_phone', pre_public_key(pg_temp.sk('rot_ann_phone_v2')),
    ARRAY[pg_temp.sg(pg_temp.sk('rot_ann'), secant.principal_key('rot_ben_phone'))]);
SELECT grants_dropped, copies_deleted, grants_added, bindings_moved
FROM secant.rotate_device('rot_ann_phone', pre_public_key(pg_temp.sk('rot_ann_phone_v2')),
    ARRAY[pg_temp.sg(pg_temp.sk('rot_ann'), pre_public_key(pg_temp.sk('rot_ann_phone_v2')))]);
-- a device's bindings are not moved (its login may be what was lost)
SELECT count(*) AS bound_to_new FROM secant.bindings WHERE principal_key = secant.principal_key('rot_ann_phone');
SELECT count(*) AS bound_to_old FROM secant.bindings WHERE principal_key = (SELECT k FROM old_phone);
SELECT count(*) AS copies_to_old_phone FROM secant.copies WHERE recipient = (SELECT k FROM old_phone);
SELECT pre_decrypt_text(secant.reencrypt_for(body, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone_v2')) AS new_phone_reads
FROM rot_notes WHERE id IN (1, 10) ORDER BY id;
SELECT secant.reencrypt_for(body, (SELECT k FROM old_phone)) FROM rot_notes WHERE id = 10;

-- ---- user rotation: ben's phone lost (ben is in no group now); ann's new key ----
INSERT INTO rk VALUES ('rot_ann_v2', 'user', pre_keygen());
SELECT grants_dropped, grants_added
FROM secant.rotate_user('rot_ann', pre_public_key(pg_temp.sk('rot_ann_v2')),
    ARRAY[pg_temp.sg(pg_temp.sk('rot_ann_v2'), secant.principal_key('rot_ann_phone'))]);
-- the ward's grant to ann is closed until the ward's admin re-issues it
SELECT delegator, grantee FROM secant.pending_reissues WHERE grantee LIKE 'rot_%';
SELECT secant.reencrypt_for(body, 'rot_ann_phone') FROM rot_notes WHERE id = 10;
SELECT principal, pending_reissue FROM secant.readers WHERE group_name = 'rot_ward' ORDER BY principal, pending_reissue;
SELECT secant.add_grant(pg_temp.sg(pg_temp.sk('rot_ward_v2'), secant.principal_key('rot_ann'))) > 0 AS reissued;
SELECT id, pre_level(secant.reencrypt_for(body, 'rot_ann_phone')) AS level,
       pre_decrypt_text(secant.reencrypt_for(body, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone_v2')) AS plain
FROM rot_notes WHERE id IN (1, 10) ORDER BY id;

-- ---- a second group rotation: the first bridge stays, records under both old keys read ----
INSERT INTO rk VALUES ('rot_ward_v3', 'group', pre_keygen());
SELECT grants_dropped, grants_added
FROM secant.rotate_group('rot_ward', pre_public_key(pg_temp.sk('rot_ward_v3')),
    pg_temp.sg(pg_temp.sk('rot_ward_v2'), pre_public_key(pg_temp.sk('rot_ward_v3'))),
    ARRAY[pg_temp.sg(pg_temp.sk('rot_ward_v3'), secant.principal_key('rot_ann'))],
    pre_encrypt(pre_public_key(pg_temp.sk('rot_ward_v3')), '\x0303030303030303030303030303030303030303030303030303030303030303'::bytea));
SELECT count(*) AS bridges FROM secant.grants g JOIN secant.principal_keys k ON k.public_key = g.from_key
WHERE k.retired_at IS NOT NULL AND g.to_key = k.replaced_by;
INSERT INTO rot_notes VALUES (11, pre_encrypt(secant.principal_key('rot_ward'), 'newest note'));
SELECT id, pre_level(secant.reencrypt_for(body, 'rot_ann_phone')) AS level,
       pre_decrypt_text(secant.reencrypt_for(body, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone_v2')) AS plain
FROM rot_notes WHERE id IN (1, 10, 11) ORDER BY id;
SELECT version FROM secant.index_keys_for('rot_ward', 'rot_ann_phone');
-- a value that went through the first bridge (old -> v2) goes on through the second
SELECT pre_decrypt_text(secant.reencrypt_for(c, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone_v2')) AS bridged_twice FROM bridged;

-- ---- the log follows every step; the bridges can go after rewrapping ----
SELECT action, count(*) FROM secant.audit_log
WHERE action IN ('retire key', 'rotate key') GROUP BY action ORDER BY action;
SELECT detail->>'kind' AS kind, (detail->>'grants_dropped')::int AS dropped FROM secant.audit_log
WHERE action = 'rotate key' ORDER BY seq;
SELECT * FROM secant.audit_check();
SELECT secant.audit_verify() AS first_broken;
SELECT secant.drop_bridges('rot_ward') AS bridges_dropped;
SELECT secant.reencrypt_for(body, 'rot_ann_phone') FROM rot_notes WHERE id = 10;
SELECT secant.reencrypt_for(body, 'rot_ann_phone') FROM rot_notes WHERE id = 1;
-- the old index key version goes with the bridge
SELECT version FROM secant.index_keys_for('rot_ward', 'rot_ann_phone');
SELECT pre_decrypt_text(secant.reencrypt_for(body, 'rot_ann_phone'), pg_temp.sk('rot_ann_phone_v2')) AS still_new
FROM rot_notes WHERE id = 11;
\c contrib_regression
DROP DATABASE secant_pre_rotation;
