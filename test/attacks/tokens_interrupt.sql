-- Attack: any pending interrupt that is not a cancel (here a memory-context
-- dump asked for by pg_log_backend_memory_contexts) made pre_tokens fail
-- with "could not normalise keyword text".  Now only a cancel or a
-- termination request stops it; other interrupts are served after.
\set VERBOSITY terse
DO $$
DECLARE
	n int;
BEGIN
	FOR i IN 1 .. 20 LOOP
		SELECT cardinality(pre_tokens('\x00000000000000000000000000000000000000000000000000000000000000ff'::bytea,
									  'hello world ' || i))
		INTO n
		FROM pg_log_backend_memory_contexts(pg_backend_pid());
		IF n <> 3 THEN
			RAISE EXCEPTION 'pre_tokens gave % tokens', n;
		END IF;
	END LOOP;
END
$$;
