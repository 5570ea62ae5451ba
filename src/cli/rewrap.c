/*
 * rewrap.c - the rewrap command: records at rest moved from a retired
 * key to a new one (after a group rotation), envelopes with a new data
 * key; on every core (-j N), streaming, in bounded memory, the output in
 * the input's order.
 *
 * The main thread reads the input into jobs of JOB_RECORDS lines, workers
 * rewrap whole jobs, and the main thread writes the jobs' output in their
 * order.  At most 2 N jobs are in flight, so memory is bounded by the
 * lines of 2 N jobs whatever the input's size.  A worker's messages are
 * kept with its job (report_capture) and printed when the job's turn
 * comes: the first line that fails stops the command, after every line
 * before it was written, as with one worker.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "batch.h"
#include "decrypt.h"
#include "encrypt.h"
#include "envelope.h"
#include "io.h"
#include "keyfile.h"
#include "progress.h"
#include "report.h"
#include "rewrap.h"
#include "values.h"

#define JOB_RECORDS		64		/* lines of input in one job */
#define MAX_WORKERS		256

/* What becomes of a job. */
typedef enum job_state
{
	JOB_FREE,					/* may be filled by the reader */
	JOB_READY,					/* filled, waiting for a worker */
	JOB_DONE					/* rewrapped, waiting to be written */
} job_state;

/* A run of input lines, and what they became. */
typedef struct job
{
	job_state	state;
	buf			in;				/* the lines, each with its newline */
	size_t		first_line;		/* line number of its first line */
	size_t		nlines;
	size_t		nrecords;		/* non-empty lines done */
	buf			out;			/* the output lines, in order */
	int			rc;				/* 0, or the exit status of its failure */
	size_t		failed_line;	/* the line of the failure */
	char		error[512];		/* the failure's message */
} job;

/* The jobs and workers of one rewrap. */
typedef struct pool
{
	pthread_mutex_t mu;
	pthread_cond_t cv;
	job		   *jobs;			/* njobs slots; job number k is jobs[k % njobs] */
	size_t		njobs;
	size_t		filled;			/* jobs filled so far */
	size_t		taken;			/* jobs taken by workers so far */
	bool		quit;			/* no more jobs will come */
	const sp_secret *key;
	const uint8_t *pk;
} pool;

/*
 * One record: ct (and body, for an envelope) decrypted with key, appended
 * to out for pk: a new ciphertext with the same aad, and for an envelope a
 * new data key, key ciphertext and body.
 */
static int
rewrap_one(const sp_secret *key, const uint8_t *pk, sp_keycache *keys,
		   const buf *ct, const buf *body, const record *r, buf *out)
{
	const uint8_t *aad = ct->data + SP_HEADERBYTES;
	size_t		aadlen = sp_ciphertext_aadlen(ct->data);
	uint8_t		data_key[SP_ENVELOPE_KEYBYTES];
	buf			m = {0};
	buf			plain = {0};
	buf			newct = {0};
	buf			ct_text = {0};
	buf			body_text = {0};
	int			rc = 0;
	int			err = decrypt_value(key, ct, &m);

	if (err != SP_OK)
		rc = fail_sp("cannot decrypt", err);
	else if (body->data == NULL)
		rc = encrypt_for_aad_cached(pk, m.data, m.len, aad, aadlen, keys, &newct);
	else if (m.len != SP_ENVELOPE_KEYBYTES)
		rc = fail("an envelope's key ciphertext holds a 32-byte data key");
	else
	{
		rc = open_body(m.data, ct, body, &plain);
		sp_random_bytes(data_key, sizeof data_key);	/* a new data key */
		if (rc == 0)
			rc = encrypt_for_aad_cached(pk, data_key, sizeof data_key, aad, aadlen,
										keys, &newct);
		if (rc == 0)
			rc = seal_body(data_key, &newct, &plain, &body_text);
		sodium_memzero(data_key, sizeof data_key);
	}
	if (rc == 0)
		rc = encode_lines(SP_KIND_CIPHERTEXT, newct.data, newct.len, 1, &ct_text);
	if (rc == 0)
		rc = append(out, r->id, r->idlen) || append(out, "\t", 1) ||
			append(out, ct_text.data, ct_text.len - (body_text.data != NULL));
	if (rc == 0 && body_text.data != NULL)
		rc = append(out, "\t", 1) || append(out, body_text.data, body_text.len);
	buf_free(&m);
	buf_free(&plain);
	buf_free(&newct);
	buf_free(&ct_text);
	buf_free(&body_text);
	return rc;
}

/*
 * One line of a job: ID<TAB>CIPHERTEXT[<TAB>BODY], or empty (skipped).
 * keys: the worker's cache of checked public keys (the retired key of
 * every record, the new key).
 */
static int
rewrap_line(const pool *p, sp_keycache *keys, const char *line, size_t len,
			job *j)
{
	record		r;
	buf			ct = {0};
	buf			body = {0};
	int			rc;

	if (!split_record(line, len, &r))
		return 0;
	if (r.id == NULL)
		return fail("ID, a tab and a ciphertext expected");
	rc = decode_value_cached(r.value, r.len, SP_KIND_CIPHERTEXT, keys, &ct);
	if (rc == 0 && r.more != NULL)
		rc = decode_body("the body", (const uint8_t *) r.more, r.morelen, &body);
	if (rc == 0)
		rc = rewrap_one(p->key, p->pk, keys, &ct, &body, &r, &j->out);
	j->nrecords += rc == 0;
	buf_free(&ct);
	buf_free(&body);
	return rc;
}

/* Rewrap the lines of a job, up to the first that fails. */
static void
run_job(const pool *p, sp_keycache *keys, job *j)
{
	const char *line = (const char *) j->in.data;
	const char *end = line + j->in.len;

	report_capture(j->error, sizeof j->error);
	j->out.len = 0;
	j->nrecords = 0;
	j->rc = 0;
	for (size_t i = 0; j->rc == 0 && line < end; i++)
	{
		const char *nl = memchr(line, '\n', (size_t) (end - line));
		size_t		len = nl != NULL ? (size_t) (nl - line) : (size_t) (end - line);

		j->rc = rewrap_line(p, keys, line, len, j);
		j->failed_line = j->first_line + i;
		line += len + 1;
	}
	report_capture(NULL, 0);
}

/* A worker: takes the jobs in their order and rewraps them. */
static void *
worker(void *arg)
{
	pool	   *p = arg;
	sp_keycache *keys = calloc(1, sizeof *keys);	/* public keys only */

	pthread_mutex_lock(&p->mu);
	for (;;)
	{
		job		   *j;

		while (!p->quit && p->taken == p->filled)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->taken == p->filled)
			break;
		j = &p->jobs[p->taken++ % p->njobs];
		pthread_mutex_unlock(&p->mu);
		run_job(p, keys, j);
		pthread_mutex_lock(&p->mu);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	free(keys);
	return NULL;
}

/* Fill job j with up to JOB_RECORDS lines of standard input; false at its end. */
static bool
read_job(job *j, size_t *line_no, char **line, size_t *cap, uint64_t *bytes)
{
	ssize_t		len = 0;

	j->in.len = 0;
	j->nlines = 0;
	j->first_line = *line_no + 1;
	while (j->nlines < JOB_RECORDS && (len = getline(line, cap, stdin)) >= 0)
	{
		if (append(&j->in, *line, (size_t) len) != 0)
			break;
		j->nlines++;
		*bytes += (uint64_t) len;
	}
	*line_no += j->nlines;
	return j->nlines > 0;
}

/* Write the output of job j, and its failure; its exit status. */
static int
write_job(const job *j, progress *pr, uint64_t bytes)
{
	write_out(j->out.data, j->out.len);
	progress_add(pr, j->nrecords, bytes);
	if (j->rc != 0)
	{
		progress_end(pr);
		return fail("line %zu: %s", j->failed_line, j->error);
	}
	return 0;
}

/*
 * The reader and writer of a pool: fills free jobs with input, writes done
 * jobs in their order, until the input ends or a job fails.
 */
static int
run_pool(pool *p, progress *pr)
{
	char	   *line = NULL;
	size_t		cap = 0;
	size_t		line_no = 0;
	size_t		written = 0;
	uint64_t	bytes[2 * MAX_WORKERS] = {0};	/* input bytes of each slot */
	bool		eof = false;
	int			rc = 0;

	pthread_mutex_lock(&p->mu);
	while (rc == 0 && !(eof && written == p->filled))
	{
		job		   *next = &p->jobs[written % p->njobs];

		if (written < p->filled && next->state == JOB_DONE)
		{
			pthread_mutex_unlock(&p->mu);
			rc = write_job(next, pr, bytes[written % p->njobs]);
			pthread_mutex_lock(&p->mu);
			next->state = JOB_FREE;
			written++;
		}
		else if (!eof && p->filled - written < p->njobs)
		{
			job		   *j = &p->jobs[p->filled % p->njobs];
			uint64_t   *b = &bytes[p->filled % p->njobs];

			pthread_mutex_unlock(&p->mu);
			*b = 0;
			eof = !read_job(j, &line_no, &line, &cap, b);
			pthread_mutex_lock(&p->mu);
			if (!eof)
			{
				j->state = JOB_READY;
				p->filled++;
				pthread_cond_broadcast(&p->cv);
			}
		}
		else
			pthread_cond_wait(&p->cv, &p->mu);
	}
	p->quit = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (rc == 0 && ferror(stdin))
		rc = fail("cannot read standard input: %s", strerror(errno));
	free(line);
	return rc;
}

/* Parse -j N: 1 to MAX_WORKERS; by default the number of cores. */
static int
parse_workers(const char *text, int *n)
{
	char	   *end;
	long		v;

	if (text == NULL)
	{
		v = sysconf(_SC_NPROCESSORS_ONLN);
		*n = v < 1 ? 1 : v > MAX_WORKERS ? MAX_WORKERS : (int) v;
		return 0;
	}
	v = strtol(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || v < 1 || v > MAX_WORKERS)
		return usage_fail("-j needs a number of workers from 1 to %d", MAX_WORKERS);
	*n = (int) v;
	return 0;
}

/* Rewrap standard input with nworkers workers. */
static int
rewrap_all(const args *a, const sp_secret *key, const uint8_t *pk, int nworkers)
{
	static char inbuf[READ_CHUNK];	/* ciphertexts only, no secret */
	pool		p = {.njobs = 2 * (size_t) nworkers, .key = key, .pk = pk};
	pthread_t	threads[MAX_WORKERS];
	int			started = 0;
	progress	pr;
	int			rc = 0;

	p.jobs = calloc(p.njobs, sizeof *p.jobs);
	if (p.jobs == NULL)
		return fail("out of memory");
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
	notice_terminal_stdin();
	progress_start(&pr, "records", opt(a, "-q") != NULL, 0);
	for (; started < nworkers; started++)
		if (pthread_create(&threads[started], NULL, worker, &p) != 0)
			break;
	if (started == 0)
		rc = fail("cannot start a worker thread");
	else
		rc = run_pool(&p, &pr);
	if (started == 0)
		p.quit = true;
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (rc == 0)
		progress_end(&pr);
	for (size_t i = 0; i < p.njobs; i++)
	{
		buf_free(&p.jobs[i].in);
		buf_free(&p.jobs[i].out);
	}
	free(p.jobs);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return rc;
}

/*
 * rewrap NEW_PUBKEY --secret-key KEY [-j N] < LINES: each line
 * "ID<TAB>prect_" or "ID<TAB>prect_<TAB>BODY"; prints the same lines for
 * NEW_PUBKEY, in order.
 */
int
cmd_rewrap(const args *a)
{
	sp_secret	key;
	buf			pk = {0};
	bool		have_key = false;
	int			nworkers = 1;
	int			rc = parse_workers(opt(a, "-j"), &nworkers);

	if (rc == 0)
		rc = load_arg(a->pos[0], SP_KIND_PUBLIC_KEY, &pk);
	if (rc == 0)
		rc = key_not_stdin(opt(a, "--secret-key"), "--secret-key", "the records");
	if (rc == 0)
	{
		rc = load_secret(opt(a, "--secret-key"), &key);
		have_key = rc == 0;
	}
	if (rc == 0)
		rc = rewrap_all(a, &key, pk.data, nworkers);
	if (have_key)
		sp_secret_wipe(&key);
	buf_free(&pk);
	return rc;
}
