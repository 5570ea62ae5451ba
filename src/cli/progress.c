/*
 * progress.c - a progress line on stderr for long jobs (rewrap, batches,
 * rotations): the count, the rate and, when the size of the job is known,
 * the fraction done and the time left; redrawn in place (\r) at most 5
 * times a second, only when stderr is a terminal, never with -q.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define REDRAW_SECONDS 0.2

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Start the progress of a job over what; shown on a terminal without -q. */
void
progress_start(progress *p, const char *what, bool quiet, uint64_t total)
{
	struct stat st;

	*p = (progress) {0};
	p->on = !quiet && isatty(fileno(stderr));
	p->what = what;
	p->total = total;
	if (total == 0 && fstat(fileno(stdin), &st) == 0 && S_ISREG(st.st_mode))
	{
		off_t		at = lseek(fileno(stdin), 0, SEEK_CUR);

		p->total_bytes = (uint64_t) st.st_size - (uint64_t) (at > 0 ? at : 0);
	}
	p->start = p->shown = now();
}

/* Print h:mm:ss of seconds into out. */
static void
hms(double seconds, char *out, size_t size)
{
	long		s = seconds > 0 ? (long) (seconds + 0.5) : 0;

	snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/* Draw the line: count, rate, and the fraction and time left when known. */
static void
draw(const progress *p, double t, bool last)
{
	double		elapsed = t - p->start;
	double		rate = elapsed > 0 ? (double) p->count / elapsed : 0;
	double		done = p->total > 0 ? (double) p->count / (double) p->total :
		p->total_bytes > 0 ? (double) p->bytes / (double) p->total_bytes : -1;
	char		when[32];

	fprintf(stderr, "\r\033[K%llu %s, %.0f/s", (unsigned long long) p->count,
			p->what, rate);
	if (last)
	{
		hms(elapsed, when, sizeof when);
		fprintf(stderr, ", done in %s\n", when);
		return;
	}
	if (done > 0)
	{
		hms(elapsed * (1 - done) / done, when, sizeof when);
		fprintf(stderr, ", %.0f %%, ETA %s", done < 1 ? 100 * done : 100.0, when);
	}
	fflush(stderr);
}

/* Count n more records of bytes input bytes; redraw at most 5 times a second. */
void
progress_add(progress *p, uint64_t n, uint64_t bytes)
{
	double		t;

	p->count += n;
	p->bytes += bytes;
	if (!p->on)
		return;
	t = now();
	if (t - p->shown >= REDRAW_SECONDS)
	{
		p->shown = t;
		draw(p, t, false);
	}
}

/* Draw the last line (count, rate, time taken) and end it, if a line was
 * drawn at all (a job shorter than a redraw leaves the terminal alone). */
void
progress_end(progress *p)
{
	if (p->on && p->shown > p->start)
		draw(p, now(), true);
	p->on = false;
}
