-- keyword normalisation limits: linear work on runs of combining marks
-- (stream-safe text, UAX #15), words of at most 4096 bytes, texts of at
-- most 1 MiB (54000), and a long pre_tokens stops at a cancel or timeout
\set VERBOSITY default
CREATE TEMP TABLE lk AS
SELECT '\x574c38032f94e0c099504633f8c371b428f34a9a043464f3caeb8a2ac9d2651e'::bytea AS key;
-- 30 marks in a row: plain NFKC, reordered and composed (rows only on mismatch)
SELECT 'thirty' AS mismatch FROM lk
WHERE pre_token(key, 'a' || repeat(U&'\0301', 15) || repeat(U&'\0316', 15))
   <> pre_token(key, U&'\00e1' || repeat(U&'\0316', 15) || repeat(U&'\0301', 14));
-- 80 marks: cut after each 30th, each part reordered and composed alone
SELECT 'eighty' AS mismatch FROM lk
WHERE pre_token(key, 'a' || repeat(U&'\0301', 40) || repeat(U&'\0316', 40))
   <> pre_token(key, U&'\00e1' || repeat(U&'\0301', 29) || repeat(U&'\0316', 20)
                     || repeat(U&'\0301', 10) || repeat(U&'\0316', 20));
-- words of 2001 marks each (1 MiB of them) are linear work: one token
SELECT cardinality(pre_tokens(key, repeat('a' || repeat(U&'\0301', 1000) || repeat(U&'\0316', 1000) || ' ', 262)))
       AS marks_doc FROM lk;
-- a keyword or word of 4096 bytes after normalisation
SELECT pre_token(key, repeat('a', 4096)) = pre_token(key, repeat('A', 4096) || '   ') AS word_4096,
       cardinality(pre_tokens(key, repeat('a', 4096) || ' ' || repeat('b', 4096))) AS two_words
FROM lk;
-- ERROR: keyword too long (54000)
SELECT pre_token(key, repeat('a', 4097)) FROM lk;
-- ERROR: keyword too long: ß folds to ss, 2049 of them are 4098 bytes
SELECT pre_token(key, repeat('ß', 2049)) FROM lk;
-- ERROR: keyword too long, in a document
SELECT pre_tokens(key, 'short ' || repeat('a', 4097)) FROM lk;
-- ERROR: keyword too long: one letter with 32000 marks (the quadratic attack) fails fast
SELECT pre_tokens(key, 'a' || repeat(U&'\0301', 16000) || repeat(U&'\0316', 16000)) FROM lk;
-- a document of 1 MiB
SELECT cardinality(pre_tokens(key, repeat('ab ', 349525) || 'a')) AS doc_1mib FROM lk;
-- ERROR: text too long for search tokens (54000): 1 MiB + 1 byte
SELECT pre_tokens(key, repeat('ab ', 349525) || 'ab') FROM lk;
-- ERROR: text too long for search tokens, as one keyword too
SELECT pre_token(key, repeat(' ', 1048576) || 'a') FROM lk;
-- an interrupt that is not a cancel does not fail pre_tokens
SELECT pg_log_backend_memory_contexts(pg_backend_pid()) AS logged,
       cardinality(pre_tokens(key, 'hello world')) AS n FROM lk;
-- ERROR: canceling statement due to user request
SELECT pg_cancel_backend(pg_backend_pid()), cardinality(pre_tokens(key, 'hello world')) FROM lk;
-- statement_timeout stops a long pre_tokens (1 MiB of 34-letter words
-- with prefix tokens: about a million tokens)
CREATE TEMP TABLE long_doc AS
SELECT repeat('abcdefghijklmnopqrstuvwxyzabcdefgh ', 29000) AS doc;
SET statement_timeout = '50ms';
-- ERROR: canceling statement due to statement timeout
SELECT cardinality(pre_tokens(key, doc, true)) FROM lk, long_doc;
RESET statement_timeout;
SELECT cardinality(pre_tokens(key, doc, true)) AS after_timeout FROM lk, long_doc;
