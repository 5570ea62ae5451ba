/*
 * progress.h - a progress line on stderr for long jobs (progress.c).
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* The progress of a job over records; zeroed, it shows nothing. */
typedef struct progress
{
	bool		on;				/* stderr is a terminal, and no -q */
	const char *what;			/* "records", "grants", ... */
	uint64_t	count;			/* records done */
	uint64_t	total;			/* records in all, or 0 if unknown */
	uint64_t	bytes;			/* input bytes done */
	uint64_t	total_bytes;	/* input bytes in all (a regular file), or 0 */
	double		start;			/* when it began, seconds */
	double		shown;			/* when the line was last drawn */
} progress;

/*
 * Start the progress of a job over what (records, grants); shown only when
 * stderr is a terminal and quiet is false.  total: the records in all, if
 * known (else 0: then standard input's size, if it is a regular file,
 * gives the fraction done).
 */
void		progress_start(progress *p, const char *what, bool quiet, uint64_t total);

/* Count n more records of bytes input bytes; redraw at most 5 times a second. */
void		progress_add(progress *p, uint64_t n, uint64_t bytes);

/* Draw the last line (count, rate, time taken) and end it, if a line was
 * drawn at all. */
void		progress_end(progress *p);

#endif							/* CLI_PROGRESS_H */
