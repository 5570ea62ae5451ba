-- Attack: utf8proc's canonical reordering is quadratic in a run of
-- combining marks: 'a' and 2n marks took 1.2 s at 32 KB and 4.4 s at
-- 64 KB, and could not be canceled.  Now one word holds at most 4096
-- bytes (the attack fails at once with 54000) and a document of the
-- longest such words costs no more than ordinary text of the same size.
\set VERBOSITY terse
CREATE TEMP TABLE k AS SELECT '\x00000000000000000000000000000000000000000000000000000000000000ff'::bytea AS key;
DO $$
DECLARE
	key bytea := (SELECT k.key FROM k);
	t0 timestamptz;
	attack interval;
	plain interval;
	marks interval;
	ratio float8;
BEGIN
	-- the original attack, 64 KB
	t0 := clock_timestamp();
	BEGIN
		PERFORM pre_tokens(key, 'a' || repeat(U&'\0301', 16384) || repeat(U&'\0316', 16384));
		RAISE EXCEPTION 'a word of 64 KB was accepted';
	EXCEPTION WHEN program_limit_exceeded THEN
		attack := clock_timestamp() - t0;
	END;
	IF attack > interval '200 ms' THEN
		RAISE EXCEPTION 'the 64 KB attack took %', attack;
	END IF;
	-- 1 MiB of the longest words of marks vs 1 MiB of plain words (best of 3)
	FOR i IN 1 .. 3 LOOP
		t0 := clock_timestamp();
		PERFORM pre_tokens(key, repeat('a' || repeat(U&'\0301', 1000) || repeat(U&'\0316', 1000) || ' ', 262));
		marks := least(marks, clock_timestamp() - t0);
		t0 := clock_timestamp();
		PERFORM pre_tokens(key, repeat('patient diabetes glucose ', 41943));
		plain := least(plain, clock_timestamp() - t0);
	END LOOP;
	ratio := extract(epoch FROM marks) / greatest(extract(epoch FROM plain), 1e-6);
	RAISE NOTICE 'attack 64 KB: %, marks 1 MiB: %, plain 1 MiB: %, ratio %', attack, marks, plain, round(ratio::numeric, 2);
	IF ratio > 20 THEN
		RAISE EXCEPTION 'runs of marks cost % times plain text', ratio;
	END IF;
END
$$;
