-- Attack: pre_tokens on 20 MB took about 290 MB of memory outside any
-- PostgreSQL memory context (utf8proc's malloc).  Now a text is at most
-- 1 MiB (54000, found from the value's header before it is decompressed)
-- and the normaliser works a word at a time in a fixed scratch space in
-- the statement's memory context.  Measured: the growth of the backend's
-- peak memory (VmHWM in /proc/self/status) in a fresh session.
\set VERBOSITY terse
CREATE TABLE docs (i int, body text);
INSERT INTO docs VALUES (1, repeat('word ', 4 * 1024 * 1024)),
                        (2, repeat('w' || repeat(U&'\0301', 30) || ' ', 16000)),
                        (3, repeat('ab ', 349525));
\c
CREATE FUNCTION pg_temp.peak_kb() RETURNS bigint LANGUAGE sql AS
$$ SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s*(\d+)')::bigint $$;
DO $$
DECLARE
	key bytea := '\x00000000000000000000000000000000000000000000000000000000000000ff';
	before bigint := pg_temp.peak_kb();
	grown bigint;
BEGIN
	BEGIN
		PERFORM pre_tokens(key, body) FROM docs WHERE i = 1;
		RAISE EXCEPTION 'a document of 20 MB was accepted';
	EXCEPTION WHEN program_limit_exceeded THEN
		NULL;
	END;
	PERFORM pre_tokens(key, body, true) FROM docs WHERE i > 1;
	grown := pg_temp.peak_kb() - before;
	RAISE NOTICE 'peak memory grew by % kB', grown;
	IF grown > 48 * 1024 THEN
		RAISE EXCEPTION 'peak memory grew by % kB', grown;
	END IF;
END
$$;
