-- access control: principals, grants, paths, reencrypt_for, expiry,
-- sharing triggers, revocation, audit log, privileges
\set VERBOSITY default
-- keys for a clinic group, two doctors, their devices and an outsider
CREATE TEMP TABLE k AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('cardiology', 'group'), ('dr_ada', 'user'), ('dr_bob', 'user'),
             ('ada_phone', 'device'), ('ada_laptop', 'device'), ('bob_phone', 'device'),
             ('outsider', 'user')) AS v(name, kind);
ALTER TABLE k ADD COLUMN pk pre_public_key;
UPDATE k SET pk = pre_public_key(sk);
CREATE FUNCTION pg_temp.sk(n text) RETURNS pre_secret_key LANGUAGE sql AS $$ SELECT sk FROM k WHERE name = n $$;
CREATE FUNCTION pg_temp.pk(n text) RETURNS pre_public_key LANGUAGE sql AS $$ SELECT pk FROM k WHERE name = n $$;
-- principals: a plain INSERT and the helper both work
INSERT INTO secant.principals (name, kind, public_key) SELECT name, kind, pk FROM k WHERE name = 'cardiology';
SELECT secant.add_principal(name, kind, pk) > 0 AS added FROM k WHERE name <> 'cardiology' AND name <> 'outsider' ORDER BY name;
SELECT name, kind FROM secant.principals ORDER BY id;
-- ERROR: duplicate key, bad kind (terse: the details hold random keys)
\set VERBOSITY terse
SELECT secant.add_principal('dr_ada2', 'user', pg_temp.pk('dr_ada'));
SELECT secant.add_principal('robot', 'service', pg_temp.pk('outsider'));
\set VERBOSITY default
-- grants: a plain INSERT of the grant bytes is enough; keys are derived
INSERT INTO secant.grants (rekey) VALUES (pre_grant(pg_temp.sk('cardiology'), pg_temp.pk('dr_ada')));
SELECT secant.add_grant(pre_grant(pg_temp.sk('cardiology'), pg_temp.pk('dr_bob'))) > 0 AS added;
SELECT secant.add_grant(pre_grant(pg_temp.sk('dr_ada'), pg_temp.pk('ada_phone'))) > 0 AS added;
SELECT secant.add_grant(pre_grant(pg_temp.sk('dr_ada'), pg_temp.pk('ada_laptop'), now() - interval '1 day')) > 0 AS expired_added;
SELECT secant.add_grant(pre_grant(pg_temp.sk('dr_bob'), pg_temp.pk('bob_phone'))) > 0 AS added;
SELECT p.name AS from_name, q.name AS to_name, g.not_after IS NOT NULL AS expires
FROM secant.grants g JOIN secant.principals p ON p.public_key = g.from_key
JOIN secant.principals q ON q.public_key = g.to_key ORDER BY g.id;
-- ERROR: a grant to an unknown principal (plain INSERT and helper)
\set VERBOSITY terse
INSERT INTO secant.grants (rekey) VALUES (pre_grant(pg_temp.sk('cardiology'), pg_temp.pk('outsider')));
\set VERBOSITY default
SELECT secant.add_grant(pre_grant(pg_temp.sk('cardiology'), pg_temp.pk('outsider')));
-- ERROR: derived columns cannot be written
INSERT INTO secant.grants (rekey, to_key) VALUES (pre_grant(pg_temp.sk('cardiology'), pg_temp.pk('dr_ada')), pg_temp.pk('dr_bob'));
-- members and devices
SELECT name, kind FROM secant.members('cardiology');
SELECT name, not_after IS NOT NULL AS expires FROM secant.devices('dr_ada');
SELECT * FROM secant.members('no such group');
-- paths: shortest, skipping the expired grant; none to an outsider
SELECT hop, (SELECT name FROM secant.principals WHERE public_key = hop_from) AS hop_from,
       (SELECT name FROM secant.principals WHERE public_key = hop_to) AS hop_to
FROM secant.path(pg_temp.pk('cardiology'), pg_temp.pk('ada_phone'));
SELECT count(*) AS expired_path FROM secant.path(pg_temp.pk('cardiology'), pg_temp.pk('ada_laptop'));
SELECT count(*) AS no_path FROM secant.path(pg_temp.pk('cardiology'), pg_temp.pk('outsider'));
SELECT count(*) AS reverse_path FROM secant.path(pg_temp.pk('ada_phone'), pg_temp.pk('cardiology'));
SELECT count(*) AS self_path FROM secant.path(pg_temp.pk('dr_ada'), pg_temp.pk('dr_ada'));
-- reencrypt_for: group note read on Ada's phone (level 3)
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext);
INSERT INTO notes
SELECT i, pre_encrypt(pg_temp.pk('cardiology'), 'note ' || i, convert_to('note:' || i, 'UTF8'))
FROM generate_series(1, 20) AS i;
SELECT pre_level(c), pre_decrypt_text(c, pg_temp.sk('ada_phone'))
FROM (SELECT secant.reencrypt_for(body, pg_temp.pk('ada_phone')) AS c FROM notes WHERE id = 1) x;
-- over many rows, every row decrypts (rows only on mismatch)
SELECT id FROM notes
WHERE pre_decrypt_text(secant.reencrypt_for(body, pg_temp.pk('bob_phone')), pg_temp.sk('bob_phone')) <> 'note ' || id;
-- to the ciphertext's own recipient: unchanged
SELECT secant.reencrypt_for(body, pg_temp.pk('cardiology'))::bytea = body::bytea AS unchanged FROM notes WHERE id = 1;
-- ERROR: expired grant, no path, outsider (SQLSTATE 42501)
SELECT secant.reencrypt_for(body, pg_temp.pk('ada_laptop')) FROM notes WHERE id = 1;
SELECT secant.reencrypt_for(body, pg_temp.pk('outsider')) FROM notes WHERE id = 1;
-- sharing by trigger: copies live in secant.copies
CREATE TABLE note_shares (
    id serial PRIMARY KEY,
    note_id int NOT NULL REFERENCES notes (id),
    recipient pre_public_key
);
SELECT secant.enable_sharing(share_table => 'note_shares', source_table => 'notes',
                             source_column => 'body', source_key => 'id',
                             reference_column => 'note_id', recipient_column => 'recipient');
SELECT tgname, tgrelid::regclass FROM pg_trigger WHERE tgname LIKE 'secant_share%' ORDER BY 1;
INSERT INTO note_shares (note_id, recipient)
SELECT id, pg_temp.pk(CASE WHEN id % 2 = 0 THEN 'ada_phone' ELSE 'bob_phone' END) FROM notes;
CREATE TEMP VIEW shared AS
SELECT s.note_id, s.recipient, c.copy, c.created_by
FROM note_shares s JOIN secant.copies c
  ON c.share_table = 'note_shares'::regclass AND c.source_row = s.note_id::text AND c.recipient = s.recipient;
SELECT (SELECT name FROM k WHERE pk = s.recipient) AS recipient, count(*),
       min(pre_level(copy)) AS level, bool_and(pre_recipient(copy) = recipient) AS for_recipient,
       bool_and(created_by = current_user) AS by_me
FROM shared s GROUP BY 1 ORDER BY 1;
SELECT count(*) AS decrypted FROM shared s
WHERE pre_decrypt_text(copy, (SELECT sk FROM k WHERE pk = s.recipient)) = 'note ' || note_id;
SELECT count(*) AS copies, bool_and(hop_keys = pre_hop_keys(copy)) AS hop_keys_kept,
       bool_and(source_table = 'notes'::regclass) AS source_kept FROM secant.copies;
-- changing the recipient re-encrypts; other updates leave the copy alone
UPDATE note_shares SET recipient = pg_temp.pk('dr_ada') WHERE note_id = 2;
SELECT pre_level(copy), pre_decrypt_text(copy, pg_temp.sk('dr_ada')) FROM shared WHERE note_id = 2;
SELECT count(*) AS copies FROM secant.copies;
-- a NULL recipient makes no copy
INSERT INTO note_shares (note_id, recipient) VALUES (3, NULL);
SELECT count(*) AS copies FROM secant.copies;
-- deleting a share row removes its copy; changing a note removes its copies
DELETE FROM note_shares WHERE note_id = 4;
SELECT count(*) AS copies_of_4 FROM secant.copies WHERE source_row = '4';
BEGIN;
UPDATE notes SET body = pre_encrypt(pg_temp.pk('cardiology'), 'note 6 changed') WHERE id = 6;
SELECT count(*) AS copies_of_6 FROM secant.copies WHERE source_row = '6';
ROLLBACK;
SELECT count(*) AS copies_of_6 FROM secant.copies WHERE source_row = '6';
-- a second registration on the same source, by another key: one source
-- trigger serves both (firing on the columns of both), and a change
-- removes the copies of each registration whose key or value changed
BEGIN;
ALTER TABLE notes ADD COLUMN code text UNIQUE;
UPDATE notes SET code = 'n' || id;
CREATE TABLE code_shares (code text, recipient pre_public_key);
SELECT secant.enable_sharing('code_shares', 'notes', 'body', 'code', 'code', 'recipient');
CREATE TEMP VIEW source_triggers AS
SELECT tgname, tgnargs, (SELECT string_agg(a.attname, ', ' ORDER BY a.attname) FROM pg_attribute a
                         WHERE a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr)) AS update_of
FROM pg_trigger t WHERE tgrelid = 'notes'::regclass AND tgname LIKE 'secant_share%' ORDER BY 1;
SELECT * FROM source_triggers;
INSERT INTO code_shares VALUES ('n5', pg_temp.pk('bob_phone'));
SELECT share_table, source_row FROM secant.copies WHERE source_row IN ('5', 'n5') ORDER BY 2;
UPDATE notes SET code = 'five' WHERE id = 5;
SELECT share_table, source_row FROM secant.copies WHERE source_row IN ('5', 'n5') ORDER BY 2;
INSERT INTO code_shares VALUES ('five', pg_temp.pk('bob_phone'));
UPDATE notes SET body = pre_encrypt(pg_temp.pk('cardiology'), 'note 5 changed') WHERE id = 5;
SELECT count(*) AS copies_of_5 FROM secant.copies WHERE source_row IN ('5', 'five');
-- unregistering one: the source trigger serves the other alone
SELECT secant.disable_sharing('code_shares');
SELECT * FROM source_triggers;
ROLLBACK;
-- the access log records each copy, not the audit chain
SELECT count(*) AS share_entries, bool_and(actor = session_user AND role = current_user) AS by_me,
       bool_and(detail ? 'origin' AND detail ? 'recipient' AND detail ? 'level') AS detailed
FROM secant.access_log WHERE action = 'share';
-- each copy has its entry, naming its tables, row, recipient, origin and level
SELECT count(*) AS copies_without_their_entry FROM secant.copies c
WHERE NOT EXISTS (SELECT 1 FROM secant.access_log l
                  WHERE l.action = 'share' AND (l.detail ->> 'share_table')::regclass = c.share_table
                    AND (l.detail ->> 'source_table')::regclass = c.source_table
                    AND l.detail ->> 'source_row' = c.source_row
                    AND l.detail ->> 'recipient' = c.recipient::text
                    AND l.detail ->> 'origin' = pre_origin(c.copy)::text
                    AND (l.detail ->> 'level')::int = pre_level(c.copy));
-- ERROR: sharing to someone without a path, and a missing source row
INSERT INTO note_shares (note_id, recipient) VALUES (1, pg_temp.pk('outsider'));
ALTER TABLE note_shares DROP CONSTRAINT note_shares_note_id_fkey;
INSERT INTO note_shares (note_id, recipient) VALUES (999, pg_temp.pk('ada_phone'));
-- a statement's rows are shared together: one missing source row among
-- them refuses them all; a row asked twice in one statement is one copy
-- (the later one) and two entries; a source UPDATE removes the copies of
-- the rows whose value changed only
BEGIN;
SELECT count(*) AS copies_before FROM secant.copies \gset
INSERT INTO note_shares (note_id, recipient) VALUES (1, pg_temp.pk('dr_ada')), (999, pg_temp.pk('dr_ada'));
ROLLBACK;
BEGIN;
SELECT count(*) AS share_entries FROM secant.access_log WHERE action = 'share' \gset
INSERT INTO note_shares (note_id, recipient) VALUES (1, pg_temp.pk('dr_ada')), (3, pg_temp.pk('dr_ada')), (1, pg_temp.pk('dr_ada'));
SELECT source_row, count(*) AS copies FROM secant.copies WHERE recipient = pg_temp.pk('dr_ada') GROUP BY 1 ORDER BY 1;
SELECT count(*) - :share_entries AS new_entries FROM secant.access_log WHERE action = 'share';
UPDATE notes SET body = CASE WHEN id = 1 THEN pre_encrypt(pg_temp.pk('cardiology'), 'note 1 changed') ELSE body END
WHERE id IN (1, 3);
SELECT source_row, count(*) AS copies FROM secant.copies WHERE recipient = pg_temp.pk('dr_ada') GROUP BY 1 ORDER BY 1;
ROLLBACK;
SELECT count(*) = :copies_before AS copies_unchanged FROM secant.copies;
-- ERROR: enable_sharing checks its columns
SELECT secant.enable_sharing('note_shares', 'notes', 'id', 'id', 'note_id', 'recipient');
SELECT secant.enable_sharing('note_shares', 'notes', 'body', 'id', 'note_id', 'note_id');
SELECT secant.enable_sharing('note_shares', 'notes', 'body', 'nope', 'note_id', 'recipient');
-- registering a share table that already holds share rows makes their
-- copies, as an INSERT of those rows would (by the registering role, the
-- path looked up once, rows without a reference or recipient skipped);
-- registering it again makes them anew
BEGIN;
CREATE TABLE old_shares (note_id int, recipient pre_public_key);
INSERT INTO old_shares VALUES (1, pg_temp.pk('bob_phone')), (3, pg_temp.pk('bob_phone')), (3, NULL), (NULL, pg_temp.pk('bob_phone'));
SELECT secant.enable_sharing('old_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
SELECT source_row, pre_decrypt_text(copy, pg_temp.sk('bob_phone')) AS text, created_by = current_user AS by_me
FROM secant.copies WHERE share_table = 'old_shares'::regclass ORDER BY 1;
SELECT count(*) AS entries FROM secant.access_log WHERE action = 'share' AND (detail ->> 'share_table')::regclass = 'old_shares'::regclass;
SELECT secant.enable_sharing('old_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
SELECT count(*) AS copies FROM secant.copies WHERE share_table = 'old_shares'::regclass;
ROLLBACK;
-- ERROR: as for an INSERT, a share row without its source row, or whose
-- recipient has no path, refuses the registration
BEGIN;
CREATE TABLE old_shares (note_id int, recipient pre_public_key);
INSERT INTO old_shares VALUES (1, pg_temp.pk('bob_phone')), (999, pg_temp.pk('bob_phone'));
SELECT secant.enable_sharing('old_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
ROLLBACK;
BEGIN;
CREATE TABLE old_shares (note_id int, recipient pre_public_key);
INSERT INTO old_shares VALUES (1, pg_temp.pk('outsider'));
SELECT secant.enable_sharing('old_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
ROLLBACK;
SELECT count(*) AS registered FROM secant.sharing WHERE share_table::text = 'old_shares';
-- revocation: removing Ada from the team cuts her phone off in the same transaction
CREATE TEMP TABLE revoked_copy AS
SELECT sealed FROM secant.grants WHERE from_key = pg_temp.pk('cardiology') AND to_key = pg_temp.pk('dr_ada');
BEGIN;
SELECT secant.revoke('cardiology', 'dr_ada') AS copies_deleted;
SELECT (SELECT name FROM k WHERE pk = s.recipient) AS recipient, count(*) FROM shared s GROUP BY 1 ORDER BY 1;
SELECT secant.reencrypt_for(body, pg_temp.pk('ada_phone')) FROM notes WHERE id = 1;
ROLLBACK;
SELECT secant.revoke(pg_temp.pk('cardiology'), pg_temp.pk('dr_ada')) AS copies_deleted;
SELECT count(*) AS ada_paths FROM secant.path(pg_temp.pk('cardiology'), pg_temp.pk('ada_phone'));
SELECT count(*) AS bob_copies_left FROM shared WHERE recipient = pg_temp.pk('bob_phone');
-- Bob still reads
SELECT pre_decrypt_text(secant.reencrypt_for(body, pg_temp.pk('bob_phone')), pg_temp.sk('bob_phone')) FROM notes WHERE id = 3;
-- ERROR: revoking what is not there, unknown names
SELECT secant.revoke('cardiology', 'dr_ada');
SELECT secant.revoke('cardiology', 'nobody');
-- revoked hop keys are remembered: the same grant cannot come back
SELECT count(*) AS remembered, bool_and(revoked_by = session_user) AS by_me FROM secant.revoked_grants;
\set VERBOSITY terse
INSERT INTO secant.grants (sealed) SELECT sealed FROM revoked_copy;
\set VERBOSITY default
-- a new grant from the delegator re-admits
SELECT secant.add_grant(pre_grant(pg_temp.sk('cardiology'), pg_temp.pk('dr_ada'))) > 0 AS regranted;
SELECT pre_decrypt_text(secant.reencrypt_for(body, pg_temp.pk('ada_phone')), pg_temp.sk('ada_phone')) FROM notes WHERE id = 4;
-- the audit log: every change, chained; verify finds a tampered row
SELECT seq, actor = session_user AS by_me, action FROM secant.audit_log ORDER BY seq;
SELECT secant.audit_verify() AS first_broken;
SELECT octet_length(secant.audit_head()) AS head_bytes;
-- ERROR: the log is append-only
UPDATE secant.audit_log SET action = 'nothing' WHERE seq = 3;
DELETE FROM secant.audit_log WHERE seq = 3;
TRUNCATE secant.audit_log;
-- a superuser who disables the triggers can change a row, and verify sees it
ALTER TABLE secant.audit_log DISABLE TRIGGER audit_log_append_only;
DELETE FROM secant.audit_log WHERE seq = 5;
ALTER TABLE secant.audit_log ENABLE TRIGGER audit_log_append_only;
SELECT secant.audit_verify() AS first_broken_after_delete;
ALTER TABLE secant.audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE secant.audit_log SET detail = '{"name": "mallory"}' WHERE seq = 3;
ALTER TABLE secant.audit_log ENABLE TRIGGER audit_log_append_only;
SELECT secant.audit_verify() AS first_broken_after_update;
-- privileges: a plain role reads principals and grant metadata, nothing else
CREATE ROLE secant_regress_plain;
CREATE ROLE secant_regress_admin IN ROLE secant_admin;
GRANT SELECT ON notes TO secant_regress_plain;
SET ROLE secant_regress_plain;
SELECT count(*) > 0 AS sees_principals FROM secant.principals;
SELECT count(*) > 0 AS sees_grant_keys FROM secant.grants WHERE from_key IS NOT NULL;
-- ERROR: no grant bytes, no writes, no admin functions, no audit log
SELECT rekey FROM secant.grants;
INSERT INTO secant.grants (rekey) SELECT pre_grant(pre_keygen(), public_key) FROM secant.principals LIMIT 1;
SELECT secant.add_grant(pre_grant(pg_temp.sk('dr_bob'), pg_temp.pk('ada_phone')));
INSERT INTO secant.principals (name, kind, public_key) VALUES ('x', 'user', pre_public_key(pre_keygen()));
SELECT secant.revoke('cardiology', 'dr_bob');
SELECT count(*) FROM secant.audit_log;
DELETE FROM secant.principals;
SELECT count(*) FROM secant.access_log;
SELECT secant.delete_copies_through(ARRAY['\x00'::bytea]);
SELECT count(*) AS sees_no_copies FROM secant.copies;
-- ERROR: an unbound role obtains no re-encryption, not even for an entitled key
SELECT pre_level(secant.reencrypt_for(body, pg_temp.pk('bob_phone'))) FROM notes WHERE id = 5;
RESET ROLE;
-- bound to the phone, it does (and for nobody else)
SELECT secant.bind('bob_phone', 'secant_regress_plain');
SET ROLE secant_regress_plain;
SELECT pre_level(secant.reencrypt_for(body, 'bob_phone')) FROM notes WHERE id = 5;
SELECT pre_level(secant.reencrypt_for(body, 'dr_bob')) FROM notes WHERE id = 5;
RESET ROLE;
-- ERROR: membership in secant_admin is not enough: admin is per database
SET ROLE secant_regress_admin;
SELECT secant.add_principal('dr_cy', 'user', pre_public_key(pre_keygen())) > 0 AS admin_adds;
RESET ROLE;
SELECT secant.grant_capability('secant_regress_admin', 'admin');
SET ROLE secant_regress_admin;
SELECT secant.add_principal('dr_cy', 'user', pre_public_key(pre_keygen())) > 0 AS admin_adds;
SELECT count(*) > 0 AS admin_reads_audit FROM secant.audit_log;
-- an admin reads grants only sealed: rk is never stored
SELECT count(sealed) > 0 AS admin_reads_sealed, count(rekey) AS stored_rekeys FROM secant.grants;
RESET ROLE;
SELECT secant.revoke_capability('secant_regress_admin', 'admin'), secant.unbind('bob_phone', 'secant_regress_plain');
REVOKE SELECT ON notes FROM secant_regress_plain;
DROP ROLE secant_regress_plain;
DROP ROLE secant_regress_admin;
-- grant bytes stay out of the public's reach in the catalog too
SELECT has_column_privilege('public', 'secant.grants', 'rekey', 'SELECT') AS public_reads_rekey,
       has_table_privilege('public', 'secant.audit_log', 'SELECT') AS public_reads_audit,
       has_table_privilege('public', 'secant.principals', 'INSERT') AS public_writes_principals;
DROP VIEW shared;
DROP TABLE note_shares;
DROP TABLE notes;
