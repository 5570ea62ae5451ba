-- the update to 0.4.0 converts 0.3.0's share tables: copies are copied into
-- secant.copies, the old trigger is replaced by the new ones, and a WARNING
-- names the old copy column to clear; the update to 0.6.0 registers them
-- (secant.sharing)
CREATE DATABASE secant_pre_upgrade;
\c secant_pre_upgrade
CREATE EXTENSION secant_pre VERSION '0.3.0';
CREATE TABLE k AS SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('ward', 'group'), ('dr_a', 'user'), ('a_phone', 'device')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k;
SELECT count(secant.add_grant(pre_grant(f.sk, pre_public_key(t.sk))))
FROM k f, k t WHERE (f.name, t.name) IN (('ward', 'dr_a'), ('dr_a', 'a_phone'));
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO notes SELECT i, pre_encrypt(secant.principal_key('ward'), 'note ' || i) FROM generate_series(1, 3) i;
CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL REFERENCES notes,
                          recipient pre_public_key NOT NULL, body pre_ciphertext);
CREATE TRIGGER note_shares_copy BEFORE INSERT OR UPDATE OF note_id, recipient ON note_shares
    FOR EACH ROW EXECUTE FUNCTION secant.share_trigger('notes', 'body', 'id', 'note_id', 'recipient', 'body');
-- (0.3.0's trigger and reencrypt_for need functions this library no longer
-- has or 0.3.0 does not have: the copies are made hop by hop, trigger off)
SELECT secant.register_share_table('note_shares', 'body');
ALTER TABLE note_shares DISABLE TRIGGER note_shares_copy;
INSERT INTO note_shares (note_id, recipient, body)
SELECT n.id, secant.principal_key('a_phone'), pre_reencrypt(pre_reencrypt(n.body, g1.rekey), g2.rekey)
FROM notes n, secant.grants g1, secant.grants g2
WHERE g1.to_key = secant.principal_key('dr_a') AND g2.to_key = secant.principal_key('a_phone');
ALTER TABLE note_shares ENABLE TRIGGER note_shares_copy;
\set VERBOSITY terse
ALTER EXTENSION secant_pre UPDATE;
\set VERBOSITY default
-- the copies, now in the extension's storage, decrypt
SELECT count(*) AS moved, bool_and(pre_decrypt_text(c.copy, (SELECT sk FROM k WHERE name = 'a_phone')) = 'note ' || c.source_row) AS decrypt
FROM secant.copies c WHERE c.share_table = 'note_shares'::regclass;
SELECT tgname, tgnargs FROM pg_trigger WHERE tgrelid IN ('notes'::regclass, 'note_shares'::regclass) AND NOT tgisinternal ORDER BY 1;
SELECT share_table, source_table, source_column, source_key, reference_column, recipient_column FROM secant.sharing;
SELECT count(*) AS old_objects FROM pg_proc WHERE proname IN ('share_trigger', 'register_share_table', 'log_share');
-- the manual step, and the converted table keeps sharing
UPDATE note_shares SET body = NULL;
INSERT INTO notes VALUES (4, pre_encrypt(secant.principal_key('ward'), 'note 4'));
INSERT INTO note_shares (note_id, recipient) VALUES (4, secant.principal_key('a_phone'));
SELECT count(*) AS copies FROM secant.copies;
-- revocation deletes moved and new copies
SELECT secant.revoke('ward', 'dr_a') AS copies_deleted;
SELECT count(*) AS copies_left FROM secant.copies;
\c contrib_regression
DROP DATABASE secant_pre_upgrade;
