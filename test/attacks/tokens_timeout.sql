-- Attack: a long pre_tokens could not be canceled: statement_timeout fired
-- only after it returned.  Now the walk stops between words at a cancel
-- request.  A document that takes T to tokenise with prefixes is canceled
-- by a timeout of T/10 well before T/2.
\set VERBOSITY terse
CREATE TEMP TABLE doc AS
SELECT '\x00000000000000000000000000000000000000000000000000000000000000ff'::bytea AS key,
       repeat('abcdefghijklmnopqrstuvwxyzabcdefgh ', 29000) AS body;
CREATE TEMP TABLE took (full_run interval);
DO $$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	PERFORM cardinality(pre_tokens(key, body, true)) FROM doc;
	INSERT INTO took VALUES (clock_timestamp() - t0);
END
$$;
SELECT (extract(epoch FROM full_run) * 100)::int || 'ms' AS timeout FROM took \gset
SET statement_timeout = :'timeout';
DO $$
DECLARE
	t0 timestamptz := clock_timestamp();
	full_run interval := (SELECT took.full_run FROM took);
	canceled interval;
BEGIN
	BEGIN
		PERFORM cardinality(pre_tokens(key, body, true)) FROM doc;
	EXCEPTION WHEN query_canceled THEN
		canceled := clock_timestamp() - t0;
	END;
	RAISE NOTICE 'full run %, canceled after %', full_run, canceled;
	IF full_run < interval '100 ms' THEN
		RAISE NOTICE 'too fast to measure on this machine: not checked';
	ELSIF canceled IS NULL THEN
		RAISE EXCEPTION 'pre_tokens was not canceled (full run %)', full_run;
	ELSIF canceled > full_run / 2 THEN
		RAISE EXCEPTION 'canceled only after % of a % run', canceled, full_run;
	END IF;
END
$$;
RESET statement_timeout;
