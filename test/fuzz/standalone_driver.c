/*
 * standalone_driver.c - a small stand-in for libFuzzer, used by run.sh when
 * clang's libFuzzer is not available: built with gcc -fsanitize=address,
 * undefined together with one harness (its LLVMFuzzerTestOneInput).
 *
 * Runs every file of the corpus directories given (and every file given
 * directly), then mutates random corpus entries (bit flips, byte sets,
 * interesting bytes, inserts, deletes, duplicated ranges, splices with
 * another entry, dictionary-free) until -max_total_time seconds have
 * passed.  No coverage feedback: a seeded random walk around the corpus.
 *
 * Understands the libFuzzer flags run.sh passes: -max_total_time=N,
 * -max_len=N, -seed=N, -artifact_prefix=P, -runs=N; other -flags are
 * ignored.  On a sanitizer report or a signal the current input is written
 * to <artifact_prefix>crash-<n> and the process exits non-zero.  At the end
 * it prints "stat::number_of_executed_units: N" like libFuzzer's
 * -print_final_stats=1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int			LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct unit
{
	uint8_t    *data;
	size_t		len;
} unit;

/*
 * Make every sanitizer report end in abort(): the SIGABRT handler then
 * saves the input (gcc's UBSan runtime does not run ASan's death callback).
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "abort_on_error=1:detect_leaks=1";
}

const char *
__ubsan_default_options(void)
{
	return "abort_on_error=1:print_stacktrace=1:halt_on_error=1";
}

static unit *corpus;
static size_t ncorpus,
			capcorpus;
static const uint8_t *volatile cur_data;
static volatile size_t cur_len;
static const char *artifact_prefix = "./";
static unsigned long long executed;

static void
add_unit(const uint8_t *data, size_t len)
{
	if (ncorpus == capcorpus)
	{
		capcorpus = capcorpus ? 2 * capcorpus : 64;
		corpus = realloc(corpus, capcorpus * sizeof *corpus);
		if (corpus == NULL)
			abort();
	}
	corpus[ncorpus].data = malloc(len ? len : 1);
	if (corpus[ncorpus].data == NULL)
		abort();
	memcpy(corpus[ncorpus].data, data, len);
	corpus[ncorpus].len = len;
	ncorpus++;
}

static void
load_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf = NULL;
	size_t		len = 0,
				cap = 0,
				n;

	if (f == NULL)
		return;
	do
	{
		if (cap - len < 4096)
		{
			cap = cap ? 2 * cap : 8192;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	add_unit(buf, len);
	free(buf);
}

static void
load_path(const char *path)
{
	struct stat st;
	DIR		   *d;
	struct dirent *e;

	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode))
	{
		load_file(path);
		return;
	}
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
	{
		char		full[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(full, sizeof full, "%s/%s", path, e->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			load_file(full);
	}
	closedir(d);
}

/* Write the input being run to <artifact_prefix>crash-<pid>: signal-safe. */
static void
dump_current(void)
{
	char		path[4200];
	int			fd;
	size_t		off = 0;

	snprintf(path, sizeof path, "%scrash-%ld", artifact_prefix,
			 (long) getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	while (cur_data != NULL && off < cur_len)
	{
		ssize_t		w = write(fd, cur_data + off, cur_len - off);

		if (w <= 0)
			break;
		off += (size_t) w;
	}
	close(fd);
}

static void
print_stats(void)
{
	fprintf(stderr, "stat::number_of_executed_units: %llu\n", executed);
}

static void
on_death(void)
{
	dump_current();
	fprintf(stderr, "standalone driver: crash; input written to %scrash-%ld\n",
			artifact_prefix, (long) getpid());
	print_stats();
}

static void
on_signal(int sig)
{
	on_death();
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t
rnd_below(size_t n)
{
	return n ? (size_t) (rnd() % n) : 0;
}

/* Mutate buf (len bytes, room for max) in place; returns the new length. */
static size_t
mutate(uint8_t *buf, size_t len, size_t max)
{
	static const uint8_t interesting[] = {0, 1, 0x7f, 0x80, 0xff, 0x10, 0x11,
	0x20, '=', '+', '/', '-', '_', ' ', '\n', 'A'};
	int			rounds = 1 + (int) rnd_below(4);

	for (int r = 0; r < rounds; r++)
	{
		switch (rnd_below(8))
		{
			case 0:				/* flip a bit */
				if (len)
					buf[rnd_below(len)] ^= (uint8_t) (1u << rnd_below(8));
				break;
			case 1:				/* random byte */
				if (len)
					buf[rnd_below(len)] = (uint8_t) rnd();
				break;
			case 2:				/* interesting byte */
				if (len)
					buf[rnd_below(len)] =
						interesting[rnd_below(sizeof interesting)];
				break;
			case 3:				/* insert bytes */
				{
					size_t		n = 1 + rnd_below(8),
								at = rnd_below(len + 1);

					if (len + n > max)
						break;
					memmove(buf + at + n, buf + at, len - at);
					for (size_t i = 0; i < n; i++)
						buf[at + i] = (uint8_t) rnd();
					len += n;
				}
				break;
			case 4:				/* delete a range */
				if (len)
				{
					size_t		at = rnd_below(len),
								n = 1 + rnd_below(len - at < 16 ? len - at : 16);

					memmove(buf + at, buf + at + n, len - at - n);
					len -= n;
				}
				break;
			case 5:				/* duplicate a range */
				if (len)
				{
					size_t		at = rnd_below(len),
								n = 1 + rnd_below(len - at < 128 ? len - at : 128),
								to = rnd_below(len + 1);

					if (len + n > max)
						break;
					memmove(buf + to + n, buf + to, len - to);
					memmove(buf + to, buf + (at >= to ? at + n : at), n);
					len += n;
				}
				break;
			case 6:				/* splice with another corpus entry */
				if (ncorpus)
				{
					unit	   *o = &corpus[rnd_below(ncorpus)];
					size_t		at = rnd_below(len + 1),
								from = rnd_below(o->len + 1),
								n = o->len - from;

					if (at + n > max)
						n = max - at;
					memcpy(buf + at, o->data + from, n);
					if (at + n > len)
						len = at + n;
				}
				break;
			case 7:				/* truncate */
				len = rnd_below(len + 1);
				break;
		}
	}
	return len;
}

static void
run_one(const uint8_t *data, size_t len)
{
	uint8_t    *copy = malloc(len ? len : 1);	/* exact size for ASan */

	if (copy == NULL)
		abort();
	memcpy(copy, data, len);
	cur_data = copy;
	cur_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	cur_data = NULL;
	free(copy);
	executed++;
}

int
main(int argc, char **argv)
{
	long		max_time = 0;
	size_t		max_len = 4096;
	long long	runs = -1;
	uint64_t	seed = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32);
	time_t		start;
	uint8_t    *buf;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (strncmp(a, "-max_total_time=", 16) == 0)
			max_time = atol(a + 16);
		else if (strncmp(a, "-max_len=", 9) == 0)
			max_len = (size_t) atol(a + 9);
		else if (strncmp(a, "-seed=", 6) == 0)
			seed = (uint64_t) strtoull(a + 6, NULL, 10);
		else if (strncmp(a, "-runs=", 6) == 0)
			runs = atoll(a + 6);
		else if (strncmp(a, "-artifact_prefix=", 17) == 0)
			artifact_prefix = a + 17;
		else if (a[0] != '-')
			load_path(a);
	}
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
	__sanitizer_set_death_callback(on_death);
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	fprintf(stderr, "standalone driver: %zu corpus units, seed %llu\n",
			ncorpus, (unsigned long long) seed);

	for (size_t i = 0; i < ncorpus; i++)
		run_one(corpus[i].data, corpus[i].len);
	if (ncorpus == 0)
		add_unit((const uint8_t *) "", 0);

	buf = malloc(max_len + 1);
	if (buf == NULL)
		abort();
	start = time(NULL);
	while ((runs < 0 || (long long) executed < runs) &&
		   (max_time <= 0 ? runs >= 0 : time(NULL) - start < max_time))
	{
		unit	   *u = &corpus[rnd_below(ncorpus)];
		size_t		len = u->len < max_len ? u->len : max_len;

		memcpy(buf, u->data, len);
		len = mutate(buf, len, max_len);
		run_one(buf, len);
		/* keep a few mutants around so that mutations can stack */
		if (rnd_below(64) == 0 && ncorpus < 4096)
			add_unit(buf, len);
	}
	free(buf);
	print_stats();
	return 0;
}
